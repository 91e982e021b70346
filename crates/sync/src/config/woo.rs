//! The settings of a WooCommerce shop (REST API v3).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

fn default_woo_prefix() -> String {
    "woo-".into()
}
fn default_per_page() -> u32 {
    100
}
fn default_paid() -> Vec<String> {
    vec!["processing".into(), "completed".into()]
}
fn default_overlap() -> u32 {
    24
}

/// How requests prove the consumer key and secret (WooCommerce REST API
/// docs, "Authentication").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WooAuth {
    /// HTTP Basic over https, OAuth 1.0a over plain http.
    #[default]
    Auto,
    /// HTTP Basic (the key as user name, the secret as password): https only.
    Basic,
    /// OAuth 1.0a "one-legged" signatures in the query string: what plain
    /// http requires.
    Oauth1,
    /// `consumer_key` and `consumer_secret` in the query string, for hosts
    /// that strip the Authorization header: https only.
    QueryString,
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
    #[serde(default)]
    pub auth: WooAuth,
    /// Order statuses that are purchases (paid). `refunded` orders, and
    /// stored purchases whose order left these statuses, are refunds.
    #[serde(default = "default_paid")]
    pub paid_statuses: Vec<String>,
    /// The order meta key holding the referral/affiliate code of the buyer
    /// (e.g. `_referral_code`): it becomes the customer's tracking code.
    #[serde(default)]
    pub referral_meta_key: Option<String>,
    /// Every run reads the orders modified in this many hours before where
    /// the last one stopped again (a shop's clock or paging may hide some).
    #[serde(default = "default_overlap")]
    pub overlap_hours: u32,
    /// Billing country texts → ISO codes the built-in table does not know.
    #[serde(default)]
    pub country_aliases: BTreeMap<String, String>,
}
