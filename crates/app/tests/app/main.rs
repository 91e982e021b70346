//! The app crate's integration tests: every use case on a real SQLite file
//! and on a real PostgreSQL server.

mod support;

mod approvals;
mod compliance;
mod concurrency;
mod database;
mod exports;
mod import;
mod mail;
mod money;
mod partners;
mod payouts;
mod properties;
mod roles;
mod sync;
mod unknown_country;
