//! What the sentence around an amount says of it: a period or currency
//! said apart from it ("Monthly we can spend 40k"), and whether the number
//! is a count, a year or a time rather than money. Apart from the parsing
//! of the amount itself, which reads only what the expression matched.

use super::patterns::{
    A_DATE_AFTER, CURRENCY_SAID, CURRENCY_WORDS, DENIED, MULT, PERIOD_SAID, anchored,
};
use super::pieces::{currency, period, resolve};
use super::text::Words;
use super::{Currency, Found};
use crate::lead::{Budget, BudgetPeriod};
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;
/// What the rest of an amount's sentence says of it: a period and the
/// currencies named apart from it ("Monthly we can spend 40k", "5000, en
/// dólares"), with where they are.
pub(super) struct Nearby {
    period: Option<(BudgetPeriod, Range<usize>)>,
    currencies: Vec<(Currency, Range<usize>)>,
}

impl Nearby {
    /// `amounts` are the spans of every expression in `text`, this one's
    /// included: what lies inside another is that one's ("5k setup and 500
    /// monthly"). Periods that disagree ("monthly... or yearly") say none.
    pub(super) fn around(text: &str, span: &Range<usize>, amounts: &[Range<usize>]) -> Nearby {
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
    pub(super) fn used_by<'a>(
        &'a self,
        budget: &Budget,
    ) -> impl Iterator<Item = Range<usize>> + 'a {
        let (no_period, no_currency) = (budget.period().is_none(), budget.currency_assumed());
        let period = self.period.iter().filter(move |_| no_period);
        let currencies = self.currencies.iter().filter(move |_| no_currency);
        period
            .map(|(_, at)| at.clone())
            .chain(currencies.map(|(_, at)| at.clone()))
    }

    pub(super) fn complete(self, budget: &mut Budget) {
        if budget.period().is_none()
            && let Some((period, _)) = self.period
        {
            budget.set_period(period);
        }
        if budget.currency_assumed() && !self.currencies.is_empty() {
            budget.name_currency(resolve(
                self.currencies.iter().map(|(currency, _)| currency),
            ));
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
pub(super) fn counts_something_else(text: &str, found: &Found) -> bool {
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
    // "12-hour days": a count joined to its noun.
    let next_word = after
        .trim_start_matches([' ', '\t', '-'])
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
     dias semanas meses años horas minutos veces vendedores trabajadores hour hora minute \
     minuto day día dia",
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
