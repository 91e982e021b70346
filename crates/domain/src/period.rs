//! A period: a calendar month in UTC, written `YYYY-MM`.

use crate::error::FieldError;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
// On the bridge, a named string type (`export type Period = string`), `YYYY-MM`.
#[cfg_attr(feature = "specta", derive(specta::Type), specta(type = String))]
pub struct Period {
    year: i32,
    month: u32,
}

impl Period {
    pub fn new(year: i32, month: u32) -> Option<Self> {
        ((1..=12).contains(&month) && (1900..=9999).contains(&year)).then_some(Self { year, month })
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let bad = || {
            FieldError::new(
                field,
                format!(
                    "{} is not a period; write YYYY-MM, e.g. 2026-07",
                    crate::limits::shown(raw)
                ),
            )
        };
        let (y, m) = raw.split_once('-').ok_or_else(bad)?;
        if y.len() != 4
            || m.len() != 2
            || !y.bytes().all(|b| b.is_ascii_digit())
            || !m.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        Self::new(year, month).ok_or_else(bad)
    }

    pub fn of(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn year(&self) -> i32 {
        self.year
    }

    pub fn month(&self) -> u32 {
        self.month
    }

    pub fn first_day(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn last_day(&self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or(NaiveDate::MAX)
    }

    pub fn next(&self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn prev(&self) -> Self {
        if self.month == 1 {
            Self {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Self {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// Every period from `self` to `last`, both included.
    pub fn through(self, last: Period) -> impl Iterator<Item = Period> {
        std::iter::successors(Some(self), move |p| (*p < last).then(|| p.next()))
            .take_while(move |p| *p <= last)
    }
}

impl TryFrom<String> for Period {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, FieldError> {
        Self::parse("period", &s)
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.width().is_none() {
            return write!(f, "{:04}-{:02}", self.year, self.month);
        }
        // A column width (`{:<8}`) applies to the whole text.
        f.pad(&format!("{:04}-{:02}", self.year, self.month))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let p = Period::parse("period", "2026-07").unwrap();
        assert_eq!(p.to_string(), "2026-07");
        assert!(Period::parse("period", "2026-13").is_err());
        assert!(Period::parse("period", "2026-7").is_err());
        assert!(Period::parse("period", "26-07").is_err());
    }

    #[test]
    fn boundaries() {
        let feb = Period::parse("p", "2028-02").unwrap();
        assert_eq!(
            feb.last_day(),
            NaiveDate::from_ymd_opt(2028, 2, 29).unwrap(),
            "2028 is a leap year"
        );
        let dec = Period::parse("p", "2026-12").unwrap();
        assert_eq!(dec.next().to_string(), "2027-01");
        assert_eq!(dec.next().prev(), dec);
        let all: Vec<String> = Period::parse("p", "2026-11")
            .unwrap()
            .through(Period::parse("p", "2027-02").unwrap())
            .map(|p| p.to_string())
            .collect();
        assert_eq!(all, ["2026-11", "2026-12", "2027-01", "2027-02"]);
    }
}
