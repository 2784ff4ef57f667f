//! The playbook's `[[stages]]`: each stage's id, fields and success
//! criteria, and the transitions between stages (forward only, no cycle,
//! ending in a hands-off stage). Kept apart because the flow is the
//! playbook's core and has the most rules.

use super::templates::template_key;
use super::{RawStage, Source, is_identifier, language};
use crate::lead::FieldName;
use crate::playbook::{PlaybookError, Stage, Success};
use std::collections::{BTreeMap, BTreeSet};
use toml::Spanned;

pub(super) fn stage(
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

/// `next` exists, moves forward or into a hands-off stage, never cycles;
/// the flow ends in a hands-off stage.
pub(super) fn transitions(
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
