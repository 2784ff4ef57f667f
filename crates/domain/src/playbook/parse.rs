//! The playbook's TOML shape and its validation. The file is read into
//! `Raw*` structs that keep the byte span of every value that can be wrong,
//! then checked rule by rule so each error names its line and field.

use super::{
    Business, HandoffPolicy, Intent, MEDIA_RECEIVED, NO_ANSWER, Playbook, PlaybookError, Stage,
    Success, TemplateContext, VOICE_NOTE, prompt_template, reply_template,
};
use crate::documents::{Document, DocumentSource, SEND_DOCUMENT, mime_type};
use crate::fields::Topics;
use crate::follow_through::{
    FOLLOW_UP, FollowUpPolicy, OPT_IN_INTENT, OPT_OUT_INTENT, OPTED_IN, OPTED_OUT, Phrases,
    REMINDER,
};
use crate::language::Language;
use crate::lead::{Authority, Budget, Currency, DecisionPower, FieldName, Lead, Timeline};
use crate::schedule::{SlotRules, WorkingHours};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use toml::Spanned;

/// Most nudges a lead may get per silence: more is not following up.
const MAX_NUDGES: u32 = 5;

/// Fewest example phrases per intent and language the classifier learns from.
const MIN_EXAMPLES: usize = 5;

/// The variables templates may use (see the module documentation), plus
/// minijinja's global functions.
const TEMPLATE_VARIABLES: [&str; 9] = [
    "lead",
    "business",
    "language",
    "missing",
    "stage",
    "range",
    "dict",
    "namespace",
    "debug",
];

/// WhatsApp's longest media caption.
const CAPTION_MAX_CHARS: usize = 1024;

/// What a stage that books calls says, besides its other replies: the
/// label of the slot list's button, the confirmation (followed by the
/// slot's date and time), the apology for a slot taken meanwhile and the
/// word that the calendar could not be reached (each followed by fresh
/// slots).
const BOOKING_KEYS: [&str; 4] = ["list_button", "booked", "slot_taken", "booking_failed"];
/// What the booking stage may say when a customer moves or cancels the
/// call it booked (optional: without them the slots, or nothing, are sent).
const CALL_CHANGE_KEYS: [&str; 3] = ["reschedule", "call_cancelled", "cancel_failed"];

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
/// every key defaults to [`SlotRules::default`]'s.
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

