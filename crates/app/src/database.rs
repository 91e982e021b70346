//! Which database: the embedded default in the OS app-data folder, or a URL.

use crate::access;
use crate::wire::DatabaseInfo;
use crate::{AppError, Context, Result};
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

/// May the session in `ctx` (on the database open now) point the app at
/// the database `target`? Once the open database has users, only an admin
/// signed in to it may: whoever sits at a signed-out window could otherwise
/// open an empty database and act there with every role of single-user
/// mode. The built-in user of a database without users may (it holds every
/// role). The switch is recorded in the open database's audit log, with the
/// target's location only (never a password). When no database could be
/// opened there is nothing to protect, and the face lets the user fix the
/// connection without this check.
#[tracing::instrument(name = "database::authorize_switch", skip_all, fields(user = %ctx.actor.user))]
pub async fn authorize_switch(ctx: &Context, target: &str) -> Result<()> {
    ctx.authorize(&access::DATABASE_SWITCH).await?;
    let after = serde_json::json!({ "to": partnerdesk_store::url::redact(target) }).to_string();
    ctx.store
        .audit_alone(
            &ctx.now(),
            &ctx.actor.user,
            "database.switch",
            "database",
            ctx.store.location(),
            Some(&after),
        )
        .await?;
    Ok(())
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
