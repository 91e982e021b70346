//! Reading fields of a platform's JSON: numbers may come as strings or
//! numbers, times as Unix seconds or RFC 3339; every failure names the field.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
pub use partnerdesk_domain::limits::shown;
use rust_decimal::Decimal;
use serde_json::Value;
use std::str::FromStr;

/// The value at a dotted path (`billing.country`), if present and not null.
pub fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = v;
    for part in path.split('.') {
        cur = match cur {
            Value::Object(m) => m.get(part)?,
            Value::Array(a) => a.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    (!cur.is_null()).then_some(cur)
}

/// A field as text (strings as they are, numbers and booleans written out).
pub fn text(v: &Value, path: &str) -> Result<String, String> {
    text_ref(v, path).map(|t| t.into_owned())
}

/// [`text`] without a copy of string fields.
fn text_ref<'a>(v: &'a Value, path: &str) -> Result<std::borrow::Cow<'a, str>, String> {
    use std::borrow::Cow;
    match at(v, path) {
        None => Err(format!("field '{path}' is missing")),
        Some(Value::String(s)) => Ok(Cow::Borrowed(s.as_str())),
        Some(Value::Number(n)) => Ok(Cow::Owned(n.to_string())),
        Some(Value::Bool(b)) => Ok(Cow::Owned(b.to_string())),
        Some(other) => Err(format!(
            "field '{path}' is {} where text was expected",
            kind(other)
        )),
    }
}

/// An optional text field (missing, null or empty: None).
pub fn opt_text(v: &Value, path: &str) -> Result<Option<String>, String> {
    match at(v, path) {
        None => Ok(None),
        Some(_) => text(v, path).map(|s| (!s.trim().is_empty()).then(|| s.trim().to_string())),
    }
}

/// An exact decimal (from a string or a JSON number).
pub fn decimal(v: &Value, path: &str) -> Result<Decimal, String> {
    let raw = text_ref(v, path)?;
    parse_decimal(&raw).ok_or_else(|| format!("field '{path}': {} is not an amount", shown(&raw)))
}

/// A decimal; missing counts as zero.
pub fn decimal_or_zero(v: &Value, path: &str) -> Result<Decimal, String> {
    match at(v, path) {
        None => Ok(Decimal::ZERO),
        Some(_) => decimal(v, path),
    }
}

pub fn parse_decimal(raw: &str) -> Option<Decimal> {
    let t = raw.trim();
    Decimal::from_str(t)
        .or_else(|_| Decimal::from_scientific(t))
        .ok()
}

/// An unsigned integer (string or number).
pub fn uint(v: &Value, path: &str) -> Result<u64, String> {
    let raw = text_ref(v, path)?;
    raw.trim()
        .parse::<u64>()
        .map_err(|_| format!("field '{path}': {} is not a whole number", shown(&raw)))
}

/// A time: Unix seconds, RFC 3339, or `YYYY-MM-DDTHH:MM:SS` taken as UTC.
pub fn time(v: &Value, path: &str) -> Result<DateTime<Utc>, String> {
    let raw = text_ref(v, path)?;
    parse_time(&raw).ok_or_else(|| format!("field '{path}': {} is not a time", shown(&raw)))
}

pub fn parse_time(raw: &str) -> Option<DateTime<Utc>> {
    let t = raw.trim();
    if let Ok(secs) = t.parse::<i64>() {
        return DateTime::from_timestamp(secs, 0);
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(d.with_timezone(&Utc));
    }
    for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(t, f) {
            return Some(n.and_utc());
        }
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|n| n.and_utc())
}

/// A calendar date (or the date of a time).
pub fn date(v: &Value, path: &str) -> Result<NaiveDate, String> {
    let raw = text(v, path)?;
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .ok()
        .or_else(|| parse_time(&raw).map(|t| t.date_naive()))
        .ok_or_else(|| format!("field '{path}': {} is not a date", shown(&raw)))
}

/// The array at `path` (the whole value when `path` is empty).
pub fn array<'a>(v: &'a Value, path: &str) -> Result<&'a Vec<Value>, String> {
    let target = if path.is_empty() {
        Some(v)
    } else {
        at(v, path)
    };
    match target {
        Some(Value::Array(a)) => Ok(a),
        Some(other) => Err(format!(
            "'{}' is {} where a list was expected",
            if path.is_empty() { "the answer" } else { path },
            kind(other)
        )),
        None => Err(format!("the answer has no '{path}' list")),
    }
}

pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_of_either_type() {
        let v = json!({"a": "12.50", "b": 3, "c": {"d": "x"}, "e": null, "t": "1751328000", "u": "2026-07-01T10:00:00"});
        assert_eq!(decimal(&v, "a").unwrap().to_string(), "12.50");
        assert_eq!(decimal(&v, "b").unwrap().to_string(), "3");
        assert_eq!(text(&v, "c.d").unwrap(), "x");
        assert!(text(&v, "e").unwrap_err().contains("missing"));
        assert!(decimal(&v, "c.d").unwrap_err().contains("not an amount"));
        assert_eq!(
            time(&v, "t").unwrap().to_rfc3339(),
            "2025-07-01T00:00:00+00:00"
        );
        assert_eq!(
            time(&v, "u").unwrap().to_rfc3339(),
            "2026-07-01T10:00:00+00:00"
        );
        assert!(text(&v, "c").unwrap_err().contains("an object"));
    }
}
