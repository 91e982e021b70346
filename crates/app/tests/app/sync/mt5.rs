//! MT5 against a simulator that behaves as MetaQuotes documents the Web
//! API (issue 25, points 1–10): sessions bound to the connection, one
//! sign-in per connection; `{"Total": "10"}`; free-text and empty
//! countries; `VolumeExt`; a server clock of UTC+2 with DST; late deals;
//! the commission's sign; "command not supported" retcodes; on SQLite and
//! PostgreSQL. Every test compares what is stored with the import folder
//! the simulator serves.

use super::*;
use crate::on_both_backends;
use crate::support::TestDb;
use partnerdesk_app::sync;
use partnerdesk_sim::data::Deal;
use rust_decimal::Decimal;
use serde_json::json;
use std::sync::atomic::Ordering;

fn stats(sim: &Running) -> (u64, u64, u64) {
    let s = &sim.sim.stats;
    (
        s.sign_ins.load(Ordering::SeqCst),
        s.connections.load(Ordering::SeqCst),
        s.pings.load(Ordering::SeqCst),
    )
}

fn note(run: &sync::SyncRunView, text: &str) -> i64 {
    run.report
        .as_ref()
        .and_then(|r| r.notes.iter().find(|n| n.text.contains(text)))
        .map(|n| n.count)
        .unwrap_or(0)
}

/// Point 1: the session belongs to the connection. A sync of well over 100
/// commands (deals page by page, 5 a page) signs in once, on one
/// connection; a server that closes connections after 40 commands gets one
/// sign-in per connection, and the data are the same.
async fn mt5_signs_in_once_per_connection(db: &TestDb) {
    let ctx = ctx_of(db);
    let sim = sim_with(data()).await;
    brand(&ctx, "FX", "forex").await;
    let mut input = mt5_input(&sim.url(), "manager-pass");
    input.config["deals_api"] = json!("pages");
    input.config["deal_page_size"] = json!(5);
    let run = add_and_run(&ctx, input).await;
    let commands = sim.sim.stats.requests.load(Ordering::SeqCst);
    assert!(commands > 100, "the sync made {commands} commands");
    assert_eq!(stats(&sim).0, 1, "one sign-in for {commands} commands");
    assert_eq!(stats(&sim).1, 1, "on one connection");
    assert_eq!(
        note(&run, "MT5 sign-ins"),
        1,
        "the run report says so: {run:?}"
    );
    assert!(stored_trades(&ctx).await == expected_trades());

    // A server that ends every connection after 40 commands.
    switch(&sim, &[("session_calls", "40")]);
    let mut tx = ctx.store.begin().await.unwrap();
    partnerdesk_store::sync::reset_cursors(&mut tx, "mt5")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let (before, _, _) = stats(&sim);
    let again = sync::run(&ctx, "mt5", fast()).await.unwrap();
    let signins = stats(&sim).0 - before;
    let commands = sim.sim.stats.requests.load(Ordering::SeqCst) - commands;
    assert_eq!(
        signins,
        commands.div_ceil(40),
        "one sign-in per connection of 40 commands ({commands} commands)"
    );
    assert_eq!((again.inserted, again.updated), (0, 0), "{again:?}");
    assert!(stored_trades(&ctx).await == expected_trades());
}

/// Progress that stops the run for a while after its first page of deals
/// (a slow database): the MT5 connection sits idle meanwhile.
struct Pause(std::sync::atomic::AtomicBool);

impl partnerdesk_app::Progress for Pause {
    fn report(&self, _task: &str, _done: u64, _total: u64, message: &str) {
        if message.contains(": deals:") && !self.0.swap(true, Ordering::SeqCst) {
            std::thread::sleep(std::time::Duration::from_millis(2_500));
        }
    }
}

