//! What crosses the bridge for platform sync: connections, runs and their
//! reports, per-record errors, the retry list and unmapped countries.

use partnerdesk_store::sync::RunRow;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;

/// A connection to add or change. `config` is the connector's settings with
/// its `kind` (`mt5`, `gaming`, `woocommerce`, `csv`); secrets go to the OS
/// keyring, never to the database.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConnectionInput {
    pub name: String,
    pub config: serde_json::Value,
    /// By name (`password`, `token`, `api_key`, `client_secret`,
    /// `consumer_key`, `consumer_secret`); empty values keep what is stored.
    #[serde(default)]
    pub secrets: BTreeMap<String, String>,
    /// Run every this many minutes in the desktop app (None: on demand only).
    #[serde(default)]
    #[ts(type = "number | null")]
    pub schedule_minutes: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConnectionView {
    pub name: String,
    pub kind: String,
    /// Settings with defaults filled in; never a secret.
    pub config: serde_json::Value,
    #[ts(type = "number | null")]
    pub schedule_minutes: Option<i64>,
    /// The secrets the connection needs and whether the keyring holds each.
    pub secrets: Vec<SecretState>,
    pub last_run: Option<SyncRunView>,
    /// Records waiting in the retry list.
    #[ts(type = "number")]
    pub waiting: i64,
    /// Customers kept with an unknown country (their text named none).
    #[ts(type = "number")]
    pub unmapped_countries: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SecretState {
    pub name: String,
    pub stored: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SyncRunView {
    #[ts(type = "number")]
    pub run_id: i64,
    pub connection: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// `running`, `ok`, `ok_with_errors`, `failed`, `cancelled`, `interrupted`
    pub status: String,
    #[ts(type = "number")]
    pub fetched: i64,
    #[ts(type = "number")]
    pub inserted: i64,
    #[ts(type = "number")]
    pub updated: i64,
    #[ts(type = "number")]
    pub skipped: i64,
    #[ts(type = "number")]
    pub errors: i64,
    pub error: Option<String>,
    /// What the run found besides its counts (None while it runs, and for
    /// runs before reports).
    pub report: Option<RunReport>,
}

impl From<RunRow> for SyncRunView {
    fn from(r: RunRow) -> Self {
        Self {
            report: r
                .report
                .as_deref()
                .and_then(|j| serde_json::from_str(j).ok()),
            run_id: r.run_id,
            connection: r.connection,
            started_at: r.started_at,
            finished_at: r.finished_at,
            status: r.status,
            fetched: r.fetched,
            inserted: r.inserted,
            updated: r.updated,
            skipped: r.skipped,
            errors: r.errors,
            error: r.error,
        }
    }
}

/// A record a run could not take.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SyncErrorView {
    pub stream: String,
    pub external_id: String,
    pub message: String,
}

/// A text or a note with how often it came up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Counted {
    pub text: String,
    #[ts(type = "number")]
    pub count: i64,
}

/// A run's report: country texts that named no country (those customers
/// were kept with an unknown country), and notes such as commissions paid
/// to clients or how often MT5 was signed in to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RunReport {
    pub unmapped_countries: Vec<Counted>,
    pub notes: Vec<Counted>,
}

impl RunReport {
    pub(crate) fn from_counts(
        unmapped: &BTreeMap<String, u64>,
        notes: &BTreeMap<String, u64>,
    ) -> Self {
        let list = |m: &BTreeMap<String, u64>| {
            m.iter()
                .map(|(t, n)| Counted {
                    text: t.clone(),
                    count: *n as i64,
                })
                .collect()
        };
        Self {
            unmapped_countries: list(unmapped),
            notes: list(notes),
        }
    }
}

/// A record waiting in the retry list: what it is, why it waits, since when.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PendingView {
    pub stream: String,
    /// The id our record will have.
    pub record_key: String,
    /// The platform's id as people read it.
    pub label: String,
    pub reason: String,
    pub first_seen: String,
    pub last_tried: String,
    #[ts(type = "number")]
    pub attempts: i64,
}

/// What a retry of waiting records did.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RetryOutcome {
    #[ts(type = "number")]
    pub tried: i64,
    #[ts(type = "number")]
    pub stored: i64,
    #[ts(type = "number")]
    pub waiting: i64,
}

/// A country text of a connection's platform that named no country, and
/// how many customers were kept with an unknown country for it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UnmappedCountryView {
    pub text: String,
    #[ts(type = "number")]
    pub customers: i64,
}
