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
        // Nearly every id is short plain ASCII: one pass over its bytes says
        // it is fine (every id of every imported row, a million when a run
        // reads its stored customers); anything else is looked at closely.
        let plain = |b: &u8| *b >= 0x20 && *b != 0x7f && *b != b',' && *b != b'"';
        let ascii_ok = !raw.is_empty()
            && raw.len() <= 100
            && raw.is_ascii()
            && !raw.starts_with(' ')
            && !raw.ends_with(' ')
            && raw.as_bytes().iter().all(plain);
        if ascii_ok {
            return Ok(());
        }
        Self::check_closely(field, raw)
    }

    /// [`Id::check`] char by char, with the error that says what is wrong.
    fn check_closely(field: &str, raw: &str) -> Result<(), FieldError> {
        if raw.is_empty() {
            return Err(FieldError::new(field, "must not be empty"));
        }
        if raw.trim() != raw {
            return Err(FieldError::new(
                field,
                format!(
                    "{} has leading or trailing spaces",
                    crate::limits::shown(raw)
                ),
            ));
        }
        if raw.chars().count() > 100 {
            return Err(FieldError::new(field, "must be at most 100 characters"));
        }
        if let Some(c) = raw
            .chars()
            .find(|c| crate::limits::is_forbidden_char(*c) || *c == ',' || *c == '"')
        {
            return Err(FieldError::new(
                field,
                format!(
                    "{} contains {}; ids may not contain commas, quotes, control characters or characters that reorder text",
                    crate::limits::shown(raw),
                    crate::limits::shown(&c.to_string())
                ),
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

    /// The one-pass check of plain ASCII ids agrees with the close one on
    /// every string of up to three characters from an alphabet of edge
    /// cases, and on lengths around 100.
    #[test]
    fn the_quick_check_agrees_with_the_close_one() {
        let alphabet = [
            "a", "Z", "0", "-", " ", ",", "\"", "\t", "\n", "\u{7f}", "\u{0}", "~", "é", "\u{a0}",
            "\u{2028}",
        ];
        let mut cases = vec![String::new()];
        for _ in 0..3 {
            let longer: Vec<String> = cases
                .iter()
                .flat_map(|c| alphabet.iter().map(move |a| format!("{c}{a}")))
                .collect();
            cases.extend(longer);
        }
        for n in [99, 100, 101] {
            cases.push("x".repeat(n));
            cases.push(format!("{} ", "x".repeat(n - 1)));
            cases.push("é".repeat(n));
        }
        for c in &cases {
            assert_eq!(
                Id::check("id", c).is_ok(),
                Id::check_closely("id", c).is_ok(),
                "{c:?}"
            );
        }
        assert!(Id::check("id", &"x".repeat(100)).is_ok());
        assert!(Id::check("id", &"x".repeat(101)).is_err());
    }

    #[test]
    fn refuses_empty_commas_and_padding() {
        assert_eq!(Id::parse("partner_id", "").unwrap_err().field, "partner_id");
        assert!(Id::parse("partner_id", "a,b").is_err());
        assert!(Id::parse("partner_id", " a").is_err());
        assert!(Id::parse("partner_id", "a\"b").is_err());
    }

    /// Characters that reorder or break the text around them are refused
    /// like control characters (the fuzzer found ids with U+202E and U+2028
    /// echoed into messages), and the message shows them escaped.
    #[test]
    fn refuses_bidi_overrides_and_line_separators() {
        for bad in ["P00\u{202e}02", "C0\u{2028}01", "\u{2066}P1", "P\u{0}1"] {
            let e = Id::parse("partner_id", bad).unwrap_err();
            assert!(
                !e.message.chars().any(crate::limits::is_forbidden_char),
                "{e}"
            );
        }
    }
}
