//! A platform server's clock: MT5 writes deal and account times as the
//! trade server's wall-clock time (in seconds since 1970 as if that clock
//! were UTC), and a shop keeps local times next to GMT ones. A zone is an
//! IANA name (DST included, via chrono-tz), `UTC`, or a fixed offset
//! (`+02:00`, `UTC+2`, `GMT-05:30`).

use chrono::{DateTime, FixedOffset, NaiveDateTime, Offset, TimeZone, Utc};
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Zone {
    Fixed(FixedOffset),
    Named(chrono_tz::Tz),
}

impl Default for Zone {
    fn default() -> Self {
        Zone::Fixed(Utc.fix())
    }
}

impl Zone {
    /// `UTC`, `+02:00`, `-0530`, `UTC+2`, `GMT-05:30`, or an IANA name such
    /// as `Europe/Athens` or `EET` (DST as the IANA database has it).
    pub fn parse(raw: &str) -> Result<Self, String> {
        let t = raw.trim();
        let upper = t.to_ascii_uppercase();
        if upper.is_empty() || upper == "UTC" || upper == "GMT" || upper == "Z" {
            return Ok(Zone::default());
        }
        let offset_text = upper
            .strip_prefix("UTC")
            .or_else(|| upper.strip_prefix("GMT"))
            .unwrap_or(&upper);
        if offset_text.starts_with('+') || offset_text.starts_with('-') {
            return fixed(offset_text).map(Zone::Fixed).ok_or_else(|| {
                format!("'{t}' is not an offset: write it as +02:00, -05:30 or UTC+2")
            });
        }
        chrono_tz::Tz::from_str(t).map(Zone::Named).map_err(|_| {
            format!(
                "'{t}' is not a time zone: use an IANA name (e.g. Europe/Athens, EET, America/New_York) or an offset such as +02:00"
            )
        })
    }

    /// The UTC time of a wall-clock time in this zone. A time that a DST
    /// change repeats is taken as the first; one it skips as if the clock
    /// had not moved yet (the offset before the change).
    pub fn to_utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        match self {
            Zone::Fixed(f) => {
                (local - chrono::Duration::seconds(f.local_minus_utc().into())).and_utc()
            }
            Zone::Named(tz) => match tz.from_local_datetime(&local).earliest() {
                Some(t) => t.with_timezone(&Utc),
                None => {
                    // In a gap: the offset an hour before applies.
                    let before = tz
                        .offset_from_utc_datetime(&(local - chrono::Duration::hours(3)))
                        .fix();
                    (local - chrono::Duration::seconds(before.local_minus_utc().into())).and_utc()
                }
            },
        }
    }

    /// The wall-clock time in this zone of a UTC time.
    pub fn to_local(&self, utc: DateTime<Utc>) -> NaiveDateTime {
        match self {
            Zone::Fixed(f) => utc.with_timezone(f).naive_local(),
            Zone::Named(tz) => utc.with_timezone(tz).naive_local(),
        }
    }

    /// Server seconds (a wall-clock time written as Unix seconds, as MT5
    /// does) to UTC.
    pub fn server_secs_to_utc(&self, secs: i64) -> Option<DateTime<Utc>> {
        DateTime::from_timestamp(secs, 0).map(|t| self.to_utc(t.naive_utc()))
    }

    /// Server milliseconds to UTC milliseconds.
    pub fn server_millis_to_utc(&self, ms: i64) -> Option<i64> {
        let secs = ms.div_euclid(1000);
        let rest = ms.rem_euclid(1000);
        self.server_secs_to_utc(secs)
            .map(|t| t.timestamp_millis() + rest)
    }

    /// A UTC time (Unix seconds) as server seconds.
    pub fn utc_to_server_secs(&self, utc_secs: i64) -> i64 {
        match DateTime::from_timestamp(utc_secs, 0) {
            Some(t) => self.to_local(t).and_utc().timestamp(),
            None => utc_secs,
        }
    }
}

