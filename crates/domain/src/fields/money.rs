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
//! - Indian "lakh" (100,000) and "crore" (10,000,000) are multipliers,
//!   and name rupees when no other currency is;
//! - zero, and text with no amount ("no idea", "no tenemos presupuesto"),
//!   are refused.

use super::{FieldError, invalid, text};
use crate::lead::{self, Budget, BudgetPeriod, FieldName};
use regex::{Captures, Regex};
use std::ops::Range;
use std::sync::LazyLock;

mod context;
mod patterns;
mod pieces;

use context::{Nearby, counts_something_else};
use patterns::{A, A_DATE_AFTER, B, C, CUE, D, DENIED, EXPR, NO_BUDGET, PERIOD_SAID, Slot};
use pieces::{currency, multiplier, parse_number, period, qualifier, resolve, tail};

/// Larger amounts are typos or jokes, not a sales budget, even in pesos.
const MAX_AMOUNT: u128 = 1_000_000_000_000;
/// A proposed budget longer than this is prose, not a value.
const MAX_INPUT: usize = 600;
/// Integer digits beyond these cannot be under [`MAX_AMOUNT`] anyway.
const MAX_INT_DIGITS: usize = 15;

const TOO_LARGE: &str = "the amount is too large to be a budget";
const ZERO: &str = "a budget must be more than zero";

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
    /// The hundreds after a thousand ("mil quinientos"), or the half
    /// after a million ("un millón y medio").
    rest: Option<u128>,
    currency: [Option<Currency>; 2],
    period: Option<BudgetPeriod>,
}

impl Part {
    fn read(text: &str, caps: &Captures<'_>, slot: &Slot) -> Option<Part> {
        let (number, spelled) = match caps.name(slot.num) {
            Some(num) => (parse_number(num.as_str()), false),
            None => {
                let word = caps.name(slot.word)?.as_str();
                let value = if is_half(word) {
                    Some((5, 10))
                } else {
                    text::word_value(word).map(|v| (u128::from(v), 1))
                };
                (value.ok_or("the amount is not a number"), true)
            }
        };
        let multiplier = caps.name(slot.mult).map(|m| multiplier(m.as_str()));
        Some(Part {
            number,
            spelled,
            multiplier,
            // "un millón y medio": half the multiplier more.
            rest: caps.name(slot.rest).and_then(|m| {
                if is_half(m.as_str()) {
                    multiplier.map(|m| m / 2)
                } else {
                    text::word_value(m.as_str()).map(u128::from)
                }
            }),
            currency: [slot.pre, slot.post]
                .map(|group| caps.name(group).and_then(|m| currency(m.as_str()))),
            period: period_in(text, caps, slot.period),
        })
    }

    fn has_currency(&self) -> bool {
        self.currency.iter().any(Option::is_some)
    }

    /// "a", "one" on their own are words, not money.
    /// Hundreds are read as digits are ("unos quinientos"), but a lone
    /// "mil" is a figure of speech ("mil gracias") unless a period follows.
    fn is_bare_word(&self) -> bool {
        let small = match self.number {
            Ok((n, _)) => n < 100 || (n == 1000 && self.period.is_none()),
            Err(_) => true,
        };
        self.spelled
            && small
            && self.multiplier.is_none()
            && self.rest.is_none()
            && !self.has_currency()
    }

