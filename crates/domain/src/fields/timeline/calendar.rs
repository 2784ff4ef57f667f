//! Date arithmetic for timelines: counting forward from today, the next
//! occurrence of a month or day, the parts of a period ("early", "mid",
//! "late") and quarters and halves. Apart from the patterns, which only
//! say which of these a phrase means.

use super::pieces::Unit;
use super::{NOT_A_DATE, PASSED};
use jiff::civil::{Date, Weekday};
use jiff::{Span, ToSpan};
pub(super) const TOO_FAR: &str = "that is more than ten years away";

/// `count` units from today.
pub(super) fn later(today: Date, count: i64, unit: Unit) -> Result<Date, &'static str> {
    let span = match unit {
        Unit::Day => Span::new().try_days(count),
        Unit::Week => Span::new().try_weeks(count),
        Unit::Month => Span::new().try_months(count),
        Unit::Quarter => Span::new().try_months(count.saturating_mul(3)),
        Unit::Half => Span::new().try_months(count.saturating_mul(6)),
        Unit::Year => Span::new().try_years(count),
    };
    span.and_then(|span| today.checked_add(span))
        .map_err(|_| TOO_FAR)
}

/// The first day of the next week (Monday), month, quarter, half or year.
pub(super) fn next(today: Date, unit: Unit) -> Result<Date, &'static str> {
    match unit {
        Unit::Week => today.nth_weekday(1, Weekday::Monday).map_err(|_| TOO_FAR),
        Unit::Month => add(today.first_of_month(), 1.month()),
        Unit::Year => civil(today.year().saturating_add(1), Some(1), Some(1)),
        Unit::Quarter => add(period_start(today, 3)?, 3.months()),
        Unit::Half => add(period_start(today, 6)?, 6.months()),
        Unit::Day => add(today, 1.day()),
    }
}

/// Where in a month or year a customer points.
#[derive(Clone, Copy)]
pub(super) enum Part {
    /// "early", "principios de", "first half of".
    Start,
    /// "mid", "mediados de".
    Middle,
    /// "second half of", "segunda quincena de".
    SecondHalf,
    /// "late", "end of", "finales de".
    End,
}

pub(super) fn part(raw: Option<&str>) -> Part {
    let lower = raw.unwrap_or_default().to_lowercase();
    let starts = |words: &[&str]| words.iter().any(|w| lower.starts_with(w));
    if starts(&[
        "early",
        "beginning",
        "start",
        "first",
        "principios",
        "inicios",
        "comienzos",
        "primera",
    ]) {
        Part::Start
    } else if starts(&["mid", "middle", "mediados", "mitad"]) {
        Part::Middle
    } else if starts(&["second", "segunda"]) {
        Part::SecondHalf
    } else {
        Part::End
    }
}

impl Part {
    /// The day it means in the month that starts on `first`: the 1st, the
    /// 15th, the 16th, or the start of the last week.
    pub(super) fn of_month(self, first: Date) -> Result<Date, &'static str> {
        match self {
            Part::Start => Ok(first),
            Part::Middle => add(first, 14.days()),
            Part::SecondHalf => add(first, 15.days()),
            Part::End => add(first.last_of_month(), (-6).days()),
        }
    }

    /// The month whose first day it means in a year: "mid-year" is July,
    /// the start of the second half, and "late in the year" December, as
    /// "end of the year" is.
    pub(super) fn month_of_year(self) -> i8 {
        match self {
            Part::Start => 1,
            Part::Middle | Part::SecondHalf => 7,
            Part::End => 12,
        }
    }
}

pub(super) fn add(date: Date, span: Span) -> Result<Date, &'static str> {
    date.checked_add(span).map_err(|_| TOO_FAR)
}

pub(super) fn civil(year: i16, month: Option<i8>, day: Option<i8>) -> Result<Date, &'static str> {
    let (Some(month), Some(day)) = (month, day) else {
        return Err(NOT_A_DATE);
    };
    Date::new(year, month, day).map_err(|_| NOT_A_DATE)
}

/// A date the customer wrote with its year: it must not have passed.
pub(super) fn explicit(date: Date, today: Date) -> Result<Date, &'static str> {
    if date < today { Err(PASSED) } else { Ok(date) }
}

/// This year's `month`/`day`, or next year's once it has passed.
pub(super) fn upcoming(
    today: Date,
    month: Option<i8>,
    day: Option<i8>,
) -> Result<Date, &'static str> {
    let this_year = civil(today.year(), month, day)?;
    if this_year >= today {
        return Ok(this_year);
    }
    civil(today.year().saturating_add(1), month, day)
}

pub(super) fn day_of(
    today: Date,
    month: Option<i8>,
    day: Option<i8>,
    year: Option<i16>,
) -> Result<Date, &'static str> {
    match year {
        Some(year) => explicit(civil(year, month, day)?, today),
        None => upcoming(today, month, day),
    }
}

/// The year whose `month` is not over yet.
pub(super) fn upcoming_year(today: Date, month: Option<i8>) -> i16 {
    match month {
        Some(month) if month < today.month() => today.year().saturating_add(1),
        _ => today.year(),
    }
}

/// The first day of a quarter or half starting in `first_month` and
/// `months` long, or of its last month when `late` ("end of Q2"); today
/// when that is under way; next year's once the period is over (or refused,
/// when the customer gave the year).
pub(super) fn period(
    today: Date,
    first_month: i8,
    months: i8,
    year: Option<i16>,
    late: bool,
) -> Result<Date, &'static str> {
    let in_year = |y: i16| -> Result<(Date, Date), &'static str> {
        let start = civil(y, Some(first_month), Some(1))?;
        let end = add(start, Span::new().months(months))?;
        let from = if late { add(end, (-1).month())? } else { start };
        Ok((from, end))
    };
    let (from, end) = in_year(year.unwrap_or(today.year()))?;
    if end > today {
        return Ok(from.max(today));
    }
    if year.is_some() {
        return Err(PASSED);
    }
    Ok(in_year(today.year().saturating_add(1))?.0)
}

/// The first day of the quarter (`months` 3) or half (6) under way.
pub(super) fn period_start(today: Date, months: i8) -> Result<Date, &'static str> {
    let first_month = (today.month() - 1) / months * months + 1;
    civil(today.year(), Some(first_month), Some(1))
}