fn scheduling(
    source: &Source<'_>,
    raw: Option<Spanned<RawScheduling>>,
    business: &Business,
) -> Result<SlotRules, PlaybookError> {
    let defaults = SlotRules::default();
    // `business` validated the zone already.
    let time_zone = jiff::tz::TimeZone::get(&business.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let Some(raw) = raw else {
        return Ok(SlotRules {
            time_zone,
            ..defaults
        });
    };
    let span = raw.span();
    let raw = raw.into_inner();
    let rules = SlotRules {
        time_zone,
        hours: raw.hours.unwrap_or(defaults.hours),
        slot_minutes: raw.slot_minutes.unwrap_or(defaults.slot_minutes),
        lead_minutes: raw.lead_minutes.unwrap_or(defaults.lead_minutes),
        horizon_days: raw.horizon_days.unwrap_or(defaults.horizon_days),
    };
    if rules.slot_minutes == 0 {
        return Err(source.error(span, "scheduling.slot_minutes", "must be at least 1"));
    }
    if let Some(h) = rules
        .hours
        .iter()
        .find(|h| h.from >= h.to || h.days.is_empty())
    {
        return Err(source.error(
            span,
            "scheduling.hours",
            format!(
                "{}–{} on {} day(s): opening hours need days and must end after they start",
                h.from,
                h.to,
                h.days.len()
            ),
        ));
    }
    Ok(rules)
}

/// `[scheduling] reminders`: each a duration before the call, longest
/// first, none twice.
fn reminders(
    source: &Source<'_>,
    raw: Option<&Spanned<RawScheduling>>,
) -> Result<Vec<Duration>, PlaybookError> {
    let mut reminders = Vec::new();
    for (i, text) in raw
        .map_or(&[][..], |r| &r.get_ref().reminders)
        .iter()
        .enumerate()
    {
        let before = duration(source, text, &format!("scheduling.reminders[{i}]"))?;
        if !reminders.contains(&before) {
            reminders.push(before);
        }
    }
    reminders.sort_unstable_by(|a, b| b.cmp(a));
    Ok(reminders)
}

fn follow_up(
    source: &Source<'_>,
    raw: Option<Spanned<RawFollowUp>>,
) -> Result<FollowUpPolicy, PlaybookError> {
    let Some(raw) = raw else {
        return Ok(FollowUpPolicy::default());
    };
    let raw = raw.into_inner();
    let after = duration(source, &raw.after, "follow_up.after")?;
    let max = u32::try_from(*raw.max.get_ref())
        .ok()
        .filter(|m| *m <= MAX_NUDGES)
        .ok_or_else(|| {
            source.error(
                raw.max.span(),
                "follow_up.max",
                format!("must be 0 (never) to {MAX_NUDGES}"),
            )
        })?;
    Ok(FollowUpPolicy { after, max })
}

/// A positive duration in jiff's friendly format ("24h", "90s", "1h 30m"):
/// seconds, so tests need not wait, up to hours (a day is not always 24
/// hours, so "1d" is refused).
fn duration(
    source: &Source<'_>,
    text: &Spanned<String>,
    field: &str,
) -> Result<Duration, PlaybookError> {
    text.get_ref()
        .trim()
        .parse::<jiff::SignedDuration>()
        .ok()
        .and_then(|d| Duration::try_from(d).ok())
        .filter(|d| !d.is_zero())
        .ok_or_else(|| {
            source.error(
                text.span(),
                field,
                format!(
                    "{:?} is not a duration like \"24h\", \"30m\" or \"90s\"",
                    text.get_ref()
                ),
            )
        })
}

fn business(source: &Source<'_>, raw: Spanned<RawBusiness>) -> Result<Business, PlaybookError> {
    let raw = raw.into_inner();
    if raw.name.get_ref().trim().is_empty() {
        return Err(source.error(raw.name.span(), "business.name", "must not be empty"));
    }
    let time_zone = raw.time_zone.get_ref().trim().to_owned();
    if let Err(e) = jiff::tz::TimeZone::get(&time_zone) {
        return Err(source.error(
            raw.time_zone.span(),
            "business.time_zone",
            format!("{time_zone:?} is not a known IANA time zone ({e})"),
        ));
    }
    let currency = match raw.currency {
        Some(c) => Some(Currency::parse(c.get_ref()).map_err(|_| {
            source.error(
                c.span(),
                "business.currency",
                format!("{:?} is not an ISO 4217 code like \"USD\"", c.get_ref()),
            )
        })?),
        None => None,
    };
    let default_language = language(
        source,
        raw.default_language.get_ref(),
        raw.default_language.span(),
        "business.default_language",
    )?;
    Ok(Business {
        name: raw.name.into_inner(),
        offer: raw.offer,
        hours: raw.hours,
        time_zone,
        currency,
        default_language,
    })
}

fn intents(
    source: &Source<'_>,
    raw: Vec<Spanned<RawIntent>>,
) -> Result<Vec<Intent>, PlaybookError> {
    let mut intents: Vec<Intent> = Vec::with_capacity(raw.len());
    for (i, raw) in raw.into_iter().enumerate() {
        let raw = raw.into_inner();
        let id = raw.id.get_ref();
        if !is_identifier(id) {
            return Err(source.error(
                raw.id.span(),
                format!("intents[{i}].id"),
                "must be lower_snake_case",
            ));
        }
        if intents.iter().any(|x| &x.id == id) {
            return Err(source.error(
                raw.id.span(),
                format!("intents[{i}].id"),
                format!("duplicate intent {id:?}"),
            ));
        }
        let mut examples = BTreeMap::new();
        for (code, phrases) in raw.examples.get_ref() {
            let field = format!("intents[{i}].examples.{code}");
            let lang = language(source, code, phrases.span(), &field)?;
            let list: Vec<String> = phrases
                .get_ref()
                .iter()
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty())
                .collect();
            examples.insert(lang, list);
        }
        for lang in Language::ALL {
            let count = examples.get(&lang).map_or(0, Vec::len);
            if count < MIN_EXAMPLES {
                let at = raw
                    .examples
                    .get_ref()
                    .get(lang.code())
                    .map_or(raw.examples.span(), Spanned::span);
                return Err(source.error(
                    at,
                    format!("intents[{i}].examples.{}", lang.code()),
                    format!("needs at least {MIN_EXAMPLES} example phrases, has {count}"),
                ));
            }
        }
        intents.push(Intent {
            id: id.clone(),
            examples,
            hands_off: raw.hands_off,
        });
    }
    Ok(intents)
}

