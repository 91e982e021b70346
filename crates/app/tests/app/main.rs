//! The app crate's integration tests: every use case on a real SQLite file
//! and on a real PostgreSQL server.

mod support;

mod approvals;
mod audit_forgery;
mod audit_log;
mod compliance;
mod concurrency;
mod customer_brand;
mod database;
mod exports;
mod fraud;
mod import;
mod import_large;
mod import_limits;
mod ledger_posting;
mod mail;
mod money;
mod partners;
mod payment_details;
mod payout_race;
mod payout_statements;
mod payouts;
mod postbacks;
mod postbacks_found;
mod postbacks_group;
mod postbacks_out;
mod properties;
mod reports;
mod roles;
mod run_storage;
mod secrets;
mod sessions;
mod statement_names;
mod stored_words;
mod sync;
mod tracking;
mod unknown_country;
