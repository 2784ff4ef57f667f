//! The booking flow: reading a customer's pick of the slots offered,
//! booking it through the stage's `book_call` tool, offering free slots,
//! and moving or cancelling a call the flow booked after it handed off.
//! Kept apart from [`Agent::run_turn`], which only steps into it, because
//! it talks to the calendar tools and has its own replies.

use super::{
    Agent, CANCEL_INTENT, MAX_OFFERED, OfferRow, RESCHEDULE_INTENT, SlotOffer, TurnOutcome,
};
use crate::conversation::{BookedCall, Conversation, HandoffReason};
use crate::events::Event;
use crate::inbound::{Content, InboundMessage};
use crate::playbook::Stage;
use crate::schedule::{Pick, Slot, read_pick};
use crate::tools::{
    BOOK_CALL, CANCEL_CALL, FIND_SLOTS, FoundSlot, ToolCallRecord, ToolError, ToolOutcome,
};
use jiff::Timestamp;

impl Agent {
    /// The slot a reply to the last offer picks (a list row, "the first
    /// one", "Tuesday at 10"), in a stage that books calls; `None` when the
    /// reply picks nothing the playbook's hours allow, for the brain to read.
    pub(super) fn picked_slot(
        &self,
        conversation: &Conversation,
        stage: &Stage,
        burst: &[InboundMessage],
        now: Timestamp,
    ) -> Option<Slot> {
        if conversation.offered.is_empty() || !stage.tools.iter().any(|t| t == BOOK_CALL) {
            return None;
        }
        let rules = &self.playbook.scheduling;
        let offered: Vec<Slot> = conversation
            .offered
            .iter()
            .filter_map(|id| rules.slot_of(id))
            .collect();
        // The newest message that says something decides. A row of any
        // list we sent names its slot, even one of an earlier offer.
        let said = burst.iter().rev().find_map(|m| match &m.content {
            Content::Choice { id, .. } => Some(id.as_str()),
            other => other.text(),
        })?;
        if let Some(slot) = rules.slot_of(said) {
            return rules.slot_at(&slot.start, now);
        }
        match read_pick(said, &offered, now, &rules.time_zone) {
            Pick::Slot(slot) => Some(slot),
            Pick::Time(at) => rules.slot_at(&at, now),
            Pick::None => None,
        }
    }

    /// Books `slot` through the stage's `book_call` tool and tells the
    /// customer how it went: booked (the flow moves on), taken meanwhile or
    /// the calendar failing (an apology and fresh slots).
    pub(super) async fn book(
        &self,
        conversation: &mut Conversation,
        stage: &Stage,
        slot: &Slot,
        now: Timestamp,
        outcome: &mut TurnOutcome,
    ) {
        let tools = self
            .tools
            .toolbox(&stage.tools, &conversation.customer, &conversation.lead);
        let result = tools
            .call(BOOK_CALL, &serde_json::json!({ "slot": slot.id() }))
            .await;
        let calls = tools.into_calls();
        self.record_calls(conversation, &calls, outcome);
        let language = conversation.language;
        let key = match result {
            Ok(ToolOutcome::CallBooked { .. }) => {
                conversation.offered.clear();
                conversation.unresolved = 0;
                let booked = self
                    .playbook
                    .render_reply(stage, "booked", &conversation.lead, language)
                    .unwrap_or_default();
                let text = format!("{booked} {}.", slot.description(language));
                self.say(conversation, text, now, outcome);
                let reached = self.advance(conversation, &calls, outcome);
                if reached.hands_off {
                    let message =
                        self.playbook
                            .render_reply(reached, "enter", &conversation.lead, language);
                    self.hand_off_saying(
                        conversation,
                        HandoffReason::FlowCompleted,
                        message,
                        now,
                        outcome,
                    );
                }
                return;
            }
            // The tool logged why; the event says it failed.
            Err(ToolError::CalendarFailed(_) | ToolError::Refused(_)) => "booking_failed",
            Ok(ToolOutcome::SlotTaken) => "slot_taken",
            // Not a booking tool's answer: nothing was booked.
            Ok(_) => "slot_taken",
        };
        let text = self
            .playbook
            .render_reply(stage, key, &conversation.lead, language)
            .unwrap_or_default();
        self.offer(conversation, stage, outcome).await;
        self.say(conversation, text, now, outcome);
    }

    /// Looks up free slots with the stage's `find_slots` tool and offers
    /// them; nothing is offered when the stage has no such tool or the
    /// calendar cannot tell.
    pub(super) async fn offer(
        &self,
        conversation: &mut Conversation,
        stage: &Stage,
        outcome: &mut TurnOutcome,
    ) {
        if !stage.tools.iter().any(|t| t == FIND_SLOTS) {
            return;
        }
        let tools = self
            .tools
            .toolbox(&stage.tools, &conversation.customer, &conversation.lead);
        let found = tools.call(FIND_SLOTS, &serde_json::json!({})).await;
        self.record_calls(conversation, &tools.into_calls(), outcome);
        // A failure is the tool's to log; the event records it.
        if let Ok(ToolOutcome::SlotsFound(found)) = found {
            self.offer_found(conversation, stage, &found, outcome);
        }
    }

