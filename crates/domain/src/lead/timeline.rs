//! When the customer wants to buy, as a type: only the timeline parser
//! ([`crate::fields::parse_timeline`], or `Timeline::parse`) makes a
//! [`Deadline`], so its date is always one read from what was said.

use super::values::InvalidValue;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// When the customer wants to buy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Timeline {
    /// "ASAP", "ya", "lo antes posible".
    Asap,
    /// A date, or the start of the period named ("next month" → its first day).
    By(Deadline),
    /// "just looking", "no hay prisa".
    Undecided,
}

/// The date a timeline names, with the words that named it.
///
/// Read back from a store through `Stored`'s structural check: `said` is
/// not blank, has no blanks around it and is no longer than
/// [`Deadline::MAX_SAID_CHARS`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Stored")]
pub struct Deadline {
    date: Date,
    said: String,
}

impl Deadline {
    /// The longest `said`: the parser reads a proposal only up to this
    /// many bytes.
    pub const MAX_SAID_CHARS: usize = 600;

    /// The date the parser read from `said` (already trimmed, its blanks
    /// collapsed).
    pub(crate) fn parsed(date: Date, said: String) -> Self {
        let deadline = Self { date, said };
        debug_assert!(deadline.check().is_ok(), "{deadline:?}");
        deadline
    }

    /// The day, or the first day of the period named.
    pub fn date(&self) -> Date {
        self.date
    }

    /// The customer's words for it ("next month", "antes de Navidad").
    pub fn said(&self) -> &str {
        &self.said
    }

    fn check(&self) -> Result<(), InvalidValue> {
        let invalid = |reason| Err(InvalidValue::new("timeline", reason));
        if self.said.trim().is_empty() {
            invalid("it does not say what was said")
        } else if self.said.trim() != self.said {
            invalid("what was said has blanks around it")
        } else if self.said.chars().count() > Self::MAX_SAID_CHARS {
            invalid("what was said is too long")
        } else {
            Ok(())
        }
    }
}

/// A timeline's date as a store holds it, before the check.
#[derive(Deserialize)]
struct Stored {
    date: Date,
    said: String,
}

impl TryFrom<Stored> for Deadline {
    type Error = InvalidValue;
    fn try_from(stored: Stored) -> Result<Self, InvalidValue> {
        let deadline = Self {
            date: stored.date,
            said: stored.said,
        };
        deadline.check()?;
        Ok(deadline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn a_stored_timeline_reads_back_as_it_was_written() {
        for json in [
            r#"{"kind":"asap"}"#,
            r#"{"kind":"undecided"}"#,
            r#"{"kind":"by","date":"2026-02-01","said":"el mes que viene"}"#,
        ] {
            let timeline: Timeline = serde_json::from_str(json).expect(json);
            assert_eq!(serde_json::to_string(&timeline).unwrap(), json);
        }
        let parsed = Timeline::parse("next month", date(2026, 1, 10)).unwrap();
        let json = serde_json::to_string(&parsed).unwrap();
        assert_eq!(serde_json::from_str::<Timeline>(&json).unwrap(), parsed);
    }

    #[test]
    fn a_stored_timeline_of_a_shape_no_parser_makes_is_refused() {
        let long = format!(
            r#"{{"kind":"by","date":"2026-02-01","said":"{}"}}"#,
            "a".repeat(Deadline::MAX_SAID_CHARS + 1)
        );
        for json in [
            r#"{"kind":"by","date":"2026-02-01","said":""}"#,
            r#"{"kind":"by","date":"2026-02-01","said":"  "}"#,
            r#"{"kind":"by","date":"2026-02-01","said":" next month"}"#,
            r#"{"kind":"by","date":"2026-02-01"}"#,
            r#"{"kind":"by","date":"2026-02-31","said":"next month"}"#,
            r#"{"kind":"by","said":"next month"}"#,
            r#"{"kind":"soon"}"#,
            &long,
        ] {
            assert!(serde_json::from_str::<Timeline>(json).is_err(), "{json}");
        }
    }
}
