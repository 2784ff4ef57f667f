//! Budgets, Spanish and English: "5k", "$5.000", "5.000,50 €",
//! "5 mil dólares", "entre 5 y 10 mil", "up to 2,000 EUR", "R$ 5.000".
//!
//! Decisions a reader would otherwise have to guess:
//! - amounts are whole units: cents are dropped ("5.000,50 €" is 5000);
//! - a lone "$" is USD, unless "pesos" is said, which makes it a peso sign;
//! - bare "pesos" leaves the currency unknown (`None`): Mexico, Colombia,
//!   Argentina, Chile... all say "pesos", so the business's own default
//!   should fill it in; "pesos mexicanos" or "MXN" are MXN;
//! - the period said is kept as it was said: 12,000 a year stays 12,000
//!   with [`BudgetPeriod::Year`], never divided into months; a week ("a la
//!   semana") is read but not kept, as no sales budget here is weekly;
//! - a period or a currency said elsewhere in the sentence belongs to the
//!   amount ("Monthly we can spend 40k INR", "5000, en dólares"), unless
//!   it is another amount's ("5k setup and 500 monthly") or negated ("not
//!   monthly"); "a month" and "upfront" count only right after the amount,
//!   as elsewhere they are as often "in a month" and "to be upfront";
//! - `currency_assumed` says the text names no currency at all (no sign,
//!   code or currency word), so the router may put the business's in;
//!   "pesos" alone names one, if not whose;
//! - Indian "lakh" (100,000) and "crore" (10,000,000) are multipliers;
//! - zero, and text with no amount ("no idea", "no tenemos presupuesto"),
//!   are refused.

use super::text::Words;
use super::{FieldError, invalid, text};
use crate::lead::{self, Budget, BudgetPeriod, FieldName};
use regex::{Captures, Regex};
use std::ops::Range;
use std::sync::LazyLock;

/// Larger amounts are typos or jokes, not a sales budget, even in pesos.
const MAX_AMOUNT: u128 = 1_000_000_000_000;
/// A proposed budget longer than this is prose, not a value.
const MAX_INPUT: usize = 600;
/// Integer digits beyond these cannot be under [`MAX_AMOUNT`] anyway.
const MAX_INT_DIGITS: usize = 15;

const TOO_LARGE: &str = "the amount is too large to be a budget";
const ZERO: &str = "a budget must be more than zero";

const AT_MOST: &str = r"no\s+(?:quiero|queremos|quisiera|puedo|podemos|pienso|pensamos)\s+(?:gastar|pagar|invertir|poner)\s+m[aá]s\s+de|(?:don['’]?t|do\s+not|can['’]?t|cannot|won['’]?t|wouldn['’]?t)\s+(?:want\s+to\s+|like\s+to\s+)?(?:spend|pay|go)\s+(?:more\s+than|over|above)|up\s+to|no\s+more\s+than|not\s+more\s+than|not\s+(?:over|above|exceeding|to\s+exceed)|at\s+(?:the\s+)?most|maximum(?:\s+of)?|max(?:\s+of)?|capped\s+at|less\s+than|under|below|hasta|como\s+m[aá]ximo|m[aá]ximo(?:\s+de)?|a\s+lo\s+sumo|a\s+lo\s+mucho|como\s+mucho|cuando\s+mucho|no\s+m[aá]s\s+de|menos\s+de|(?:no|sin)\s+(?:pasar(?:nos|se)?|exceder|superar)(?:\s+(?:de|los|las))?|que\s+no\s+(?:pase|exceda|supere)(?:\s+(?:de|los|las))?|(?:con\s+(?:un\s+)?)?tope(?:\s+de)?";
const AT_LEAST: &str = r"no\s+less\s+than|not\s+less\s+than|at\s+least|minimum(?:\s+of)?|min(?:\s+of)?|more\s+than|over|above|starting\s+(?:at|from)|from|como\s+m[ií]nimo|m[ií]nimo(?:\s+de)?|al\s+menos|por\s+lo\s+menos|no\s+menos\s+de|m[aá]s\s+de|desde|a\s+partir\s+de";
const ABOUT: &str = r"around|arround|about|bout|roughly|approximately|approx|circa|more\s+or\s+less|give\s+or\s+take|like|aproximadamente|aprox|alrededor\s+de|cerca\s+de|m[aá]s\s+o\s+menos|rondando(?:\s+(?:los|las|el))?|ronda(?:\s+(?:los|las|el))?|unos|unas|como";
const CODES: &str =
    "usd|eur|mxn|cop|ars|clp|pen|brl|gbp|cad|aud|chf|uyu|pyg|bob|gtq|crc|dop|hnl|nio|pab|ves|inr";
const MULT: &str = r"k\b|mil\s+millones\b|mill(?:ón|on|ones)\b|millions?\b|mil\b|thousand\b|grand\b|mm?\b|bn\b|billions?\b|lucas\b|lakhs?\b|lacs?\b|crores?\b";
/// The currency words an amount may carry after it ("5 mil dólares").
const CURRENCY_WORDS: &str = r"d[oó]lar(?:es|s)?|dollars?|dlls?|dls|dlrs|bucks|euros?|pesos?(?:\s+(?:mexicanos|colombianos|argentinos|chilenos|uruguayos|dominicanos|cubanos))?|soles|reales|reais|libras(?:\s+esterlinas)?|pounds?|quid|rupees?|rs|quetzales|bol[ií]vares|colones|lempiras|guaran[ií]es";
/// A currency named away from the amount ("5000, en dólares"): only the
/// names that mean nothing else, so not "pen", "ves", "reales" ("clientes
/// reales"), "soles" or "libras".
static CURRENCY_SAID: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?i)\bus\$|\bu\$s|\bmx\$|\br\$|\$|€|£|₹|\b(?:usd|eur|mxn|ars|clp|gbp|cad|aud|chf|uyu|pyg|gtq|crc|dop|hnl|brl|inr|d[oó]lar(?:es|s)?|dollars?|dlls?|dls|bucks|euros?|quid|rupees?|pesos(?:\s+(?:mexicanos|colombianos|argentinos|chilenos|uruguayos|dominicanos|cubanos))?)\b",
    )
});

// Periods, by what they mean. The `_SAID` ones say so wherever they are in
// the sentence; the `_NEXT` ones only right after the amount ("800 a
// month", "5k upfront"), as elsewhere they are as often "in a month", "to
// be upfront" or "de una vez" (right away).
const MONTH_SAID: &str = r"(?:per|each|every|al|por|x|cada)\s+(?:month|mes)\b|monthly\b|montly\b|monthy\b|mensual(?:es|mente)?\b";
const MONTH_NEXT: &str = r"an?\s+month\b|per\s+mo\b|/\s*(?:month|mo|mth|mes)\b";
const YEAR_SAID: &str = r"(?:per|each|every|al|por|x|cada)\s+(?:year|a[ñn]o)\b|for\s+the\s+year\b|yearly\b|annual(?:ly)?\b|anual(?:es|mente)?\b|per\s+annum\b|p\.\s?a\.";
const YEAR_NEXT: &str = r"an?\s+(?:year|yr)\b|/\s*(?:year|yr|a[ñn]o)\b";
const ONCE_SAID: &str = r"pago\s+[úu]nico\b|(?:en\s+)?un\s+solo\s+pago\b|una\s+sola\s+vez\b|en\s+una\s+(?:sola\s+)?exhibici[oó]n|one[-\s]?off\b|once[-\s]off\b|one-time\b|one\s+time\s+(?:payment|fee|cost)\b|single\s+payment\b|al\s+contado\b|de\s+contado\b";
const ONCE_NEXT: &str = r"one\s+time\b|de\s+una\s+(?:sola\s+)?vez\b|up[-\s]?front\b|ahorrad[oa]s\b|saved(?:\s+up)?\b|in\s+savings\b|de\s+ahorros\b";
/// Read so that "500 a la semana" is one amount, but not kept.
const WEEK: &str = r"(?:an?|per|each|every|a\s+la|por\s+la|por|x|cada)\s+(?:week|semana)\b|weekly\b|semanal(?:es)?\b|/\s*(?:week|wk|semana)\b";
/// A period right after an amount, maybe after a comma or "as"/"como":
/// "€4.000 as one time payment", "1 millón, pago único".
const PERIOD_NEXT: &str = r"\s*,?\s*(?:(?:as|como)\s+(?:an?\s+|un\s+)?)?";

