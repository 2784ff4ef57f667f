//! What the agent says outside a regular turn of the flow: the customer's
//! opt-out and opt-in, the reminder of a booked call and the nudge to a
//! lead who went quiet. Kept apart because these answer the follow-through
//! rules ([`crate::follow_through`]), not the stage's agent.

use super::lead_values::next_field;
use super::{Agent, TurnOutcome};
use crate::conversation::Conversation;
use crate::events::Event;
use crate::follow_through::{self, FOLLOW_UP, OPTED_IN, OPTED_OUT, Phrases, REMINDER};
use crate::inbound::InboundMessage;
use crate::playbook::Stage;
use jiff::Timestamp;

impl Agent {
    /// The customer's word on getting messages, which no stage, handoff or
    /// brain overrides: an opt-out is confirmed once, then nothing
    /// automated is said until they opt in again, welcomed back with the
    /// stage's next question. Whether the turn ends here.
    pub(super) fn opted(
        &self,
        conversation: &mut Conversation,
        burst: &[InboundMessage],
        now: Timestamp,
        outcome: &mut TurnOutcome,
    ) -> bool {
        let playbook = &*self.playbook;
        let said = |phrases: &Phrases| {
            burst
                .iter()
                .filter_map(|m| m.content.text())
                .find_map(|text| phrases.said_in(text))
        };
        let opted_out = conversation.opted_out_at.is_some();
        let phrases = if opted_out {
            &playbook.opt_in
        } else {
            &playbook.opt_out
        };
        let Some(language) = said(phrases) else {
            // Silent while opted out; the message is kept for the team.
            return opted_out;
        };
        if let Some(language) = language {
            conversation.language = language;
        }
        let stage = self.stage_of(conversation);
        let text = if opted_out {
            conversation.opted_out_at = None;
            outcome.events.push(Event::OptedIn);
            let welcome = self.follow_through_words(conversation, stage, OPTED_IN);
            match conversation.handoff {
                Some(_) => welcome,
                None => self.and_then_next(conversation, stage, welcome),
            }
        } else {
            conversation.opted_out_at = Some(now);
            outcome.events.push(Event::OptedOut);
            self.follow_through_words(conversation, stage, OPTED_OUT)
        };
        self.say(conversation, text, now, outcome);
        true
    }

    /// A follow-through reply (`key` of [`crate::follow_through`]): the
    /// playbook's, else the built-in words.
    fn follow_through_words(
        &self,
        conversation: &Conversation,
        stage: &Stage,
        key: &str,
    ) -> String {
        let language = conversation.language;
        self.playbook
            .render_anywhere(stage, key, &conversation.lead, language)
            .unwrap_or_else(|| follow_through::builtin_words(key, language).to_owned())
    }

    /// `first`, then what the stage needs next: its question for the
    /// first field missing, else (a stage that books) what it says on
    /// entering.
    fn and_then_next(&self, conversation: &Conversation, stage: &Stage, first: String) -> String {
        if next_field(conversation, stage).is_some() {
            return self.followed_by_next_ask(conversation, stage, first);
        }
        let enter =
            self.playbook
                .render_reply(stage, "enter", &conversation.lead, conversation.language);
        std::iter::once(first)
            .chain(enter)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The reminder of the booked call starting at `start` (RFC 3339):
    /// the playbook's `reminder` followed by the call's date and time, and
    /// that date and time alone (a template's variable). `None` for a start
    /// that does not parse.
    pub fn reminder(&self, conversation: &Conversation, start: &str) -> Option<(String, String)> {
        let playbook = &*self.playbook;
        let slot = playbook.scheduling.slot_of(start)?;
        let stage = self.stage_of(conversation);
        let when = slot.description(conversation.language);
        let text = format!(
            "{} {when}.",
            self.follow_through_words(conversation, stage, REMINDER)
        );
        Some((text, when))
    }

    /// The nudge to a lead who went quiet: the stage's `follow_up`, else
    /// a "still there?" and the stage's next question.
    pub fn follow_up(&self, conversation: &Conversation) -> String {
        let playbook = &*self.playbook;
        let stage = self.stage_of(conversation);
        let (lead, language) = (&conversation.lead, conversation.language);
        playbook
            .render_anywhere(stage, FOLLOW_UP, lead, language)
            .unwrap_or_else(|| {
                let still_there = follow_through::builtin_words(FOLLOW_UP, language).to_owned();
                self.and_then_next(conversation, stage, still_there)
            })
    }
}
