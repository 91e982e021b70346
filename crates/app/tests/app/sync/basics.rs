//! The connectors end to end on both backends, every transient fault, a
//! run killed mid-way and resumed, cancelling, bad records and bad
//! connections, and MT5's two ways of listing deals.

use super::*;
use crate::on_both_backends;
use crate::support::TestDb;
use partnerdesk_app::sync::{self, ConnectionInput};
use partnerdesk_sim::data::Deal;
use serde_json::json;
use std::sync::atomic::Ordering;
use std::time::Duration;

async fn mt5_end_to_end(db: &TestDb) {
    let ctx = ctx_of(db);
    let sim = sim_with(data()).await;
    brand(&ctx, "FX", "forex").await;
    let added = sync::add(&ctx, mt5_input(&sim.url(), "manager-pass"))
        .await
        .unwrap();
    assert_eq!(
        added.kind,
        partnerdesk_domain::sync_run::ConnectionKind::Mt5
    );
    assert!(added.secrets.iter().all(|s| s.stored));
    assert!(
        !added.config.to_string().contains("manager-pass"),
        "no secret in the stored config"
    );
    let stored: (String,) = sqlx::query_as("SELECT config FROM connections WHERE name = 'mt5'")
        .fetch_one(ctx.store.pool())
        .await
        .unwrap();
    assert!(!stored.0.contains("manager-pass"));

    let said = sync::test(&ctx, "mt5").await.unwrap();
    assert!(said.contains("signed in"), "{said}");

    let run = sync::run(&ctx, "mt5", fast()).await.unwrap();
    let errors = sync::run_errors(&ctx, run.run_id, 10).await.unwrap();
    assert_eq!(run.status.as_str(), "ok", "{run:?} {errors:?}");
    let accounts = sim.sim.data.accounts.len() as i64;
    let trades = sim.sim.data.trades as i64;
    assert!(trades > 50, "the data set has trades ({trades})");
    assert_eq!(
        count(&ctx, "SELECT COUNT(*) FROM customers").await,
        accounts
    );
    assert_eq!(count(&ctx, "SELECT COUNT(*) FROM trades").await, trades);
    assert_eq!(run.inserted, accounts + trades);
    assert_eq!(run.errors, 0);
    // Volumes in 1/10,000 lot came back as lots; symbols found their groups.
    let metals = count(
        &ctx,
        "SELECT COUNT(*) FROM trades WHERE symbol LIKE 'XAU%' AND instrument_group <> 'metals'",
    )
    .await;
    assert_eq!(metals, 0, "XAUUSD and XAUUSD.m are metals");
    let (lots,): (String,) = sqlx::query_as("SELECT lots FROM trades ORDER BY trade_id LIMIT 1")
        .fetch_one(ctx.store.pool())
        .await
        .unwrap();
    assert!(
        lots.parse::<f64>().unwrap() < 1000.0,
        "lots, not volume units: {lots}"
    );
    let opened_after_closed = count(
        &ctx,
        "SELECT COUNT(*) FROM trades WHERE open_time > close_time",
    )
    .await;
    assert_eq!(opened_after_closed, 0);
    assert!(
        stored_trades(&ctx).await == expected_trades(),
        "the trades are the import folder's trades.csv"
    );

    // A re-sync of the same range changes nothing.
    let before = fingerprint(&ctx).await;
    let version = ctx
        .store
        .read()
        .await
        .unwrap()
        .meta_get("data_version")
        .await
        .unwrap();
    let mut tx = ctx.store.begin().await.unwrap();
    partnerdesk_store::sync::reset_cursors(&mut tx, "mt5")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let again = sync::run(&ctx, "mt5", fast()).await.unwrap();
    assert_eq!((again.inserted, again.updated), (0, 0), "{again:?}");
    assert_eq!(again.skipped, accounts + trades);
    assert_eq!(fingerprint(&ctx).await, before);
    assert_eq!(
        ctx.store
            .read()
            .await
            .unwrap()
            .meta_get("data_version")
            .await
            .unwrap(),
        version,
        "nothing marked for recomputation"
    );

    let history = sync::runs(&ctx, "mt5", 10).await.unwrap();
    assert_eq!(history.len(), 2);
    let listed = sync::list(&ctx).await.unwrap();
    assert_eq!(
        listed[0].last_run.as_ref().map(|r| r.run_id),
        Some(again.run_id)
    );
}

