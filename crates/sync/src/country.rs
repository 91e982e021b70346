//! A platform's country text as an ISO code: the operator's aliases first,
//! then the table of ISO names and alternates
//! ([`partnerdesk_domain::country_from_text`]). Text that names no country
//! is an unknown country (RULES.md) and is listed, never refused.

use crate::error::SyncError;
use partnerdesk_domain::country_names::normalize;
use partnerdesk_domain::{country_from_text, CountryCode};
use std::collections::{BTreeMap, HashMap};

/// The operator's country aliases, by normalized text.
#[derive(Debug, Clone, Default)]
pub struct Aliases(HashMap<String, CountryCode>);

/// A country text read: the code, or unknown with the text that named none
/// (None for an empty text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Country {
    Known(CountryCode),
    Unknown(Option<String>),
}

impl Country {
    pub fn code(&self) -> Option<CountryCode> {
        match self {
            Country::Known(c) => Some(*c),
            Country::Unknown(_) => None,
        }
    }
}

impl Aliases {
    /// Checks the codes (`{"Atlantis": "GR"}`).
    pub fn parse(raw: &BTreeMap<String, String>) -> Result<Self, SyncError> {
        let mut m = HashMap::with_capacity(raw.len());
        for (text, code) in raw {
            let c = CountryCode::parse("country_aliases", code.trim())
                .map_err(|e| SyncError::Config(format!("country_aliases: '{text}' → {e}")))?;
            m.insert(normalize(text), c);
        }
        Ok(Self(m))
    }

    pub fn read(&self, raw: &str) -> Country {
        let t = raw.trim();
        if t.is_empty() {
            return Country::Unknown(None);
        }
        if let Some(c) = self.0.get(&normalize(t)) {
            return Country::Known(*c);
        }
        match country_from_text(t) {
            Some(c) => Country::Known(c),
            None => Country::Unknown(Some(t.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_win_then_the_table_then_unknown() {
        let a = Aliases::parse(&BTreeMap::from([(
            "Atlantis".to_string(),
            "GR".to_string(),
        )]))
        .unwrap();
        assert_eq!(
            a.read(" atlantis ").code().map(|c| c.to_string()),
            Some("GR".into())
        );
        assert_eq!(
            a.read("Deutschland").code().map(|c| c.to_string()),
            Some("DE".into())
        );
        assert_eq!(a.read("Lemuria"), Country::Unknown(Some("Lemuria".into())));
        assert_eq!(a.read("  "), Country::Unknown(None));
        let bad = Aliases::parse(&BTreeMap::from([("X".to_string(), "XX".to_string())]));
        assert!(bad.unwrap_err().to_string().contains("country_aliases"));
    }
}
