//! Reading the captured words of a timeline: years, units, ordinals,
//! counts, month and weekday names. Apart from the date arithmetic that
//! uses them, as each is only a lookup of one word.

use super::{NOT_A_DATE, text};
use crate::language::fold;
use crate::words::{month_named, weekday_named};
use jiff::civil::Weekday;
/// "2027" or "27" (this century).
pub(super) fn full_year(raw: &str) -> Result<i16, &'static str> {
    let year: i16 = raw.parse().map_err(|_| NOT_A_DATE)?;
    Ok(if raw.len() == 2 { 2000 + year } else { year })
}

#[derive(Clone, Copy)]
pub(super) enum Unit {
    Day,
    Week,
    Month,
    Quarter,
    Half,
    Year,
}

pub(super) fn unit(raw: Option<&str>) -> Unit {
    let lower = raw.unwrap_or_default().to_lowercase();
    if lower.starts_with("semes") {
        return Unit::Half;
    }
    match lower.chars().next() {
        Some('d') => Unit::Day,
        Some('h') => Unit::Half,
        Some('w' | 's') => Unit::Week,
        Some('m') => Unit::Month,
        Some('q' | 't') => Unit::Quarter,
        _ => Unit::Year,
    }
}

/// `count` of the unit `raw` names, in a [`Unit`]: a fortnight ("una
/// quincena"), which no unit is, counts as two weeks.
pub(super) fn counted(count: i64, raw: Option<&str>) -> (i64, Unit) {
    let lower = raw.unwrap_or_default().to_lowercase();
    if lower.starts_with("fortnight") || lower.starts_with("quincena") {
        (count * 2, Unit::Week)
    } else {
        (count, unit(raw))
    }
}

pub(super) fn ordinal(raw: Option<&str>) -> Option<i8> {
    let lower = raw?.to_lowercase();
    if let Some(digit) = lower.chars().next().and_then(|c| c.to_digit(10)) {
        return i8::try_from(digit).ok().filter(|d| (1..=4).contains(d));
    }
    match lower.as_str() {
        "first" | "primer" | "primero" | "primera" => Some(1),
        "second" | "segundo" | "segunda" => Some(2),
        "third" | "tercer" | "tercero" => Some(3),
        "fourth" | "cuarto" => Some(4),
        _ => None,
    }
}

/// "3", "three", "a couple of", "unos pocos".
pub(super) fn period_count(raw: &str) -> Option<i64> {
    let lower = text::collapse_spaces(&raw.to_lowercase());
    let count = match lower.as_str() {
        "a couple of" | "a couple" | "couple of" | "couple" | "un par de" | "par de" => 2,
        "a few" | "few" | "unos pocos" | "unas pocas" | "unos" | "unas" => 3,
        digits if digits.bytes().all(|b| b.is_ascii_digit()) => digits.parse().ok()?,
        word => text::word_value(word)?,
    };
    (count > 0).then_some(i64::from(count))
}

pub(super) fn month_number(raw: Option<&str>) -> Option<i8> {
    match fold(raw?).trim_end_matches('.') {
        // Read only next to a day number ("Mar 15"), where it is March.
        "mar" => Some(3),
        word => month_named(word),
    }
}

pub(super) fn weekday(raw: Option<&str>) -> Option<Weekday> {
    weekday_named(&fold(raw?))
}
