//! The agent router: runs one turn of a conversation through the agent of
//! its stage and applies the server's rules (field validation, stage
//! machine, handoff policy).
//!
//! A brain only proposes: field values, an intent, a confidence, tool
//! calls. Here every value is parsed before it reaches the lead, the stage
//! moves only along the playbook's transitions, and the handoff policy has
//! the last word on what the customer is told.

use crate::answers::{self, Question};
use crate::brain::{Brain, BrainError, SummaryRequest, Turn, TurnContext};
use crate::context::WINDOW;
use crate::conversation::{
    BookedCall, Conversation, Handoff, HandoffReason, Message, Speaker, Summary,
};
use crate::customer::CustomerId;
use crate::documents::{self, ASK_DOCUMENT, DocumentSend, SEND_DOCUMENT};
use crate::events::{Event, Grounded};
use crate::fields;
use crate::follow_through::{self, FOLLOW_UP, OPTED_IN, OPTED_OUT, Phrases, REMINDER};
use crate::inbound::{Content, InboundMessage};
use crate::language::Language;
use crate::lead::{FieldName, Lead};
use crate::playbook::{LeadView, MEDIA_RECEIVED, Playbook, Stage, Success, VOICE_NOTE};
use crate::reading;
use crate::schedule::{Pick, Slot, read_pick};
use crate::tools::{
    BOOK_CALL, CANCEL_CALL, FIND_SLOTS, FoundSlot, ToolBox, ToolCallRecord, ToolError, ToolOutcome,
    ToolRegistry,
};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use leadline_knowledge::Shared;
use std::sync::Arc;
use understanding::{CORRECTABLE, burst_text, field_value, grounded_proposals, holding};

mod understanding;

/// Runs turns: one playbook, one brain, one tool registry, shared by every
/// worker. Named for what it is (the agent the stages' prompts describe),
/// not to be confused with an HTTP router.
pub struct Agent {
    playbook: Arc<Playbook>,
    brain: Arc<dyn Brain>,
    tools: ToolRegistry,
    /// The business's zone, resolved once: relative timelines ("next
    /// month") are read from the business's calendar, not the server's.
    time_zone: TimeZone,
    /// The business's knowledge folder, read once per turn (a reload
    /// swaps it whole).
    knowledge: Shared,
}

/// What a turn produced, besides the changes to the conversation itself.
#[derive(Debug, Default)]
pub struct TurnOutcome {
    /// What to send the customer, in order; empty when the bot is silent.
    pub replies: Vec<String>,
    pub events: Vec<Event>,
    /// A summary update to run in the background once the turn is saved.
    pub summary_job: Option<SummaryJob>,
    /// Tokens of the prompt the brain used (0 when no brain was asked).
    pub prompt_tokens: usize,
    /// Slots to pick from, offered with the last reply (a WhatsApp list).
    pub offer: Option<SlotOffer>,
    /// Documents to send after the replies (`send_document`).
    pub documents: Vec<DocumentSend>,
}

/// Free slots offered as a list the customer picks from; at most
/// [`MAX_OFFERED`] rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotOffer {
    /// The label of the button that opens the list.
    pub button: String,
    pub rows: Vec<OfferRow>,
}

/// One slot of an offer: its id comes back when the customer picks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferRow {
    pub id: String,
    pub title: String,
    pub description: String,
}

/// WhatsApp lists hold at most 10 rows.
pub const MAX_OFFERED: usize = 10;
/// Whether the router shows a tool's result to the customer itself (the
/// slot list of [`FIND_SLOTS`], the document [`SEND_DOCUMENT`] picked), so
/// a brain need not word a reply from it.
pub fn shown_to_customer(tool: &str) -> bool {
    tool == FIND_SLOTS || tool == SEND_DOCUMENT
}
/// The intents of a customer who wants the booked call at another time, or
/// not at all: the playbook names them, the brain reads them.
pub const RESCHEDULE_INTENT: &str = "reschedule_call";
pub const CANCEL_INTENT: &str = "cancel_call";

/// Messages that left the context window, to fold into the rolling summary
/// off the reply's critical path.
#[derive(Debug, Clone)]
pub struct SummaryJob {
    pub customer: CustomerId,
    pub language: Language,
    pub lead: Lead,
    pub previous: String,
    pub leaving: Vec<Message>,
}

impl SummaryJob {
    /// The `seq` the resulting summary reaches.
    pub fn through_seq(&self) -> u64 {
        self.leaving.last().map_or(0, |m| m.seq)
    }
}

