//! `partnerdesk-sim`: serves the MT5 Web API, a gaming feed and WooCommerce
//! orders on loopback from a generated data set (or an import folder).

use clap::Parser;
use partnerdesk_sim::{start, Sim, SimAuth, SimData};
use std::path::PathBuf;
use std::sync::atomic::Ordering;

#[derive(Parser)]
#[command(
    name = "partnerdesk-sim",
    about = "A platform simulator for Partnerdesk syncs (loopback only)"
)]
struct Args {
    /// Port on 127.0.0.1 (0: any free port; the address is printed).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Serve this import folder instead of generating data.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Customers to generate (all brands).
    #[arg(long, default_value_t = 2000)]
    customers: usize,
    /// Days of generated data from 2026-07-01.
    #[arg(long, default_value_t = 30)]
    days: u32,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Instead of generated data: this many synthetic MT5 deals (benchmark)
    #[arg(long)]
    synthetic_deals: Option<usize>,
    /// …and this many synthetic activity rows
    #[arg(long, default_value_t = 0)]
    synthetic_activity: usize,
    /// Answer after this many milliseconds.
    #[arg(long, default_value_t = 0)]
    slow_ms: u64,
    /// The next N data requests answer 500.
    #[arg(long, default_value_t = 0)]
    errors_500: u32,
    /// The next N data requests answer 429 with Retry-After.
    #[arg(long, default_value_t = 0)]
    rate_limited: u32,
    #[arg(long, default_value_t = 1)]
    retry_after_s: u64,
    /// The next N data requests answer cut-off JSON.
    #[arg(long, default_value_t = 0)]
    malformed: u32,
    /// The next N data requests drop the connection mid-body.
    #[arg(long, default_value_t = 0)]
    dropped: u32,
    /// Serve every page twice.
    #[arg(long)]
    duplicate_pages: bool,
    /// MT5 sessions expire after N calls.
    #[arg(long, default_value_t = 0)]
    session_calls: u32,
    /// Answer HTML pages instead of JSON.
    #[arg(long)]
    html: bool,
    /// Any other switch as NAME=VALUE (repeatable), e.g. mt5_timezone=EET,
    /// idle_close_ms=30000, late_deals=50, no_deal_batch=2, woo_https=1,
    /// woo_timezone=America/New_York (README: the simulator's switches).
    #[arg(long = "switch", value_name = "NAME=VALUE")]
    switches: Vec<String>,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let data = match (&args.data, args.synthetic_deals) {
        (Some(dir), _) => SimData::from_folder(dir, None),
        (None, Some(deals)) => Ok(SimData::synthetic(deals, args.synthetic_activity)),
        (None, None) => SimData::generate(args.customers, args.days, args.seed),
    };
    let data = match data {
        Ok(d) => d,
        Err(e) => {
            eprintln!("partnerdesk-sim: {e}");
            std::process::exit(1);
        }
    };
    let auth = SimAuth::default();
    eprintln!(
        "data: {} MT5 accounts, {} deals, {} players, {} activity rows, {} orders",
        data.accounts.len(),
        data.deals.len(),
        data.players.len(),
        data.activity.len(),
        data.orders.len()
    );
    eprintln!(
        "credentials: MT5 manager {} / {}; feed token {} (or X-Api-Key {}; OAuth2 {} / {}); WooCommerce {} / {}",
        auth.mt5_login, auth.mt5_password, auth.token, auth.api_key, auth.client_id, auth.client_secret, auth.consumer_key, auth.consumer_secret
    );
    let sim = Sim::new(data, auth);
    let f = &sim.faults;
    f.slow_ms.store(args.slow_ms, Ordering::SeqCst);
    f.errors_500.store(args.errors_500, Ordering::SeqCst);
    f.rate_limited.store(args.rate_limited, Ordering::SeqCst);
    f.retry_after_s.store(args.retry_after_s, Ordering::SeqCst);
    f.malformed.store(args.malformed, Ordering::SeqCst);
    f.dropped.store(args.dropped, Ordering::SeqCst);
    f.duplicate_pages
        .store(args.duplicate_pages, Ordering::SeqCst);
    f.session_calls.store(args.session_calls, Ordering::SeqCst);
    f.html.store(args.html, Ordering::SeqCst);
    for s in &args.switches {
        let (name, value) = s.split_once('=').unwrap_or((s.as_str(), "1"));
        if let Err(e) = partnerdesk_sim::set_switch(&sim, name, value) {
            eprintln!("partnerdesk-sim: --switch {s}: {e}");
            std::process::exit(2);
        }
    }
    match start(sim, args.port).await {
        Ok(running) => {
            println!("listening on {}", running.url());
            let _ = tokio::signal::ctrl_c().await;
        }
        Err(e) => {
            eprintln!("partnerdesk-sim: {e}");
            std::process::exit(1);
        }
    }
}
