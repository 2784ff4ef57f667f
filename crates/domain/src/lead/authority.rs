//! Who decides, as a type: only the authority parser
//! ([`crate::fields::parse_authority`], or `"I'm the CEO".parse()`) makes
//! one, so the role is always text a customer wrote and cut as a role.

use super::values::{self, InvalidValue};
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

/// The customer's role and whether they decide.
///
/// Read back from a store through `Stored`'s structural check: a role
/// that is not empty, trimmed, free of control characters and no longer
/// than [`Authority::MAX_ROLE_CHARS`]; and a role or a known power.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Stored")]
pub struct Authority {
    /// The role as the customer put it ("CEO", "gerente de compras").
    role: Option<String>,
    power: DecisionPower,
    /// The power was guessed from the role ("owner" decides), not said: a
    /// later "my partner has to ok it" replaces it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    guessed: bool,
}

impl Authority {
    /// The longest role: it is cut from a proposal the parser reads only
    /// up to this many bytes.
    pub const MAX_ROLE_CHARS: usize = 600;

    /// What the parser read: a role, a power, and whether the power was
    /// only guessed from the role.
    pub(crate) fn parsed(role: Option<String>, power: DecisionPower, guessed: bool) -> Self {
        let authority = Self {
            role,
            power,
            guessed,
        };
        debug_assert!(authority.check().is_ok(), "{authority:?}");
        authority
    }

    /// The role as the customer put it ("CEO", "gerente de compras").
    pub fn role(&self) -> Option<&str> {
        self.role.as_deref()
    }

    pub fn power(&self) -> DecisionPower {
        self.power
    }

    /// The power was guessed from the role ("owner" decides), not said.
    pub fn guessed(&self) -> bool {
        self.guessed
    }

    fn check(&self) -> Result<(), InvalidValue> {
        match &self.role {
            Some(role) => values::check(role, "role", Self::MAX_ROLE_CHARS),
            None if self.power == DecisionPower::Unknown => Err(InvalidValue::new(
                "authority",
                "it has neither a role nor who decides",
            )),
            None => Ok(()),
        }
    }
}

/// An authority as a store holds it, before the check.
#[derive(Deserialize)]
struct Stored {
    role: Option<String>,
    power: DecisionPower,
    #[serde(default)]
    guessed: bool,
}

impl TryFrom<Stored> for Authority {
    type Error = InvalidValue;
    fn try_from(stored: Stored) -> Result<Self, InvalidValue> {
        let authority = Self {
            role: stored.role,
            power: stored.power,
            guessed: stored.guessed,
        };
        authority.check()?;
        Ok(authority)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_authority_reads_back_as_it_was_written() {
        for json in [
            r#"{"role":"gerente de compras","power":"needs_approval"}"#,
            r#"{"role":"CEO","power":"decision_maker","guessed":true}"#,
            r#"{"role":null,"power":"decision_maker"}"#,
            r#"{"role":"analyst","power":"unknown"}"#,
        ] {
            let authority: Authority = serde_json::from_str(json).expect(json);
            assert_eq!(serde_json::to_string(&authority).unwrap(), json);
        }
        let parsed: Authority = "soy la dueña, decido yo".parse().unwrap();
        let json = serde_json::to_string(&parsed).unwrap();
        assert_eq!(serde_json::from_str::<Authority>(&json).unwrap(), parsed);
    }

    #[test]
    fn a_stored_authority_of_a_shape_no_parser_makes_is_refused() {
        let long = format!(
            r#"{{"role":"{}","power":"unknown"}}"#,
            "a".repeat(Authority::MAX_ROLE_CHARS + 1)
        );
        for json in [
            r#"{"role":"","power":"unknown"}"#,
            r#"{"role":" CEO","power":"unknown"}"#,
            r#"{"role":"CEO\n","power":"unknown"}"#,
            r#"{"role":"C\u0000EO","power":"unknown"}"#,
            r#"{"role":null,"power":"unknown"}"#,
            r#"{"role":"CEO","power":"emperor"}"#,
            &long,
        ] {
            assert!(serde_json::from_str::<Authority>(json).is_err(), "{json}");
        }
        let longest = format!(
            r#"{{"role":"{}","power":"unknown"}}"#,
            "a".repeat(Authority::MAX_ROLE_CHARS)
        );
        assert!(serde_json::from_str::<Authority>(&longest).is_ok());
    }
}
