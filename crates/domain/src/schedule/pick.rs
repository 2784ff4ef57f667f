//! Which offered slot, or which time, a customer's reply picks.

use super::{Slot, local};
use crate::words::{month_named, weekday_named};
use jiff::Zoned;
use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// What a customer's reply to a slot offer picks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick {
    /// One of the offered slots.
    Slot(Slot),
    /// A time that was not offered: the caller checks whether it is free.
    Time(Zoned),
    /// Nothing recognisable as a time or a choice.
    None,
}

/// Reads a reply to a slot offer: a list reply's id, or free text in Spanish
/// or English ("el martes a las 10", "tomorrow 3pm", "la primera", "at 11").
///
/// A handful of rules rather than a date-parsing crate: the crates read
/// whole dates ("2025-12-02", "next Tuesday") in English, while customers
/// write partial, Spanish, relative times that only make sense against the
/// slots just offered. An hour from 1 to 7 with no "am"/"de la mañana" is
/// taken as the afternoon: nobody books a sales call at 4 in the morning.
pub fn read_pick(text: &str, offered: &[Slot], now: Timestamp, tz: &TimeZone) -> Pick {
    let trimmed = text.trim();
    if let Some(slot) = offered.iter().find(|s| s.id() == trimmed) {
        return Pick::Slot(slot.clone());
    }
    let reading = Reading::of(&tokens(trimmed));
    let today = now.to_zoned(tz.clone()).date();
    let Some(time) = reading.time() else {
        return match reading.ordinal {
            Some(Ordinal::Nth(n)) => n
                .checked_sub(1)
                .and_then(|i| offered.get(i))
                .map_or(Pick::None, |s| Pick::Slot(s.clone())),
            Some(Ordinal::Last) => offered.last().map_or(Pick::None, |s| Pick::Slot(s.clone())),
            None => Pick::None,
        };
    };
    let offered_at = |date: Option<Date>| {
        offered.iter().find(|s| {
            s.start.time() == time
                && date.is_none_or(|d| s.start.date() == d)
                && s.start.timestamp() > now
        })
    };
    let date = match reading.day {
        Some(DayRef::Offset(n)) => today.checked_add(n.days()).ok(),
        Some(DayRef::Weekday(weekday)) => offered
            .iter()
            .map(|s| s.start.date())
            .filter(|d| d.weekday() == weekday && *d >= today)
            .min()
            .or_else(|| {
                // "Tuesday at 10" said on a Tuesday after 10 means next week.
                let date = next_weekday(today, weekday)?;
                let passed = date == today
                    && local(tz, date.to_datetime(time)).is_none_or(|z| z.timestamp() <= now);
                if passed {
                    date.checked_add(7.days()).ok()
                } else {
                    Some(date)
                }
            }),
        Some(DayRef::Date { month, day }) => calendar_date(today, month, day),
        None => {
            if let Some(slot) = offered_at(None) {
                return Pick::Slot(slot.clone());
            }
            let later_today =
                local(tz, today.to_datetime(time)).is_some_and(|z| z.timestamp() > now);
            if later_today {
                Some(today)
            } else {
                today.tomorrow().ok()
            }
        }
    };
    let Some(date) = date else {
        return Pick::None;
    };
    if let Some(slot) = offered_at(Some(date)) {
        return Pick::Slot(slot.clone());
    }
    match tz.to_ambiguous_zoned(date.to_datetime(time)).compatible() {
        Ok(zoned) => Pick::Time(zoned),
        Err(_) => Pick::None,
    }
}

/// The first `weekday` on or after `today`.
fn next_weekday(today: Date, weekday: Weekday) -> Option<Date> {
    let ahead = (weekday.to_monday_zero_offset() - today.weekday().to_monday_zero_offset() + 7) % 7;
    today.checked_add(i64::from(ahead).days()).ok()
}

