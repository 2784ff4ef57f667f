//! A budget and the period its amount is for.

use super::values::Currency;
use serde::{Deserialize, Serialize};

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
