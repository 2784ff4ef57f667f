//! When the customer wants to buy, Spanish and English: "ASAP", "el mes
//! que viene", "in 2 weeks", "Q3", "15 de marzo", "no rush".
//!
//! A period becomes its first day, never earlier than today:
//! - "next week" is next Monday; "next month" the 1st of next month;
//! - "in March" is 1 March, next year once March is over; a quarter or half
//!   likewise, and the one in progress means today;
//! - "end of the month" is the start of its last week (the 22nd to 25th),
//!   "end of the year" 1 December, "end of the quarter" the 1st of its last
//!   month; "mid March" the 15th;
//! - "this week/month/year" is today;
//! - numeric dates are day-first ("15/03/2026"), month-first only when
//!   day-first is impossible ("03/15/2026");
//! - explicit dates already past, and dates over ten years away, are refused.
//!
//! A word that could mean something else in a message ("mañana" is also
//! "morning", "ya" also "already", a bare month, "tomorrow" about a call) is
//! only read when the agent asked for the timeline, or when it is the value
//! proposed.

use super::{FieldError, invalid, text};
use crate::lead::{FieldName, Timeline};
use jiff::civil::{Date, Weekday};
use jiff::{Span, ToSpan};
use regex::{Captures, Regex};
use std::ops::Range;
use std::sync::LazyLock;

/// A proposed timeline longer than this is prose, not a value.
const MAX_INPUT: usize = 600;
/// Buying timelines further out than this are not real.
const HORIZON_YEARS: i16 = 10;

const MONTHS: &str = "january|february|march|april|may|june|july|august|september|october|november|december|\
     enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre";
/// Months without "may", which is far more often the verb.
const MONTHS_NOT_MAY: &str = "january|february|march|april|june|july|august|september|october|november|december|\
     enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre";
/// Abbreviations, only read next to a day number ("Mar 15", "15 ene").
const MONTH_ABBREVIATIONS: &str =
    "jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec|ene|abr|ago|dic";
const WEEKDAYS: &str = "monday|tuesday|wednesday|thursday|friday|saturday|sunday|lunes|martes|mi[ée]rcoles|jueves|viernes|s[áa]bado|domingo";
const COUNT_WORDS: &str = r"a\s+couple\s+of|a\s+couple|couple\s+of|a\s+few|few|un\s+par\s+de|par\s+de|unos\s+pocos|unas\s+pocas|unos|unas";

#[derive(Debug, Clone, Copy)]
enum Rule {
    /// 1 year, 2 month, 3 day.
    IsoDate,
    /// 1 and 2 day and month (day first), 3 optional year.
    NumericDate,
    /// 1 day, 2 month name, 3 optional year.
    DayMonth,
    /// 1 month name, 2 day, 3 optional year.
    MonthDay,
    /// 1 month name, 2 year.
    MonthYear,
    /// 1 ordinal, 2 optional year.
    Quarter,
    /// 1 or 2 ordinal, 3 optional year.
    Half,
    /// 1 count, 2 unit.
    InPeriod,
    /// 1 unit.
    Next,
    /// 1 unit.
    This,
    /// 1 unit.
    EndOf,
    /// 1 part of the month ("early", "mediados de"), 2 month name.
    PartOfMonth,
    /// 1 month name.
    Month,
    /// 1 year.
    Year,
    /// 1 weekday.
    Weekday,
    Tomorrow,
    DayAfterTomorrow,
    /// 1, when present, says it is not about timing ("just looking for").
    Undecided,
    Asap,
}

struct Pattern {
    regex: Regex,
    rule: Rule,
    /// Read in any message, not only when the timeline was asked for.
    strong: bool,
}

