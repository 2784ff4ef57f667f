//! Scheduling a call: which slots to offer from a calendar's busy times and
//! the business's working hours, how a slot reads in a WhatsApp list, and
//! which slot (or time) a customer's reply picks.
//!
//! Pure: no clock, no I/O. Every calendar backend (Google, the local one in
//! the store) feeds [`free_slots`] the same way, and every time here is a
//! [`Timestamp`] turned local with the business's [`TimeZone`], so DST
//! changes cannot shift or duplicate a slot.

use crate::language::Language;
use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Timestamp, ToSpan, Zoned};
use serde::Deserialize;

/// A span of absolute time, `[start, end)`: what a calendar reports as busy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    pub start: Timestamp,
    pub end: Timestamp,
}

impl Interval {
    fn overlaps(&self, start: Timestamp, end: Timestamp) -> bool {
        self.start < end && start < self.end
    }
}

/// A day of the week, as written in a playbook (`"mon"` … `"sun"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Day {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Day {
    fn weekday(self) -> Weekday {
        match self {
            Day::Mon => Weekday::Monday,
            Day::Tue => Weekday::Tuesday,
            Day::Wed => Weekday::Wednesday,
            Day::Thu => Weekday::Thursday,
            Day::Fri => Weekday::Friday,
            Day::Sat => Weekday::Saturday,
            Day::Sun => Weekday::Sunday,
        }
    }
}

/// Opening hours on some days, local to [`SlotRules::time_zone`]: slots
/// start at `from` and every slot length after it, and end by `to`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkingHours {
    pub days: Vec<Day>,
    pub from: Time,
    pub to: Time,
}

/// What a playbook says about offering calls. Every field has a default so
/// a playbook may set only what differs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SlotRules {
    /// The business's time zone (IANA name, e.g. `"America/Mexico_City"`).
    #[serde(with = "jiff::fmt::serde::tz::required")]
    pub time_zone: TimeZone,
    pub hours: Vec<WorkingHours>,
    /// The length of a call, and the grid slots are aligned to.
    pub slot_minutes: u16,
    /// How long from now the first slot may start: time for the sales team
    /// to see the booking.
    pub lead_minutes: u32,
    /// How many days ahead slots are offered.
    pub horizon_days: u16,
}

impl Default for SlotRules {
    /// Monday to Friday, 9:00–18:00 UTC, 30-minute calls, 2 h ahead, within
    /// a week.
    fn default() -> Self {
        SlotRules {
            time_zone: TimeZone::UTC,
            hours: vec![WorkingHours {
                days: vec![Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri],
                from: Time::constant(9, 0, 0, 0),
                to: Time::constant(18, 0, 0, 0),
            }],
            slot_minutes: 30,
            lead_minutes: 120,
            horizon_days: 7,
        }
    }
}

impl SlotRules {
    /// The slot starting at `start` if the rules allow one there: within
    /// working hours, after the lead time, before the horizon. For a time a
    /// customer names that was not offered ([`Pick::Time`]); whether it is
    /// free is the calendar's to say. Unlike offered slots it need not sit on
    /// the grid: "10:15" is fine when the business is open.
    pub fn slot_at(&self, start: &Zoned, now: Timestamp) -> Option<Slot> {
        if self.slot_minutes == 0 {
            return None;
        }
        let start = start.with_time_zone(self.time_zone.clone());
        let end = start
            .checked_add(SignedDuration::from_mins(i64::from(self.slot_minutes)))
            .ok()?;
        let earliest = now + SignedDuration::from_mins(i64::from(self.lead_minutes));
        let horizon = now
            .to_zoned(self.time_zone.clone())
            .checked_add(i64::from(self.horizon_days).days())
            .ok()?
            .timestamp();
        let at = start.timestamp();
        if at < earliest || at >= horizon || end.date() != start.date() {
            return None;
        }
        let open = self.hours.iter().any(|hours| {
            hours.days.iter().any(|d| d.weekday() == start.weekday())
                && hours.from <= start.time()
                && end.time() <= hours.to
        });
        open.then_some(Slot { start, end })
    }
}

