//! The HTTP face: `/healthz`, `/readyz`, and every other path a tracking
//! link, answered with a 302 that no cache keeps. A visitor never sees an
//! error page: an unknown path, a link without a landing, or a landing
//! that is not a valid header value go to the fallback URL.

use crate::access_log::{self, marked, Mark};
use crate::cache::LinkCache;
use crate::visit;
use crate::writer::Queue;
use crate::Config;
use axum::extract::{ConnectInfo, State as Extract};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use partnerdesk_app::tracking::clicks::{new_click_id, Visit};
use partnerdesk_domain::tracking::{self as rules, Fill};
use partnerdesk_store::Store;
use std::net::SocketAddr;
use std::sync::Arc;

pub struct Inner {
    pub(crate) store: Store,
    pub(crate) config: Config,
    cache: LinkCache,
    queue: Queue,
    pub(crate) settings: crate::postbacks::SettingCache,
    pub(crate) batcher: crate::batcher::Batcher,
}

pub type State = Arc<Inner>;

impl Inner {
    #[allow(clippy::new_ret_no_self)]
    pub fn new(
        store: Store,
        config: Config,
        queue: Queue,
        batcher: crate::batcher::Batcher,
    ) -> State {
        Arc::new(Inner {
            cache: LinkCache::new(config.link_ttl),
            settings: crate::postbacks::SettingCache::new(partnerdesk_secrets::DEFAULT_TTL),
            batcher,
            store,
            config,
            queue,
        })
    }
}

pub fn router(state: State, log: Option<access_log::Shared>) -> Router {
    let router = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route(
            "/postback/{brand}",
            post(crate::postbacks::postback).layer(axum::extract::DefaultBodyLimit::max(
                crate::postbacks::BODY_MAX,
            )),
        )
        .fallback(redirect)
        .with_state(state);
    match log {
        Some(log) => router.layer(axum::middleware::from_fn_with_state(
            log,
            access_log::middleware,
        )),
        None => router,
    }
}

fn mark(route: &'static str) -> Mark {
    Mark {
        route,
        visitor: None,
        ip: None,
    }
}

/// The process is up.
async fn healthz() -> Response {
    marked("ok\n".into_response(), mark("/healthz"))
}

/// The database answers.
async fn readyz(Extract(s): Extract<State>) -> Response {
    let r = match partnerdesk_app::tracking::clicks::ping(&s.store).await {
        Ok(()) => (StatusCode::OK, "ready\n").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready: the database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the database does not answer\n",
            )
                .into_response()
        }
    };
    marked(r, mark("/readyz"))
}

/// A 302 to `location` with the headers that keep every cache from
/// storing it (each visit must reach the server to be counted).
fn found(location: HeaderValue) -> Response {
    let mut r = StatusCode::FOUND.into_response();
    let h = r.headers_mut();
    h.insert(header::LOCATION, location);
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache, must-revalidate"),
    );
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    h.insert(header::EXPIRES, HeaderValue::from_static("0"));
    r
}

async fn to_fallback(s: &Inner) -> Response {
    let url = s
        .cache
        .fallback(&s.store, s.config.fallback_url.as_deref())
        .await;
    match url.and_then(|u| HeaderValue::from_str(&u).ok()) {
        Some(v) => found(v),
        // Only when no fallback was ever known (the server refuses to start so).
        None => (StatusCode::NOT_FOUND, "not found\n").into_response(),
    }
}

async fn redirect(
    Extract(s): Extract<State>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let path = uri.path().trim_matches('/');
    let unknown = mark("(unknown link)");
    if rules::check_link_path("path", path).is_err() {
        return marked(to_fallback(&s).await, unknown);
    }
    let Some(link) = s.cache.link(&s.store, path).await else {
        tracing::debug!(path, "unknown link: to the fallback");
        return marked(to_fallback(&s).await, unknown);
    };
    let seen = visit::read(
        peer,
        &headers,
        uri.query(),
        &s.config.trusted_proxies,
        s.config.country_header.as_deref(),
    );
    let click_id = new_click_id();
    let location = link.template.as_deref().and_then(|t| {
        let url = rules::fill(
            t,
            &Fill {
                click_id: &click_id,
                code: &link.code,
                subs: [
                    seen.subs[0].as_deref(),
                    seen.subs[1].as_deref(),
                    seen.subs[2].as_deref(),
                    seen.subs[3].as_deref(),
                    seen.subs[4].as_deref(),
                ],
                campaign: seen.campaign.as_deref(),
            },
        );
        HeaderValue::from_str(&url).ok()
    });
    let kind = rules::classify(&seen.user_agent, seen.prefetch);
    let logged = Mark {
        route: if link.path.contains('/') {
            "/{brand}/{code}"
        } else {
            "/{code}"
        },
        visitor: Some(kind.as_str()),
        ip: Some(seen.ip),
    };
    // Only a GET is a visit; a HEAD (a checker) is answered alike but not counted.
    if method == Method::GET {
        s.queue.push(Visit {
            click_id,
            at: chrono::Utc::now(),
            path: link.path.clone(),
            brand_id: link.brand_id.clone(),
            code: link.code.clone(),
            subs: seen.subs,
            campaign: seen.campaign,
            referrer_host: seen.referrer_host,
            country: seen.country,
            ip: seen.ip,
            user_agent: seen.user_agent,
            kind,
        });
    }
    let r = match location {
        Some(l) => found(l),
        None => {
            tracing::warn!(path, brand = %link.brand_id, "the link has no usable landing URL (set the brand's landing template): to the fallback");
            to_fallback(&s).await
        }
    };
    marked(r, logged)
}