// Words after an amount that make it a floor ("5 mil o más", "500 para
// arriba") or a cap ("2k tops", "2 mil como mucho").
const TAIL_AT_LEAST: &str = r"or\s+more|o\s+m[aá]s|at\s+(?:the\s+)?least|como\s+m[ií]nimo|m[ií]nimo|minimum|min|para\s+arriba|pa['’]?\s+arriba|hacia\s+arriba|en\s+adelante|and\s+up|(?:or|and)\s+(?:above|higher)";
const TAIL_AT_MOST: &str = r"or\s+less|o\s+menos|tops|at\s+most|como\s+m[aá]ximo|m[aá]ximo|maximum|max|como\s+mucho|a\s+lo\s+mucho|cuando\s+mucho|(?:de|como)\s+tope|tope|no\s+more";

/// The capture-group names of one amount in [`EXPR`] (an expression holds
/// up to two, and each alternative of the pattern its own pair).
struct Slot {
    pre: &'static str,
    num: &'static str,
    word: &'static str,
    mult: &'static str,
    post: &'static str,
    period: &'static str,
}

const fn slot(
    pre: &'static str,
    num: &'static str,
    word: &'static str,
    mult: &'static str,
    post: &'static str,
    period: &'static str,
) -> Slot {
    Slot {
        pre,
        num,
        word,
        mult,
        post,
        period,
    }
}

const A: Slot = slot("a_pre", "a_num", "a_word", "a_mult", "a_post", "a_period");
const B: Slot = slot("b_pre", "b_num", "b_word", "b_mult", "b_post", "b_period");
const C: Slot = slot("c_pre", "c_num", "c_word", "c_mult", "c_post", "c_period");
const D: Slot = slot("d_pre", "d_num", "d_word", "d_mult", "d_post", "d_period");

/// Every period, those said in full first so that "one time payment" is
/// read whole rather than as "one time".
fn period_pattern() -> String {
    format!("{MONTH_SAID}|{YEAR_SAID}|{ONCE_SAID}|{MONTH_NEXT}|{YEAR_NEXT}|{ONCE_NEXT}|{WEEK}")
}

fn amount_pattern(s: &Slot) -> String {
    let pre = format!(r"\bus\$|\bu\$s|\bmx\$|\br\$|\$|€|£|₹|\brs\.?|\b(?:{CODES})\b");
    let post = format!(r"€|\$|\b(?:{CURRENCY_WORDS}|{CODES})\b");
    let num = r"\b(?:\d{1,3}(?:[\x{20}\x{A0}\x{202F}]\d{3})+(?:,\d{1,2})?|\d+(?:[.,]\d+)*)";
    format!(
        r"(?:(?P<{}>{pre})\s*)?(?:(?P<{}>{num})|\b(?P<{}>{})\b)(?:\s*(?P<{}>{MULT}))?(?:\s*(?:de\s+)?(?P<{}>{post}))?(?:{PERIOD_NEXT}(?P<{}>{}))?",
        s.pre,
        s.num,
        s.word,
        text::NUMBER_WORDS,
        s.mult,
        s.post,
        s.period,
        period_pattern(),
    )
}

/// Between a qualifier and its amount: "como máximo podemos poner 1
/// millón", "up to, we can do 500".
const CAN_SPEND: &str = r"(?:,?\s*(?:(?:we|i)\s+(?:can|could)\s+(?:do|spend|pay|invest|go)|(?:podemos|puedo|podr[ií]amos|podr[ií]a)\s+(?:poner|gastar|invertir|pagar|destinar))\s+)?";

/// One budget expression: qualifiers, one amount or a range, a tail
/// ("5k+", "5 mil o más", "5k-ish"), and the period when it comes after
/// the tail ("5 mil o más al mes").
static EXPR: LazyLock<Regex> = LazyLock::new(|| {
    let qual = format!(r"(?:\b(?:{AT_MOST}|{AT_LEAST}|{ABOUT})\b\.?|~)");
    let tail = format!(r"\s*\+|,?\s+(?:{TAIL_AT_MOST}|{TAIL_AT_LEAST})\b|\s*-?\s*ish\b");
    let pattern = format!(
        r"(?i)(?:(?P<q1>{qual})\s*(?:(?P<q2>{qual})\s*)?{can})?(?:\b(?:between|entre)\s+{a}\s+(?:and|y|e)\s+{b}|(?:\bde\s+)?{c}(?:(?:\s*[-–—]\s*|\s+(?:to|a|al|hasta|until|till)\s+){d})?)(?P<tail>{tail})?(?:{PERIOD_NEXT}(?P<tail_period>{period}))?",
        a = amount_pattern(&A),
        b = amount_pattern(&B),
        c = amount_pattern(&C),
        d = amount_pattern(&D),
        period = period_pattern(),
        can = CAN_SPEND,
    );
    text::regex(&pattern)
});

static AT_MOST_ONLY: LazyLock<Regex> = LazyLock::new(|| anchored(AT_MOST));
static AT_LEAST_ONLY: LazyLock<Regex> = LazyLock::new(|| anchored(AT_LEAST));
static TAIL_AT_LEAST_ONLY: LazyLock<Regex> = LazyLock::new(|| anchored(TAIL_AT_LEAST));
static MONTH_ONLY: LazyLock<Regex> =
    LazyLock::new(|| anchored(&format!("{MONTH_SAID}|{MONTH_NEXT}")));
static YEAR_ONLY: LazyLock<Regex> = LazyLock::new(|| anchored(&format!("{YEAR_SAID}|{YEAR_NEXT}")));
static ONCE_ONLY: LazyLock<Regex> = LazyLock::new(|| anchored(&format!("{ONCE_SAID}|{ONCE_NEXT}")));

/// A period said anywhere in the sentence ("Monthly we can spend 40k").
static PERIOD_SAID: LazyLock<Regex> =
    LazyLock::new(|| text::regex(&format!(r"(?i)\b(?:{MONTH_SAID}|{YEAR_SAID}|{ONCE_SAID})")));

/// Before a period, words that deny it: "one time payment, not monthly".
static DENIED: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(r"(?i)\b(?:not|no|nor|ni|nada\s+de)\s+(?:(?:es|is|a|an|un|una|as|como|de|en)\s+)?$")
});

