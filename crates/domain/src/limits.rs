//! What Partnerdesk accepts from outside (import files, platform syncs,
//! plans), in one place, so that anything accepted can be computed, stored
//! and shown: the dates a period can hold, the size of amounts and FX
//! rates, and free text (length, no control characters). Also how a refused
//! value is echoed in an error message: cut and escaped ([`shown`]).

use crate::error::FieldError;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use std::fmt;

/// The first date the system accepts for anything it stores.
pub const FIRST_DATE: NaiveDate = date(1970, 1, 1);
/// The last date the system accepts: the period after it (9999-12) is still
/// a period the system can write, so late data and adjustments always have
/// a next period to go to.
pub const LAST_DATE: NaiveDate = date(9998, 12, 31);

const fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(d) => d,
        None => panic!("not a date"),
    }
}

/// Amounts (activity, trades, purchases, plan amounts and rates) have at
/// most this many digits before the point …
pub const AMOUNT_INTEGER_DIGITS: u32 = 15;
/// … and at most this many after it (trailing zeros do not count).
pub const AMOUNT_DECIMALS: u32 = 10;

/// FX rates lie within these bounds (both included), so that converting,
/// or dividing by the inverse pair's rate, stays far from the decimal's
/// limits.
pub const FX_RATE_MIN: Decimal = Decimal::from_parts(1, 0, 0, false, 6); // 0.000001
pub const FX_RATE_MAX: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

/// Free text from platforms and files: product names, symbols, instrument
/// groups, coupon and tracking codes.
pub const TEXT_MAX_CHARS: usize = 200;

/// How much of a refused value an error message shows.
pub const SHOWN_MAX_CHARS: usize = 80;

/// The date range as RULES.md and the error messages say it.
pub fn date_range() -> String {
    format!("{FIRST_DATE} to {LAST_DATE}")
}

/// A date the system can compute with: within [`FIRST_DATE`]..=[`LAST_DATE`].
pub fn check_date(field: &str, d: NaiveDate) -> Result<NaiveDate, FieldError> {
    if (FIRST_DATE..=LAST_DATE).contains(&d) {
        Ok(d)
    } else {
        Err(FieldError::new(
            field,
            format!(
                "{d} is outside the dates Partnerdesk accepts ({}); check the date",
                date_range()
            ),
        ))
    }
}

/// A time whose UTC date is within the accepted range (see [`check_date`]).
pub fn check_time(field: &str, t: DateTime<Utc>) -> Result<DateTime<Utc>, FieldError> {
    if (FIRST_DATE..=LAST_DATE).contains(&t.date_naive()) {
        Ok(t)
    } else {
        Err(FieldError::new(
            field,
            format!(
                "{} is outside the dates Partnerdesk accepts ({}, UTC); check the time",
                crate::data::time_to_text(&t),
                date_range()
            ),
        ))
    }
}

/// The largest amount accepted: 15 nines, a point and 10 nines.
pub fn amount_max() -> Decimal {
    Decimal::from_i128_with_scale(
        10i128.pow(AMOUNT_INTEGER_DIGITS + AMOUNT_DECIMALS) - 1,
        AMOUNT_DECIMALS,
    )
}

/// An amount within the documented size: at most [`AMOUNT_INTEGER_DIGITS`]
/// digits before the point and [`AMOUNT_DECIMALS`] after it.
pub fn check_amount(field: &str, d: Decimal) -> Result<Decimal, FieldError> {
    let integer_ok = d.abs().trunc() < Decimal::from(10i64.pow(AMOUNT_INTEGER_DIGITS));
    if integer_ok && d.normalize().scale() <= AMOUNT_DECIMALS {
        Ok(d)
    } else {
        Err(FieldError::new(
            field,
            format!(
                "{} is beyond the amounts Partnerdesk accepts (at most {AMOUNT_INTEGER_DIGITS} digits before the point and {AMOUNT_DECIMALS} after it)",
                shown(&d.to_string())
            ),
        ))
    }
}

/// An FX rate within [`FX_RATE_MIN`]..=[`FX_RATE_MAX`], with at most
/// [`AMOUNT_DECIMALS`] decimals.
pub fn check_fx_rate(field: &str, d: Decimal) -> Result<Decimal, FieldError> {
    if (FX_RATE_MIN..=FX_RATE_MAX).contains(&d) && d.normalize().scale() <= AMOUNT_DECIMALS {
        Ok(d)
    } else {
        Err(FieldError::new(
            field,
            format!(
                "{} is not an FX rate Partnerdesk accepts (from {FX_RATE_MIN} to {FX_RATE_MAX}, at most {AMOUNT_DECIMALS} decimals)",
                shown(&d.to_string())
            ),
        ))
    }
}

/// Characters no stored text may hold: control characters (NUL, escape
/// sequences, DEL, C1), and those that reorder or break what is shown
/// around them (bidirectional overrides and isolates, line and paragraph
/// separators).
pub fn is_forbidden_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
}

/// Free text of at most `max` characters with no forbidden character
/// ([`is_forbidden_char`]).
pub fn check_text(field: &str, raw: &str, max: usize) -> Result<(), FieldError> {
    // Counted only as far as needed: a megabyte cell is refused after `max`.
    if raw.chars().nth(max).is_some() {
        return Err(FieldError::new(
            field,
            format!("is longer than {max} characters"),
        ));
    }
    if let Some(c) = raw.chars().find(|c| is_forbidden_char(*c)) {
        return Err(FieldError::new(
            field,
            format!(
                "{} contains the control character {}; text may not hold control characters",
                shown(raw),
                c.escape_unicode()
            ),
        ));
    }
    Ok(())
}

