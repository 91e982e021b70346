//! Partnerdesk's use cases: one function per thing a user does, used by every
//! face (desktop, CLI, tests). Each receives a [`Context`] carrying the acting
//! user, the database and a progress sink, so roles, approvals and the audit
//! log are enforced here and nowhere else.

pub mod access;
pub mod approvals;
pub mod audit;
pub mod brands;
pub mod change;
pub mod commission_views;
pub mod commissions;
pub mod compliance;
pub mod context;
pub mod customers;
pub mod database;
pub mod demo;
pub mod error;
pub mod exports;
pub mod import;
pub mod ledger;
pub mod mail;
pub mod partners;
pub mod payouts;
pub mod plans;
pub mod reports;
pub mod statements;
pub mod sync;
pub mod tracking;
pub mod users;
pub mod wire;

pub use context::{Actor, Context, NoProgress, Progress};
pub use error::{AppError, Result};
pub use partnerdesk_store::Store;
