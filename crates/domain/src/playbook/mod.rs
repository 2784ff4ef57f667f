//! The playbook: stages, their agents (prompt, tools, fields, success
//! criteria, next stage), the handoff policy, business facts, and the local
//! brain's example phrases and reply templates. A TOML file, so a business
//! changes its flow without a rebuild.
//!
//! Reply template keys, per stage and language (minijinja templates over
//! `lead`, `business` and `language`):
//! - `ask_<field>`: asks for a field the stage collects (`ask_budget`).
//! - `enter`: said when a turn moves the conversation into the stage.
//! - `intent_<intent id>`: answers an intent (`intent_ask_price`).
//! - `fallback`: the customer was not understood.
//! - `no_document`: the customer asked for a document the playbook does
//!   not have (said by the local brain when `send_document` finds none).
//! - `voice_note`: asks for a voice note nobody could transcribe in
//!   writing; `media_received`: acknowledges an image, document, video or
//!   sticker sent without a caption (the stage's next question follows).
//!   Both optional: a stage without them says its `fallback`.
//! - `list_button`, `booked`, `slot_taken`, `booking_failed`: required in a
//!   stage with the `book_call` tool (see the router's booking turn).
//!
//! Templates see `lead` (a [`LeadView`]: every known field as text),
//! `business`, `language` (`"es"`/`"en"`), `missing` (the stage's fields
//! not yet known, in its `collects` order) and `stage` (`id`, `agent`).

mod parse;
mod view;

pub use view::LeadView;

use crate::documents::Document;
use crate::fields::Topics;
use crate::follow_through::{FollowUpPolicy, OPT_IN_INTENT, OPT_OUT_INTENT, Phrases};
use crate::language::Language;
use crate::lead::{Currency, FieldName, Lead};
use crate::schedule::SlotRules;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// The reply template said when the knowledge folder does not answer a
/// customer's question (optional: [`Playbook::no_answer`]).
pub const NO_ANSWER: &str = "no_answer";
/// The reply template that asks for a voice note in writing: nobody could
/// transcribe it.
pub const VOICE_NOTE: &str = "voice_note";
/// The reply template that acknowledges a file (image, document, video,
/// sticker) sent without a word.
pub const MEDIA_RECEIVED: &str = "media_received";

/// The built-in sales playbook (TuVendedor24's flow, see DESIGN.md).
pub const BUILTIN: &str = include_str!("../../playbooks/sales.toml");

/// A validated playbook. Only built by [`Playbook::parse`], so every stage,
/// transition and template in it has been checked.
#[derive(Debug, Clone)]
pub struct Playbook {
    pub business: Business,
    /// When calls can be booked (`[scheduling]`), in the business's zone.
    pub scheduling: SlotRules,
    pub handoff: HandoffPolicy,
    /// In flow order; the first is where new conversations start.
    pub stages: Vec<Stage>,
    pub intents: Vec<Intent>,
    /// What the `send_document` tool can send (`[[documents]]`).
    pub documents: Vec<Document>,
    /// The business's knowledge folder (`knowledge`): as written, until
    /// [`check_file`] makes it relative to the playbook's own folder.
    pub knowledge: Option<PathBuf>,
    /// What customers come for (`[business] needs`), else what the
    /// built-in playbook's business sells: a sentence naming one states a
    /// need.
    pub need_topics: Topics,
    /// Whether the playbook names what customers come for (`[business]
    /// needs`, a catalogue: treatments, courses): then a question about one
    /// ("¿cuánto cuestan las carillas?") tells what the customer wants.
    /// The built-in topics name the product itself, which any question
    /// about it mentions ("does it work with my WhatsApp?").
    pub needs_named: bool,
    /// How long before a booked call each reminder goes (`[scheduling]
    /// reminders`), longest first.
    pub reminders: Vec<std::time::Duration>,
    /// Nudging leads who went quiet (`[follow_up]`).
    pub follow_up: FollowUpPolicy,
    /// What asks for no more messages: the built-in phrases and the
    /// `opt_out` intent's examples.
    pub opt_out: Phrases,
    /// What asks for messages again: the built-in phrases and the `opt_in`
    /// intent's examples.
    pub opt_in: Phrases,
    /// Every prompt and reply template, compiled once at parse time:
    /// rendering happens on every turn.
    templates: Arc<minijinja::Environment<'static>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Business {
    pub name: String,
    pub offer: String,
    pub hours: String,
    /// IANA time zone name ("America/Mexico_City").
    pub time_zone: String,
    /// ISO 4217 code assumed when a customer names no currency.
    pub currency: Option<Currency>,
    pub default_language: Language,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HandoffPolicy {
    /// Below this confidence, from `confidence_from_stage` on, hand off.
    pub confidence_threshold: f32,
    pub confidence_from_stage: String,
    /// Consecutive customer turns left unresolved before handing off (a
    /// burst of messages answered once is one).
    pub unresolved_limit: u32,
    /// What the customer is told, per language.
    pub message: BTreeMap<Language, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    pub id: String,
    /// The agent's name, for people ("QualificationAgent").
    pub agent: String,
    /// The system prompt, a minijinja template.
    pub prompt: String,
    pub collects: Vec<FieldName>,
    pub tools: Vec<String>,
    pub success: Success,
    /// The stage the success criteria lead to; `None` for the last one.
    pub next: Option<String>,
    /// Entering this stage hands the conversation to a person.
    pub hands_off: bool,
    pub templates: BTreeMap<Language, BTreeMap<String, String>>,
}

impl Stage {
    /// The fields the stage still needs and may still ask for, in the
    /// order it asks: unknown to `lead` and not left for later.
    pub fn missing<'a>(
        &'a self,
        lead: &'a Lead,
        deferred: &'a [FieldName],
    ) -> impl Iterator<Item = FieldName> + 'a {
        self.collects
            .iter()
            .copied()
            .filter(|f| !lead.has(*f) && !deferred.contains(f))
    }
}

