//! Nothing refused is lost (issue 25, point 4): records waiting in the retry
//! list until their account arrives, a retry from the desktop, a run killed
//! on documented servers that the next completes to exactly the folder's
//! rows; and no credential in any stored, audited or returned error
//! (point 10). SQLite and PostgreSQL.

use super::*;
use crate::on_both_backends;
use crate::support::TestDb;
use partnerdesk_app::sync;
use serde_json::json;
use std::time::Duration;

/// Point 4: the trades of an account the platform does not list yet wait
/// (the cursor moves on); once the account is there, the next run stores
/// them first thing. The desktop's retry does the same without a run.
async fn waiting_trades_are_stored_when_their_account_arrives(db: &TestDb) {
    let ctx = ctx_of(db);
    let full = data();
    let mut without = data();
    let missing = without.accounts.remove(0);
    let hidden = format!("mt5-{}", missing.login);
    let sim_without = sim_with(without).await;
    let sim_full = sim_with(full).await;
    brand(&ctx, "FX", "forex").await;
    let first = add_and_run(&ctx, mt5_input(&sim_without.url(), "manager-pass")).await;
    let waiting = sync::pending(&ctx, "mt5", 1000).await.unwrap();
    let expected_waiting = expected_trades()
        .iter()
        .filter(|t| t.starts_with(&format!("{hidden}|")))
        .count();
    assert!(expected_waiting > 0, "the hidden account has trades");
    assert_eq!(waiting.len(), expected_waiting, "{first:?}");
    assert!(
        waiting.iter().all(|w| w.reason.contains("is not known")),
        "{waiting:?}"
    );
    assert_eq!(
        sync::list(&ctx).await.unwrap()[0].waiting,
        expected_waiting as i64
    );

    // The platform lists the account now: the next run stores what waited.
    let mut moved = mt5_input(&sim_full.url(), "");
    moved.schedule_minutes = None;
    sync::edit(&ctx, moved).await.unwrap();
    sync::run(&ctx, "mt5", fast()).await.unwrap();
    assert!(sync::pending(&ctx, "mt5", 10).await.unwrap().is_empty());
    assert!(stored_trades(&ctx).await == expected_trades());
}

/// Point 4, from the desktop: the account arrives another way (an import),
/// and "retry" stores the waiting trades without reading the platform.
async fn a_retry_stores_what_can_be_stored_now(db: &TestDb) {
    let ctx = ctx_of(db);
    let mut without = data();
    let missing = without.accounts.remove(0);
    let sim = sim_with(without).await;
    brand(&ctx, "FX", "forex").await;
    add_and_run(&ctx, mt5_input(&sim.url(), "manager-pass")).await;
    let waiting = sync::pending(&ctx, "mt5", 1000).await.unwrap().len() as i64;
    assert!(waiting > 0);
    let still = sync::retry(&ctx, "mt5").await.unwrap();
    assert_eq!(
        (still.stored, still.waiting),
        (0, waiting),
        "the account is still missing"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("customers.csv"),
        format!(
            "customer_id,brand_id,tracking_code,country,registered_at,status\nmt5-{},FX,,,2026-06-01T00:00:00Z,active\n",
            missing.login
        ),
    )
    .unwrap();
    partnerdesk_app::import::import_folder(&ctx, dir.path())
        .await
        .unwrap();
    let done = sync::retry(&ctx, "mt5").await.unwrap();
    assert_eq!((done.stored, done.waiting), (waiting, 0), "{done:?}");
    assert!(sync::pending(&ctx, "mt5", 10).await.unwrap().is_empty());
    assert!(stored_trades(&ctx).await == expected_trades());
}

