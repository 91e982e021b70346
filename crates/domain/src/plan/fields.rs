//! Reading `plans.json`'s objects strictly: a field set that refuses fields
//! it does not know, and decimals, counts, flags and words by path, each
//! error naming the field.

use crate::error::FieldError;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

/// Reads one field set of a JSON object, refusing fields it does not know.
pub(super) struct Fields<'a> {
    obj: &'a Map<String, Value>,
}

impl<'a> Fields<'a> {
    pub(super) fn new(v: &'a Value, path: &str, allowed: &[&str]) -> Result<Self, FieldError> {
        let obj = v
            .as_object()
            .ok_or_else(|| FieldError::new(path, "must be a JSON object"))?;
        if let Some(unknown) = obj.keys().find(|k| !allowed.contains(&k.as_str())) {
            let allowed = allowed.join(", ");
            // The field's name is echoed as it is only when short and clean.
            return Err(
                match crate::limits::check_text("", unknown, crate::limits::SHOWN_MAX_CHARS) {
                    Ok(()) => FieldError::new(
                        format!("{path}.{unknown}"),
                        format!("is not a known field here; allowed: {allowed}"),
                    ),
                    Err(_) => FieldError::new(
                        path,
                        format!(
                            "{} is not a known field here; allowed: {allowed}",
                            crate::limits::shown(unknown)
                        ),
                    ),
                },
            );
        }
        Ok(Self { obj })
    }

    pub(super) fn get(&self, key: &str) -> Option<&'a Value> {
        self.obj.get(key).filter(|v| !v.is_null())
    }
}

pub(super) fn decimal(v: &Value, path: &str) -> Result<Decimal, FieldError> {
    let s = v.as_str().ok_or_else(|| {
        FieldError::new(path, "must be a decimal written as a string, e.g. \"0.25\"")
    })?;
    let d = crate::money::parse_decimal(path, s)?;
    if d.is_sign_negative() && !d.is_zero() {
        return Err(FieldError::new(
            path,
            format!(
                "{} is negative; it must be 0 or more",
                crate::limits::shown(s)
            ),
        ));
    }
    crate::limits::check_amount(path, d.normalize())
}

pub(super) fn opt_decimal(
    f: &Fields,
    key: &str,
    path: &str,
) -> Result<Option<Decimal>, FieldError> {
    f.get(key)
        .map(|v| decimal(v, &format!("{path}.{key}")))
        .transpose()
}

pub(super) fn req_decimal(f: &Fields, key: &str, path: &str) -> Result<Decimal, FieldError> {
    opt_decimal(f, key, path)?
        .ok_or_else(|| FieldError::new(format!("{path}.{key}"), "is required"))
}

pub(super) fn opt_uint(f: &Fields, key: &str, path: &str) -> Result<Option<u64>, FieldError> {
    f.get(key)
        .map(|v| {
            v.as_u64().ok_or_else(|| {
                FieldError::new(format!("{path}.{key}"), "must be a whole number, 0 or more")
            })
        })
        .transpose()
}

pub(super) fn opt_bool(f: &Fields, key: &str, path: &str) -> Result<Option<bool>, FieldError> {
    f.get(key)
        .map(|v| {
            v.as_bool()
                .ok_or_else(|| FieldError::new(format!("{path}.{key}"), "must be true or false"))
        })
        .transpose()
}

pub(super) fn opt_word<'a>(
    f: &Fields<'a>,
    key: &str,
    path: &str,
    allowed: &[&str],
) -> Result<Option<&'a str>, FieldError> {
    match f.get(key) {
        None => Ok(None),
        Some(v) => {
            let s = v.as_str().filter(|s| allowed.contains(s)).ok_or_else(|| {
                FieldError::new(
                    format!("{path}.{key}"),
                    format!("must be one of: {}", allowed.join(", ")),
                )
            })?;
            Ok(Some(s))
        }
    }
}

pub(super) fn decimal_list(
    f: &Fields,
    key: &str,
    path: &str,
) -> Result<Option<Vec<Decimal>>, FieldError> {
    let Some(v) = f.get(key) else { return Ok(None) };
    let arr = v.as_array().ok_or_else(|| {
        FieldError::new(format!("{path}.{key}"), "must be a list of decimal strings")
    })?;
    arr.iter()
        .enumerate()
        .map(|(i, v)| decimal(v, &format!("{path}.{key}[{i}]")))
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}