    /// Offers the slots of a `find_slots` result and remembers them, so the
    /// customer's pick can be read against them.
    pub(super) fn offer_found(
        &self,
        conversation: &mut Conversation,
        stage: &Stage,
        found: &[FoundSlot],
        outcome: &mut TurnOutcome,
    ) {
        let rules = &self.playbook.scheduling;
        let slots: Vec<Slot> = found
            .iter()
            .filter_map(|s| rules.slot_of(&s.id))
            .take(MAX_OFFERED)
            .collect();
        let language = conversation.language;
        let button = self
            .playbook
            .render_reply(stage, "list_button", &conversation.lead, language);
        let (Some(button), false) = (button, slots.is_empty()) else {
            return;
        };
        conversation.offered = slots.iter().map(Slot::id).collect();
        outcome.offer = Some(SlotOffer {
            button,
            rows: slots
                .iter()
                .map(|slot| OfferRow {
                    id: slot.id(),
                    title: slot.title(language),
                    description: slot.description(language),
                })
                .collect(),
        });
    }

    /// Events for the tools a turn called, and for each call one booked,
    /// which the conversation remembers.
    pub(super) fn record_calls(
        &self,
        conversation: &mut Conversation,
        calls: &[ToolCallRecord],
        outcome: &mut TurnOutcome,
    ) {
        for call in calls {
            outcome.events.push(Event::ToolCalled {
                name: call.name.clone(),
                ok: call.result.is_ok(),
            });
            if let Ok(ToolOutcome::CallBooked { event_id, start }) = &call.result {
                conversation.booked = Some(BookedCall {
                    event_id: event_id.clone(),
                    start: start.clone(),
                });
                outcome.events.push(Event::CallBooked {
                    slot: Some(start.clone()),
                    event_id: Some(event_id.clone()),
                });
            }
        }
    }

    /// After the flow handed a booked call to the team, the customer may
    /// still ask to move or cancel it: the brain reads the burst, and only
    /// those two intents get an answer (anything else is the team's). The
    /// call is cancelled through `cancel_call`; a move goes back to the
    /// stage that books, with fresh slots.
    pub(super) async fn change_booked_call(
        &self,
        conversation: &mut Conversation,
        said: usize,
        now: Timestamp,
        outcome: &mut TurnOutcome,
    ) {
        let booked_by_the_flow = conversation
            .handoff
            .as_ref()
            .is_some_and(|h| h.reason == HandoffReason::FlowCompleted);
        let (Some(booked), true) = (conversation.booked.clone(), booked_by_the_flow) else {
            return;
        };
        let playbook = &*self.playbook;
        let (Some(stage), Some(booking)) = (
            playbook.stage(&conversation.stage),
            playbook
                .stages
                .iter()
                .find(|s| s.tools.iter().any(|t| t == BOOK_CALL)),
        ) else {
            return;
        };
        let today = now.to_zoned(self.time_zone.clone()).date();
        let no_tools = self
            .tools
            .toolbox(&[], &conversation.customer, &conversation.lead);
        let Ok(turn) = self
            .decide(conversation, stage, said, today, &[], &no_tools)
            .await
        else {
            return;
        };
        let moving = match turn.intent.as_deref() {
            Some(RESCHEDULE_INTENT) => true,
            Some(CANCEL_INTENT) => false,
            _ => return,
        };
        self.record_decision(&turn, outcome);
        let tools = self.tools.toolbox(
            &[CANCEL_CALL.to_owned()],
            &conversation.customer,
            &conversation.lead,
        );
        let cancelled = tools
            .call(
                CANCEL_CALL,
                &serde_json::json!({ "event_id": booked.event_id }),
            )
            .await;
        self.record_calls(conversation, &tools.into_calls(), outcome);
        let language = conversation.language;
        let say = |key: &str| {
            playbook
                .render_reply(booking, key, &conversation.lead, language)
                .unwrap_or_default()
        };
        if cancelled.is_err() {
            // The tool logged why; the call stands, and the team has it.
            let text = say("cancel_failed");
            self.say(conversation, text, now, outcome);
            return;
        }
        conversation.booked = None;
        outcome.events.push(Event::CallCancelled {
            slot: booked.start,
            event_id: booked.event_id,
        });
        if !moving {
            let text = say("call_cancelled");
            self.say(conversation, text, now, outcome);
            return;
        }
        // Back to booking: the bot answers again until the new call is on
        // the calendar, which hands off once more.
        let text = say("reschedule");
        conversation.handoff = None;
        conversation.unresolved = 0;
        outcome.events.push(Event::StageChanged {
            from: conversation.stage.clone(),
            to: booking.id.clone(),
        });
        conversation.stage = booking.id.clone();
        self.offer(conversation, booking, outcome).await;
        self.say(conversation, text, now, outcome);
    }
}