impl Agent {
    pub fn new(playbook: Arc<Playbook>, brain: Arc<dyn Brain>, tools: ToolRegistry) -> Self {
        // The playbook check validated the zone; UTC only guards a playbook
        // built in code.
        let time_zone = TimeZone::get(&playbook.business.time_zone).unwrap_or(TimeZone::UTC);
        Self {
            playbook,
            brain,
            tools,
            time_zone,
            knowledge: Shared::default(),
        }
    }

    /// Answers customers' questions from `knowledge` (empty by default:
    /// every question goes to the team).
    pub fn with_knowledge(mut self, knowledge: Shared) -> Self {
        self.knowledge = knowledge;
        self
    }

    pub fn playbook(&self) -> &Playbook {
        &self.playbook
    }

    /// The knowledge folder as it is now.
    pub fn knowledge(&self) -> Arc<leadline_knowledge::Knowledge> {
        self.knowledge.current()
    }

    /// A new conversation for `customer`, keeping what an earlier
    /// conversation learnt about them: a returning lead resumes at the
    /// stage their known fields reach.
    pub fn start(&self, customer: CustomerId, lead: Option<Lead>, now: Timestamp) -> Conversation {
        let lead = lead.unwrap_or_default();
        let first = self.playbook.first_stage();
        let reached = self.playbook.stage_after(&first.id, &lead);
        let stage = if reached.hands_off { first } else { reached };
        let mut conversation = Conversation::new(
            customer,
            stage.id.clone(),
            self.playbook.business.default_language,
            now,
        );
        conversation.lead = lead;
        conversation
    }

