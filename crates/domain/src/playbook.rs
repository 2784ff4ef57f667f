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

use crate::language::Language;
use crate::lead::FieldName;
use std::collections::BTreeMap;

/// The built-in sales playbook (TuVendedor24's flow, see DESIGN.md).
pub const BUILTIN: &str = include_str!("../playbooks/sales.toml");

#[derive(Debug, Clone, PartialEq)]
pub struct Playbook {
    pub business: Business,
    pub handoff: HandoffPolicy,
    /// In flow order; the first is where new conversations start.
    pub stages: Vec<Stage>,
    pub intents: Vec<Intent>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Business {
    pub name: String,
    pub offer: String,
    pub hours: String,
    /// IANA time zone name ("America/Mexico_City").
    pub time_zone: String,
    /// ISO 4217 code assumed when a customer names no currency.
    pub currency: Option<String>,
    pub default_language: Language,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HandoffPolicy {
    /// Below this confidence, from `confidence_from_stage` on, hand off.
    pub confidence_threshold: f32,
    pub confidence_from_stage: String,
    /// Consecutive unresolved customer messages before handing off.
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