fn documents(
    source: &Source<'_>,
    raw: Vec<Spanned<RawDocument>>,
) -> Result<Vec<Document>, PlaybookError> {
    let mut documents: Vec<Document> = Vec::with_capacity(raw.len());
    for (i, raw) in raw.into_iter().enumerate() {
        let span = raw.span();
        let raw = raw.into_inner();
        let id = raw.id.get_ref();
        let field = |name: &str| format!("documents[{i}].{name}");
        if !is_identifier(id) {
            return Err(source.error(raw.id.span(), field("id"), "must be lower_snake_case"));
        }
        if documents.iter().any(|d| &d.id == id) {
            return Err(source.error(
                raw.id.span(),
                field("id"),
                format!("duplicate document {id:?}"),
            ));
        }
        if raw.title.get_ref().trim().is_empty() {
            return Err(source.error(raw.title.span(), field("title"), "must not be empty"));
        }
        let source_of = match (raw.url, raw.file) {
            (Some(url), None) => {
                let link = url.get_ref().trim();
                let host = link
                    .strip_prefix("https://")
                    .or_else(|| link.strip_prefix("http://"));
                if !host.is_some_and(|h| !h.is_empty() && !h.contains(char::is_whitespace)) {
                    return Err(source.error(
                        url.span(),
                        field("url"),
                        format!("{link:?} is not an http(s) URL"),
                    ));
                }
                DocumentSource::Url(link.to_owned())
            }
            (None, Some(file)) if mime_type(file.get_ref().trim()).is_some() => {
                DocumentSource::File(file.get_ref().trim().to_owned())
            }
            (None, Some(file)) => {
                return Err(source.error(
                    file.span(),
                    field("file"),
                    format!(
                        "{:?} is not a document WhatsApp takes (.pdf, .txt, .doc, .docx, .xls, .xlsx, .ppt, .pptx)",
                        file.get_ref()
                    ),
                ));
            }
            _ => {
                return Err(source.error(
                    span,
                    format!("documents[{i}]"),
                    "needs exactly one of `url` (a link WhatsApp fetches) or `file` (a path on this server, uploaded once)",
                ));
            }
        };
        let localized = |name: &str, raw: BTreeMap<String, Spanned<String>>, max: usize| {
            let mut map = BTreeMap::new();
            for (code, text) in raw {
                let at = field(&format!("{name}.{code}"));
                let lang = language(source, &code, text.span(), &at)?;
                let value = text.get_ref().trim();
                let count = value.chars().count();
                if count == 0 || count > max {
                    return Err(source.error(
                        text.span(),
                        at,
                        format!("must be 1 to {max} characters, has {count}"),
                    ));
                }
                map.insert(lang, value.to_owned());
            }
            Ok::<_, PlaybookError>(map)
        };
        let filename = localized("filename", raw.filename, 240)?;
        let caption = localized("caption", raw.caption, CAPTION_MAX_CHARS)?;
        documents.push(Document {
            id: id.clone(),
            title: raw.title.into_inner(),
            description: raw.description,
            keywords: raw.keywords,
            source: source_of,
            filename,
            caption,
        });
    }
    Ok(documents)
}

