//! Commission runs, closing and the canonical export.
//!
//! A run computes the periods from the first one holding data up to the
//! asked one, in order (carry-over and CPA state chain through them). After
//! each period the engine's carried state is stored, so a later run resumes
//! at the first period whose data changed since (`mark_dirty`) from the
//! stored state of the period before it: one more day of data recomputes one
//! period, not all of them. Lines
//! are written only where they changed; a run with no new data since the last
//! one does nothing. Closed periods never change: what late data would change
//! in them is booked as `adjustment` lines in the first open period.

mod close;
mod load;
mod period;
mod run;
mod world;

pub use close::*;
use load::*;
use period::*;
pub use run::*;
pub(crate) use world::*;

use crate::{AppError, Result};
use partnerdesk_domain::plan::Plan;
use partnerdesk_store::{StoreError, Tx};
use serde::Serialize;

/// Records that data changed from `first` on, in the transaction that
/// changes it: the data version moves on and the earliest changed period
/// since the last run is kept, both in SQL (two changes at once both count).
pub async fn mark_dirty(tx: &mut Tx<'_>, first: &str) -> Result<()> {
    // The version first: every writer of the two takes its row first (see
    // `Tx::data_version_for_run`).
    partnerdesk_store::commissions::count_change(tx).await?;
    // The earliest changed period since the last run: that run drops the
    // engine states from there on and recomputes from there.
    partnerdesk_store::commissions::note_dirty_from(tx, first).await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct PeriodOutcome {
    pub period: String,
    pub lines: usize,
    /// Whether stored lines changed.
    pub changed: bool,
    pub closed: bool,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct RunReport {
    pub periods: Vec<PeriodOutcome>,
    /// Nothing changed since the last run: nothing was computed.
    pub up_to_date: bool,
    pub adjustments: usize,
    /// Late data for closed periods that waits for an open period to be run.
    pub pending_adjustments: usize,
    /// The period this run resumed at from the engine state stored after the
    /// period before it (earlier periods were current); None when it computed
    /// from the first period with data.
    pub resumed_at: Option<String>,
    /// The customers came from the image stored by an earlier run (nothing
    /// they are resolved from changed since) instead of being read again.
    pub customers_from_image: bool,
    /// The purchases read: a resumed run reads only those of the customers
    /// with a purchase or a refund from its first period on.
    pub purchases_read: usize,
}

fn corrupt(e: impl std::fmt::Display) -> AppError {
    AppError::Store(StoreError::Corrupt(e.to_string()))
}

fn parse_plan(content: &str) -> Result<Plan> {
    let v: serde_json::Value = serde_json::from_str(content).map_err(corrupt)?;
    Plan::from_json(&v).map_err(corrupt)
}
