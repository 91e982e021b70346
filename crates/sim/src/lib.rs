//! `partnerdesk-sim`: the three platform APIs Partnerdesk syncs from, served
//! on a loopback port from a generated data set, behaving as their
//! documentation says, with a switch for each behaviour where real servers
//! differ and for the faults real platforms show. Tests start it in-process
//! ([`start`]); the binary serves it for the demo, the benchmark and manual
//! checks.
//!
//! * MT5 Web API ([`mt5`]): sessions bound to the TCP connection
//!   (`/api/auth/start` + `/api/auth/answer`, no cookie), numbers as JSON
//!   strings, `VolumeExt`, server time in a time zone, late deals,
//!   `get_total` as `{"Total": "10"}`, "command not supported" retcodes.
//! * Gaming feed ([`feed`]): `/v1/players`, `/v1/activity` (bearer token,
//!   `X-Api-Key` or OAuth2 client credentials from `/oauth/token`; cursor
//!   pagination; `updated_since`).
//! * WooCommerce REST v3 ([`woo`]): order statuses, refunds, shop-local
//!   times unless `dates_are_gmt=true`, orders modified while a sync pages,
//!   HTTP Basic and query-string keys over HTTPS, OAuth 1.0a over HTTP, a
//!   meta key with the referral code.
//! * Switches: `POST /__sim/faults?name=value` or [`Faults`] / [`Settings`]
//!   directly; counts: `GET /__sim/stats`.

pub mod countries;
pub mod data;
pub mod feed;
pub mod mt5;
pub mod server;
pub mod smtp;
pub mod woo;

pub use data::SimData;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("simulator data: {0}")]
    Data(String),
    #[error("simulator: {0}")]
    Io(#[from] std::io::Error),
}

/// Switches that are numbers or flags. Counters fire on the next N data
/// requests.
#[derive(Debug, Default)]
pub struct Faults {
    /// Every answer waits this long first.
    pub slow_ms: AtomicU64,
    /// The next N data requests answer 500.
    pub errors_500: AtomicU32,
    /// The next N data requests answer 429 with `Retry-After: retry_after_s`.
    pub rate_limited: AtomicU32,
    pub retry_after_s: AtomicU64,
    /// The next N data requests answer cut-off JSON.
    pub malformed: AtomicU32,
    /// The next N data requests drop the connection half-way through the body.
    pub dropped: AtomicU32,
    /// Every page is served twice (the cursor of a page points at itself
    /// once; MT5 answers list every deal twice; a WooCommerce page > 1
    /// starts with the previous page's last order).
    pub duplicate_pages: AtomicBool,
    /// MT5 closes a connection after this many commands on it (0: never).
    pub session_calls: AtomicU32,
    /// Any connection idle this long is closed (0: never).
    pub idle_close_ms: AtomicU64,
    /// Every answer is an HTML page (a misconfigured proxy).
    pub html: AtomicBool,
    /// `/api/deal/get_batch` is unknown, as on older MT5 servers: 1 answers
    /// HTTP 404, 2 retcode 12002 (command not supported), 3 retcode 12000
    /// (not implemented). Deals only through `get_total` + `get_page`.
    pub no_deal_batch: AtomicU32,
    /// Every 50th activity row (by position in the data set) carries `bets`
    /// as an object instead of an amount: a field of the wrong type.
    pub wrong_types: AtomicBool,
    /// MT5 deals without `VolumeExt` (servers before extended volumes).
    pub no_volume_ext: AtomicBool,
    /// MT5 numbers as JSON numbers instead of the documented strings.
    pub mt5_numbers: AtomicBool,
    /// Every Nth MT5 deal (by ticket) is booked late: it is missing from
    /// its time range until that range has been read once (0: none).
    pub late_deals: AtomicU64,
    /// MT5 `Country` as the ISO code instead of the free-text name.
    pub country_codes: AtomicBool,
    /// Every Nth MT5 account (by login) has an empty `Country` (0: none).
    pub empty_country_every: AtomicU64,
    /// The shop ignores `dates_are_gmt` (WooCommerce before 5.x): it
    /// compares `modified_after` with its local times always.
    pub woo_ignore_gmt: AtomicBool,
    /// The shop is reached over HTTPS (a TLS-terminating proxy in front):
    /// HTTP Basic and query-string keys work, OAuth 1.0a does not.
    pub woo_https: AtomicBool,
    /// The host drops the Authorization header before WordPress sees it.
    pub woo_strip_authorization: AtomicBool,
    /// Each order list modifies one order of the page it serves (once per
    /// order), as a shop does while a sync pages through it.
    pub woo_modify_during_paging: AtomicBool,
}

