//! When the customer wants to buy, Spanish and English: "ASAP", "el mes
//! que viene", "in 2 weeks", "Q3", "15 de marzo", "no rush".
//!
//! A period becomes its first day, never earlier than today:
//! - "next week" is next Monday; "next month" the 1st of next month;
//! - "in March" is 1 March, next year once March is over; a quarter or half
//!   likewise ("Q1 next year" is next year's), and the one in progress
//!   means today;
//! - "end of the month" is the start of its last week (the 22nd to 25th),
//!   "end of the year" 1 December, "end of the quarter" (or of Q2, of the
//!   semestre) the 1st of its last month; "mid March" the 15th, "second
//!   half of March" ("segunda quincena") the 16th;
//! - "early/mid/late next year" (or 2027) is its 1 January, 1 July or 1
//!   December, "a mediados de año" this year's July (next year's once it is
//!   over), "end of next month" the start of its last week; "after the end
//!   of the year" ("después de fin de año") is the next one's first day;
//! - "in 2 weeks" is today plus two weeks, and "within the next month" a
//!   month from today;
//! - "this week/month/year" is today;
//! - a named day or season is its next occurrence (today while it lasts, or
//!   the one that year when the customer gives it): "before Black Friday",
//!   "para Navidad", "en verano" all mean by its first day, and "after X",
//!   "después de X" the day after it ends ("después del verano" is 1
//!   September); [`Event`](events::Event) says which days each is. Read
//!   with a word of timing ("before", "para"), or alone only when the
//!   timeline was asked; an explicit month wins ("antes de fiestas
//!   patrias, o sea en julio");
//! - numeric dates are day-first ("15/03/2026"), month-first only when
//!   day-first is impossible ("03/15/2026");
//! - explicit dates already past, and dates over ten years away, are refused.
//!
//! A word that could mean something else in a message ("mañana" is also
//! "morning", "ya" also "already", a bare month, "tomorrow" about a call) is
//! only read when the agent asked for the timeline, or when it is the value
//! proposed.

use super::{FieldError, invalid, text};
use crate::lead::{Deadline, FieldName, Timeline};
use jiff::civil::Date;
use jiff::{Span, ToSpan};
use regex::{Captures, Regex};
use std::ops::Range;
use std::sync::LazyLock;

mod calendar;
mod events;
mod patterns;
mod pieces;

use calendar::{
    TOO_FAR, add, civil, day_of, explicit, later, next, part, period, period_start, upcoming,
    upcoming_year,
};
use events::event_named;
use patterns::{PATTERNS, Rule};
use pieces::{Unit, counted, full_year, month_number, ordinal, period_count, unit, weekday};

/// A proposed timeline longer than this is prose, not a value.
const MAX_INPUT: usize = 600;
// What was said is the proposal, so it always fits a stored one.
const _: () = assert!(MAX_INPUT <= Deadline::MAX_SAID_CHARS);
/// Buying timelines further out than this are not real.
const HORIZON_YEARS: i16 = 10;

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

impl Timeline {
    /// Parsing from text is parsing by the timeline's rules, with `today`
    /// (in the business's zone) anchoring "next month" and friends.
    pub fn parse(raw: &str, today: Date) -> Result<Self, FieldError> {
        parse_timeline(raw, today)
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
            // Unasked, a date in a story or a busy season ("since our sale
            // in March", "en mayo por el día de la madre se llena") is not
            // when the customer wants to start.
            if tells_a_story(text, &range, !all) || says_how(text, &range, pattern.rule) {
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

/// Words that make a clause a story or an anniversary: never when to
/// start, asked or not.
static STORY: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)\b(?:since|desde|ago|hace\s+\d|del?\s+(?:año|mes)\s+pasado|la\s+semana\s+pasada
        |last\s+(?:year|month|week|time|summer|winter|spring|fall|autumn|season|quarter|christmas|diwali|easter|holidays|black\s+friday)
        |(?:el|la)\s+(?:verano|invierno|navidad|temporada|semana\s+santa)\s+pasad[oa]
        |(?:we|i)\s+(?:got|had|received|did|sold|were|was)|was\s+(?:nuts|crazy|insane|hectic|mad|busy|chaos)
        |tuvimos|recibimos|vendimos|perdimos|we\s+lost|fue\s+una\s+locura
        |tried|probamos|used\s+to|founded|fundad[oa]s?|abrimos\s+en|opened\s+in|turn\s+\d+|cumplimos|anniversary|aniversario
        |(?:haven'?t|hasn'?t|have\s+not|has\s+not)\s+(?:been|gone|had|seen|visited)|no\s+(?:he|ha|hemos|han)\s+(?:ido|venido|tenido|estado))\b",
    )
});

