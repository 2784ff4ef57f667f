//! When the customer wants to buy.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

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
