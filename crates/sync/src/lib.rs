//! Platform connectors behind one [`Connector`] trait: the MT5 Web API
//! (Forex), a configurable gaming-platform REST/JSON feed (iGaming) and the
//! WooCommerce REST API v3 orders (prop challenge shops).
//!
//! A connector turns a platform's answers into pages of domain records
//! (customers, activity days, trades, purchases) plus the cursor that comes
//! after the page. It never writes anything: the app layer stores a page and
//! its cursor in one transaction, so a sync that stops anywhere resumes from
//! the last page it stored and replaying a page changes nothing.
//!
//! Every request goes through [`http::Http`]: a timeout per request, retries
//! with exponential backoff and jitter that honour `Retry-After`, and
//! cancellation.

pub mod config;
pub mod error;
pub mod gaming;
pub mod http;
pub mod json;
pub mod mt5;
pub mod woo;

pub use config::{ConnectorConfig, Credentials};
pub use error::{RecordError, SyncError};
pub use http::{Cancel, Http, RetryPolicy};

use partnerdesk_domain::data::{ActivityDay, Customer, Purchase, Trade};

/// One page of records from one stream, and where the stream goes on.
#[derive(Debug, Default, Clone)]
pub struct Page {
    /// Customers to insert or update (by customer id).
    pub customers: Vec<Customer>,
    /// Customers to insert only when new (a shop knows a buyer only from orders).
    pub customers_if_new: Vec<Customer>,
    pub activity: Vec<ActivityDay>,
    pub trades: Vec<Trade>,
    pub purchases: Vec<Purchase>,
    /// Records the platform sent that could not be turned into ours.
    pub errors: Vec<RecordError>,
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
    }
}

/// A platform we pull data from.
#[async_trait::async_trait]
pub trait Connector: Send {
    /// The streams to sync, in order (customers before what refers to them).
    fn streams(&self) -> Vec<&'static str>;

    /// Connects and authenticates; says what it reached.
    async fn test(&mut self) -> Result<String, SyncError>;

    /// The page after `cursor` (None: from the start) of `stream`.
    async fn fetch(&mut self, stream: &str, cursor: Option<&str>) -> Result<Page, SyncError>;
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