fn is_identifier(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn stage(
    source: &Source<'_>,
    i: usize,
    raw: &Spanned<RawStage>,
    earlier: &[Stage],
    intent_ids: &BTreeSet<&str>,
) -> Result<Stage, PlaybookError> {
    let raw = raw.get_ref();
    let id = raw.id.get_ref();
    if !is_identifier(id) {
        return Err(source.error(
            raw.id.span(),
            format!("stages[{i}].id"),
            "must be lower_snake_case",
        ));
    }
    if earlier.iter().any(|s| &s.id == id) {
        return Err(source.error(
            raw.id.span(),
            format!("stages[{i}].id"),
            format!("duplicate stage {id:?}"),
        ));
    }

    let mut collects = Vec::with_capacity(raw.collects.len());
    for (j, name) in raw.collects.iter().enumerate() {
        let field = FieldName::parse(name.get_ref())
            .ok_or_else(|| unknown_field(source, name, format!("stages[{i}].collects[{j}]")))?;
        if collects.contains(&field) {
            return Err(source.error(
                name.span(),
                format!("stages[{i}].collects[{j}]"),
                format!("{field} is listed twice"),
            ));
        }
        collects.push(field);
    }

    let success = success(source, i, &raw.success)?;
    if let Success::Fields(fields) = &success {
        for field in fields {
            let collected =
                collects.contains(field) || earlier.iter().any(|s| s.collects.contains(field));
            if !collected {
                return Err(source.error(
                    raw.success.span(),
                    format!("stages[{i}].success"),
                    format!("{field} is not collected by this stage or an earlier one"),
                ));
            }
        }
    }

    let mut templates = BTreeMap::new();
    for (code, keys) in &raw.templates {
        let lang = language(
            source,
            code,
            keys.span(),
            &format!("stages[{i}].templates.{code}"),
        )?;
        let mut map = BTreeMap::new();
        for (key, template) in keys.get_ref() {
            let field = format!("stages[{i}].templates.{code}.{key}");
            template_key(source, key, template.span(), &field, &collects, intent_ids)?;
            map.insert(key.clone(), template.get_ref().clone());
        }
        templates.insert(lang, map);
    }

    Ok(Stage {
        id: id.clone(),
        agent: raw.agent.clone(),
        prompt: raw.prompt.get_ref().clone(),
        collects,
        tools: raw.tools.clone(),
        success,
        next: raw.next.as_ref().map(|n| n.get_ref().clone()),
        hands_off: raw.hands_off,
        templates,
    })
}

fn unknown_field(source: &Source<'_>, name: &Spanned<String>, field: String) -> PlaybookError {
    let known: Vec<&str> = FieldName::ALL.iter().map(|f| f.as_str()).collect();
    source.error(
        name.span(),
        field,
        format!(
            "unknown field {:?} (known: {})",
            name.get_ref(),
            known.join(", ")
        ),
    )
}

fn success(
    source: &Source<'_>,
    i: usize,
    raw: &Spanned<toml::Value>,
) -> Result<Success, PlaybookError> {
    let field = format!("stages[{i}].success");
    let bad = || {
        source.error(
            raw.span(),
            &field,
            "expected { fields = [...] }, { outcome = \"...\" } or \"never\"",
        )
    };
    match raw.get_ref() {
        toml::Value::String(s) if s == "never" => Ok(Success::Never),
        toml::Value::Table(t) if t.len() == 1 => {
            if let Some(toml::Value::Array(names)) = t.get("fields") {
                let mut fields = Vec::with_capacity(names.len());
                for name in names {
                    let parsed = name.as_str().and_then(FieldName::parse).ok_or_else(|| {
                        source.error(
                            raw.span(),
                            format!("{field}.fields"),
                            format!("unknown field {name}"),
                        )
                    })?;
                    fields.push(parsed);
                }
                if fields.is_empty() {
                    return Err(source.error(
                        raw.span(),
                        format!("{field}.fields"),
                        "must name at least one field",
                    ));
                }
                Ok(Success::Fields(fields))
            } else if let Some(toml::Value::String(outcome)) = t.get("outcome") {
                if !is_identifier(outcome) {
                    return Err(source.error(
                        raw.span(),
                        format!("{field}.outcome"),
                        "must be lower_snake_case",
                    ));
                }
                Ok(Success::Outcome(outcome.clone()))
            } else {
                Err(bad())
            }
        }
        _ => Err(bad()),
    }
}

fn template_key(
    source: &Source<'_>,
    key: &str,
    span: Range<usize>,
    field: &str,
    collects: &[FieldName],
    intent_ids: &BTreeSet<&str>,
) -> Result<(), PlaybookError> {
    if [
        "enter",
        "fallback",
        "no_document",
        NO_ANSWER,
        VOICE_NOTE,
        MEDIA_RECEIVED,
        OPTED_OUT,
        OPTED_IN,
        REMINDER,
        FOLLOW_UP,
    ]
    .contains(&key)
        || BOOKING_KEYS.contains(&key)
        || CALL_CHANGE_KEYS.contains(&key)
    {
        return Ok(());
    }
    if let Some(name) = key.strip_prefix("ask_") {
        return match FieldName::parse(name) {
            Some(f) if collects.contains(&f) => Ok(()),
            Some(f) => Err(source.error(span, field, format!("this stage does not collect {f}"))),
            None => Err(source.error(span, field, format!("unknown field {name:?}"))),
        };
    }
    if let Some(intent) = key.strip_prefix("intent_") {
        return if intent_ids.contains(intent) {
            Ok(())
        } else {
            Err(source.error(span, field, format!("no intent named {intent:?}")))
        };
    }
    Err(source.error(
        span,
        field,
        "unknown template key (expected ask_<field>, enter, intent_<intent>, fallback, no_document, voice_note, media_received, opted_out, opted_in, reminder, follow_up, or one of booking's: list_button, booked, slot_taken, booking_failed, reschedule, call_cancelled, cancel_failed)",
    ))
}

/// `next` exists, moves forward or into a hands-off stage, never cycles;
/// the flow ends in a hands-off stage.
fn transitions(
    source: &Source<'_>,
    stages: &[Stage],
    raw: &[&Spanned<RawStage>],
) -> Result<(), PlaybookError> {
    for (i, (stage, raw)) in stages.iter().zip(raw).enumerate() {
        let field = format!("stages[{i}].next");
        let Some(next) = &raw.get_ref().next else {
            if stage.success != Success::Never {
                return Err(source.error(raw.span(), field, "required: success leads somewhere"));
            }
            continue;
        };
        let target = stages
            .iter()
            .position(|s| &s.id == next.get_ref())
            .ok_or_else(|| {
                source.error(
                    next.span(),
                    &field,
                    format!("no stage named {:?}", next.get_ref()),
                )
            })?;
        if target <= i && !stages[target].hands_off {
            return Err(source.error(
                next.span(),
                &field,
                format!("{:?} comes earlier in the flow; transitions only go forward or to a hands-off stage", next.get_ref()),
            ));
        }
        // Walk the chain: with n stages, a chain longer than n loops.
        let mut at = target;
        for _ in 0..=stages.len() {
            if at == i {
                return Err(source.error(next.span(), &field, "transitions form a cycle"));
            }
            match stages[at]
                .next
                .as_deref()
                .and_then(|n| stages.iter().position(|s| s.id == n))
            {
                Some(after) => at = after,
                None => break,
            }
        }
    }
    let last = stages.len() - 1;
    if !stages[last].hands_off {
        return Err(source.error(
            raw[last].span(),
            format!("stages[{last}].hands_off"),
            "the last stage must hand off to a person (hands_off = true)",
        ));
    }
    Ok(())
}

fn handoff(
    source: &Source<'_>,
    raw: Spanned<RawHandoff>,
    stages: &[Stage],
) -> Result<(HandoffPolicy, Range<usize>), PlaybookError> {
    let span = raw.span();
    let raw = raw.into_inner();
    let confidence_threshold = match &raw.confidence_threshold {
        Some(t) if (0.0..=1.0).contains(t.get_ref()) => *t.get_ref() as f32,
        Some(t) => {
            return Err(source.error(
                t.span(),
                "handoff.confidence_threshold",
                "must be between 0 and 1",
            ));
        }
        None => 0.7,
    };
    let (from, from_span) = match raw.confidence_from_stage {
        Some(s) => (s.get_ref().clone(), s.span()),
        None => ("qualification".to_owned(), span.clone()),
    };
    if !stages.iter().any(|s| s.id == from) {
        return Err(source.error(
            from_span,
            "handoff.confidence_from_stage",
            format!("no stage named {from:?}"),
        ));
    }
    let unresolved_limit = match &raw.unresolved_limit {
        Some(n) => u32::try_from(*n.get_ref())
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| {
                source.error(n.span(), "handoff.unresolved_limit", "must be at least 1")
            })?,
        None => 3,
    };
    let mut message = BTreeMap::new();
    for (code, text) in raw.message.get_ref() {
        let field = format!("handoff.message.{code}");
        let lang = language(source, code, text.span(), &field)?;
        if text.get_ref().trim().is_empty() {
            return Err(source.error(text.span(), field, "must not be empty"));
        }
        message.insert(lang, text.get_ref().trim().to_owned());
    }
    // Checked against the playbook's languages once its templates are
    // known, at the message table's line.
    let policy = HandoffPolicy {
        confidence_threshold,
        confidence_from_stage: from,
        unresolved_limit,
        message,
    };
    Ok((policy, raw.message.span()))
}

