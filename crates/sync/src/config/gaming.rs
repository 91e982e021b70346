//! The settings of a gaming platform's REST/JSON feed.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
    /// Country texts → ISO codes the built-in table does not know.
    #[serde(default)]
    pub country_aliases: BTreeMap<String, String>,
}
