//! `partnerdesk bench …`: measured, printed, never asserted.

use clap::Subcommand;
use partnerdesk_app::AppError;

mod measure;
mod money;
mod partners;
mod payouts;
mod sync;

#[derive(Subcommand)]
pub enum BenchCmd {
    /// Bulk-create partners in trees, then time search pages and subtree loads
    Partners {
        #[arg(long, default_value_t = 100_000)]
        count: usize,
    },
    /// Generate a scale, import it, run one month, then one more day incrementally
    Money {
        #[arg(long, default_value = "S")]
        scale: String,
    },
    /// MT5 deals and gaming activity from partnerdesk-sim on loopback into the database
    Sync {
        #[arg(long, default_value_t = 1_000_000)]
        deals: usize,
        #[arg(long, default_value_t = 1_000_000)]
        activity: usize,
    },
    /// Statements for many partners (2 detail pages each) and a payout run over many balances, created and exported
    Payouts {
        #[arg(long, default_value_t = 10_000)]
        statements: usize,
        #[arg(long, default_value_t = 50_000)]
        balances: usize,
    },
}

fn temp_db(dir: &std::path::Path) -> String {
    format!("sqlite:{}", dir.join("bench.db").display())
}

pub async fn run(db: &Option<String>, cmd: BenchCmd) -> Result<(), AppError> {
    let tmp = std::env::temp_dir().join(format!("partnerdesk-bench-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).map_err(|e| AppError::Io {
        context: format!("cannot create {}", tmp.display()),
        source: e,
    })?;
    let url = db.clone().unwrap_or_else(|| temp_db(&tmp));
    let result = match cmd {
        BenchCmd::Partners { count } => partners::bench_partners(&url, count).await,
        BenchCmd::Money { scale } => money::bench_money(&url, &scale, &tmp).await,
        BenchCmd::Sync { deals, activity } => sync::bench_sync(&url, deals, activity).await,
        BenchCmd::Payouts {
            statements,
            balances,
        } => payouts::bench_payouts(&url, statements, balances, &tmp).await,
    };
    let _ = std::fs::remove_dir_all(&tmp);
    result
}