/// The templates every turn may need exist in every language the playbook
/// speaks.
fn required_templates(
    source: &Source<'_>,
    playbook: &Playbook,
    raw: &[&Spanned<RawStage>],
    message_span: Range<usize>,
) -> Result<(), PlaybookError> {
    let languages = playbook.languages();
    for lang in &languages {
        if !playbook.handoff.message.contains_key(lang) {
            return Err(source.error(
                message_span.clone(),
                format!("handoff.message.{}", lang.code()),
                "missing: the playbook speaks this language",
            ));
        }
    }
    for (i, (stage, raw)) in playbook.stages.iter().zip(raw).enumerate() {
        for lang in &languages {
            let has = |key: &str| {
                stage
                    .templates
                    .get(lang)
                    .is_some_and(|t| t.contains_key(key))
            };
            let missing_at = |key: String| {
                let span = raw
                    .get_ref()
                    .templates
                    .get(lang.code())
                    .map_or(raw.span(), Spanned::span);
                source.error(
                    span,
                    format!("stages[{i}].templates.{}.{key}", lang.code()),
                    "missing: every language of the playbook needs it",
                )
            };
            for field in &stage.collects {
                let key = format!("ask_{field}");
                if !has(&key) {
                    return Err(missing_at(key));
                }
            }
            if !stage.hands_off && !has("fallback") {
                return Err(missing_at("fallback".to_owned()));
            }
            if stage.tools.iter().any(|t| t == "book_call") {
                for key in BOOKING_KEYS {
                    if !has(key) {
                        return Err(missing_at(key.to_owned()));
                    }
                }
            }
        }
    }
    Ok(())
}

