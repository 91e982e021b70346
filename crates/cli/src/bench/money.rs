//! `partnerdesk bench money`: generate a scale, import it, run one month,
//! then one more day incrementally (and, for comparison, from the first period).

use super::measure::{generate_scale, peak_mib, reset_peak};
use partnerdesk_app::{commissions, import, AppError};
use partnerdesk_domain::Period;
use std::time::Instant;

pub async fn bench_money(url: &str, scale: &str, tmp: &std::path::Path) -> Result<(), AppError> {
    let (opts, folder, gen) = generate_scale(scale, tmp)?;
    let ctx = crate::open::context(&Some(url.to_string())).await?;
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

    outln!(
        "| step ({}) | rows | seconds | rows/s | peak memory |",
        ctx.store.backend().as_str()
    );
    outln!("|---|---:|---:|---:|---:|");
    for (step, rows, s, mem) in table {
        outln!(
            "| {step} | {rows} | {s:.2} | {:.0} | {mem} MiB |",
            rows as f64 / s.max(1e-9)
        );
    }
    Ok(())
}