/// When a stage is done.
#[derive(Debug, Clone, PartialEq)]
pub enum Success {
    /// Every one of these fields is known.
    Fields(Vec<FieldName>),
    /// A tool reported this outcome (e.g. `call_booked`).
    Outcome(String),
    /// Never: the stage is the end of the flow.
    Never,
}

/// An intent the local brain recognises, trained from example phrases.
#[derive(Debug, Clone, PartialEq)]
pub struct Intent {
    pub id: String,
    pub examples: BTreeMap<Language, Vec<String>>,
    /// Recognising it hands the conversation to a person at once.
    pub hands_off: bool,
}

/// Why a playbook was refused; names the line and the field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}: {field}: {problem}")]
pub struct PlaybookError {
    pub line: usize,
    pub field: String,
    pub problem: String,
}

/// Reads and validates a playbook file.
pub fn check_file(path: &std::path::Path) -> Result<Playbook, PlaybookError> {
    let text = std::fs::read_to_string(path).map_err(|e| PlaybookError {
        line: 0,
        field: path.display().to_string(),
        problem: format!("cannot read the file: {e}"),
    })?;
    let mut playbook = Playbook::parse(&text)?;
    if let (Some(folder), Some(dir)) = (&mut playbook.knowledge, path.parent()) {
        *folder = dir.join(&*folder);
    }
    Ok(playbook)
}

/// What every template renders over.
#[derive(Serialize)]
struct TemplateContext<'a> {
    lead: LeadView,
    business: &'a Business,
    language: &'static str,
    missing: Vec<&'static str>,
    stage: StageView<'a>,
}

#[derive(Serialize)]
struct StageView<'a> {
    id: &'a str,
    agent: &'a str,
}

impl<'a> TemplateContext<'a> {
    fn new(business: &'a Business, stage: &'a Stage, lead: &Lead, language: Language) -> Self {
        TemplateContext {
            lead: LeadView::new(lead, language),
            business,
            language: language.code(),
            missing: stage
                .collects
                .iter()
                .filter(|f| !lead.has(**f))
                .map(|f| f.as_str())
                .collect(),
            stage: StageView {
                id: &stage.id,
                agent: &stage.agent,
            },
        }
    }
}

/// The names templates are compiled under.
fn prompt_template(stage: &str) -> String {
    format!("{stage}/prompt")
}

fn reply_template(stage: &str, language: Language, key: &str) -> String {
    format!("{stage}/{}/{key}", language.code())
}

impl Playbook {
    /// The built-in sales playbook.
    pub fn builtin() -> Playbook {
        Playbook::parse(BUILTIN).expect("the built-in playbook is compiled in and tested valid")
    }

    /// Parses and validates playbook TOML.
    pub fn parse(text: &str) -> Result<Playbook, PlaybookError> {
        parse::parse(text)
    }