/// The next `day` of `month` on or after `today` (this year or the next).
fn calendar_date(today: Date, month: i8, day: i8) -> Option<Date> {
    let this_year = Date::new(today.year(), month, day).ok();
    match this_year {
        Some(date) if date >= today => Some(date),
        _ => Date::new(today.year().checked_add(1)?, month, day).ok(),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    /// A number, with minutes when written "9:30", and whether an English
    /// ordinal suffix ("3rd") followed it.
    Num {
        value: u32,
        minute: Option<u32>,
        ordinal: bool,
    },
}

impl Token {
    fn is(&self, words: &[&str]) -> bool {
        matches!(self, Token::Word(w) if words.contains(&w.as_str()))
    }
}

/// Lower case, accents folded, punctuation (but ':') dropped, and digits
/// split from letters ("3pm" → "3" "pm", "p.m." → "pm").
fn tokens(text: &str) -> Vec<Token> {
    let folded: String = text
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' => 'a',
            'é' | 'è' => 'e',
            'í' => 'i',
            'ó' => 'o',
            'ú' | 'ü' => 'u',
            'ñ' => 'n',
            c if c.is_alphanumeric() || c == ':' => c,
            _ => ' ',
        })
        .collect();
    let mut out: Vec<Token> = Vec::new();
    for word in folded.split_whitespace() {
        let mut rest = word;
        while !rest.is_empty() {
            // A ':' only belongs to a time ("10:30"): after letters
            // ("chat:") it separates words.
            if let Some(tail) = rest.strip_prefix(':') {
                rest = tail;
                continue;
            }
            let digits = rest.starts_with(|c: char| c.is_ascii_digit());
            let end = rest
                .find(|c: char| (c.is_ascii_digit() || c == ':') != digits)
                .unwrap_or(rest.len());
            let (piece, tail) = rest.split_at(end);
            rest = tail;
            if digits {
                out.push(number(piece));
            } else if matches!(piece, "st" | "nd" | "rd" | "th")
                && let Some(Token::Num { ordinal, .. }) = out.last_mut()
            {
                *ordinal = true;
            } else if !piece.is_empty() && piece != ":" {
                out.push(Token::Word(piece.to_owned()));
            }
        }
    }
    // "p m" / "a m" from "p.m." / "a.m.", only right after a number.
    let mut merged: Vec<Token> = Vec::with_capacity(out.len());
    let mut i = 0;
    while i < out.len() {
        let after_number = matches!(merged.last(), Some(Token::Num { .. }));
        if after_number && out[i].is(&["p", "a"]) && out.get(i + 1).is_some_and(|t| t.is(&["m"])) {
            let meridiem = if out[i].is(&["p"]) { "pm" } else { "am" };
            merged.push(Token::Word(meridiem.to_owned()));
            i += 2;
        } else {
            merged.push(out[i].clone());
            i += 1;
        }
    }
    merged
}