impl SlotRules {
    /// The slot a [`Slot::id`] names, on these rules' zone and length:
    /// how an offer kept as ids, or a list reply, becomes a slot again.
    pub fn slot_of(&self, id: &str) -> Option<Slot> {
        let start = id
            .trim()
            .parse::<Timestamp>()
            .ok()?
            .to_zoned(self.time_zone.clone());
        let end = start
            .checked_add(SignedDuration::from_mins(i64::from(self.slot_minutes)))
            .ok()?;
        Some(Slot { start, end })
    }
}

/// A bookable call, local to the business's time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub start: Zoned,
    pub end: Zoned,
}

const ES_DAYS: [&str; 7] = ["lun", "mar", "mié", "jue", "vie", "sáb", "dom"];
pub(crate) const ES_DAYS_LONG: [&str; 7] = [
    "lunes",
    "martes",
    "miércoles",
    "jueves",
    "viernes",
    "sábado",
    "domingo",
];
const ES_MONTHS: [&str; 12] = [
    "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic",
];
pub(crate) const ES_MONTHS_LONG: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];

impl Slot {
    /// The id of the slot's list row: its start in RFC 3339 with the local
    /// offset, stable across offers and readable in logs.
    pub fn id(&self) -> String {
        self.start
            .timestamp()
            .display_with_offset(self.start.offset())
            .to_string()
    }

    /// A list row title (≤ 24 characters): "mar 2 dic, 10:00" /
    /// "Tue Dec 2, 10:00".
    pub fn title(&self, language: Language) -> String {
        let s = &self.start;
        match language {
            Language::Es => format!(
                "{} {} {}, {}",
                ES_DAYS[weekday_index(s.weekday())],
                s.day(),
                ES_MONTHS[month_index(s.month())],
                s.strftime("%H:%M")
            ),
            Language::En => s.strftime("%a %b %-d, %H:%M").to_string(),
        }
    }

    /// A list row description (≤ 72 characters): the whole date, the time
    /// range and the zone's abbreviation.
    pub fn description(&self, language: Language) -> String {
        let (s, e) = (&self.start, &self.end);
        match language {
            Language::Es => format!(
                "{} {} de {}, {}–{} {}",
                ES_DAYS_LONG[weekday_index(s.weekday())],
                s.day(),
                ES_MONTHS_LONG[month_index(s.month())],
                s.strftime("%H:%M"),
                e.strftime("%H:%M"),
                s.strftime("%Z")
            ),
            Language::En => format!(
                "{}–{} {}",
                s.strftime("%A, %B %-d, %H:%M"),
                e.strftime("%H:%M"),
                s.strftime("%Z")
            ),
        }
    }
}

fn weekday_index(weekday: Weekday) -> usize {
    usize::try_from(weekday.to_monday_zero_offset()).unwrap_or(0)
}

fn month_index(month: i8) -> usize {
    usize::try_from(month - 1).unwrap_or(0)
}

/// The first `max` free slots after `now` plus the lead time, within the
/// horizon, in order.
///
/// Slots sit on the grid of `slot_minutes` from each day's opening time.
/// A local start that does not exist (skipped by a DST change) is not
/// offered; one that happens twice is offered once, at its first occurrence.
pub fn free_slots(busy: &[Interval], now: Timestamp, rules: &SlotRules, max: usize) -> Vec<Slot> {
    let mut slots = Vec::new();
    if rules.slot_minutes == 0 || max == 0 {
        return slots;
    }
    let tz = &rules.time_zone;
    let step = i32::from(rules.slot_minutes);
    let length = SignedDuration::from_mins(i64::from(rules.slot_minutes));
    let earliest = now + SignedDuration::from_mins(i64::from(rules.lead_minutes));
    let today = now.to_zoned(tz.clone());
    let Ok(horizon) = today.checked_add(i64::from(rules.horizon_days).days()) else {
        return slots;
    };
    let horizon = horizon.timestamp();
    for offset in 0..=i64::from(rules.horizon_days) {
        let Ok(date) = today.date().checked_add(offset.days()) else {
            break;
        };
        let mut starts: Vec<Time> = rules
            .hours
            .iter()
            .filter(|hours| hours.days.iter().any(|d| d.weekday() == date.weekday()))
            .flat_map(|hours| grid(hours, step))
            .collect();
        starts.sort();
        starts.dedup();
        for time in starts {
            let Some(start) = local(tz, date.to_datetime(time)) else {
                continue;
            };
            let Ok(end) = start.checked_add(length) else {
                continue;
            };
            let (from, to) = (start.timestamp(), end.timestamp());
            if from < earliest || from >= horizon || busy.iter().any(|b| b.overlaps(from, to)) {
                continue;
            }
            slots.push(Slot { start, end });
            if slots.len() == max {
                return slots;
            }
        }
    }
    slots
}

