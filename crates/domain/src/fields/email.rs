//! Email addresses, for the calendar invitation. A pattern, not RFC 5322:
//! what customers type on WhatsApp is `name@company.tld`, and an address
//! Google Calendar cannot invite is better refused here than at booking.

use super::{FieldError, invalid, text};
use crate::lead::{Email, FieldName};
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?i)\b[a-z0-9][a-z0-9._%+-]{0,63}@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}\b",
    )
});

/// An address alone (surrounding blanks and a `mailto:` allowed),
/// lower-cased.
pub fn parse_email(raw: &str) -> Result<Email, FieldError> {
    let raw = raw.trim();
    let raw = raw.strip_prefix("mailto:").unwrap_or(raw);
    let whole = ADDRESS
        .find(raw)
        .is_some_and(|m| m.start() == 0 && m.end() == raw.len());
    if !whole || raw.len() > Email::MAX_CHARS || raw.contains("..") {
        return Err(invalid(FieldName::Email, "not an email address"));
    }
    Ok(Email::parsed(raw.to_lowercase()))
}

impl std::str::FromStr for Email {
    type Err = FieldError;
    fn from_str(raw: &str) -> Result<Self, FieldError> {
        parse_email(raw)
    }
}

/// Where an address is in free text.
pub(super) fn locate(text: &str) -> Option<Range<usize>> {
    ADDRESS
        .find_iter(text)
        .map(|m| m.range())
        .find(|span| parse_email(&text[span.clone()]).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_read_and_lower_cased() {
        for (raw, address) in [
            ("ana@acme.com", "ana@acme.com"),
            (
                " Ana.Lopez+ventas@Acme.com.mx ",
                "ana.lopez+ventas@acme.com.mx",
            ),
            (
                "mailto:carlos@ferreteria-lopez.mx",
                "carlos@ferreteria-lopez.mx",
            ),
        ] {
            assert_eq!(parse_email(raw).as_deref(), Ok(address), "{raw}");
        }
    }

    #[test]
    fn what_is_not_an_address_is_refused() {
        for raw in [
            "ana",
            "ana@",
            "@acme.com",
            "ana@acme",
            "ana@@acme.com",
            "ana at acme.com",
            "ana..lopez@acme.com",
            "mi correo es ana@acme.com",
            "ana@acme.c",
        ] {
            assert!(parse_email(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn an_address_is_found_in_a_sentence() {
        let text = "claro, mándala a carlos@ferreteria-lopez.mx por favor";
        let span = locate(text).unwrap();
        assert_eq!(&text[span], "carlos@ferreteria-lopez.mx");
        assert_eq!(locate("my email is ana at acme dot com"), None);
    }
}