/// After "al mes", words that make it a date: "al mes que viene".
static A_DATE_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(r"(?i)^\s*(?:que\s+viene|entrante|siguiente|pr[oó]ximo|from\s+now|ago|later)\b")
});

fn anchored(alternatives: &str) -> Regex {
    text::regex(&format!(r"(?i)^(?:{alternatives})\.?$"))
}

/// Words that make a bare number in a message a budget.
static CUE: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?i)\b(?:budget|presupuesto|spend|gastar|invest|invertir|inversi[oó]n|afford|pagar|pay|price\s+range|put\s+in|destinar|destinamos|(?:could|can)\s+manage|ahorrad[oa]s|saved)",
    )
});

/// Phrases that say there is no budget, for a clearer refusal.
static NO_BUDGET: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?i)\b(?:no|sin|zero|cero)\s+(?:budget|presupuesto)\b|\bno\s+(?:tenemos|tengo|hay)\s+presupuesto\b|\b(?:don'?t|do\s+not)\s+have\s+(?:a\s+)?budget\b|\b(?:nothing|nada|free|gratis)\b",
    )
});

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Currency {
    Iso(&'static str),
    /// "$": USD unless the text says pesos.
    Dollar,
    /// "pesos" without saying whose.
    Pesos,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Qualifier {
    About,
    AtMost,
    AtLeast,
}

/// One amount as written: the number, its multiplier and currency marks.
struct Part {
    number: Result<(u128, u128), &'static str>,
    spelled: bool,
    multiplier: Option<u128>,
    currency: [Option<Currency>; 2],
    period: Option<BudgetPeriod>,
}

impl Part {
    fn read(text: &str, caps: &Captures<'_>, slot: &Slot) -> Option<Part> {
        let (number, spelled) = match caps.name(slot.num) {
            Some(num) => (parse_number(num.as_str()), false),
            None => {
                let word = caps.name(slot.word)?;
                let value = text::word_value(word.as_str()).map(|v| (u128::from(v), 1));
                (value.ok_or("the amount is not a number"), true)
            }
        };
        Some(Part {
            number,
            spelled,
            multiplier: caps.name(slot.mult).map(|m| multiplier(m.as_str())),
            currency: [slot.pre, slot.post]
                .map(|group| caps.name(group).and_then(|m| currency(m.as_str()))),
            period: period_in(text, caps, slot.period),
        })
    }

    fn has_currency(&self) -> bool {
        self.currency.iter().any(Option::is_some)
    }

    /// "a", "one" on their own are words, not money.
    fn is_bare_word(&self) -> bool {
        self.spelled && self.multiplier.is_none() && !self.has_currency()
    }

    fn value(&self, multiplier: u128) -> Result<u64, &'static str> {
        let (mantissa, scale) = self.number?;
        let value = mantissa.checked_mul(multiplier).ok_or(TOO_LARGE)? / scale;
        if value == 0 {
            return Err(ZERO);
        }
        if value > MAX_AMOUNT {
            return Err(TOO_LARGE);
        }
        u64::try_from(value).map_err(|_| TOO_LARGE)
    }

    /// Whether this number, before multipliers, is below `other`'s: in
    /// "5-10k" the "k" belongs to both, in "500-2k" only to the second.
    fn smaller_than(&self, other: &Part) -> bool {
        let (Ok((a, a_scale)), Ok((b, b_scale))) = (self.number, other.number) else {
            return false;
        };
        match (a.checked_mul(b_scale), b.checked_mul(a_scale)) {
            (Some(left), Some(right)) => left < right,
            _ => false,
        }
    }
}

/// A budget expression found in text.
struct Found {
    span: Range<usize>,
    budget: Result<Budget, &'static str>,
    has_currency: bool,
    /// A currency or a multiplier ("5k", "3 mil") says this is money.
    marked: bool,
}

/// Every budget expression in `text`, left to right.
fn scan(text: &str) -> impl Iterator<Item = Found> + '_ {
    EXPR.captures_iter(text)
        .filter_map(|caps| read(text, &caps))
}

fn read(text: &str, caps: &Captures<'_>) -> Option<Found> {
    let whole = caps.get(0)?;
    let (first, second) = match Part::read(text, caps, &A) {
        Some(first) => (first, Part::read(text, caps, &B)),
        None => (Part::read(text, caps, &C)?, Part::read(text, caps, &D)),
    };
    if first.is_bare_word() || second.as_ref().is_some_and(Part::is_bare_word) {
        return None;
    }
    // "una máquina" is not "una m(illion)": the patterns' ASCII `\b` does
    // not see the accented letter after the "m".
    if text[whole.end()..].starts_with(char::is_alphabetic) {
        return None;
    }
    let has_currency = first.has_currency() || second.as_ref().is_some_and(Part::has_currency);
    let marked = has_currency
        || first.multiplier.is_some()
        || second.as_ref().is_some_and(|s| s.multiplier.is_some());
    Some(Found {
        span: whole.range(),
        budget: build(text, caps, &first, second.as_ref()),
        has_currency,
        marked,
    })
}

fn build(
    text: &str,
    caps: &Captures<'_>,
    first: &Part,
    second: Option<&Part>,
) -> Result<Budget, &'static str> {
    let qualifiers = ["q1", "q2"]
        .into_iter()
        .filter_map(|q| caps.name(q))
        .map(|m| qualifier(m.as_str()))
        .chain(caps.name("tail").map(|m| tail(m.as_str())));
    let (mut approximate, mut bound) = (false, None);
    for q in qualifiers {
        match q {
            Qualifier::About => approximate = true,
            other => bound = bound.or(Some(other)),
        }
    }
    let currency = resolve(
        first
            .currency
            .iter()
            .chain(second.map_or(&[None, None], |s| &s.currency))
            .flatten(),
    );
    let (min, max) = match second {
        None => {
            let value = first.value(first.multiplier.unwrap_or(1))?;
            match bound {
                Some(Qualifier::AtMost) => (None, Some(value)),
                Some(Qualifier::AtLeast) => (Some(value), None),
                _ => (Some(value), Some(value)),
            }
        }
        Some(second) => {
            let first_multiplier = match (first.multiplier, second.multiplier) {
                (None, Some(m)) if first.smaller_than(second) => m,
                (m, _) => m.unwrap_or(1),
            };
            let a = first.value(first_multiplier)?;
            let b = second.value(second.multiplier.unwrap_or(1))?;
            (Some(a.min(b)), Some(a.max(b)))
        }
    };
    Ok(Budget {
        min,
        max,
        currency,
        approximate,
        period: first
            .period
            .or(second.and_then(|s| s.period))
            .or_else(|| period_in(text, caps, "tail_period")),
        currency_assumed: !(first.has_currency() || second.is_some_and(Part::has_currency)),
    })
}

/// The period a capture group holds, unless it is a date ("al mes que
/// viene") or a week.
fn period_in(text: &str, caps: &Captures<'_>, group: &str) -> Option<BudgetPeriod> {
    let said = caps.name(group)?;
    if A_DATE_AFTER.is_match(&text[said.end()..]) {
        return None;
    }
    period(said.as_str())
}

