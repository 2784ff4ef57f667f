//! The agent router: runs one turn of a conversation through the agent of
//! its stage and applies the server's rules (field validation, stage
//! machine, handoff policy).
//!
//! A brain only proposes: field values, an intent, a confidence, tool
//! calls. Here every value is parsed before it reaches the lead, the stage
//! moves only along the playbook's transitions, and the handoff policy has
//! the last word on what the customer is told.
//!
//! This module holds the turn itself ([`Agent::run_turn`]) and what it
//! hands back; each of its steps lives in a submodule named for its job.

use crate::answers;
use crate::brain::Brain;
use crate::conversation::{Conversation, HandoffReason, Speaker};
use crate::customer::CustomerId;
use crate::documents::{DocumentSend, SEND_DOCUMENT};
use crate::events::Event;
use crate::fields;
use crate::inbound::InboundMessage;
use crate::language::Language;
use crate::lead::{FieldName, Lead};
use crate::playbook::{Playbook, Stage, VOICE_NOTE};
use crate::reading;
use crate::tools::{FIND_SLOTS, ToolOutcome, ToolRegistry};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use lead_values::next_field;
use leadline_knowledge::Shared;
use media::{Unread, readable, unread};
use std::sync::Arc;
use understanding::{burst_text, grounded_proposals};

pub use summary::SummaryJob;

mod booking;
mod brain_call;
mod follow_ups;
mod handoff;
mod knowledge_answers;
mod lead_values;
mod media;
mod sent_documents;
mod stages;
mod summary;
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
        // Once the conversation has a language, a word or two ("asap",
        // "ok", "yes") does not switch it: a customer who switches writes
        // a sentence.
        let settled = conversation.last_seq > burst.len() as u64;
        if let Some(language) = said_language(burst, settled) {
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
        // The field the last reply asked for and this message did not
        // give counts as unanswered once; a customer who asked something
        // instead (a question, a document, a call) or said goodbye for now
        // did not leave it unanswered.
        if let Some(field) = conversation.last_asked.take().filter(|f| {
            !conversation.lead.has(*f)
                && reading::asked(&words).is_empty()
                && !fields::is_goodbye(&words)
        }) {
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

        let next_ask = next_field(conversation, reached);
        // A question for a field left for later this turn, or that the
        // stage just reached does not need, is stale: the stage's next
        // question, or the new stage's opening, goes instead.
        let stale_ask = turn
            .asks
            .is_some_and(|f| next_ask != Some(f) && !conversation.lead.has(f));
        let (lead, language) = (&conversation.lead, conversation.language);
        let (reply, asks) = if answers.replace {
            (self.honest_reply(conversation, reached), next_ask)
        } else if answers.asked && !turn.reply.contains('?') {
            // An answer to the customer's question goes on with the stage,
            // as a rep would: a model that answers and stops is followed by
            // the stage's next question.
            (
                self.followed_by_next_ask(conversation, reached, turn.reply),
                next_ask,
            )
        } else if stale_ask && reached.id == stage.id && next_ask.is_some() {
            (
                self.followed_by_next_ask(conversation, reached, String::new()),
                next_ask,
            )
        } else if let Some(enter) = stale_ask
            .then(|| playbook.render_reply(reached, "enter", lead, language))
            .flatten()
        {
            (enter, next_ask)
        } else if turn.reply.trim().is_empty() {
            let fallback = playbook.render_reply(reached, "fallback", lead, language);
            (fallback.unwrap_or_default(), None)
        } else {
            (turn.reply, turn.asks)
        };
        conversation.last_asked = asks.filter(|f| !conversation.lead.has(*f));
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
}

/// The language the burst's words are in, when they say: the newest
/// message that tells wins, as a customer who switches means it; once the
/// conversation is `settled` in one, only a message of three words or more.
fn said_language(burst: &[InboundMessage], settled: bool) -> Option<Language> {
    burst
        .iter()
        .rev()
        .filter_map(|m| m.content.text())
        .filter(|text| !settled || text.split_whitespace().count() >= 3)
        .find_map(crate::language::detect)
}
