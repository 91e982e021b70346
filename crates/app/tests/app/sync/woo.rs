//! WooCommerce against a simulator that behaves as the REST API v3
//! documentation says (issue 25, points 11–15): order statuses and refunds,
//! shop-local times unless `dates_are_gmt=true`, orders modified while the
//! sync pages, OAuth 1.0a over plain HTTP, Basic and query-string keys
//! over HTTPS, the referral code in an order meta key; on SQLite and
//! PostgreSQL, compared with the import folder the simulator serves.

use super::*;
use crate::on_both_backends;
use crate::support::TestDb;
use partnerdesk_app::sync;
use partnerdesk_sim::data::Order;
use serde_json::json;

/// The customers with a tracking code in the folder who bought something.
fn expected_buyers_with_codes() -> Vec<String> {
    let buyers: std::collections::HashSet<String> = csv_rows("purchases.csv")
        .into_iter()
        .map(|p| format!("woo-{}", login_of(&p["customer_id"])))
        .collect();
    expected_customers("prop", "woo-")
        .into_iter()
        .filter(|c| {
            let f: Vec<&str> = c.split('|').collect();
            buyers.contains(f[0]) && f[1] != "-"
        })
        .map(|c| c.rsplit_once('|').map(|(a, _)| a.to_string()).unwrap_or(c))
        .collect()
}

async fn stored_codes(ctx: &Context, of: &[String]) -> Vec<String> {
    let all = rows(
        ctx,
        "SELECT customer_id || '|' || COALESCE(tracking_code, '-') FROM customers",
    )
    .await;
    let ids: std::collections::HashSet<&str> = of
        .iter()
        .map(|c| c.split('|').next().unwrap_or(""))
        .collect();
    let mut out: Vec<String> = all
        .into_iter()
        .filter(|r| ids.contains(r.split('|').next().unwrap_or("")))
        .collect();
    out.sort();
    out
}

/// Points 11, 13 and 15: only paid orders are purchases (the unpaid ones
/// in between are nothing), refunds as RULES.md has them; an order edited
/// while the sync pages is neither lost nor doubled; the referral code of
/// the order meta is the customer's tracking code.
async fn woo_statuses_paging_and_referral(db: &TestDb) {
    let ctx = ctx_of(db);
    let sim = sim_with(data()).await;
    let unpaid = sim
        .sim
        .orders
        .lock()
        .unwrap()
        .iter()
        .filter(|o| !o.is_purchase())
        .count();
    assert!(unpaid >= 5, "the shop has unpaid orders ({unpaid})");
    switch(&sim, &[("woo_modify_during_paging", "1")]);
    brand(&ctx, "PROP", "prop").await;
    // Small pages: many requests, each editing an order of its page.
    let mut input = woo_input(&sim.url());
    input.config["per_page"] = json!(5);
    let run = add_and_run(&ctx, input).await;
    assert_eq!(run.status.as_str(), "ok", "{run:?}");
    assert!(
        stored_purchases(&ctx).await == expected_purchases(),
        "exactly the folder's purchases: no unpaid order, none lost to paging"
    );
    let touched = sim
        .sim
        .orders
        .lock()
        .unwrap()
        .iter()
        .filter(|o| o.touched)
        .count();
    assert!(
        touched > 3,
        "orders were edited while the sync paged ({touched})"
    );
    let expected = expected_buyers_with_codes();
    assert!(!expected.is_empty());
    assert!(
        stored_codes(&ctx, &expected).await == expected,
        "the referral codes came from the meta key"
    );
}

/// Point 11: an order imported as paid and later cancelled is a refund; a
/// partial refund lowers the amount; a refunded order refunds.
async fn woo_later_cancellations_and_refunds(db: &TestDb) {
    let ctx = ctx_of(db);
    let sim = sim_with(data()).await;
    brand(&ctx, "PROP", "prop").await;
    add_and_run(&ctx, woo_input(&sim.url())).await;
    let (cancel, partial) = {
        let mut orders = sim.sim.orders.lock().unwrap();
        let latest = orders.iter().map(|o| o.modified).max().unwrap();
        let mut paid = orders
            .iter_mut()
            .filter(|o| o.is_purchase() && !o.is_refunded());
        let a = paid.next().unwrap();
        a.status = "cancelled".into();
        a.modified = latest + chrono::Duration::hours(1);
        let cancel = a.id;
        let b = paid.next().unwrap();
        b.refunds = vec!["10.00".into()];
        b.modified = latest + chrono::Duration::hours(2);
        (cancel, (b.id, b.total.clone()))
    };
    let run = sync::run(&ctx, "shop", fast()).await.unwrap();
    assert_eq!(run.updated, 2, "{run:?}");
    let refunded = rows(&ctx, &format!("SELECT COALESCE(refunded_at, '-') FROM purchases WHERE order_id = 'woo-order-{cancel}'")).await;
    assert_ne!(refunded, ["-"], "the cancelled purchase is refunded");
    let amount = rows(
        &ctx,
        &format!(
            "SELECT amount FROM purchases WHERE order_id = 'woo-order-{}'",
            partial.0
        ),
    )
    .await;
    let left =
        partial.1.parse::<rust_decimal::Decimal>().unwrap() - rust_decimal::Decimal::new(1000, 2);
    assert_eq!(
        dec(&amount[0]),
        left.normalize().to_string(),
        "total − 10.00"
    );
}

