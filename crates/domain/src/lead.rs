//! The lead: what Leadline learns about a customer (BANT plus who they are).
//! Every value is typed and only built by parsing (see [`crate::fields`]).

use serde::{Deserialize, Serialize};
use std::fmt;

mod authority;
mod budget;
mod timeline;
mod values;

pub use authority::{Authority, DecisionPower};
pub use budget::{Budget, BudgetPeriod};
pub use timeline::{Deadline, Timeline};
pub use values::{CompanyName, Currency, Email, InvalidValue, Need, PersonName};

/// A field a playbook can collect. The server owns the set, so a model can
/// only ever propose values for these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldName {
    Name,
    Company,
    Budget,
    Authority,
    Need,
    Timeline,
    /// Where the calendar invitation goes: collected when the customer
    /// gives it (or a playbook asks for it).
    Email,
}

impl FieldName {
    pub const ALL: [FieldName; 7] = [
        FieldName::Name,
        FieldName::Company,
        FieldName::Budget,
        FieldName::Authority,
        FieldName::Need,
        FieldName::Timeline,
        FieldName::Email,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FieldName::Name => "name",
            FieldName::Company => "company",
            FieldName::Budget => "budget",
            FieldName::Authority => "authority",
            FieldName::Need => "need",
            FieldName::Timeline => "timeline",
            FieldName::Email => "email",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

impl fmt::Display for FieldName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What Leadline knows about the customer so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lead {
    pub name: Option<PersonName>,
    pub company: Option<CompanyName>,
    pub budget: Option<Budget>,
    pub authority: Option<Authority>,
    pub need: Option<Need>,
    pub timeline: Option<Timeline>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
}

impl Lead {
    /// Whether what the customer says may still add to `field`: it is
    /// unknown, or it is an authority with no role, or whose decision
    /// power is unknown or only guessed from the role.
    pub fn open(&self, field: FieldName) -> bool {
        match field {
            FieldName::Authority => self.authority.as_ref().is_none_or(|a| {
                a.power() == DecisionPower::Unknown || a.role().is_none() || a.guessed()
            }),
            other => !self.has(other),
        }
    }

    pub fn has(&self, field: FieldName) -> bool {
        match field {
            FieldName::Name => self.name.is_some(),
            FieldName::Company => self.company.is_some(),
            FieldName::Budget => self.budget.is_some(),
            FieldName::Authority => self.authority.is_some(),
            FieldName::Need => self.need.is_some(),
            FieldName::Timeline => self.timeline.is_some(),
            FieldName::Email => self.email.is_some(),
        }
    }
}