/// Switches that are not numbers: the platforms' clocks.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The MT5 trade server's time zone (its times are wall-clock times).
    pub mt5_zone: chrono_tz::Tz,
    /// The shop's time zone (`date_created` and `date_modified` are local).
    pub woo_zone: chrono_tz::Tz,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            mt5_zone: chrono_tz::UTC,
            woo_zone: chrono_tz::UTC,
        }
    }
}

/// What the simulator has seen (for tests and the benchmark).
#[derive(Debug, Default)]
pub struct Stats {
    /// Data requests answered.
    pub requests: AtomicU64,
    /// TCP connections accepted.
    pub connections: AtomicU64,
    /// MT5 handshakes completed.
    pub sign_ins: AtomicU64,
    /// MT5 `/api/test/access` answered.
    pub pings: AtomicU64,
}

fn take(c: &AtomicU32) -> bool {
    c.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

/// Credentials the simulator accepts.
#[derive(Debug, Clone)]
pub struct SimAuth {
    pub mt5_login: String,
    pub mt5_password: String,
    pub token: String,
    pub api_key: String,
    pub client_id: String,
    pub client_secret: String,
    pub consumer_key: String,
    pub consumer_secret: String,
}

impl Default for SimAuth {
    fn default() -> Self {
        Self {
            mt5_login: "1000".into(),
            mt5_password: "manager-pass".into(),
            token: "feed-token".into(),
            api_key: "feed-key".into(),
            client_id: "partnerdesk".into(),
            client_secret: "client-secret".into(),
            consumer_key: "ck_sim".into(),
            consumer_secret: "cs_sim".into(),
        }
    }
}

#[derive(Default)]
struct Sessions {
    /// MT5 sessions by connection.
    mt5: HashMap<u64, mt5::Session>,
    /// OAuth2 tokens of the feed.
    tokens: HashSet<String>,
    /// Cursor tokens already served once (duplicate pages).
    served_twice: HashSet<String>,
    /// OAuth 1.0a nonces seen (WooCommerce refuses a nonce twice).
    nonces: HashSet<String>,
}

pub struct Sim {
    pub data: SimData,
    /// The shop's orders (they change: modifications, refunds).
    pub orders: Mutex<Vec<data::Order>>,
    pub faults: Faults,
    pub settings: RwLock<Settings>,
    pub auth: SimAuth,
    pub stats: Stats,
    sessions: Mutex<Sessions>,
    /// Late deals that have been held back once (shown from then on).
    released: Mutex<HashSet<u64>>,
}

impl Sim {
    pub fn new(mut data: SimData, auth: SimAuth) -> Arc<Self> {
        let orders = std::mem::take(&mut data.orders);
        Arc::new(Self {
            data,
            orders: Mutex::new(orders),
            faults: Faults::default(),
            settings: RwLock::new(Settings::default()),
            auth,
            stats: Stats::default(),
            sessions: Mutex::new(Sessions::default()),
            released: Mutex::new(HashSet::new()),
        })
    }

    pub fn settings(&self) -> Settings {
        self.settings.read().map(|s| s.clone()).unwrap_or_default()
    }

    /// A connection ended: its MT5 session is gone.
    fn forget_connection(&self, id: u64) {
        if let Ok(mut s) = self.sessions.lock() {
            s.mt5.remove(&id);
        }
    }
}

/// A running simulator.
pub struct Running {
    pub addr: SocketAddr,
    pub sim: Arc<Sim>,
    pub task: tokio::task::JoinHandle<()>,
}

impl Running {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves `sim` on 127.0.0.1:`port` (0: any free port).
pub async fn start(sim: Arc<Sim>, port: u16) -> Result<Running, SimError> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    let app = axum::Router::new().fallback(handle).with_state(sim.clone());
    let task = tokio::spawn(server::accept(listener, app, sim.clone()));
    Ok(Running { addr, sim, task })
}

pub(crate) struct Reply {
    pub status: StatusCode,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(status: StatusCode, v: &Value) -> Self {
        Self {
            status,
            headers: vec![("content-type", "application/json".into())],
            body: v.to_string().into_bytes(),
        }
    }
    pub fn ok(v: &Value) -> Self {
        Self::json(StatusCode::OK, v)
    }
    pub fn error(status: StatusCode, message: &str) -> Self {
        Self::json(
            status,
            &json!({"code": status.as_u16(), "message": message}),
        )
    }
    pub fn text(status: StatusCode, body: String) -> Self {
        Self {
            status,
            headers: vec![("content-type", "application/json".into())],
            body: body.into_bytes(),
        }
    }
}

pub(crate) fn query_map(uri: &Uri) -> HashMap<String, String> {
    uri.query()
        .map(|q| {
            q.split('&')
                .filter(|kv| !kv.is_empty())
                .map(|kv| {
                    let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                    (decode(k), decode(v))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Form/query decoding as PHP's `$_GET` does it: `+` is a space, `%XX` a byte.
pub(crate) fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn handle(
    State(sim): State<Arc<Sim>>,
    conn: Option<axum::Extension<server::Conn>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: bytes::Bytes,
) -> Response {
    let path = uri.path().to_string();
    let q = query_map(&uri);
    if path == "/__sim/faults" {
        return finish(set_faults(&sim, &q));
    }
    if path == "/__sim/stats" {
        let s = &sim.stats;
        return finish(Reply::ok(&json!({
            "requests": s.requests.load(Ordering::SeqCst),
            "connections": s.connections.load(Ordering::SeqCst),
            "sign_ins": s.sign_ins.load(Ordering::SeqCst),
            "pings": s.pings.load(Ordering::SeqCst),
        })));
    }
    let slow = sim.faults.slow_ms.load(Ordering::SeqCst);
    if slow > 0 {
        tokio::time::sleep(Duration::from_millis(slow)).await;
    }
    let f = &sim.faults;
    if f.html.load(Ordering::SeqCst) {
        return finish(Reply {
            status: StatusCode::OK,
            headers: vec![("content-type", "text/html; charset=utf-8".into())],
            body: b"<!doctype html><html><body><h1>Welcome</h1></body></html>".to_vec(),
        });
    }
    let data_request =
        !path.starts_with("/api/auth/") && path != "/api/test/access" && path != "/oauth/token";
    if data_request {
        sim.stats.requests.fetch_add(1, Ordering::SeqCst);
        if take(&f.errors_500) {
            return finish(Reply::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error",
            ));
        }
        if take(&f.rate_limited) {
            let mut r = Reply::error(StatusCode::TOO_MANY_REQUESTS, "slow down");
            r.headers.push((
                "retry-after",
                f.retry_after_s.load(Ordering::SeqCst).to_string(),
            ));
            return finish(r);
        }
    }
    let conn_id = conn.map(|c| c.0 .0.id).unwrap_or(0);
    let reply = route(&sim, conn_id, &method, &path, &q, &headers, &body);
    if data_request && reply.status == StatusCode::OK {
        if take(&f.malformed) {
            let mut r = reply;
            let half = r.body.len() / 2;
            r.body.truncate(half.max(1));
            return finish(r);
        }
        if take(&f.dropped) {
            return dropped(reply);
        }
    }
    finish(reply)
}

fn finish(r: Reply) -> Response {
    let mut b = Response::builder().status(r.status);
    for (k, v) in r.headers {
        b = b.header(k, v);
    }
    b.body(Body::from(r.body))
        .unwrap_or_else(|_| Response::new(Body::empty()))
}

/// Sends half the body, then breaks the connection.
fn dropped(r: Reply) -> Response {
    let half = bytes::Bytes::from(r.body[..r.body.len() / 2].to_vec());
    let stream = futures_util::stream::iter(vec![
        Ok::<_, std::io::Error>(half),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "dropped by the simulator",
        )),
    ]);
    let mut b = Response::builder().status(r.status);
    for (k, v) in r.headers {
        b = b.header(k, v);
    }
    b.header("content-length", r.body.len().to_string())
        .body(Body::from_stream(stream))
        .unwrap_or_else(|_| Response::new(Body::empty()))
}

/// Sets switches from `name=value` pairs (flags: 1/0; zones: IANA names).
pub fn set_switch(sim: &Sim, name: &str, value: &str) -> Result<(), String> {
    let f = &sim.faults;
    let n: u64 = value.parse().unwrap_or(0);
    let on = n != 0 || value == "true";
    let zone = || {
        value
            .parse::<chrono_tz::Tz>()
            .map_err(|_| format!("'{value}' is not an IANA time zone"))
    };
    match name {
        "slow_ms" => f.slow_ms.store(n, Ordering::SeqCst),
        "errors_500" => f.errors_500.store(n as u32, Ordering::SeqCst),
        "rate_limited" => f.rate_limited.store(n as u32, Ordering::SeqCst),
        "retry_after_s" => f.retry_after_s.store(n, Ordering::SeqCst),
        "malformed" => f.malformed.store(n as u32, Ordering::SeqCst),
        "dropped" => f.dropped.store(n as u32, Ordering::SeqCst),
        "duplicate_pages" => f.duplicate_pages.store(on, Ordering::SeqCst),
        "session_calls" => f.session_calls.store(n as u32, Ordering::SeqCst),
        "idle_close_ms" => f.idle_close_ms.store(n, Ordering::SeqCst),
        "html" => f.html.store(on, Ordering::SeqCst),
        "no_deal_batch" => f.no_deal_batch.store(n as u32, Ordering::SeqCst),
        "wrong_types" => f.wrong_types.store(on, Ordering::SeqCst),
        "no_volume_ext" => f.no_volume_ext.store(on, Ordering::SeqCst),
        "mt5_numbers" => f.mt5_numbers.store(on, Ordering::SeqCst),
        "late_deals" => f.late_deals.store(n, Ordering::SeqCst),
        "country_codes" => f.country_codes.store(on, Ordering::SeqCst),
        "empty_country_every" => f.empty_country_every.store(n, Ordering::SeqCst),
        "woo_ignore_gmt" => f.woo_ignore_gmt.store(on, Ordering::SeqCst),
        "woo_https" => f.woo_https.store(on, Ordering::SeqCst),
        "woo_strip_authorization" => f.woo_strip_authorization.store(on, Ordering::SeqCst),
        "woo_modify_during_paging" => f.woo_modify_during_paging.store(on, Ordering::SeqCst),
        "mt5_timezone" => {
            let z = zone()?;
            if let Ok(mut s) = sim.settings.write() {
                s.mt5_zone = z;
            }
        }
        "woo_timezone" => {
            let z = zone()?;
            if let Ok(mut s) = sim.settings.write() {
                s.woo_zone = z;
            }
        }
        other => return Err(format!("no switch named {other}")),
    }
    Ok(())
}

fn set_faults(sim: &Sim, q: &HashMap<String, String>) -> Reply {
    for (k, v) in q {
        if let Err(e) = set_switch(sim, k, v) {
            return Reply::error(StatusCode::BAD_REQUEST, &e);
        }
    }
    Reply::ok(&json!({"ok": true}))
}

fn route(
    sim: &Sim,
    conn: u64,
    method: &Method,
    path: &str,
    q: &HashMap<String, String>,
    headers: &HeaderMap,
    body: &[u8],
) -> Reply {
    match path {
        p if p.starts_with("/api/") => mt5::route(sim, conn, p, q),
        "/oauth/token" if method == Method::POST => feed::oauth(sim, body),
        "/v1/players" | "/v1/activity" => match feed::auth(sim, headers) {
            Err(r) => r,
            Ok(()) => feed::serve(sim, path, q),
        },
        "/wp-json/wc/v3/orders" => woo::route(sim, method, path, q, headers),
        _ => Reply::error(StatusCode::NOT_FOUND, "no such endpoint"),
    }
}