/// Point 1: while the sync is busy elsewhere, `/api/test/access` keeps the
/// connection (and its session) alive; without it, a server that closes
/// idle connections makes the sync sign in again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt5_keeps_its_idle_connection_alive() {
    for keepalive in [1, 0] {
        let sim = sim_with(data()).await;
        switch(&sim, &[("idle_close_ms", "1500")]);
        let db = sqlite().await;
        let ctx = ctx_of(&db).with_progress(Arc::new(Pause(Default::default())));
        brand(&ctx, "FX", "forex").await;
        let mut input = mt5_input(&sim.url(), "manager-pass");
        input.config["keepalive_seconds"] = json!(keepalive);
        input.config["window_hours"] = json!(24);
        add_and_run(&ctx, input).await;
        let (signins, _, pings) = stats(&sim);
        if keepalive > 0 {
            assert_eq!(signins, 1, "the pings kept the session");
            assert!(pings >= 1, "pings were sent while idle");
        } else {
            assert_eq!(
                signins, 2,
                "the server closed the idle connection: signed in again"
            );
        }
        assert!(stored_trades(&ctx).await == expected_trades());
        db.finish().await;
    }
}

/// Point 2: fields read as documented: `get_total` answers `{"Total":
/// "10"}`, and numbers come as JSON strings — or as numbers on servers that
/// write them so.
async fn mt5_reads_documented_keys_and_types(db: &TestDb) {
    let ctx = ctx_of(db);
    let sim = sim_with(data()).await;
    brand(&ctx, "FX", "forex").await;
    let mut input = mt5_input(&sim.url(), "manager-pass");
    input.config["deals_api"] = json!("pages");
    add_and_run(&ctx, input).await;
    assert!(
        stored_trades(&ctx).await == expected_trades(),
        "pages mode read Total"
    );
    assert!(stored_customers(&ctx).await == expected_customers("forex", "mt5-"));

    switch(&sim, &[("mt5_numbers", "1")]);
    let mut tx = ctx.store.begin().await.unwrap();
    partnerdesk_store::sync::reset_cursors(&mut tx, "mt5")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let again = sync::run(&ctx, "mt5", fast()).await.unwrap();
    assert_eq!(again.status.as_str(), "ok", "{again:?}");
    assert_eq!(
        (again.inserted, again.updated),
        (0, 0),
        "numbers as numbers: the same rows"
    );
}

