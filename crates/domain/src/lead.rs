//! The lead: what Leadline learns about a customer (BANT plus who they are).
//! Every value is typed and only built by parsing (see [`crate::fields`]).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::fmt;

mod values;

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

/// A budget: an amount ("5k"), a range ("between 5 and 10 thousand") or a
/// bound ("up to 2,000 EUR", "at least 1000"). `approximate` records
/// "around"/"unos"/"aprox.".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Budget {
    pub min: Option<u64>,
    pub max: Option<u64>,
    pub currency: Option<Currency>,
    pub approximate: bool,
    /// What the amount covers, when the customer said ("al mes", "a year",
    /// "one-off"): 12,000 a year is not 12,000 a month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<BudgetPeriod>,
    /// The customer named no currency: `currency`, when set, is the
    /// business's. Bare "pesos" names one, if not whose, so it is not
    /// assumed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub currency_assumed: bool,
}

/// The period a budget's amount is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetPeriod {
    Month,
    Year,
    /// A one-off amount ("pago único", "one-time").
    Once,
}

/// Whether the person can decide the purchase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionPower {
    /// "I decide", "decido yo", "I'm the owner".
    DecisionMaker,
    /// "I need to ask my boss", "lo tengo que consultar".
    NeedsApproval,
    /// A role was given but it does not say who decides.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authority {
    /// The role as the customer put it ("CEO", "gerente de compras").
    pub role: Option<String>,
    pub power: DecisionPower,
    /// The power was guessed from the role ("owner" decides), not said: a
    /// later "my partner has to ok it" replaces it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub guessed: bool,
}

/// When the customer wants to buy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Timeline {
    /// "ASAP", "ya", "lo antes posible".
    Asap,
    /// A date, or the start of the period named ("next month" → its first day).
    By { date: Date, said: String },
    /// "just looking", "no hay prisa".
    Undecided,
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
            FieldName::Authority => self
                .authority
                .as_ref()
                .is_none_or(|a| a.power == DecisionPower::Unknown || a.role.is_none() || a.guessed),
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
