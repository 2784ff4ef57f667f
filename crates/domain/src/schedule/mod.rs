//! Scheduling a call: which slots to offer from a calendar's busy times and
//! the business's working hours, how a slot reads in a WhatsApp list, and
//! which slot (or time) a customer's reply picks.
//!
//! Pure: no clock, no I/O. Every calendar backend (Google, the local one in
//! the store) feeds [`free_slots`] the same way, and every time here is a
//! [`Timestamp`] turned local with the business's [`TimeZone`], so DST
//! changes cannot shift or duplicate a slot.

mod display;
mod pick;
#[cfg(test)]
mod tests;

pub(crate) use display::{ES_DAYS_LONG, ES_MONTHS_LONG};
pub use pick::{Pick, read_pick};

use jiff::civil::{DateTime, Time, Weekday};
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
