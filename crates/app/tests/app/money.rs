//! Runs, closing, late data as adjustments, and the generated-data end to end
//! on both backends.

use crate::on_both_backends;
use crate::support::{example_folders, Kind, TestDb};
use partnerdesk_app::{commissions, import};
use partnerdesk_domain::Period;

pub(crate) fn p(s: &str) -> Period {
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
        adj.iter().all(|l| l.origin_period == Some(p("2026-07"))),
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

/// Imports `folder` and runs through September on both databases: `inc` as
/// runs go (resuming from stored engine states), `full` after forgetting its
/// states (every period computed from the first, as before states existed).
/// Every stored line of every period must be the same.
async fn step(
    inc: &TestDb,
    full: &TestDb,
    folder: Option<&std::path::Path>,
    what: &str,
) -> commissions::RunReport {
    if let Some(folder) = folder {
        for db in [inc, full] {
            import::import_folder(&db.ctx, folder).await.unwrap();
        }
    }
    let r = commissions::run(&inc.ctx, p("2026-09")).await.unwrap();
    let mut tx = full.ctx.store.begin().await.unwrap();
    partnerdesk_store::commissions::drop_engine_states(&mut tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let f = commissions::run(&full.ctx, p("2026-09")).await.unwrap();
    assert_eq!(
        f.resumed_at, None,
        "{what}: the reference computes from the first period"
    );
    assert!(
        !f.customers_from_image,
        "{what}: the reference reads every customer"
    );
    assert_eq!(r.adjustments, f.adjustments, "{what}: adjustments booked");
    assert_eq!(r.pending_adjustments, f.pending_adjustments, "{what}");
    assert_eq!(r.periods.len(), f.periods.len(), "{what}");
    for period in ["2026-07", "2026-08", "2026-09"] {
        let a = inc
            .ctx
            .store
            .read()
            .await
            .unwrap()
            .period_lines(p(period))
            .await
            .unwrap();
        let b = full
            .ctx
            .store
            .read()
            .await
            .unwrap()
            .period_lines(p(period))
            .await
            .unwrap();
        assert!(!b.is_empty(), "{what}: {period} has lines");
        assert!(
            a == b,
            "{what}: the lines of {period} differ from a full recompute"
        );
        assert_eq!(
            commissions::export_csv(&inc.ctx, p(period)).await.unwrap(),
            commissions::export_csv(&full.ctx, p(period)).await.unwrap(),
            "{what}: canonical export of {period}"
        );
    }
    r
}

/// An active customer of the iGaming brand CAS with a tracking code, registered before July.
fn attributed_casino_customer(folder: &std::path::Path) -> String {
    let customers = std::fs::read_to_string(folder.join("customers.csv")).unwrap();
    customers
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|f| f[1] == "CAS" && !f[2].is_empty() && f[4] < "2026-07" && f[5] == "active")
        .expect("an attributed, active CAS customer registered before July")[0]
        .to_string()
}

/// The active, attributed CAS customer registered last, with the time of
/// registration.
fn newest_casino_customer(folder: &std::path::Path) -> (String, String) {
    let customers = std::fs::read_to_string(folder.join("customers.csv")).unwrap();
    customers
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| f[1] == "CAS" && !f[2].is_empty() && f[5] == "active")
        .max_by_key(|f| f[4])
        .map(|f| (f[0].to_string(), f[4].to_string()))
        .expect("an attributed, active CAS customer")
}

fn late_day(dir: &std::path::Path, customer: &str, date: &str, bets: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("igaming_activity.csv"),
        format!("customer_id,brand_id,date,deposits,withdrawals,bets,wins,bonuses,chargebacks,taxes\n{customer},CAS,{date},250.00,0.00,{bets},0.00,0.00,0.00,0.00\n"),
    )
    .unwrap();
}

