//! A budget as a type: only the budget parser ([`crate::fields::parse_budget`],
//! or `"5000 USD al mes".parse()`) makes one, and the domain adjusts it only
//! through the named steps below, so a `Budget` always has an amount and
//! never a range upside down.

use super::values::{Currency, InvalidValue};
use serde::{Deserialize, Serialize};

/// A budget: an amount ("5k"), a range ("between 5 and 10 thousand") or a
/// bound ("up to 2,000 EUR", "at least 1000"). `approximate` records
/// "around"/"unos"/"aprox.".
///
/// Read back from a store through `Stored`'s structural check: at least
/// one bound, each more than zero, and `min <= max`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Stored")]
pub struct Budget {
    min: Option<u64>,
    max: Option<u64>,
    currency: Option<Currency>,
    approximate: bool,
    /// What the amount covers, when the customer said ("al mes", "a year",
    /// "one-off"): 12,000 a year is not 12,000 a month.
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<BudgetPeriod>,
    /// The customer named no currency: `currency`, when set, is the
    /// business's. Bare "pesos" names one, if not whose, so it is not
    /// assumed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    currency_assumed: bool,
}

/// The period a budget's amount is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetPeriod {
    Month,
    Year,
    /// A one-off amount ("pago único", "one-time").
    Once,
}

impl Budget {
    /// The amounts the parser read, before any currency or period: no
    /// currency named yet (so `currency_assumed`), no period said.
    pub(crate) fn parsed(min: Option<u64>, max: Option<u64>, approximate: bool) -> Self {
        let budget = Self {
            min,
            max,
            currency: None,
            approximate,
            period: None,
            currency_assumed: true,
        };
        debug_assert!(budget.check().is_ok(), "{budget:?}");
        budget
    }

    /// The currency the customer named; `None` for "pesos" (or "lucas")
    /// without saying whose.
    pub(crate) fn name_currency(&mut self, currency: Option<Currency>) {
        self.currency = currency;
        self.currency_assumed = false;
    }

    /// The business's currency, for a budget the customer gave without
    /// naming whose: marked assumed so the team knows to confirm it.
    pub(crate) fn assume_currency(&mut self, currency: Currency) {
        self.currency = Some(currency);
        self.currency_assumed = true;
    }

    /// What the amount covers, as the customer said or corrected it.
    pub(crate) fn set_period(&mut self, period: BudgetPeriod) {
        self.period = Some(period);
    }

    /// A corrected amount ("sorry, 5k not 3k") keeps what it does not say
    /// from the budget it replaces: the currency, when it names none (or
    /// says "pesos" after the known pesos), and the period.
    pub(crate) fn keep_unsaid(&mut self, known: &Budget) {
        let pesos_kept = known.currency.is_some_and(|c| c.is_peso());
        if self.currency.is_none() && (self.currency_assumed || pesos_kept) {
            self.currency = known.currency;
            self.currency_assumed = known.currency_assumed;
        }
        self.period = self.period.or(known.period);
    }

    /// The budget for `count` of what this amount is the price of ("$30
    /// per seat" for 10 seats); `None` when it would overflow.
    pub(crate) fn times(mut self, count: u64) -> Option<Self> {
        let scaled = |amount: Option<u64>| match amount {
            Some(amount) => amount.checked_mul(count).map(Some),
            None => Some(None),
        };
        self.min = scaled(self.min)?;
        self.max = scaled(self.max)?;
        Some(self)
    }

    /// The lowest amount; `None` for "up to 2,000".
    pub fn min(&self) -> Option<u64> {
        self.min
    }

    /// The highest amount; `None` for "at least 1000".
    pub fn max(&self) -> Option<u64> {
        self.max
    }

    pub fn currency(&self) -> Option<Currency> {
        self.currency
    }

    /// "around", "unos", "aprox." was said.
    pub fn approximate(&self) -> bool {
        self.approximate
    }

    pub fn period(&self) -> Option<BudgetPeriod> {
        self.period
    }

    /// No currency was named: [`Budget::currency`], when set, is the
    /// business's.
    pub fn currency_assumed(&self) -> bool {
        self.currency_assumed
    }

    fn check(&self) -> Result<(), InvalidValue> {
        let invalid = |reason| Err(InvalidValue::new("budget", reason));
        match (self.min, self.max) {
            (None, None) => invalid("it has no amount"),
            (Some(0), _) | (_, Some(0)) => invalid("an amount is zero"),
            (Some(min), Some(max)) if min > max => invalid("its minimum is above its maximum"),
            _ => Ok(()),
        }
    }
}

/// A budget as a store holds it, before the check.
#[derive(Deserialize)]
struct Stored {
    min: Option<u64>,
    max: Option<u64>,
    currency: Option<Currency>,
    approximate: bool,
    #[serde(default)]
    period: Option<BudgetPeriod>,
    #[serde(default)]
    currency_assumed: bool,
}

impl TryFrom<Stored> for Budget {
    type Error = InvalidValue;
    fn try_from(stored: Stored) -> Result<Self, InvalidValue> {
        let budget = Self {
            min: stored.min,
            max: stored.max,
            currency: stored.currency,
            approximate: stored.approximate,
            period: stored.period,
            currency_assumed: stored.currency_assumed,
        };
        budget.check()?;
        Ok(budget)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_budget_reads_back_as_it_was_written() {
        for json in [
            r#"{"min":5000,"max":10000,"currency":"USD","approximate":true,"period":"month"}"#,
            r#"{"min":null,"max":2000,"currency":null,"approximate":false,"currency_assumed":true}"#,
            r#"{"min":1000,"max":null,"currency":"MXN","approximate":false,"currency_assumed":true}"#,
        ] {
            let budget: Budget = serde_json::from_str(json).expect(json);
            assert_eq!(serde_json::to_string(&budget).unwrap(), json);
        }
        let parsed: Budget = "unos 5000 USD al mes".parse().unwrap();
        let json = serde_json::to_string(&parsed).unwrap();
        assert_eq!(serde_json::from_str::<Budget>(&json).unwrap(), parsed);
    }

    #[test]
    fn a_stored_budget_of_a_shape_no_parser_makes_is_refused() {
        for json in [
            r#"{"min":null,"max":null,"currency":"USD","approximate":false}"#,
            r#"{"min":10000,"max":5000,"currency":"USD","approximate":false}"#,
            r#"{"min":0,"max":5000,"currency":null,"approximate":false}"#,
            r#"{"min":5000,"max":5000,"currency":"XYZ","approximate":false}"#,
            r#"{"min":5000,"max":5000,"currency":"USD"}"#,
            r#"{"min":-5,"max":5000,"currency":"USD","approximate":false}"#,
        ] {
            assert!(serde_json::from_str::<Budget>(json).is_err(), "{json}");
        }
    }
}