fn fixed(text: &str) -> Option<FixedOffset> {
    let (sign, rest) = match text.split_at_checked(1)? {
        ("+", r) => (1, r),
        ("-", r) => (-1, r),
        _ => return None,
    };
    let (h, m) = match rest.split_once(':') {
        Some((h, m)) => (h, m),
        None if rest.len() == 4 => rest.split_at(2),
        None => (rest, "0"),
    };
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    if !(0..=14).contains(&h) || !(0..60).contains(&m) {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").expect("a time")
    }

    #[test]
    fn names_offsets_and_refusals() {
        assert_eq!(Zone::parse("UTC").unwrap(), Zone::default());
        assert_eq!(Zone::parse("").unwrap(), Zone::default());
        for raw in ["+02:00", "UTC+2", "gmt+02:00", "+0200"] {
            assert_eq!(
                Zone::parse(raw).unwrap(),
                Zone::Fixed(FixedOffset::east_opt(7200).unwrap()),
                "{raw}"
            );
        }
        assert_eq!(
            Zone::parse("-05:30").unwrap(),
            Zone::Fixed(FixedOffset::west_opt(5 * 3600 + 1800).unwrap())
        );
        assert!(matches!(Zone::parse("EET").unwrap(), Zone::Named(_)));
        assert!(matches!(
            Zone::parse("Europe/Athens").unwrap(),
            Zone::Named(_)
        ));
        assert!(Zone::parse("Mars/Olympus").unwrap_err().contains("IANA"));
        assert!(Zone::parse("+25:00").unwrap_err().contains("offset"));
    }

    #[test]
    fn an_eet_server_is_utc_plus_2_in_winter_and_3_in_summer() {
        let eet = Zone::parse("EET").unwrap();
        // Summer (EEST, UTC+3): 2026-07-31 01:30 server = 2026-07-30 22:30 UTC.
        assert_eq!(
            eet.to_utc(at("2026-07-31 01:30:00")).to_rfc3339(),
            "2026-07-30T22:30:00+00:00"
        );
        // Winter (EET, UTC+2): 2026-12-01 01:30 server = 2026-11-30 23:30 UTC.
        assert_eq!(
            eet.to_utc(at("2026-12-01 01:30:00")).to_rfc3339(),
            "2026-11-30T23:30:00+00:00"
        );
        // A trade closed 2026-08-01 01:30 server time is a July trade in UTC.
        assert_eq!(
            eet.to_utc(at("2026-08-01 01:30:00")).to_rfc3339(),
            "2026-07-31T22:30:00+00:00"
        );
        // And back: server seconds of a UTC time.
        let utc = at("2026-07-31 22:30:00").and_utc().timestamp();
        assert_eq!(
            eet.utc_to_server_secs(utc),
            at("2026-08-01 01:30:00").and_utc().timestamp()
        );
    }

    #[test]
    fn dst_changes_repeat_and_skip_an_hour() {
        let eet = Zone::parse("EET").unwrap();
        // 2026-10-25 04:00 EEST the clocks go back to 03:00: 03:30 happens twice;
        // the first is 00:30 UTC.
        assert_eq!(
            eet.to_utc(at("2026-10-25 03:30:00")).to_rfc3339(),
            "2026-10-25T00:30:00+00:00"
        );
        // 2026-03-29 03:00 EET the clocks go to 04:00: 03:30 does not exist;
        // read with the offset before (+2): 01:30 UTC.
        assert_eq!(
            eet.to_utc(at("2026-03-29 03:30:00")).to_rfc3339(),
            "2026-03-29T01:30:00+00:00"
        );
        // Milliseconds keep their fraction.
        let ms = at("2026-07-01 03:00:00").and_utc().timestamp_millis() + 250;
        assert_eq!(
            eet.server_millis_to_utc(ms),
            Some(at("2026-07-01 00:00:00").and_utc().timestamp_millis() + 250)
        );
    }
}
