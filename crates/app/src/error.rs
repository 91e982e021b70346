//! The app's error: what went wrong and what to do, with a code the UI can act on.

use partnerdesk_domain::FieldError;
use partnerdesk_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Invalid(FieldError),
    #[error("{what} '{id}' does not exist")]
    NotFound { what: &'static str, id: String },
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Import(String),
    #[error("{0}")]
    Engine(#[from] partnerdesk_domain::engine::EngineError),
    #[error("{0}")]
    Refused(String),
    #[error("'{user}' may not do this ({use_case}): ask an admin for a role that allows it")]
    Forbidden {
        use_case: &'static str,
        user: String,
    },
    /// Refused by a compliance rule (four eyes, a disabled user, a sign-in).
    #[error("{0}")]
    Denied(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        AppError::Invalid(e)
    }
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid(FieldError::new(field, message))
    }

    /// A stable code for the UI: `invalid`, `not_found`, `conflict`, `stale`,
    /// `busy`, `database`, …
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Invalid(_) => "invalid",
            AppError::NotFound { .. } | AppError::Store(StoreError::NotFound { .. }) => "not_found",
            AppError::Store(StoreError::Conflict { .. }) => "conflict",
            // The UI offers to reload what changed since it was opened.
            AppError::Store(StoreError::Stale { .. }) => "stale",
            AppError::Store(StoreError::Busy) => "busy",
            AppError::Store(
                StoreError::InvalidUrl(_)
                | StoreError::Unreachable { .. }
                | StoreError::NotSqlite { .. }
                | StoreError::Migration { .. },
            ) => "database_unavailable",
            AppError::Store(_) => "database",
            AppError::Import(_) => "import",
            AppError::Engine(_) => "engine",
            AppError::Refused(_) => "refused",
            AppError::Forbidden { .. } | AppError::Denied(_) => "forbidden",
            AppError::Io { .. } => "io",
        }
    }

    /// The field the error is about, when there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid(e) if !e.field.is_empty() => Some(&e.field),
            AppError::Store(StoreError::Conflict { field, .. }) => Some(field),
            _ => None,
        }
    }
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;
