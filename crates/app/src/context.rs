//! The context of a use case: who acts, on which database, reporting progress where.

use partnerdesk_store::Store;
use std::sync::Arc;

/// The acting user. Until sign-in exists this is the built-in local user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user: String,
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
        }
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
}

impl Context {
    pub fn new(store: Store, actor: Actor) -> Self {
        Self {
            actor,
            store,
            progress: Arc::new(NoProgress),
        }
    }

    pub fn with_progress(mut self, progress: Arc<dyn Progress>) -> Self {
        self.progress = progress;
        self
    }

    /// Now, as stored: fixed-width UTC.
    pub fn now(&self) -> String {
        partnerdesk_domain::data::time_to_text(&chrono::Utc::now())
    }
}