/// Compiles every template once, checks it only names known variables and
/// renders it over a sample lead so a bad filter call fails here, not on a
/// customer's turn.
fn compile(
    source: &Source<'_>,
    playbook: &Playbook,
    raw: &[&Spanned<RawStage>],
) -> Result<minijinja::Environment<'static>, PlaybookError> {
    let mut env = minijinja::Environment::new();
    // Replies are WhatsApp text, not HTML.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env.set_keep_trailing_newline(false);
    let sample = sample_lead();
    for (i, (stage, raw)) in playbook.stages.iter().zip(raw).enumerate() {
        let raw = raw.get_ref();
        let mut all = vec![(
            prompt_template(&stage.id),
            raw.prompt.clone(),
            format!("stages[{i}].prompt"),
            None,
        )];
        for (code, keys) in &raw.templates {
            let Some(lang) = Language::ALL.into_iter().find(|l| l.code() == code) else {
                continue;
            };
            for (key, template) in keys.get_ref() {
                all.push((
                    reply_template(&stage.id, lang, key),
                    template.clone(),
                    format!("stages[{i}].templates.{code}.{key}"),
                    Some(lang),
                ));
            }
        }
        for (name, template, field, lang) in all {
            let span = template.span();
            env.add_template_owned(name.clone(), template.into_inner())
                .map_err(|e| {
                    source.error(span.clone(), &field, format!("not a valid template: {e}"))
                })?;
            let compiled = env.get_template(&name).map_err(|e| {
                source.error(span.clone(), &field, format!("not a valid template: {e}"))
            })?;
            if let Some(unknown) = compiled
                .undeclared_variables(false)
                .into_iter()
                .find(|v| !TEMPLATE_VARIABLES.contains(&v.as_str()))
            {
                return Err(source.error(
                    span,
                    &field,
                    format!("unknown variable {unknown:?} (templates see lead, business, language, missing, stage)"),
                ));
            }
            for lead in [&Lead::default(), &sample] {
                let language = lang.unwrap_or(playbook.business.default_language);
                let context = TemplateContext::new(&playbook.business, stage, lead, language);
                compiled.render(&context).map_err(|e| {
                    source.error(span.clone(), &field, format!("does not render: {e}"))
                })?;
            }
        }
    }
    Ok(env)
}

/// A lead with every field known, to test-render templates.
fn sample_lead() -> Lead {
    Lead {
        name: "Ana".parse().ok(),
        company: "Acme".parse().ok(),
        budget: Some(Budget {
            min: Some(5000),
            max: None,
            currency: "USD".parse().ok(),
            approximate: false,
            period: None,
            currency_assumed: false,
        }),
        authority: Some(Authority {
            role: Some("CEO".to_owned()),
            power: DecisionPower::DecisionMaker,
            guessed: false,
        }),
        need: "automatizar ventas".parse().ok(),
        timeline: Some(Timeline::Asap),
        email: "ana@acme.example".parse().ok(),
    }
}
