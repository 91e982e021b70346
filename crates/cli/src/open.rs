//! Opening the database for a command and signing in: every subcommand and
//! benchmark gets its context here.

use partnerdesk_app::{database, Actor, AppError, Context};
use partnerdesk_secrets::{SecretStore, SecretsFile};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// `--secrets-file` (or PARTNERDESK_SECRETS_FILE), set once by `main`.
static SECRETS_FILE: OnceLock<Option<PathBuf>> = OnceLock::new();

pub fn set_secrets_file(path: Option<PathBuf>) {
    let _ = SECRETS_FILE.set(path);
}

/// The secrets file the operator named, if any.
pub fn secrets_file() -> Option<&'static PathBuf> {
    SECRETS_FILE.get().and_then(|p| p.as_ref())
}

/// Where this command keeps secrets: the secrets file when one is named
/// (created on the first write, mode 0600), else the OS keyring.
fn secret_store() -> Result<Option<Arc<dyn SecretStore>>, AppError> {
    match secrets_file() {
        Some(path) => {
            let f = SecretsFile::writable(path).map_err(AppError::Refused)?;
            Ok(Some(Arc::new(f)))
        }
        None => Ok(None),
    }
}

/// Progress to standard error, only when a person is watching.
struct StderrProgress;

impl partnerdesk_app::Progress for StderrProgress {
    fn report(&self, task: &str, done: u64, total: u64, message: &str) {
        if total > 0 {
            err!("\r{task}: {done}/{total} {message}\x1b[K");
        } else {
            err!("\r{task}: {message}\x1b[K");
        }
        if total > 0 && done >= total {
            errln!();
        }
    }
}

/// The context of one command: the database (`--db`, else the embedded
/// default) and who acts (the built-in user while the database has no users,
/// else the user signed in from the environment).
pub async fn context(db: &Option<String>) -> Result<Context, AppError> {
    let url = match db {
        Some(u) if !u.trim().is_empty() => u.clone(),
        _ => database::default_url()?,
    };
    let store = database::open(&url).await?;
    // Single-user mode while the database has no users; then sign in.
    let actor = if partnerdesk_app::users::sign_in_required(&store).await? {
        let user = std::env::var("PARTNERDESK_USER").unwrap_or_default();
        if user.trim().is_empty() {
            return Err(AppError::Denied(
                "this database has users: set PARTNERDESK_USER and PARTNERDESK_PASSWORD to sign in"
                    .into(),
            ));
        }
        let password = std::env::var("PARTNERDESK_PASSWORD").unwrap_or_default();
        partnerdesk_app::users::sign_in(&store, &user, &password).await?
    } else {
        Actor::local()
    };
    let mut ctx = Context::new(store, actor);
    if let Some(secrets) = secret_store()? {
        ctx = ctx.with_secrets(secrets);
    }
    if std::io::stderr().is_terminal() {
        ctx = ctx.with_progress(Arc::new(StderrProgress));
    }
    Ok(ctx)
}
