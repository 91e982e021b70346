//! WooCommerce REST API v3 orders (woocommerce.github.io/woocommerce-rest-
//! api-docs, "Orders" and "Authentication"):
//!
//! * statuses `pending`, `processing`, `on-hold`, `completed`, `cancelled`,
//!   `refunded`, `failed`; refunds listed on the order (`refunds`, negative
//!   totals); `meta_data` with the referral code under `_referral_code`;
//! * `date_created`/`date_modified` in the shop's time zone (the
//!   `woo_timezone` setting) beside `…_gmt`; `modified_after` compared with
//!   the local times unless `dates_are_gmt=true` (`woo_ignore_gmt`: always
//!   local, as before WooCommerce 5.x); `orderby` `modified`, `date` or `id`,
//!   `order`, `page`, `per_page`, `X-WP-Total(Pages)`;
//! * authentication as `WC_REST_Authentication` does it: over HTTPS (the
//!   `woo_https` switch: a TLS-terminating proxy) HTTP Basic, or
//!   `consumer_key`/`consumer_secret` in the query string; over plain HTTP
//!   only OAuth 1.0a one-legged (HMAC-SHA1/256 over `METHOD&url&params`
//!   with the key `consumer_secret&`, a timestamp within 15 minutes, a nonce
//!   used once); `woo_strip_authorization` drops the Authorization header;
//! * `woo_modify_during_paging`: serving a page modifies one of its orders.

use crate::data::Order;
use crate::{Reply, Sim};
use axum::http::{HeaderMap, Method, StatusCode};
use base64::Engine;
use chrono::NaiveDateTime;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::Ordering;

const TIME: &str = "%Y-%m-%dT%H:%M:%S";
pub const REFERRAL_META_KEY: &str = "_referral_code";

pub(crate) fn route(
    sim: &Sim,
    method: &Method,
    path: &str,
    q: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Reply {
    if let Err(r) = authenticate(sim, method, path, q, headers) {
        return r;
    }
    orders(sim, q)
}

fn refused(code: &str, message: &str) -> Reply {
    Reply::json(
        StatusCode::UNAUTHORIZED,
        &json!({"code": code, "message": message, "data": {"status": 401}}),
    )
}

/// PHP's `rawurlencode`: RFC 3986 unreserved characters stay.
fn rawurlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn authenticate(
    sim: &Sim,
    method: &Method,
    path: &str,
    q: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<(), Reply> {
    let (key, secret) = (&sim.auth.consumer_key, &sim.auth.consumer_secret);
    if sim.faults.woo_https.load(Ordering::SeqCst) {
        let basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{key}:{secret}"))
        );
        let header_ok = !sim.faults.woo_strip_authorization.load(Ordering::SeqCst)
            && headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|a| a == basic);
        let query_ok =
            q.get("consumer_key") == Some(key) && q.get("consumer_secret") == Some(secret);
        if header_ok || query_ok {
            return Ok(());
        }
        if q.contains_key("consumer_key") || headers.contains_key("authorization") {
            return Err(refused(
                "woocommerce_rest_authentication_error",
                "Consumer secret is invalid.",
            ));
        }
        return Err(refused(
            "woocommerce_rest_cannot_view",
            "Sorry, you cannot list resources.",
        ));
    }
    // Plain HTTP: OAuth 1.0a only.
    let Some(consumer) = q.get("oauth_consumer_key") else {
        return Err(refused(
            "woocommerce_rest_cannot_view",
            "Sorry, you cannot list resources.",
        ));
    };
    if consumer != key {
        return Err(refused(
            "woocommerce_rest_authentication_error",
            "Consumer key is invalid.",
        ));
    }
    for p in [
        "oauth_signature",
        "oauth_signature_method",
        "oauth_timestamp",
        "oauth_nonce",
    ] {
        if !q.contains_key(p) {
            return Err(refused(
                "woocommerce_rest_authentication_error",
                &format!("{p} parameter is missing."),
            ));
        }
    }
    let algorithm = match q.get("oauth_signature_method").map(String::as_str) {
        Some("HMAC-SHA1") => "sha1",
        Some("HMAC-SHA256") => "sha256",
        _ => {
            return Err(refused(
                "woocommerce_rest_authentication_error",
                "Invalid signature - signature method is invalid.",
            ))
        }
    };
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let base_uri = rawurlencode(&format!("http://{host}{path}"));
    let mut params: Vec<(String, String)> = q
        .iter()
        .filter(|(k, _)| k.as_str() != "oauth_signature")
        .map(|(k, v)| (rawurlencode(k), rawurlencode(v)))
        .collect();
    params.sort_by(|a, b| a.0.cmp(&b.0));
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| rawurlencode(&format!("{k}={v}")))
        .collect();
    let to_sign = format!("{}&{base_uri}&{}", method.as_str(), query.join("%26"));
    let signing_key = format!("{secret}&");
    let signature = match algorithm {
        "sha1" => {
            let mut m = Hmac::<sha1::Sha1>::new_from_slice(signing_key.as_bytes())
                .map_err(|_| refused("woocommerce_rest_authentication_error", "key"))?;
            m.update(to_sign.as_bytes());
            base64::engine::general_purpose::STANDARD.encode(m.finalize().into_bytes())
        }
        _ => {
            let mut m = Hmac::<sha2::Sha256>::new_from_slice(signing_key.as_bytes())
                .map_err(|_| refused("woocommerce_rest_authentication_error", "key"))?;
            m.update(to_sign.as_bytes());
            base64::engine::general_purpose::STANDARD.encode(m.finalize().into_bytes())
        }
    };
    let given = q
        .get("oauth_signature")
        .map(|s| s.replace(' ', "+"))
        .unwrap_or_default();
    if signature != given {
        return Err(refused(
            "woocommerce_rest_authentication_error",
            "Invalid signature - provided signature does not match.",
        ));
    }
    let now = chrono::Utc::now().timestamp();
    let ts: i64 = q
        .get("oauth_timestamp")
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    if (now - ts).abs() > 15 * 60 {
        return Err(refused(
            "woocommerce_rest_authentication_error",
            "Invalid timestamp.",
        ));
    }
    let nonce = format!("{ts}:{}", q.get("oauth_nonce").cloned().unwrap_or_default());
    let fresh = sim
        .sessions
        .lock()
        .map(|mut s| s.nonces.insert(nonce))
        .unwrap_or(false);
    if !fresh {
        return Err(refused(
            "woocommerce_rest_authentication_error",
            "Invalid nonce - nonce has already been used.",
        ));
    }
    Ok(())
}