fn number(piece: &str) -> Token {
    let mut parts = piece.split(':').filter(|p| !p.is_empty());
    let value = parts
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or(u32::MAX);
    let minute = parts.next().and_then(|p| p.parse().ok());
    Token::Num {
        value,
        minute,
        ordinal: false,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DayRef {
    Offset(i64),
    Weekday(Weekday),
    Date { month: i8, day: i8 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meridiem {
    Am,
    Pm,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ordinal {
    Nth(usize),
    Last,
}

/// What the words of a reply say, before it is resolved against a date.
#[derive(Debug, Default)]
struct Reading {
    day: Option<DayRef>,
    hour: Option<u32>,
    minute: u32,
    meridiem: Option<Meridiem>,
    ordinal: Option<Ordinal>,
}

const TIME_BEFORE: [&str; 6] = ["las", "la", "at", "around", "about", "by"];
const TIME_AFTER: [&str; 9] = [
    "am", "pm", "h", "hs", "hrs", "hr", "horas", "hora", "oclock",
];
const DAY_WORDS: [&str; 4] = ["hoy", "today", "tomorrow", "manana"];
/// After an ordinal, a span of the year: "el segundo trimestre", "the 3rd
/// week" are timelines, not a pick of the second or third slot.
const PERIODS: [&str; 12] = [
    "trimestre",
    "semestre",
    "quarter",
    "half",
    "semana",
    "week",
    "mes",
    "month",
    "quincena",
    "ano",
    "year",
    "bimestre",
];

impl Reading {
    fn of(tokens: &[Token]) -> Reading {
        let mut r = Reading::default();
        let word = |i: usize| match tokens.get(i) {
            Some(Token::Word(w)) => w.as_str(),
            _ => "",
        };
        let mut date_numbers = Vec::new();
        for (i, token) in tokens.iter().enumerate() {
            let prev = i.checked_sub(1).map_or("", word);
            let Token::Word(w) = token else { continue };
            if let Some(month) = month_named(w) {
                let day = date_day(tokens, i);
                if let Some((day, at)) = day {
                    r.day = Some(DayRef::Date { month, day });
                    date_numbers.extend(at);
                }
                continue;
            }
            if let Some(weekday) = weekday_named(w) {
                r.day = Some(DayRef::Weekday(weekday));
                continue;
            }
            if let Some(n) = ordinal_of(w)
                && !(w == "cuarto" && matches!(prev, "y" | "menos"))
                && !(matches!(w.as_str(), "primero" | "primer") && word(i + 1) == "de")
                && !PERIODS.contains(&word(i + 1))
            {
                r.ordinal = Some(n);
                continue;
            }
            match w.as_str() {
                "hoy" | "today" => r.day = Some(DayRef::Offset(0)),
                "tonight" => {
                    r.day = Some(DayRef::Offset(0));
                    r.meridiem = Some(Meridiem::Pm);
                }
                "tomorrow" if prev == "after" => r.day = Some(DayRef::Offset(2)),
                "tomorrow" => r.day = Some(DayRef::Offset(1)),
                "manana" if prev == "pasado" => r.day = Some(DayRef::Offset(2)),
                "manana" if matches!(prev, "la" | "morning") => r.meridiem = Some(Meridiem::Am),
                "manana" => r.day = Some(DayRef::Offset(1)),
                "morning" | "am" => r.meridiem = Some(Meridiem::Am),
                "tarde" | "noche" | "afternoon" | "evening" | "night" | "pm" => {
                    r.meridiem = Some(Meridiem::Pm)
                }
                "mediodia" | "noon" | "midday" => r.hour = Some(12),
                "media" if prev == "y" => r.minute = 30,
                "cuarto" if prev == "y" => r.minute = 15,
                _ => {}
            }
        }
        for (i, token) in tokens.iter().enumerate() {
            let Token::Num {
                value,
                minute,
                ordinal,
            } = *token
            else {
                continue;
            };
            if date_numbers.contains(&i) {
                continue;
            }
            let prev = i.checked_sub(1).map_or("", word);
            let next = word(i + 1);
            if matches!(prev, "opcion" | "option" | "numero" | "number")
                || (ordinal && !PERIODS.contains(&next))
            {
                r.ordinal = usize::try_from(value).ok().map(Ordinal::Nth);
                continue;
            }
            let timeish = minute.is_some()
                || TIME_AFTER.contains(&next)
                || TIME_BEFORE.contains(&prev)
                || DAY_WORDS.contains(&prev)
                || weekday_named(prev).is_some()
                || (prev == "y" && r.hour.is_some());
            if !timeish {
                continue;
            }
            if prev == "y" {
                r.minute = value;
            } else if r.hour.is_none() {
                r.hour = Some(value);
                r.minute = minute.unwrap_or(r.minute);
            }
        }
        if word(0) == "half" && word(1) == "past" {
            r.minute = 30;
        }
        r
    }

    /// The local time named, with the meridiem applied.
    fn time(&self) -> Option<Time> {
        let hour = self.hour?;
        let hour = match self.meridiem {
            Some(Meridiem::Pm) if hour < 12 => hour + 12,
            Some(Meridiem::Am) if hour == 12 => 0,
            None if (1..=7).contains(&hour) => hour + 12,
            _ => hour,
        };
        Time::new(
            i8::try_from(hour).ok()?,
            i8::try_from(self.minute).ok()?,
            0,
            0,
        )
        .ok()
    }
}

/// The day number of a date around a month name at `i`: "3 de diciembre",
/// "primero de diciembre", "3 december", "3rd of december", "december 3";
/// with the indices of the tokens used.
fn date_day(tokens: &[Token], i: usize) -> Option<(i8, Vec<usize>)> {
    let num = |j: usize| match tokens.get(j) {
        Some(Token::Num {
            value,
            minute: None,
            ..
        }) => i8::try_from(*value).ok().filter(|d| (1..=31).contains(d)),
        _ => None,
    };
    let linked = i
        .checked_sub(1)
        .is_some_and(|j| tokens[j].is(&["de", "of"]));
    if linked && let Some(j) = i.checked_sub(2) {
        if let Some(day) = num(j) {
            return Some((day, vec![j]));
        }
        if tokens[j].is(&["primero", "primer"]) {
            return Some((1, Vec::new()));
        }
    }
    if let Some(j) = i.checked_sub(1)
        && let Some(day) = num(j)
    {
        return Some((day, vec![j]));
    }
    num(i + 1).map(|day| (day, vec![i + 1]))
}

fn ordinal_of(word: &str) -> Option<Ordinal> {
    let n = match word {
        "first" | "primera" | "primero" | "primer" => 1,
        "second" | "segunda" | "segundo" => 2,
        "third" | "tercera" | "tercero" | "tercer" => 3,
        "fourth" | "cuarta" | "cuarto" => 4,
        "fifth" | "quinta" | "quinto" => 5,
        "sixth" | "sexta" | "sexto" => 6,
        "seventh" | "septima" | "septimo" => 7,
        "eighth" | "octava" | "octavo" => 8,
        "ninth" | "novena" | "noveno" => 9,
        "tenth" | "decima" | "decimo" => 10,
        "last" | "ultima" | "ultimo" => return Some(Ordinal::Last),
        _ => return None,
    };
    Some(Ordinal::Nth(n))
}
