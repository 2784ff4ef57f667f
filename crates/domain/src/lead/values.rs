//! The lead's text values (a person's name, a company, a need, an email
//! address) and a budget's currency, as types: only the field parsers
//! ([`crate::fields`]) make the text ones from what a customer or a model
//! said, so a `Lead` cannot hold a value no parser accepted.
//!
//! Values read back from a store get a structural check only (not empty,
//! trimmed, no control characters, within the parser's length): the
//! parsers' word lists may grow, and what was accepted once must stay
//! readable rather than make a conversation fail to load.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A stored or given value that cannot be one of these types.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid {what}: {reason}")]
pub struct InvalidValue {
    what: &'static str,
    reason: &'static str,
}

impl InvalidValue {
    pub(super) fn new(what: &'static str, reason: &'static str) -> Self {
        Self { what, reason }
    }
}

/// The structural check of a stored text: not empty, trimmed, no control
/// characters, at most `max_chars`.
pub(super) fn check(value: &str, what: &'static str, max_chars: usize) -> Result<(), InvalidValue> {
    let invalid = |reason| Err(InvalidValue::new(what, reason));
    if value.trim().is_empty() {
        invalid("it is empty")
    } else if value.trim() != value {
        invalid("it has blanks around it")
    } else if value.chars().any(char::is_control) {
        invalid("it has control characters")
    } else if value.chars().count() > max_chars {
        invalid("it is too long")
    } else {
        Ok(())
    }
}

/// One text value type: a `String` that only its parser makes (`parsed`,
/// crate-private) and a store reads back through `TryFrom` with the
/// structural check. Written as a macro because the four differ only in
/// name and length; `nutype` would do it with a proc-macro and a public
/// constructor, which is what this keeps crate-private.
macro_rules! text_value {
    ($(#[$doc:meta])* $name:ident, $what:literal, $max_chars:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The longest value the parser accepts, in characters.
            pub const MAX_CHARS: usize = $max_chars;

            /// Wraps what the field's parser accepted.
            pub(crate) fn parsed(value: String) -> Self {
                debug_assert!(check(&value, $what, Self::MAX_CHARS).is_ok(), "{value:?}");
                Self(value)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidValue;
            fn try_from(value: String) -> Result<Self, InvalidValue> {
                check(&value, $what, Self::MAX_CHARS)?;
                Ok(Self(value))
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

text_value!(
    /// A person's name, capitalised ("Ana María"): what the customer said,
    /// or their WhatsApp profile name when it reads as one.
    PersonName,
    "name",
    60
);
text_value!(
    /// A company's name as the customer wrote it ("ACME S.A. de C.V.").
    CompanyName,
    "company name",
    80
);
text_value!(
    /// What the customer wants, in their words.
    Need,
    "need",
    300
);
text_value!(
    /// An email address, lower-cased (the calendar invitation's); at most
    /// what SMTP carries (RFC 5321's path limit).
    Email,
    "email address",
    254
);

/// An ISO 4217 currency ("USD", "MXN"). The list is `iso_currency`'s;
/// stored and sent as its three-letter code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(iso_currency::Currency);

impl Currency {
    /// A three-letter ISO 4217 code, in any case ("usd" is USD).
    pub fn parse(code: &str) -> Result<Self, InvalidValue> {
        iso_currency::Currency::from_code(&code.trim().to_ascii_uppercase())
            .map(Self)
            .ok_or(InvalidValue::new("currency", "it is not an ISO 4217 code"))
    }

    /// Its three-letter code.
    pub fn code(self) -> &'static str {
        self.0.code()
    }

    /// Whether it is one of the currencies called "pesos" (so a customer's
    /// bare "pesos" may mean it).
    pub fn is_peso(self) -> bool {
        use iso_currency::Currency::{ARS, CLP, COP, CUP, DOP, MXN, PHP, UYU};
        matches!(self.0, ARS | CLP | COP | CUP | DOP | MXN | PHP | UYU)
    }
}

impl std::str::FromStr for Currency {
    type Err = InvalidValue;
    fn from_str(code: &str) -> Result<Self, InvalidValue> {
        Self::parse(code)
    }
}

impl TryFrom<String> for Currency {
    type Error = InvalidValue;
    fn try_from(code: String) -> Result<Self, InvalidValue> {
        Self::parse(&code)
    }
}

impl From<Currency> for String {
    fn from(currency: Currency) -> String {
        currency.code().to_owned()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_values_are_read_back_with_a_structural_check() {
        let name: PersonName = serde_json::from_str("\"Ana María\"").unwrap();
        assert_eq!(name, "Ana María");
        assert_eq!(serde_json::to_string(&name).unwrap(), "\"Ana María\"");
        for bad in ["\"\"", "\" Ana\"", "\"Ana\\nMaría\""] {
            assert!(serde_json::from_str::<PersonName>(bad).is_err(), "{bad}");
        }
        let long = format!("\"{}\"", "a".repeat(PersonName::MAX_CHARS + 1));
        assert!(serde_json::from_str::<PersonName>(&long).is_err());
        assert!(serde_json::from_str::<Need>(&format!("\"{}\"", "a".repeat(300))).is_ok());
    }

    #[test]
    fn currencies_are_iso_4217_codes() {
        assert_eq!(Currency::parse("usd").unwrap().code(), "USD");
        assert_eq!("MXN".parse::<Currency>().unwrap().to_string(), "MXN");
        for bad in ["US", "XYZ", "dollars", ""] {
            assert!(Currency::parse(bad).is_err(), "{bad}");
        }
        let eur: Currency = serde_json::from_str("\"EUR\"").unwrap();
        assert_eq!(serde_json::to_string(&eur).unwrap(), "\"EUR\"");
        assert!(serde_json::from_str::<Currency>("\"EURO\"").is_err());
        let peso = |code: &str| Currency::parse(code).unwrap().is_peso();
        assert!(peso("ARS") && peso("MXN") && peso("COP"));
        assert!(!peso("USD") && !peso("EUR"));
    }
}
