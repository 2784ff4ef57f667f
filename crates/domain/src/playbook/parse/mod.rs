//! The playbook's TOML shape and its validation. The file is read into
//! `Raw*` structs that keep the byte span of every value that can be wrong,
//! then checked rule by rule so each error names its line and field.
//!
//! This module holds the `Raw*` shape, the line-numbering of errors and
//! the order the checks run in; each part of the playbook is checked in a
//! submodule named for it.

use super::{Playbook, PlaybookError};
use crate::documents::SEND_DOCUMENT;
use crate::fields::Topics;
use crate::follow_through::{OPT_IN_INTENT, OPT_OUT_INTENT, Phrases};
use crate::language::Language;
use crate::schedule::WorkingHours;
use documents::documents;
use intents::intents;
use sections::{business, follow_up, handoff, reminders, scheduling};
use serde::Deserialize;
use stages::{stage, transitions};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;
use templates::{compile, required_templates};
use toml::Spanned;

mod documents;
mod intents;
mod sections;
mod stages;
mod templates;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlaybook {
    business: Spanned<RawBusiness>,
    #[serde(default)]
    scheduling: Option<Spanned<RawScheduling>>,
    handoff: Spanned<RawHandoff>,
    stages: Spanned<Vec<Spanned<RawStage>>>,
    #[serde(default)]
    intents: Vec<Spanned<RawIntent>>,
    #[serde(default)]
    documents: Vec<Spanned<RawDocument>>,
    /// The business's knowledge folder, relative to the playbook file.
    #[serde(default)]
    knowledge: Option<String>,
    #[serde(default)]
    follow_up: Option<Spanned<RawFollowUp>>,
}

/// `[follow_up]`: nudging leads who went quiet (absent: never).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFollowUp {
    after: Spanned<String>,
    max: Spanned<i64>,
}

/// `[[documents]]`: what the `send_document` tool can send.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDocument {
    id: Spanned<String>,
    title: Spanned<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    url: Option<Spanned<String>>,
    #[serde(default)]
    file: Option<Spanned<String>>,
    #[serde(default)]
    filename: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    caption: BTreeMap<String, Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBusiness {
    name: Spanned<String>,
    offer: String,
    hours: String,
    time_zone: Spanned<String>,
    #[serde(default)]
    currency: Option<Spanned<String>>,
    default_language: Spanned<String>,
    /// What customers come for, in their words (see `fields::Topics`).
    #[serde(default)]
    needs: Vec<String>,
}

/// `[scheduling]`: when calls can be booked, in the business's time zone;
/// every key defaults to
/// [`SlotRules::default`](crate::schedule::SlotRules::default)'s.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScheduling {
    #[serde(default)]
    hours: Option<Vec<WorkingHours>>,
    #[serde(default)]
    slot_minutes: Option<u16>,
    #[serde(default)]
    lead_minutes: Option<u32>,
    #[serde(default)]
    horizon_days: Option<u16>,
    /// How long before a booked call each reminder goes ("24h", "1h").
    #[serde(default)]
    reminders: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHandoff {
    #[serde(default)]
    confidence_threshold: Option<Spanned<f64>>,
    #[serde(default)]
    confidence_from_stage: Option<Spanned<String>>,
    #[serde(default)]
    unresolved_limit: Option<Spanned<i64>>,
    message: Spanned<BTreeMap<String, Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStage {
    id: Spanned<String>,
    agent: String,
    prompt: Spanned<String>,
    #[serde(default)]
    collects: Vec<Spanned<String>>,
    #[serde(default)]
    tools: Vec<String>,
    /// `{ fields = [...] }`, `{ outcome = "..." }` or `"never"`: read as a
    /// value and interpreted here, because serde's untagged enums lose spans.
    success: Spanned<toml::Value>,
    #[serde(default)]
    next: Option<Spanned<String>>,
    #[serde(default)]
    hands_off: bool,
    #[serde(default)]
    templates: BTreeMap<String, Spanned<BTreeMap<String, Spanned<String>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIntent {
    id: Spanned<String>,
    #[serde(default)]
    hands_off: bool,
    examples: Spanned<BTreeMap<String, Spanned<Vec<String>>>>,
}

/// Turns byte spans into line numbers for errors.
struct Source<'a> {
    text: &'a str,
}

impl Source<'_> {
    fn line(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        1 + self.text.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
    }

    fn error(
        &self,
        span: Range<usize>,
        field: impl Into<String>,
        problem: impl Into<String>,
    ) -> PlaybookError {
        PlaybookError {
            line: self.line(span.start),
            field: field.into(),
            problem: problem.into(),
        }
    }
}

