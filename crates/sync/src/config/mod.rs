//! A connection's settings (kept in the database, never a secret) and its
//! credentials (kept in the OS keyring, handed in at run time).

use crate::error::SyncError;
use partnerdesk_domain::sync_run::ConnectionKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod gaming;
mod mt5;
mod woo;

pub use gaming::*;
pub use mt5::*;
pub use woo::*;

/// Secrets by name (`password`, `token`, `api_key`, `client_secret`,
/// `consumer_key`, `consumer_secret`).
pub type Credentials = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConnectorConfig {
    Mt5(Mt5Config),
    Gaming(GamingConfig),
    Woocommerce(WooConfig),
    Csv(CsvConfig),
}

impl ConnectorConfig {
    /// The kind, as the `kind` tag of the settings' JSON says it.
    pub fn kind(&self) -> ConnectionKind {
        match self {
            Self::Mt5(_) => ConnectionKind::Mt5,
            Self::Gaming(_) => ConnectionKind::Gaming,
            Self::Woocommerce(_) => ConnectionKind::Woocommerce,
            Self::Csv(_) => ConnectionKind::Csv,
        }
    }

    /// The credentials this connection needs, by name.
    pub fn secret_names(&self) -> Vec<&'static str> {
        match self {
            Self::Mt5(_) => vec!["password"],
            Self::Gaming(g) => match g.auth {
                GamingAuth::Bearer => vec!["token"],
                GamingAuth::ApiKey { .. } => vec!["api_key"],
                GamingAuth::Oauth2 { .. } => vec!["client_secret"],
            },
            Self::Woocommerce(_) => vec!["consumer_key", "consumer_secret"],
            Self::Csv(_) => vec![],
        }
    }

    /// Country texts → codes the operator added (all kinds but CSV).
    pub fn country_aliases(&self) -> Option<&BTreeMap<String, String>> {
        match self {
            Self::Mt5(c) => Some(&c.country_aliases),
            Self::Gaming(c) => Some(&c.country_aliases),
            Self::Woocommerce(c) => Some(&c.country_aliases),
            Self::Csv(_) => None,
        }
    }

    /// The brand the connection's records belong to.
    pub fn brand_id(&self) -> Option<&str> {
        match self {
            Self::Mt5(c) => Some(&c.brand_id),
            Self::Gaming(c) => Some(&c.brand_id),
            Self::Woocommerce(c) => Some(&c.brand_id),
            Self::Csv(_) => None,
        }
    }

    /// Checks what can be checked without the network.
    pub fn validate(&self) -> Result<(), SyncError> {
        let url = match self {
            Self::Mt5(c) => {
                if c.login.trim().parse::<u64>().is_err() {
                    return Err(SyncError::Config(format!(
                        "the MT5 manager login '{}' is not a number",
                        c.login
                    )));
                }
                if c.window_hours == 0 {
                    return Err(SyncError::Config("window_hours must be at least 1".into()));
                }
                if c.deal_page_size == 0 || c.deal_page_size > 100 {
                    return Err(SyncError::Config(
                        "deal_page_size must be between 1 and 100 (the MT5 Web API's limit for get_page)"
                            .into(),
                    ));
                }
                crate::zone::Zone::parse(&c.server_timezone)
                    .map_err(|e| SyncError::Config(format!("server_timezone: {e}")))?;
                crate::country::Aliases::parse(&c.country_aliases)?;
                &c.base_url
            }
            Self::Gaming(c) => {
                if let GamingAuth::Oauth2 { token_url, .. } = &c.auth {
                    crate::http::base_url(token_url)?;
                }
                crate::country::Aliases::parse(&c.country_aliases)?;
                &c.base_url
            }
            Self::Woocommerce(c) => {
                if c.per_page == 0 || c.per_page > 100 {
                    return Err(SyncError::Config(
                        "per_page must be between 1 and 100 (WooCommerce's limit)".into(),
                    ));
                }
                if c.paid_statuses.iter().all(|s| s.trim().is_empty()) {
                    return Err(SyncError::Config(
                        "paid_statuses must name at least one order status (usually processing and completed)"
                            .into(),
                    ));
                }
                if c.referral_meta_key
                    .as_deref()
                    .is_some_and(|k| k.trim().is_empty())
                {
                    return Err(SyncError::Config(
                        "referral_meta_key is empty: leave it out or name the order meta key"
                            .into(),
                    ));
                }
                crate::woo::check_auth(c)?;
                crate::country::Aliases::parse(&c.country_aliases)?;
                &c.base_url
            }
            Self::Csv(c) => {
                if c.folder.trim().is_empty() {
                    return Err(SyncError::Config("the import folder is empty".into()));
                }
                return Ok(());
            }
        };
        crate::http::base_url(url)?;
        if let Some(b) = self.brand_id() {
            partnerdesk_domain::Id::parse("brand_id", b)
                .map_err(|e| SyncError::Config(e.to_string()))?;
        }
        Ok(())
    }
}

