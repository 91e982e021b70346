//! Runs, closing, late data as adjustments, and the generated-data end to end
//! on both backends.

use crate::on_both_backends;
use crate::support::{example_folders, Kind, TestDb};
use partnerdesk_app::{commissions, import};
use partnerdesk_domain::Period;

fn p(s: &str) -> Period {
    Period::parse("period", s).unwrap()
}

async fn exporting_an_uncomputed_or_stale_period_says_to_run_it(db: &TestDb) {
    let ctx = &db.ctx;
    let e = commissions::export_csv(ctx, p("2026-07"))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("has not been computed") && e.contains("commissions run --period 2026-07"),
        "{e}"
    );
    import::import_folder(ctx, &example_folders()[0])
        .await
        .unwrap();
    commissions::run(ctx, p("2026-07")).await.unwrap();
    assert!(commissions::export_csv(ctx, p("2026-07")).await.is_ok());
    let e = commissions::export_csv(ctx, p("2026-08"))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("has not been computed"),
        "a run through July computes nothing after it: {e}"
    );
}

async fn closed_periods_never_change_and_late_data_becomes_an_adjustment(db: &TestDb) {
    let ctx = &db.ctx;
    let folder = &example_folders()[0];
    import::import_folder(ctx, folder).await.unwrap();
    commissions::run(ctx, p("2026-08")).await.unwrap();
    let july = commissions::export_csv(ctx, p("2026-07")).await.unwrap();
    commissions::close(ctx, p("2026-07")).await.unwrap();
    let e = commissions::close(ctx, p("2026-07"))
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("already closed"), "{e}");

    // Late data for July: a big day of bets for an attributed customer.
    let dir = tempfile::tempdir().unwrap();
    let customers = std::fs::read_to_string(folder.join("customers.csv")).unwrap();
    let attributed = customers
        .lines()
        .skip(1)
        .find(|l| l.contains(",CAS,bt-") && l.ends_with(",active"))
        .expect("an attributed CAS customer")
        .split(',')
        .next()
        .unwrap()
        .to_string();
    std::fs::write(
        dir.path().join("igaming_activity.csv"),
        format!("customer_id,brand_id,date,deposits,withdrawals,bets,wins,bonuses,chargebacks,taxes\n{attributed},CAS,2026-07-30,500.00,0.00,90000.00,0.00,0.00,0.00,0.00\n"),
    )
    .unwrap();
    import::import_folder(ctx, dir.path()).await.unwrap();
    let r = commissions::run(ctx, p("2026-08")).await.unwrap();
    assert!(
        r.adjustments > 0,
        "the late July data is booked in August: {r:?}"
    );
    assert_eq!(
        commissions::export_csv(ctx, p("2026-07")).await.unwrap(),
        july,
        "closed July is unchanged"
    );
    let august = commissions::computed_lines(ctx, p("2026-08"))
        .await
        .unwrap();
    let adj: Vec<_> = august
        .iter()
        .filter(|l| l.line.kind == partnerdesk_domain::commission::Kind::Adjustment)
        .collect();
    assert!(!adj.is_empty(), "an adjustment line exists in August");
    assert!(
        adj.iter().all(|l| l.origin_period == "2026-07"),
        "adjustments name the closed period they book"
    );
    let export = commissions::export_csv(ctx, p("2026-08")).await.unwrap();
    assert!(
        !export.contains("adjustment"),
        "adjustments are not in the canonical export"
    );
    // Running again books nothing twice.
    commissions::run(ctx, p("2026-08")).await.unwrap();
    let again = commissions::computed_lines(ctx, p("2026-08"))
        .await
        .unwrap();
    assert_eq!(
        again
            .iter()
            .filter(|l| l.line.kind == partnerdesk_domain::commission::Kind::Adjustment)
            .count(),
        adj.len()
    );
    let e = commissions::close(ctx, p("2026-09"))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("has not been computed") || e.contains("still open"),
        "{e}"
    );
}

async fn export(db: &TestDb, folder: &std::path::Path) -> String {
    import::import_folder(&db.ctx, folder).await.unwrap();
    commissions::run(&db.ctx, p("2026-07")).await.unwrap();
    commissions::export_csv(&db.ctx, p("2026-07"))
        .await
        .unwrap()
}

/// `gen --scale S` → import → run → export, on SQLite and on PostgreSQL, byte-identical.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_scale_s_exports_the_same_on_both_backends() {
    let dir = tempfile::tempdir().unwrap();
    let opts = partnerdesk_gen::GenOptions {
        scale: partnerdesk_gen::Scale::S,
        ..Default::default()
    };
    partnerdesk_gen::generate(&opts, dir.path(), &mut |_, _, _| {}).unwrap();
    let sqlite = TestDb::new(Kind::Sqlite, "gen_s").await.unwrap();
    let a = export(&sqlite, dir.path()).await;
    sqlite.finish().await;
    assert!(a.lines().count() > 500, "scale S yields many lines");
    for kind in [
        "cpa",
        "revshare",
        "lot_rebate",
        "spread_share",
        "purchase_share",
        "sub_override",
    ] {
        assert!(a.contains(&format!(",{kind},")), "scale S exercises {kind}");
    }
    if let Some(pg) = TestDb::new(Kind::Postgres, "gen_s").await {
        let b = export(&pg, dir.path()).await;
        pg.finish().await;
        assert!(a == b, "SQLite and PostgreSQL exports differ");
    }
}

on_both_backends!(
    exporting_an_uncomputed_or_stale_period_says_to_run_it,
    closed_periods_never_change_and_late_data_becomes_an_adjustment
);