    /// Runs one turn: takes in the burst of customer messages, asks the
    /// brain once, applies the server's rules and records the reply in the
    /// conversation. Never fails: a brain that cannot answer hands off.
    pub async fn run_turn(
        &self,
        conversation: &mut Conversation,
        burst: &[InboundMessage],
        now: Timestamp,
    ) -> TurnOutcome {
        let mut outcome = TurnOutcome::default();
        // Messages that say something the brain can read, and those that
        // do not: voice notes nobody transcribed, files without a caption.
        let (mut said, mut voice, mut files) = (0, 0, 0);
        for message in burst {
            if message.profile_name.is_some() {
                conversation.profile_name.clone_from(&message.profile_name);
            }
            if let Some(text) = readable(&message.content) {
                // Stamped with the server's clock, not Meta's `timestamp`:
                // the 24-hour window is measured on the clock that expires it.
                conversation.push(Speaker::Customer, text, now, Some(message.id.clone()));
                match unread(&message.content) {
                    Some(Unread::Voice) => voice += 1,
                    Some(Unread::File) => files += 1,
                    None => said += 1,
                }
            }
        }
        let pushed = said + voice + files;
        // Reactions and unknown types are not a turn.
        if pushed == 0 {
            return outcome;
        }
        if conversation.nudges > 0 {
            conversation.nudges = 0;
            outcome.events.push(Event::FollowUpAnswered);
        }
        if self.opted(conversation, burst, now, &mut outcome) {
            outcome.summary_job = self.summary_job(conversation);
            return outcome;
        }
        // A handed-off conversation is the team's until they hand it back,
        // but for the call the bot booked, which a written (or transcribed)
        // message may ask to move or cancel.
        if conversation.handoff.is_some() {
            if said > 0 {
                self.change_booked_call(conversation, pushed, now, &mut outcome)
                    .await;
            }
            return outcome;
        }

        let playbook = &*self.playbook;
        let stage = match playbook.stage(&conversation.stage) {
            Some(stage) => stage,
            None => {
                // The playbook changed under a live conversation: start its flow again.
                let first = playbook.first_stage();
                outcome.events.push(Event::StageChanged {
                    from: conversation.stage.clone(),
                    to: first.id.clone(),
                });
                conversation.stage = first.id.clone();
                first
            }
        };
        let today = now.to_zoned(self.time_zone.clone()).date();

        if said == 0 {
            // Nothing the brain could read: no brain call, and nothing the
            // customer could have put better, so the unresolved count and
            // the stage stay as they are.
            self.acknowledge(conversation, stage, voice > 0, now, &mut outcome);
            outcome.summary_job = self.summary_job(conversation);
            return outcome;
        }

        // The server, not the brain nor the business default, decides the
        // language each reply is in: the brain is told it in the prompt.
        if let Some(language) = said_language(burst) {
            conversation.language = language;
        }
        // The WhatsApp profile name is the name until the customer says
        // theirs, which replaces it like any stated value.
        if conversation.lead.name.is_none()
            && let Some(name) = conversation
                .profile_name
                .as_deref()
                .and_then(fields::parse_profile_name)
        {
            conversation.lead.name = Some(name);
            conversation.name_from_profile = true;
            outcome.events.push(Event::FieldSet {
                field: FieldName::Name,
            });
        }

        // The burst's words, read by the server's own rules around the
        // brain: the correction before it, so its prompt holds the new
        // value; the extractors after it.
        let words = burst_text(burst);
        if let Some(slot) = self.picked_slot(conversation, stage, burst, now) {
            // "El viernes a la 1 me viene bien. Mi correo es ...": what
            // else the pick says is kept too.
            self.read_beside(conversation, stage, &words, today, &mut outcome);
            self.book(conversation, stage, &slot, now, &mut outcome)
                .await;
            return outcome;
        }
        self.apply_correction(conversation, &words, today, &mut outcome);
        let questions = answers::look_up(
            &self.knowledge.current(),
            &words,
            conversation.lead.need.as_deref().unwrap_or_default(),
            conversation.language,
        );

        let tools = self
            .tools
            .toolbox(&stage.tools, &conversation.customer, &conversation.lead);
        let decided = self
            .decide(conversation, stage, pushed, today, &questions, &tools)
            .await;
        if let Ok(turn) = &decided {
            self.send_asked_document(turn, &tools, &words).await;
        }
        // Taken from the toolbox, not the brain's answer: what a tool did
        // (a booked call) is recorded even when the answer is lost.
        let calls = tools.into_calls();
        self.record_calls(conversation, &calls, &mut outcome);
        let turn = match decided {
            Ok(turn) => turn,
            Err(error) => {
                outcome.events.push(Event::BrainFailed {
                    brain: self.brain.name().to_owned(),
                    error: error.to_string(),
                });
                self.hand_off(
                    conversation,
                    HandoffReason::BrainUnavailable,
                    now,
                    &mut outcome,
                );
                return outcome;
            }
        };
        self.record_decision(&turn, &mut outcome);
        let grounded = grounded_proposals(conversation, &turn.fields, today, &mut outcome);
        self.apply_fields(conversation, &grounded, today, &mut outcome);
        self.read_beside(conversation, stage, &words, today, &mut outcome);
        // A burst that states a value and corrects it ("3 millones" ...
        // "perdón, 2 millones, no 3") ends with the correction.
        self.apply_correction(conversation, &words, today, &mut outcome);
        // A customer who asked something instead of answering (a question,
        // a document, a call) did not leave the field unanswered: asking
        // it again does not count.
        if let Some(field) = turn
            .asks
            .filter(|f| !conversation.lead.has(*f) && reading::asked(&words).is_empty())
        {
            let times = conversation.asked.entry(field).or_default();
            *times = times.saturating_add(1);
        }

        let answers = self.judge_answers(conversation, &questions, &turn, &words, &mut outcome);

        // A message that gave a value answered the agent, whatever a model
        // says of it: small models mark plain answers unresolved. One that
        // only asked what the team must answer is left unresolved.
        let learned = outcome
            .events
            .iter()
            .any(|e| matches!(e, Event::FieldSet { .. } | Event::FieldCorrected { .. }));
        if (turn.resolved && !answers.unanswered) || learned {
            conversation.unresolved = 0;
        } else {
            // A burst is one thought answered once ("buenas" / "¿funciona
            // con WooCommerce?" / "tenemos una tienda"): it counts once.
            conversation.unresolved = conversation.unresolved.saturating_add(1);
        }
        if let Some(reason) = self.handoff_reason(conversation, stage, &turn, &words, learned) {
            self.hand_off(conversation, reason, now, &mut outcome);
            return outcome;
        }

        let reached = self.advance(conversation, &calls, &mut outcome);
        if reached.hands_off {
            let message =
                playbook.render_reply(reached, "enter", &conversation.lead, conversation.language);
            self.hand_off_saying(
                conversation,
                HandoffReason::FlowCompleted,
                message,
                now,
                &mut outcome,
            );
            return outcome;
        }

        let reply = if answers.replace {
            self.honest_reply(conversation, reached)
        } else if answers.asked && !turn.reply.contains('?') {
            // An answer to the customer's question goes on with the stage,
            // as a rep would: a model that answers and stops is followed by
            // the stage's next question.
            self.followed_by_next_ask(conversation, reached, turn.reply)
        } else if turn.reply.trim().is_empty() {
            playbook
                .render_reply(
                    reached,
                    "fallback",
                    &conversation.lead,
                    conversation.language,
                )
                .unwrap_or_default()
        } else {
            turn.reply
        };
        // Slots go out as a list with the reply: the ones the brain looked
        // up, or fresh ones when the turn has just reached a stage that
        // books calls.
        let looked_up = calls
            .iter()
            .rev()
            .find(|c| c.name == FIND_SLOTS)
            .and_then(|c| match &c.result {
                Ok(ToolOutcome::SlotsFound(found)) => Some(found.as_slice()),
                _ => None,
            });
        match looked_up {
            Some(found) => self.offer_found(conversation, reached, found, &mut outcome),
            None if reached.id != stage.id => self.offer(conversation, reached, &mut outcome).await,
            None => {}
        }
        if voice > 0 {
            // The brain answered what was written; the voice note next to
            // it was not heard, and the customer should know.
            let ask = self.media_reply(reached, VOICE_NOTE, conversation);
            self.say(conversation, ask, now, &mut outcome);
        }
        self.say(conversation, reply, now, &mut outcome);
        self.send_documents(
            conversation,
            &calls,
            turn.intent.as_deref(),
            now,
            &mut outcome,
        );
        outcome.summary_job = self.summary_job(conversation);
        outcome
    }