/// The start times of one day's opening hours.
fn grid(hours: &WorkingHours, step: i32) -> impl Iterator<Item = Time> {
    let minutes = |t: Time| i32::from(t.hour()) * 60 + i32::from(t.minute());
    let (from, to) = (minutes(hours.from), minutes(hours.to));
    std::iter::successors(Some(from), move |m| Some(m + step))
        .take_while(move |m| m + step <= to)
        .filter_map(|m| {
            Time::new(i8::try_from(m / 60).ok()?, i8::try_from(m % 60).ok()?, 0, 0).ok()
        })
}

/// A local date and time in `tz`, or `None` when a DST gap skips it.
fn local(tz: &TimeZone, datetime: DateTime) -> Option<Zoned> {
    let ambiguous = tz.to_ambiguous_zoned(datetime);
    match ambiguous.offset() {
        AmbiguousOffset::Gap { .. } => None,
        AmbiguousOffset::Unambiguous { .. } | AmbiguousOffset::Fold { .. } => {
            ambiguous.earlier().ok()
        }
    }
}

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
            if let Some(month) = month_of(w) {
                let day = date_day(tokens, i);
                if let Some((day, at)) = day {
                    r.day = Some(DayRef::Date { month, day });
                    date_numbers.extend(at);
                }
                continue;
            }
            if let Some(weekday) = weekday_of(w) {
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
                || weekday_of(prev).is_some()
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

fn month_of(word: &str) -> Option<i8> {
    let month = match word {
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
    };
    Some(month)
}

fn weekday_of(word: &str) -> Option<Weekday> {
    let weekday = match word {
        "lunes" | "monday" | "mon" => Weekday::Monday,
        "martes" | "tuesday" | "tue" | "tues" => Weekday::Tuesday,
        "miercoles" | "wednesday" | "wed" => Weekday::Wednesday,
        "jueves" | "thursday" | "thu" | "thur" | "thurs" => Weekday::Thursday,
        "viernes" | "friday" | "fri" => Weekday::Friday,
        "sabado" | "saturday" | "sat" => Weekday::Saturday,
        "domingo" | "sunday" | "sun" => Weekday::Sunday,
        _ => return None,
    };
    Some(weekday)
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

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn tz(name: &str) -> TimeZone {
        TimeZone::get(name).expect("a bundled IANA zone")
    }

    fn at(zone: &str, local: &str) -> Timestamp {
        local
            .parse::<DateTime>()
            .expect("a civil datetime")
            .to_zoned(tz(zone))
            .expect("an existing local time")
            .timestamp()
    }

    fn weekdays(from: Time, to: Time) -> Vec<WorkingHours> {
        vec![WorkingHours {
            days: vec![Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri],
            from,
            to,
        }]
    }

    fn rules(zone: &str) -> SlotRules {
        SlotRules {
            time_zone: tz(zone),
            ..SlotRules::default()
        }
    }

    fn ids(slots: &[Slot]) -> Vec<String> {
        slots.iter().map(Slot::id).collect()
    }

    const MX: &str = "America/Mexico_City";

    #[test]
    fn slots_skip_busy_times_and_respect_lead_time_and_max() {
        let busy = [Interval {
            start: at(MX, "2025-12-01T11:00"),
            end: at(MX, "2025-12-01T12:00"),
        }];
        let slots = free_slots(&busy, at(MX, "2025-12-01T08:00"), &rules(MX), 10);
        assert_eq!(slots.len(), 10);
        assert_eq!(
            ids(&slots[..4]),
            [
                "2025-12-01T10:00:00-06:00",
                "2025-12-01T10:30:00-06:00",
                "2025-12-01T12:00:00-06:00",
                "2025-12-01T12:30:00-06:00",
            ]
        );
        assert!(slots.windows(2).all(|w| w[0].start < w[1].start));
        assert!(
            slots
                .iter()
                .all(|s| s.end.timestamp().duration_since(s.start.timestamp())
                    == SignedDuration::from_mins(30))
        );
    }

    #[test]
    fn slots_skip_the_weekend_and_stop_at_the_horizon() {
        let friday_evening = at(MX, "2025-12-05T17:00");
        let slots = free_slots(&[], friday_evening, &rules(MX), 3);
        assert_eq!(
            ids(&slots),
            [
                "2025-12-08T09:00:00-06:00",
                "2025-12-08T09:30:00-06:00",
                "2025-12-08T10:00:00-06:00",
            ]
        );
        let short = SlotRules {
            horizon_days: 1,
            ..rules(MX)
        };
        assert!(free_slots(&[], friday_evening, &short, 10).is_empty());
    }

    #[test]
    fn slots_end_by_closing_time_on_a_grid_from_opening_time() {
        let rules = SlotRules {
            hours: weekdays(Time::constant(9, 15, 0, 0), Time::constant(11, 0, 0, 0)),
            slot_minutes: 45,
            lead_minutes: 0,
            ..rules(MX)
        };
        let slots = free_slots(&[], at(MX, "2025-12-01T08:00"), &rules, 3);
        assert_eq!(
            ids(&slots),
            [
                "2025-12-01T09:15:00-06:00",
                "2025-12-01T10:00:00-06:00",
                "2025-12-02T09:15:00-06:00",
            ]
        );
    }

    #[test]
    fn degenerate_rules_give_no_slots() {
        let now = at(MX, "2025-12-01T08:00");
        let zero = SlotRules {
            slot_minutes: 0,
            ..rules(MX)
        };
        assert!(free_slots(&[], now, &zero, 10).is_empty());
        let closed = SlotRules {
            hours: weekdays(Time::constant(18, 0, 0, 0), Time::constant(9, 0, 0, 0)),
            ..rules(MX)
        };
        assert!(free_slots(&[], now, &closed, 10).is_empty());
        assert!(free_slots(&[], now, &rules(MX), 0).is_empty());
    }

    #[test]
    fn mexico_city_has_kept_one_offset_since_2022() {
        // The first Sunday of April used to start summer time there.
        let slots = free_slots(&[], at(MX, "2026-04-02T20:00"), &rules(MX), 40);
        let nine = |d: Date| {
            slots
                .iter()
                .find(|s| s.start.date() == d && s.start.hour() == 9 && s.start.minute() == 0)
                .map(|s| s.start.timestamp())
        };
        assert_eq!(
            nine(date(2026, 4, 3)),
            Some("2026-04-03T15:00:00Z".parse().unwrap())
        );
        let slots = free_slots(&[], at(MX, "2026-04-05T20:00"), &rules(MX), 1);
        assert_eq!(ids(&slots), ["2026-04-06T09:00:00-06:00"]);
    }

    #[test]
    fn working_hours_follow_madrid_across_its_autumn_change() {
        let madrid = rules("Europe/Madrid");
        let friday = free_slots(&[], at("Europe/Madrid", "2025-10-24T06:00"), &madrid, 1);
        let monday = free_slots(&[], at("Europe/Madrid", "2025-10-27T06:00"), &madrid, 1);
        assert_eq!(
            friday[0].start.timestamp(),
            "2025-10-24T07:00:00Z".parse().unwrap()
        );
        assert_eq!(
            monday[0].start.timestamp(),
            "2025-10-27T08:00:00Z".parse().unwrap()
        );
    }

    #[test]
    fn a_start_skipped_by_spring_forward_is_not_offered() {
        let night = SlotRules {
            time_zone: tz("Europe/Madrid"),
            hours: vec![WorkingHours {
                days: vec![Day::Sun],
                from: Time::constant(1, 0, 0, 0),
                to: Time::constant(5, 0, 0, 0),
            }],
            slot_minutes: 60,
            lead_minutes: 0,
            horizon_days: 2,
        };
        let slots = free_slots(&[], at("Europe/Madrid", "2026-03-28T23:00"), &night, 10);
        assert_eq!(
            ids(&slots),
            [
                "2026-03-29T01:00:00+01:00",
                "2026-03-29T03:00:00+02:00",
                "2026-03-29T04:00:00+02:00",
            ]
        );
    }

    #[test]
    fn a_start_repeated_by_fall_back_is_offered_once() {
        let night = SlotRules {
            time_zone: tz("America/New_York"),
            hours: vec![WorkingHours {
                days: vec![Day::Sun],
                from: Time::constant(0, 0, 0, 0),
                to: Time::constant(3, 0, 0, 0),
            }],
            slot_minutes: 60,
            lead_minutes: 0,
            horizon_days: 1,
        };
        let slots = free_slots(&[], at("America/New_York", "2025-11-01T23:00"), &night, 10);
        let starts: Vec<Timestamp> = slots.iter().map(|s| s.start.timestamp()).collect();
        let expected: Vec<Timestamp> = [
            "2025-11-02T04:00:00Z",
            "2025-11-02T05:00:00Z",
            "2025-11-02T07:00:00Z",
        ]
        .iter()
        .map(|t| t.parse().unwrap())
        .collect();
        assert_eq!(starts, expected);
    }

    #[test]
    fn slots_read_short_in_both_languages() {
        let slot = free_slots(&[], at(MX, "2025-12-02T07:00"), &rules(MX), 1)
            .pop()
            .expect("a slot on Tuesday");
        assert_eq!(slot.id(), "2025-12-02T09:00:00-06:00");
        assert_eq!(slot.title(Language::Es), "mar 2 dic, 09:00");
        assert_eq!(slot.title(Language::En), "Tue Dec 2, 09:00");
        assert_eq!(
            slot.description(Language::Es),
            "martes 2 de diciembre, 09:00–09:30 CST"
        );
        assert_eq!(
            slot.description(Language::En),
            "Tuesday, December 2, 09:00–09:30 CST"
        );
    }

    #[test]
    fn every_label_of_a_year_fits_a_whatsapp_list_row() {
        let every_day = SlotRules {
            time_zone: tz("America/Argentina/Buenos_Aires"),
            hours: vec![WorkingHours {
                days: vec![
                    Day::Mon,
                    Day::Tue,
                    Day::Wed,
                    Day::Thu,
                    Day::Fri,
                    Day::Sat,
                    Day::Sun,
                ],
                from: Time::constant(23, 0, 0, 0),
                to: Time::constant(23, 59, 0, 0),
            }],
            slot_minutes: 59,
            lead_minutes: 0,
            horizon_days: 366,
        };
        let slots = free_slots(&[], at(MX, "2025-01-01T00:00"), &every_day, 400);
        assert!(slots.len() >= 365);
        for slot in &slots {
            for language in Language::ALL {
                assert!(
                    slot.title(language).chars().count() <= 24,
                    "{}",
                    slot.title(language)
                );
                assert!(slot.description(language).chars().count() <= 72);
            }
        }
    }

    #[test]
    fn slot_rules_deserialise_with_defaults() {
        let rules: SlotRules = serde_json::from_str(
            r#"{"time_zone":"Europe/Madrid","hours":[{"days":["mon","sat"],"from":"10:00","to":"14:00"}],"slot_minutes":45}"#,
        )
        .unwrap();
        assert_eq!(rules.time_zone, tz("Europe/Madrid"));
        assert_eq!(rules.hours[0].days, [Day::Mon, Day::Sat]);
        assert_eq!(rules.hours[0].to, Time::constant(14, 0, 0, 0));
        assert_eq!(
            (rules.slot_minutes, rules.lead_minutes, rules.horizon_days),
            (45, 120, 7)
        );
        assert!(serde_json::from_str::<SlotRules>(r#"{"time_zone":"Mars/Olympus"}"#).is_err());
        assert!(serde_json::from_str::<SlotRules>(r#"{"slots":3}"#).is_err());
    }

    #[test]
    fn a_named_time_is_a_slot_only_inside_the_rules() {
        let rules = rules(MX);
        let now = at(MX, "2025-12-01T08:00");
        let zoned = |local: &str| local.parse::<DateTime>().unwrap().to_zoned(tz(MX)).unwrap();
        let slot = rules.slot_at(&zoned("2025-12-02T10:15"), now).unwrap();
        assert_eq!(slot.id(), "2025-12-02T10:15:00-06:00");
        assert_eq!(slot.end, zoned("2025-12-02T10:45"));
        // Given in another zone, it is read in the business's.
        let utc = zoned("2025-12-02T10:15").with_time_zone(TimeZone::UTC);
        assert_eq!(rules.slot_at(&utc, now), Some(slot));
        assert!(rules.slot_at(&zoned("2025-12-02T17:30"), now).is_some());
        for refused in [
            "2025-12-01T09:30", // before the lead time
            "2025-12-02T08:30", // before opening
            "2025-12-02T17:45", // ends after closing
            "2025-12-06T10:00", // Saturday
            "2025-12-09T10:00", // past the horizon
        ] {
            assert_eq!(rules.slot_at(&zoned(refused), now), None, "{refused}");
        }
    }

    #[derive(Debug, Clone, Copy)]
    enum Want {
        S(usize),
        T(&'static str),
        N,
    }
    use Want::{N, S, T};

    /// Offered on Monday 1 December 2025, 08:00 in Mexico City.
    fn offered() -> Vec<Slot> {
        [
            "2025-12-01T11:00",
            "2025-12-01T16:00",
            "2025-12-02T10:00",
            "2025-12-02T15:00",
            "2025-12-03T09:30",
            "2025-12-03T11:00",
            "2025-12-04T11:00",
            "2025-12-05T16:00",
        ]
        .iter()
        .map(|local| {
            let start = local.parse::<DateTime>().unwrap().to_zoned(tz(MX)).unwrap();
            let end = start.checked_add(30.minutes()).unwrap();
            Slot { start, end }
        })
        .collect()
    }

    fn check(cases: &[(&str, Want)]) {
        let offered = offered();
        let now = at(MX, "2025-12-01T08:00");
        for &(text, want) in cases {
            let got = read_pick(text, &offered, now, &tz(MX));
            let expected = match want {
                S(i) => Pick::Slot(offered[i].clone()),
                T(local) => {
                    Pick::Time(local.parse::<DateTime>().unwrap().to_zoned(tz(MX)).unwrap())
                }
                N => Pick::None,
            };
            assert_eq!(got, expected, "{text:?}");
        }
    }

    #[test]
    fn a_list_reply_id_picks_its_slot() {
        let offered = offered();
        let now = at(MX, "2025-12-01T08:00");
        assert_eq!(
            read_pick(&offered[3].id(), &offered, now, &tz(MX)),
            Pick::Slot(offered[3].clone())
        );
    }

    #[test]
    fn a_weekday_whose_time_has_passed_today_is_next_week() {
        let offered: Vec<Slot> = offered().into_iter().skip(4).collect();
        // Tuesday evening: "Tuesday at 10" is the next one.
        let now = at(MX, "2025-12-02T22:00");
        let next =
            |local: &str| Pick::Time(local.parse::<DateTime>().unwrap().to_zoned(tz(MX)).unwrap());
        assert_eq!(
            read_pick("el martes a las 10", &offered, now, &tz(MX)),
            next("2025-12-09T10:00")
        );
        assert_eq!(
            read_pick(
                "El martes a las 10 de la mañana me queda bien",
                &offered,
                now,
                &tz(MX)
            ),
            next("2025-12-09T10:00")
        );
        assert_eq!(
            read_pick("Tuesday at 11pm", &offered, now, &tz(MX)),
            next("2025-12-02T23:00")
        );
    }

    #[test]
    fn spanish_picks() {
        check(&[
            ("el martes a las 10", S(2)),
            ("mañana a las 4 de la tarde", T("2025-12-02T16:00")),
            ("el 3 de diciembre a las 9:30", S(4)),
            ("la primera", S(0)),
            ("La segunda", S(1)),
            ("la última", S(7)),
            ("a las 11", S(0)),
            ("hoy a las 4", S(1)),
            ("mañana a las 10", S(2)),
            ("mañana a las 3 de la tarde", S(3)),
            ("el miércoles a las 11", S(5)),
            ("el jueves a las 11 de la mañana", S(6)),
            ("viernes 4 pm", S(7)),
            ("el viernes a las 16:00", S(7)),
            ("el viernes a las 16 hrs", S(7)),
            ("pasado mañana a las 9 y media", S(4)),
            ("el miercoles a las 9:30 de la mañana", S(4)),
            ("el martes a las 12", T("2025-12-02T12:00")),
            ("el lunes a mediodía", T("2025-12-01T12:00")),
            ("opción 3", S(2)),
            ("la tercera opción", S(2)),
            ("el 5 de diciembre a las 4 de la tarde", S(7)),
            ("el primero de diciembre a las 11", S(0)),
            ("mejor el jueves a las 5 de la tarde", T("2025-12-04T17:00")),
            ("¿puede ser mañana por la mañana a las 10?", S(2)),
            ("a las 10 y cuarto del martes", T("2025-12-02T10:15")),
            ("sí, el martes 10:00", S(2)),
            ("el 4 de diciembre a las 11:00", S(6)),
            ("a las 9 de la noche", T("2025-12-01T21:00")),
            ("el sábado a las 10", T("2025-12-06T10:00")),
            ("el 2 de enero a las 10", T("2026-01-02T10:00")),
            ("la de las 3 del martes", S(3)),
            ("la cuarta", S(3)),
            ("MAÑANA A LAS 3PM", S(3)),
            ("no puedo", N),
            ("gracias", N),
            ("el martes", N),
            ("la novena", N),
            ("para el segundo trimestre", N),
            ("la primera semana de enero", N),
            ("en este chat: el lo aprueba", N),
        ]);
    }

    #[test]
    fn english_picks() {
        check(&[
            ("tomorrow 3pm", S(3)),
            ("Tuesday at 10", S(2)),
            ("the first one", S(0)),
            ("at 11", S(0)),
            ("the second one", S(1)),
            ("the last one", S(7)),
            ("tomorrow at 10am", S(2)),
            ("tomorrow at 10 a.m.", S(2)),
            ("Wednesday 9:30", S(4)),
            ("wed at 11", S(5)),
            ("Thursday at 11am", S(6)),
            ("Friday at 4pm", S(7)),
            ("friday 4 p.m.", S(7)),
            ("December 3 at 9:30", S(4)),
            ("Dec 3rd at 11", S(5)),
            ("3rd of December at 11am", S(5)),
            ("option 2", S(1)),
            ("2nd", S(1)),
            ("the 3rd one", S(2)),
            ("today at 4", S(1)),
            ("today at 4pm", S(1)),
            ("tomorrow at noon", T("2025-12-02T12:00")),
            ("Tuesday at 5 in the afternoon", T("2025-12-02T17:00")),
            ("day after tomorrow at 11", S(5)),
            ("tomorrow morning at 10", S(2)),
            ("Monday at 11", S(0)),
            ("next Tuesday at 3pm", S(3)),
            ("Saturday at 10am", T("2025-12-06T10:00")),
            ("at 9pm", T("2025-12-01T21:00")),
            ("January 2 at 10", T("2026-01-02T10:00")),
            ("at 10", S(2)),
            ("tonight at 8", T("2025-12-01T20:00")),
            ("Fri 16:00", S(7)),
            ("at 8am", T("2025-12-02T08:00")),
            ("no thanks", N),
            ("Tuesday", N),
            ("sounds good", N),
            ("the tenth one", N),
            ("in the 2nd quarter", N),
            ("the first week of March", N),
            ("he's in this chat: he approves", N),
        ]);
    }
}
