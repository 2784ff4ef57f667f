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
mod tests {
    use super::*;
    use crate::lead::Budget;

    /// A small valid playbook the failing cases below break one rule at a time.
    const MINIMAL: &str = r#"
[business]
name = "Acme"
offer = "anvils"
hours = "9-5"
time_zone = "Europe/Madrid"
currency = "EUR"
default_language = "es"

[handoff]
unresolved_limit = 2
confidence_from_stage = "start"
message.es = "Te paso con una persona."
message.en = "A person will take over."

[[stages]]
id = "start"
agent = "StartAgent"
prompt = "Ask for {{ missing | join(', ') }}. Known: {{ lead.name }}."
collects = ["name", "budget"]
success = { fields = ["name", "budget"] }
next = "done"

[stages.templates.es]
ask_name = "¿Cómo te llamas?"
ask_budget = "¿Cuánto quieres invertir{% if lead.name %}, {{ lead.name }}{% endif %}?"
intent_hello = "¡Hola!"
fallback = "¿Perdón?"

[stages.templates.en]
ask_name = "What's your name?"
ask_budget = "What's your budget?"
fallback = "Sorry?"

[[stages]]
id = "done"
agent = "DoneAgent"
prompt = "Hand over."
success = "never"
hands_off = true

[stages.templates.es]
enter = "¡Gracias, {{ lead.name }}! Tu presupuesto: {{ lead.budget }}."

[[intents]]
id = "hello"
examples.es = ["hola", "buenas", "qué tal", "buen día", "saludos"]
examples.en = ["hi", "hello", "hey", "good morning", "greetings"]
"#;

    fn refused(text: &str) -> PlaybookError {
        match Playbook::parse(text) {
            Ok(_) => panic!("the playbook should have been refused"),
            Err(e) => e,
        }
    }

    /// The 1-based line of the first line containing `marker`.
    fn line_of(text: &str, marker: &str) -> usize {
        1 + text
            .lines()
            .position(|l| l.contains(marker))
            .expect("marker is in the text")
    }

    /// Replaces `from` (which must occur) and checks the refusal names the
    /// line holding `marker` and the expected field.
    fn assert_refused(from: &str, to: &str, marker: &str, field: &str, problem: &str) {
        assert!(
            MINIMAL.contains(from),
            "{from:?} is not in the minimal playbook"
        );
        let text = MINIMAL.replacen(from, to, 1);
        let e = refused(&text);
        assert_eq!(
            (e.line, e.field.as_str()),
            (line_of(&text, marker), field),
            "{e}"
        );
        assert!(e.problem.contains(problem), "{e}");
    }

    fn ana(budget: bool) -> Lead {
        Lead {
            name: Some("Ana".parse().unwrap()),
            budget: budget.then(|| Budget {
                min: Some(5000),
                max: Some(5000),
                currency: "EUR".parse().ok(),
                approximate: false,
                period: None,
                currency_assumed: false,
            }),
            ..Lead::default()
        }
    }

