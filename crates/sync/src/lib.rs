//! Platform connectors behind one [`Connector`] trait: the MT5 Web API
//! (Forex), a configurable gaming-platform REST/JSON feed (iGaming) and the
//! WooCommerce REST API v3 orders (prop challenge shops).
//!
//! A connector turns a platform's answers into pages of domain records
//! (customers, activity days, trades, purchases) plus the cursor that comes
//! after the page. It never writes anything: the app layer stores a page and
//! its cursor in one transaction, so a sync that stops anywhere resumes from
//! the last page it stored and replaying a page changes nothing. A record
//! the connector cannot turn into ours comes back as a [`RecordError`] with
//! the platform's record, which the app keeps in a retry list: nothing the
//! platform sent is lost because the cursor moved past it.
//!
//! Every request goes through [`http::Http`]: a timeout per request, retries
//! with exponential backoff and jitter that honour `Retry-After`, and
//! cancellation. Errors never carry credentials ([`redact`]).

pub mod config;
pub mod country;
pub mod error;
pub mod gaming;
pub mod http;
pub mod json;
pub mod mt5;
pub mod oauth1;
pub mod redact;
pub mod woo;
pub mod zone;

pub use config::{ConnectorConfig, Credentials};
pub use error::{RecordError, SyncError};
pub use http::{Cancel, Http, RetryPolicy};

use partnerdesk_domain::data::{ActivityDay, Customer, Purchase, Trade};
use std::collections::BTreeMap;

/// A customer kept with an unknown country because its text named none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmappedCountry {
    pub customer_id: String,
    pub text: String,
}

/// One page of records from one stream, and where the stream goes on.
#[derive(Debug, Default, Clone)]
pub struct Page {
    /// Customers to insert or update (by customer id).
    pub customers: Vec<Customer>,
    /// Customers to insert only when new (a shop knows a buyer only from
    /// orders); a stored one without a tracking code takes this one's.
    pub customers_if_new: Vec<Customer>,
    pub activity: Vec<ActivityDay>,
    pub trades: Vec<Trade>,
    pub purchases: Vec<Purchase>,
    /// Purchases written only where the order is stored already: an order
    /// imported as paid that left the paid statuses (cancelled, failed …)
    /// is refunded; one never imported is no purchase at all.
    pub refunds_if_stored: Vec<Purchase>,
    /// Records the platform sent that could not be turned into ours.
    pub errors: Vec<RecordError>,
    /// Customers of this page whose country text named no country.
    pub unmapped_countries: Vec<UnmappedCountry>,
    /// What the run report says about this page, by note, with a count
    /// (e.g. deals with a commission paid to the client).
    pub notes: BTreeMap<String, u64>,
    /// Records the platform sent in this page (good and bad).
    pub fetched: u64,
    /// The stream's cursor after this page (stored with the page's data).
    pub cursor: Option<String>,
    /// No more pages for now: the stream has caught up.
    pub done: bool,
}

impl Page {
    pub fn records(&self) -> usize {
        self.customers.len()
            + self.customers_if_new.len()
            + self.activity.len()
            + self.trades.len()
            + self.purchases.len()
            + self.refunds_if_stored.len()
    }

    /// Counts one more of `note`.
    pub fn note(&mut self, note: &str) {
        *self.notes.entry(note.to_string()).or_default() += 1;
    }
}

/// A platform we pull data from.
#[async_trait::async_trait]
pub trait Connector: Send + Sync {
    /// The streams to sync, in order (customers before what refers to them).
    fn streams(&self) -> Vec<&'static str>;

    /// Connects and authenticates; says what it reached.
    async fn test(&mut self) -> Result<String, SyncError>;

    /// The page after `cursor` (None: from the start) of `stream`.
    async fn fetch(&mut self, stream: &str, cursor: Option<&str>) -> Result<Page, SyncError>;

    /// A platform record of `stream` that waited in the retry list, turned
    /// into records again with the connection's settings as they are now
    /// (no network). None: records of this stream cannot be read one by one
    /// (MT5 deals need the positions around them: they come back when the
    /// deals are read again).
    fn convert(&self, stream: &str, raw: &serde_json::Value) -> Option<Page>;

    /// What the run did besides the records (sign-ins, connections, pings).
    fn notes(&self) -> BTreeMap<String, u64> {
        BTreeMap::new()
    }
}

/// The connector for an HTTP connection's configuration and credentials.
pub fn connector(
    config: &ConnectorConfig,
    credentials: &Credentials,
    http: Http,
) -> Result<Box<dyn Connector>, SyncError> {
    config.validate()?;
    Ok(match config {
        ConnectorConfig::Mt5(c) => Box::new(mt5::Mt5::new(c.clone(), credentials, http)?),
        ConnectorConfig::Gaming(c) => Box::new(gaming::Gaming::new(c.clone(), credentials, http)?),
        ConnectorConfig::Woocommerce(c) => Box::new(woo::Woo::new(c.clone(), credentials, http)?),
        ConnectorConfig::Csv(_) => {
            return Err(SyncError::Config(
                "a CSV folder connection is imported by the app, not fetched over HTTP".into(),
            ))
        }
    })
}
