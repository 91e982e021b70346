//! Which database: the embedded default in the OS app-data folder, or a URL.

use crate::wire::DatabaseInfo;
use crate::{AppError, Result};
use partnerdesk_store::Store;
use std::path::PathBuf;

/// The desktop app's identifier; the app-data folder is named after it, so the
/// CLI and the desktop app find the same embedded database.
pub const APP_IDENTIFIER: &str = "com.partnerdesk.desktop";

/// The OS app-data folder (`$XDG_DATA_HOME/com.partnerdesk.desktop` on Linux,
/// `~/Library/Application Support/…` on macOS, `%APPDATA%\…` on Windows).
/// `PARTNERDESK_DATA_DIR` moves it (development and tests keep their data apart).
pub fn data_dir() -> Result<PathBuf> {
    if let Some(d) = std::env::var_os("PARTNERDESK_DATA_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(d));
    }
    dirs::data_dir()
        .map(|d| d.join(APP_IDENTIFIER))
        .ok_or_else(|| AppError::Refused("this system names no application-data folder; set PARTNERDESK_DATA_DIR or give --db".to_string()))
}

/// `sqlite:` URL of the embedded database file.
pub fn default_url() -> Result<String> {
    Ok(format!(
        "sqlite:{}",
        data_dir()?.join("partnerdesk.db").display()
    ))
}

/// Opens and migrates the database at `url`.
pub async fn open(url: &str) -> Result<Store> {
    Ok(Store::open(url).await?)
}

pub fn info(store: &Store) -> DatabaseInfo {
    DatabaseInfo {
        backend: store.backend().as_str().to_string(),
        location: store.location().to_string(),
        ok: true,
        error: None,
    }
}

/// What to show when the database could not be opened.
pub fn failed_info(url: &str, error: &AppError) -> DatabaseInfo {
    let backend = if url.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    DatabaseInfo {
        backend: backend.to_string(),
        location: partnerdesk_store::url::redact(url),
        ok: false,
        error: Some(error.to_string()),
    }
}

/// Splits a URL into the part that may be saved (no password) and the password.
pub fn split_password(url: &str) -> Result<(String, Option<String>)> {
    let parsed = partnerdesk_store::url::DatabaseUrl::parse(url)?;
    let password = parsed.password();
    Ok((
        parsed.with_password(None).connect_string_for_saving(),
        password,
    ))
}

/// The saved URL with its password (from the keyring) put back.
pub fn with_password(url: &str, password: Option<&str>) -> Result<String> {
    let parsed = partnerdesk_store::url::DatabaseUrl::parse(url)?;
    Ok(parsed.with_password(password).connect_string_for_saving())
}
