//! Payout runs: payment details (changed with four eyes), thresholds and holds, creating a run for a
//! date or closed period (payable balances are claimed, the others held or
//! carried over), submit → approve (another finance user) → export (payout
//! entries posted; CSV and SEPA files) → each payment paid or failed.

mod approval;
mod details;
mod details_change;
mod export;
mod runs;
mod views;

pub use approval::*;
pub use details::*;
pub use details_change::*;
pub use export::*;
pub use runs::*;
pub use views::*;