pub(super) fn parse(text: &str) -> Result<Playbook, PlaybookError> {
    let source = Source { text };
    let deserializer =
        toml::Deserializer::parse(text).map_err(|e| toml_error(&source, "toml", &e))?;
    let raw: RawPlaybook = serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let path = field_path(e.path());
        toml_error(&source, &path, e.inner())
    })?;
    validate(&source, raw)
}

fn toml_error(source: &Source<'_>, field: &str, e: &toml::de::Error) -> PlaybookError {
    let line = e.span().map_or(1, |s| source.line(s.start));
    PlaybookError {
        line,
        field: field.to_owned(),
        problem: e.message().trim().to_owned(),
    }
}

/// `stages[1].success` from serde's path, without the segments `Spanned`
/// adds internally.
fn field_path(path: &serde_path_to_error::Path) -> String {
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            serde_path_to_error::Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            serde_path_to_error::Segment::Map { key }
            | serde_path_to_error::Segment::Enum { variant: key } => {
                if key.starts_with("$__") {
                    continue;
                }
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            serde_path_to_error::Segment::Unknown => {}
        }
    }
    if out.is_empty() {
        "playbook".to_owned()
    } else {
        out
    }
}

fn language(
    source: &Source<'_>,
    code: &str,
    span: Range<usize>,
    field: &str,
) -> Result<Language, PlaybookError> {
    Language::ALL
        .into_iter()
        .find(|l| l.code() == code)
        .ok_or_else(|| {
            source.error(
                span,
                field,
                format!("unknown language {code:?} (expected \"es\" or \"en\")"),
            )
        })
}

fn validate(source: &Source<'_>, raw: RawPlaybook) -> Result<Playbook, PlaybookError> {
    let named = Topics::of(&raw.business.get_ref().needs);
    let needs_named = named.is_some();
    let need_topics = named.unwrap_or_else(|| Topics::sales().clone());
    let business = business(source, raw.business)?;
    let reminders = reminders(source, raw.scheduling.as_ref())?;
    let scheduling = scheduling(source, raw.scheduling, &business)?;
    let follow_up = follow_up(source, raw.follow_up)?;
    let stages_span = raw.stages.span();
    let raw_stages = raw.stages.into_inner();
    if raw_stages.is_empty() {
        return Err(source.error(stages_span, "stages", "a playbook needs at least one stage"));
    }
    let intents = intents(source, raw.intents)?;
    let phrases_of = |id: &str| -> Vec<(Language, Vec<String>)> {
        intents
            .iter()
            .filter(|i| i.id == id)
            .flat_map(|i| i.examples.iter().map(|(l, e)| (*l, e.clone())))
            .collect()
    };
    let opt_out = Phrases::opt_out(&phrases_of(OPT_OUT_INTENT));
    let opt_in = Phrases::opt_in(&phrases_of(OPT_IN_INTENT));
    let intent_ids: BTreeSet<&str> = intents.iter().map(|i| i.id.as_str()).collect();

    let mut stages = Vec::with_capacity(raw_stages.len());
    let mut spans = Vec::with_capacity(raw_stages.len());
    for (i, raw_stage) in raw_stages.iter().enumerate() {
        let stage = stage(source, i, raw_stage, &stages, &intent_ids)?;
        stages.push(stage);
        spans.push(raw_stage);
    }
    transitions(source, &stages, &spans)?;
    let documents = documents(source, raw.documents)?;
    if documents.is_empty()
        && let Some((i, stage)) = stages
            .iter()
            .enumerate()
            .find(|(_, s)| s.tools.iter().any(|t| t == SEND_DOCUMENT))
    {
        return Err(source.error(
            spans[i].span(),
            format!("stages[{i}].tools"),
            format!(
                "stage {:?} names {SEND_DOCUMENT} but the playbook has no [[documents]]",
                stage.id
            ),
        ));
    }

    let (handoff, message_span) = handoff(source, raw.handoff, &stages)?;
    let mut playbook = Playbook {
        business,
        scheduling,
        handoff,
        stages,
        intents,
        documents,
        knowledge: raw.knowledge.map(PathBuf::from),
        need_topics,
        needs_named,
        reminders,
        follow_up,
        opt_out,
        opt_in,
        templates: Arc::new(minijinja::Environment::new()),
    };
    required_templates(source, &playbook, &spans, message_span)?;
    playbook.templates = Arc::new(compile(source, &playbook, &spans)?);
    Ok(playbook)
}

fn is_identifier(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}
