//! Parsing field values, Spanish and English: the one place that decides
//! whether "5k", "$5.000", "5 mil dólares" or "around 10,000 EUR" is a
//! budget. The server validates every value a brain proposes through here,
//! and the local brain finds values in free text with the same parsers.

use crate::lead::{Authority, Budget, FieldName, Lead, Timeline};
use jiff::civil::Date;

/// Why a proposed value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    #[error("{field} is empty")]
    Empty { field: FieldName },
    #[error("{field} could not be understood: {reason}")]
    Invalid { field: FieldName, reason: String },
}

/// Parses one proposed value and stores it in the lead.
/// `today` anchors relative timelines ("next month") in the business's zone.
pub fn apply(lead: &mut Lead, field: FieldName, raw: &str, today: Date) -> Result<(), FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(FieldError::Empty { field });
    }
    match field {
        FieldName::Name => lead.name = Some(parse_name(raw)?),
        FieldName::Company => lead.company = Some(parse_company(raw)?),
        FieldName::Budget => lead.budget = Some(parse_budget(raw)?),
        FieldName::Authority => lead.authority = Some(parse_authority(raw)?),
        FieldName::Need => lead.need = Some(parse_need(raw)?),
        FieldName::Timeline => lead.timeline = Some(parse_timeline(raw, today)?),
    }
    Ok(())
}

pub fn parse_name(raw: &str) -> Result<String, FieldError> {
    todo_invalid(FieldName::Name, raw)
}

pub fn parse_company(raw: &str) -> Result<String, FieldError> {
    todo_invalid(FieldName::Company, raw)
}

pub fn parse_need(raw: &str) -> Result<String, FieldError> {
    todo_invalid(FieldName::Need, raw)
}

pub fn parse_budget(raw: &str) -> Result<Budget, FieldError> {
    todo_invalid(FieldName::Budget, raw)
}

pub fn parse_authority(raw: &str) -> Result<Authority, FieldError> {
    todo_invalid(FieldName::Authority, raw)
}

pub fn parse_timeline(raw: &str, _today: Date) -> Result<Timeline, FieldError> {
    todo_invalid(FieldName::Timeline, raw)
}

// Placeholder while the parsers are written; replaced, not kept.
fn todo_invalid<T>(field: FieldName, _raw: &str) -> Result<T, FieldError> {
    Err(FieldError::Invalid { field, reason: "not implemented yet".into() })
}