/// Every pattern, most specific first: dates, then periods, then
/// undecided, then "as soon as possible".
static PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    let count = format!(r"\d{{1,4}}|{COUNT_WORDS}|{}", text::NUMBER_WORDS);
    let any_month = format!("{MONTHS}|{MONTH_ABBREVIATIONS}");
    let table: Vec<(String, Rule, bool)> = vec![
        (r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b".into(), Rule::IsoDate, true),
        (r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\b".into(), Rule::NumericDate, true),
        (
            format!(r"\b(\d{{1,2}})(?:st|nd|rd|th|º|°|ro)?\s+(?:de\s+|of\s+)?({any_month})\b\.?(?:,?\s+(?:de\s+|del\s+)?(\d{{4}})\b)?"),
            Rule::DayMonth,
            true,
        ),
        (format!(r"\b({any_month})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}})\b)?"), Rule::MonthDay, true),
        (format!(r"\b({MONTHS})\s+(?:de\s+|del\s+|of\s+)?(\d{{4}})\b"), Rule::MonthYear, true),
        (r"\bq([1-4])\b(?:\s*(?:of\s+|de\s+|del\s+)?(\d{4})\b)?".into(), Rule::Quarter, true),
        (
            r"\b(first|second|third|fourth|1st|2nd|3rd|4th|primer|primero|segundo|tercer|tercero|cuarto|1er|2do|3er|4to|[1-4][º°o])\s+(?:quarter|trimestre)\b(?:\s+(?:of\s+|de\s+|del\s+)?(\d{4})\b)?".into(),
            Rule::Quarter,
            true,
        ),
        (
            r"\b(?:h([12])|(first|second|primer|segundo)\s+(?:half|semestre))\b(?:\s+(?:of\s+|de\s+|del\s+)?(\d{4})\b)?".into(),
            Rule::Half,
            true,
        ),
        (
            format!(r"\b(?:in|within|after)\s+(?:the\s+next\s+)?(?:about\s+|around\s+)?({count})\s+(days?|weeks?|months?|years?)\b"),
            Rule::InPeriod,
            true,
        ),
        (format!(r"\b({count})\s+(days?|weeks?|months?|years?)\s+from\s+now\b"), Rule::InPeriod, true),
        (
            format!(r"\b(?:en|dentro\s+de|de\s+aqu[ií]\s+a)\s+(?:(?:unos|unas|aproximadamente|m[aá]s\s+o\s+menos)\s+)?({count})\s+(d[ií]as?|semanas?|mes(?:es)?|años?)\b"),
            Rule::InPeriod,
            true,
        ),
        (r"\bnext\s+(week|month|year|quarter)\b".into(), Rule::Next, true),
        (r"\b(?:pr[oó]xim[oa]|siguiente)\s+(semana|mes|año|trimestre)\b".into(), Rule::Next, true),
        (
            r"\b(?:la|el)\s+(semana|mes|año|trimestre)\s+(?:que\s+viene|pr[oó]xim[oa]|entrante|siguiente)\b".into(),
            Rule::Next,
            true,
        ),
        (r"\b(?:this|est[ea])\s+(week|month|year|quarter|semana|mes|año|trimestre)\b".into(), Rule::This, true),
        (r"\bend\s+of\s+(?:the\s+|this\s+)?(month|year|quarter)\b".into(), Rule::EndOf, true),
        (r"\b(?:finales|fines|fin)\s+del?\s+(?:este\s+)?(mes|año|trimestre)\b".into(), Rule::EndOf, true),
        (
            format!(r"\b(early|mid|late|beginning\s+of|start\s+of|middle\s+of|end\s+of|principios\s+de|inicios\s+de|comienzos\s+de|mediados\s+de|finales\s+de|fines\s+de|fin\s+de)[\s-]+({MONTHS})\b"),
            Rule::PartOfMonth,
            true,
        ),
        (
            format!(r"\b(?:in|by|for|until|before|from|starting|around|en|para|hasta|antes\s+de|a\s+partir\s+de|desde|por)\s+(?:(?:el\s+)?mes\s+de\s+)?({MONTHS})\b"),
            Rule::Month,
            true,
        ),
        (r"\b(?:in|by|for|during|en|para|durante|hasta)\s+(?:el\s+)?(?:año\s+)?(20\d\d)\b".into(), Rule::Year, true),
        (format!(r"\b(?:next|(?:el\s+)?pr[oó]ximo|(?:el\s+)?siguiente)\s+({WEEKDAYS})\b"), Rule::Weekday, true),
        (r"\b(\d{1,2})/(\d{1,2})\b".into(), Rule::NumericDate, false),
        (format!(r"\b({MONTHS_NOT_MAY})\b"), Rule::Month, false),
        (r"\b(20\d\d)\b".into(), Rule::Year, false),
        (format!(r"\b({WEEKDAYS})\b"), Rule::Weekday, false),
        (r"\b(?:the\s+)?day\s+after\s+tomorrow\b|\bpasado\s+mañana\b".into(), Rule::DayAfterTomorrow, false),
        (r"\btomorrow\b|\bmañana\b".into(), Rule::Tomorrow, false),
        (
            r"(?x)
            \bno\s+(?:rush|hurry)\b
            | \bnot\s+in\s+a\s+(?:rush|hurry)\b
            | \bjust\s+(?:looking|browsing|checking|exploring|researching|curious)\b(\s+(?:for|at|into)\b)?
            | \bnot\s+(?:urgent|(?:any\s*time)\s+soon)\b
            | \bno\s+(?:timeline|deadline|set\s+date)\b
            | \bsin\s+(?:prisa|apuro|fecha|urgencia)\b
            | \bno\s+(?:hay|tengo|tenemos)\s+(?:prisa|apuro|urgencia|fecha)\b
            | \bno\s+(?:es\s+urgente|corre\s+prisa|me\s+corre\s+prisa)\b
            | \bs[oó]lo\s+(?:estoy\s+|estamos\s+)?(?:mirando|viendo|curioseando|averiguando|cotizando|inform[aá]ndome)\b
            | \bpor\s+curiosidad\b"
                .into(),
            Rule::Undecided,
            true,
        ),
        (
            r"(?x)
            \basap\b | \ba\.s\.a\.p\b
            | \bas\s+soon\s+as\s+(?:possible|we\s+can|you\s+can)\b
            | \bright\s+(?:away|now)\b | \bimmediately\b | \burgent(?:ly)?\b | \burgente(?:mente)?\b
            | \blo\s+(?:antes|m[aá]s\s+pronto|m[aá]s\s+r[aá]pido)\s+posible\b
            | \bcuanto\s+antes\b | \bde\s+inmediato\b | \binmediatamente\b | \bahora\s+mismo\b | \bya\s+mismo\b
            | \bpara\s+ayer\b | \bhoy\s+mismo\b | \bcon\s+urgencia\b
            | \b(?:quiero|queremos|necesito|necesitamos)(?:lo)?\s+(?:para\s+)?ya\b"
                .into(),
            Rule::Asap,
            true,
        ),
        (
            r"(?x)
            \b(?:todav[ií]a|a[úu]n)\s+no\s+(?:lo\s+)?(?:sabemos|decid\w+|tenemos\s+fecha|hay\s+fecha)\b
            | \b(?:todav[ií]a|a[úu]n)\s+no\s+(?:lo\s+)?s[ée](?:[^\p{L}]|$)
            | \bno\s+(?:lo\s+)?s[ée](?:[^\p{L}]|$) | \bni\s+idea\b | \bno\s+idea\b
            | \b(?:not|isn['’]t)\s+(?:sure|decided)\b
            | \b(?:don['’]?t|do\s+not)\s+know\b
            | \bundecided\b | \bsomeday\b | \beventually\b | \bsometime\b | \balg[úu]n\s+d[ií]a\b
            | \bm[aá]s\s+adelante\b | \blater\b | \bdepends\b | \bdepende\b"
                .into(),
            Rule::Undecided,
            false,
        ),
        (
            r"\bya\b\s*[.!]*\s*$|\bsoon\b|\bpronto\b|\ben\s+breve\b|\bshortly\b|\btoday\b|\bhoy\b|\bnow\b|\bahora\b|\byesterday\b"
                .into(),
            Rule::Asap,
            false,
        ),
    ];
    table
        .into_iter()
        .map(|(pattern, rule, strong)| Pattern {
            regex: text::regex(&format!("(?i){pattern}")),
            rule,
            strong,
        })
        .collect()
});

/// A proposed timeline, with `today` in the business's zone anchoring
/// "next month" and friends.
pub fn parse_timeline(raw: &str, today: Date) -> Result<Timeline, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(FieldError::Empty {
            field: FieldName::Timeline,
        });
    }
    if raw.len() > MAX_INPUT {
        return Err(invalid(
            FieldName::Timeline,
            "the text is too long to be a timeline",
        ));
    }
    match search(raw, today, true) {
        Ok((when, _)) => Ok(when.into_timeline(raw)),
        Err(reason) => Err(invalid(
            FieldName::Timeline,
            reason.unwrap_or("no date or period was found (like \"next month\" or \"en marzo\")"),
        )),
    }
}

/// Where a timeline is in a customer's message. `asked` also reads the
/// words that need the agent's question to mean a timeline.
pub(super) fn locate(text: &str, today: Date, asked: bool) -> Option<Range<usize>> {
    search(text, today, asked).ok().map(|(_, range)| range)
}

/// The first pattern, in priority order, that reads as a timeline. A match
/// refused (a date already past, the 31st of February) also rules out the
/// weaker matches inside it ("2026" in "31/02/2026"); the first refusal is
/// the error when nothing else reads.
fn search(
    text: &str,
    today: Date,
    all: bool,
) -> Result<(When, Range<usize>), Option<&'static str>> {
    let mut refused: Vec<Range<usize>> = Vec::new();
    let mut first_reason = None;
    for pattern in PATTERNS.iter().filter(|p| p.strong || all) {
        for caps in pattern.regex.captures_iter(text) {
            let Some(range) = caps.get(0).map(|m| m.range()) else {
                continue;
            };
            if refused
                .iter()
                .any(|r| r.start < range.end && range.start < r.end)
            {
                continue;
            }
            match resolve(pattern.rule, &caps, today) {
                Ok(Some(when)) => return Ok((when, range)),
                Ok(None) => {}
                Err(reason) => {
                    first_reason.get_or_insert(reason);
                    refused.push(range);
                }
            }
        }
    }
    Err(first_reason)
}

enum When {
    Asap,
    Undecided,
    By(Date),
}

impl When {
    fn into_timeline(self, said: &str) -> Timeline {
        match self {
            When::Asap => Timeline::Asap,
            When::Undecided => Timeline::Undecided,
            When::By(date) => Timeline::By {
                date,
                said: text::collapse_spaces(said),
            },
        }
    }
}

const NOT_A_DATE: &str = "that is not a real date";
const PASSED: &str = "that date has already passed";

/// What a match means: `None` when it is not about timing after all.
fn resolve(rule: Rule, caps: &Captures<'_>, today: Date) -> Result<Option<When>, &'static str> {
    let group = |i: usize| caps.get(i).map(|m| m.as_str());
    let number = |i: usize| group(i).and_then(|s| s.parse::<i8>().ok());
    let year = |i: usize| group(i).map(full_year).transpose();
    let date = match rule {
        Rule::Asap => return Ok(Some(When::Asap)),
        Rule::Undecided if group(1).is_some() => return Ok(None),
        Rule::Undecided => return Ok(Some(When::Undecided)),
        Rule::IsoDate => {
            let y = year(1)?.ok_or(NOT_A_DATE)?;
            explicit(civil(y, number(2), number(3))?, today)?
        }
        Rule::NumericDate => {
            let (a, b) = (number(1), number(2));
            match year(3)? {
                Some(y) => explicit(civil(y, b, a).or_else(|_| civil(y, a, b))?, today)?,
                None => upcoming(today, b, a).or_else(|_| upcoming(today, a, b))?,
            }
        }
        Rule::DayMonth => day_of(today, month_number(group(2)), number(1), year(3)?)?,
        Rule::MonthDay => day_of(today, month_number(group(1)), number(2), year(3)?)?,
        Rule::MonthYear => {
            let first = civil(year(2)?.ok_or(NOT_A_DATE)?, month_number(group(1)), Some(1))?;
            if first.last_of_month() < today {
                return Err(PASSED);
            }
            first.max(today)
        }
        Rule::Quarter => {
            let n = ordinal(group(1)).ok_or(NOT_A_DATE)?;
            period(today, 3 * (n - 1) + 1, 3, year(2)?)?
        }
        Rule::Half => {
            let n = ordinal(group(1).or(group(2))).ok_or(NOT_A_DATE)?;
            period(today, 6 * (n - 1) + 1, 6, year(3)?)?
        }
        Rule::InPeriod => {
            let count = period_count(group(1).unwrap_or_default())
                .ok_or("the number of days or weeks is unclear")?;
            let span = match unit(group(2)) {
                Unit::Day => Span::new().try_days(count),
                Unit::Week => Span::new().try_weeks(count),
                Unit::Month => Span::new().try_months(count),
                Unit::Year | Unit::Quarter => Span::new().try_years(count),
            };
            span.and_then(|span| today.checked_add(span))
                .map_err(|_| TOO_FAR)?
        }
        Rule::Next => match unit(group(1)) {
            Unit::Week => today.nth_weekday(1, Weekday::Monday).map_err(|_| TOO_FAR)?,
            Unit::Month => add(today.first_of_month(), 1.month())?,
            Unit::Year => civil(today.year().saturating_add(1), Some(1), Some(1))?,
            Unit::Quarter => add(quarter_start(today)?, 3.months())?,
            Unit::Day => add(today, 1.day())?,
        },
        Rule::This => today,
        Rule::EndOf => match unit(group(1)) {
            Unit::Month => add(today.last_of_month(), (-6).days())?,
            Unit::Year => civil(today.year(), Some(12), Some(1))?,
            Unit::Quarter => add(quarter_start(today)?, 2.months())?,
            Unit::Week | Unit::Day => today,
        }
        .max(today),
        Rule::PartOfMonth => {
            let month = month_number(group(2));
            let first = civil(upcoming_year(today, month), month, Some(1))?;
            let part = group(1).unwrap_or_default().to_lowercase();
            let day = if [
                "early",
                "beginning",
                "start",
                "principios",
                "inicios",
                "comienzos",
            ]
            .iter()
            .any(|p| part.starts_with(p))
            {
                first
            } else if ["mid", "middle", "mediados"]
                .iter()
                .any(|p| part.starts_with(p))
            {
                add(first, 14.days())?
            } else {
                add(first.last_of_month(), (-6).days())?
            };
            day.max(today)
        }
        Rule::Month => {
            let month = month_number(group(1));
            civil(upcoming_year(today, month), month, Some(1))?.max(today)
        }
        Rule::Year => {
            let y = year(1)?.ok_or(NOT_A_DATE)?;
            if y < today.year() {
                return Err(PASSED);
            }
            civil(y, Some(1), Some(1))?.max(today)
        }
        Rule::Weekday => {
            let weekday = weekday(group(1)).ok_or(NOT_A_DATE)?;
            today.nth_weekday(1, weekday).map_err(|_| TOO_FAR)?
        }
        Rule::Tomorrow => add(today, 1.day())?,
        Rule::DayAfterTomorrow => add(today, 2.days())?,
    };
    let horizon = today.saturating_add(Span::new().years(HORIZON_YEARS));
    if date > horizon {
        return Err(TOO_FAR);
    }
    Ok(Some(When::By(date)))
}

const TOO_FAR: &str = "that is more than ten years away";

fn add(date: Date, span: Span) -> Result<Date, &'static str> {
    date.checked_add(span).map_err(|_| TOO_FAR)
}

fn civil(year: i16, month: Option<i8>, day: Option<i8>) -> Result<Date, &'static str> {
    let (Some(month), Some(day)) = (month, day) else {
        return Err(NOT_A_DATE);
    };
    Date::new(year, month, day).map_err(|_| NOT_A_DATE)
}

