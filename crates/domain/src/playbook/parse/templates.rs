//! The stages' reply templates and prompts: which keys a stage may write,
//! which it must write in every language it speaks, and compiling and
//! test-rendering each once. Kept apart because template checks run over
//! the whole playbook, after every stage is known.

use super::{RawStage, Source};
use crate::follow_through::{FOLLOW_UP, OPTED_IN, OPTED_OUT, REMINDER};
use crate::language::Language;
use crate::lead::{FieldName, Lead, Timeline};
use crate::playbook::{
    MEDIA_RECEIVED, NO_ANSWER, Playbook, PlaybookError, TemplateContext, VOICE_NOTE,
    prompt_template, reply_template,
};
use std::collections::BTreeSet;
use std::ops::Range;
use toml::Spanned;

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

/// What a stage that books calls says, besides its other replies: the
/// label of the slot list's button, the confirmation (followed by the
/// slot's date and time), the apology for a slot taken meanwhile and the
/// word that the calendar could not be reached (each followed by fresh
/// slots).
const BOOKING_KEYS: [&str; 4] = ["list_button", "booked", "slot_taken", "booking_failed"];

/// What the booking stage may say when a customer moves or cancels the
/// call it booked (optional: without them the slots, or nothing, are sent).
const CALL_CHANGE_KEYS: [&str; 3] = ["reschedule", "call_cancelled", "cancel_failed"];

pub(super) fn template_key(
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

/// The templates every turn may need exist in every language the playbook
/// speaks.
pub(super) fn required_templates(
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
pub(super) fn compile(
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
        name: Some("Ana".parse().unwrap()),
        company: Some("Acme".parse().unwrap()),
        budget: Some("at least 5000 USD".parse().unwrap()),
        authority: Some("I'm the CEO and I decide".parse().unwrap()),
        need: Some("automatizar ventas".parse().unwrap()),
        timeline: Some(Timeline::Asap),
        email: Some("ana@acme.example".parse().unwrap()),
    }
}
