//! A gaming platform's REST/JSON feed: `/v1/players` and `/v1/activity`
//! (bearer token, `X-Api-Key` or OAuth2 client credentials from
//! `/oauth/token`; cursor pagination; `updated_since`).

use crate::{decode, Reply, Sim};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::Ordering;

pub(crate) fn oauth(sim: &Sim, body: &[u8]) -> Reply {
    let form: HashMap<String, String> = String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect();
    if form.get("grant_type").map(String::as_str) != Some("client_credentials")
        || form.get("client_id") != Some(&sim.auth.client_id)
        || form.get("client_secret") != Some(&sim.auth.client_secret)
    {
        return Reply::json(
            StatusCode::UNAUTHORIZED,
            &json!({"error": "invalid_client"}),
        );
    }
    let token = hex::encode(rand::random::<[u8; 16]>());
    if let Ok(mut s) = sim.sessions.lock() {
        s.tokens.insert(token.clone());
    }
    Reply::ok(&json!({"access_token": token, "token_type": "Bearer", "expires_in": 3600}))
}

pub(crate) fn auth(sim: &Sim, headers: &HeaderMap) -> Result<(), Reply> {
    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("");
    let bearer = h("authorization").strip_prefix("Bearer ").unwrap_or("");
    let ok = bearer == sim.auth.token
        || h("x-api-key") == sim.auth.api_key
        || sim
            .sessions
            .lock()
            .map(|s| s.tokens.contains(bearer))
            .unwrap_or(false);
    if ok {
        Ok(())
    } else {
        Err(Reply::error(
            StatusCode::UNAUTHORIZED,
            "invalid credentials",
        ))
    }
}

pub(crate) fn serve(sim: &Sim, path: &str, q: &HashMap<String, String>) -> Reply {
    let limit: usize = q
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(500)
        .clamp(1, 10_000);
    let since = q.get("updated_since").cloned();
    let cursor = q.get("cursor").cloned().unwrap_or_default();
    let offset: usize = cursor
        .strip_prefix('o')
        .and_then(|o| o.parse().ok())
        .unwrap_or(0);
    let players = path == "/v1/players";
    // The records after `since`, in updated order, written as JSON text
    // (the benchmark serves a million rows: no Value per row).
    let mut items = String::with_capacity(limit.min(10_000) * 220 + 2);
    items.push('[');
    let (total, count) = if players {
        let all = &sim.data.players;
        let start = since
            .as_ref()
            .map(|s| all.partition_point(|p| p.registered_at <= *s))
            .unwrap_or(0);
        let slice = &all[start..];
        let mut count = 0;
        for p in slice.iter().skip(offset).take(limit) {
            let v = json!({"player_id": p.id, "btag": if p.btag.is_empty() { Value::Null } else { Value::String(p.btag.clone()) },
                "country": p.country, "registered_at": p.registered_at, "status": p.status, "updated_at": p.registered_at});
            if count > 0 {
                items.push(',');
            }
            items.push_str(&v.to_string());
            count += 1;
        }
        (slice.len(), count)
    } else {
        let all = &sim.data.activity;
        let start = since
            .as_ref()
            .map(|s| all.partition_point(|a| a.updated_at <= *s))
            .unwrap_or(0);
        let slice = &all[start..];
        let mut count = 0;
        let wrong = sim.faults.wrong_types.load(Ordering::SeqCst);
        for (row, a) in slice.iter().enumerate().skip(offset).take(limit) {
            if count > 0 {
                items.push(',');
            }
            let [dep, wd, bets, wins, bon, cb, tax] = &a.amounts;
            let fields: [(&str, &str); 10] = [
                ("player_id", &a.player_id),
                ("date", &a.date),
                ("deposits", dep),
                ("withdrawals", wd),
                ("bets", bets),
                ("wins", wins),
                ("bonuses", bon),
                ("chargebacks", cb),
                ("taxes", tax),
                ("updated_at", &a.updated_at),
            ];
            items.push('{');
            for (i, (k, v)) in fields.iter().enumerate() {
                if i > 0 {
                    items.push(',');
                }
                items.push('"');
                items.push_str(k);
                items.push_str("\":");
                if wrong && *k == "bets" && (start + row) % 50 == 0 {
                    items.push_str("{\"value\":");
                    push_json_str(&mut items, v);
                    items.push('}');
                } else {
                    push_json_str(&mut items, v);
                }
            }
            items.push('}');
            count += 1;
        }
        (slice.len(), count)
    };
    items.push(']');
    let mut next = (offset + count < total).then(|| format!("o{}", offset + count));
    if sim.faults.duplicate_pages.load(Ordering::SeqCst) && next.is_some() {
        let key = format!("{path}:{cursor}:{since:?}");
        if let Ok(mut s) = sim.sessions.lock() {
            if s.served_twice.insert(key) {
                // Point back at this very page once.
                next = Some(if cursor.is_empty() {
                    "o0".into()
                } else {
                    cursor.clone()
                });
            }
        }
    }
    let next = match next {
        Some(n) => Value::String(n).to_string(),
        None => "null".to_string(),
    };
    Reply {
        status: StatusCode::OK,
        headers: vec![("content-type", "application/json".into())],
        body: format!("{{\"data\":{items},\"next_cursor\":{next},\"total\":{total}}}").into_bytes(),
    }
}

/// `s` as a JSON string literal.
fn push_json_str(out: &mut String, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        out.push_str(&Value::String(s.to_string()).to_string());
    }
}
