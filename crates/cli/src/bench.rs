//! `partnerdesk bench …`: measured, printed, never asserted.

use clap::Subcommand;
use partnerdesk_app::wire::{PartnerInput, PartnerQuery, PartnerSortKey};
use partnerdesk_app::{commissions, import, partners, AppError};
use partnerdesk_domain::Period;
use std::time::Instant;

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

pub(crate) fn peak_mib_pub() -> u64 {
    peak_mib()
}

pub(crate) fn reset_peak_pub() {
    reset_peak()
}

/// Peak resident memory since the last reset, in MiB (Linux; 0 elsewhere).
fn peak_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<u64>().ok())
        })
        .map(|kb| kb / 1024)
        .unwrap_or(0)
}

fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(0.0)
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
        BenchCmd::Partners { count } => bench_partners(&url, count).await,
        BenchCmd::Money { scale } => bench_money(&url, &scale, &tmp).await,
        BenchCmd::Sync { deals, activity } => {
            crate::bench_sync::bench_sync(&url, deals, activity).await
        }
        BenchCmd::Payouts {
            statements,
            balances,
        } => crate::bench_payouts::bench_payouts(&url, statements, balances, &tmp).await,
    };
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

async fn bench_partners(url: &str, count: usize) -> Result<(), AppError> {
    let ctx = crate::context(&Some(url.to_string())).await?;
    let kinds = [
        "affiliate",
        "ib",
        "referral",
        "media_buyer",
        "influencer",
        "strategic",
    ];
    let words = [
        "alpha", "bravo", "casino", "delta", "echo", "forex", "gamma", "hotel", "india", "juliet",
    ];
    let mut depth = Vec::with_capacity(count);
    let mut inputs = Vec::with_capacity(count);
    let mut seed: u64 = 7;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % n.max(1)
    };
    for i in 0..count {
        // Roots every ~20 partners; others under a random recent partner of depth < 4 (5 levels).
        let parent = if i % 20 == 0 {
            None
        } else {
            let j = i - 1 - next(i.min(200));
            (depth[j] < 4).then_some(j)
        };
        depth.push(parent.map(|j| depth[j] + 1).unwrap_or(0));
        inputs.push(PartnerInput {
            partner_id: format!("B{i:07}"),
            name: format!(
                "{} {} {i}",
                words[next(words.len())],
                words[next(words.len())]
            ),
            kind: kinds[next(kinds.len())].into(),
            parent_id: parent.map(|j| format!("B{j:07}")),
            email: Some(format!("p{i}@example.com")),
            country: Some(["DE", "GB", "SE", "BR"][next(4)].into()),
            currency: "EUR".into(),
            status: ["active", "active", "suspended", "pending_review"][next(4)].into(),
            tags: Vec::new(),
            notes: String::new(),
            contact_name: None,
            phone: None,
            row_version: None,
        });
    }
    reset_peak();
    let t = Instant::now();
    for chunk in inputs.chunks(10_000) {
        partners::create_many(&ctx, chunk).await?;
    }
    let create_s = t.elapsed().as_secs_f64();
    let create_mem = peak_mib();

    let mut search_ms = Vec::new();
    for i in 0..100 {
        let q = PartnerQuery {
            text: Some(words[i % words.len()].to_string()),
            kind: (i % 3 == 0).then(|| kinds[i % kinds.len()].to_string()),
            status: (i % 2 == 0).then(|| "active".to_string()),
            parent_id: None,
            tag: None,
            include_archived: false,
            sort: if i % 2 == 0 {
                PartnerSortKey::Name
            } else {
                PartnerSortKey::CreatedAt
            },
            desc: i % 4 == 0,
            offset: (i as u32 % 5) * 50,
            limit: 50,
        };
        let t = Instant::now();
        partners::search(&ctx, &q).await?;
        search_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let mut tree_ms = Vec::new();
    for i in 0..50 {
        let root = format!("B{:07}", (i * 20) % count.max(1));
        let t = Instant::now();
        partners::tree(&ctx, &root, 5).await?;
        tree_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!("| step | rows | time | rate | peak memory |");
    println!("|---|---:|---:|---:|---:|");
    println!("| bulk create partners ({}) | {count} | {create_s:.2} s | {:.0} rows/s | {create_mem} MiB |", ctx.store.backend().as_str(), count as f64 / create_s.max(1e-9));
    println!(
        "| search page (50 rows, filtered, sorted), median of 100 | 50 | {:.2} ms | | |",
        median(search_ms)
    );
    println!(
        "| load a 5-level subtree, median of 50 | | {:.2} ms | | |",
        median(tree_ms)
    );
    Ok(())
}

async fn bench_money(url: &str, scale: &str, tmp: &std::path::Path) -> Result<(), AppError> {
    let scale: partnerdesk_gen::Scale = scale
        .parse()
        .map_err(|e: partnerdesk_gen::GenError| AppError::invalid("--scale", e.to_string()))?;
    let opts = partnerdesk_gen::GenOptions {
        scale,
        ..Default::default()
    };
    let folder = tmp.join("import");
    let t = Instant::now();
    let gen = partnerdesk_gen::generate(&opts, &folder, &mut |_, _, _| {})
        .map_err(|e| AppError::Refused(e.to_string()))?;
    eprintln!(
        "generated {} rows in {:.1} s",
        gen.total_rows(),
        t.elapsed().as_secs_f64()
    );
    let ctx = crate::context(&Some(url.to_string())).await?;
    let period = Period::of(opts.start);
    let mut table = Vec::new();

    reset_peak();
    let t = Instant::now();
    let r = import::import_folder(&ctx, &folder).await?;
    table.push(("import", r.rows(), t.elapsed().as_secs_f64(), peak_mib()));

    reset_peak();
    let t = Instant::now();
    commissions::run(&ctx, period).await?;
    let rows = gen.rows("igaming_activity.csv").unwrap_or(0)
        + gen.rows("trades.csv").unwrap_or(0)
        + gen.rows("purchases.csv").unwrap_or(0);
    table.push((
        "full run, one month",
        rows,
        t.elapsed().as_secs_f64(),
        peak_mib(),
    ));

    let extra = tmp.join("extra");
    let day = gen.last_day.succ_opt().unwrap_or(gen.last_day);
    let extra_report = partnerdesk_gen::generate_extra_day(&opts, &extra, day)
        .map_err(|e| AppError::Refused(e.to_string()))?;
    reset_peak();
    let t = Instant::now();
    let r = import::import_folder(&ctx, &extra).await?;
    table.push((
        "import one more day",
        r.rows(),
        t.elapsed().as_secs_f64(),
        peak_mib(),
    ));
    reset_peak();
    let t = Instant::now();
    commissions::run(&ctx, Period::of(day)).await?;
    table.push((
        "incremental run after one more day",
        extra_report.total_rows(),
        t.elapsed().as_secs_f64(),
        peak_mib(),
    ));

    // The same again without stored engine states: every period from the
    // first, which is what a run did before incremental runs existed.
    let day2 = day.succ_opt().unwrap_or(day);
    let extra2 = tmp.join("extra2");
    let extra2_report = partnerdesk_gen::generate_extra_day(&opts, &extra2, day2)
        .map_err(|e| AppError::Refused(e.to_string()))?;
    import::import_folder(&ctx, &extra2).await?;
    let mut tx = ctx.store.begin().await?;
    partnerdesk_store::commissions::drop_engine_states(&mut tx).await?;
    tx.commit().await?;
    reset_peak();
    let t = Instant::now();
    commissions::run(&ctx, Period::of(day2)).await?;
    table.push((
        "for comparison: the same run from the first period (no stored states)",
        extra2_report.total_rows(),
        t.elapsed().as_secs_f64(),
        peak_mib(),
    ));

    println!(
        "| step ({}) | rows | seconds | rows/s | peak memory |",
        ctx.store.backend().as_str()
    );
    println!("|---|---:|---:|---:|---:|");
    for (step, rows, s, mem) in table {
        println!(
            "| {step} | {rows} | {s:.2} | {:.0} | {mem} MiB |",
            rows as f64 / s.max(1e-9)
        );
    }
    Ok(())
}