/// A proposed budget: one amount, a range or a bound, with its currency.
pub fn parse_budget(raw: &str) -> Result<Budget, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(FieldError::Empty {
            field: FieldName::Budget,
        });
    }
    if raw.len() > MAX_INPUT {
        return Err(invalid(
            FieldName::Budget,
            "the text is too long to be a budget",
        ));
    }
    let all: Vec<Found> = scan(raw).collect();
    // "10 personas", "24/7", "2026" are counts, times and years, not money.
    let found: Vec<&Found> = all
        .iter()
        .filter(|f| f.has_currency || !counts_something_else(raw, f))
        .collect();
    let pick = match found.as_slice() {
        [] if NO_BUDGET.is_match(raw) => {
            return Err(invalid(FieldName::Budget, "it says there is no budget"));
        }
        [] => {
            return Err(invalid(
                FieldName::Budget,
                "no amount was found (like \"5k USD\" or \"entre 5 y 10 mil\")",
            ));
        }
        [one] => one,
        many => unique(many, |f| f.has_currency)
            .or_else(|| unique(many, |f| f.marked))
            .ok_or_else(|| {
                invalid(
                    FieldName::Budget,
                    "there are several amounts; give one amount or a range",
                )
            })?,
    };
    let mut budget = pick
        .budget
        .clone()
        .map_err(|reason| invalid(FieldName::Budget, reason))?;
    let amounts: Vec<Range<usize>> = all.iter().map(|f| f.span.clone()).collect();
    Nearby::around(raw, &pick.span, &amounts).complete(&mut budget);
    Ok(budget)
}

fn unique<'a>(found: &[&'a Found], keep: impl Fn(&Found) -> bool) -> Option<&'a Found> {
    let mut kept = found.iter().copied().filter(|f| keep(f));
    match (kept.next(), kept.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// Where a budget is in a customer's message, if there is one. An amount
/// with a currency always counts; a bare one ("5000", "5k") only when the
/// message talks about a budget or the agent just asked for it, and never
/// when it counts something else ("10 users", "24/7", "2026").
pub(super) fn locate(text: &str, expecting: bool) -> Option<Range<usize>> {
    let cue = CUE.find(text).map(|m| m.start());
    let all: Vec<Found> = scan(text).collect();
    let amounts: Vec<Range<usize>> = all.iter().map(|f| f.span.clone()).collect();
    let mut best: Option<(u8, Found)> = None;
    for found in all {
        if found.budget.is_err() || not_this_purchase(text, &found.span) {
            continue;
        }
        let after_cue = cue.is_some_and(|cue| cue <= found.span.start);
        let rank = if found.has_currency {
            4
        } else if !(expecting || cue.is_some()) || counts_something_else(text, &found) {
            continue;
        } else if found.marked {
            3
        } else if after_cue {
            2
        } else {
            1
        };
        if best.as_ref().is_none_or(|(best_rank, _)| rank > *best_rank) {
            best = Some((rank, found));
        }
    }
    let (_, found) = best?;
    let budget = found.budget.as_ref().ok()?;
    // The snippet takes in the period or currency said apart from the
    // amount ("Monthly we can spend 40k INR"), if it still reads as the
    // same amount with them.
    let widened = Nearby::around(text, &found.span, &amounts)
        .used_by(budget)
        .fold(found.span.clone(), |w, r| {
            w.start.min(r.start)..w.end.max(r.end)
        });
    let same = widened != found.span
        && parse_budget(&text[widened.clone()])
            .is_ok_and(|b| (b.min, b.max) == (budget.min, budget.max));
    Some(if same { widened } else { found.span })
}

/// What the rest of an amount's sentence says of it: a period and the
/// currencies named apart from it ("Monthly we can spend 40k", "5000, en
/// dólares"), with where they are.
struct Nearby {
    period: Option<(BudgetPeriod, Range<usize>)>,
    currencies: Vec<(Currency, Range<usize>)>,
}

impl Nearby {
    /// `amounts` are the spans of every expression in `text`, this one's
    /// included: what lies inside another is that one's ("5k setup and 500
    /// monthly"). Periods that disagree ("monthly... or yearly") say none.
    fn around(text: &str, span: &Range<usize>, amounts: &[Range<usize>]) -> Nearby {
        let sentence = sentence(text, span);
        let base = sentence.start;
        let said = &text[sentence];
        let free = |m: &regex::Match<'_>| {
            let at = base + m.start()..base + m.end();
            amounts
                .iter()
                .all(|a| a.end <= at.start || at.end <= a.start)
        };
        let periods: Vec<(BudgetPeriod, Range<usize>)> = PERIOD_SAID
            .find_iter(said)
            .filter(|m| {
                free(m)
                    && !DENIED.is_match(&said[..m.start()])
                    && !A_DATE_AFTER.is_match(&said[m.end()..])
            })
            .filter_map(|m| Some((period(m.as_str())?, base + m.start()..base + m.end())))
            .collect();
        let agree = periods.windows(2).all(|pair| pair[0].0 == pair[1].0);
        let distance = |at: &Range<usize>| {
            at.start
                .saturating_sub(span.end)
                .max(span.start.saturating_sub(at.end))
        };
        let period = periods
            .into_iter()
            .filter(|_| agree)
            .min_by_key(|(_, at)| distance(at));
        let currencies = CURRENCY_SAID
            .find_iter(said)
            .filter(|m| free(m))
            .filter_map(|m| Some((currency(m.as_str())?, base + m.start()..base + m.end())))
            .collect();
        Nearby { period, currencies }
    }

    /// Where what `budget` lacks is said: the period, when the amount had
    /// none, and the currencies, when it named none.
    fn used_by<'a>(&'a self, budget: &Budget) -> impl Iterator<Item = Range<usize>> + 'a {
        let (no_period, no_currency) = (budget.period.is_none(), budget.currency_assumed);
        let period = self.period.iter().filter(move |_| no_period);
        let currencies = self.currencies.iter().filter(move |_| no_currency);
        period
            .map(|(_, at)| at.clone())
            .chain(currencies.map(|(_, at)| at.clone()))
    }

    fn complete(self, budget: &mut Budget) {
        if budget.period.is_none() {
            budget.period = self.period.map(|(period, _)| period);
        }
        if budget.currency_assumed && !self.currencies.is_empty() {
            budget.currency = resolve(self.currencies.iter().map(|(currency, _)| currency));
            budget.currency_assumed = false;
        }
    }
}

/// The sentence `span` is in: up to a line break, "!", "?", ";" or a "."
/// followed by a space and a word (not the dot of "5.000" or "aprox. 5").
fn sentence(text: &str, span: &Range<usize>) -> Range<usize> {
    let ends = |at: usize, c: char| match c {
        '\n' | '!' | '?' | ';' => true,
        '.' => {
            let rest = &text[at + 1..];
            let next = rest.trim_start();
            next.len() < rest.len() && next.starts_with(char::is_alphabetic)
        }
        _ => false,
    };
    let start = text[..span.start]
        .char_indices()
        .rev()
        .find(|&(at, c)| ends(at, c))
        .map_or(0, |(at, c)| at + c.len_utf8());
    let end = text[span.end..]
        .char_indices()
        .find(|&(at, c)| ends(span.end + at, c))
        .map_or(text.len(), |(at, _)| span.end + at);
    start..end
}

