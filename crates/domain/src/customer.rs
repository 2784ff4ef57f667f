//! Who a conversation is with.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The customer's WhatsApp identity: the phone number (`wa_id`, digits only)
/// or, once Meta rolls out business-scoped user ids, the BSUID.
///
/// `Debug` and `Display` print it masked so it can never reach a log in
/// clear; [`CustomerId::as_str`] is for wire formats and storage only.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CustomerId(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "a customer id must be 1 to 64 characters of letters, digits, '.', '-' or '_' (got {len} characters)"
)]
pub struct InvalidCustomerId {
    len: usize,
}

impl CustomerId {
    /// Parses a `wa_id` (an optional leading `+` is dropped) or a BSUID.
    pub fn parse(raw: &str) -> Result<Self, InvalidCustomerId> {
        let id = raw.strip_prefix('+').unwrap_or(raw);
        let ok = !id.is_empty()
            && id.len() <= 64
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
        if ok {
            Ok(Self(id.to_owned()))
        } else {
            Err(InvalidCustomerId {
                len: raw.chars().count(),
            })
        }
    }

    /// The id in clear, for wire formats and storage keys. Never log it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `+34•••••1234`: enough to tell conversations apart in a log.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

/// Masks an identifier, keeping at most the first two and the last four
/// characters.
pub fn mask(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 6 {
        return "•".repeat(chars.len());
    }
    let head: String = chars[..2].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    let plus = if chars.iter().all(char::is_ascii_digit) {
        "+"
    } else {
        ""
    };
    format!("{plus}{head}{}{tail}", "•".repeat(chars.len() - 6))
}

impl fmt::Debug for CustomerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CustomerId({})", self.masked())
    }
}

impl fmt::Display for CustomerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl TryFrom<String> for CustomerId {
    type Error = InvalidCustomerId;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CustomerId> for String {
    fn from(value: CustomerId) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_are_masked_everywhere_they_could_be_printed() {
        let id = CustomerId::parse("+34600111234").unwrap();
        assert_eq!(id.as_str(), "34600111234");
        assert_eq!(id.to_string(), "+34•••••1234");
        assert_eq!(format!("{id:?}"), "CustomerId(+34•••••1234)");
    }

    #[test]
    fn rejects_what_is_not_an_id() {
        assert!(CustomerId::parse("").is_err());
        assert!(CustomerId::parse("34 600").is_err());
        assert!(CustomerId::parse(&"9".repeat(65)).is_err());
        assert!(CustomerId::parse("US.13491208655302741918").is_ok());
    }
}