/// A date the customer wrote with its year: it must not have passed.
fn explicit(date: Date, today: Date) -> Result<Date, &'static str> {
    if date < today { Err(PASSED) } else { Ok(date) }
}

/// This year's `month`/`day`, or next year's once it has passed.
fn upcoming(today: Date, month: Option<i8>, day: Option<i8>) -> Result<Date, &'static str> {
    let this_year = civil(today.year(), month, day)?;
    if this_year >= today {
        return Ok(this_year);
    }
    civil(today.year().saturating_add(1), month, day)
}

fn day_of(
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
fn upcoming_year(today: Date, month: Option<i8>) -> i16 {
    match month {
        Some(month) if month < today.month() => today.year().saturating_add(1),
        _ => today.year(),
    }
}

/// The first day of a quarter or half starting in `first_month` and
/// `months` long; today when it is under way; next year's once over (or
/// refused, when the customer gave the year).
fn period(
    today: Date,
    first_month: i8,
    months: i8,
    year: Option<i16>,
) -> Result<Date, &'static str> {
    let in_year = |y: i16| -> Result<(Date, Date), &'static str> {
        let start = civil(y, Some(first_month), Some(1))?;
        let end = add(start, Span::new().months(months))?;
        Ok((start, end))
    };
    let (start, end) = in_year(year.unwrap_or(today.year()))?;
    if end > today {
        return Ok(start.max(today));
    }
    if year.is_some() {
        return Err(PASSED);
    }
    Ok(in_year(today.year().saturating_add(1))?.0)
}