/// Whether an unmarked number is a count, a year, a time or a ratio.
/// What others pay or charge, or the price of what the customer sells:
/// "our customers pay $45 a box", "Wati quoted us $49", "la noche cuesta
/// 1,800 pesos", "we already pay an agency 2k, that's a separate thing".
static OTHERS_MONEY: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)
        \b(?:customers?|clients?|clientes?|clientas?|guests?|hu[eé]spedes|patients?|pacientes|buyers?|compradores|people|la\s+gente)
           \s+(?:usually\s+|normally\s+)?(?:pay|pays|paid|spend|spends|pagan|pagaron|gastan)\b
        | \b(?:quoted|charges?|charged|cobra|cobran|cobraba|cobraron|me\s+cobr\w+|nos\s+cobr\w+|cotiz[oó]|cotizaron)\b
        | \b(?:costs?|cuesta|cuestan|run|runs|anda\s+en|ronda|sale|salen)\b
        | \b(?:already\s+pay|ya\s+pagamos|ya\s+pago|separate\s+thing|otra\s+cosa|aparte)\b
        | \b(?:arriendo|alquiler|renta|rent)\s+(?:promedio|average|mensual)?
        ",
    )
});

/// Words that make an amount the customer's budget for this purchase
/// whatever else the clause says ("for this", "para esto").
static THIS_PURCHASE: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?i)\b(?:budget|presupuesto|for\s+this|para\s+esto|para\s+el\s+(?:bot|asistente)|afford|invest|invertir|destinar|put\s+in|podemos\s+(?:pagar|gastar|poner))",
    )
});

/// Whether the amount at `span` is money others pay or charge, or a price
/// of the customer's own goods (see [`OTHERS_MONEY`]): its clause says so
/// and does not also name it as the budget.
pub(super) fn not_this_purchase(text: &str, span: &Range<usize>) -> bool {
    let sentence = text::around(text, span, &text::SENTENCE_STOPS);
    OTHERS_MONEY.is_match(sentence) && !THIS_PURCHASE.is_match(sentence)
}

fn counts_something_else(text: &str, found: &Found) -> bool {
    let before = text[..found.span.start].chars().next_back();
    let after = &text[found.span.end..];
    let matched = &text[found.span.clone()];
    let year = !found.marked
        && matched.len() == 4
        && (matched.starts_with("19") || matched.starts_with("20"));
    // "order #10482", "9:30", "50%".
    if year || matches!(before, Some('/' | ':' | '#')) || after.starts_with(['/', ':', '%']) {
        return true;
    }
    let next_word = after
        .trim_start()
        .split(|c: char| !c.is_alphabetic())
        .next()
        .unwrap_or_default();
    is_unit(&next_word.to_lowercase())
}

/// Nouns that make a number a count, not money.
static UNITS: Words = Words::new(
    "user users people persons employees staff agents seats licenses licences customers \
     clients messages chats conversations leads stores shops branches locations days \
     weeks months years hours minutes percent times am pm usuarios personas empleados \
     agentes licencias clientes mensajes conversaciones tiendas sucursales locales días \
     dias semanas meses años horas minutos veces vendedores trabajadores",
);

/// Words that say money after a number, though plural like a count.
static MONEY_WORD: LazyLock<Regex> = LazyLock::new(|| {
    anchored(&format!(
        r"{CURRENCY_WORDS}|{MULT}|mensuales|anuales|semanales|lucas|luquitas|plus|pesitos|miles|cents"
    ))
});

/// A count's noun: a known one, or any plural that names no money ("4
/// odontólogos", "3 salons", "12 camiones").
fn is_unit(word: &str) -> bool {
    UNITS.contains(word)
        || (word.chars().count() >= 4 && word.ends_with('s') && !MONEY_WORD.is_match(word))
}

/// Reads a written number. Hand-written: whether "5.000" is five thousand
/// or five point zero depends on the digits around each separator, which a
/// regex can match but not weigh. One separator followed by exactly three
/// digits groups thousands ("5.000", "5,000"); repeated separators group
/// ("1.000.000"); with both kinds, the last one is the decimal point.
/// Returns the digits as an integer and the power of ten to divide by.
fn parse_number(raw: &str) -> Result<(u128, u128), &'static str> {
    let dots = raw.matches('.').count();
    let commas = raw.matches(',').count();
    let decimal = match (dots, commas) {
        (0, 0) => None,
        (_, 0) => lone_decimal(raw, '.', dots),
        (0, _) => lone_decimal(raw, ',', commas),
        _ => {
            let last = if raw.rfind('.') > raw.rfind(',') {
                '.'
            } else {
                ','
            };
            if raw.matches(last).count() > 1 {
                return Err("the number is written in a way that is unclear");
            }
            Some(last)
        }
    };
    let (whole, fraction) = match decimal.and_then(|sep| raw.rsplit_once(sep)) {
        Some((whole, fraction)) => (whole, fraction),
        None => (raw, ""),
    };
    let mut mantissa: u128 = 0;
    for (i, digit) in whole.chars().filter_map(|c| c.to_digit(10)).enumerate() {
        if i >= MAX_INT_DIGITS {
            return Err(TOO_LARGE);
        }
        mantissa = mantissa * 10 + u128::from(digit);
    }
    let mut scale: u128 = 1;
    // Six decimals are plenty for whole units; more are noise.
    for digit in fraction.chars().filter_map(|c| c.to_digit(10)).take(6) {
        mantissa = mantissa * 10 + u128::from(digit);
        scale *= 10;
    }
    Ok((mantissa, scale))
}

/// The decimal separator, when a single kind of separator appears `count`
/// times in `raw`.
fn lone_decimal(raw: &str, sep: char, count: usize) -> Option<char> {
    if count > 1 {
        return None;
    }
    let (before, after) = raw.rsplit_once(sep)?;
    let digits_after = after.chars().take_while(char::is_ascii_digit).count();
    let digits_before = before
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .count();
    let groups_thousands = digits_after == 3 && (1..=3).contains(&digits_before);
    (!groups_thousands).then_some(sep)
}

fn multiplier(raw: &str) -> u128 {
    let lower = text::collapse_spaces(&raw.to_lowercase());
    match lower.as_str() {
        "mil millones" | "bn" | "billion" | "billions" => 1_000_000_000,
        "m" | "mm" | "millón" | "millon" | "millones" | "million" | "millions" => 1_000_000,
        "crore" | "crores" => 10_000_000,
        "lakh" | "lakhs" | "lac" | "lacs" => 100_000,
        _ => 1_000,
    }
}

