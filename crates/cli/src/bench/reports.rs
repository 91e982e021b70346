//! `partnerdesk bench reports`: generate a scale, import it (timing what
//! keeping the roll-ups current adds), run its month, then time the
//! dashboard's queries and reports over one month (median of 5).

use super::measure::{generate_scale, median};
use partnerdesk_app::reports::dashboard::{dashboard, DashboardQuery};
use partnerdesk_app::{commissions, import, reports, AppError};
use partnerdesk_domain::report::{Dim, Measure, ReportSpec};
use partnerdesk_domain::{CurrencyCode, Period};
use std::time::Instant;

pub async fn bench_reports(url: &str, scale: &str, tmp: &std::path::Path) -> Result<(), AppError> {
    let (opts, folder, _) = generate_scale(scale, tmp)?;
    let mut table: Vec<(String, String)> = Vec::new();
    // The import alone, into a database of its own (SQLite, as the bench's
    // own database), deleted before the import that keeps the roll-ups.
    let alone = if url.starts_with("sqlite:") {
        let file = tmp.join("alone.db");
        let other = crate::open::context(&Some(format!("sqlite:{}", file.display()))).await?;
        let t = Instant::now();
        let r = import::import_folder_without_rollups(&other, &folder).await?;
        let secs = t.elapsed().as_secs_f64();
        table.push((
            format!(
                "import of {} rows alone (roll-ups only marked stale)",
                r.rows()
            ),
            format!("{secs:.2} s"),
        ));
        other.store.close().await;
        drop(other);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(tmp.join(format!("alone.db{suffix}")));
        }
        Some(secs)
    } else {
        None
    };
    let ctx = crate::open::context(&Some(url.to_string())).await?;
    let period = Period::of(opts.start);

    let t = Instant::now();
    let r = import::import_folder(&ctx, &folder).await?;
    let total = t.elapsed().as_secs_f64();
    table.push((
        format!("import of {} rows, roll-ups kept current", r.rows()),
        match alone {
            Some(a) => format!(
                "{total:.2} s (+{:.1}% over the import alone)",
                100.0 * (total - a) / a
            ),
            None => format!("{total:.2} s"),
        },
    ));
    table.push((
        "of which writing the roll-ups (after the rows)".into(),
        format!("{:.2} s", r.rollup_seconds),
    ));
    let t = Instant::now();
    commissions::run(&ctx, period).await?;
    errln!("ran {period} in {:.1} s", t.elapsed().as_secs_f64());

    let first = period.first_day();
    let last = period.last_day();
    let eur = CurrencyCode::parse("currency", "EUR")?;
    let q = DashboardQuery {
        from: first.to_string(),
        to: last.to_string(),
        brand: None,
        currency: "EUR".into(),
    };
    let ms = timed(|| async { dashboard(&ctx, &q).await.map(|_| ()) }).await?;
    table.push((
        "dashboard, one month (all its queries)".into(),
        format!("{ms:.0} ms"),
    ));

    let by_partner = ReportSpec {
        from: first,
        to: last,
        by: vec![Dim::Partner],
        measures: vec![
            Measure::Registrations,
            Measure::Ftds,
            Measure::Deposits,
            Measure::NetGaming,
            Measure::Lots,
            Measure::Purchases,
            Measure::Commission,
            Measure::CostPerFtd,
        ],
        brand: None,
        partner: None,
        tree: None,
        currency: Some(eur),
    };
    let rows = reports::report(&ctx, &by_partner).await?.rows.len();
    let ms = timed(|| async { reports::report(&ctx, &by_partner).await.map(|_| ()) }).await?;
    table.push((
        format!("report, one month by partner ({rows} rows)"),
        format!("{ms:.0} ms"),
    ));
    // Money measures alone: the lines' amounts and the CPA qualifiers,
    // without the slices the report above also reads.
    let money_only = ReportSpec {
        measures: vec![Measure::Commission, Measure::QualifiedCpas],
        currency: None,
        ..by_partner.clone()
    };
    let rows = reports::report(&ctx, &money_only).await?.rows.len();
    let ms = timed(|| async { reports::report(&ctx, &money_only).await.map(|_| ()) }).await?;
    table.push((
        format!("report, one month by partner, commission and qualified_cpas only ({rows} rows)"),
        format!("{ms:.0} ms"),
    ));
    let by_day_brand = ReportSpec {
        by: vec![Dim::Day, Dim::Brand],
        measures: vec![
            Measure::Registrations,
            Measure::Ftds,
            Measure::Deposits,
            Measure::NetGaming,
            Measure::Trades,
            Measure::Lots,
            Measure::PurchaseAmount,
        ],
        currency: None,
        ..by_partner.clone()
    };
    let rows = reports::report(&ctx, &by_day_brand).await?.rows.len();
    let ms = timed(|| async { reports::report(&ctx, &by_day_brand).await.map(|_| ()) }).await?;
    table.push((
        format!("report, one month by day × brand ({rows} rows)"),
        format!("{ms:.0} ms"),
    ));
    let by_tree = ReportSpec {
        by: vec![Dim::Tree],
        measures: vec![Measure::Registrations, Measure::Ftds, Measure::Deposits],
        currency: Some(eur),
        ..by_partner.clone()
    };
    let rows = reports::report(&ctx, &by_tree).await?.rows.len();
    let ms = timed(|| async { reports::report(&ctx, &by_tree).await.map(|_| ()) }).await?;
    table.push((
        format!("report, one month by tree ({rows} rows)"),
        format!("{ms:.0} ms"),
    ));

    println!(
        "| reports at {} ({}) | time |",
        opts.scale,
        ctx.store.backend().as_str()
    );
    println!("|---|---:|");
    for (step, v) in table {
        println!("| {step} | {v} |");
    }
    Ok(())
}

/// The median of 5 runs, in milliseconds.
async fn timed<F, Fut>(f: F) -> Result<f64, AppError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<(), AppError>>,
{
    let mut v = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        f().await?;
        v.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(median(v))
}
