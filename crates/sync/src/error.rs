//! What can go wrong in a sync: a whole run ([`SyncError`]) or one record
//! ([`RecordError`]), which is reported while the good records are kept.

use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("the connection's settings are not valid: {0}")]
    Config(String),
    #[error("{0} is not an HTTP(S) URL: write it as https://host[:port][/path]")]
    NotHttp(String),
    #[error("a credential is missing: {0}")]
    MissingSecret(String),
    #[error("authentication failed: {0}")]
    Auth(String),
    #[error("the platform answered {status} for {url}: {detail}")]
    Status {
        status: u16,
        url: String,
        detail: String,
    },
    #[error("the platform answered HTML instead of JSON for {url}: is the base URL right?")]
    Html { url: String },
    #[error("the platform's answer to {url} is not the JSON expected: {detail}")]
    BadJson { url: String, detail: String },
    #[error("cannot reach {url}: {detail}")]
    Network { url: String, detail: String },
    #[error("{url} did not answer within {seconds} s")]
    Timeout { url: String, seconds: u64 },
    #[error("the platform refused the request: {0}")]
    Platform(String),
    #[error("cancelled")]
    Cancelled,
}

impl SyncError {
    /// Worth another try (the same request may succeed later).
    pub fn is_transient(&self) -> bool {
        match self {
            SyncError::Network { .. } | SyncError::Timeout { .. } | SyncError::BadJson { .. } => {
                true
            }
            SyncError::Status { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }
}

/// One record the platform sent that could not be taken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordError {
    /// The platform's id of the record as people read it (`deal 1234`,
    /// `player P7`, `order 55`).
    pub external_id: String,
    pub message: String,
    /// The id our record would have (trade, order, customer id …): the
    /// record's place in the retry list, left there until a record with
    /// this id is stored. None: the platform's label.
    #[serde(default)]
    pub key: Option<String>,
    /// The platform's record as it came, to convert again later.
    #[serde(default)]
    pub raw: Option<serde_json::Value>,
}

impl RecordError {
    /// The label and the message are kept and shown: both are cut and
    /// escaped (a platform's ids and values can be anything).
    pub fn new(external_id: impl Into<String>, message: impl Into<String>) -> Self {
        use partnerdesk_domain::limits::cut;
        Self {
            external_id: cut(&external_id.into(), 200).to_string(),
            message: cut(&message.into(), 2_000).to_string(),
            key: None,
            raw: None,
        }
    }

    /// With the id our record would have and the platform's record.
    pub fn waiting(mut self, key: impl Into<String>, raw: &serde_json::Value) -> Self {
        self.key = Some(key.into());
        self.raw = Some(raw.clone());
        self
    }

    /// The key in the retry list: our record's id, else the label.
    pub fn retry_key(&self) -> &str {
        self.key.as_deref().unwrap_or(&self.external_id)
    }
}