fn currency(raw: &str) -> Option<Currency> {
    use Currency::{Dollar, Iso, Pesos};
    let lower = raw.to_lowercase();
    let mut words = lower.split_whitespace();
    let first = words.next()?;
    Some(match first {
        "$" => Dollar,
        "us$" | "u$s" | "usd" | "dólar" | "dólares" | "dólars" | "dolar" | "dolares" | "dolars"
        | "dollar" | "dollars" | "dlls" | "dll" | "dls" | "dlrs" | "bucks" => Iso("USD"),
        "€" | "eur" | "euro" | "euros" => Iso("EUR"),
        "£" | "gbp" | "pound" | "pounds" | "libras" | "quid" => Iso("GBP"),
        "₹" | "inr" | "rs" | "rs." | "rupee" | "rupees" => Iso("INR"),
        "mx$" | "mxn" => Iso("MXN"),
        "r$" | "brl" | "reales" | "reais" => Iso("BRL"),
        "soles" | "pen" => Iso("PEN"),
        "peso" | "pesos" => match words.last() {
            Some("mexicanos") => Iso("MXN"),
            Some("colombianos") => Iso("COP"),
            Some("argentinos") => Iso("ARS"),
            Some("chilenos") => Iso("CLP"),
            Some("uruguayos") => Iso("UYU"),
            Some("dominicanos") => Iso("DOP"),
            Some("cubanos") => Iso("CUP"),
            _ => Pesos,
        },
        "quetzales" | "gtq" => Iso("GTQ"),
        "bolívares" | "bolivares" | "ves" => Iso("VES"),
        "colones" | "crc" => Iso("CRC"),
        "lempiras" | "hnl" => Iso("HNL"),
        "guaraníes" | "guaranies" | "pyg" => Iso("PYG"),
        "cop" => Iso("COP"),
        "ars" => Iso("ARS"),
        "clp" => Iso("CLP"),
        "cad" => Iso("CAD"),
        "aud" => Iso("AUD"),
        "chf" => Iso("CHF"),
        "uyu" => Iso("UYU"),
        "bob" => Iso("BOB"),
        "dop" => Iso("DOP"),
        "nio" => Iso("NIO"),
        "pab" => Iso("PAB"),
        _ => return None,
    })
}

/// The first named currency wins; "$" means USD unless pesos were said.
fn resolve<'a>(mentions: impl Iterator<Item = &'a Currency>) -> Option<lead::Currency> {
    let (mut dollar, mut pesos) = (false, false);
    for mention in mentions {
        match mention {
            Currency::Iso(code) => return lead::Currency::parse(code).ok(),
            Currency::Dollar => dollar = true,
            Currency::Pesos => pesos = true,
        }
    }
    (dollar && !pesos).then(|| lead::Currency::parse("USD").expect("USD is ISO 4217"))
}

fn qualifier(raw: &str) -> Qualifier {
    let collapsed = text::collapse_spaces(raw);
    if AT_MOST_ONLY.is_match(&collapsed) {
        Qualifier::AtMost
    } else if AT_LEAST_ONLY.is_match(&collapsed) {
        Qualifier::AtLeast
    } else {
        Qualifier::About
    }
}

fn tail(raw: &str) -> Qualifier {
    let said = text::collapse_spaces(raw.trim_start().trim_start_matches(','));
    if said == "+" || TAIL_AT_LEAST_ONLY.is_match(&said) {
        Qualifier::AtLeast
    } else if said.to_lowercase().ends_with("ish") {
        Qualifier::About
    } else {
        Qualifier::AtMost
    }
}

/// What a period phrase means; `None` for a week.
fn period(raw: &str) -> Option<BudgetPeriod> {
    let said = text::collapse_spaces(raw);
    [
        (&*MONTH_ONLY, BudgetPeriod::Month),
        (&*YEAR_ONLY, BudgetPeriod::Year),
        (&*ONCE_ONLY, BudgetPeriod::Once),
    ]
    .into_iter()
    .find_map(|(re, period)| re.is_match(&said).then_some(period))
}

#[cfg(test)]
mod tests {
    use super::*;
    use BudgetPeriod::{Month, Once, Year};

    /// A budget with no period; with no currency, none was named.
    fn budget(
        min: Option<u64>,
        max: Option<u64>,
        currency: Option<&str>,
        approximate: bool,
    ) -> Budget {
        Budget {
            min,
            max,
            currency: currency.map(|code| code.parse().expect("an ISO 4217 code")),
            approximate,
            period: None,
            currency_assumed: currency.is_none(),
        }
    }

    /// "pesos" names a currency without saying whose.
    fn pesos(budget: Budget) -> Budget {
        Budget {
            currency_assumed: false,
            ..budget
        }
    }

    fn per(period: BudgetPeriod, budget: Budget) -> Budget {
        Budget {
            period: Some(period),
            ..budget
        }
    }

