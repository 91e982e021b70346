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
            format!(
                "{} is not a decimal number (use digits and '.', e.g. 12.50)",
                crate::limits::shown(raw)
            ),
        ));
    }
    decimal_text(raw).ok_or_else(|| {
        FieldError::new(
            field,
            format!(
                "{} is not a decimal number (use digits and '.', e.g. 12.50)",
                crate::limits::shown(raw)
            ),
        )
    })
}

/// A decimal from its text, as `Decimal::from_str` reads it (the same
/// value, scale and sign). Amounts as they are imported and stored, an
/// optional `-`, digits, a `.` and digits, 18 digits at most, are read in
/// one pass (tens of millions of them per import and per month's run);
/// anything else goes to `from_str`.
pub fn decimal_text(raw: &str) -> Option<Decimal> {
    let bytes = raw.as_bytes();
    let (negative, digits) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, bytes),
    };
    let mut mantissa: i64 = 0;
    let mut count = 0u32;
    let mut scale: Option<u32> = None;
    let mut simple = !digits.is_empty() && digits.len() <= 19;
    for (i, &b) in digits.iter().enumerate() {
        if !simple {
            break;
        }
        match b {
            // 18 digits fit an i64; more go to `from_str`.
            b'0'..=b'9' if count == 18 => simple = false,
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + i64::from(b - b'0');
                count += 1;
                if let Some(s) = scale.as_mut() {
                    *s += 1;
                }
            }
            // One point, with digits on both sides.
            b'.' if scale.is_none() && i > 0 && i + 1 < digits.len() => scale = Some(0),
            _ => simple = false,
        }
    }
    // -0 keeps its sign in `from_str`: left to it, as is anything else.
    if !simple || (negative && mantissa == 0) {
        return Decimal::from_str(raw).ok();
    }
    let mantissa = if negative { -mantissa } else { mantissa };
    Some(Decimal::new(mantissa, scale.unwrap_or(0)))
}

/// A decimal that must be ≥ 0.
pub fn parse_non_negative(field: &str, raw: &str) -> Result<Decimal, FieldError> {
    let d = parse_decimal(field, raw)?;
    if d.is_sign_negative() && !d.is_zero() {
        return Err(FieldError::new(
            field,
            format!(
                "{} is negative; it must be 0 or more",
                crate::limits::shown(raw)
            ),
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
            format!("{} must be greater than 0", crate::limits::shown(raw)),
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

    /// The one-pass reading gives exactly what `from_str` gives (the same
    /// 16 bytes: value, scale, sign), or nothing where it gives nothing, on
    /// amounts around every edge: signs, zeros, points, 17 to 20 digits.
    #[test]
    fn decimal_text_reads_what_from_str_reads() {
        let mut cases: Vec<String> = [
            "0",
            "-0",
            "+5",
            "0.00",
            "-0.00",
            "12.50",
            "-3.5",
            "0007.10",
            ".5",
            "5.",
            "1.2.3",
            "-",
            "",
            "1e5",
            "1_000",
            " 1",
            "1 ",
            "--1",
            "-.5",
            "999999999999999999",
            "-999999999999999999",
            "9999999999999999999",
            "99999999999999999.9",
            "0.000000000000000001",
            "1.0000000000000000000001",
            "12a",
            "٣",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for digits in 1..=20 {
            let n = "123456789".repeat(3)[..digits].to_string();
            for point in 0..=digits {
                let text = match point {
                    0 => n.clone(),
                    p => format!("{}.{}", &n[..p], &n[p..]),
                };
                cases.push(text.clone());
                cases.push(format!("-{text}"));
            }
        }
        for c in &cases {
            let want = Decimal::from_str(c).ok();
            let got = decimal_text(c);
            assert_eq!(
                got.map(|d| d.serialize()),
                want.map(|d| d.serialize()),
                "{c:?}"
            );
        }
    }
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
