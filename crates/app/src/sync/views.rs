//! What crosses the bridge for platform sync: connections, runs and their
//! reports, per-record errors, the retry list and unmapped countries.

use partnerdesk_domain::sync_run::{ConnectionKind, SyncRunStatus};
use partnerdesk_store::sync::RunRow;
use serde::{Deserialize, Serialize};
use specta::Type;
use std::collections::BTreeMap;

/// A connection to add or change. `config` is the connector's settings with
/// its `kind` (`mt5`, `gaming`, `woocommerce`, `csv`); secrets go to the OS
/// keyring, never to the database.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Type)]
pub struct ConnectionInput {
    pub name: String,
    pub config: serde_json::Value,
    /// By name (`password`, `token`, `api_key`, `client_secret`,
    /// `consumer_key`, `consumer_secret`); empty values keep what is stored.
    #[serde(default)]
    pub secrets: BTreeMap<String, String>,
    /// Run every this many minutes in the desktop app (None: on demand only).
    #[serde(default)]
    pub schedule_minutes: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct ConnectionView {
    pub name: String,
    pub kind: ConnectionKind,
    /// Settings with defaults filled in; never a secret.
    pub config: serde_json::Value,
    pub schedule_minutes: Option<i64>,
    /// The secrets the connection needs and whether the keyring holds each.
    pub secrets: Vec<SecretState>,
    pub last_run: Option<SyncRunView>,
    /// Records waiting in the retry list.
    pub waiting: i64,
    /// Customers kept with an unknown country (their text named none).
    pub unmapped_countries: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct SecretState {
    pub name: String,
    pub stored: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct SyncRunView {
    pub run_id: i64,
    pub connection: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub status: SyncRunStatus,
    pub fetched: i64,
    pub inserted: i64,
    pub updated: i64,
    pub skipped: i64,
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
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct SyncErrorView {
    pub stream: String,
    pub external_id: String,
    pub message: String,
}

/// A text or a note with how often it came up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Counted {
    pub text: String,
    pub count: i64,
}

/// A run's report: country texts that named no country (those customers
/// were kept with an unknown country), and notes such as commissions paid
/// to clients or how often MT5 was signed in to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
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
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct PendingView {
    pub stream: String,
    /// The id our record will have.
    pub record_key: String,
    /// The platform's id as people read it.
    pub label: String,
    pub reason: String,
    pub first_seen: String,
    pub last_tried: String,
    pub attempts: i64,
}

/// What a retry of waiting records did.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Type)]
pub struct RetryOutcome {
    pub tried: i64,
    pub stored: i64,
    pub waiting: i64,
}

/// A country text of a connection's platform that named no country, and
/// how many customers were kept with an unknown country for it.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct UnmappedCountryView {
    pub text: String,
    pub customers: i64,
}
