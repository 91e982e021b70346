//! Currency conversion (RULES.md): the rate in force on the period's last day,
//! direct pair or inverse pair, latest date wins, a tie goes to the direct pair.

use crate::codes::CurrencyCode;
use crate::data::FxRate;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashMap;

/// How an amount was converted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conversion {
    pub from: CurrencyCode,
    pub to: CurrencyCode,
    /// The stored rate that was used.
    pub rate: Decimal,
    /// The rate's date (None when no conversion was needed).
    pub date: Option<NaiveDate>,
    /// True when the stored rate is of the inverse pair and was divided by.
    pub inverse: bool,
}

impl Conversion {
    /// The amount in the target currency; None when it would overflow (a
    /// tiny rate of the inverse pair divides a large amount).
    pub fn apply(&self, amount: Decimal) -> Option<Decimal> {
        if self.inverse {
            amount.checked_div(self.rate)
        } else {
            amount.checked_mul(self.rate)
        }
    }

    /// The rate an amount is multiplied by (the inverse pair's rate
    /// divided into one); None when that would overflow.
    pub fn multiplier(&self) -> Option<Decimal> {
        if self.inverse {
            Decimal::ONE.checked_div(self.rate)
        } else {
            Some(self.rate)
        }
    }
}

/// All known rates, indexed by pair and sorted by date.
#[derive(Debug, Default, Clone)]
pub struct FxTable {
    by_pair: HashMap<(CurrencyCode, CurrencyCode), Vec<(NaiveDate, Decimal)>>,
}

impl FxTable {
    pub fn new(rates: &[FxRate]) -> Self {
        let mut by_pair: HashMap<(CurrencyCode, CurrencyCode), Vec<(NaiveDate, Decimal)>> =
            HashMap::new();
        for r in rates {
            by_pair
                .entry((r.base, r.quote))
                .or_default()
                .push((r.date, r.rate));
        }
        for v in by_pair.values_mut() {
            v.sort_by_key(|(d, _)| *d);
        }
        Self { by_pair }
    }

    fn latest(
        &self,
        base: CurrencyCode,
        quote: CurrencyCode,
        on: NaiveDate,
    ) -> Option<(NaiveDate, Decimal)> {
        let v = self.by_pair.get(&(base, quote))?;
        let idx = v.partition_point(|(d, _)| *d <= on);
        idx.checked_sub(1).map(|i| v[i])
    }

    /// The conversion from `from` to `to` in force on `on`, or None when no rate is known.
    pub fn conversion(
        &self,
        from: CurrencyCode,
        to: CurrencyCode,
        on: NaiveDate,
    ) -> Option<Conversion> {
        if from == to {
            return Some(Conversion {
                from,
                to,
                rate: Decimal::ONE,
                date: None,
                inverse: false,
            });
        }
        let direct = self.latest(from, to, on).filter(|(_, r)| !r.is_zero());
        let inverse = self.latest(to, from, on).filter(|(_, r)| !r.is_zero());
        match (direct, inverse) {
            (Some((dd, dr)), Some((id, _))) if dd >= id => Some(Conversion {
                from,
                to,
                rate: dr,
                date: Some(dd),
                inverse: false,
            }),
            (_, Some((id, ir))) => Some(Conversion {
                from,
                to,
                rate: ir,
                date: Some(id),
                inverse: true,
            }),
            (Some((dd, dr)), None) => Some(Conversion {
                from,
                to,
                rate: dr,
                date: Some(dd),
                inverse: false,
            }),
            (None, None) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }
    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn cur(s: &str) -> CurrencyCode {
        CurrencyCode::parse("c", s).unwrap()
    }
    fn rate(date: &str, b: &str, q: &str, r: &str) -> FxRate {
        FxRate {
            date: day(date),
            base: cur(b),
            quote: cur(q),
            rate: d(r),
        }
    }

    #[test]
    fn inverse_pair_divides() {
        // Only GBP→EUR 1.25 is known; EUR→GBP is 1/1.25: 100 EUR = 80 GBP.
        let t = FxTable::new(&[rate("2026-07-31", "GBP", "EUR", "1.25")]);
        let c = t
            .conversion(cur("EUR"), cur("GBP"), day("2026-07-31"))
            .unwrap();
        assert!(c.inverse);
        assert_eq!(c.apply(d("100")), Some(d("80")));
    }

    #[test]
    fn a_tiny_inverse_rate_is_an_overflow_not_a_panic() {
        let t = FxTable::new(&[rate(
            "2026-07-31",
            "GBP",
            "EUR",
            "0.0000000000000000000000000001",
        )]);
        let c = t
            .conversion(cur("EUR"), cur("GBP"), day("2026-07-31"))
            .unwrap();
        assert_eq!(c.apply(d("100")), None, "100 / 1e-28 is beyond the decimal");
        assert_eq!(c.multiplier(), Some(d("10000000000000000000000000000")));
        let direct = Conversion {
            inverse: false,
            ..c
        };
        assert_eq!(
            direct.apply(Decimal::MAX),
            Some(d("7.9228162514264337593543950335"))
        );
    }

    #[test]
    fn latest_date_wins_and_ties_go_direct() {
        let t = FxTable::new(&[
            rate("2026-07-01", "EUR", "USD", "1.10"),
            rate("2026-07-15", "USD", "EUR", "0.80"),
            rate("2026-08-31", "EUR", "USD", "1.20"),
            rate("2026-08-31", "USD", "EUR", "0.50"),
            rate("2026-09-01", "EUR", "USD", "9.99"),
        ]);
        // July: the inverse of 2026-07-15 is later than the direct of 2026-07-01.
        let jul = t
            .conversion(cur("EUR"), cur("USD"), day("2026-07-31"))
            .unwrap();
        assert_eq!((jul.inverse, jul.rate), (true, d("0.80")));
        // August: both dated 2026-08-31, the direct pair wins; September's rate is not yet in force.
        let aug = t
            .conversion(cur("EUR"), cur("USD"), day("2026-08-31"))
            .unwrap();
        assert_eq!((aug.inverse, aug.rate), (false, d("1.20")));
        assert!(
            t.conversion(cur("EUR"), cur("CHF"), day("2026-08-31"))
                .is_none(),
            "no cross rates"
        );
        assert!(
            t.conversion(cur("EUR"), cur("USD"), day("2026-06-30"))
                .is_none(),
            "no rate dated before"
        );
    }
}
