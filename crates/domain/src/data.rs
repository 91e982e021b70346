//! What happened: customers and their activity, trades, purchases, FX rates,
//! and which plan a partner has for a brand in which months.

use crate::codes::{CountryCode, CurrencyCode};
use crate::error::FieldError;
use crate::ids::Id;
use crate::limits::{
    check_amount, check_date, check_fx_rate, check_text, check_time, TEXT_MAX_CHARS,
};
use crate::period::Period;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

crate::word_enum!(
/// Whether a customer earns its partner anything (an excluded one earns nobody).
CustomerStatus, "customer status", { Active => "active", Excluded => "excluded" });

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    pub customer_id: Id,
    pub brand_id: Id,
    pub tracking_code: Option<String>,
    /// None: unknown (platforms often leave it empty); RULES.md says how
    /// the rules treat such a customer.
    pub country: Option<CountryCode>,
    pub registered_at: DateTime<Utc>,
    pub status: CustomerStatus,
}

impl Customer {
    /// What the import and every sync check before storing a customer
    /// (the limits of [`crate::limits`]), so that whatever is stored can be
    /// computed.
    pub fn check(&self) -> Result<(), FieldError> {
        check_time("registered_at", self.registered_at)?;
        if let Some(code) = &self.tracking_code {
            check_text("tracking_code", code, TEXT_MAX_CHARS)?;
        }
        Ok(())
    }
}

/// One customer's iGaming activity on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityDay {
    pub customer_id: Id,
    pub brand_id: Id,
    pub date: NaiveDate,
    pub deposits: Decimal,
    pub withdrawals: Decimal,
    pub bets: Decimal,
    pub wins: Decimal,
    pub bonuses: Decimal,
    pub chargebacks: Decimal,
    pub taxes: Decimal,
}

impl ActivityDay {
    /// See [`Customer::check`].
    pub fn check(&self) -> Result<(), FieldError> {
        check_date("date", self.date)?;
        for (field, v) in [
            ("deposits", self.deposits),
            ("withdrawals", self.withdrawals),
            ("bets", self.bets),
            ("wins", self.wins),
            ("bonuses", self.bonuses),
            ("chargebacks", self.chargebacks),
            ("taxes", self.taxes),
        ] {
            check_amount(field, v)?;
        }
        Ok(())
    }

    /// What the engine reads of the row besides its customer.
    pub fn amounts(&self) -> DayAmounts {
        DayAmounts {
            date: self.date,
            deposits: self.deposits,
            withdrawals: self.withdrawals,
            bets: self.bets,
            wins: self.wins,
            bonuses: self.bonuses,
            chargebacks: self.chargebacks,
            taxes: self.taxes,
        }
    }
}

/// A customer's day of iGaming activity as the engine reads it: the date and
/// the amounts (the customer is looked up by id, its brand is the customer's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayAmounts {
    pub date: NaiveDate,
    pub deposits: Decimal,
    pub withdrawals: Decimal,
    pub bets: Decimal,
    pub wins: Decimal,
    pub bonuses: Decimal,
    pub chargebacks: Decimal,
    pub taxes: Decimal,
}

/// A trade as the engine reads it: what the rebate and spread-share rules use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TradeFigures<'a> {
    /// Only to name the trade in an error.
    pub trade_id: &'a str,
    pub instrument_group: &'a str,
    pub lots: Decimal,
    /// `close_time − open_time`.
    pub held: chrono::TimeDelta,
    pub commission: Decimal,
    pub spread_revenue: Decimal,
}

/// A closed (round-turn) trade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trade {
    pub trade_id: Id,
    pub customer_id: Id,
    pub brand_id: Id,
    pub symbol: String,
    pub instrument_group: String,
    pub lots: Decimal,
    pub open_time: DateTime<Utc>,
    pub close_time: DateTime<Utc>,
    pub commission: Decimal,
    pub spread_revenue: Decimal,
}

