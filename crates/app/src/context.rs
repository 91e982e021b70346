//! The context of a use case: who acts, on which database, reporting progress where.

use crate::access::{self, Role, UseCase};
use crate::error::{AppError, Result};
use partnerdesk_secrets::SecretStore;
use partnerdesk_store::Store;
use std::sync::Arc;

/// The acting user and the roles they hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The name written to the audit log.
    pub user: String,
    pub roles: Vec<Role>,
}

impl Actor {
    /// The built-in local user of the embedded single-user mode, named after
    /// the OS account so the audit log still says who acted.
    pub fn local() -> Self {
        let os_user = std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .unwrap_or_else(|_| "local".to_string());
        Self {
            user: format!("local:{os_user}"),
            roles: Role::ALL.to_vec(),
        }
    }

    /// A user with the given roles (signed in, or named in a test).
    pub fn with_roles(user: impl Into<String>, roles: &[Role]) -> Self {
        Self {
            user: user.into(),
            roles: roles.to_vec(),
        }
    }

    /// The built-in user of single-user mode.
    pub fn is_local(&self) -> bool {
        self.user.starts_with("local:")
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// Where long work reports how far it got.
pub trait Progress: Send + Sync {
    fn report(&self, task: &str, done: u64, total: u64, message: &str);
}

/// Progress that goes nowhere.
pub struct NoProgress;

impl Progress for NoProgress {
    fn report(&self, _: &str, _: u64, _: u64, _: &str) {}
}

#[derive(Clone)]
pub struct Context {
    pub actor: Actor,
    pub store: Store,
    pub progress: Arc<dyn Progress>,
    /// Where passwords and API keys live (the OS keyring; a
    /// `partnerdesk_secrets::MemoryStore` in headless tests).
    pub secrets: Arc<dyn SecretStore>,
    /// Where files the app keeps (KYC documents) go; None: the app-data folder.
    pub data_dir: Option<std::path::PathBuf>,
}

impl Context {
    pub fn new(store: Store, actor: Actor) -> Self {
        Self {
            actor,
            store,
            progress: Arc::new(NoProgress),
            secrets: Arc::new(partnerdesk_secrets::OsKeyring),
            data_dir: None,
        }
    }

    /// Another folder for the files the app keeps (tests, portable set-ups).
    pub fn with_data_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// Another secret store (tests: `partnerdesk_secrets::MemoryStore`).
    pub fn with_secrets(mut self, secrets: Arc<dyn SecretStore>) -> Self {
        self.secrets = secrets;
        self
    }

    pub fn with_progress(mut self, progress: Arc<dyn Progress>) -> Self {
        self.progress = progress;
        self
    }

    /// Refuses the call unless the actor holds a role that `use_case` allows.
    /// A refusal is itself recorded in the audit log.
    ///
    /// The roles are the user's as stored now, not those the session began
    /// with: a user disabled, removed or given other roles meanwhile has
    /// the rights of what they are at this call (a desktop session stays
    /// open for hours). The built-in local user acts only while the database
    /// has no users.
    pub async fn authorize(&self, use_case: &UseCase) -> Result<()> {
        let roles = self.current_roles().await?;
        if access::allows(use_case, &roles) {
            return Ok(());
        }
        let shown: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        let detail = serde_json::json!({ "roles": shown, "allowed": use_case.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>() }).to_string();
        self.store
            .audit_alone(
                &self.now(),
                &self.actor.user,
                "denied",
                "use_case",
                use_case.name,
                Some(&detail),
            )
            .await?;
        Err(AppError::Forbidden {
            use_case: use_case.name,
            user: self.actor.user.clone(),
        })
    }

    /// The roles the actor holds now (see [`Context::authorize`]).
    pub async fn current_roles(&self) -> Result<Vec<Role>> {
        let mut tx = self.store.read().await?;
        if tx.user_count().await? == 0 {
            // Single-user mode: the session's roles (every role for the
            // built-in user; a test's named actor keeps what it was given).
            return Ok(self.actor.roles.clone());
        }
        if self.actor.is_local() {
            return Err(AppError::Denied(
                "this database has users: sign in (the CLI reads PARTNERDESK_USER and PARTNERDESK_PASSWORD)".into(),
            ));
        }
        match tx.user(&self.actor.user).await? {
            Some(u) if !u.disabled => Ok(u.roles.iter().copied().collect()),
            Some(_) => Err(AppError::Denied(format!(
                "the account '{}' has been disabled; ask an admin to enable it",
                self.actor.user
            ))),
            None => Err(AppError::Denied(format!(
                "there is no user '{}' in this database any more: sign in again",
                self.actor.user
            ))),
        }
    }

    /// Now, as stored: fixed-width UTC.
    pub fn now(&self) -> String {
        partnerdesk_domain::data::time_to_text(&chrono::Utc::now())
    }
}