/// A verb of answering right before "straight away": how the customer
/// wants their own customers answered ("questions answered straight
/// away"), not when they want to start.
static ANSWERED: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)\b(?:answered|replied|responded|answer|reply|respond|answering|replying|responding
        |contestad[oa]s?|respondid[oa]s?|contest[ae]n?|respond[ae]n?|atendid[oa]s?)\s*$",
    )
});

/// "ahora mismo usamos Wati", "right now we answer by hand": a "now"
/// that opens a description of today, not a hurry.
static NOW_DESCRIBES: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)^[\ \t,]*(?:mismo\s+)?(?:usamos|uso|utilizamos|tenemos|tengo|estamos|estoy|somos|trabajamos|manejamos|hay
        |lo\s+hacemos|contestamos|respondemos|we|i|our|they|it['’]?s|there['’]?s|everything|todo)\b",
    )
});

/// Whether a hurry at `range` says how something is done, not when.
fn says_how(text: &str, range: &Range<usize>, rule: Rule) -> bool {
    if !matches!(rule, Rule::Asap) {
        return false;
    }
    let now = matches!(
        text[range.clone()].to_lowercase().as_str(),
        "ahora mismo" | "right now" | "ahora" | "ahorita" | "now"
    );
    // "ahora, no soy yo quien firma": "now" opening a clause, set off by a
    // comma, moves the talk on.
    let opens_clause = text[..range.start]
        .trim_end()
        .chars()
        .last()
        .is_none_or(|c| ",.;:!?\n".contains(c));
    let moves_on = opens_clause && text[range.end..].starts_with(',');
    ANSWERED.is_match(&text[..range.start])
        || (now && (moves_on || NOW_DESCRIBES.is_match(&text[range.end..])))
}

/// Words that make a clause a busy season: not when to start unless asked
/// ("after the busy season" answers "when?").
static SEASON: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)\b(?:se\s+llena|fills?\s+up|busy|busiest|ocupad[oa]s?|temporada|season|peak|sobre\s+todo|especially|traffic|tr[aá]fico
        |nos\s+escriben|people\s+message|we\s+close|cerramos|closed|cerrad[oa]s?|sale|rebajas|ofertas)\b",
    )
});

/// Words that say when to start, which a story's date may still carry
/// ("since the sale in March we need it live by April").
static START: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)\b(?:start|begin|launch|go\s+live|live|running|set\s+up|have\s+it|get\s+it|ready|need\s+it|want\s+it
        |empezar|comenzar|iniciar|arrancar|lanzar|implementar|tenerlo|tenerla|listo|lista|funcionando|partir|lo\s+necesitamos|la\s+necesitamos
        |anotar\w*|inscribir\w*|apuntar\w*|enrol\w*|sign\s+(?:up|\w+\s+up))\b",
    )
});

