//! The shell's state: the open database (or why it could not be opened), the
//! acting user, and the progress sink that emits `progress` events.

use crate::idle::IdleClock;
use crate::settings;
use partnerdesk_app::wire::{ApiError, DatabaseInfo, ProgressEvent};
use partnerdesk_app::{database, Actor, AppError, Context, Progress};
use partnerdesk_secrets::SecretStore;
use std::path::PathBuf;
use std::sync::Arc;
use tauri::{AppHandle, Emitter};
use tokio::sync::RwLock;

/// The event carrying [`ProgressEvent`]s to the window (the UI's bindings
/// export the same name as `PROGRESS_EVENT`).
pub const PROGRESS_EVENT: &str = "progress";

struct TauriProgress(AppHandle);

impl Progress for TauriProgress {
    fn report(&self, task: &str, done: u64, total: u64, message: &str) {
        let ev = ProgressEvent {
            task: task.to_string(),
            done: u32::try_from(done).unwrap_or(u32::MAX),
            total: u32::try_from(total).unwrap_or(u32::MAX),
            message: message.to_string(),
        };
        let _ = self.0.emit(PROGRESS_EVENT, ev);
    }
}

pub struct Shell {
    db: Arc<RwLock<Result<Context, DatabaseInfo>>>,
    /// Who signed in (None: nobody; the built-in local user acts while the
    /// database has no users).
    signed_in: Arc<RwLock<Option<Actor>>>,
    /// Ends a signed-in session left without use (see [`crate::idle`]).
    idle: IdleClock,
    app: AppHandle,
    secrets: Arc<dyn SecretStore>,
    settings_path: Option<PathBuf>,
}

impl Shell {
    /// Starts opening the database in the background, so that the window
    /// shows at once even when a server takes seconds to answer: commands wait
    /// for the open to finish. Which database: PARTNERDESK_DATABASE_URL, else
    /// the saved URL with its password from the keyring, else the embedded
    /// default. A failure keeps the app open and is shown in Settings.
    pub fn start(app: AppHandle, secrets: Arc<dyn SecretStore>) -> Shell {
        let settings_path = settings::default_path();
        let idle_minutes = settings::load(settings_path.as_deref()).idle_sign_out_minutes;
        let db = Arc::new(RwLock::new(Err(failed(
            "",
            "the database is still being opened",
        ))));
        let shell = Shell {
            db: db.clone(),
            signed_in: Arc::new(RwLock::new(None)),
            idle: IdleClock::new(idle_minutes, std::time::Instant::now()),
            app: app.clone(),
            secrets: secrets.clone(),
            settings_path: settings_path.clone(),
        };
        // Taken before any command can run (a new lock is always free): they queue behind it.
        let guard = db.clone().try_write_owned();
        tauri::async_runtime::spawn(async move {
            // The keyring may ask the user to unlock it: off the start-up path,
            // and on a thread that may block.
            let url = tauri::async_runtime::spawn_blocking(move || {
                let saved = settings::load(settings_path.as_deref());
                settings::startup_url(
                    std::env::var("PARTNERDESK_DATABASE_URL").ok(),
                    &saved,
                    secrets.as_ref(),
                )
                .map_err(|e| e.to_string())
            })
            .await
            .unwrap_or_else(|e| Err(format!("the database settings could not be read: {e}")));
            let opened = match url {
                Ok(url) => open(&app, &url)
                    .await
                    .map_err(|e| database::failed_info(&url, &e)),
                Err(e) => Err(failed("", &e)),
            };
            // The redacted location and the reason; never a password.
            match &opened {
                Ok(ctx) => tracing::info!(
                    backend = ctx.store.backend().as_str(),
                    "database opened: {}",
                    ctx.store.location()
                ),
                Err(info) => tracing::warn!(
                    "the database {} could not be opened: {}",
                    info.location,
                    info.error.as_deref().unwrap_or("")
                ),
            }
            match guard {
                Ok(mut guard) => *guard = opened,
                Err(_) => *db.write().await = opened,
            }
        });
        shell
    }

    /// The context of the open database, or an error that points to Settings.
    /// The context of the signed-in user. Once the database has users,
    /// nothing runs until someone signs in.
    pub async fn ctx(&self) -> Result<Context, ApiError> {
        let fresh = self.idle.use_at(std::time::Instant::now());
        self.ctx_unless_idle(fresh).await
    }