impl Trade {
    /// See [`Customer::check`].
    pub fn check(&self) -> Result<(), FieldError> {
        check_text("symbol", &self.symbol, TEXT_MAX_CHARS)?;
        check_text("instrument_group", &self.instrument_group, TEXT_MAX_CHARS)?;
        for (field, v) in [
            ("lots", self.lots),
            ("commission", self.commission),
            ("spread_revenue", self.spread_revenue),
        ] {
            check_amount(field, v)?;
        }
        check_time("open_time", self.open_time)?;
        check_time("close_time", self.close_time)?;
        Ok(())
    }

    pub fn figures(&self) -> TradeFigures<'_> {
        TradeFigures {
            trade_id: self.trade_id.as_str(),
            instrument_group: &self.instrument_group,
            lots: self.lots,
            held: self.close_time - self.open_time,
            commission: self.commission,
            spread_revenue: self.spread_revenue,
        }
    }
}

/// A prop challenge purchase (an order), possibly refunded later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Purchase {
    pub order_id: Id,
    pub customer_id: Id,
    pub brand_id: Id,
    pub product: String,
    pub amount: Decimal,
    pub coupon_code: Option<String>,
    pub purchased_at: DateTime<Utc>,
    pub refunded_at: Option<DateTime<Utc>>,
}

impl Purchase {
    /// See [`Customer::check`].
    pub fn check(&self) -> Result<(), FieldError> {
        check_text("product", &self.product, TEXT_MAX_CHARS)?;
        check_amount("amount", self.amount)?;
        if let Some(code) = &self.coupon_code {
            check_text("coupon_code", code, TEXT_MAX_CHARS)?;
        }
        check_time("purchased_at", self.purchased_at)?;
        if let Some(r) = self.refunded_at {
            check_time("refunded_at", r)?;
        }
        Ok(())
    }
}

/// `1 base = rate quote` from `date` on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FxRate {
    pub date: NaiveDate,
    pub base: CurrencyCode,
    pub quote: CurrencyCode,
    pub rate: Decimal,
}

impl FxRate {
    /// See [`Customer::check`].
    pub fn check(&self) -> Result<(), FieldError> {
        check_date("date", self.date)?;
        check_fx_rate("rate", self.rate)?;
        Ok(())
    }
}

/// A partner's plan for a brand from the first day of `valid_from` to the last
/// day of `valid_to` (open-ended when None).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub partner_id: Id,
    pub brand_id: Id,
    pub plan_id: Id,
    pub valid_from: Period,
    pub valid_to: Option<Period>,
}

impl Assignment {
    pub fn covers(&self, p: Period) -> bool {
        self.valid_from <= p && self.valid_to.is_none_or(|to| p <= to)
    }

    pub fn overlaps(&self, other: &Assignment) -> bool {
        let end = |a: &Assignment| {
            a.valid_to
                .unwrap_or(Period::new(9999, 12).unwrap_or(a.valid_from))
        };
        self.partner_id == other.partner_id
            && self.brand_id == other.brand_id
            && self.valid_from <= end(other)
            && other.valid_from <= end(self)
    }
}

/// `valid_from` must be the first day of a month.
pub fn parse_valid_from(field: &str, raw: &str) -> Result<Period, FieldError> {
    let d = check_date(field, parse_date(field, raw)?)?;
    let p = Period::of(d);
    if d != p.first_day() {
        return Err(FieldError::new(
            field,
            format!(
                "{} is not the first day of a month; deals change at period boundaries (e.g. {})",
                crate::limits::shown(raw),
                p.first_day()
            ),
        ));
    }
    Ok(p)
}

/// `valid_to` must be the last day of a month.
pub fn parse_valid_to(field: &str, raw: &str) -> Result<Period, FieldError> {
    let d = check_date(field, parse_date(field, raw)?)?;
    let p = Period::of(d);
    if d != p.last_day() {
        return Err(FieldError::new(
            field,
            format!(
                "{} is not the last day of a month; deals change at period boundaries (e.g. {})",
                crate::limits::shown(raw),
                p.last_day()
            ),
        ));
    }
    Ok(p)
}

/// The value of a few ASCII digits (None if any byte is not one); the
/// callers' fields are at most nine digits, which fit a u32.
fn number(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |n, d| {
        d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
    })
}