    /// Checks every case and reports all the mismatches at once.
    fn check(cases: &[(&str, Budget)]) {
        let wrong: Vec<String> = cases
            .iter()
            .filter_map(|(raw, expected)| {
                let got = parse_budget(raw);
                (got.as_ref() != Ok(expected))
                    .then(|| format!("{raw:?}: got {got:?}, expected {expected:?}"))
            })
            .collect();
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn reads_amounts_ranges_and_bounds() {
        let exact = |v: u64, c: Option<&str>| budget(Some(v), Some(v), c, false);
        let about = |v: u64, c: Option<&str>| budget(Some(v), Some(v), c, true);
        let usd = Some("USD");
        let eur = Some("EUR");
        let mxn = Some("MXN");
        let cases: Vec<(&str, Budget)> = vec![
            ("5k", exact(5_000, None)),
            ("5K USD", exact(5_000, usd)),
            ("$5.000", exact(5_000, usd)),
            ("$5,000", exact(5_000, usd)),
            ("5.000,50 €", exact(5_000, eur)),
            ("$5,000.00", exact(5_000, usd)),
            ("5 mil dólares", exact(5_000, usd)),
            ("unos 3 mil dólares", about(3_000, usd)),
            ("around 10,000 EUR", about(10_000, eur)),
            ("10 000 €", exact(10_000, eur)),
            ("€10k", exact(10_000, eur)),
            ("USD 2500", exact(2_500, usd)),
            ("2.5k", exact(2_500, None)),
            ("2,5k", exact(2_500, None)),
            ("1,5 millones de pesos", pesos(exact(1_500_000, None))),
            ("a million dollars", exact(1_000_000, usd)),
            ("un millón de pesos mexicanos", exact(1_000_000, mxn)),
            ("dos mil euros", exact(2_000, eur)),
            (
                "between 5 and 10 thousand",
                budget(Some(5_000), Some(10_000), None, false),
            ),
            (
                "entre 5 y 10 mil",
                budget(Some(5_000), Some(10_000), None, false),
            ),
            ("5-10k", budget(Some(5_000), Some(10_000), None, false)),
            ("500-2k USD", budget(Some(500), Some(2_000), usd, false)),
            (
                "from 5k to 10k",
                budget(Some(5_000), Some(10_000), None, false),
            ),
            (
                "de 5 a 10 mil dólares",
                budget(Some(5_000), Some(10_000), usd, false),
            ),
            (
                "between $10k and $5k",
                budget(Some(5_000), Some(10_000), usd, false),
            ),
            ("up to 2,000 EUR", budget(None, Some(2_000), eur, false)),
            (
                "hasta 20 mil pesos",
                pesos(budget(None, Some(20_000), None, false)),
            ),
            ("at least 1000", budget(Some(1_000), None, None, false)),
            ("mínimo 500 dólares", budget(Some(500), None, usd, false)),
            ("no more than $3k", budget(None, Some(3_000), usd, false)),
            (
                "no quiero gastar mas de 90 lucas por mes",
                per(Month, budget(None, Some(90_000), None, false)),
            ),
            (
                "we don't want to spend more than 2k",
                budget(None, Some(2_000), None, false),
            ),
            ("no less than 3k", budget(Some(3_000), None, None, false)),
            ("about 500 a month", per(Month, about(500, None))),
            ("500 dólares al mes", per(Month, exact(500, usd))),
            ("MXN 15,000", exact(15_000, mxn)),
            ("15 mil MXN", exact(15_000, mxn)),
            ("R$ 5.000", exact(5_000, Some("BRL"))),
            ("5k+", budget(Some(5_000), None, None, false)),
            ("5 mil o más", budget(Some(5_000), None, None, false)),
            ("3k max", budget(None, Some(3_000), None, false)),
            ("~5k", about(5_000, None)),
            ("5k-ish", about(5_000, None)),
            ("aprox. 8 mil", about(8_000, None)),
            ("alrededor de 4 mil euros", about(4_000, eur)),
            ("around up to 4k", budget(None, Some(4_000), None, true)),
            ("$20,000 pesos", pesos(exact(20_000, None))),
            ("US$ 1.200", exact(1_200, usd)),
            ("5 mil millones", exact(5_000_000_000, None)),
            ("our budget is around 5k USD", about(5_000, usd)),
            ("£750", exact(750, Some("GBP"))),
            ("300 quid", exact(300, Some("GBP"))),
            ("800 bucks", exact(800, usd)),
            ("1500 dlls", exact(1_500, usd)),
            ("600 dls", exact(600, usd)),
            ("1000 dolars", exact(1_000, usd)),
            ("25,000 rupees", exact(25_000, Some("INR"))),
            ("Rs. 25,000", exact(25_000, Some("INR"))),
            ("₹25,000", exact(25_000, Some("INR"))),
            ("30000 INR", exact(30_000, Some("INR"))),
            (
                "3 millones de pesos colombianos",
                exact(3_000_000, Some("COP")),
            ),
            ("1.500", exact(1_500, None)),
            ("7.5", exact(7, None)),
            ("budget for 2026: 50k", exact(50_000, None)),
            ("5000", exact(5_000, None)),
        ];
        assert!(cases.len() >= 40);
        check(&cases);
    }

    #[test]
    fn keeps_the_period_said() {
        let month = |v: u64| per(Month, budget(Some(v), Some(v), None, false));
        let year = |v: u64| per(Year, budget(Some(v), Some(v), None, false));
        let once = |v: u64| per(Once, budget(Some(v), Some(v), None, false));
        let usd = |b: Budget| Budget {
            currency: Some("USD".parse().unwrap()),
            currency_assumed: false,
            ..b
        };
        let eur = |b: Budget| Budget {
            currency: Some("EUR".parse().unwrap()),
            currency_assumed: false,
            ..b
        };
        let cases = [
            ("500 al mes", month(500)),
            ("500 dólares mensuales", usd(month(500))),
            ("500 dolares mensual", usd(month(500))),
            ("500 mensualmente", month(500)),
            ("500 per month", month(500)),
            ("500 a month", month(500)),
            ("500/mes", month(500)),
            ("500 usd/mo", usd(month(500))),
            ("$500 / month", usd(month(500))),
            ("500 monthly", month(500)),
            ("500 montly", month(500)),
            ("500 por mes", month(500)),
            ("500 x mes", month(500)),
            ("500 cada mes", month(500)),
            ("500 every month", month(500)),
            ("12,000 al año", year(12_000)),
            ("12.000 al ano", year(12_000)),
            ("12 mil anuales", year(12_000)),
            ("12k anual", year(12_000)),
            ("12k per year", year(12_000)),
            ("12k a year", year(12_000)),
            ("12k annually", year(12_000)),
            ("12k yearly", year(12_000)),
            ("12k per annum", year(12_000)),
            ("12k p.a.", year(12_000)),
            ("12k/año", year(12_000)),
            ("12k /yr", year(12_000)),
            ("12k por año", year(12_000)),
            (
                "£12,000 for the year",
                Budget {
                    currency: Some("GBP".parse().unwrap()),
                    currency_assumed: false,
                    ..year(12_000)
                },
            ),
            ("4000 pago único", once(4_000)),
            ("4000 pago unico", once(4_000)),
            ("4000 euros una sola vez", eur(once(4_000))),
            ("4000 one-off", once(4_000)),
            ("4000 one off", once(4_000)),
            ("3000 euros ahorrados", eur(once(3_000))),
            ("4000 one-time", once(4_000)),
            ("4000 one time", once(4_000)),
            ("4 mil de una vez", once(4_000)),
            ("$4k upfront", usd(once(4_000))),
            ("4000 en un solo pago", once(4_000)),
            ("4000, un solo pago", once(4_000)),
            ("€4.000 as one time payment, not monthly", eur(once(4_000))),
            ("€4.000 as a one-off", eur(once(4_000))),
            ("5k", budget(Some(5_000), Some(5_000), None, false)),
            ("500 a la semana", budget(Some(500), Some(500), None, false)),
            (
                "5 mil al mes que viene",
                budget(Some(5_000), Some(5_000), None, false),
            ),
            (
                "5k in a month",
                budget(Some(5_000), Some(5_000), None, false),
            ),
            (
                "between 500 and 1000 dollars a month",
                usd(per(Month, budget(Some(500), Some(1_000), None, false))),
            ),
            (
                "entre 8 y 12 mil al mes",
                per(Month, budget(Some(8_000), Some(12_000), None, false)),
            ),
            (
                "5 mil o más al mes",
                per(Month, budget(Some(5_000), None, None, false)),
            ),
            (
                "2k a month tops",
                per(Month, budget(None, Some(2_000), None, false)),
            ),
            // Said apart from the amount, in the same sentence.
            (
                "Monthly we can spend 40k INR",
                Budget {
                    currency: Some("INR".parse().unwrap()),
                    currency_assumed: false,
                    ..per(Month, budget(Some(40_000), Some(40_000), None, false))
                },
            ),
            (
                "como máximo 1 millón de pesos argentinos, pago único",
                Budget {
                    currency: Some("ARS".parse().unwrap()),
                    currency_assumed: false,
                    ..per(Once, budget(None, Some(1_000_000), None, false))
                },
            ),
            ("4000 EUR, not monthly", eur(exact(4_000))),
            ("4000 EUR, no mensual", eur(exact(4_000))),
            ("monthly or yearly, 4000 EUR", eur(exact(4_000))),
            ("the 5k setup and 500 monthly", exact(5_000)),
            ("monthly? no idea. 5k", exact(5_000)),
        ];
        check(&cases);

        fn exact(v: u64) -> Budget {
            budget(Some(v), Some(v), None, false)
        }
    }

    #[test]
    fn says_when_no_currency_was_named() {
        let cases: &[(&str, Option<&str>, bool)] = &[
            ("5k", None, true),
            ("unos 800 al mes", None, true),
            ("5000 pesos", None, false),
            ("$20,000 pesos", None, false),
            ("$5k", Some("USD"), false),
            ("5 mil dolares", Some("USD"), false),
            ("300 quid", Some("GBP"), false),
            ("10 mil pesos mexicanos", Some("MXN"), false),
            ("5000, en dólares", Some("USD"), false),
            ("5000, in euros", Some("EUR"), false),
            ("5000, ¿ves?", None, true),
            ("5000 para clientes reales", None, true),
        ];
        for (raw, currency, assumed) in cases {
            let got = parse_budget(raw).expect(raw);
            assert_eq!(
                (got.currency.map(|c| c.code()), got.currency_assumed),
                (*currency, *assumed),
                "{raw}"
            );
        }
    }

    #[test]
    fn caps_and_floors() {
        let cases: &[(&str, Option<u64>, Option<u64>)] = &[
            ("no more than 2k a month", None, Some(2_000)),
            ("not more than 2k", None, Some(2_000)),
            ("tope 1500 mensuales", None, Some(1_500)),
            ("con un tope de 1500", None, Some(1_500)),
            ("1500 de tope", None, Some(1_500)),
            ("max 800/mo", None, Some(800)),
            ("max. 800", None, Some(800)),
            ("hasta 3 mil al mes", None, Some(3_000)),
            ("a lo mucho 2 mil", None, Some(2_000)),
            ("2 mil a lo mucho", None, Some(2_000)),
            ("not over 5k", None, Some(5_000)),
            ("not to exceed $5k", None, Some(5_000)),
            ("no pasar de 4 mil", None, Some(4_000)),
            ("sin pasarnos de 4 mil", None, Some(4_000)),
            ("que no pase de 4 mil", None, Some(4_000)),
            ("2k tops", None, Some(2_000)),
            ("2k a month, tops", None, Some(2_000)),
            ("como mucho 2 mil", None, Some(2_000)),
            ("2 mil como mucho", None, Some(2_000)),
            ("cuando mucho 2 mil", None, Some(2_000)),
            ("como máximo 900", None, Some(900)),
            ("como maximo 900", None, Some(900)),
            ("up to 250 a month, no more", None, Some(250)),
            ("de 500 para arriba al mes", Some(500), None),
            ("500 pa arriba", Some(500), None),
            ("1000 en adelante", Some(1_000), None),
            ("5k and up", Some(5_000), None),
            ("over 5k", Some(5_000), None),
        ];
        for (raw, min, max) in cases {
            let got = parse_budget(raw).expect(raw);
            assert_eq!((got.min, got.max), (*min, *max), "{raw}");
        }
    }

    #[test]
    fn amounts_without_a_currency_in_common_shapes() {
        let cases: &[(&str, u64, bool)] = &[
            ("around 800 a month", 800, true),
            ("arround 800 a month", 800, true),
            ("bout 200 a month", 200, true),
            ("unos 800 al mes", 800, true),
            ("como 800 al mes", 800, true),
            ("ronda los 800", 800, true),
            ("like 2k", 2_000, true),
            ("2.5k", 2_500, false),
            ("2,5 mil", 2_500, false),
            ("1,5 millones", 1_500_000, false),
            ("1.5 millones", 1_500_000, false),
            ("1.5 lakh", 150_000, false),
            ("2 lakhs", 200_000, false),
            ("1 crore", 10_000_000, false),
            ("30 lucas", 30_000, false),
            ("3 grand", 3_000, false),
        ];
        for (raw, amount, approximate) in cases {
            let got = parse_budget(raw).expect(raw);
            assert_eq!(
                (got.min, got.max, got.approximate),
                (Some(*amount), Some(*amount), *approximate),
                "{raw}"
            );
        }
        let indian = parse_budget("approx 1.5 lakh INR per annum").expect("a budget");
        assert_eq!(
            (indian.min, indian.currency.map(|c| c.code()), indian.period),
            (Some(150_000), Some("INR"), Some(Year))
        );
    }

    #[test]
    fn refuses_what_is_not_a_budget() {
        let cases = [
            ("no idea", "no amount"),
            ("cheap", "no amount"),
            ("no tenemos presupuesto", "no budget"),
            ("nothing", "no budget"),
            ("0", "more than zero"),
            ("$0", "more than zero"),
            ("999999999999999999999k", "too large"),
            ("99999999999999999 USD", "too large"),
            ("a", "no amount"),
            ("5 or 6 or 7", "several amounts"),
        ];
        for (raw, reason) in cases {
            match parse_budget(raw) {
                Err(FieldError::Invalid {
                    field: FieldName::Budget,
                    reason: got,
                }) => {
                    assert!(got.contains(reason), "{raw}: {got}");
                }
                other => panic!("{raw} should be refused, got {other:?}"),
            }
        }
        assert_eq!(
            parse_budget("  "),
            Err(FieldError::Empty {
                field: FieldName::Budget
            })
        );
    }

    #[test]
    fn locates_money_but_not_counts() {
        let at = |text: &str, expecting| locate(text, expecting).map(|span| text[span].to_owned());
        assert_eq!(
            at("Our budget is around 5k USD", false).as_deref(),
            Some("around 5k USD")
        );
        assert_eq!(
            at("Tenemos unos 3 mil dólares", false).as_deref(),
            Some("unos 3 mil dólares")
        );
        assert_eq!(
            at("I'm Claire. we could manage around 100 a month", false).as_deref(),
            Some("around 100 a month")
        );
        assert_eq!(
            at("tengo unos 3000 euros ahorrados para esto", false).as_deref(),
            Some("unos 3000 euros ahorrados")
        );
        assert_eq!(at("we have 10 employees", false), None);
        assert_eq!(at("somos 5 mil clientes", false), None);
        assert_eq!(
            at(
                "somos 4 odontólogos y el presupuesto son 2 millones de pesos",
                true
            )
            .as_deref(),
            Some("2 millones de pesos")
        );
        assert_eq!(at("we have 3 salons", true), None);
        assert_eq!(at("no quiero que hablen con una máquina", true), None);
        assert_eq!(at("tenemos 5 máquinas", true), None);
        assert_eq!(
            at("5000 mensuales", true).as_deref(),
            Some("5000 mensuales")
        );
        assert_eq!(
            parse_budget("como máximo podemos poner 1 millón de pesos argentinos")
                .map(|b| (b.min, b.max)),
            Ok((None, Some(1_000_000)))
        );
        assert_eq!(at("5000", false), None);
        assert_eq!(at("5000", true).as_deref(), Some("5000"));
        assert!(parse_budget("somos unas 10 personas").is_err());
        assert!(parse_budget("we have 10 employees").is_err());
        assert_eq!(
            parse_budget("10 mil dólares para 10 personas").map(|b| b.min),
            Ok(Some(10_000))
        );
        assert_eq!(
            at("budget: 10 users, 24/7, around 3k", false).as_deref(),
            Some("around 3k")
        );
        assert_eq!(at("our budget for 2026 is open", false), None);
        assert_eq!(at("the budget? we have 3 stores", false), None);
        assert_eq!(
            at("we're a team of 12 and our budget is 4000", false).as_deref(),
            Some("4000")
        );
    }

    #[test]
    fn locates_a_period_or_currency_said_apart() {
        let at = |text: &str, expecting| locate(text, expecting).map(|span| text[span].to_owned());
        let cases: &[(&str, bool, &str)] = &[
            (
                "Monthly we can spend 40k INR",
                false,
                "Monthly we can spend 40k INR",
            ),
            (
                "For this we have maybe €4.000 as one time payment, not monthly",
                false,
                "€4.000 as one time payment",
            ),
            (
                "Hola! tenemos 5000, en dólares. Lo decido yo",
                true,
                "5000, en dólares",
            ),
            ("we have 5k and 500 monthly users", true, "5k"),
            (
                "we've set aside £12,000 for the year for this",
                false,
                "£12,000 for the year",
            ),
            (
                "tenemos 5 mil dólares al mes que viene",
                false,
                "5 mil dólares al mes",
            ),
        ];
        for (text, expecting, snippet) in cases {
            assert_eq!(at(text, *expecting).as_deref(), Some(*snippet), "{text}");
        }
        let next_month = parse_budget("tenemos 5 mil dólares al mes que viene").expect("a budget");
        assert_eq!(next_month.period, None);
    }
}
