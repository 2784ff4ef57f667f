//! Who decides: the customer's role and whether they can decide.

use serde::{Deserialize, Serialize};

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
