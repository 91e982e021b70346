//! `POST /postback/{brand}`: a brand's platform reports a registration or
//! a deposit. A thin face over `partnerdesk_app::tracking::postbacks_in`:
//! it hands over the raw body (signed as it is) and the authentication
//! headers, and answers the outcome as JSON (`{"outcome", "reason"}`).

use crate::access_log::{marked, Mark};
use crate::routes::State;
use axum::body::Bytes;
use axum::extract::{Path, State as Extract};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use partnerdesk_app::tracking::postbacks_in::{self, Delivery, SIGNATURE_HEADER};

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
    match postbacks_in::receive(
        &s.store,
        s.config.secrets.0.as_ref(),
        chrono::Utc::now(),
        delivery,
    )
    .await
    {
        Ok(a) => json(
            StatusCode::from_u16(a.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            a.outcome,
            &a.reason,
        ),
        Err(e) => {
            tracing::error!(brand = %brand, error = %e, "a postback could not be taken");
            json(
                StatusCode::SERVICE_UNAVAILABLE,
                "error",
                "the server cannot take the event now; send it again",
            )
        }
    }
}
