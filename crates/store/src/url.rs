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
            let url = password_out_of_query(url)?;
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

/// Whether a query parameter's name says it holds a password.
fn is_password_key(key: &str) -> bool {
    matches!(
        key.to_ascii_lowercase().as_str(),
        "password" | "pass" | "passwd" | "pwd" | "sslpassword"
    )
}

/// A `?password=` in the query (which libpq and sqlx accept) becomes the
/// URL's own password, so that it goes where every password of a URL goes:
/// into the keyring when the URL is saved, never into settings.json, a
/// screen or a log. Two passwords (one in each place) are refused.
fn password_out_of_query(mut url: ::url::Url) -> Result<::url::Url> {
    let (secret, kept): (Vec<_>, Vec<_>) = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .partition(|(k, _)| is_password_key(k));
    if secret.is_empty() {
        return Ok(url);
    }
    if secret.len() > 1 || url.password().is_some() {
        return Err(StoreError::InvalidUrl(format!(
            "'{}' gives the password twice; give it once, as postgres://user:PASSWORD@host/database (it is kept in the system's keyring, never in the settings)",
            redact(url.as_str())
        )));
    }
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    if url.set_password(Some(&secret[0].1)).is_err() {
        return Err(StoreError::InvalidUrl(
            "a URL without a host cannot hold a password".into(),
        ));
    }
    Ok(url)
}

/// A URL with any password replaced by `***`: the user-info password and a
/// password in the query. Text that does not parse as a URL is redacted
/// by its shape (whatever lies between `://user:` and `@`, and after a
/// `password=`), so an error about a mistyped URL never echoes its password.
pub fn redact(raw: &str) -> String {
    match ::url::Url::parse(raw) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            if u.query_pairs().any(|(k, _)| is_password_key(&k)) {
                let pairs: Vec<(String, String)> = u
                    .query_pairs()
                    .map(|(k, v)| {
                        let v = if is_password_key(&k) {
                            "***".to_string()
                        } else {
                            v.into_owned()
                        };
                        (k.into_owned(), v)
                    })
                    .collect();
                u.query_pairs_mut().clear().extend_pairs(pairs);
            }
            u.to_string()
        }
        Err(_) => redact_text(raw),
    }
}

/// [`redact`] for text that is not a URL.
fn redact_text(raw: &str) -> String {
    let mut out = raw.to_string();
    // user:password@ after the scheme: the last '@' ends the user info.
    if let Some(start) = out.find("://").map(|i| i + 3) {
        let end = out[start..]
            .find(['/', '?', '#'])
            .map_or(out.len(), |i| start + i);
        if let Some(at) = out[start..end].rfind('@').map(|i| start + i) {
            if let Some(colon) = out[start..at].find(':').map(|i| start + i) {
                out.replace_range(colon + 1..at, "***");
            }
        }
    }
    // key=value pairs whose key names a password.
    let mut result = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(eq) = rest.find('=') {
        let key_start = rest[..eq].rfind(['?', '&', ';', ' ']).map_or(0, |i| i + 1);
        let value_end = rest[eq + 1..]
            .find(['&', ';', ' ', '#'])
            .map_or(rest.len(), |i| eq + 1 + i);
        result.push_str(&rest[..=eq]);
        if is_password_key(&rest[key_start..eq]) {
            result.push_str("***");
        } else {
            result.push_str(&rest[eq + 1..value_end]);
        }
        rest = &rest[value_end..];
    }
    result.push_str(rest);
    result
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

    /// A `?password=` moves into the URL's password, where saving takes it
    /// to the keyring: the URL to save and every shown form lack it.
    #[test]
    fn a_password_in_the_query_becomes_the_urls_password() {
        let pg = DatabaseUrl::parse(
            "postgres://anna@db.example:5432/pd?sslmode=require&password=s3cret&application_name=x",
        )
        .unwrap();
        assert_eq!(pg.password().as_deref(), Some("s3cret"));
        let saved = pg.with_password(None).connect_string_for_saving();
        assert!(!saved.contains("s3cret"), "{saved}");
        assert!(
            saved.contains("sslmode=require") && saved.contains("application_name=x"),
            "{saved}"
        );
        assert!(!pg.display().contains("s3cret"), "{}", pg.display());
        let only = DatabaseUrl::parse("postgres://anna@db.example/pd?PASSWORD=s3cret").unwrap();
        assert_eq!(only.password().as_deref(), Some("s3cret"));
        assert!(!only
            .with_password(None)
            .connect_string_for_saving()
            .contains('?'));
        let e = DatabaseUrl::parse("postgres://anna:one@db.example/pd?password=two")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("twice") && !e.contains("one@") && !e.contains("two"),
            "{e}"
        );
    }

    #[test]
    fn redaction_hides_passwords_in_urls_that_do_not_parse() {
        for (raw, secret) in [
            ("postgres://anna:s3cret@db.example:99999/pd", "s3cret"),
            ("postgres://anna:p@ss:w0rd@[::1/pd", "w0rd"),
            (
                "postgres://anna@db.example:bad/pd?password=s3cret&x=1",
                "s3cret",
            ),
            ("postgres://db.example/pd?sslmode=x&pwd=s3cret", "s3cret"),
            ("postgres://anna:s3cret@host:port", "s3cret"),
        ] {
            let shown = redact(raw);
            assert!(!shown.contains(secret), "{raw} -> {shown}");
            match DatabaseUrl::parse(raw) {
                Ok(u) => assert!(!u.display().contains(secret), "{raw}: {}", u.display()),
                Err(e) => assert!(!e.to_string().contains(secret), "{raw}: {e}"),
            }
        }
        assert_eq!(
            redact("postgres://db.example/pd?password=s3cret&sslmode=require"),
            "postgres://db.example/pd?password=***&sslmode=require"
        );
    }
}