    fn value(&self, multiplier: u128) -> Result<u64, &'static str> {
        let (mantissa, scale) = self.number?;
        let mut value = mantissa.checked_mul(multiplier).ok_or(TOO_LARGE)? / scale;
        if let Some(rest) = self.rest {
            // Hundreds add to whole thousands only: not "cinco quinientos".
            if value < 1000 || value % 1000 != 0 {
                return Err("the number is written in a way that is unclear");
            }
            value += rest;
        }
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

/// "medio", "media": a half ("medio palo", "dos millones y medio").
fn is_half(word: &str) -> bool {
    matches!(word.to_lowercase().as_str(), "medio" | "media")
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
    // "200 lucas", "2 lakh": words that are money in themselves.
    let money_word = LUCAS.is_match(whole.as_str()) || INDIAN_MULTIPLIER.is_match(whole.as_str());
    let has_currency =
        first.has_currency() || second.as_ref().is_some_and(Part::has_currency) || money_word;
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
    // "lucas" are thousands of pesos (Argentina's, Chile's): pesos named,
    // if not whose, as bare "pesos" are.
    let named =
        first.has_currency() || second.is_some_and(Part::has_currency) || LUCAS.is_match(text);
    // Only rupees are counted in lakhs and crores.
    let indian = !named && INDIAN_MULTIPLIER.is_match(text);
    let mut budget = Budget::parsed(min, max, approximate);
    if indian {
        budget.name_currency(lead::Currency::parse("INR").ok());
    } else if named {
        budget.name_currency(currency);
    }
    if let Some(period) = first
        .period
        .or(second.and_then(|s| s.period))
        .or_else(|| period_in(text, caps, "tail_period"))
    {
        budget.set_period(period);
    }
    Ok(budget)
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
    if let Some((count, _)) = per_unit(raw, &pick.span) {
        budget = budget
            .times(count)
            .ok_or_else(|| invalid(FieldName::Budget, TOO_LARGE))?;
    }
    Ok(budget)
}

/// A price per seat, user or licence ("$30 per seat", "20 mil por
/// usuario").
static PER_UNIT: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?i)^[ \t]*(?:per|a|/|por|x|cada)[ \t]*(?:seat|user|licen[cs]e|agent|usuario|licencia|agente|puesto)\b",
    )
});

/// How many of them: "for 10 seats", "seríamos 5 usuarios".
static UNIT_COUNT: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?i)\b(?P<count>\d{1,4})[ \t]+(?:seats|users|licen[cs]es|agents|usuarios|licencias|agentes|puestos)\b",
    )
});

