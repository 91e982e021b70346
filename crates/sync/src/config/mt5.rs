//! The settings of an MT5 Web API connection (a manager account).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
fn default_zone() -> String {
    "UTC".into()
}
fn default_overlap() -> u32 {
    24
}
fn default_keepalive() -> u32 {
    20
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
    /// The trade server's time zone: deal and account times are its wall
    /// clock. An IANA name (DST included: `EET`, `Europe/Athens`), `UTC`, or
    /// a fixed offset (`+02:00`).
    #[serde(default = "default_zone")]
    pub server_timezone: String,
    /// Every run reads the deals of this many hours before where the last
    /// one stopped again (the server books some deals late); what was read
    /// before is not counted twice. 0: no overlap.
    #[serde(default = "default_overlap")]
    pub overlap_hours: u32,
    /// While the sync is busy elsewhere, `/api/test/access` keeps the
    /// connection (and so the session) alive after this many idle seconds.
    /// 0: no pings.
    #[serde(default = "default_keepalive")]
    pub keepalive_seconds: u32,
    /// Country texts of accounts → ISO codes, for names the built-in table
    /// does not know (`{"Atlantis": "GR"}`).
    #[serde(default)]
    pub country_aliases: BTreeMap<String, String>,
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