fn quarter_start(today: Date) -> Result<Date, &'static str> {
    let first_month = (today.month() - 1) / 3 * 3 + 1;
    civil(today.year(), Some(first_month), Some(1))
}

/// "2027" or "27" (this century).
fn full_year(raw: &str) -> Result<i16, &'static str> {
    let year: i16 = raw.parse().map_err(|_| NOT_A_DATE)?;
    Ok(if raw.len() == 2 { 2000 + year } else { year })
}

#[derive(Clone, Copy)]
enum Unit {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

fn unit(raw: Option<&str>) -> Unit {
    match raw
        .and_then(|r| r.chars().next())
        .map(|c| c.to_ascii_lowercase())
    {
        Some('d') => Unit::Day,
        Some('w' | 's') => Unit::Week,
        Some('m') => Unit::Month,
        Some('q' | 't') => Unit::Quarter,
        _ => Unit::Year,
    }
}

fn ordinal(raw: Option<&str>) -> Option<i8> {
    let lower = raw?.to_lowercase();
    if let Some(digit) = lower.chars().next().and_then(|c| c.to_digit(10)) {
        return i8::try_from(digit).ok().filter(|d| (1..=4).contains(d));
    }
    match lower.as_str() {
        "first" | "primer" | "primero" => Some(1),
        "second" | "segundo" => Some(2),
        "third" | "tercer" | "tercero" => Some(3),
        "fourth" | "cuarto" => Some(4),
        _ => None,
    }
}

/// "3", "three", "a couple of", "unos pocos".
fn period_count(raw: &str) -> Option<i64> {
    let lower = text::collapse_spaces(&raw.to_lowercase());
    let count = match lower.as_str() {
        "a couple of" | "a couple" | "couple of" | "un par de" | "par de" => 2,
        "a few" | "few" | "unos pocos" | "unas pocas" | "unos" | "unas" => 3,
        digits if digits.bytes().all(|b| b.is_ascii_digit()) => digits.parse().ok()?,
        word => text::word_value(word)?,
    };
    (count > 0).then_some(i64::from(count))
}

fn month_number(raw: Option<&str>) -> Option<i8> {
    let lower = raw?.to_lowercase();
    let month = match lower.trim_end_matches('.') {
        "january" | "jan" | "enero" | "ene" => 1,
        "february" | "feb" | "febrero" => 2,
        "march" | "mar" | "marzo" => 3,
        "april" | "apr" | "abril" | "abr" => 4,
        "may" | "mayo" => 5,
        "june" | "jun" | "junio" => 6,
        "july" | "jul" | "julio" => 7,
        "august" | "aug" | "agosto" | "ago" => 8,
        "september" | "sept" | "sep" | "septiembre" | "setiembre" => 9,
        "october" | "oct" | "octubre" => 10,
        "november" | "nov" | "noviembre" => 11,
        "december" | "dec" | "diciembre" | "dic" => 12,
        _ => return None,
    };
    Some(month)
}

fn weekday(raw: Option<&str>) -> Option<Weekday> {
    let lower = raw?.to_lowercase();
    Some(match lower.as_str() {
        "monday" | "lunes" => Weekday::Monday,
        "tuesday" | "martes" => Weekday::Tuesday,
        "wednesday" | "miércoles" | "miercoles" => Weekday::Wednesday,
        "thursday" | "jueves" => Weekday::Thursday,
        "friday" | "viernes" => Weekday::Friday,
        "saturday" | "sábado" | "sabado" => Weekday::Saturday,
        "sunday" | "domingo" => Weekday::Sunday,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    /// A Thursday.
    const TODAY: Date = date(2026, 1, 15);

    fn by(raw: &str, y: i16, m: i8, d: i8) -> (&str, Timeline) {
        (
            raw,
            Timeline::By {
                date: date(y, m, d),
                said: raw.to_owned(),
            },
        )
    }

    #[test]
    fn reads_dates_periods_and_moods() {
        let cases = vec![
            ("ASAP", Timeline::Asap),
            ("right away", Timeline::Asap),
            ("ya", Timeline::Asap),
            ("lo antes posible", Timeline::Asap),
            ("Lo antes posible", Timeline::Asap),
            ("urgente", Timeline::Asap),
            ("cuanto antes", Timeline::Asap),
            ("as soon as possible", Timeline::Asap),
            ("lo necesito ya", Timeline::Asap),
            ("immediately", Timeline::Asap),
            ("no rush", Timeline::Undecided),
            ("just looking", Timeline::Undecided),
            ("sin prisa", Timeline::Undecided),
            ("solo estoy mirando", Timeline::Undecided),
            ("todavía no sé", Timeline::Undecided),
            ("no sé", Timeline::Undecided),
            ("aún no lo sé.", Timeline::Undecided),
            ("not urgent", Timeline::Undecided),
            ("no es urgente", Timeline::Undecided),
            ("I don't know yet", Timeline::Undecided),
            by("next month", 2026, 2, 1),
            by("el mes que viene", 2026, 2, 1),
            by("el próximo mes", 2026, 2, 1),
            by("We want to start next month", 2026, 2, 1),
            by("next week", 2026, 1, 19),
            by("la próxima semana", 2026, 1, 19),
            by("la semana que viene", 2026, 1, 19),
            by("in 2 weeks", 2026, 1, 29),
            by("en 2 semanas", 2026, 1, 29),
            by("en dos semanas", 2026, 1, 29),
            by("within 10 days", 2026, 1, 25),
            by("en 3 meses", 2026, 4, 15),
            by("in a couple of months", 2026, 3, 15),
            by("dentro de un año", 2027, 1, 15),
            by("en quince días", 2026, 1, 30),
            by("three weeks from now", 2026, 2, 5),
            by("Q3", 2026, 7, 1),
            by("third quarter", 2026, 7, 1),
            by("tercer trimestre", 2026, 7, 1),
            by("Q1", 2026, 1, 15),
            by("Q2 2027", 2027, 4, 1),
            by("second half", 2026, 7, 1),
            by("in March", 2026, 3, 1),
            by("en marzo", 2026, 3, 1),
            by("para marzo", 2026, 3, 1),
            by("by the end of the year", 2026, 12, 1),
            by("a fin de año", 2026, 12, 1),
            by("a fin de mes", 2026, 1, 25),
            by("2026-03-15", 2026, 3, 15),
            by("15/03/2026", 2026, 3, 15),
            by("03/15/2026", 2026, 3, 15),
            by("15/3/26", 2026, 3, 15),
            by("March 15", 2026, 3, 15),
            by("March 15th, 2027", 2027, 3, 15),
            by("15 de marzo", 2026, 3, 15),
            by("el 15 de marzo de 2027", 2027, 3, 15),
            by("mediados de abril", 2026, 4, 15),
            by("early May", 2026, 5, 1),
            by("this year", 2026, 1, 15),
            by("este año", 2026, 1, 15),
            by("next year", 2027, 1, 1),
            by("el año que viene", 2027, 1, 1),
            by("in 2027", 2027, 1, 1),
            by("tomorrow", 2026, 1, 16),
            by("mañana", 2026, 1, 16),
            by("pasado mañana", 2026, 1, 17),
            by("next Monday", 2026, 1, 19),
            by("el próximo viernes", 2026, 1, 16),
            by("marzo", 2026, 3, 1),
            by("15/02", 2026, 2, 15),
            by("no rush, maybe in March", 2026, 3, 1),
        ];
        assert!(cases.len() >= 40);
        for (raw, expected) in cases {
            assert_eq!(parse_timeline(raw, TODAY), Ok(expected), "{raw}");
        }
    }

    #[test]
    fn a_period_already_over_means_next_year() {
        let june = date(2026, 6, 10);
        let by = |raw: &str| match parse_timeline(raw, june) {
            Ok(Timeline::By { date, .. }) => date,
            other => panic!("{raw}: {other:?}"),
        };
        assert_eq!(by("en marzo"), date(2027, 3, 1));
        assert_eq!(by("Q1"), date(2027, 1, 1));
        assert_eq!(by("Q2"), june);
        assert_eq!(by("in June"), june);
        assert_eq!(by("15 de marzo"), date(2027, 3, 15));
        assert_eq!(by("first half"), june);
        assert_eq!(by("second half"), date(2026, 7, 1));
        assert_eq!(by("end of the month"), date(2026, 6, 24));
    }

    #[test]
    fn refuses_what_is_not_a_timeline() {
        let cases = [
            ("whenever", "no date"),
            ("2020-01-01", "passed"),
            ("15/03/2020", "passed"),
            ("Q1 2025", "passed"),
            ("in 2019", "passed"),
            ("31/02/2026", "not a real date"),
            ("in 9999 years", "ten years"),
            ("in 50 years", "ten years"),
            ("in 0 days", "unclear"),
            ("hola", "no date"),
        ];
        for (raw, reason) in cases {
            match parse_timeline(raw, TODAY) {
                Err(FieldError::Invalid {
                    field: FieldName::Timeline,
                    reason: got,
                }) => {
                    assert!(got.contains(reason), "{raw}: {got}");
                }
                other => panic!("{raw} should be refused, got {other:?}"),
            }
        }
    }

    #[test]
    fn locates_only_unambiguous_words_unless_asked() {
        let at = |text: &str, asked| locate(text, TODAY, asked).map(|span| text[span].to_owned());
        assert_eq!(
            at("We want to start next month", false).as_deref(),
            Some("next month")
        );
        assert_eq!(
            at("Lo antes posible", false).as_deref(),
            Some("Lo antes posible")
        );
        assert_eq!(at("ya tenemos un bot", false), None);
        assert_eq!(at("can we talk tomorrow?", false), None);
        assert_eq!(at("tomorrow", true).as_deref(), Some("tomorrow"));
        assert_eq!(at("I'm just looking for a chatbot", false), None);
        assert_eq!(at("we offer 24/7 support", false), None);
        assert_eq!(at("we may start soon", false), None);
    }
}
