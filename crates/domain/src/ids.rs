//! Identifiers chosen by the operator (partner_id, brand_id, plan_id, codes …).

use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An operator-chosen identifier: 1–100 characters, no surrounding spaces, no
/// commas, quotes or control characters (ids appear unquoted in the canonical
/// export, so a comma would break it).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Id(String);

impl Id {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        Self::check(field, raw)?;
        Ok(Self(raw.to_string()))
    }

    /// [`Id::parse`] of a `String` that is kept as it is (no copy).
    pub fn from_string(field: &str, raw: String) -> Result<Self, FieldError> {
        Self::check(field, &raw)?;
        Ok(Self(raw))
    }

    /// Whether `raw` is a valid id (see [`Id::parse`]), without making one.
    pub fn check(field: &str, raw: &str) -> Result<(), FieldError> {
        if raw.is_empty() {
            return Err(FieldError::new(field, "must not be empty"));
        }
        if raw.trim() != raw {
            return Err(FieldError::new(
                field,
                format!("'{raw}' has leading or trailing spaces"),
            ));
        }
        if raw.chars().count() > 100 {
            return Err(FieldError::new(field, "must be at most 100 characters"));
        }
        if let Some(c) = raw
            .chars()
            .find(|c| c.is_control() || *c == ',' || *c == '"')
        {
            return Err(FieldError::new(
                field,
                format!("'{raw}' contains {c:?}; ids may not contain commas, quotes or control characters"),
            ));
        }
        Ok(())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Ids hash and compare as their text, so maps keyed by `Id` are searched with a `&str`.
impl std::borrow::Borrow<str> for Id {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Id {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_ids() {
        assert_eq!(Id::parse("partner_id", "P-001").unwrap().as_str(), "P-001");
        assert!(Id::parse("partner_id", "Zoë_1").is_ok());
    }

    #[test]
    fn refuses_empty_commas_and_padding() {
        assert_eq!(Id::parse("partner_id", "").unwrap_err().field, "partner_id");
        assert!(Id::parse("partner_id", "a,b").is_err());
        assert!(Id::parse("partner_id", " a").is_err());
        assert!(Id::parse("partner_id", "a\"b").is_err());
    }
}