    /// The customer's word on getting messages, which no stage, handoff or
    /// brain overrides: an opt-out is confirmed once, then nothing
    /// automated is said until they opt in again, welcomed back with the
    /// stage's next question. Whether the turn ends here.
    fn opted(
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

    /// The conversation's stage; the first for a stage the playbook no
    /// longer has (a turn moves such a conversation there too).
    fn stage_of(&self, conversation: &Conversation) -> &Stage {
        self.playbook
            .stage(&conversation.stage)
            .unwrap_or_else(|| self.playbook.first_stage())
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

    /// Answers a burst of only files and voice notes nobody transcribed:
    /// asks for the voice note in writing, or acknowledges the files and
    /// carries on with the stage's next question.
    fn acknowledge(
        &self,
        conversation: &mut Conversation,
        stage: &Stage,
        voice: bool,
        now: Timestamp,
        outcome: &mut TurnOutcome,
    ) {
        let text = if voice {
            self.media_reply(stage, VOICE_NOTE, conversation)
        } else {
            let (lead, language) = (&conversation.lead, conversation.language);
            let next = stage
                .collects
                .iter()
                .find(|f| !lead.has(**f))
                .and_then(|f| {
                    self.playbook
                        .render_reply(stage, &format!("ask_{f}"), lead, language)
                });
            let received = self.media_reply(stage, MEDIA_RECEIVED, conversation);
            [received]
                .into_iter()
                .chain(next)
                .filter(|part| !part.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        };
        self.say(conversation, text, now, outcome);
    }

    /// The stage's `key` reply ([`VOICE_NOTE`], [`MEDIA_RECEIVED`]), or its
    /// `fallback` in a playbook that has none: both keys are optional, so
    /// playbooks written before them still load.
    fn media_reply(&self, stage: &Stage, key: &str, conversation: &Conversation) -> String {
        let (lead, language) = (&conversation.lead, conversation.language);
        self.playbook
            .render_reply(stage, key, lead, language)
            .or_else(|| {
                self.playbook
                    .render_reply(stage, "fallback", lead, language)
            })
            .unwrap_or_default()
    }

    /// The documents the turn's `send_document` calls picked, each once.
    /// One already sent in this conversation goes again only when the turn
    /// reads as the customer asking for a document: a brain offering it
    /// again on its own is not heard.
    fn send_documents(
        &self,
        conversation: &mut Conversation,
        calls: &[ToolCallRecord],
        intent: Option<&str>,
        now: Timestamp,
        outcome: &mut TurnOutcome,
    ) {
        let asked = intent == Some(ASK_DOCUMENT);
        let picked = calls
            .iter()
            .filter(|c| c.name == SEND_DOCUMENT)
            .filter_map(|c| match &c.result {
                Ok(ToolOutcome::DocumentSent { document, .. }) => Some(document.as_str()),
                _ => None,
            });
        for id in picked {
            let Some(document) = documents::find(&self.playbook.documents, Some(id), None) else {
                continue;
            };
            let this_turn = outcome.documents.iter().any(|d| d.id == document.id);
            let before = conversation.documents_sent.contains(&document.id);
            if this_turn || (before && !asked) {
                continue;
            }
            if !before {
                conversation.documents_sent.push(document.id.clone());
            }
            // The model sees what it sent, as it sees a customer's files.
            let text = format!("[document: {}]", document.title);
            conversation.push(Speaker::Agent, text, now, None);
            outcome.documents.push(document.send(conversation.language));
        }
    }

    /// The slot a reply to the last offer picks (a list row, "the first
    /// one", "Tuesday at 10"), in a stage that books calls; `None` when the
    /// reply picks nothing the playbook's hours allow, for the brain to read.
    fn picked_slot(
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
    async fn book(
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
    async fn offer(
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
    fn offer_found(
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
    fn record_calls(
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
    async fn change_booked_call(
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

    /// Folds a job's messages into the rolling summary.
    pub async fn summarize(&self, job: &SummaryJob) -> Result<Summary, BrainError> {
        let text = self
            .brain
            .summarize(&SummaryRequest {
                playbook: &self.playbook,
                language: job.language,
                lead: &job.lead,
                previous: &job.previous,
                leaving: &job.leaving,
            })
            .await?;
        Ok(Summary {
            text,
            through_seq: job.through_seq(),
        })
    }

    /// One brain call over the agent's prompt, the lead, the summary and
    /// the context window (widened to the whole burst if it is longer).
    async fn decide(
        &self,
        conversation: &Conversation,
        stage: &Stage,
        burst_len: usize,
        today: Date,
        questions: &[Question],
        tools: &ToolBox<'_>,
    ) -> Result<Turn, BrainError> {
        let system_prompt =
            self.playbook
                .render_prompt(stage, &conversation.lead, conversation.language);
        let history = &conversation.history;
        let recent = &history[history.len().saturating_sub(WINDOW.max(burst_len))..];
        let deferred = conversation.deferred();
        let ctx = TurnContext {
            playbook: &self.playbook,
            stage,
            language: conversation.language,
            lead: &conversation.lead,
            summary: &conversation.summary.text,
            recent,
            burst_len,
            system_prompt: &system_prompt,
            today,
            deferred: &deferred,
            questions,
        };
        self.brain.decide(&ctx, tools).await
    }

    /// Whether the turn answered the burst's questions from the knowledge
    /// folder, recorded per question: answered from the passages the brain
    /// names, left for the team, or replaced because the reply states a
    /// number, a day or a yes/no that neither those passages, the
    /// playbook's business facts and replies, nor the customer's own words
    /// support.
    fn judge_answers(
        &self,
        conversation: &Conversation,
        questions: &[Question],
        turn: &Turn,
        words: &str,
        outcome: &mut TurnOutcome,
    ) -> Answers {
        if questions.is_empty() {
            return Answers::default();
        }
        let found = |id: &String| {
            questions
                .iter()
                .flat_map(|q| &q.passages)
                .find(|f| &f.id == id)
        };
        let cited: Vec<&answers::Found> = turn.sources.iter().filter_map(found).collect();
        let language = conversation.language;
        let lead =
            serde_json::to_string(&LeadView::new(&conversation.lead, language)).unwrap_or_default();
        let mut support = self.playbook.own_words(Some(language));
        support.extend([words, lead.as_str()]);
        support.extend(cited.iter().map(|f| f.body.as_str()));
        let claims = answers::unsupported(&turn.reply, &support.join("\n"), !cited.is_empty());
        let replace = !claims.is_empty();
        let mut unanswered = false;
        for question in questions {
            let passages: Vec<String> = cited
                .iter()
                .filter(|f| question.passages.iter().any(|p| p.id == f.id))
                .map(|f| f.id.clone())
                .collect();
            let grounded = if replace {
                Grounded::Replaced
            } else if passages.is_empty() {
                Grounded::No
            } else {
                Grounded::Yes
            };
            unanswered |= grounded != Grounded::Yes;
            outcome.events.push(Event::QuestionAsked {
                question: question.text.clone(),
                grounded,
                passages,
            });
        }
        Answers {
            asked: true,
            replace,
            unanswered,
        }
    }

    /// What replaces a reply that stated what nothing supports: the honest
    /// answer, then the stage's next question.
    fn honest_reply(&self, conversation: &Conversation, stage: &Stage) -> String {
        let honest = self
            .playbook
            .no_answer(stage, &conversation.lead, conversation.language);
        self.followed_by_next_ask(conversation, stage, honest)
    }

    /// `reply`, then the stage's question for the first field it still
    /// needs (none when it has them all).
    fn followed_by_next_ask(
        &self,
        conversation: &Conversation,
        stage: &Stage,
        reply: String,
    ) -> String {
        let (lead, language) = (&conversation.lead, conversation.language);
        let next = next_field(conversation, stage).and_then(|f| {
            self.playbook
                .render_reply(stage, &format!("ask_{f}"), lead, language)
        });
        std::iter::once(reply)
            .chain(next)
            .filter(|part| !part.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A brain that read a request for a document but sent none (a small
    /// model says "I'll send it now" and asks for no tool): the server
    /// sends the one the customer's words name, through the stage's tool.
    async fn send_asked_document(&self, turn: &Turn, tools: &ToolBox<'_>, words: &str) {
        let offered = tools.tools().any(|t| t.name() == SEND_DOCUMENT);
        // Read from the customer's words too: a model that says "here is
        // our brochure" without asking for the tool must not leave the
        // customer without it.
        let asked = turn.intent.as_deref() == Some(ASK_DOCUMENT)
            || (reading::asks_to_be_sent(words)
                && documents::find(&self.playbook.documents, None, Some(words)).is_some());
        if !asked || !offered || tools.calls().iter().any(|c| c.name == SEND_DOCUMENT) {
            return;
        }
        // The toolbox records the call; an unknown document is its error.
        let _ = tools
            .call(SEND_DOCUMENT, &serde_json::json!({ "query": words }))
            .await;
    }

    /// The brain's reading of the turn and what it cost, for the event log.
    fn record_decision(&self, turn: &Turn, outcome: &mut TurnOutcome) {
        outcome.prompt_tokens = turn.prompt_tokens;
        outcome.events.push(Event::TurnDecided {
            brain: self.brain.name().to_owned(),
            intent: turn.intent.clone(),
            confidence: turn.confidence,
            resolved: turn.resolved,
            prompt_tokens: turn.prompt_tokens,
            usage: turn.usage,
        });
    }

    /// Validates every proposed value; a value that does not parse never
    /// reaches the lead.
    fn apply_fields(
        &self,
        conversation: &mut Conversation,
        proposed: &[(FieldName, String)],
        today: Date,
        outcome: &mut TurnOutcome,
    ) {
        for (field, raw) in proposed {
            let before = conversation.lead.clone();
            match fields::apply(&mut conversation.lead, *field, raw, today) {
                Ok(()) if conversation.lead != before => {
                    self.assume_currency(&mut conversation.lead);
                    if *field == FieldName::Name {
                        conversation.name_from_profile = false;
                    }
                    outcome.events.push(Event::FieldSet { field: *field })
                }
                Ok(()) => {}
                Err(e) => outcome.events.push(Event::FieldRejected {
                    field: *field,
                    reason: e.to_string(),
                }),
            }
        }
    }

    /// The deterministic extractors, run beside any brain on every turn:
    /// they fill what the brain did not propose, and a name the customer
    /// states replaces the one taken from their WhatsApp profile. Cue
    /// phrases count here ("I'm Ana", "our budget is 5k"), never a
    /// question's words, and a bare answer for the field the stage wants
    /// next, which its agent asks for ("Mike" after "how can I help?", "5k"
    /// or "asap" while qualifying), when that field's parser is strict
    /// enough that nothing else passes for it: not a need or a company,
    /// which a bare sentence would fill with whatever it says.
    fn read_beside(
        &self,
        conversation: &mut Conversation,
        stage: &Stage,
        said: &str,
        today: Date,
        outcome: &mut TurnOutcome,
    ) {
        let wanted = next_field(conversation, stage)
            .filter(|f| !matches!(f, FieldName::Need | FieldName::Company));
        let statements = reading::statements(said);
        let stated = fields::states_need(&statements);
        let topics = &self.playbook.need_topics;
        let mut missed: Vec<(FieldName, String)> =
            fields::find_about(&statements, wanted, today, topics)
                .into_iter()
                .filter(|(field, value)| {
                    conversation.lead.open(*field)
                        || (*field == FieldName::Name && conversation.name_from_profile)
                        || (*field == FieldName::Need && conversation.need_inferred && stated)
                        || (*field == FieldName::Need
                            && self.names_a_better_need(conversation, value))
                })
                .collect();
        // What the questions still tell, for fields nothing else filled.
        for question in reading::asked(said) {
            for (field, value) in fields::find_in_question(question, today, topics) {
                let told = field != FieldName::Need || self.playbook.needs_named;
                if told && conversation.lead.open(field) && !missed.iter().any(|(f, _)| *f == field)
                {
                    missed.push((field, value));
                }
            }
        }
        self.apply_fields(conversation, &missed, today, outcome);
        // Whatever set the need this turn (the brain or the extractors),
        // it was stated in so many words or only inferred.
        let need_set = outcome.events.iter().any(|e| {
            matches!(e, Event::FieldSet { field } | Event::FieldCorrected { field, .. } if *field == FieldName::Need)
        });
        if need_set {
            conversation.need_inferred = !stated;
        }
    }

    /// Whether `need` names something the playbook's business sells where
    /// the known need names nothing it sells ("I want to stay longer than
    /// 90 days", then "I'd be doing the intensive spanish course"): the
    /// later one says what the customer came for.
    fn names_a_better_need(&self, conversation: &Conversation, need: &str) -> bool {
        let topics = &self.playbook.need_topics;
        self.playbook.needs_named
            && topics.names(need)
            && conversation
                .lead
                .need
                .as_deref()
                .is_some_and(|known| !topics.names(known))
    }

    /// A correction ("perdón, son 5 mil, no 3 mil", "sorry, I'm Marta, not
    /// Marga") replaces the known value it is about, and the event keeps
    /// the value replaced. The field is the one whose value it takes
    /// back, else the known field it states a new value for.
    fn apply_correction(
        &self,
        conversation: &mut Conversation,
        said: &str,
        today: Date,
        outcome: &mut TurnOutcome,
    ) {
        let Some(correction) = reading::correction(said) else {
            return;
        };
        let lead = &conversation.lead;
        let about = correction
            .taken_back
            .as_deref()
            .and_then(|old| holding(lead, old, today));
        let mut proposed: Vec<(FieldName, String)> = fields::find(&correction.says, None, today)
            .into_iter()
            .filter(|(field, _)| lead.has(*field) && about.is_none_or(|a| a == *field))
            .collect();
        if proposed.is_empty() {
            // Without the old value to go by, only an amount or a date is
            // taken as a bare correction: "sorry, 250" is a budget, but
            // "ay perdón, mejor en español" names no company.
            let candidates = match about {
                Some(field) => vec![field],
                None => CORRECTABLE.into_iter().filter(|f| lead.has(*f)).collect(),
            };
            proposed.extend(candidates.into_iter().find_map(|field| {
                fields::find(&correction.value, Some(field), today)
                    .into_iter()
                    .find(|(found, _)| *found == field)
            }));
        }
        for (field, raw) in proposed {
            let mut corrected = conversation.lead.clone();
            if fields::apply(&mut corrected, field, &raw, today).is_err()
                || corrected == conversation.lead
            {
                continue;
            }
            let replaced = field_value(&conversation.lead, field);
            self.assume_currency(&mut corrected);
            conversation.lead = corrected;
            if field == FieldName::Name {
                conversation.name_from_profile = false;
            }
            outcome
                .events
                .push(Event::FieldCorrected { field, replaced });
        }
    }

    /// A budget that names no currency is in the business's, marked as
    /// assumed so the team knows to confirm it.
    fn assume_currency(&self, lead: &mut Lead) {
        if let Some(budget) = &mut lead.budget
            && budget.currency_assumed
            && budget.currency.is_none()
        {
            budget.currency.clone_from(&self.playbook.business.currency);
        }
    }

    /// The handoff policy, in the order it is applied: the customer's
    /// request (the brain's reading, or the request in so many words, which
    /// a small model may answer with "let's talk to someone" and no
    /// handoff), then too many unresolved messages, then low confidence.
    fn handoff_reason(
        &self,
        conversation: &Conversation,
        stage: &Stage,
        turn: &Turn,
        words: &str,
        learned: bool,
    ) -> Option<HandoffReason> {
        let policy = &self.playbook.handoff;
        let asked = turn
            .intent
            .as_deref()
            .and_then(|id| self.playbook.intent(id))
            .is_some_and(|i| i.hands_off)
            || reading::asks_for_person(words);
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

    /// Whether `stage` is `milestone` or later in the flow.
    fn reached(&self, stage: &str, milestone: &str) -> bool {
        let position = |id: &str| self.playbook.stages.iter().position(|s| s.id == id);
        matches!((position(stage), position(milestone)), (Some(s), Some(m)) if s >= m)
    }

    /// Moves the stage along the playbook's transitions, one stage at a
    /// time, as far as the lead's fields and the turn's tool outcomes allow.
    fn advance<'p>(
        &'p self,
        conversation: &mut Conversation,
        calls: &[ToolCallRecord],
        outcome: &mut TurnOutcome,
    ) -> &'p Stage {
        let playbook = &*self.playbook;
        let mut stage = playbook
            .stage(&conversation.stage)
            .unwrap_or_else(|| playbook.first_stage());
        let deferred = conversation.deferred();
        while !stage.hands_off {
            let done = match &stage.success {
                Success::Fields(fields) => fields
                    .iter()
                    .all(|f| conversation.lead.has(*f) || deferred.contains(f)),
                Success::Outcome(wanted) => reported(calls, wanted),
                Success::Never => false,
            };
            let Some(next) = stage
                .next
                .as_deref()
                .and_then(|id| playbook.stage(id))
                .filter(|_| done)
            else {
                break;
            };
            outcome.events.push(Event::StageChanged {
                from: stage.id.clone(),
                to: next.id.clone(),
            });
            stage = next;
        }
        conversation.stage = stage.id.clone();
        stage
    }

    fn hand_off(
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
    fn hand_off_saying(
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

    fn say(
        &self,
        conversation: &mut Conversation,
        text: String,
        now: Timestamp,
        outcome: &mut TurnOutcome,
    ) {
        if text.trim().is_empty() {
            return;
        }
        conversation.push(Speaker::Agent, text.clone(), now, None);
        outcome.replies.push(text);
    }

    /// A summary update once [`WINDOW`] more messages have left the window
    /// since the last request; it covers every message outside the window
    /// the stored summary does not, so a failed update is caught up by the
    /// next one.
    fn summary_job(&self, conversation: &mut Conversation) -> Option<SummaryJob> {
        let history = &conversation.history;
        let outside = &history[..history.len().saturating_sub(WINDOW)];
        let leaving: Vec<Message> = outside
            .iter()
            .filter(|m| m.seq > conversation.summary.through_seq)
            .cloned()
            .collect();
        let fresh = leaving
            .iter()
            .filter(|m| m.seq > conversation.summary_requested_through)
            .count();
        if fresh < WINDOW {
            return None;
        }
        let job = SummaryJob {
            customer: conversation.customer.clone(),
            language: conversation.language,
            lead: conversation.lead.clone(),
            previous: conversation.summary.text.clone(),
            leaving,
        };
        conversation.summary_requested_through = job.through_seq();
        Some(job)
    }
}

/// The first field `stage` still needs and may still ask for: what its
/// agent asks next.
fn next_field(conversation: &Conversation, stage: &Stage) -> Option<FieldName> {
    stage
        .missing(&conversation.lead, &conversation.deferred())
        .next()
}

/// How a turn's answers to the customer's questions came out.
#[derive(Debug, Default)]
struct Answers {
    /// The customer asked something the knowledge folder may answer.
    asked: bool,
    /// The reply states what nothing supports: the honest answer goes
    /// instead.
    replace: bool,
    /// A question was left for the team.
    unanswered: bool,
}

/// Whether a tool called during the turn reported `wanted` as its outcome
/// (`call_booked`: see [`ToolOutcome::name`]).
fn reported(calls: &[ToolCallRecord], wanted: &str) -> bool {
    calls
        .iter()
        .any(|call| call.result.as_ref().is_ok_and(|r| r.name() == wanted))
}

/// The language the burst's words are in, when they say: the newest
/// message that tells wins, as a customer who switches means it.
fn said_language(burst: &[InboundMessage]) -> Option<Language> {
    burst
        .iter()
        .rev()
        .filter_map(|m| m.content.text())
        .find_map(crate::language::detect)
}

/// What the brain cannot read in a message, for a message that has no
/// words of its own.
enum Unread {
    /// A voice note (or audio file) nobody transcribed.
    Voice,
    /// An image, document, video or sticker without a caption.
    File,
}

fn unread(content: &Content) -> Option<Unread> {
    let Content::Media { kind, .. } = content else {
        return None;
    };
    if content.text().is_some_and(|t| !t.trim().is_empty()) {
        return None;
    }
    Some(if kind == "audio" {
        Unread::Voice
    } else {
        Unread::File
    })
}

/// What an agent reads for a message: its text, or a description of what
/// was sent. `None` for what calls for no turn (reactions, unknown types).
fn readable(content: &Content) -> Option<String> {
    if !content.wants_reply() {
        return None;
    }
    if let Some(text) = content.text().map(str::trim).filter(|t| !t.is_empty()) {
        return Some(text.to_owned());
    }
    Some(match content {
        Content::Media { kind, filename, .. } => match filename {
            Some(name) => format!("[{kind}: {name}]"),
            None => format!("[{kind}]"),
        },
        Content::Location { name, address, .. } => {
            let place: Vec<&str> = [name, address]
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect();
            format!("[location: {}]", place.join(", "))
        }
        Content::Contacts { names } => format!("[contact card: {}]", names.join(", ")),
        _ => "[empty message]".to_owned(),
    })
}
