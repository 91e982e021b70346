//! `partnerdesk bench …`: measured, printed, never asserted.

use clap::Subcommand;
use partnerdesk_app::AppError;

mod measure;
mod money;
mod partners;
mod payouts;
mod reports;
mod serve;
mod serve_load;
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
    /// Generate a scale, import it, run its month, then time the dashboard and reports over one month
    Reports {
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
    /// `partnerdesk serve` child processes under keep-alive clients: redirects/s, latency, clicks lost or doubled (one instance, two, one SIGTERMed); then signed postbacks with replays
    Serve {
        /// Seconds of load per redirect scenario
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Concurrent keep-alive clients
        #[arg(long, default_value_t = 64)]
        clients: usize,
        /// Seconds of postbacks
        #[arg(long, default_value_t = 10)]
        postback_seconds: u64,
        /// Every how many postbacks one is a replay (0: none)
        #[arg(long, default_value_t = 5)]
        replay_every: u64,
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
        BenchCmd::Reports { scale } => reports::bench_reports(&url, &scale, &tmp).await,
        BenchCmd::Sync { deals, activity } => sync::bench_sync(&url, deals, activity).await,
        BenchCmd::Serve {
            seconds,
            clients,
            postback_seconds,
            replay_every,
        } => {
            let opts = serve::Options {
                seconds,
                clients: clients.max(1),
                postback_seconds,
                replay_every,
            };
            serve::bench_serve(&url, opts, &tmp).await
        }
        BenchCmd::Payouts {
            statements,
            balances,
        } => payouts::bench_payouts(&url, statements, balances, &tmp).await,
    };
    let _ = std::fs::remove_dir_all(&tmp);
    result
}
