//! Platform sync against `partnerdesk-sim` over real HTTP on loopback, the
//! simulator behaving as the platforms' documentation says, into a real
//! database (SQLite and PostgreSQL): each connector end to end, every fault
//! switch, a run killed mid-way and resumed, and (issue 25) every way real
//! MT5 and WooCommerce servers differ from what a connector may assume.
//! Synced data is compared with the import folder the simulator serves, not
//! only with another sync.

mod basics;
mod mt5;
mod postbacks;
mod retry;
mod woo;

use crate::support::{Kind, TestDb};
use partnerdesk_app::sync::{self, ConnectionInput, RunOptions};
use partnerdesk_app::wire::BrandView;
use partnerdesk_app::{brands, Context};
use partnerdesk_secrets::MemoryStore;
use partnerdesk_sim::{Running, Sim, SimAuth, SimData};
use partnerdesk_sync::{Cancel, RetryPolicy};
use serde_json::json;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// The generated import folder every test serves (crates/gen, 600
/// customers, 12 days from 2026-07-01).
pub fn folder() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let opts = partnerdesk_gen::GenOptions::new(
            partnerdesk_gen::Scale::Custom {
                partners: 40,
                customers: 600,
                days: 12,
            },
            7,
        );
        partnerdesk_gen::generate(&opts, dir.path(), &mut |_, _, _| {}).expect("generate");
        dir
    })
    .path()
}

pub fn data() -> SimData {
    SimData::from_folder(folder(), None).expect("read the generated folder")
}

pub async fn sim_with(data: SimData) -> Running {
    partnerdesk_sim::start(Sim::new(data, SimAuth::default()), 0)
        .await
        .expect("start the simulator")
}

/// Sets simulator switches (`name=value` as `POST /__sim/faults` takes them).
pub fn switch(sim: &Running, settings: &[(&str, &str)]) {
    for (k, v) in settings {
        partnerdesk_sim::set_switch(&sim.sim, k, v).expect("a switch");
    }
}

pub fn ctx_of(db: &TestDb) -> Context {
    db.ctx.clone().with_secrets(Arc::new(MemoryStore::new()))
}

pub fn fast() -> RunOptions {
    RunOptions {
        policy: RetryPolicy {
            attempts: 5,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_secs(5),
            timeout: Duration::from_secs(3),
        },
        cancel: Cancel::new(),
    }
}

pub async fn brand(ctx: &Context, id: &str, vertical: &str) {
    brands::create(
        ctx,
        BrandView {
            brand_id: id.into(),
            name: format!("Brand {id}"),
            vertical: vertical.into(),
            currency: "USD".into(),
        },
    )
    .await
    .expect("create brand");
}

pub fn mt5_input(url: &str, password: &str) -> ConnectionInput {
    ConnectionInput {
        name: "mt5".into(),
        config: json!({"kind": "mt5", "base_url": url, "login": "1000", "brand_id": "FX",
                        "from": "2026-06-01", "window_hours": 24 * 7,
                        "spread_per_lot": {"fx_major": "7"}}),
        secrets: [("password".to_string(), password.to_string())].into(),
        schedule_minutes: Some(60),
    }
}

pub fn gaming_input(url: &str) -> ConnectionInput {
    ConnectionInput {
        name: "casino".into(),
        config: json!({"kind": "gaming", "base_url": url, "brand_id": "CAS",
                        "auth": {"type": "oauth2", "token_url": format!("{url}/oauth/token"), "client_id": "partnerdesk"},
                        "page_size_param": "limit", "page_size": 150}),
        secrets: [("client_secret".to_string(), "client-secret".to_string())].into(),
        schedule_minutes: None,
    }
}

/// A shop over plain http: OAuth 1.0a, as WooCommerce requires there.
pub fn woo_input(url: &str) -> ConnectionInput {
    ConnectionInput {
        name: "shop".into(),
        config: json!({"kind": "woocommerce", "base_url": url, "brand_id": "PROP", "per_page": 25,
                        "referral_meta_key": partnerdesk_sim::woo::REFERRAL_META_KEY}),
        secrets: [
            ("consumer_key".to_string(), "ck_sim".to_string()),
            ("consumer_secret".to_string(), "cs_sim".to_string()),
        ]
        .into(),
        schedule_minutes: None,
    }
}

pub async fn count(ctx: &Context, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql)
        .fetch_one(ctx.store.pool())
        .await
        .expect(sql);
    n
}

pub async fn rows(ctx: &Context, sql: &str) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as(sql)
        .fetch_all(ctx.store.pool())
        .await
        .expect(sql);
    rows.into_iter().map(|r| r.0).collect()
}

/// Every synced row, as text, in key order: two databases with the same
/// fingerprint hold the same data.
pub async fn fingerprint(ctx: &Context) -> Vec<String> {
    let mut out = Vec::new();
    for sql in [
        "SELECT customer_id || '|' || brand_id || '|' || COALESCE(tracking_code, '-') || '|' || country || '|' || registered_at || '|' || status FROM customers ORDER BY customer_id",
        "SELECT trade_id || '|' || customer_id || '|' || symbol || '|' || instrument_group || '|' || lots || '|' || open_time || '|' || close_time || '|' || commission || '|' || spread_revenue FROM trades ORDER BY trade_id",
        "SELECT customer_id || '|' || date || '|' || deposits || '|' || bets || '|' || wins || '|' || bonuses FROM igaming_activity ORDER BY customer_id, date",
        "SELECT order_id || '|' || customer_id || '|' || amount || '|' || COALESCE(coupon_code, '-') || '|' || purchased_at || '|' || COALESCE(refunded_at, '-') FROM purchases ORDER BY order_id",
    ] {
        out.extend(rows(ctx, sql).await);
    }
    out
}

