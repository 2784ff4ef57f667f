//! Parsing field values, Spanish and English: the one place that decides
//! whether "5k", "$5.000", "5 mil dólares" or "around 10,000 EUR" is a
//! budget. The server validates every value a brain proposes through here,
//! and the local brain finds values in free text with the same parsers.

use crate::lead::{Authority, DecisionPower, FieldName, Lead};
use jiff::civil::Date;

mod authority;
mod email;
mod find;
mod money;
mod names;
mod places;
pub(crate) mod text;
mod timeline;

pub use authority::parse_authority;
pub use email::parse_email;
pub use find::{Topics, find, find_about, find_in_question, stated_need};
pub use money::{parse_budget, said_period};
pub use names::{is_goodbye, parse_company, parse_name, parse_need, parse_profile_name};
pub use places::{dollars_of, pesos_of};
pub use timeline::parse_timeline;

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
        FieldName::Budget => {
            // "sorry, 5k not 3k" after "3k a month in pounds": what the new
            // amount does not say, the known budget did.
            let mut said = parse_budget(raw)?;
            if let Some(known) = &lead.budget {
                said.keep_unsaid(known);
            }
            lead.budget = Some(said);
        }
        FieldName::Authority => {
            // A role said first ("operations director at ...") and who
            // decides said later ("I can approve it myself") make one record.
            // A decision said beats one guessed from a role, in either order.
            let said = parse_authority(raw)?;
            lead.authority = Some(match lead.authority.take() {
                Some(known) => {
                    let keep_known = said.power() == DecisionPower::Unknown
                        || (said.guessed()
                            && !known.guessed()
                            && known.power() != DecisionPower::Unknown);
                    let decided = if keep_known { &known } else { &said };
                    Authority::parsed(
                        said.role().or(known.role()).map(str::to_owned),
                        decided.power(),
                        decided.guessed(),
                    )
                }
                None => said,
            });
        }
        FieldName::Need => lead.need = Some(parse_need(raw)?),
        FieldName::Timeline => lead.timeline = Some(parse_timeline(raw, today)?),
        FieldName::Email => lead.email = Some(parse_email(raw)?),
    }
    Ok(())
}

fn invalid(field: FieldName, reason: &str) -> FieldError {
    FieldError::Invalid {
        field,
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests;