    #[test]
    fn the_builtin_playbook_is_valid() {
        let p = Playbook::builtin();
        let ids: Vec<&str> = p.stages.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["greeting", "qualification", "scheduling", "handoff"]);
        assert_eq!(p.business.time_zone, "America/Mexico_City");
        assert_eq!(p.handoff.confidence_threshold, 0.7);
        assert_eq!(p.handoff.unresolved_limit, 3);
        assert_eq!(
            p.handoff_message(Language::Es),
            "Te comunico ahora mismo con una persona de nuestro equipo."
        );
        assert_eq!(
            p.handoff_message(Language::En),
            "Let me connect you with one of our team members right now."
        );
        assert!(p.intent("ask_human").is_some_and(|i| i.hands_off));
        // What the classifier learns from; opting out and in are read from
        // phrases, built in and the playbook's.
        for intent in p.brain_intents() {
            for lang in Language::ALL {
                assert!(intent.examples[&lang].len() >= 8, "{} {lang:?}", intent.id);
            }
        }
        assert!(p.opt_out.said_in("ya no me manden mensajes").is_some());
        assert_eq!(
            p.reminders,
            [
                std::time::Duration::from_secs(86_400),
                std::time::Duration::from_secs(3_600)
            ]
        );
        assert_eq!(
            p.follow_up,
            FollowUpPolicy {
                after: std::time::Duration::from_secs(4 * 3_600),
                max: 1
            }
        );
        assert_eq!(
            p.stage("scheduling").map(|s| &s.success),
            Some(&Success::Outcome("call_booked".into()))
        );
    }

    #[test]
    fn the_builtin_playbook_answers_voice_notes_and_files_in_every_stage_and_language() {
        let p = Playbook::builtin();
        for stage in p.stages.iter().filter(|s| !s.hands_off) {
            for lang in Language::ALL {
                for key in [VOICE_NOTE, MEDIA_RECEIVED] {
                    let text = p.render_reply(stage, key, &Lead::default(), lang);
                    assert!(
                        text.is_some_and(|t| !t.is_empty()),
                        "{} {lang:?} {key}",
                        stage.id
                    );
                }
            }
        }
    }

    #[test]
    fn documents_need_one_source_a_real_link_and_a_known_file_type() {
        let with = |doc: &str| {
            format!("{MINIMAL}\n[[documents]]\nid = \"prices\"\ntitle = \"Prices\"\n{doc}\n")
        };
        let p = Playbook::parse(&with(
            "url = \"https://example.com/p.pdf\"\ncaption.es = \"Precios\"",
        ))
        .unwrap();
        assert_eq!(p.documents[0].caption(Language::En), Some("Precios"));
        let p = Playbook::parse(&with("file = \"docs/prices.PDF\"")).unwrap();
        assert_eq!(
            p.documents[0].source,
            crate::documents::DocumentSource::File("docs/prices.PDF".into())
        );
        for (doc, field, problem) in [
            ("url = \"ftp://x/p.pdf\"", "documents[0].url", "http(s)"),
            (
                "file = \"prices.exe\"",
                "documents[0].file",
                "not a document",
            ),
            (
                "url = \"https://x/p.pdf\"\nfile = \"p.pdf\"",
                "documents[0]",
                "exactly one",
            ),
            ("", "documents[0]", "exactly one"),
            (
                "url = \"https://x/p.pdf\"\ncaption.fr = \"x\"",
                "documents[0].caption.fr",
                "unknown language",
            ),
        ] {
            let text = with(doc);
            let e = refused(&text);
            assert_eq!(e.field, field, "{e}");
            assert!(e.problem.contains(problem), "{e}");
            assert!(e.line >= line_of(&text, "[[documents]]"), "{e}");
        }
        // A stage that sends documents needs some to send.
        let e = refused(&MINIMAL.replacen(
            "collects = [\"name\", \"budget\"]",
            "collects = [\"name\", \"budget\"]\ntools = [\"send_document\"]",
            1,
        ));
        assert_eq!(e.field, "stages[0].tools", "{e}");
    }

    #[test]
    fn the_minimal_playbook_is_valid() {
        let p = Playbook::parse(MINIMAL).unwrap();
        assert_eq!(p.business.currency.map(Currency::code), Some("EUR"));
        assert_eq!(p.handoff.confidence_threshold, 0.7);
        assert_eq!(p.languages(), [Language::Es, Language::En]);
    }

    #[test]
    fn an_unknown_next_stage_names_its_line() {
        assert_refused(
            "next = \"done\"",
            "next = \"dnoe\"",
            "next = \"dnoe\"",
            "stages[0].next",
            "no stage named \"dnoe\"",
        );
        let e = refused(&MINIMAL.replacen("next = \"done\"", "next = \"dnoe\"", 1));
        assert_eq!(
            e.to_string(),
            format!("line {}: stages[0].next: no stage named \"dnoe\"", e.line)
        );
    }

    #[test]
    fn duplicate_stage_ids_are_refused() {
        let text = MINIMAL.replacen("id = \"done\"", "id = \"start\"", 1);
        let e = refused(&text);
        assert_eq!(
            (e.line, e.field.as_str()),
            (line_of(&text, "agent = \"DoneAgent\"") - 1, "stages[1].id"),
            "{e}"
        );
        assert!(e.problem.contains("duplicate stage \"start\""), "{e}");
    }

    #[test]
    fn transitions_only_go_forward_or_to_a_hands_off_stage() {
        let text = MINIMAL.replacen("next = \"done\"", "next = \"start\"", 1);
        let e = refused(&text);
        assert_eq!(
            (e.line, e.field.as_str()),
            (line_of(&text, "next = \"start\""), "stages[0].next")
        );
        // A hands-off stage pointing at itself loops.
        let text = MINIMAL.replacen("hands_off = true", "hands_off = true\nnext = \"done\"", 1);
        let e = refused(&text);
        assert_eq!(
            (e.line, e.field.as_str()),
            (line_of(&text, "hands_off = true") + 1, "stages[1].next"),
            "{e}"
        );
    }

    #[test]
    fn hands_off_stages_cannot_form_a_cycle() {
        let e =
            refused(&MINIMAL.replacen("hands_off = true", "hands_off = true\nnext = \"done\"", 1));
        assert_eq!(e.field, "stages[1].next");
        assert!(e.problem.contains("cycle"), "{e}");
    }

    #[test]
    fn the_flow_must_end_in_a_hands_off_stage() {
        let text = MINIMAL.replacen("hands_off = true", "hands_off = false", 1).replacen(
            "[stages.templates.es]\nenter",
            "[stages.templates.en]\nfallback = \"?\"\n[stages.templates.es]\nfallback = \"?\"\nenter",
            1,
        );
        let e = refused(&text);
        assert_eq!(e.field, "stages[1].hands_off");
        assert_eq!(e.line, line_of(&text, "id = \"done\"") - 1);
    }

    #[test]
    fn field_names_must_be_known() {
        assert_refused(
            "collects = [\"name\", \"budget\"]",
            "collects = [\"name\", \"bugdet\"]",
            "collects",
            "stages[0].collects[1]",
            "bugdet",
        );
    }

    #[test]
    fn success_fields_must_be_collected_by_then() {
        assert_refused(
            "success = { fields = [\"name\", \"budget\"] }",
            "success = { fields = [\"name\", \"timeline\"] }",
            "success = { fields",
            "stages[0].success",
            "timeline is not collected",
        );
        assert_refused(
            "success = \"never\"",
            "success = \"sometimes\"",
            "success = \"sometimes\"",
            "stages[1].success",
            "expected",
        );
    }

    #[test]
    fn templates_must_compile() {
        assert_refused(
            "fallback = \"Sorry?\"",
            "fallback = \"Sorry {% if %}\"",
            "Sorry {%",
            "stages[0].templates.en.fallback",
            "not a valid template",
        );
    }

    #[test]
    fn templates_may_only_use_known_variables() {
        assert_refused(
            "ask_name = \"What's your name?\"",
            "ask_name = \"{{ customer.name }}?\"",
            "customer.name",
            "stages[0].templates.en.ask_name",
            "unknown variable \"customer\"",
        );
        assert_refused(
            "prompt = \"Hand over.\"",
            "prompt = \"Hand {{ secrets }}\"",
            "secrets",
            "stages[1].prompt",
            "unknown variable",
        );
    }

    #[test]
    fn every_collected_field_has_a_question_in_every_language() {
        assert_refused(
            "ask_budget = \"What's your budget?\"\n",
            "",
            "[stages.templates.en]",
            "stages[0].templates.en.ask_budget",
            "missing",
        );
    }

    #[test]
    fn every_stage_that_talks_has_a_fallback_in_every_language() {
        assert_refused(
            "fallback = \"Sorry?\"\n",
            "",
            "[stages.templates.en]",
            "stages[0].templates.en.fallback",
            "missing",
        );
    }

    #[test]
    fn follow_through_durations_are_hours_minutes_or_seconds() {
        let with = |extra: &str| MINIMAL.replacen("[handoff]", &format!("{extra}\n[handoff]"), 1);
        let p = Playbook::parse(&with(
            "[scheduling]\nreminders = [\"90s\", \"24h\", \"90s\"]\n[follow_up]\nafter = \"4h\"\nmax = 2",
        ))
        .unwrap();
        assert_eq!(
            p.reminders,
            [
                std::time::Duration::from_secs(86_400),
                std::time::Duration::from_secs(90)
            ]
        );
        assert_eq!(p.follow_up.max, 2);
        assert_eq!(
            Playbook::parse(MINIMAL).unwrap().follow_up.max,
            0,
            "off unless asked for"
        );
        for (extra, field) in [
            (
                "[scheduling]\nreminders = [\"1d\"]",
                "scheduling.reminders[0]",
            ),
            (
                "[scheduling]\nreminders = [\"0s\"]",
                "scheduling.reminders[0]",
            ),
            ("[follow_up]\nafter = \"soon\"\nmax = 1", "follow_up.after"),
            ("[follow_up]\nafter = \"4h\"\nmax = 9", "follow_up.max"),
        ] {
            let e = refused(&with(extra));
            assert_eq!(e.field, field, "{e}");
        }
    }

    #[test]
    fn intents_need_five_examples_per_language() {
        assert_refused(
            "examples.en = [\"hi\", \"hello\", \"hey\", \"good morning\", \"greetings\"]",
            "examples.en = [\"hi\", \"hello\"]",
            "examples.en",
            "intents[0].examples.en",
            "at least 5",
        );
    }

    #[test]
    fn intent_templates_name_existing_intents() {
        assert_refused(
            "intent_hello = ",
            "intent_helo = ",
            "intent_helo",
            "stages[0].templates.es.intent_helo",
            "no intent named \"helo\"",
        );
    }

    #[test]
    fn unknown_template_keys_are_refused() {
        assert_refused(
            "ask_name = \"¿Cómo",
            "ask_nmae = \"¿Cómo",
            "ask_nmae",
            "stages[0].templates.es.ask_nmae",
            "unknown field",
        );
        assert_refused(
            "intent_hello = ",
            "hello = ",
            "hello = ",
            "stages[0].templates.es.hello",
            "unknown template key",
        );
    }

    #[test]
    fn the_handoff_message_exists_for_every_language_used() {
        assert_refused(
            "message.en = \"A person will take over.\"\n",
            "",
            "message.es",
            "handoff.message.en",
            "missing",
        );
    }

    #[test]
    fn the_time_zone_must_be_a_real_one() {
        assert_refused(
            "Europe/Madrid",
            "Europe/Madird",
            "time_zone",
            "business.time_zone",
            "IANA",
        );
    }

    #[test]
    fn scheduling_defaults_to_weekday_office_hours_in_the_business_zone() {
        let playbook = Playbook::parse(MINIMAL).unwrap();
        let rules = &playbook.scheduling;
        assert_eq!(rules.time_zone.iana_name(), Some("Europe/Madrid"));
        assert_eq!(
            (rules.slot_minutes, rules.lead_minutes, rules.horizon_days),
            (30, 120, 7)
        );
        let set = MINIMAL.replacen(
            "[handoff]",
            "[scheduling]\nhours = [{ days = [\"sat\"], from = \"10:00\", to = \"12:00\" }]\nslot_minutes = 45\n\n[handoff]",
            1,
        );
        let rules = Playbook::parse(&set).unwrap().scheduling;
        assert_eq!(rules.slot_minutes, 45);
        assert_eq!(rules.hours.len(), 1);
        assert_eq!(rules.lead_minutes, 120);
    }

    #[test]
    fn scheduling_hours_must_end_after_they_start() {
        let text = MINIMAL.replacen(
            "[handoff]",
            "[scheduling]\nhours = [{ days = [\"mon\"], from = \"18:00\", to = \"09:00\" }]\n\n[handoff]",
            1,
        );
        let e = refused(&text);
        assert_eq!(
            (e.line, e.field.as_str()),
            (line_of(&text, "[scheduling]"), "scheduling.hours"),
            "{e}"
        );
    }

    #[test]
    fn a_stage_that_books_calls_says_how_it_went_in_every_language() {
        let text = BUILTIN.replacen("booked = \"Done!", "# \"Done!", 1);
        let e = refused(&text);
        assert_eq!(e.field, "stages[2].templates.en.booked", "{e}");
        assert!(e.problem.contains("missing"), "{e}");
    }

    #[test]
    fn handoff_numbers_are_in_range() {
        assert_refused(
            "unresolved_limit = 2",
            "unresolved_limit = 0",
            "unresolved_limit",
            "handoff.unresolved_limit",
            "at least 1",
        );
        assert_refused(
            "unresolved_limit = 2",
            "unresolved_limit = 2\nconfidence_threshold = 1.5",
            "confidence_threshold",
            "handoff.confidence_threshold",
            "between 0 and 1",
        );
        assert_refused(
            "confidence_from_stage = \"start\"",
            "confidence_from_stage = \"middle\"",
            "confidence_from_stage",
            "handoff.confidence_from_stage",
            "no stage",
        );
    }

    #[test]
    fn business_facts_are_checked() {
        assert_refused(
            "currency = \"EUR\"",
            "currency = \"euros\"",
            "currency",
            "business.currency",
            "ISO 4217",
        );
        assert_refused(
            "default_language = \"es\"",
            "default_language = \"fr\"",
            "default_language",
            "business.default_language",
            "unknown language",
        );
    }

    #[test]
    fn toml_and_shape_errors_name_line_and_field() {
        let text = MINIMAL.replacen("agent = \"DoneAgent\"\n", "", 1);
        let e = refused(&text);
        assert_eq!(
            (e.line, e.field.as_str()),
            (line_of(&text, "id = \"done\"") - 1, "stages[1]"),
            "{e}"
        );
        assert!(e.problem.contains("missing field `agent`"), "{e}");
        assert_refused(
            "hands_off = true",
            "hands_off = \"yes\"",
            "hands_off = \"yes\"",
            "stages[1].hands_off",
            "",
        );
        assert_refused(
            "hours = \"9-5\"",
            "hours = \"9-5\"\nwebsite = \"x\"",
            "website",
            "business.website",
            "unknown field",
        );
        let e = refused("[business\nname = 1");
        assert_eq!((e.line, e.field.as_str()), (1, "toml"));
    }

    #[test]
    fn check_file_reports_io_errors() {
        let e = check_file(std::path::Path::new("/nonexistent/playbook.toml")).unwrap_err();
        assert!(e.problem.contains("cannot read"), "{e}");
        assert!(e.field.contains("playbook.toml"));
    }

    #[test]
    fn stage_after_follows_field_criteria_only() {
        let p = Playbook::parse(MINIMAL).unwrap();
        assert_eq!(p.stage_after("start", &Lead::default()).id, "start");
        assert_eq!(p.stage_after("start", &ana(false)).id, "start");
        assert_eq!(p.stage_after("start", &ana(true)).id, "done");
        assert_eq!(p.stage_after("nowhere", &Lead::default()).id, "start");
        assert_eq!(p.stage_after("done", &ana(true)).id, "done");

        let b = Playbook::builtin();
        let mut lead = ana(true);
        lead.need = Some("more sales".parse().unwrap());
        assert_eq!(b.stage_after("greeting", &lead).id, "qualification");
        lead.authority = Some(crate::lead::Authority {
            role: None,
            power: crate::lead::DecisionPower::DecisionMaker,
            guessed: false,
        });
        lead.timeline = Some(crate::lead::Timeline::Asap);
        // BANT complete: on to scheduling, which waits for a booked call.
        assert_eq!(b.stage_after("greeting", &lead).id, "scheduling");
        assert_eq!(b.stage_after("scheduling", &lead).id, "scheduling");
    }

    #[test]
    fn replies_render_over_the_lead_and_fall_back_to_the_default_language() {
        let p = Playbook::parse(MINIMAL).unwrap();
        let start = p.first_stage();
        assert_eq!(
            p.render_reply(start, "ask_budget", &ana(false), Language::Es)
                .as_deref(),
            Some("¿Cuánto quieres invertir, Ana?")
        );
        assert_eq!(
            p.render_reply(start, "ask_budget", &Lead::default(), Language::Es)
                .as_deref(),
            Some("¿Cuánto quieres invertir?")
        );
        // No English `intent_hello`: the default language answers.
        assert_eq!(
            p.render_reply(start, "intent_hello", &ana(false), Language::En)
                .as_deref(),
            Some("¡Hola!")
        );
        assert_eq!(
            p.render_reply(start, "enter", &ana(false), Language::En),
            None
        );
        let done = p.stage("done").unwrap();
        assert_eq!(
            p.render_reply(done, "enter", &ana(true), Language::Es)
                .as_deref(),
            Some("¡Gracias, Ana! Tu presupuesto: 5.000 EUR.")
        );
    }

    #[test]
    fn prompts_render_what_is_missing() {
        let p = Playbook::parse(MINIMAL).unwrap();
        let prompt = p.render_prompt(p.first_stage(), &ana(false), Language::Es);
        assert_eq!(prompt, "Ask for budget. Known: Ana.");
        // The built-in prompts leave the lead and the language to the
        // server's part of the prompt: they read the same on every turn of
        // every conversation, for prompt caches.
        let b = Playbook::builtin();
        for stage in b.stages.iter().filter(|s| !s.hands_off) {
            let prompt = b.render_prompt(stage, &Lead::default(), Language::En);
            assert_eq!(prompt, b.render_prompt(stage, &ana(true), Language::Es));
            assert!(prompt.contains("TuVendedor24"));
            assert!(!prompt.contains("{{"));
        }
    }

    #[test]
    fn the_handoff_message_falls_back_to_the_default_language() {
        let text = MINIMAL
            .replacen("message.en = \"A person will take over.\"\n", "", 1)
            .replacen("[stages.templates.en]", "[stages.templates.es_unused]", 1);
        // Dropping English templates too would leave "es_unused": refused as a language.
        assert!(Playbook::parse(&text).is_err());
        let p = Playbook::parse(MINIMAL).unwrap();
        assert_eq!(p.handoff_message(Language::En), "A person will take over.");
    }
}