/// A calendar date `YYYY-MM-DD`.
pub fn parse_date(field: &str, raw: &str) -> Result<NaiveDate, FieldError> {
    let bad = || {
        FieldError::new(
            field,
            format!(
                "{} is not a date; write YYYY-MM-DD",
                crate::limits::shown(raw)
            ),
        )
    };
    // Digit by digit: the engine reads millions of stored dates per run, and
    // chrono's format parser was a tenth of that.
    let b = raw.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(bad());
    }
    let (Some(y), Some(m), Some(d)) = (number(&b[0..4]), number(&b[5..7]), number(&b[8..10]))
    else {
        return Err(bad());
    };
    i32::try_from(y)
        .ok()
        .and_then(|y| NaiveDate::from_ymd_opt(y, m, d))
        .ok_or_else(bad)
}

/// An RFC 3339 time with any offset, kept as UTC.
pub fn parse_time(field: &str, raw: &str) -> Result<DateTime<Utc>, FieldError> {
    // UTC times (`Z`), as stored and as most files write them, are read
    // digit by digit (millions per import and per month's run); any other
    // form, and anything out of range, goes to chrono's RFC 3339 parser.
    if let Some(t) = utc_time(raw.as_bytes()) {
        return Ok(t);
    }
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            FieldError::new(
                field,
                format!(
                    "{} is not an RFC 3339 time (e.g. 2026-07-01T12:00:00Z)",
                    crate::limits::shown(raw)
                ),
            )
        })
}

/// `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z` (`T` or `t`, `Z` or `z`), as chrono
/// reads it; None for any other form or a value out of range.
fn utc_time(b: &[u8]) -> Option<DateTime<Utc>> {
    let (head, tail) = (b.get(..19)?, b.get(19..)?);
    let fixed = head[4] == b'-'
        && head[7] == b'-'
        && matches!(head[10], b'T' | b't')
        && head[13] == b':'
        && head[16] == b':';
    let (last, fraction) = tail.split_last()?;
    if !fixed || !matches!(last, b'Z' | b'z') {
        return None;
    }
    let nanos = match fraction {
        [] => 0,
        [b'.', digits @ ..] if (1..=9).contains(&digits.len()) => {
            number(digits)? * 10u32.pow(9 - digits.len() as u32)
        }
        _ => return None,
    };
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(number(&head[0..4])?).ok()?,
        number(&head[5..7])?,
        number(&head[8..10])?,
    )?;
    let time = chrono::NaiveTime::from_hms_nano_opt(
        number(&head[11..13])?,
        number(&head[14..16])?,
        number(&head[17..19])?,
        nanos,
    )?;
    Some(date.and_time(time).and_utc())
}