/// Points 3 and 6: a server on EET (UTC+2, +3 in summer) writing countries
/// as free text, some empty, one naming no country. Times are converted to
/// UTC (a deal closed 01:30 on 1 August server time is a July trade),
/// every account is kept, the unknown text is listed, and an alias added
/// later maps the customers kept without a country.
async fn mt5_server_time_and_free_text_countries(db: &TestDb) {
    let ctx = ctx_of(db);
    let mut d = data();
    let login = d.accounts[0].login;
    // An account whose text names no country (not one of the empty ones).
    let a = d.accounts.iter().position(|a| a.login % 7 != 0).unwrap();
    d.accounts[a].country = "Atlantis".into();
    let atlantis = format!("mt5-{}", d.accounts[a].login);
    // A position opened 20:00 and closed 22:30 UTC on 31 July: 23:00 and
    // 01:30 (1 August) on the server's clock.
    let open = chrono::DateTime::parse_from_rfc3339("2026-07-31T20:00:00Z")
        .unwrap()
        .timestamp_millis();
    let close = chrono::DateTime::parse_from_rfc3339("2026-07-31T22:30:00Z")
        .unwrap()
        .timestamp_millis();
    for (ticket, time_msc, entry) in [(90_000_001u64, open, 0u8), (90_000_002, close, 1)] {
        d.deals.push(Deal {
            ticket,
            login,
            time_msc,
            action: 0,
            entry,
            symbol: "EURUSD".into(),
            volume_ext: 100_000_000,
            position: 90_000_000,
            commission: Decimal::ZERO,
        });
    }
    d.deals.sort_by_key(|x| (x.time_msc, x.ticket));
    let sim = sim_with(d).await;
    switch(
        &sim,
        &[("mt5_timezone", "EET"), ("empty_country_every", "7")],
    );
    brand(&ctx, "FX", "forex").await;
    let mut input = mt5_input(&sim.url(), "manager-pass");
    input.config["server_timezone"] = json!("EET");
    input.config["from"] = json!("2026-06-01");
    let run = add_and_run(&ctx, input).await;
    assert_eq!(run.status.as_str(), "ok", "{run:?}");

    // Every account kept: the names mapped, the empty and unknown ones empty.
    let stored = stored_customers(&ctx).await;
    let expected: Vec<String> = expected_customers("forex", "mt5-")
        .into_iter()
        .map(|c| {
            let f: Vec<&str> = c.split('|').collect();
            let login: u64 = f[0].trim_start_matches("mt5-").parse().unwrap();
            if login % 7 == 0 || f[0] == atlantis {
                format!("{}|{}|", f[0], f[1])
            } else {
                c.clone()
            }
        })
        .collect();
    assert!(
        stored == expected,
        "names read as codes, empty and unknown kept empty"
    );
    // Registration times are UTC again.
    let registered = rows(
        &ctx,
        "SELECT customer_id || '|' || registered_at FROM customers",
    )
    .await;
    let folder_registered: HashMap<String, i64> = csv_rows("customers.csv")
        .into_iter()
        .map(|c| {
            (
                format!("mt5-{}", login_of(&c["customer_id"])),
                secs(&c["registered_at"]),
            )
        })
        .collect();
    for r in &registered {
        let (id, t) = r.split_once('|').unwrap();
        assert_eq!(
            Some(&secs(t)),
            folder_registered.get(id),
            "{id} registered at UTC"
        );
    }
    // Trades at UTC; the 31 July trade is July's.
    let mut with_extra = expected_trades();
    with_extra.push(format!(
        "mt5-{login}|EURUSD|fx_major|1|{}|{}|0",
        open / 1000,
        close / 1000
    ));
    with_extra.sort();
    assert!(
        stored_trades(&ctx).await == with_extra,
        "every trade at its UTC time"
    );
    let period = rows(
        &ctx,
        "SELECT period FROM trades WHERE trade_id = 'mt5-90000002'",
    )
    .await;
    assert_eq!(
        period,
        ["2026-07"],
        "closed 01:30 on 1 August server time = 22:30 UTC in July"
    );

    // The unknown text is listed (run report and the connection's list).
    let report = run.report.clone().expect("a report");
    assert_eq!(
        report
            .unmapped_countries
            .iter()
            .map(|u| (u.text.as_str(), u.count))
            .collect::<Vec<_>>(),
        [("Atlantis", 1)]
    );
    let listed = sync::unmapped_countries(&ctx, "mt5").await.unwrap();
    assert_eq!(
        (listed[0].text.as_str(), listed[0].customers),
        ("Atlantis", 1)
    );
    // An alias maps the customers kept without a country, at once.
    let mut edit = mt5_input(&sim.url(), "");
    edit.config["server_timezone"] = json!("EET");
    edit.config["country_aliases"] = json!({"Atlantis": "GR"});
    sync::edit(&ctx, edit).await.unwrap();
    let country = rows(
        &ctx,
        &format!("SELECT country FROM customers WHERE customer_id = '{atlantis}'"),
    )
    .await;
    assert_eq!(country, ["GR"]);
    assert!(sync::unmapped_countries(&ctx, "mt5")
        .await
        .unwrap()
        .is_empty());
}

/// Points 5 and 8: lots from `VolumeExt` exactly (0.12345 lot stays
/// 0.12345; a server without it sends 0.1234); a commission charged to the
/// client (negative) is revenue, one paid to the client (positive) is none,
/// and the run report says how many there were.
async fn mt5_volume_ext_and_commission_sign(db: &TestDb) {
    let ctx = ctx_of(db);
    let mut d = data();
    let position = d
        .deals
        .iter()
        .find(|x| x.entry == 0)
        .map(|x| x.position)
        .unwrap();
    for x in d.deals.iter_mut().filter(|x| x.position == position) {
        x.volume_ext = 12_345_000;
        x.commission = if x.entry == 0 {
            Decimal::new(250, 2)
        } else {
            Decimal::new(-100, 2)
        };
    }
    let sim = sim_with(d).await;
    brand(&ctx, "FX", "forex").await;
    let run = add_and_run(&ctx, mt5_input(&sim.url(), "manager-pass")).await;
    let closing = sim
        .sim
        .data
        .deals
        .iter()
        .find(|x| x.position == position && x.entry == 1)
        .map(|x| x.ticket)
        .unwrap();
    let trade = rows(
        &ctx,
        &format!("SELECT lots || '|' || commission FROM trades WHERE trade_id = 'mt5-{closing}'"),
    )
    .await;
    // +2.50 on opening (paid to the client): 0; −1.00 on closing: 1.00 revenue.
    assert_eq!(trade, ["0.12345|1"], "0.12345 lot; commission 0 + 1.00");
    assert_eq!(note(&run, "positive commission"), 1, "{run:?}");

    // A server without VolumeExt: Volume is 1/10,000 lot, 0.1234.
    switch(&sim, &[("no_volume_ext", "1")]);
    let mut tx = ctx.store.begin().await.unwrap();
    partnerdesk_store::sync::reset_cursors(&mut tx, "mt5")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    sync::run(&ctx, "mt5", fast()).await.unwrap();
    let lots = rows(
        &ctx,
        &format!("SELECT lots FROM trades WHERE trade_id = 'mt5-{closing}'"),
    )
    .await;
    assert_eq!(lots, ["0.1234"]);
}

