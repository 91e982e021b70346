//! The store's error, with database errors translated in one place.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database URL is not valid: {0}")]
    InvalidUrl(String),
    #[error("cannot reach the database at {location}: {detail}")]
    Unreachable { location: String, detail: String },
    #[error(
        "{path} is not a Partnerdesk (SQLite) database file; choose another file or a new path"
    )]
    NotSqlite { path: String },
    #[error("the database at {location} could not be prepared: {detail}")]
    Migration { location: String, detail: String },
    #[error("{what} '{id}' does not exist")]
    NotFound { what: &'static str, id: String },
    #[error("{field}: {message}")]
    Conflict { field: String, message: String },
    /// An edit made from a version of a row that another change replaced
    /// since (optimistic concurrency): `by` (a user id) changed it at `at`.
    #[error(
        "this {what} was changed by {} at {} since you opened it; reload",
        changed_by(by),
        changed_at(at)
    )]
    Stale {
        what: &'static str,
        id: String,
        by: String,
        at: String,
    },
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    /// Another connection held the write lock longer than the busy timeout
    /// (SQLite), or two writers got in each other's way (PostgreSQL).
    /// Nothing of the failed change was kept.
    #[error("the database is busy with another write (an import or a run?); try again")]
    Busy,
    #[error("database error: {0}")]
    Db(sqlx::Error),
    /// From the reads that go through SQLite's own API (see `native.rs`).
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
}

/// Why a customer with stored rows keeps its brand (the import, the syncs
/// and the database's own guard say the same).
pub const CUSTOMER_BRAND_FIXED: &str = "a customer with stored activity, trades or purchases keeps its brand (each row's brand is its customer's brand); give the customer on the new brand a new customer_id";

/// The one place where a database error becomes a store error: a database
/// that stayed busy becomes [`StoreError::Busy`], so SQLite's raw "database
/// is locked" never reaches a user.
impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(d) if is_busy(d.code().as_deref(), d.message()) => {
                StoreError::Busy
            }
            // The guard of migration 20261211000002 (customers keep their brand).
            sqlx::Error::Database(d) if d.message().contains("customer_brand_fixed") => {
                StoreError::Conflict {
                    field: "brand_id".into(),
                    message: CUSTOMER_BRAND_FIXED.into(),
                }
            }
            _ => StoreError::Db(e),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match &e {
            rusqlite::Error::SqliteFailure(f, _)
                if matches!(
                    f.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) =>
            {
                StoreError::Busy
            }
            _ => StoreError::Sqlite(e),
        }
    }
}

/// SQLite's SQLITE_BUSY and SQLITE_LOCKED (with their extended codes: the
/// primary code is the low byte), and PostgreSQL's deadlock and
/// serialization failures: a write that another one was in the way of.
fn is_busy(code: Option<&str>, message: &str) -> bool {
    let sqlite = code
        .and_then(|c| c.parse::<i64>().ok())
        .is_some_and(|c| matches!(c & 0xff, 5 | 6));
    let postgres = matches!(code, Some("40P01" | "40001"));
    sqlite
        || postgres
        || message.contains("database is locked")
        || message.contains("database table is locked")
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Who made a change, as the stale error names them.
fn changed_by(by: &str) -> &str {
    match by.trim() {
        "" => "someone",
        by => by,
    }
}

/// When a change was made, as the stale error names it: the stored
/// fixed-width UTC time (`2026-12-10T14:03:12.000000000Z`) to the minute.
fn changed_at(at: &str) -> String {
    match (at.get(..10), at.get(11..16)) {
        (Some(day), Some(time)) if at.as_bytes().get(10) == Some(&b'T') => {
            format!("{day} {time} UTC")
        }
        _ => at.to_string(),
    }
}

pub(crate) fn connect_error(location: &str, e: sqlx::Error) -> StoreError {
    let detail = match &e {
        sqlx::Error::Database(d) if d.message().contains("file is not a database") => {
            return StoreError::NotSqlite {
                path: location.to_string(),
            }
        }
        sqlx::Error::Database(d) if d.message().contains("password authentication failed") => {
            "the server refused the user name or password; check them in Settings".to_string()
        }
        sqlx::Error::Io(io) => format!("{io} (is the server running and the host and port right?)"),
        sqlx::Error::PoolTimedOut => {
            "no answer within 10 s (is the server running and the host and port right?)".to_string()
        }
        other => other.to_string(),
    };
    StoreError::Unreachable {
        location: location.to_string(),
        detail,
    }
}

pub(crate) fn migrate_error(location: &str, e: sqlx::migrate::MigrateError) -> StoreError {
    let text = e.to_string();
    if text.contains("file is not a database") {
        StoreError::NotSqlite {
            path: location.to_string(),
        }
    } else {
        StoreError::Migration {
            location: location.to_string(),
            detail: text,
        }
    }
}

impl StoreError {
    /// A unique or foreign-key violation, translated for the user, or the error unchanged.
    pub fn translate(e: sqlx::Error, field: &str, what: &str) -> StoreError {
        if let sqlx::Error::Database(d) = &e {
            let msg = d.message();
            if msg.contains("UNIQUE") || msg.contains("duplicate key") {
                return StoreError::Conflict {
                    field: field.to_string(),
                    message: format!("{what} already exists"),
                };
            }
            if msg.contains("FOREIGN KEY") || msg.contains("foreign key") {
                return StoreError::Conflict {
                    field: field.to_string(),
                    message: format!("{what} refers to something that does not exist"),
                };
            }
        }
        StoreError::from(e)
    }
}