/// The number of units an amount at `span` is priced per ("$30 per seat
/// per month, for 10 seats"), with where the count is: the budget is the
/// price times the count, as a rep would add it up.
fn per_unit(text: &str, span: &Range<usize>) -> Option<(u64, Range<usize>)> {
    PER_UNIT.find(&text[span.end..])?;
    let caps = UNIT_COUNT.captures(text)?;
    let count = caps.name("count")?;
    let n = count.as_str().parse::<u64>().ok().filter(|n| *n > 1)?;
    Some((n, caps.get(0)?.range()))
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
        // "tenemos hasta 300 mil por mes": thousands a month are money
        // unasked.
        let periodic = found.marked && found.budget.as_ref().is_ok_and(|b| b.period().is_some());
        let rank = if found.has_currency && TOTAL.is_match(&text[found.span.end..]) {
            // "5 bucks a seat, so $100 a month total": the total is the
            // budget.
            5
        } else if found.has_currency {
            4
        } else if !(expecting || cue.is_some() || periodic) || counts_something_else(text, &found) {
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
            .is_ok_and(|b| (b.min(), b.max()) == (budget.min(), budget.max()));
    let span = if same { widened } else { found.span.clone() };
    // "$30 per seat, for 10 seats": the snippet takes in the count.
    Some(match per_unit(text, &found.span) {
        Some((_, count)) => span.start.min(count.start)..span.end.max(count.end),
        None => span,
    })
}

/// Parsing from text is parsing by the budget's rules:
/// `"5000 USD al mes".parse()`.
impl std::str::FromStr for Budget {
    type Err = FieldError;
    fn from_str(raw: &str) -> Result<Self, FieldError> {
        parse_budget(raw)
    }
}

/// The period a text says on its own ("al mes", "a year"), the first not
/// denied: "quise decir al mes, no al año" says a month.
pub fn said_period(text: &str) -> Option<BudgetPeriod> {
    PERIOD_SAID
        .find_iter(text)
        .filter(|m| !DENIED.is_match(&text[..m.start()]))
        .find_map(|m| period(m.as_str()))
}

static LUCAS: LazyLock<Regex> = LazyLock::new(|| text::regex(r"(?i)\b(?:lucas|palos?)\b"));

static INDIAN_MULTIPLIER: LazyLock<Regex> =
    LazyLock::new(|| text::regex(r"(?i)\b(?:lakhs?|lacs?|crores?)\b"));

/// What others pay or charge, or the price of what the customer sells:
/// "our customers pay $45 a box", "Wati quoted us $49", "la noche cuesta
/// 1,800 pesos", "we already pay an agency 2k, that's a separate thing";
/// or an approval threshold: "the board approves anything over 1k"; or a
/// unit price: "our candles are $39 each".
static OTHERS_MONEY: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)
        \b(?:customers?|clients?|clientes?|clientas?|guests?|hu[eé]spedes|patients?|pacientes|buyers?|compradores|people|la\s+gente)
           \s+(?:usually\s+|normally\s+)?(?:pay|pays|paid|spend|spends|pagan|pagaron|gastan)\b
        | \b(?:quoted|charges?|charged|cobra|cobran|cobraba|cobraron|me\s+cobr\w+|nos\s+cobr\w+|cotiz[oó]|cotizaron)(?:\b|[^\p{L}\p{N}]|$)
        | \b(?:costs?|cuesta|cuestan|run|runs|anda\s+en|ronda|sale|salen)\b
        | \b(?:already\s+pay|ya\s+pagamos|ya\s+pago|separate\s+thing|otra\s+cosa|aparte)\b
        | \b(?:arriendo|alquiler|renta|rent)\s+(?:promedio|average|mensual)?
        | \b(?:anything|whatever|everything)\s+(?:over|above|beyond|more\s+than)\b
        | \b(?:vendemos|vendo|we\s+sell|i\s+sell|we\s+rent|rentamos|alquilamos)\b
        | \b(?:vendimos|facturamos|ganamos|pagamos|gastamos|perdimos|we\s+(?:sold|made|paid|spent|lost|billed)|i\s+(?:paid|spent))\b
        | \d\S*\s+(?:each|apiece|a\s+piece|per\s+(?:unit|item|piece|box|bottle)|cada\s+un[oa]|c/u|la\s+unidad|por\s+(?:unidad|pieza))\b
        | \b(?:per|a)\s+(?:plate|person|head|pax|guest|cover|night|kg|kilo)\b | \bpor\s+(?:plato|persona|cabeza|cubierto|noche|kilo)\b
        | \bstart(?:s|ing)?\s+(?:at|from)\b | \barrancan?\s+(?:en|desde)\b
        | \b(?:todo\s+lo\s+que|cualquier\s+(?:cosa|gasto|compra)\s+que)\s+(?:pase|supere|exceda)\b
        | \bcualquier\s+(?:cosa|gasto|compra)\s+(?:de\s+m[aá]s\s+de|arriba\s+de|mayor\s+a|sobre)\b
        ",
    )
});

/// Words that make an amount the customer's budget for this purchase
/// whatever else the clause says ("for this", "para esto").
static THIS_PURCHASE: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?i)\b(?:budget|presupuesto|for\s+this|para\s+esto|para\s+el\s+(?:bot|asistente)|afford|invest|invertir|destinar|put\s+in|podemos\s+(?:pagar|gastar|poner)|(?:we|i)(?:['’]re|['’]m|\s+are|\s+am)\s+(?:thinking|planning|looking\s+at))",
    )
});

/// Words after an amount that make it the whole budget.
static TOTAL: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?i)^\s*(?:total|in\s+total|en\s+total|all\s+in|all\s+together|todo\s+incluido)\b",
    )
});

/// Whether the amount at `span` is money others pay or charge, or a price
/// of the customer's own goods (see [`OTHERS_MONEY`]): its clause says so
/// and does not also name it as the budget.
pub(super) fn not_this_purchase(text: &str, span: &Range<usize>) -> bool {
    let sentence = text::around(text, span, &text::SENTENCE_STOPS);
    // "anything over $5k needs board approval, and we're thinking $8-10k":
    // the threshold's own clause says so, though the sentence also says
    // what the budget is.
    let clause = text::around(text, span, &text::CLAUSE_STOPS);
    (OTHERS_MONEY.is_match(clause) && !THIS_PURCHASE.is_match(clause))
        || (OTHERS_MONEY.is_match(sentence) && !THIS_PURCHASE.is_match(sentence))
}

#[cfg(test)]
mod tests;
