//! What the router checks of a turn beyond what any brain says: whether
//! the values a brain proposes are supported by what the customer wrote,
//! and which known value a correction is about. Kept apart from the
//! router's flow so each rule reads on its own.

use super::TurnOutcome;
use crate::conversation::{Conversation, Speaker};
use crate::events::Event;
use crate::fields;
use crate::inbound::InboundMessage;
use crate::lead::{FieldName, Lead};
use crate::reading;
use jiff::civil::Date;
use std::collections::HashSet;

/// The brain's proposals that what the customer wrote supports; each other
/// one is dropped with a [`Event::FieldUngrounded`]. A model may paraphrase
/// a need or a timeline but not invent a name, a company or an amount.
pub(super) fn grounded_proposals(
    conversation: &Conversation,
    proposed: &[(FieldName, String)],
    today: Date,
    outcome: &mut TurnOutcome,
) -> Vec<(FieldName, String)> {
    if proposed.is_empty() {
        return Vec::new();
    }
    let said: Vec<&str> = conversation
        .history
        .iter()
        .filter(|m| m.speaker == Speaker::Customer)
        .map(|m| m.text.as_str())
        .collect();
    let words: HashSet<String> = said
        .iter()
        .chain(conversation.profile_name.as_deref().iter())
        .flat_map(|text| folded_words(text))
        .collect();
    let mut kept = Vec::new();
    for (field, raw) in proposed {
        if supported(*field, raw, &said, &words, today) {
            kept.push((*field, raw.clone()));
        } else {
            outcome
                .events
                .push(Event::FieldUngrounded { field: *field });
        }
    }
    kept
}

/// Whether the customer's messages `said` (and `words`, theirs and their
/// profile name's) support `raw` as a value of `field`.
fn supported(
    field: FieldName,
    raw: &str,
    said: &[&str],
    words: &HashSet<String>,
    today: Date,
) -> bool {
    let proposed = folded_words(raw);
    let share = |min_len: usize| {
        let content: Vec<&String> = proposed
            .iter()
            .filter(|w| w.chars().count() >= min_len)
            .collect();
        let found = content.iter().filter(|w| words.contains(**w)).count();
        (content.is_empty() && proposed.iter().any(|w| words.contains(w)))
            || found * 2 >= content.len().max(1)
    };
    match field {
        FieldName::Name | FieldName::Company | FieldName::Email => {
            !proposed.is_empty() && proposed.iter().all(|w| words.contains(w))
        }
        // The same amount in any wording: "5000" for "5k", "cinco mil".
        // A value that does not parse is refused as such by `apply`.
        FieldName::Budget => fields::parse_budget(raw).ok().is_none_or(|budget| {
            stated(said, field, today)
                .filter_map(|snippet| fields::parse_budget(&snippet).ok())
                .any(|stated| stated.min() == budget.min() || stated.max() == budget.max())
        }),
        // Paraphrased or translated ("el mes que viene" for "next month"):
        // the same date.
        FieldName::Timeline => {
            share(4)
                || fields::parse_timeline(raw, today).is_ok_and(|timeline| {
                    stated(said, field, today).any(|snippet| {
                        fields::parse_timeline(&snippet, today).ok() == Some(timeline.clone())
                    })
                })
        }
        FieldName::Authority | FieldName::Need => share(4),
    }
}

/// The snippets of `said` the extractors read as `field`, each message
/// read as the answer to a question about it.
fn stated<'a>(
    said: &'a [&str],
    field: FieldName,
    today: Date,
) -> impl Iterator<Item = String> + 'a {
    said.iter().flat_map(move |text| {
        fields::find(&reading::statements(text), Some(field), today)
            .into_iter()
            .filter_map(move |(f, snippet)| (f == field).then_some(snippet))
    })
}

/// The words of `text`, lower case without accents.
fn folded_words(text: &str) -> Vec<String> {
    crate::language::fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The fields a bare correction ("sorry, 250") may be about when it does
/// not say which value it takes back.
pub(super) const CORRECTABLE: [FieldName; 2] = [FieldName::Budget, FieldName::Timeline];

/// The burst's words, one message a line.
pub(super) fn burst_text(burst: &[InboundMessage]) -> String {
    burst
        .iter()
        .filter_map(|m| m.content.text())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The known field whose value `old` names: "3 mil" the budget of 3000,
/// "Marga" the name Marga, "Los Andes" the company Distribuidora Los Andes.
pub(super) fn holding(lead: &Lead, old: &str, today: Date) -> Option<FieldName> {
    let folded = crate::language::fold(old);
    let first_word = folded.split_whitespace().next()?;
    let mentions =
        |value: Option<&str>| value.is_some_and(|v| crate::language::fold(v).contains(first_word));
    if let (Some(budget), Ok(said)) = (&lead.budget, fields::parse_budget(old))
        && (said.min() == budget.min() || said.max() == budget.max())
    {
        return Some(FieldName::Budget);
    }
    if let (Some(timeline), Ok(said)) = (&lead.timeline, fields::parse_timeline(old, today))
        && said == *timeline
    {
        return Some(FieldName::Timeline);
    }
    if mentions(lead.name.as_deref()) {
        return Some(FieldName::Name);
    }
    mentions(lead.company.as_deref()).then_some(FieldName::Company)
}

/// `field`'s value as the lead's JSON has it.
pub(super) fn field_value(lead: &Lead, field: FieldName) -> serde_json::Value {
    serde_json::to_value(lead)
        .ok()
        .and_then(|mut json| json.get_mut(field.as_str()).map(serde_json::Value::take))
        .unwrap_or_default()
}