/// Point 7: deals booked late (missing from their range the first time it
/// is read) are imported by the next run, which reads an overlap again;
/// nothing is counted twice and the result is the folder's trades.
async fn mt5_late_deals_come_with_the_next_run(db: &TestDb) {
    let ctx = ctx_of(db);
    let sim = sim_with(data()).await;
    switch(&sim, &[("late_deals", "9")]);
    brand(&ctx, "FX", "forex").await;
    let mut input = mt5_input(&sim.url(), "manager-pass");
    // The data are of July 2026 and "now" is later: an overlap that reaches
    // back over them (the default is a day).
    input.config["overlap_hours"] = json!(24 * 400);
    let first = add_and_run(&ctx, input).await;
    let trades_first = stored_trades(&ctx).await;
    assert!(
        trades_first.len() < expected_trades().len(),
        "late deals were missing: {first:?}"
    );
    let second = sync::run(&ctx, "mt5", fast()).await.unwrap();
    assert!(second.inserted > 0, "{second:?}");
    assert!(
        stored_trades(&ctx).await == expected_trades(),
        "the late deals came"
    );
    assert!(
        sync::pending(&ctx, "mt5", 10).await.unwrap().is_empty(),
        "nothing waits"
    );
    let third = sync::run(&ctx, "mt5", fast()).await.unwrap();
    assert_eq!(
        (third.inserted, third.updated),
        (0, 0),
        "read again, counted once"
    );
}

/// Point 9: a server without `get_batch` for deals, saying so by the
/// documented retcodes (12002 not supported, 12000 not implemented) or by
/// HTTP 404: `auto` reads them page by page; `batch` says what is wrong.
async fn mt5_get_batch_missing_by_retcode(db: &TestDb) {
    let ctx = ctx_of(db);
    let sim = sim_with(data()).await;
    brand(&ctx, "FX", "forex").await;
    for (i, mode) in ["2", "3", "1"].iter().enumerate() {
        switch(&sim, &[("no_deal_batch", mode)]);
        let mut input = mt5_input(&sim.url(), "manager-pass");
        input.name = format!("mt5-{i}");
        input.config["customer_prefix"] = json!("mt5-");
        let run = add_and_run(&ctx, input).await;
        assert_eq!(run.status.as_str(), "ok", "no_deal_batch={mode}: {run:?}");
        assert!(
            stored_trades(&ctx).await == expected_trades(),
            "no_deal_batch={mode}"
        );
    }
    switch(&sim, &[("no_deal_batch", "2")]);
    let mut input = mt5_input(&sim.url(), "manager-pass");
    input.name = "strict".into();
    input.config["deals_api"] = json!("batch");
    sync::add(&ctx, input).await.unwrap();
    let e = sync::run(&ctx, "strict", fast())
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("12002") && e.contains("get_batch"), "{e}");
}

on_both_backends!(
    mt5_signs_in_once_per_connection,
    mt5_reads_documented_keys_and_types,
    mt5_server_time_and_free_text_countries,
    mt5_volume_ext_and_commission_sign,
    mt5_late_deals_come_with_the_next_run,
    mt5_get_batch_missing_by_retcode,
);