    /// [`Shell::ctx`] for work the window or the shell does on its own (the
    /// mail sender's and the sync scheduler's ticks): it does not count as
    /// use, so it cannot keep an unattended session signed in.
    pub async fn background_ctx(&self) -> Result<Context, ApiError> {
        let fresh = !self.idle.expired_at(std::time::Instant::now());
        self.ctx_unless_idle(fresh).await
    }

    async fn ctx_unless_idle(&self, fresh: bool) -> Result<Context, ApiError> {
        let mut ctx = self.open_ctx().await?;
        if !fresh {
            let mut signed_in = self.signed_in.write().await;
            if let Some(actor) = signed_in.take() {
                tracing::info!(user = %actor.user, "signed out after {} minutes without use", self.idle.minutes());
                return Err(ApiError {
                    code: "sign_in_required".into(),
                    message: format!(
                        "signed out after {} minutes without use; sign in again",
                        self.idle.minutes()
                    ),
                    field: None,
                });
            }
        }
        match &*self.signed_in.read().await {
            Some(actor) => ctx.actor = actor.clone(),
            None => {
                if partnerdesk_app::users::sign_in_required(&ctx.store).await? {
                    return Err(ApiError {
                        code: "sign_in_required".into(),
                        message: "this database has users: sign in to continue".into(),
                        field: None,
                    });
                }
            }
        }
        Ok(ctx)
    }

    /// Checks a user name and password and keeps the user signed in.
    pub async fn sign_in(&self, user: &str, password: &str) -> Result<Context, ApiError> {
        let mut ctx = self.open_ctx().await?;
        let actor = partnerdesk_app::users::sign_in(&ctx.store, user, password).await?;
        *self.signed_in.write().await = Some(actor.clone());
        self.idle.restart(std::time::Instant::now());
        ctx.actor = actor;
        Ok(ctx)
    }

    pub async fn sign_out(&self) {
        *self.signed_in.write().await = None;
    }

    /// The open database's context as the built-in user (before sign-in).
    async fn open_ctx(&self) -> Result<Context, ApiError> {
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
        let url = if url.trim() == "default" {
            database::default_url().map_err(ApiError::from)?
        } else {
            url.trim().to_string()
        };
        // Who may switch is the app's rule (admin once the open database has
        // users); with no database open, switching is how the user fixes it.
        if let Ok(mut current) = self.open_ctx().await {
            if let Some(actor) = &*self.signed_in.read().await {
                current.actor = actor.clone();
            }
            database::authorize_switch(&current, &url).await?;
        }
        let default = database::default_url().ok();
        self.app_progress("database", 0, 1, "connecting");
        let opened = open(&self.app, &url).await;
        self.app_progress("database", 1, 1, "");
        let ctx = opened.map_err(|e| {
            let mut err = ApiError::from(e);
            err.field = Some("url".into());
            err
        })?;
        let remembered = settings::remember(&url, default.as_deref(), self.secrets.as_ref())
            .and_then(|s| {
                settings::save(self.settings_path.as_deref(), &s).map_err(|message| ApiError {
                    code: "io".into(),
                    message,
                    field: None,
                })
            });
        if let Err(e) = remembered {
            ctx.store.close().await;
            return Err(e);
        }
        let info = database::info(&ctx.store);
        // Another database has other users: whoever signed in signs in again.
        *self.signed_in.write().await = None;
        let old = std::mem::replace(&mut *self.db.write().await, Ok(ctx));
        if let Ok(old) = old {
            old.store.close().await;
        }
        Ok(info)
    }

    fn app_progress(&self, task: &str, done: u64, total: u64, message: &str) {
        TauriProgress(self.app.clone()).report(task, done, total, message);
    }
}

/// Opens and migrates the database at `url`, with a context whose progress goes to the window.
async fn open(app: &AppHandle, url: &str) -> Result<Context, AppError> {
    let store = database::open(url).await?;
    Ok(Context::new(store, Actor::local()).with_progress(Arc::new(TauriProgress(app.clone()))))
}

fn failed(location: &str, error: &str) -> DatabaseInfo {
    DatabaseInfo {
        backend: "sqlite".into(),
        location: location.into(),
        ok: false,
        error: Some(error.into()),
    }
}
