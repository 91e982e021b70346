//! A connection's settings (kept in the database, never a secret) and its
//! credentials (kept in the OS keyring, handed in at run time).

use crate::error::SyncError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Mt5(_) => "mt5",
            Self::Gaming(_) => "gaming",
            Self::Woocommerce(_) => "woocommerce",
            Self::Csv(_) => "csv",
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
                &c.base_url
            }
            Self::Gaming(c) => {
                if let GamingAuth::Oauth2 { token_url, .. } = &c.auth {
                    crate::http::base_url(token_url)?;
                }
                &c.base_url
            }
            Self::Woocommerce(c) => {
                if c.per_page == 0 || c.per_page > 100 {
                    return Err(SyncError::Config(
                        "per_page must be between 1 and 100 (WooCommerce's limit)".into(),
                    ));
                }
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

fn default_prefix_mt5() -> String {
    "mt5-".into()
}
fn default_group() -> String {
    "*".into()
}
fn default_window() -> u32 {
    24
}
fn default_from() -> String {
    "2026-01-01".into()
}

/// MetaTrader 5 Web API (a manager account).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mt5Config {
    /// e.g. `https://mt5.broker.example:443`
    pub base_url: String,
    /// The manager login (a number).
    pub login: String,
    pub brand_id: String,
    /// Groups of client accounts (MT5 mask: `real*,!real\test`).
    #[serde(default = "default_group")]
    pub groups: String,
    /// Customer ids are this prefix and the MT5 login.
    #[serde(default = "default_prefix_mt5")]
    pub customer_prefix: String,
    /// Deals from this date (YYYY-MM-DD) on, on the first sync.
    #[serde(default = "default_from")]
    pub from: String,
    /// Deals are asked for in windows of this many hours.
    #[serde(default = "default_window")]
    pub window_hours: u32,
    /// Symbol patterns → instrument groups, first match wins (`*` matches
    /// any text; `XAUUSD*` covers `XAUUSD.m`).
    #[serde(default = "default_symbol_groups")]
    pub symbol_groups: Vec<(String, String)>,
    /// Spread revenue per lot by instrument group (the Web API's deals do
    /// not carry it); groups not named earn none.
    #[serde(default)]
    pub spread_per_lot: BTreeMap<String, rust_decimal::Decimal>,
    /// How deals are asked for: `batch` (`/api/deal/get_batch` by group),
    /// `pages` (per login `/api/deal/get_total` then `/api/deal/get_page`),
    /// or `auto` (get_batch, and pages if the server does not know it).
    #[serde(default)]
    pub deals_api: DealsApi,
    /// Deals per `get_page` call (MetaQuotes' limit is 100).
    #[serde(default = "default_deal_page")]
    pub deal_page_size: u32,
}