/// A value as an error message shows it: quoted, cut to
/// [`SHOWN_MAX_CHARS`] characters (with `…` and the full length), and
/// with control and other forbidden characters escaped (`\u{1b}`), so a
/// refused cell can neither flood the message nor drive the terminal.
pub fn shown(raw: &str) -> Shown<'_> {
    Shown {
        raw,
        max: SHOWN_MAX_CHARS,
        quoted: true,
    }
}

/// [`shown`] without the quotes and cut to `max` characters: a label or
/// message from outside (a platform's record id) kept for display.
pub fn cut(raw: &str, max: usize) -> Shown<'_> {
    Shown {
        raw,
        max,
        quoted: false,
    }
}

/// See [`shown`] and [`cut`].
pub struct Shown<'a> {
    raw: &'a str,
    max: usize,
    quoted: bool,
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let quote = if self.quoted { "'" } else { "" };
        f.write_str(quote)?;
        let mut chars = self.raw.chars();
        for c in chars.by_ref().take(self.max) {
            if is_forbidden_char(c) {
                write!(f, "{}", c.escape_unicode())?;
            } else {
                write!(f, "{c}")?;
            }
        }
        f.write_str(quote)?;
        if chars.next().is_some() {
            write!(f, "… ({} characters)", self.raw.chars().count())?;
        }
        Ok(())
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
    fn dates_inside_the_range_only() {
        for ok in ["1970-01-01", "2026-07-01", "9998-12-31"] {
            let day = NaiveDate::from_str(ok).unwrap();
            assert!(check_date("date", day).is_ok(), "{ok}");
        }
        for bad in ["1899-12-31", "1969-12-31", "9999-01-01", "0001-01-01"] {
            let e = check_date("date", NaiveDate::from_str(bad).unwrap()).unwrap_err();
            assert!(e.message.contains("1970-01-01 to 9998-12-31"), "{bad}: {e}");
        }
        let t = crate::data::parse_time("t", "1969-12-31T23:59:59Z").unwrap();
        assert!(check_time("t", t).is_err());
        // An offset can move a time across the end: refused as UTC.
        let t = crate::data::parse_time("t", "9998-12-31T23:00:00-05:00").unwrap();
        assert!(check_time("t", t).is_err());
        let t = crate::data::parse_time("t", "9998-12-31T23:59:59.999999999Z").unwrap();
        assert!(check_time("t", t).is_ok());
    }

    #[test]
    fn amounts_up_to_fifteen_digits_and_ten_decimals() {
        assert_eq!(amount_max().to_string(), "999999999999999.9999999999");
        for ok in [
            "0",
            "12.50",
            "999999999999999.9999999999",
            "0.0000000001",
            "1.50000000000000000",
        ] {
            assert!(check_amount("amount", d(ok)).is_ok(), "{ok}");
        }
        for bad in [
            "1000000000000000",
            "0.00000000001",
            "79228162514264337593543950335",
        ] {
            let e = check_amount("amount", d(bad)).unwrap_err();
            assert!(e.message.contains("at most 15 digits"), "{bad}: {e}");
        }
        assert!(check_amount("amount", Decimal::MAX).is_err());
    }

    #[test]
    fn fx_rates_within_bounds() {
        for ok in ["0.000001", "1.0842", "1000000"] {
            assert!(check_fx_rate("rate", d(ok)).is_ok(), "{ok}");
        }
        for bad in [
            "0.0000000000000000000000000001",
            "0.0000009",
            "1000000.1",
            "0",
            "-1",
        ] {
            assert!(check_fx_rate("rate", d(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn text_is_bounded_and_has_no_controls() {
        assert!(check_text("product", "Challenge 100k — Phase 1", 200).is_ok());
        assert!(check_text("product", &"x".repeat(200), 200).is_ok());
        assert!(check_text("product", &"x".repeat(201), 200).is_err());
        for bad in [
            "a\0b",
            "\u{1b}[31mred",
            "tab\there",
            "new\nline",
            "\u{7f}",
            "\u{9b}",
            "rtl\u{202e}",
            "sep\u{2028}",
        ] {
            let e = check_text("product", bad, 200).unwrap_err();
            assert!(
                !e.message.contains('\u{1b}') && !e.message.contains('\0'),
                "{e}"
            );
        }
    }

    #[test]
    fn shown_values_are_cut_and_escaped() {
        assert_eq!(shown("12.50").to_string(), "'12.50'");
        assert_eq!(shown("a\u{1b}[2Jb").to_string(), "'a\\u{1b}[2Jb'");
        let long = "9".repeat(1_000_000);
        let s = shown(&long).to_string();
        assert!(s.len() < 120, "{} bytes", s.len());
        assert!(s.ends_with("… (1000000 characters)"), "{s}");
        assert_eq!(
            shown(&"é".repeat(80)).to_string(),
            format!("'{}'", "é".repeat(80))
        );
        assert_eq!(cut("order\u{0}42", 5).to_string(), "order… (8 characters)");
        assert_eq!(cut("order\u{0}42", 50).to_string(), "order\\u{0}42");
    }
}