async fn gaming_end_to_end(db: &TestDb) {
    let ctx = ctx_of(db);
    let sim = sim_with(data()).await;
    brand(&ctx, "CAS", "igaming").await;
    sync::add(&ctx, gaming_input(&sim.url())).await.unwrap();
    let run = sync::run(&ctx, "casino", fast()).await.unwrap();
    assert_eq!(run.status.as_str(), "ok", "{run:?}");
    let players = sim.sim.data.players.len() as i64;
    let days = sim.sim.data.activity.len() as i64;
    assert!(days > 100);
    assert_eq!(count(&ctx, "SELECT COUNT(*) FROM customers").await, players);
    assert_eq!(
        count(&ctx, "SELECT COUNT(*) FROM igaming_activity").await,
        days
    );
    // The next run asks only for what changed since (the delta parameter): nothing.
    let next = sync::run(&ctx, "casino", fast()).await.unwrap();
    assert_eq!(
        (next.fetched, next.inserted, next.updated),
        (0, 0, 0),
        "{next:?}"
    );
}

async fn woo_end_to_end(db: &TestDb) {
    let ctx = ctx_of(db);
    let sim = sim_with(data()).await;
    brand(&ctx, "PROP", "prop").await;
    sync::add(&ctx, woo_input(&sim.url())).await.unwrap();
    let run = sync::run(&ctx, "shop", fast()).await.unwrap();
    assert_eq!(run.status.as_str(), "ok", "{run:?}");
    let expected = expected_purchases();
    assert!(expected.len() > 10);
    assert!(
        stored_purchases(&ctx).await == expected,
        "the paid orders are the folder's purchases.csv (refunds included), the unpaid ones nothing"
    );
    let next = sync::run(&ctx, "shop", fast()).await.unwrap();
    assert_eq!((next.inserted, next.updated), (0, 0), "{next:?}");
}

on_both_backends!(mt5_end_to_end, gaming_end_to_end, woo_end_to_end);