/// "Done when": a fault in the middle of a sync from documented servers
/// (EET clock, free-text countries, late deals; a shop in New York with
/// edits while paging) leaves whole windows only, and the next run
/// completes to exactly the folder's rows.
async fn a_run_killed_on_documented_servers_completes_exactly(db: &TestDb) {
    let ctx = ctx_of(db);
    let sim = sim_with(data()).await;
    switch(
        &sim,
        &[
            ("mt5_timezone", "EET"),
            ("late_deals", "11"),
            ("woo_timezone", "America/New_York"),
            ("woo_modify_during_paging", "1"),
            ("slow_ms", "60"),
        ],
    );
    brand(&ctx, "FX", "forex").await;
    brand(&ctx, "PROP", "prop").await;
    let mut mt5 = mt5_input(&sim.url(), "manager-pass");
    mt5.config["server_timezone"] = json!("EET");
    mt5.config["overlap_hours"] = json!(24 * 400);
    mt5.config["window_hours"] = json!(24);
    sync::add(&ctx, mt5).await.unwrap();
    sync::add(&ctx, woo_input(&sim.url())).await.unwrap();
    for name in ["mt5", "shop"] {
        let c = ctx.clone();
        let n = name.to_string();
        let task = tokio::spawn(async move { sync::run(&c, &n, fast()).await });
        tokio::time::sleep(Duration::from_millis(500)).await;
        task.abort();
        let _ = task.await;
    }
    // Whole windows only: every stored trade has both its deals' data.
    assert!(
        stored_trades(&ctx).await.len() < expected_trades().len(),
        "killed before the end"
    );
    switch(&sim, &[("slow_ms", "0")]);
    for name in ["mt5", "shop"] {
        sync::run(&ctx, name, fast()).await.unwrap();
    }
    // Late deals need one more pass over their range (the overlap).
    sync::run(&ctx, "mt5", fast()).await.unwrap();
    assert!(
        stored_trades(&ctx).await == expected_trades(),
        "MT5 completed exactly"
    );
    assert!(
        stored_purchases(&ctx).await == expected_purchases(),
        "the shop completed exactly"
    );
    assert!(sync::pending(&ctx, "mt5", 10).await.unwrap().is_empty());
}

/// Point 10: no credential in an error that is returned, stored in the run
/// history or written to the audit log: not the MT5 handshake
/// (`srv_rand_answer`, `cli_rand`), not a shop's keys in a query string.
async fn errors_hold_no_credentials(db: &TestDb) {
    let ctx = ctx_of(db);
    let sim = sim_with(data()).await;
    brand(&ctx, "FX", "forex").await;
    brand(&ctx, "PROP", "prop").await;
    // A handshake whose answer is refused, and one cut off mid-way.
    sync::add(&ctx, mt5_input(&sim.url(), "wrong-password"))
        .await
        .unwrap();
    let mut errors = vec![sync::run(&ctx, "mt5", fast())
        .await
        .unwrap_err()
        .to_string()];
    // Keys in the query string, to a shop that keeps failing.
    switch(&sim, &[("woo_https", "1"), ("errors_500", "100")]);
    let mut shop = woo_input(&sim.url());
    shop.config["auth"] = json!("query_string");
    shop.secrets
        .insert("consumer_key".into(), "ck_secret_key".into());
    shop.secrets
        .insert("consumer_secret".into(), "cs_secret_value".into());
    sync::add(&ctx, shop).await.unwrap();
    errors.push(
        sync::run(&ctx, "shop", fast())
            .await
            .unwrap_err()
            .to_string(),
    );
    switch(&sim, &[("errors_500", "0")]);
    // And a network error (nothing listens there) with the keys in its URL.
    let mut gone = woo_input("http://127.0.0.1:9");
    gone.name = "gone".into();
    gone.config["auth"] = json!("query_string");
    gone.secrets
        .insert("consumer_key".into(), "ck_secret_key".into());
    gone.secrets
        .insert("consumer_secret".into(), "cs_secret_value".into());
    sync::add(&ctx, gone).await.unwrap();
    errors.push(
        sync::run(&ctx, "gone", fast())
            .await
            .unwrap_err()
            .to_string(),
    );
    errors.push(sync::test(&ctx, "gone").await.unwrap_err().to_string());
    errors.extend(rows(&ctx, "SELECT COALESCE(error, '') FROM sync_runs").await);
    errors.extend(
        rows(
            &ctx,
            "SELECT COALESCE(after, '') FROM audit_log WHERE action = 'sync.run'",
        )
        .await,
    );
    assert!(errors.len() >= 8, "{errors:?}");
    for e in &errors {
        for secret in [
            "srv_rand_answer=",
            "cli_rand=",
            "consumer_key=",
            "consumer_secret=",
            "ck_secret_key",
            "cs_secret_value",
            "wrong-password",
            "oauth_signature=",
        ] {
            assert!(!e.contains(secret), "'{secret}' in: {e}");
        }
    }
    assert!(
        errors[0].contains("password"),
        "still says what to check: {}",
        errors[0]
    );
    assert!(errors[2].contains("cannot reach"), "{}", errors[2]);
}

on_both_backends!(
    waiting_trades_are_stored_when_their_account_arrives,
    a_retry_stores_what_can_be_stored_now,
    a_run_killed_on_documented_servers_completes_exactly,
    errors_hold_no_credentials,
);