/// Point 12: a shop west of UTC (New York) and one east (Tokyo): new orders
/// and refunds made after a sync are found by the next, `modified_after`
/// being sent with `dates_are_gmt=true` — and also from an older shop that
/// ignores it (the overlap re-reads a day).
async fn woo_shops_west_and_east_of_utc(db: &TestDb) {
    let ctx = ctx_of(db);
    let sim = sim_with(data()).await;
    brand(&ctx, "PROP", "prop").await;
    let mut n = 0;
    for (zone, ignore) in [
        ("America/New_York", "0"),
        ("Asia/Tokyo", "0"),
        ("America/Los_Angeles", "1"),
    ] {
        switch(&sim, &[("woo_timezone", zone), ("woo_ignore_gmt", ignore)]);
        let mut input = woo_input(&sim.url());
        input.name = format!("shop{n}");
        n += 1;
        add_and_run(&ctx, input).await;
        // A new order a minute after the newest, and a refund of an old one.
        let id = {
            let mut orders = sim.sim.orders.lock().unwrap();
            let latest = orders.iter().map(|o| o.modified).max().unwrap();
            let template = orders.iter().find(|o| o.is_purchase()).cloned().unwrap();
            let id = 2_000_000 + orders.len() as u64;
            orders.push(Order {
                id,
                created: latest + chrono::Duration::minutes(1),
                modified: latest + chrono::Duration::minutes(1),
                status: "processing".into(),
                refunds: vec![],
                touched: false,
                ..template
            });
            id
        };
        let run = sync::run(&ctx, &format!("shop{}", n - 1), fast())
            .await
            .unwrap();
        assert!(run.inserted >= 1, "{zone}: {run:?}");
        let found = count(
            &ctx,
            &format!("SELECT COUNT(*) FROM purchases WHERE order_id = 'woo-order-{id}'"),
        )
        .await;
        assert_eq!(
            found, 1,
            "{zone} (dates_are_gmt ignored: {ignore}): the new order was found"
        );
    }
}

/// Point 14: authentication as documented, and which one failed said.
async fn woo_authentication_modes(db: &TestDb) {
    let ctx = ctx_of(db);
    let sim = sim_with(data()).await;
    brand(&ctx, "PROP", "prop").await;
    // Plain http: OAuth 1.0a works (every test above), HTTP Basic is refused.
    let mut basic = woo_input(&sim.url());
    basic.name = "basic".into();
    basic.config["auth"] = json!("basic");
    sync::add(&ctx, basic).await.unwrap();
    let e = sync::run(&ctx, "basic", fast())
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("HTTP Basic") && e.contains("401"), "{e}");
    // A wrong secret: the signature is refused, and says so.
    let mut wrong = woo_input(&sim.url());
    wrong.name = "wrong".into();
    wrong
        .secrets
        .insert("consumer_secret".into(), "cs_wrong".into());
    sync::add(&ctx, wrong).await.unwrap();
    let e = sync::run(&ctx, "wrong", fast())
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("OAuth 1.0a") && e.contains("signature"), "{e}");
    assert!(!e.contains("cs_wrong"), "no secret in the error: {e}");
    // Behind TLS: Basic works; a host that strips the Authorization header
    // needs the keys in the query string.
    switch(&sim, &[("woo_https", "1")]);
    let run = sync::run(&ctx, "basic", fast()).await.unwrap();
    assert_eq!(run.status.as_str(), "ok");
    switch(&sim, &[("woo_strip_authorization", "1")]);
    let e = sync::run(&ctx, "basic", fast())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("query_string"),
        "the error says what to try: {e}"
    );
    let mut query = woo_input(&sim.url());
    query.name = "query".into();
    query.config["auth"] = json!("query_string");
    let run = add_and_run(&ctx, query).await;
    assert_eq!(run.status.as_str(), "ok");
    assert!(stored_purchases(&ctx).await == expected_purchases());
    // Keys that would travel readable to another machine are refused up front.
    let mut far = woo_input("http://shop.example");
    far.name = "far".into();
    far.config["auth"] = json!("basic");
    let e = sync::add(&ctx, far).await.unwrap_err().to_string();
    assert!(e.contains("readable"), "{e}");
}

on_both_backends!(
    woo_statuses_paging_and_referral,
    woo_later_cancellations_and_refunds,
    woo_shops_west_and_east_of_utc,
    woo_authentication_modes,
);