fn default_deal_page() -> u32 {
    100
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DealsApi {
    #[default]
    Auto,
    Batch,
    Pages,
}

pub fn default_symbol_groups() -> Vec<(String, String)> {
    [
        ("XAU*", "metals"),
        ("XAG*", "metals"),
        ("XPT*", "metals"),
        ("US30*", "indices"),
        ("NAS100*", "indices"),
        ("GER40*", "indices"),
        ("SPX500*", "indices"),
        ("UK100*", "indices"),
        ("EURUSD*", "fx_major"),
        ("GBPUSD*", "fx_major"),
        ("USDJPY*", "fx_major"),
        ("USDCHF*", "fx_major"),
        ("AUDUSD*", "fx_major"),
        ("USDCAD*", "fx_major"),
        ("NZDUSD*", "fx_major"),
        ("*", "fx_minor"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect()
}

/// Does `symbol` match `pattern` (`*` any text, case-insensitive)?
pub fn symbol_matches(pattern: &str, symbol: &str) -> bool {
    // Greedy with one backtrack point (the last `*`): at most pattern ×
    // symbol steps, where trying every split at every `*` was exponential
    // in the stars for a long symbol from the platform.
    let (p, s) = (pattern.as_bytes(), symbol.as_bytes());
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, si));
            pi += 1;
        } else if pi < p.len() && p[pi].eq_ignore_ascii_case(&s[si]) {
            pi += 1;
            si += 1;
        } else if let Some((sp, ss)) = star {
            // The last star takes one more character.
            pi = sp + 1;
            si = ss + 1;
            star = Some((sp, ss + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// How a gaming platform wants to be authenticated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum GamingAuth {
    /// `Authorization: Bearer <token>`
    Bearer,
    /// `<header>: <api_key>`
    ApiKey { header: String },
    /// OAuth2 client credentials: a token from `token_url`, then bearer.
    Oauth2 {
        token_url: String,
        client_id: String,
        #[serde(default)]
        scope: Option<String>,
    },
}

/// Cursor- or page-based pagination.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Pagination {
    /// `?<param>=<token>`; the next token is at `next_field` of the answer
    /// (absent, null or empty: the last page).
    Cursor { param: String, next_field: String },
    /// `?<param>=1,2,…`; an empty page (or `total_pages_field`) ends it.
    Page {
        param: String,
        #[serde(default)]
        total_pages_field: Option<String>,
    },
}

/// Which JSON field holds each of our fields (dotted paths allowed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerMapping {
    pub id: String,
    pub btag: String,
    pub country: String,
    pub registered_at: String,
    /// A field whose text is `excluded`/`blocked`/`self_excluded` marks the player excluded.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityMapping {
    pub player_id: String,
    pub date: String,
    pub deposits: String,
    pub withdrawals: String,
    pub bets: String,
    pub wins: String,
    pub bonuses: String,
    pub chargebacks: String,
    pub taxes: String,
    #[serde(default)]
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GamingMapping {
    pub customer: CustomerMapping,
    pub activity: ActivityMapping,
}

impl Default for GamingMapping {
    /// The shipped mapping: snake_case fields as most platform exports name them.
    fn default() -> Self {
        Self {
            customer: CustomerMapping {
                id: "player_id".into(),
                btag: "btag".into(),
                country: "country".into(),
                registered_at: "registered_at".into(),
                status: Some("status".into()),
                updated_at: Some("updated_at".into()),
            },
            activity: ActivityMapping {
                player_id: "player_id".into(),
                date: "date".into(),
                deposits: "deposits".into(),
                withdrawals: "withdrawals".into(),
                bets: "bets".into(),
                wins: "wins".into(),
                bonuses: "bonuses".into(),
                chargebacks: "chargebacks".into(),
                taxes: "taxes".into(),
                updated_at: Some("updated_at".into()),
            },
        }
    }
}

fn default_registrations() -> String {
    "/v1/players".into()
}
fn default_activity() -> String {
    "/v1/activity".into()
}
fn default_items() -> String {
    "data".into()
}
fn default_delta() -> Option<String> {
    Some("updated_since".into())
}
fn default_pagination() -> Pagination {
    Pagination::Cursor {
        param: "cursor".into(),
        next_field: "next_cursor".into(),
    }
}
fn default_page_size() -> u32 {
    1000
}
fn default_gaming_prefix() -> String {
    String::new()
}

/// A gaming platform's REST/JSON feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GamingConfig {
    pub base_url: String,
    pub brand_id: String,
    pub auth: GamingAuth,
    #[serde(default = "default_registrations")]
    pub registrations_path: String,
    #[serde(default = "default_activity")]
    pub activity_path: String,
    /// Where the records are in an answer (`""`: the answer is the list).
    #[serde(default = "default_items")]
    pub items_field: String,
    #[serde(default = "default_pagination")]
    pub pagination: Pagination,
    /// The page size parameter and value (`limit=1000`).
    #[serde(default)]
    pub page_size_param: Option<String>,
    #[serde(default = "default_page_size")]
    pub page_size: u32,
    /// The "changed since" parameter; its value is the newest `updated_at`
    /// of the last complete sync.
    #[serde(default = "default_delta")]
    pub delta_param: Option<String>,
    /// Customer ids are this prefix and the platform's player id.
    #[serde(default = "default_gaming_prefix")]
    pub customer_prefix: String,
    #[serde(default)]
    pub mapping: GamingMapping,
}

fn default_woo_prefix() -> String {
    "woo-".into()
}
fn default_per_page() -> u32 {
    100
}

/// A WooCommerce shop (REST API v3, consumer key and secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WooConfig {
    /// The shop's address, e.g. `https://shop.example` (the API is under
    /// `/wp-json/wc/v3/`).
    pub base_url: String,
    pub brand_id: String,
    /// Customer and order ids are this prefix and the shop's id.
    #[serde(default = "default_woo_prefix")]
    pub customer_prefix: String,
    #[serde(default = "default_per_page")]
    pub per_page: u32,
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
