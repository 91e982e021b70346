//! `POST /postback/{brand}` over real HTTP: a registration signed with the
//! brand's secret after a real redirect's click, the JSON answers and
//! statuses (accepted, duplicate, 401, 422, 413), and the customer then
//! under the link's partner.

use super::{client, get, location, Db};
use partnerdesk_app::tracking::postbacks_in::{self, SIGNATURE_HEADER};
use partnerdesk_app::{customers, AppError};
use partnerdesk_secrets::MemoryStore;
use partnerdesk_server::Secrets;
use reqwest::StatusCode;
use std::sync::Arc;
use std::time::Duration;

async fn post(
    c: &reqwest::Client,
    url: &str,
    body: &str,
    signature: Option<&str>,
) -> (StatusCode, serde_json::Value) {
    let mut r = c.post(url).body(body.to_string());
    if let Some(s) = signature {
        r = r.header(SIGNATURE_HEADER, s);
    }
    let r = r.send().await.unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
    )
}

pub async fn postbacks_over_http(db: &Db) {
    let secrets = Arc::new(MemoryStore::new());
    let ctx = db.ctx.clone().with_secrets(secrets.clone());
    let mut config = db.config();
    config.secrets = Secrets(secrets.clone());
    let server = partnerdesk_server::start(ctx.store.clone(), config)
        .await
        .unwrap();
    let base = format!("http://{}", server.local_addr());
    let c = client();
    let secret = postbacks_in::rotate_secret(&ctx, "casino").await.unwrap();

    // A visitor follows the link; the landing URL carries the click id.
    let r = get(&c, &base, "/AF2", "203.0.113.7", &[]).await;
    let loc = location(&r);
    let prefix = "https://casino.example/land?cid=";
    let click_id = loc[prefix.len()..prefix.len() + 36].to_string();
    // Clicks are written in batches: wait for this one.
    for _ in 0..100 {
        if db.counts("AF2").await.0 >= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let url = format!("{base}/postback/casino");
    let body = serde_json::json!({
        "event_id": "reg-1", "type": "registration", "time": chrono::Utc::now().to_rfc3339(),
        "click_id": click_id, "customer_id": "C1",
    })
    .to_string();
    let sig = format!("sha256={}", postbacks_in::sign(&secret, body.as_bytes()));

    // Not signed, signed wrongly, an unknown brand: 401, nothing stored.
    let (s, _) = post(&c, &url, &body, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, v) = post(&c, &url, &body, Some("sha256=00")).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(v["outcome"], "refused", "{v}");
    let (s, _) = post(&c, &format!("{base}/postback/nobrand"), &body, Some(&sig)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(matches!(
        customers::get(&ctx, "C1").await,
        Err(AppError::NotFound { .. })
    ));

    // Signed: accepted, then a duplicate.
    let (s, v) = post(&c, &url, &body, Some(&sig)).await;
    assert_eq!(
        (s, v["outcome"].as_str()),
        (StatusCode::OK, Some("accepted")),
        "{v}"
    );
    let (s, v) = post(&c, &url, &body, Some(&sig)).await;
    assert_eq!(
        (s, v["outcome"].as_str()),
        (StatusCode::OK, Some("duplicate")),
        "{v}"
    );
    let customer = customers::get(&ctx, "C1").await.unwrap().customer;
    assert_eq!(
        (
            customer.tracking_code.as_deref(),
            customer.partner_id.as_deref()
        ),
        (Some("AF2"), Some("P1")),
        "the customer is under the link's partner"
    );

    // An unknown click id: 422 with the reason.
    let body = serde_json::json!({
        "event_id": "reg-2", "type": "registration", "time": chrono::Utc::now().to_rfc3339(),
        "click_id": "00000000-0000-4000-8000-000000000000", "customer_id": "C2",
    })
    .to_string();
    let sig = postbacks_in::sign(&secret, body.as_bytes());
    let (s, v) = post(&c, &url, &body, Some(&sig)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(
        v["reason"]
            .as_str()
            .unwrap_or("")
            .contains("unknown click id"),
        "{v}"
    );

    // A body beyond the limit is refused before it is read.
    let big = "x".repeat(100 * 1024);
    let (s, _) = post(&c, &url, &big, Some("00")).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);

    server.shutdown().await.unwrap();
}

/// Many postbacks at once to two instances over one database (their
/// batchers take them in groups): every unique event is stored once,
/// every replay answers `duplicate`, and deposits of one customer posted
/// from every client at once all count (no group's read-add-write of the
/// day lost to another's).
pub async fn postbacks_at_once(db: &Db) {
    let secrets = Arc::new(MemoryStore::new());
    let ctx = db.ctx.clone().with_secrets(secrets.clone());
    let secret = postbacks_in::rotate_secret(&ctx, "casino").await.unwrap();
    let mut servers = Vec::new();
    for _ in 0..2 {
        let mut config = db.config();
        config.secrets = Secrets(secrets.clone());
        config.postbacks_out = None;
        config.flood_scan = None;
        servers.push(
            partnerdesk_server::start(ctx.store.clone(), config)
                .await
                .unwrap(),
        );
    }
    let urls: Vec<String> = servers
        .iter()
        .map(|s| format!("http://{}/postback/casino", s.local_addr()))
        .collect();
    let event = |id: String, body: serde_json::Value| {
        let mut body = body;
        body["event_id"] = id.into();
        body["time"] = chrono::Utc::now().to_rfc3339().into();
        body.to_string()
    };
    let c = client();
    let shared = event(
        "shared-reg".into(),
        serde_json::json!({"type": "registration", "code": "AF1", "customer_id": "SHARED"}),
    );
    let sig = postbacks_in::sign(&secret, shared.as_bytes());
    let (s, v) = post(&c, &urls[0], &shared, Some(&sig)).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    const CLIENTS: usize = 24;
    const EACH: usize = 12;
    let mut tasks = Vec::new();
    for n in 0..CLIENTS {
        let (c, url, secret) = (c.clone(), urls[n % 2].clone(), secret.clone());
        tasks.push(tokio::spawn(async move {
            let (mut accepted, mut duplicates) = (0, 0);
            let mut previous: Option<String> = None;
            for i in 0..EACH {
                let body = match i % 4 {
                    // Every 4th a replay of the client's previous event.
                    3 => previous.clone().unwrap(),
                    0 => event(
                        format!("reg-{n}-{i}"),
                        serde_json::json!({"type": "registration", "code": "AF1", "customer_id": format!("K{n}-{i}")}),
                    ),
                    1 => event(
                        format!("dep-{n}-{i}"),
                        serde_json::json!({"type": "deposit", "customer_id": format!("K{n}-{}", i - 1), "amount": "2.50", "currency": "EUR"}),
                    ),
                    _ => event(
                        format!("shared-{n}-{i}"),
                        serde_json::json!({"type": "deposit", "customer_id": "SHARED", "amount": "1.00", "currency": "EUR"}),
                    ),
                };
                let sig = postbacks_in::sign(&secret, body.as_bytes());
                let (s, v) = post(&c, &url, &body, Some(&sig)).await;
                assert_eq!(s, StatusCode::OK, "{v}");
                match v["outcome"].as_str() {
                    Some("accepted") => accepted += 1,
                    Some("duplicate") => duplicates += 1,
                    other => panic!("{other:?}: {v}"),
                }
                previous = Some(body);
            }
            (accepted, duplicates)
        }));
    }
    let (mut accepted, mut duplicates) = (0, 0);
    for t in tasks {
        let (a, d) = t.await.unwrap();
        accepted += a;
        duplicates += d;
    }
    let replays = CLIENTS * (EACH / 4);
    assert_eq!(duplicates, replays, "every replay is a duplicate");
    assert_eq!(
        accepted,
        CLIENTS * EACH - replays,
        "every unique event is taken"
    );
    for s in servers {
        s.shutdown().await.unwrap();
    }
    // Stored: one accepted log row per unique event, none twice.
    let log = postbacks_in::log(&ctx, Some("casino"), 10_000)
        .await
        .unwrap();
    let mut taken: Vec<&str> = log
        .iter()
        .filter(|r| r.outcome == "accepted")
        .map(|r| r.event_id.as_str())
        .collect();
    let all = taken.len();
    taken.sort_unstable();
    taken.dedup();
    assert_eq!((all, taken.len()), (accepted + 1, accepted + 1));
    let today = chrono::Utc::now().date_naive().to_string();
    let deposits = |id: &'static str| {
        let ctx = ctx.clone();
        let today = today.clone();
        async move {
            let d = customers::get(&ctx, id).await.unwrap();
            let day = d
                .activity
                .iter()
                .find(|a| a.date == today)
                .unwrap()
                .deposits
                .clone();
            rust_decimal::Decimal::from_str_exact(&day).unwrap()
        }
    };
    // Each client posted EACH / 4 shared deposits of 1.00.
    assert_eq!(
        deposits("SHARED").await,
        rust_decimal::Decimal::from((CLIENTS * (EACH / 4)) as i64)
    );
    let k = customers::get(&ctx, "K0-0").await.unwrap();
    assert_eq!(k.customer.tracking_code.as_deref(), Some("AF1"));
}