    /// The stage with this id.
    pub fn stage(&self, id: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.id == id)
    }

    /// Where new conversations start.
    pub fn first_stage(&self) -> &Stage {
        // Validation refuses a playbook without stages.
        &self.stages[0]
    }

    /// The stage a lead reaches from `from` by following field-based
    /// success criteria (greeting -> qualification -> scheduling when the
    /// fields are known); stops at a stage whose criteria are not met by
    /// fields alone. Unknown `from` gives the first stage.
    pub fn stage_after(&self, from: &str, lead: &Lead) -> &Stage {
        self.stage_reached(from, |field| lead.has(field))
    }

    /// [`Playbook::stage_after`] with `settled` saying which fields count
    /// as done: known, or left for later after being asked too often.
    pub fn stage_reached(&self, from: &str, settled: impl Fn(FieldName) -> bool) -> &Stage {
        let mut current = self.stage(from).unwrap_or_else(|| self.first_stage());
        // Validation guarantees transitions have no cycle; the bound keeps
        // this loop finite even for a hand-edited `stages` vector.
        for _ in 0..self.stages.len() {
            if current.hands_off {
                break;
            }
            let Success::Fields(fields) = &current.success else {
                break;
            };
            if !fields.iter().all(|f| settled(*f)) {
                break;
            }
            match current.next.as_deref().and_then(|n| self.stage(n)) {
                Some(next) => current = next,
                None => break,
            }
        }
        current
    }

    /// Renders a stage's system prompt over the lead and the business.
    /// Templates are test-rendered at parse time; should one still fail,
    /// the prompt's source is returned rather than no prompt at all.
    pub fn render_prompt(&self, stage: &Stage, lead: &Lead, language: Language) -> String {
        let context = TemplateContext::new(&self.business, stage, lead, language);
        self.templates
            .get_template(&prompt_template(&stage.id))
            .and_then(|t| t.render(&context))
            .map(|s| s.trim().to_owned())
            .unwrap_or_else(|_| stage.prompt.clone())
    }

    /// Renders a stage's reply template `key` in `language` (falling back
    /// to the business's default language), if the stage has one. A
    /// template that fails to render counts as absent.
    pub fn render_reply(
        &self,
        stage: &Stage,
        key: &str,
        lead: &Lead,
        language: Language,
    ) -> Option<String> {
        let language = [language, self.business.default_language]
            .into_iter()
            .find(|l| stage.templates.get(l).is_some_and(|t| t.contains_key(key)))?;
        let context = TemplateContext::new(&self.business, stage, lead, language);
        let text = self
            .templates
            .get_template(&reply_template(&stage.id, language, key))
            .and_then(|t| t.render(&context))
            .ok()?;
        let text = text.trim();
        (!text.is_empty()).then(|| text.to_owned())
    }

    /// A follow-through reply (`crate::follow_through`'s keys): the
    /// stage's own, else that of the first stage with one, so a business
    /// writes it once.
    pub fn render_anywhere(
        &self,
        stage: &Stage,
        key: &str,
        lead: &Lead,
        language: Language,
    ) -> Option<String> {
        self.render_reply(stage, key, lead, language).or_else(|| {
            self.stages
                .iter()
                .find_map(|s| self.render_reply(s, key, lead, language))
        })
    }

    /// What the business says of itself in the playbook: its name, offer
    /// and hours, and the stages' reply templates (in `language`, or in
    /// every language). A reply may state what these state.
    pub fn own_words(&self, language: Option<Language>) -> Vec<&str> {
        let business = &self.business;
        let mut words = vec![
            business.name.as_str(),
            business.offer.as_str(),
            business.hours.as_str(),
        ];
        for stage in &self.stages {
            for (written, templates) in &stage.templates {
                if language.is_none_or(|l| l == *written) {
                    words.extend(templates.values().map(String::as_str));
                }
            }
        }
        words
    }

    /// The honest answer to a question the knowledge folder does not
    /// answer: the stage's `no_answer` template, else the built-in words.
    pub fn no_answer(&self, stage: &Stage, lead: &Lead, language: Language) -> String {
        self.render_reply(stage, NO_ANSWER, lead, language)
            .unwrap_or_else(|| {
                match language {
                    Language::Es => "Buena pregunta: lo consulto con el equipo y te confirmo.",
                    Language::En => {
                        "Good question: let me check that with the team and get back to you."
                    }
                }
                .to_owned()
            })
    }

    /// What the customer is told on handoff, in `language` (else in the
    /// business's default language, which validation requires).
    pub fn handoff_message(&self, language: Language) -> &str {
        self.handoff
            .message
            .get(&language)
            .or_else(|| self.handoff.message.get(&self.business.default_language))
            .map_or("", String::as_str)
    }

    /// The intents a brain reads: all but opting out and in, which the
    /// server reads itself from their phrases before any brain is asked.
    pub fn brain_intents(&self) -> impl Iterator<Item = &Intent> {
        self.intents
            .iter()
            .filter(|i| ![OPT_OUT_INTENT, OPT_IN_INTENT].contains(&i.id.as_str()))
    }

    /// The intent with this id.
    pub fn intent(&self, id: &str) -> Option<&Intent> {
        self.intents.iter().find(|i| i.id == id)
    }

    /// The languages the playbook speaks: its default and every language
    /// it has reply templates in.
    pub fn languages(&self) -> Vec<Language> {
        Language::ALL
            .into_iter()
            .filter(|l| {
                *l == self.business.default_language
                    || self.stages.iter().any(|s| s.templates.contains_key(l))
            })
            .collect()
    }

    /// The index of a stage in flow order.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.id == id)
    }
}

#[cfg(test)]
mod tests;