/// Whether the clause around `range` tells a story (see [`STORY`]), or
/// unasked a busy season ([`SEASON`]), and says nothing of starting.
fn tells_a_story(text: &str, range: &Range<usize>, unasked: bool) -> bool {
    // A story spans its sentence ("el año pasado probamos un bot, le decía
    // a la gente que abríamos en Semana Santa"); a season, its clause.
    let sentence = text::around(text, range, &text::SENTENCE_STOPS);
    let clause_span = text::around_span(text, range, &text::CLAUSE_STOPS);
    let clause = &text[clause_span.clone()];
    // "before the 9.9 sale": the event's own name is not a busy season.
    let season = SEASON.find_iter(clause).any(|m| {
        let at = clause_span.start + m.start()..clause_span.start + m.end();
        at.end <= range.start || range.end <= at.start
    });
    (STORY.is_match(sentence) && !START.is_match(sentence))
        || (unasked && season && !START.is_match(clause))
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
            When::By(date) => Timeline::By(Deadline::parsed(date, text::collapse_spaces(said))),
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
            let n = ordinal(group(2)).ok_or(NOT_A_DATE)?;
            let year = year(3)?.or(group(4).map(|_| today.year().saturating_add(1)));
            period(today, 3 * (n - 1) + 1, 3, year, group(1).is_some())?
        }
        Rule::Half if group(6).is_some() => return Ok(None),
        Rule::Half => {
            let n = ordinal(group(2).or(group(3))).ok_or(NOT_A_DATE)?;
            let year = year(4)?.or(group(5).map(|_| today.year().saturating_add(1)));
            period(today, 6 * (n - 1) + 1, 6, year, group(1).is_some())?
        }
        Rule::InPeriod => {
            let count = period_count(group(1).unwrap_or_default())
                .ok_or("the number of days or weeks is unclear")?;
            let (count, unit) = counted(count, group(2));
            later(today, count, unit)?
        }
        Rule::Within => later(today, 1, unit(group(1)))?,
        Rule::PartOfPeriod => {
            let part = part(group(1));
            match (group(2).or(group(3)).map(|u| unit(Some(u))), year(4)?) {
                (Some(Unit::Month), _) => part.of_month(next(today, Unit::Month)?)?,
                (_, Some(y)) if y < today.year() => return Err(PASSED),
                (_, Some(y)) => civil(y, Some(part.month_of_year()), Some(1))?.max(today),
                _ => civil(
                    today.year().saturating_add(1),
                    Some(part.month_of_year()),
                    Some(1),
                )?,
            }
        }
        Rule::PartOfYear => {
            let month = Some(part(group(1)).month_of_year());
            civil(upcoming_year(today, month), month, Some(1))?.max(today)
        }
        Rule::Next => next(today, unit(group(1)))?,
        Rule::AfterNext => {
            let unit = unit(group(1));
            next(next(today, unit)?, unit)?
        }
        Rule::This => today,
        Rule::EndOf if group(1).is_some() => next(today, unit(group(2).or(group(3))))?,
        Rule::EndOf => match unit(group(2).or(group(3))) {
            Unit::Month => add(today.last_of_month(), (-6).days())?,
            Unit::Year => civil(today.year(), Some(12), Some(1))?,
            Unit::Quarter => add(period_start(today, 3)?, 2.months())?,
            Unit::Half => add(period_start(today, 6)?, 5.months())?,
            Unit::Week | Unit::Day => today,
        }
        .max(today),
        Rule::PartOfMonth => {
            let month = month_number(group(2));
            let first = civil(upcoming_year(today, month), month, Some(1))?;
            part(group(1)).of_month(first)?.max(today)
        }
        Rule::Month => {
            let month = month_number(group(1));
            civil(upcoming_year(today, month), month, Some(1))?.max(today)
        }
        Rule::AfterMonth => {
            let month = month_number(group(1));
            let start = civil(upcoming_year(today, month), month, Some(1))?;
            add(start, 1.month())?.max(today)
        }
        Rule::Event => {
            let Some(event) = event_named(group(2)) else {
                return Ok(None);
            };
            let (start, end) = match year(3)? {
                Some(y) => {
                    let days = event.days(y)?;
                    if days.1 < today {
                        return Err(PASSED);
                    }
                    days
                }
                None => match event.days(today.year())? {
                    days if days.1 >= today => days,
                    _ => event.days(today.year().saturating_add(1))?,
                },
            };
            if group(1).is_some() {
                add(end, 1.day())?
            } else {
                start.max(today)
            }
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

#[cfg(test)]
mod tests;