/// A UTC time in the shop's zone.
fn local(zone: chrono_tz::Tz, utc: NaiveDateTime) -> NaiveDateTime {
    utc.and_utc().with_timezone(&zone).naive_local()
}

/// `modified_after` as the shop reads it: a date-time (an offset, if
/// written, is applied).
fn parse_param(raw: &str) -> Option<NaiveDateTime> {
    chrono::DateTime::parse_from_rfc3339(raw.trim())
        .map(|d| d.naive_utc())
        .ok()
        .or_else(|| NaiveDateTime::parse_from_str(raw.trim(), TIME).ok())
}

fn order_json(o: &Order, zone: chrono_tz::Tz) -> Value {
    let refunds: Vec<Value> = o
        .refunds
        .iter()
        .enumerate()
        .map(|(i, t)| json!({"id": o.id * 10 + i as u64, "reason": "challenge refund", "total": format!("-{t}")}))
        .collect();
    let coupons = if o.coupon.is_empty() {
        json!([])
    } else {
        json!([{"id": 1, "code": o.coupon, "discount": "0.00"}])
    };
    let meta = if o.referral.is_empty() {
        json!([])
    } else {
        json!([{"id": 1, "key": REFERRAL_META_KEY, "value": o.referral}])
    };
    json!({
        "id": o.id, "status": o.status, "currency": "USD",
        "date_created": local(zone, o.created).format(TIME).to_string(),
        "date_created_gmt": o.created.format(TIME).to_string(),
        "date_modified": local(zone, o.modified).format(TIME).to_string(),
        "date_modified_gmt": o.modified.format(TIME).to_string(),
        "total": o.total, "customer_id": o.customer,
        "billing": {"country": o.country, "email": format!("customer{}@example.com", o.customer)},
        "line_items": [{"id": o.id, "name": o.product, "quantity": 1, "total": o.total}],
        "coupon_lines": coupons, "refunds": refunds, "meta_data": meta
    })
}

fn orders(sim: &Sim, q: &HashMap<String, String>) -> Reply {
    let zone = sim.settings().woo_zone;
    let per_page: usize = q
        .get("per_page")
        .and_then(|v| v.parse().ok())
        .unwrap_or(10)
        .clamp(1, 100);
    let page: usize = q
        .get("page")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
        .max(1);
    let gmt = q.get("dates_are_gmt").map(String::as_str) == Some("true")
        && !sim.faults.woo_ignore_gmt.load(Ordering::SeqCst);
    let after = q.get("modified_after").and_then(|m| parse_param(m));
    let Ok(mut all) = sim.orders.lock() else {
        return Reply::error(StatusCode::INTERNAL_SERVER_ERROR, "lock");
    };
    let mut list: Vec<usize> = (0..all.len())
        .filter(|&i| {
            let o = &all[i];
            let m = if gmt {
                o.modified
            } else {
                local(zone, o.modified)
            };
            after.is_none_or(|a| m > a)
        })
        .collect();
    match q.get("orderby").map(String::as_str) {
        Some("modified") => list.sort_by_key(|&i| (all[i].modified, all[i].id)),
        Some("id") => list.sort_by_key(|&i| all[i].id),
        _ => list.sort_by_key(|&i| (all[i].created, all[i].id)),
    }
    if q.get("order").map(String::as_str) != Some("asc") {
        list.reverse();
    }
    let total = list.len();
    let pages = total.div_ceil(per_page);
    let mut first = (page - 1) * per_page;
    if sim.faults.duplicate_pages.load(Ordering::SeqCst) && page > 1 {
        // An offset that slipped: this page starts with the previous page's last order.
        first -= 1;
    }
    let chosen: Vec<usize> = list.iter().skip(first).take(per_page).copied().collect();
    let items: Vec<Value> = chosen.iter().map(|&i| order_json(&all[i], zone)).collect();
    if sim.faults.woo_modify_during_paging.load(Ordering::SeqCst) {
        // Someone edits an order of this page while the sync reads on:
        // it moves to the end of the list by modification time.
        let latest = all.iter().map(|o| o.modified).max();
        // Refunded orders are left alone: their modification time is when
        // they were refunded.
        let untouched = chosen.iter().find(|&&i| {
            !all[i].touched && all[i].refunds.is_empty() && all[i].status != "refunded"
        });
        if let (Some(&i), Some(latest)) = (untouched, latest) {
            all[i].modified = latest + chrono::Duration::minutes(1);
            all[i].touched = true;
        }
    }
    let mut r = Reply::ok(&Value::Array(items));
    r.headers.push(("x-wp-total", total.to_string()));
    r.headers.push(("x-wp-totalpages", pages.to_string()));
    r
}