/// An import folder (RULES.md) imported as a whole, like `partnerdesk import`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CsvConfig {
    pub folder: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbol_patterns() {
        assert!(symbol_matches("XAUUSD*", "XAUUSD.m"));
        assert!(symbol_matches("xau*", "XAUUSD"));
        assert!(!symbol_matches("XAU*", "EURUSD"));
        assert!(symbol_matches("*.m", "EURUSD.m"));
        assert!(symbol_matches("*", "anything"));
    }

    /// The greedy matcher agrees with trying every split at every star, on
    /// every short pattern and symbol of an edge-case alphabet; and many
    /// stars against a long symbol answer at once.
    #[test]
    fn symbol_patterns_agree_with_trying_every_split() {
        fn every_split(p: &[u8], s: &[u8]) -> bool {
            match p.split_first() {
                None => s.is_empty(),
                Some((b'*', rest)) => (0..=s.len()).any(|i| every_split(rest, &s[i..])),
                Some((c, rest)) => s.split_first().is_some_and(|(d, srest)| {
                    c.eq_ignore_ascii_case(d) && every_split(rest, srest)
                }),
            }
        }
        let words = |alphabet: &[&str], n: usize| {
            let mut all = vec![String::new()];
            for _ in 0..n {
                let longer: Vec<String> = all
                    .iter()
                    .flat_map(|w| alphabet.iter().map(move |a| format!("{w}{a}")))
                    .collect();
                all.extend(longer);
            }
            all
        };
        let patterns = words(&["a", "B", "*"], 4);
        let symbols = words(&["A", "b", "."], 4);
        for p in &patterns {
            for s in &symbols {
                assert_eq!(
                    symbol_matches(p, s),
                    every_split(p.as_bytes(), s.as_bytes()),
                    "{p:?} {s:?}"
                );
            }
        }
        let started = std::time::Instant::now();
        assert!(!symbol_matches(
            &"*a".repeat(30),
            &format!("{}b", "a".repeat(5000))
        ));
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn configs_read_with_defaults_and_check_urls() {
        let c: ConnectorConfig = serde_json::from_str(
            r#"{"kind":"mt5","base_url":"https://mt5.example","login":"1000","brand_id":"FX"}"#,
        )
        .unwrap();
        c.validate().unwrap();
        assert_eq!(c.secret_names(), vec!["password"]);
        let bad: ConnectorConfig = serde_json::from_str(
            r#"{"kind":"woocommerce","base_url":"ftp://shop.example","brand_id":"PROP"}"#,
        )
        .unwrap();
        assert!(matches!(bad.validate(), Err(SyncError::NotHttp(_))));
        let g: ConnectorConfig = serde_json::from_str(
            r#"{"kind":"gaming","base_url":"http://127.0.0.1:1","brand_id":"CAS","auth":{"type":"api_key","header":"X-Api-Key"}}"#,
        )
        .unwrap();
        g.validate().unwrap();
        assert_eq!(g.secret_names(), vec!["api_key"]);
    }
}
