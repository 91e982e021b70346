//! Money: `rust_decimal::Decimal` everywhere, parsed strictly and rounded once.

use crate::error::FieldError;
use rust_decimal::{Decimal, RoundingStrategy};
use std::str::FromStr;

/// Parses a decimal written with `.` (no exponent, no thousands separators).
/// An empty cell is an error, never 0.
pub fn parse_decimal(field: &str, raw: &str) -> Result<Decimal, FieldError> {
    if raw.is_empty() {
        return Err(FieldError::new(
            field,
            "is empty; write a decimal number such as 12.50",
        ));
    }
    let ok_chars = raw
        .bytes()
        .enumerate()
        .all(|(i, b)| b.is_ascii_digit() || b == b'.' || (i == 0 && (b == b'-' || b == b'+')));
    if !ok_chars {
        return Err(FieldError::new(
            field,
            format!("'{raw}' is not a decimal number (use digits and '.', e.g. 12.50)"),
        ));
    }
    Decimal::from_str(raw).map_err(|_| {
        FieldError::new(
            field,
            format!("'{raw}' is not a decimal number (use digits and '.', e.g. 12.50)"),
        )
    })
}

/// A decimal that must be ≥ 0.
pub fn parse_non_negative(field: &str, raw: &str) -> Result<Decimal, FieldError> {
    let d = parse_decimal(field, raw)?;
    if d.is_sign_negative() && !d.is_zero() {
        return Err(FieldError::new(
            field,
            format!("'{raw}' is negative; it must be 0 or more"),
        ));
    }
    Ok(d)
}

/// A decimal that must be > 0.
pub fn parse_positive(field: &str, raw: &str) -> Result<Decimal, FieldError> {
    let d = parse_decimal(field, raw)?;
    if d <= Decimal::ZERO {
        return Err(FieldError::new(
            field,
            format!("'{raw}' must be greater than 0"),
        ));
    }
    Ok(d)
}

/// Rounds a final amount to cents, half away from zero (RULES.md).
pub fn round_cents(d: Decimal) -> Decimal {
    let r = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    // Always two decimals, and no negative zero.
    let mut r = if r.is_zero() { Decimal::ZERO } else { r };
    r.rescale(2);
    r
}

/// The canonical text of a stored decimal: no trailing zeros, no exponent.
pub fn to_text(d: Decimal) -> String {
    d.normalize().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros_free::dec;

    mod rust_decimal_macros_free {
        macro_rules! dec {
            ($s:literal) => {
                <rust_decimal::Decimal as std::str::FromStr>::from_str($s).unwrap()
            };
        }
        pub(crate) use dec;
    }

    #[test]
    fn half_cents_round_away_from_zero() {
        // 0.125 → 0.13 (banker's rounding would give 0.12); −0.125 → −0.13.
        assert_eq!(round_cents(dec!("0.125")).to_string(), "0.13");
        assert_eq!(round_cents(dec!("-0.125")).to_string(), "-0.13");
        assert_eq!(round_cents(dec!("2.5")).to_string(), "2.50");
        assert_eq!(
            round_cents(dec!("-0.004")).to_string(),
            "0.00",
            "no negative zero"
        );
    }

    #[test]
    fn strict_parsing() {
        assert!(parse_decimal("amount", "").is_err());
        assert!(parse_decimal("amount", "1e3").is_err());
        assert!(parse_decimal("amount", "1,5").is_err());
        assert!(parse_decimal("amount", "abc").is_err());
        assert_eq!(parse_decimal("amount", "12.50").unwrap(), dec!("12.50"));
        assert!(parse_non_negative("amount", "-1").is_err());
        assert!(parse_positive("lots", "0").is_err());
        assert_eq!(to_text(dec!("12.500")), "12.5");
    }
}
