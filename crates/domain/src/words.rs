//! Word lists written as text: what the field parsers and the language
//! detector both look words up in. A module of its own so the two depend
//! on it and not on each other.

use jiff::civil::Weekday;
use std::sync::OnceLock;

/// A word list written as one space-separated string, so long lists read
/// as a paragraph rather than one word per line; sorted on first use and
/// then binary-searched, so a lookup allocates nothing.
pub(crate) struct Words {
    list: &'static str,
    sorted: OnceLock<Vec<&'static str>>,
}

impl Words {
    pub(crate) const fn new(list: &'static str) -> Self {
        Self {
            list,
            sorted: OnceLock::new(),
        }
    }

    /// Whether `word`, already lowercased, is in the list.
    pub(crate) fn contains(&self, word: &str) -> bool {
        self.sorted
            .get_or_init(|| {
                let mut words: Vec<&'static str> = self.list.split_whitespace().collect();
                words.sort_unstable();
                words.dedup();
                words
            })
            .binary_search(&word)
            .is_ok()
    }
}

/// The month a folded word names, in Spanish or English, whole or
/// abbreviated ("setiembre", "sept", "dic"): one vocabulary for the dates
/// of timelines and of picked slots. Not "mar", Tuesday in a Spanish slot
/// title as much as March: a caller that knows which it is says so.
pub(crate) fn month_named(word: &str) -> Option<i8> {
    Some(match word {
        "enero" | "january" | "jan" | "ene" => 1,
        "febrero" | "february" | "feb" => 2,
        "marzo" | "march" => 3,
        "abril" | "april" | "apr" | "abr" => 4,
        "mayo" | "may" => 5,
        "junio" | "june" | "jun" => 6,
        "julio" | "july" | "jul" => 7,
        "agosto" | "august" | "aug" | "ago" => 8,
        "septiembre" | "setiembre" | "september" | "sep" | "sept" => 9,
        "octubre" | "october" | "oct" => 10,
        "noviembre" | "november" | "nov" => 11,
        "diciembre" | "december" | "dec" | "dic" => 12,
        _ => return None,
    })
}

/// The weekday a folded word names, in Spanish or English, whole or
/// abbreviated ("miercoles", "thurs").
pub(crate) fn weekday_named(word: &str) -> Option<Weekday> {
    Some(match word {
        "lunes" | "monday" | "mon" => Weekday::Monday,
        "martes" | "tuesday" | "tue" | "tues" => Weekday::Tuesday,
        "miercoles" | "wednesday" | "wed" => Weekday::Wednesday,
        "jueves" | "thursday" | "thu" | "thur" | "thurs" => Weekday::Thursday,
        "viernes" | "friday" | "fri" => Weekday::Friday,
        "sabado" | "saturday" | "sat" => Weekday::Saturday,
        "domingo" | "sunday" | "sun" => Weekday::Sunday,
        _ => return None,
    })
}