pub async fn sqlite() -> TestDb {
    TestDb::new(Kind::Sqlite, "sync").await.expect("SQLite")
}

/// A CSV file of the import folder as rows of named cells.
pub fn csv_rows(file: &str) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(folder().join(file)).expect(file);
    let headers = r.headers().expect("headers").clone();
    r.records()
        .map(|rec| {
            let rec = rec.expect("a row");
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// A stored time as the import folder writes it (RFC 3339, UTC) → seconds.
pub fn secs(t: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(t)
        .map(|d| d.timestamp())
        .unwrap_or_else(|_| panic!("'{t}' is not a time"))
}

/// The MT5 login the simulator gives a customer id of the folder (its digits).
pub fn login_of(customer_id: &str) -> String {
    customer_id
        .chars()
        .filter(|c| c.is_ascii_digit())
        .collect::<String>()
        .trim_start_matches('0')
        .to_string()
}

/// Decimal text without trailing zeros (`7.50` → `7.5`).
pub fn dec(t: &str) -> String {
    t.parse::<rust_decimal::Decimal>()
        .map(|d| d.normalize().to_string())
        .unwrap_or_else(|_| t.to_string())
}

/// The Forex trades of the folder as an MT5 sync must store them:
/// customer, symbol, group, lots, open and close (UTC seconds), commission.
pub fn expected_trades() -> Vec<String> {
    let fx: std::collections::HashSet<String> = csv_rows("brands.csv")
        .into_iter()
        .filter(|b| b["vertical"] == "forex")
        .map(|b| b["brand_id"].clone())
        .collect();
    let mut out: Vec<String> = csv_rows("trades.csv")
        .into_iter()
        .filter(|t| fx.contains(&t["brand_id"]))
        .map(|t| {
            format!(
                "mt5-{}|{}|{}|{}|{}|{}|{}",
                login_of(&t["customer_id"]),
                t["symbol"],
                t["instrument_group"],
                dec(&t["lots"]),
                secs(&t["open_time"]),
                secs(&t["close_time"]),
                dec(&t["commission"])
            )
        })
        .collect();
    out.sort();
    out
}

/// The same of the stored trades.
pub async fn stored_trades(ctx: &Context) -> Vec<String> {
    let mut out: Vec<String> = rows(
        ctx,
        "SELECT customer_id || '|' || symbol || '|' || instrument_group || '|' || lots || '|' || open_time || '|' || close_time || '|' || commission FROM trades",
    )
    .await
    .into_iter()
    .map(|r| {
        let f: Vec<&str> = r.split('|').collect();
        format!(
            "{}|{}|{}|{}|{}|{}|{}",
            f[0],
            f[1],
            f[2],
            dec(f[3]),
            secs(f[4]),
            secs(f[5]),
            dec(f[6])
        )
    })
    .collect();
    out.sort();
    out
}

/// The prop purchases of the folder as a shop sync must store them:
/// customer, amount, coupon, purchased, refunded (UTC seconds).
pub fn expected_purchases() -> Vec<String> {
    let mut out: Vec<String> = csv_rows("purchases.csv")
        .into_iter()
        .map(|p| {
            format!(
                "woo-{}|{}|{}|{}|{}",
                login_of(&p["customer_id"]),
                dec(&p["amount"]),
                if p["coupon_code"].is_empty() {
                    "-"
                } else {
                    &p["coupon_code"]
                },
                secs(&p["purchased_at"]),
                if p["refunded_at"].is_empty() {
                    "-".to_string()
                } else {
                    secs(&p["refunded_at"]).to_string()
                }
            )
        })
        .collect();
    out.sort();
    out
}

pub async fn stored_purchases(ctx: &Context) -> Vec<String> {
    let mut out: Vec<String> = rows(
        ctx,
        "SELECT customer_id || '|' || amount || '|' || COALESCE(coupon_code, '-') || '|' || purchased_at || '|' || COALESCE(refunded_at, '-') FROM purchases",
    )
    .await
    .into_iter()
    .map(|r| {
        let f: Vec<&str> = r.split('|').collect();
        format!(
            "{}|{}|{}|{}|{}",
            f[0],
            dec(f[1]),
            f[2],
            secs(f[3]),
            if f[4] == "-" { "-".to_string() } else { secs(f[4]).to_string() }
        )
    })
    .collect();
    out.sort();
    out
}

/// The Forex or prop customers of the folder as a sync must store them:
/// id (prefix + login), tracking code, country.
pub fn expected_customers(vertical: &str, prefix: &str) -> Vec<String> {
    let brands: std::collections::HashSet<String> = csv_rows("brands.csv")
        .into_iter()
        .filter(|b| b["vertical"] == vertical)
        .map(|b| b["brand_id"].clone())
        .collect();
    let mut out: Vec<String> = csv_rows("customers.csv")
        .into_iter()
        .filter(|c| brands.contains(&c["brand_id"]))
        .map(|c| {
            format!(
                "{prefix}{}|{}|{}",
                login_of(&c["customer_id"]),
                if c["tracking_code"].is_empty() {
                    "-"
                } else {
                    &c["tracking_code"]
                },
                c["country"]
            )
        })
        .collect();
    out.sort();
    out
}

pub async fn stored_customers(ctx: &Context) -> Vec<String> {
    let mut out = rows(
        ctx,
        "SELECT customer_id || '|' || COALESCE(tracking_code, '-') || '|' || country FROM customers",
    )
    .await;
    out.sort();
    out
}

/// Adds a connection and syncs it once; panics on a failed run.
pub async fn add_and_run(ctx: &Context, input: ConnectionInput) -> sync::SyncRunView {
    let name = input.name.clone();
    sync::add(ctx, input).await.expect("add the connection");
    sync::run(ctx, &name, fast())
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}
