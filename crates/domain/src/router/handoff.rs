//! The handoff policy: when a turn hands the conversation to the team
//! (the customer asks, too many unresolved messages, low confidence), and
//! how the customer is told. Kept apart so the policy's order reads in one
//! place.

use super::{Agent, TurnOutcome};
use crate::brain::Turn;
use crate::conversation::{Conversation, Handoff, HandoffReason};
use crate::events::Event;
use crate::playbook::Stage;
use crate::reading;
use jiff::Timestamp;

impl Agent {
    /// The handoff policy, in the order it is applied: the customer's
    /// request (the brain's reading, or the request in so many words, which
    /// a small model may answer with "let's talk to someone" and no
    /// handoff), then too many unresolved messages, then low confidence.
    pub(super) fn handoff_reason(
        &self,
        conversation: &Conversation,
        stage: &Stage,
        turn: &Turn,
        words: &str,
        learned: bool,
    ) -> Option<HandoffReason> {
        let policy = &self.playbook.handoff;
        let asked = (turn
            .intent
            .as_deref()
            .and_then(|id| self.playbook.intent(id))
            .is_some_and(|i| i.hands_off)
            || reading::asks_for_person(words))
            && !reading::declines_person(words);
        if asked {
            return Some(HandoffReason::CustomerAsked);
        }
        if conversation.unresolved >= policy.unresolved_limit {
            return Some(HandoffReason::Unresolved);
        }
        // A turn that learned a value was understood, however unsure the
        // brain says it is.
        if turn.confidence < policy.confidence_threshold
            && !learned
            && self.reached(&stage.id, &policy.confidence_from_stage)
        {
            return Some(HandoffReason::LowConfidence);
        }
        None
    }

    pub(super) fn hand_off(
        &self,
        conversation: &mut Conversation,
        reason: HandoffReason,
        now: Timestamp,
        outcome: &mut TurnOutcome,
    ) {
        self.hand_off_saying(conversation, reason, None, now, outcome);
    }

    /// Marks the conversation handed off and tells the customer: the
    /// handoff stage's own words when it has them, else the policy's
    /// message.
    pub(super) fn hand_off_saying(
        &self,
        conversation: &mut Conversation,
        reason: HandoffReason,
        message: Option<String>,
        now: Timestamp,
        outcome: &mut TurnOutcome,
    ) {
        conversation.handoff = Some(Handoff { reason, at: now });
        outcome.events.push(Event::HandedOff { reason });
        let text = message.unwrap_or_else(|| {
            self.playbook
                .handoff_message(conversation.language)
                .to_owned()
        });
        self.say(conversation, text, now, outcome);
    }
}
