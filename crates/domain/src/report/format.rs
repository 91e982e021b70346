//! How report figures print (REPORTS.md): amounts and lots to exactly two
//! decimals, half away from zero, never `-0.00`; counts as integers;
//! percentages × 100 with one decimal; empty when a divisor is zero. And
//! the CSV quoting rule: only a field with a comma, a quote or a line break.

use rust_decimal::{Decimal, RoundingStrategy};

/// `d` rounded once to `dp` decimals, half away from zero, printed with
/// exactly `dp` decimals and no minus sign on zero.
pub fn fixed(d: Decimal, dp: u32) -> String {
    let mut r = d.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    if r.is_zero() {
        r = Decimal::ZERO;
    }
    r.rescale(dp);
    r.to_string()
}

/// An amount or lots: two decimals.
pub fn amount(d: Decimal) -> String {
    fixed(d, 2)
}

/// `num / den` as a percentage with one decimal, empty when `den` is zero.
pub fn percent(num: Decimal, den: Decimal) -> String {
    if den.is_zero() {
        return String::new();
    }
    match num
        .checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|n| n.checked_div(den))
    {
        Some(p) => fixed(p, 1),
        None => String::new(),
    }
}

/// `num / den` as an amount, empty when `den` is zero.
pub fn ratio_amount(num: Decimal, den: Decimal) -> String {
    if den.is_zero() {
        return String::new();
    }
    num.checked_div(den).map(amount).unwrap_or_default()
}

/// Whether a printed figure counts as "something other than empty or zero".
pub fn shows_something(printed: &str) -> bool {
    !printed.is_empty() && printed.chars().any(|c| c.is_ascii_digit() && c != '0')
}

/// A CSV field, quoted (RFC 4180) only when it holds a comma, a quote or a
/// line break.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn amounts_round_half_away_and_never_print_minus_zero() {
        assert_eq!(amount(d("2.345")), "2.35");
        assert_eq!(amount(d("-2.345")), "-2.35");
        assert_eq!(amount(d("-0.004")), "0.00", "rounds to zero: no sign");
        assert_eq!(amount(d("0")), "0.00");
        assert_eq!(amount(d("12")), "12.00");
    }

    #[test]
    fn percentages_are_times_100_with_one_decimal_and_empty_without_divisor() {
        // 2 / 3 = 66.666… % → 66.7
        assert_eq!(percent(d("2"), d("3")), "66.7");
        assert_eq!(percent(d("3"), d("2")), "150.0", "may exceed 100");
        assert_eq!(percent(d("1"), d("0")), "");
    }

    #[test]
    fn something_means_a_nonzero_digit() {
        assert!(!shows_something(""));
        assert!(!shows_something("0"));
        assert!(!shows_something("0.00"));
        assert!(!shows_something("0.0"));
        assert!(shows_something("-0.01"));
        assert!(shows_something("3"));
    }

    #[test]
    fn quoting_only_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