/// Syncs all three platforms into a fresh database; answers the fingerprint.
async fn sync_all(url: &str, set_faults: impl Fn()) -> (Vec<String>, Vec<String>) {
    let db = sqlite().await;
    let ctx = ctx_of(&db);
    brand(&ctx, "FX", "forex").await;
    brand(&ctx, "CAS", "igaming").await;
    brand(&ctx, "PROP", "prop").await;
    sync::add(&ctx, mt5_input(url, "manager-pass"))
        .await
        .unwrap();
    sync::add(&ctx, gaming_input(url)).await.unwrap();
    sync::add(&ctx, woo_input(url)).await.unwrap();
    set_faults();
    let mut statuses = Vec::new();
    for name in ["mt5", "casino", "shop"] {
        let r = sync::run(&ctx, name, fast()).await.unwrap();
        statuses.push(r.status.as_str().to_string());
    }
    let f = fingerprint(&ctx).await;
    db.finish().await;
    (f, statuses)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_transient_fault_ends_with_the_data_of_a_clean_run() {
    let sim = sim_with(data()).await;
    let (clean, _) = sync_all(&sim.url(), || {}).await;
    assert!(clean.len() > 500);
    let f = &sim.sim.faults;
    let cases: Vec<(&str, Box<dyn Fn()>)> = vec![
        ("500s", Box::new(|| f.errors_500.store(3, Ordering::SeqCst))),
        (
            "429 + Retry-After",
            Box::new(|| {
                f.retry_after_s.store(1, Ordering::SeqCst);
                f.rate_limited.store(2, Ordering::SeqCst)
            }),
        ),
        (
            "malformed JSON",
            Box::new(|| f.malformed.store(3, Ordering::SeqCst)),
        ),
        (
            "dropped connection",
            Box::new(|| f.dropped.store(3, Ordering::SeqCst)),
        ),
        (
            "duplicated pages",
            Box::new(|| f.duplicate_pages.store(true, Ordering::SeqCst)),
        ),
        (
            "expired MT5 session",
            Box::new(|| f.session_calls.store(2, Ordering::SeqCst)),
        ),
        (
            "slow answers",
            Box::new(|| f.slow_ms.store(30, Ordering::SeqCst)),
        ),
    ];
    for (name, set) in cases {
        let (got, statuses) = sync_all(&sim.url(), set).await;
        assert_eq!(statuses, ["ok", "ok", "ok"], "{name}");
        assert!(got == clean, "{name}: the data differs from a clean run");
        f.duplicate_pages.store(false, Ordering::SeqCst);
        f.session_calls.store(0, Ordering::SeqCst);
        f.slow_ms.store(0, Ordering::SeqCst);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_that_last_stop_with_a_clear_error_and_no_partial_page() {
    let sim = sim_with(data()).await;
    let db = sqlite().await;
    let ctx = ctx_of(&db);
    brand(&ctx, "FX", "forex").await;
    brand(&ctx, "PROP", "prop").await;
    sync::add(&ctx, mt5_input(&sim.url(), "manager-pass"))
        .await
        .unwrap();
    sync::add(&ctx, woo_input(&sim.url())).await.unwrap();

    // HTML instead of JSON: a clear error, nothing written.
    sim.sim.faults.html.store(true, Ordering::SeqCst);
    let e = sync::run(&ctx, "shop", fast())
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("HTML instead of JSON"), "{e}");
    sim.sim.faults.html.store(false, Ordering::SeqCst);
    assert_eq!(count(&ctx, "SELECT COUNT(*) FROM purchases").await, 0);
    let last = &sync::runs(&ctx, "shop", 1).await.unwrap()[0];
    assert_eq!(last.status.as_str(), "failed");
    assert!(last.error.as_deref().unwrap_or("").contains("HTML"));

    // 500s beyond the tries: a clear error naming the status.
    sim.sim.faults.errors_500.store(100, Ordering::SeqCst);
    let e = sync::run(&ctx, "shop", fast())
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("500"), "{e}");
    sim.sim.faults.errors_500.store(0, Ordering::SeqCst);
    assert_eq!(count(&ctx, "SELECT COUNT(*) FROM purchases").await, 0);

    // A Retry-After longer than we wait: stops and says so.
    sim.sim.faults.retry_after_s.store(3600, Ordering::SeqCst);
    sim.sim.faults.rate_limited.store(1, Ordering::SeqCst);
    let e = sync::run(&ctx, "shop", fast())
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("429") && e.contains("Retry-After"), "{e}");
    sim.sim.faults.rate_limited.store(0, Ordering::SeqCst);

    // Malformed JSON every time: a clear error after the tries.
    sim.sim.faults.malformed.store(100, Ordering::SeqCst);
    let e = sync::run(&ctx, "shop", fast())
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("not the JSON expected"), "{e}");
    sim.sim.faults.malformed.store(0, Ordering::SeqCst);
    assert_eq!(count(&ctx, "SELECT COUNT(*) FROM purchases").await, 0);

    // And then it works.
    let ok = sync::run(&ctx, "shop", fast()).await.unwrap();
    assert_eq!(ok.status.as_str(), "ok");
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_killed_mid_way_resumes_to_the_data_of_an_uninterrupted_run() {
    let sim = sim_with(data()).await;
    let (uninterrupted, _) = sync_all(&sim.url(), || {}).await;

    let db = sqlite().await;
    let ctx = ctx_of(&db);
    brand(&ctx, "FX", "forex").await;
    brand(&ctx, "CAS", "igaming").await;
    brand(&ctx, "PROP", "prop").await;
    sync::add(&ctx, mt5_input(&sim.url(), "manager-pass"))
        .await
        .unwrap();
    sync::add(&ctx, gaming_input(&sim.url())).await.unwrap();
    sync::add(&ctx, woo_input(&sim.url())).await.unwrap();
    sim.sim.faults.slow_ms.store(120, Ordering::SeqCst);
    for name in ["mt5", "casino", "shop"] {
        // Killed at an arbitrary point: the task is dropped mid-request or mid-write.
        let c = ctx.clone();
        let n = name.to_string();
        let task = tokio::spawn(async move { sync::run(&c, &n, fast()).await });
        tokio::time::sleep(Duration::from_millis(200)).await;
        task.abort();
        let _ = task.await;
    }
    sim.sim.faults.slow_ms.store(0, Ordering::SeqCst);
    let partial = fingerprint(&ctx).await;
    assert!(
        partial.len() < uninterrupted.len(),
        "the kill came before the end"
    );
    for name in ["mt5", "casino", "shop"] {
        let r = sync::run(&ctx, name, fast()).await.unwrap();
        assert_eq!(r.status.as_str(), "ok");
        let history = sync::runs(&ctx, name, 5).await.unwrap();
        assert_eq!(
            history[1].status.as_str(),
            "interrupted",
            "{name}: {history:?}"
        );
    }
    assert!(
        fingerprint(&ctx).await == uninterrupted,
        "resumed data equals an uninterrupted run"
    );
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_keeps_stored_pages_and_says_so() {
    let sim = sim_with(data()).await;
    sim.sim.faults.slow_ms.store(50, Ordering::SeqCst);
    let db = sqlite().await;
    let ctx = ctx_of(&db);
    brand(&ctx, "CAS", "igaming").await;
    sync::add(&ctx, gaming_input(&sim.url())).await.unwrap();
    let options = fast();
    let cancel = options.cancel.clone();
    let c = ctx.clone();
    let task = tokio::spawn(async move { sync::run(&c, "casino", options).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    cancel.cancel();
    let e = task.await.unwrap().unwrap_err().to_string();
    assert!(e.contains("cancelled"), "{e}");
    let last = &sync::runs(&ctx, "casino", 1).await.unwrap()[0];
    assert_eq!(last.status.as_str(), "cancelled");
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_records_are_reported_and_good_ones_kept() {
    let mut d = data();
    let accounts = d.accounts.len() as i64;
    d.deals.push(Deal {
        ticket: 9_999_999,
        login: 424_242,
        time_msc: 1_783_000_000_000,
        action: 0,
        entry: 1,
        symbol: "EURUSD".into(),
        volume_ext: 100_000_000,
        position: 888_888,
        commission: Default::default(),
    });
    d.deals.sort_by_key(|x| (x.time_msc, x.ticket));
    d.activity[0].amounts[0] = "12,50".into();
    let sim = sim_with(d).await;
    let db = sqlite().await;
    let ctx = ctx_of(&db);
    brand(&ctx, "FX", "forex").await;
    brand(&ctx, "CAS", "igaming").await;
    sync::add(&ctx, mt5_input(&sim.url(), "manager-pass"))
        .await
        .unwrap();
    sync::add(&ctx, gaming_input(&sim.url())).await.unwrap();

    let run = sync::run(&ctx, "mt5", fast()).await.unwrap();
    assert_eq!(run.status.as_str(), "ok_with_errors");
    assert_eq!(
        count(&ctx, "SELECT COUNT(*) FROM customers").await,
        accounts
    );
    let errors = sync::run_errors(&ctx, run.run_id, 100).await.unwrap();
    let text = format!("{errors:?}");
    assert!(
        text.contains("deal 9999999") && text.contains("opening deal is not in the synced range"),
        "a deal closing a position never opened: {text}"
    );
    assert!(count(&ctx, "SELECT COUNT(*) FROM trades").await > 0);

    let run = sync::run(&ctx, "casino", fast()).await.unwrap();
    assert_eq!(run.status.as_str(), "ok_with_errors");
    let errors = sync::run_errors(&ctx, run.run_id, 100).await.unwrap();
    let text = format!("{errors:?}");
    assert!(text.contains("'12,50' is not an amount"), "{text}");
    assert!(count(&ctx, "SELECT COUNT(*) FROM igaming_activity").await > 100);
    // Neither bad record is lost: both wait in the retry list with their reason.
    let waiting = sync::pending(&ctx, "casino", 100).await.unwrap();
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert!(waiting[0].reason.contains("'12,50' is not an amount"));
    let waiting = sync::pending(&ctx, "mt5", 100).await.unwrap();
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert_eq!(waiting[0].record_key, "mt5-9999999");
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_connections_are_refused_clearly() {
    let sim = sim_with(data()).await;
    let db = sqlite().await;
    let ctx = ctx_of(&db);
    brand(&ctx, "FX", "forex").await;

    // Wrong credentials: authentication failed, nothing written.
    sync::add(&ctx, mt5_input(&sim.url(), "wrong"))
        .await
        .unwrap();
    let e = sync::test(&ctx, "mt5").await.unwrap_err().to_string();
    assert!(e.contains("authentication failed"), "{e}");
    let e = sync::run(&ctx, "mt5", fast())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("authentication failed") && e.contains("password"),
        "{e}"
    );
    assert_eq!(count(&ctx, "SELECT COUNT(*) FROM customers").await, 0);

    // Not HTTP(S).
    let mut bad = mt5_input("ftp://127.0.0.1/", "x");
    bad.name = "ftp".into();
    let e = sync::add(&ctx, bad).await.unwrap_err();
    assert_eq!(e.code(), "invalid");
    assert!(e.to_string().contains("not an HTTP(S) URL"), "{e}");
    // Unknown brand, missing secret, unknown kind.
    let mut bad = mt5_input(&sim.url(), "x");
    bad.name = "nobrand".into();
    bad.config["brand_id"] = json!("NOPE");
    assert!(sync::add(&ctx, bad)
        .await
        .unwrap_err()
        .to_string()
        .contains("Brands"));
    let mut bad = mt5_input(&sim.url(), "");
    bad.name = "nosecret".into();
    assert!(sync::add(&ctx, bad)
        .await
        .unwrap_err()
        .to_string()
        .contains("password"));
    let bad = ConnectionInput {
        name: "what".into(),
        config: json!({"kind": "ftp"}),
        ..Default::default()
    };
    assert!(sync::add(&ctx, bad)
        .await
        .unwrap_err()
        .to_string()
        .contains("kind"));
    // Nothing listens here: a clear network error.
    let mut gone = mt5_input("http://127.0.0.1:9/", "manager-pass");
    gone.name = "gone".into();
    sync::add(&ctx, gone).await.unwrap();
    let e = sync::test(&ctx, "gone").await.unwrap_err().to_string();
    assert!(e.contains("cannot reach"), "{e}");
    db.finish().await;
}

/// The MT5 deals of one sync with `deals_api` set (and the simulator's
/// get_batch switched off or not); answers the fingerprint and the run.
async fn mt5_with(url: &str, deals_api: &str) -> (Vec<String>, sync::SyncRunView) {
    let db = sqlite().await;
    let ctx = ctx_of(&db);
    brand(&ctx, "FX", "forex").await;
    let mut input = mt5_input(url, "manager-pass");
    input.config["deals_api"] = json!(deals_api);
    input.config["deal_page_size"] = json!(7);
    input.config["window_hours"] = json!(24 * 60);
    sync::add(&ctx, input).await.unwrap();
    let run = sync::run(&ctx, "mt5", fast()).await;
    let f = fingerprint(&ctx).await;
    db.finish().await;
    match run {
        Ok(r) => (f, r),
        Err(e) => panic!("deals_api {deals_api}: {e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt5_deals_by_get_total_and_get_page_equal_get_batch() {
    let sim = sim_with(data()).await;
    let (batch, run) = mt5_with(&sim.url(), "batch").await;
    assert_eq!(run.status.as_str(), "ok");
    let trades = sim.sim.data.trades as usize;
    assert!(
        trades > 50 && batch.len() > trades,
        "the data set has trades"
    );

    // get_total + get_page per login, 7 deals a page.
    let before = sim.sim.stats.requests.load(Ordering::SeqCst);
    let (pages, run) = mt5_with(&sim.url(), "pages").await;
    assert_eq!(run.status.as_str(), "ok", "{run:?}");
    assert!(pages == batch, "paged deals give the data of get_batch");
    let asked = sim.sim.stats.requests.load(Ordering::SeqCst) - before;
    assert!(
        asked as usize > trades / 7,
        "the deals came page by page ({asked} requests)"
    );

    // Pages that repeat every deal change nothing.
    sim.sim.faults.duplicate_pages.store(true, Ordering::SeqCst);
    let (twice, _) = mt5_with(&sim.url(), "pages").await;
    sim.sim
        .faults
        .duplicate_pages
        .store(false, Ordering::SeqCst);
    assert!(twice == batch, "repeated deals in pages are taken once");

    // A server without get_batch: auto pages, batch says what is wrong.
    sim.sim.faults.no_deal_batch.store(1, Ordering::SeqCst);
    let (auto, run) = mt5_with(&sim.url(), "auto").await;
    assert_eq!(run.status.as_str(), "ok");
    assert!(auto == batch, "auto falls back to get_total + get_page");
    let db = sqlite().await;
    let ctx = ctx_of(&db);
    brand(&ctx, "FX", "forex").await;
    let mut input = mt5_input(&sim.url(), "manager-pass");
    input.config["deals_api"] = json!("batch");
    sync::add(&ctx, input).await.unwrap();
    let e = sync::run(&ctx, "mt5", fast())
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("404") && e.contains("get_batch"), "{e}");
    assert_eq!(count(&ctx, "SELECT COUNT(*) FROM trades").await, 0);
    sim.sim.faults.no_deal_batch.store(0, Ordering::SeqCst);
    db.finish().await;

    // A page size MT5 does not allow is refused before any request.
    let db = sqlite().await;
    let ctx = ctx_of(&db);
    brand(&ctx, "FX", "forex").await;
    let mut input = mt5_input(&sim.url(), "manager-pass");
    input.config["deal_page_size"] = json!(500);
    let e = sync::add(&ctx, input).await.unwrap_err().to_string();
    assert!(e.contains("deal_page_size"), "{e}");
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fields_of_the_wrong_type_are_reported_per_record_and_the_rest_kept() {
    let sim = sim_with(data()).await;
    sim.sim.faults.wrong_types.store(true, Ordering::SeqCst);
    let db = sqlite().await;
    let ctx = ctx_of(&db);
    brand(&ctx, "CAS", "igaming").await;
    sync::add(&ctx, gaming_input(&sim.url())).await.unwrap();
    let run = sync::run(&ctx, "casino", fast()).await.unwrap();
    let rows = sim.sim.data.activity.len();
    let bad = rows.div_ceil(50);
    assert_eq!(run.status.as_str(), "ok_with_errors", "{run:?}");
    assert_eq!(run.errors as usize, bad);
    let errors = sync::run_errors(&ctx, run.run_id, 1000).await.unwrap();
    assert_eq!(errors.len(), bad);
    assert!(
        errors.iter().all(|e| e
            .message
            .contains("'bets' is an object where text was expected")),
        "{errors:?}"
    );
    assert_eq!(
        count(&ctx, "SELECT COUNT(*) FROM igaming_activity").await as usize,
        rows - bad,
        "every good row is kept"
    );
    db.finish().await;
}
