//! The shell's state: the open database (or why it could not be opened), the
//! acting user, and the progress sink that emits `progress` events.

use crate::secrets::SecretStore;
use crate::settings;
use partnerdesk_app::wire::{ApiError, DatabaseInfo, ProgressEvent};
use partnerdesk_app::{database, Actor, AppError, Context, Progress};
use std::sync::Arc;
use tauri::{AppHandle, Emitter};
use tokio::sync::RwLock;

struct TauriProgress(AppHandle);

impl Progress for TauriProgress {
    fn report(&self, task: &str, done: u64, total: u64, message: &str) {
        let ev = ProgressEvent {
            task: task.to_string(),
            done: u32::try_from(done).unwrap_or(u32::MAX),
            total: u32::try_from(total).unwrap_or(u32::MAX),
            message: message.to_string(),
        };
        let _ = self.0.emit("progress", ev);
    }
}

pub struct Shell {
    db: RwLock<Result<Context, DatabaseInfo>>,
    app: AppHandle,
    secrets: Box<dyn SecretStore>,
}

impl Shell {
    /// Opens the database: PARTNERDESK_DATABASE_URL, else the saved URL with its
    /// password from the keyring, else the embedded default. A failure keeps the
    /// app open and is shown in Settings.
    pub async fn start(app: AppHandle, secrets: Box<dyn SecretStore>) -> Shell {
        let url = match std::env::var("PARTNERDESK_DATABASE_URL").ok().filter(|u| !u.trim().is_empty()) {
            Some(u) => Ok(u),
            None => match settings::load().database_url {
                Some(saved) => {
                    let password = secrets.get(&settings::password_key(&saved)).ok().flatten();
                    database::with_password(&saved, password.as_deref())
                }
                None => database::default_url(),
            },
        };
        let shell = Shell { db: RwLock::new(Err(failed("", "not opened yet"))), app, secrets };
        let opened = match url {
            Ok(url) => shell.open(&url).await.map_err(|e| database::failed_info(&url, &e)),
            Err(e) => Err(failed("", &e.to_string())),
        };
        *shell.db.write().await = opened;
        shell
    }

    async fn open(&self, url: &str) -> Result<Context, AppError> {
        let store = database::open(url).await?;
        Ok(Context::new(store, Actor::local()).with_progress(Arc::new(TauriProgress(self.app.clone()))))
    }

    /// The context of the open database, or an error that points to Settings.
    pub async fn ctx(&self) -> Result<Context, ApiError> {
        match &*self.db.read().await {
            Ok(ctx) => Ok(ctx.clone()),
            Err(info) => Err(ApiError {
                code: "no_database".into(),
                message: format!(
                    "no database is open ({}); open Settings to fix the connection or go back to the embedded database",
                    info.error.as_deref().unwrap_or("unknown reason")
                ),
                field: None,
            }),
        }
    }

    pub async fn info(&self) -> DatabaseInfo {
        match &*self.db.read().await {
            Ok(ctx) => database::info(&ctx.store),
            Err(info) => info.clone(),
        }
    }

    /// Switches to another database ("default" = the embedded one). The URL is
    /// saved without its password; the password goes to the OS keyring.
    pub async fn switch(&self, url: &str) -> Result<DatabaseInfo, ApiError> {
        let url = if url.trim() == "default" { database::default_url().map_err(ApiError::from)? } else { url.trim().to_string() };
        let ctx = self.open(&url).await.map_err(|e| {
            let mut err = ApiError::from(e);
            err.field = Some("url".into());
            err
        })?;
        let is_default = database::default_url().map(|d| d == url).unwrap_or(false);
        let (saved, password) = database::split_password(&url).map_err(ApiError::from)?;
        if let Some(p) = &password {
            self.secrets.set(&settings::password_key(&saved), p).map_err(|m| ApiError { code: "keyring".into(), message: m, field: Some("url".into()) })?;
        }
        settings::save(&settings::Settings { database_url: (!is_default).then_some(saved) })
            .map_err(|m| ApiError { code: "io".into(), message: m, field: None })?;
        let info = database::info(&ctx.store);
        let old = std::mem::replace(&mut *self.db.write().await, Ok(ctx));
        if let Ok(old) = old {
            old.store.close().await;
        }
        Ok(info)
    }
}

fn failed(location: &str, error: &str) -> DatabaseInfo {
    DatabaseInfo { backend: "sqlite".into(), location: location.into(), ok: false, error: Some(error.into()) }
}
