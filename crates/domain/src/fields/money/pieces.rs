//! Reading the pieces of one matched amount: the written number ("5.000",
//! "5,000.50"), its multiplier, currency, qualifier, tail and period.
//! Apart from the expression that finds them, as each piece is read by
//! hand where a regex can match but not weigh.

use super::patterns::{
    AT_LEAST_ONLY, AT_MOST_ONLY, MONTH_ONLY, ONCE_ONLY, TAIL_AT_LEAST_ONLY, YEAR_ONLY,
};
use super::{Currency, MAX_INT_DIGITS, Qualifier, TOO_LARGE, text};
use crate::lead::{self, BudgetPeriod};
/// Reads a written number. Hand-written: whether "5.000" is five thousand
/// or five point zero depends on the digits around each separator, which a
/// regex can match but not weigh. One separator followed by exactly three
/// digits groups thousands ("5.000", "5,000"); repeated separators group
/// ("1.000.000"); with both kinds, the last one is the decimal point.
/// Returns the digits as an integer and the power of ten to divide by.
pub(super) fn parse_number(raw: &str) -> Result<(u128, u128), &'static str> {
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

pub(super) fn multiplier(raw: &str) -> u128 {
    let lower = text::collapse_spaces(&raw.to_lowercase());
    match lower.as_str() {
        "mil millones" | "bn" | "billion" | "billions" => 1_000_000_000,
        "m" | "mm" | "millón" | "millon" | "millones" | "million" | "millions" => 1_000_000,
        "crore" | "crores" => 10_000_000,
        // Argentine and Chilean slang: "un palo" is a million pesos.
        "palo" | "palos" => 1_000_000,
        "hundred" => 100,
        "lakh" | "lakhs" | "lac" | "lacs" => 100_000,
        _ => 1_000,
    }
}

pub(super) fn currency(raw: &str) -> Option<Currency> {
    use Currency::{Dollar, Iso, Pesos};
    let lower = raw.to_lowercase();
    let mut words = lower.split_whitespace();
    let first = words.next()?;
    Some(match first {
        "$" => Dollar,
        "us$" | "u$s" | "usd" | "dólar" | "dólares" | "dólars" | "dolar" | "dolares" | "dolars"
        | "dollar" | "dollars" | "dlls" | "dll" | "dls" | "dlrs" | "bucks" | "verdes" => Iso("USD"),
        "€" | "eur" | "euro" | "euros" => Iso("EUR"),
        "£" | "gbp" | "pound" | "pounds" | "libras" | "quid" => Iso("GBP"),
        "₹" | "inr" | "rs" | "rs." | "rupee" | "rupees" => Iso("INR"),
        "mx$" | "mxn" => Iso("MXN"),
        "₦" | "n" | "ngn" | "naira" => Iso("NGN"),
        "₱" | "php" => Iso("PHP"),
        "r" | "zar" | "rand" | "rands" => Iso("ZAR"),
        "kes" => Iso("KES"),
        "aed" | "dirham" | "dirhams" => Iso("AED"),
        "sar" | "riyal" | "riyals" => Iso("SAR"),
        "sgd" => Iso("SGD"),
        "myr" | "ringgit" => Iso("MYR"),
        "r$" | "brl" | "reales" | "reais" => Iso("BRL"),
        "a$" | "au$" => Iso("AUD"),
        "nz$" | "nzd" => Iso("NZD"),
        "s$" | "sg$" => Iso("SGD"),
        "c$" | "ca$" => Iso("CAD"),
        "hk$" | "hkd" => Iso("HKD"),
        "ksh" | "ksh." | "shilling" | "shillings" => Iso("KES"),
        "q" => Iso("GTQ"),
        "pavos" => Iso("EUR"),
        "soles" | "pen" | "s/" | "s/." => Iso("PEN"),
        "peso" | "pesos" | "pesitos" => match words.last() {
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
pub(super) fn resolve<'a>(mentions: impl Iterator<Item = &'a Currency>) -> Option<lead::Currency> {
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

pub(super) fn qualifier(raw: &str) -> Qualifier {
    let collapsed = text::collapse_spaces(raw);
    if AT_MOST_ONLY.is_match(&collapsed) {
        Qualifier::AtMost
    } else if AT_LEAST_ONLY.is_match(&collapsed) {
        Qualifier::AtLeast
    } else {
        Qualifier::About
    }
}

pub(super) fn tail(raw: &str) -> Qualifier {
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
pub(super) fn period(raw: &str) -> Option<BudgetPeriod> {
    let said = text::collapse_spaces(raw);
    [
        (&*MONTH_ONLY, BudgetPeriod::Month),
        (&*YEAR_ONLY, BudgetPeriod::Year),
        (&*ONCE_ONLY, BudgetPeriod::Once),
    ]
    .into_iter()
    .find_map(|(re, period)| re.is_match(&said).then_some(period))
}
