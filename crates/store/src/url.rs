//! Database URLs: `sqlite:PATH` or `postgres://…`; shown without passwords.

use crate::error::{Result, StoreError};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite { path: PathBuf },
    Postgres { url: ::url::Url },
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self> {
        let raw = raw.trim();
        if let Some(rest) = raw.strip_prefix("sqlite:") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            let path = path.split('?').next().unwrap_or("");
            if path.is_empty() || path == ":memory:" {
                return Err(StoreError::InvalidUrl(format!(
                    "'{raw}' names no file; write sqlite:/path/to/partnerdesk.db"
                )));
            }
            return Ok(DatabaseUrl::Sqlite {
                path: PathBuf::from(path),
            });
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            let url = ::url::Url::parse(raw)
                .map_err(|e| StoreError::InvalidUrl(format!("'{}': {e}", redact(raw))))?;
            if url.host_str().unwrap_or("").is_empty() {
                return Err(StoreError::InvalidUrl(format!(
                    "'{}' names no host; write postgres://user@host:5432/database",
                    redact(raw)
                )));
            }
            return Ok(DatabaseUrl::Postgres { url });
        }
        Err(StoreError::InvalidUrl(format!(
            "'{}' is neither sqlite:PATH nor postgres://user@host:port/database",
            redact(raw)
        )))
    }

    /// What sqlx connects to.
    pub fn connect_string(&self) -> String {
        match self {
            DatabaseUrl::Sqlite { path } => format!("sqlite://{}?mode=rwc", path.display()),
            DatabaseUrl::Postgres { url } => url.to_string(),
        }
    }

    /// The URL as a user writes it (`sqlite:PATH` or `postgres://…`).
    pub fn connect_string_for_saving(&self) -> String {
        match self {
            DatabaseUrl::Sqlite { path } => format!("sqlite:{}", path.display()),
            DatabaseUrl::Postgres { url } => url.to_string(),
        }
    }

    /// For screens and logs: never the password.
    pub fn display(&self) -> String {
        match self {
            DatabaseUrl::Sqlite { path } => format!("sqlite:{}", path.display()),
            DatabaseUrl::Postgres { url } => redact(url.as_str()),
        }
    }

    pub fn password(&self) -> Option<String> {
        match self {
            DatabaseUrl::Postgres { url } => url.password().map(str::to_string),
            _ => None,
        }
    }

    /// The same URL with `password` set (None removes it).
    pub fn with_password(&self, password: Option<&str>) -> Self {
        match self {
            DatabaseUrl::Postgres { url } => {
                let mut u = url.clone();
                let _ = u.set_password(password);
                DatabaseUrl::Postgres { url: u }
            }
            other => other.clone(),
        }
    }
}

/// A URL with any password replaced by `***`.
pub fn redact(raw: &str) -> String {
    match ::url::Url::parse(raw) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => raw.to_string(),
    }
}

/// Refuses an existing file that is not SQLite before sqlx touches it.
pub(crate) fn check_sqlite_file(path: &Path) -> Result<()> {
    if !path.exists() {
        return Ok(());
    }
    // Read through SQLite, never std::fs: closing any descriptor of the file
    // drops every POSIX lock this process holds on it, those of the
    // connections of another store open on it included. A process that
    // then closes its last connection believes it is the last user, and
    // checkpoints and deletes the write-ahead log under their feet (a
    // "disk I/O error" for them). SQLite's own close waits while other
    // connections of the process hold locks on the file.
    use rusqlite::{ErrorCode, OpenFlags};
    let conn = rusqlite::Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_millis(u64::from(
        crate::BUSY_TIMEOUT_MS,
    )))?;
    // An empty file reads as an empty database (it becomes a new one).
    match conn.query_row("PRAGMA schema_version", [], |r| r.get::<_, i64>(0)) {
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == ErrorCode::NotADatabase => {
            Err(StoreError::NotSqlite {
                path: path.display().to_string(),
            })
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_kinds_and_hides_passwords() {
        assert!(matches!(
            DatabaseUrl::parse("sqlite:/tmp/a.db").unwrap(),
            DatabaseUrl::Sqlite { .. }
        ));
        assert!(matches!(
            DatabaseUrl::parse("sqlite:///tmp/a.db").unwrap(),
            DatabaseUrl::Sqlite { .. }
        ));
        let pg = DatabaseUrl::parse("postgres://anna:s3cret@db.example:5432/pd").unwrap();
        assert!(!pg.display().contains("s3cret"), "{}", pg.display());
        assert_eq!(pg.password().as_deref(), Some("s3cret"));
        assert!(pg
            .with_password(None)
            .connect_string()
            .find("s3cret")
            .is_none());
        assert!(DatabaseUrl::parse("mysql://x").is_err());
        assert!(DatabaseUrl::parse("sqlite:").is_err());
        assert!(DatabaseUrl::parse("postgres://").is_err());
    }
}