/// Generated data over July 1 – September 14, then more data in the open
/// period, late data for closed periods and for an open earlier one: after
/// each change an incremental run stores exactly the lines (explanations and
/// adjustments included) of a computation from the first period.
async fn incremental_runs_give_the_lines_of_a_full_recompute(inc: &TestDb) {
    let kind = if inc.url.starts_with("sqlite:") {
        Kind::Sqlite
    } else {
        Kind::Postgres
    };
    let full = TestDb::new(kind, "incremental_reference")
        .await
        .expect("the same backend again");
    let dir = tempfile::tempdir().unwrap();
    let opts = partnerdesk_gen::GenOptions {
        scale: partnerdesk_gen::Scale::Custom {
            partners: 150,
            customers: 2_500,
            days: 76,
        },
        ..Default::default()
    };
    let main = dir.path().join("main");
    let gen = partnerdesk_gen::generate(&opts, &main, &mut |_, _, _| {}).unwrap();
    assert_eq!(gen.last_day.to_string(), "2026-09-14");
    let customer = attributed_casino_customer(&main);

    let r = step(inc, &full, Some(&main), "first run").await;
    assert_eq!(r.resumed_at, None);
    assert!(!r.customers_from_image, "no image before the first run");

    // One more day in the open period: only September is computed.
    let day = |n: u32| {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 9, n).unwrap();
        let out = dir.path().join(format!("day-{n}"));
        partnerdesk_gen::generate_extra_day(&opts, &out, d).unwrap();
        out
    };
    let r = step(inc, &full, Some(&day(15)), "one more day").await;
    assert_eq!(r.resumed_at.as_deref(), Some("2026-09"), "{r:?}");
    // Only the purchases of customers with a purchase or a refund from
    // September on were read (the generated refunds come up to 25 days
    // after the purchase, so some are of August's purchases).
    let purchases = inc.ctx.store.purchases().await.unwrap();
    let from_sep = |t: &chrono::DateTime<chrono::Utc>| Period::of(t.date_naive()) >= p("2026-09");
    let touching = purchases
        .iter()
        .filter(|p| {
            purchases.iter().any(|q| {
                q.customer_id == p.customer_id
                    && (from_sep(&q.purchased_at) || q.refunded_at.as_ref().is_some_and(from_sep))
            })
        })
        .count();
    assert!(
        purchases
            .iter()
            .any(|q| !from_sep(&q.purchased_at) && q.refunded_at.as_ref().is_some_and(from_sep)),
        "an August purchase refunded in September"
    );
    assert_eq!(r.purchases_read, touching, "{r:?}");
    assert!(
        touching < purchases.len(),
        "{touching} of {}",
        purchases.len()
    );
    assert!(r.periods.iter().take(2).all(|o| !o.changed));
    assert!(
        r.customers_from_image,
        "no customer changed: the first run's image is used {r:?}"
    );

    // Nothing new: nothing computed.
    let r = commissions::run(&inc.ctx, p("2026-09")).await.unwrap();
    assert!(r.up_to_date, "{r:?}");

    // Stored states that cannot be restored: the run reads September's rows
    // ahead for nothing and computes everything from July, with the same lines.
    {
        let store = &inc.ctx.store;
        let periods = store
            .read()
            .await
            .unwrap()
            .engine_state_periods()
            .await
            .unwrap();
        assert!(!periods.is_empty());
        let mut tx = store.begin().await.unwrap();
        for period in periods {
            partnerdesk_store::commissions::save_engine_state(&mut tx, p(&period), b"not a state")
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
    }
    let r = step(inc, &full, Some(&day(16)), "unusable stored states").await;
    assert_eq!(r.resumed_at, None, "{r:?}");
    assert_eq!(r.periods.len(), 3, "{r:?}");
    assert!(
        !r.periods[0].changed && !r.periods[1].changed,
        "July and August come out as stored: {r:?}"
    );

    // Late data for an open earlier period: August and September are computed.
    late_day(
        &dir.path().join("late-aug"),
        &customer,
        "2026-08-20",
        "40000.00",
    );
    let r = step(
        inc,
        &full,
        Some(&dir.path().join("late-aug")),
        "late August data",
    )
    .await;
    assert_eq!(r.resumed_at.as_deref(), Some("2026-08"), "{r:?}");

    // Close July, then late data for it: a full recompute books an adjustment in August.
    for db in [inc, &full] {
        commissions::close(&db.ctx, p("2026-07")).await.unwrap();
    }
    late_day(
        &dir.path().join("late-jul"),
        &customer,
        "2026-07-30",
        "90000.00",
    );
    let r = step(
        inc,
        &full,
        Some(&dir.path().join("late-jul")),
        "late July data",
    )
    .await;
    assert_eq!(
        r.resumed_at, None,
        "July changed: everything from July is computed"
    );
    assert!(r.adjustments > 0, "{r:?}");

    // Close August; more late July data is booked in September.
    for db in [inc, &full] {
        commissions::close(&db.ctx, p("2026-08")).await.unwrap();
    }
    late_day(
        &dir.path().join("late-jul-2"),
        &customer,
        "2026-07-29",
        "70000.00",
    );
    let r = step(
        inc,
        &full,
        Some(&dir.path().join("late-jul-2")),
        "more late July data",
    )
    .await;
    assert!(r.adjustments > 0, "{r:?}");

    // Late data for closed August: July (closed, unchanged) is not computed and
    // its adjustment already booked in September stays; August's is added.
    late_day(
        &dir.path().join("late-aug-2"),
        &customer,
        "2026-08-21",
        "60000.00",
    );
    let r = step(
        inc,
        &full,
        Some(&dir.path().join("late-aug-2")),
        "late data for closed August",
    )
    .await;
    assert_eq!(r.resumed_at.as_deref(), Some("2026-08"), "{r:?}");
    let sep = inc
        .ctx
        .store
        .read()
        .await
        .unwrap()
        .period_lines(p("2026-09"))
        .await
        .unwrap();
    for origin in ["2026-07", "2026-08"] {
        assert!(
            sep.iter().any(|l| l.origin_period == Some(p(origin))),
            "September books late data of {origin}"
        );
    }

    // And one more day after that.
    let r = step(inc, &full, Some(&day(16)), "another day").await;
    assert_eq!(r.resumed_at.as_deref(), Some("2026-09"), "{r:?}");

    // A customer registered in September is excluded: July and August keep
    // their states, but the customer image is out of date (it says the
    // customer earns) and is not used; the lines are those of a full
    // recompute, and September's change.
    let excluded = newest_casino_customer(&main);
    assert!(excluded.1.as_str() >= "2026-09", "{excluded:?}");
    let before = commissions::export_csv(&inc.ctx, p("2026-09"))
        .await
        .unwrap();
    for db in [inc, &full] {
        partnerdesk_app::compliance::set_customer_status_checked(
            &db.ctx,
            &excluded.0,
            "excluded",
            "self-excluded",
        )
        .await
        .unwrap();
    }
    let r = step(inc, &full, None, "a September customer excluded").await;
    assert_eq!(r.resumed_at.as_deref(), Some("2026-09"), "{r:?}");
    assert!(!r.customers_from_image, "{r:?}");
    let after = commissions::export_csv(&inc.ctx, p("2026-09"))
        .await
        .unwrap();
    assert_ne!(before, after, "excluding {excluded:?} changes September");
    // The image written by that run serves the next one.
    let r = step(inc, &full, Some(&day(17)), "a day after the exclusion").await;
    assert!(r.customers_from_image, "{r:?}");

    // An image that cannot be read: the customers are read instead, and the
    // next run has a good image again.
    let stamp = inc
        .ctx
        .store
        .read()
        .await
        .unwrap()
        .world_stamp()
        .await
        .unwrap()
        .expect("a stamp");
    inc.ctx
        .store
        .save_customer_image(stamp, b"not an image")
        .await
        .unwrap();
    let r = step(inc, &full, Some(&day(18)), "an unreadable image").await;
    assert!(!r.customers_from_image, "{r:?}");
    assert_eq!(r.resumed_at.as_deref(), Some("2026-09"), "{r:?}");
    let r = step(inc, &full, Some(&day(19)), "after an unreadable image").await;
    assert!(r.customers_from_image, "{r:?}");
    full.finish().await;
}

on_both_backends!(
    exporting_an_uncomputed_or_stale_period_says_to_run_it,
    closed_periods_never_change_and_late_data_becomes_an_adjustment,
    incremental_runs_give_the_lines_of_a_full_recompute
);
