//! The playbook's tables besides its stages, intents and documents:
//! `[business]`, `[scheduling]`, `[follow_up]` and `[handoff]`. Kept apart
//! because each is a small set of business-wide settings checked on its
//! own, before or after the flow.

use super::{RawBusiness, RawFollowUp, RawHandoff, RawScheduling, Source, language};
use crate::follow_through::FollowUpPolicy;
use crate::lead::Currency;
use crate::playbook::{Business, HandoffPolicy, PlaybookError, Stage};
use crate::schedule::SlotRules;
use std::collections::BTreeMap;
use std::ops::Range;
use std::time::Duration;
use toml::Spanned;

/// Most nudges a lead may get per silence: more is not following up.
const MAX_NUDGES: u32 = 5;

pub(super) fn scheduling(
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
pub(super) fn reminders(
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

pub(super) fn follow_up(
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

pub(super) fn business(
    source: &Source<'_>,
    raw: Spanned<RawBusiness>,
) -> Result<Business, PlaybookError> {
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

pub(super) fn handoff(
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
