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
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    /// From the reads that go through SQLite's own API (see `native.rs`).
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

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
        StoreError::Db(e)
    }
}
