//! `POST /postback/{brand}`: a brand's platform reports a registration or
//! a deposit. A thin face over `partnerdesk_app::tracking::postbacks_in`:
//! on the request path it checks the raw body (signed as it is) and the
//! authentication headers against the brand's setting (cached here for a
//! few seconds, as the secret is) without the database; the event then
//! goes to the batchers ([`crate::batcher`]), which take it with a group
//! in one transaction. The outcome is answered as JSON
//! (`{"outcome", "reason"}`).

use crate::access_log::{marked, Mark};
use crate::routes::State;
use axum::body::Bytes;
use axum::extract::{Path, State as Extract};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use partnerdesk_app::tracking::postbacks_in::{self, Delivery, SIGNATURE_HEADER};
use partnerdesk_store::postbacks::PostbackBrandRow;
use partnerdesk_store::Store;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Brands' settings kept at most (a flood of made-up brands is not kept).
const SETTINGS_MAX: usize = 10_000;

/// Brands' postback settings, each reused for `ttl` (a changed window or
/// authentication takes effect within it on every instance, as a rotated
/// secret does). Only settings found are kept: a brand set up a moment
/// ago is seen at once.
pub struct SettingCache {
    ttl: Duration,
    map: Mutex<HashMap<String, (Instant, PostbackBrandRow)>>,
}

impl SettingCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            map: Mutex::new(HashMap::new()),
        }
    }

    async fn get(
        &self,
        store: &Store,
        brand: &str,
    ) -> partnerdesk_app::Result<Option<PostbackBrandRow>> {
        {
            let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((at, row)) = map.get(brand) {
                if at.elapsed() < self.ttl {
                    return Ok(Some(row.clone()));
                }
            }
        }
        let row = postbacks_in::brand_setting(store, brand).await?;
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        match &row {
            Some(r) => {
                if map.len() >= SETTINGS_MAX {
                    map.clear();
                }
                map.insert(brand.to_string(), (Instant::now(), r.clone()));
            }
            None => {
                map.remove(brand);
            }
        }
        Ok(row)
    }
}

/// The largest body taken: an event is a few hundred bytes.
pub const BODY_MAX: usize = 64 * 1024;

fn json(status: StatusCode, outcome: &str, reason: &str) -> Response {
    let body = serde_json::json!({ "outcome": outcome, "reason": reason }).to_string();
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

pub async fn postback(
    state: Extract<State>,
    brand: Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mark = Mark {
        route: "/postback/{brand}",
        visitor: None,
        ip: None,
    };
    marked(answer(state, brand, headers, body).await, mark)
}

async fn answer(
    Extract(s): Extract<State>,
    Path(brand): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let signature = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let delivery = Delivery {
        brand_id: &brand,
        signature,
        bearer,
        body: &body,
    };
    let unavailable = |e: &dyn std::fmt::Display| {
        tracing::error!(brand = %brand, error = %e, "a postback could not be taken");
        json(
            StatusCode::SERVICE_UNAVAILABLE,
            "error",
            "the server cannot take the event now; send it again",
        )
    };
    let setting = match s.settings.get(&s.store, &brand).await {
        Ok(v) => v,
        Err(e) => return unavailable(&e),
    };
    let checked = match postbacks_in::check(
        setting.as_ref(),
        s.config.secrets.0.as_ref(),
        chrono::Utc::now(),
        &delivery,
    ) {
        Ok(c) => c,
        Err(e) => return unavailable(&e),
    };
    let answer = match checked.answered() {
        Some(a) => Some(a.clone()),
        None => s.batcher.take(checked).await,
    };
    match answer {
        Some(a) => json(
            StatusCode::from_u16(a.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            a.outcome,
            &a.reason,
        ),
        None => json(
            StatusCode::SERVICE_UNAVAILABLE,
            "error",
            "the server cannot take the event now; send it again",
        ),
    }
}