/// A time as stored: fixed-width UTC with nanoseconds, so that text order is time order.
pub fn time_to_text(t: &DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    let (year, nanos) = (t.year(), t.nanosecond());
    // Years outside 0..=9999 and leap seconds take chrono's general path; the
    // rest (every real trade or purchase) is written digit by digit, which
    // the import does millions of times.
    if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 {
        return t.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string();
    }
    let mut out = [0u8; 30];
    let mut put = |at: usize, width: usize, mut v: u32| {
        for i in (at..at + width).rev() {
            out[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, 4, year as u32);
    put(5, 2, t.month());
    put(8, 2, t.day());
    put(11, 2, t.hour());
    put(14, 2, t.minute());
    put(17, 2, t.second());
    put(20, 9, nanos);
    for (i, c) in [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'.'),
        (29, b'Z'),
    ] {
        out[i] = c;
    }
    out.iter().map(|&b| b as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// UTC times read digit by digit give exactly what chrono's RFC 3339
    /// parser gives (or both refuse), on forms and values around every edge.
    #[test]
    fn utc_times_read_digit_by_digit_as_chrono_reads_them() {
        let cases = [
            "2026-07-01T12:00:00Z",
            "2026-07-01t12:00:00z",
            "2026-07-01 12:00:00Z",
            "2026-07-01T12:00:00.5Z",
            "2026-07-01T12:00:00.123456789Z",
            "2026-07-01T12:00:00.1234567891Z",
            "2026-07-01T12:00:00.Z",
            "2026-07-01T12:00:00+02:00",
            "2026-07-01T12:00:00-00:00",
            "2026-02-29T00:00:00Z",
            "2028-02-29T23:59:59.999999999Z",
            "2026-12-31T23:59:60Z",
            "2026-13-01T00:00:00Z",
            "2026-07-01T24:00:00Z",
            "2026-07-01T12:60:00Z",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "2026-07-01T12:00:00",
            "2026-07-01T12:00Z",
            "2026-7-01T12:00:00Z",
            "2026-07-01T12:00:00ZZ",
            "+2026-07-01T12:00:00Z",
            "2026-07-01T12:00:0aZ",
            "",
        ];
        for c in cases {
            let want = DateTime::parse_from_rfc3339(c)
                .ok()
                .map(|t| t.with_timezone(&Utc));
            assert_eq!(parse_time("t", c).ok(), want, "{c:?}");
        }
        let stored = time_to_text(&parse_time("t", "2026-07-01T12:34:56.000123Z").unwrap());
        assert_eq!(
            utc_time(stored.as_bytes()),
            parse_time("t", "2026-07-01T12:34:56.000123Z").ok()
        );
    }

    #[test]
    fn dates_are_read_exactly_as_yyyy_mm_dd() {
        for (raw, want) in [
            ("2026-07-01", NaiveDate::from_ymd_opt(2026, 7, 1)),
            ("2024-02-29", NaiveDate::from_ymd_opt(2024, 2, 29)),
            ("0001-01-01", NaiveDate::from_ymd_opt(1, 1, 1)),
            ("9999-12-31", NaiveDate::from_ymd_opt(9999, 12, 31)),
        ] {
            assert_eq!(parse_date("date", raw).ok(), want, "{raw}");
        }
        for raw in [
            "2025-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-07-32",
            "2026-7-01",
            "2026-07-1",
            "26-07-01",
            "2026/07/01",
            "2026-07-01T00:00:00Z",
            " 2026-07-01",
            "2026-07-0a",
            "+202-07-01",
            "2026-+7-01",
            "",
            "２０２６-07-01",
        ] {
            let e = parse_date("date", raw).unwrap_err();
            assert_eq!(e.field, "date");
            assert!(e.to_string().contains("write YYYY-MM-DD"), "{raw}: {e}");
        }
    }

    #[test]
    fn time_text_matches_the_general_format() {
        let general = |t: &DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string();
        for raw in [
            "2026-07-01T00:30:00.5Z",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999999Z",
            "2024-02-29T09:05:07.000000001+01:00",
            "1970-01-01T00:00:00Z",
            "2016-12-31T23:59:60.25Z",
        ] {
            let t = parse_time("t", raw).unwrap();
            assert_eq!(time_to_text(&t), general(&t), "{raw}");
        }
        let far = DateTime::<Utc>::from_timestamp(300_000_000_000, 7).unwrap();
        assert_eq!(time_to_text(&far), general(&far));
    }

    #[test]
    fn times_are_kept_as_utc() {
        let t = parse_time("t", "2026-07-01T02:30:00.5+02:00").unwrap();
        assert_eq!(time_to_text(&t), "2026-07-01T00:30:00.500000000Z");
        assert!(parse_time("t", "2026-07-01 00:00").is_err());
    }

    #[test]
    fn assignment_boundaries() {
        assert!(parse_valid_from("valid_from", "2026-07-01").is_ok());
        assert!(parse_valid_from("valid_from", "2026-07-15")
            .unwrap_err()
            .message
            .contains("first day"));
        assert!(parse_valid_to("valid_to", "2026-09-30").is_ok());
        assert!(parse_valid_to("valid_to", "2026-09-29").is_err());
        assert!(
            parse_valid_to("valid_to", "2028-02-29").is_ok(),
            "leap day ends February 2028"
        );
    }
}
