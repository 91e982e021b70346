//! Partnerdesk's domain: the types users talk about (brands, partners, plans,
//! customers, activity, commission lines) and the money rules of RULES.md as
//! pure functions. No database, no HTTP, no async, no Tauri.

pub mod approval;
pub mod codes;
pub mod commission;
pub mod country_names;
pub mod data;
pub mod engine;
pub mod error;
pub mod file_name;
pub mod ids;
pub mod kyc;
pub mod ledger;
pub mod limits;
pub mod mail;
pub mod money;
pub mod partner;
pub mod payment;
pub mod payout;
pub mod period;
pub mod plan;
pub mod plan_text;
pub mod postback;
pub mod report;
pub mod role;
pub mod sepa;
pub mod sync_run;
pub mod tracking;
pub mod words;

pub use codes::{CountryCode, CurrencyCode};
pub use country_names::country_from_text;
pub use error::{FieldError, Result};
pub use ids::Id;
pub use period::Period;
pub use words::Word;
