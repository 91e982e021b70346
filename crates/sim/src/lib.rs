//! `partnerdesk-sim`: the three platform APIs Partnerdesk syncs from, served
//! on a loopback port from a generated data set, with switches for the
//! faults real platforms show. Tests start it in-process ([`start`]); the
//! binary serves it for the demo, the benchmark and manual checks.
//!
//! * MT5 Web API: `/api/auth/start`, `/api/auth/answer` (the real
//!   challenge-response; a session cookie), `/api/user/get_batch`,
//!   `/api/user/logins`, `/api/deal/get_batch`, and per login
//!   `/api/deal/get_total` + `/api/deal/get_page` (`offset`, `total` ≤ 100).
//! * Gaming feed: `/v1/players`, `/v1/activity` (bearer token, `X-Api-Key`
//!   or OAuth2 client credentials from `/oauth/token`; cursor pagination;
//!   `updated_since`).
//! * WooCommerce: `/wp-json/wc/v3/orders` (Basic consumer key/secret;
//!   `page`, `per_page`, `modified_after`; `X-WP-Total(Pages)`).
//! * Faults: `POST /__sim/faults?name=value` or [`Faults`] directly.

pub mod data;
pub mod smtp;

pub use data::SimData;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use base64::Engine;
use md5::{Digest, Md5};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("simulator data: {0}")]
    Data(String),
    #[error("simulator: {0}")]
    Io(#[from] std::io::Error),
}

/// Fault switches. Counters fire on the next N data requests.
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
    /// once; MT5 answers list every deal twice).
    pub duplicate_pages: AtomicBool,
    /// An MT5 session ends after this many calls (0: never).
    pub session_calls: AtomicU32,
    /// Every answer is an HTML page (a misconfigured proxy).
    pub html: AtomicBool,
    /// `/api/deal/get_batch` is unknown (404), as on older MT5 servers:
    /// deals only through `get_total` + `get_page`.
    pub no_deal_batch: AtomicBool,
    /// Every 50th activity row (by position in the data set) carries `bets`
    /// as an object instead of an amount: a field of the wrong type.
    pub wrong_types: AtomicBool,
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
    /// srv_rand (hex) of handshakes under way, by pending session id.
    pending: HashMap<String, Vec<u8>>,
    /// Live sessions: calls made.
    live: HashMap<String, u32>,
    tokens: HashSet<String>,
    /// Cursor tokens already served once (duplicate pages).
    served_twice: HashSet<String>,
}

pub struct Sim {
    pub data: SimData,
    pub faults: Faults,
    pub auth: SimAuth,
    sessions: Mutex<Sessions>,
    /// Data requests answered (for tests).
    pub requests: AtomicU64,
}

impl Sim {
    pub fn new(data: SimData, auth: SimAuth) -> Arc<Self> {
        Arc::new(Self {
            data,
            faults: Faults::default(),
            auth,
            sessions: Mutex::new(Sessions::default()),
            requests: AtomicU64::new(0),
        })
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
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(Running { addr, sim, task })
}

struct Reply {
    status: StatusCode,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn json(status: StatusCode, v: &Value) -> Self {
        Self {
            status,
            headers: vec![("content-type", "application/json".into())],
            body: v.to_string().into_bytes(),
        }
    }
    fn ok(v: &Value) -> Self {
        Self::json(StatusCode::OK, v)
    }
    fn error(status: StatusCode, message: &str) -> Self {
        Self::json(
            status,
            &json!({"code": status.as_u16(), "message": message}),
        )
    }
}

fn query_map(uri: &Uri) -> HashMap<String, String> {
    uri.query()
        .map(|q| {
            q.split('&')
                .filter_map(|kv| {
                    let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                    Some((decode(k), decode(v)))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() + 0 && i + 2 <= bytes.len() - 1 => {
                match u8::from_str_radix(&s[i + 1..i + 3], 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
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
    let data_request = !path.starts_with("/api/auth/") && path != "/oauth/token";
    if data_request {
        sim.requests.fetch_add(1, Ordering::SeqCst);
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
    let reply = route(&sim, &method, &path, &q, &headers, &body);
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

fn set_faults(sim: &Sim, q: &HashMap<String, String>) -> Reply {
    let f = &sim.faults;
    for (k, v) in q {
        let n: u64 = v.parse().unwrap_or(0);
        match k.as_str() {
            "slow_ms" => f.slow_ms.store(n, Ordering::SeqCst),
            "errors_500" => f.errors_500.store(n as u32, Ordering::SeqCst),
            "rate_limited" => f.rate_limited.store(n as u32, Ordering::SeqCst),
            "retry_after_s" => f.retry_after_s.store(n, Ordering::SeqCst),
            "malformed" => f.malformed.store(n as u32, Ordering::SeqCst),
            "dropped" => f.dropped.store(n as u32, Ordering::SeqCst),
            "duplicate_pages" => f.duplicate_pages.store(n != 0, Ordering::SeqCst),
            "session_calls" => f.session_calls.store(n as u32, Ordering::SeqCst),
            "html" => f.html.store(n != 0, Ordering::SeqCst),
            "no_deal_batch" => f.no_deal_batch.store(n != 0, Ordering::SeqCst),
            "wrong_types" => f.wrong_types.store(n != 0, Ordering::SeqCst),
            other => {
                return Reply::error(StatusCode::BAD_REQUEST, &format!("no fault named {other}"))
            }
        }
    }
    Reply::ok(&json!({"ok": true}))
}

fn route(
    sim: &Sim,
    method: &Method,
    path: &str,
    q: &HashMap<String, String>,
    headers: &HeaderMap,
    body: &[u8],
) -> Reply {
    match path {
        "/api/auth/start" => mt5_start(sim, q),
        "/api/auth/answer" => mt5_answer(sim, q, headers),
        "/api/deal/get_batch" if sim.faults.no_deal_batch.load(Ordering::SeqCst) => {
            Reply::error(StatusCode::NOT_FOUND, "no such endpoint")
        }
        "/api/user/get_batch"
        | "/api/user/logins"
        | "/api/deal/get_batch"
        | "/api/deal/get_total"
        | "/api/deal/get_page" => match mt5_session(sim, headers) {
            Err(r) => r,
            Ok(()) => match path {
                "/api/user/get_batch" => mt5_users(sim),
                "/api/user/logins" => mt5_logins(sim),
                "/api/deal/get_total" => mt5_deal_total(sim, q),
                "/api/deal/get_page" => mt5_deal_page(sim, q),
                _ => mt5_deals(sim, q),
            },
        },
        "/oauth/token" if method == Method::POST => oauth(sim, body),
        "/v1/players" | "/v1/activity" => match feed_auth(sim, headers) {
            Err(r) => r,
            Ok(()) => feed(sim, path, q),
        },
        "/wp-json/wc/v3/orders" => match woo_auth(sim, headers) {
            Err(r) => r,
            Ok(()) => woo_orders(sim, q),
        },
        _ => Reply::error(StatusCode::NOT_FOUND, "no such endpoint"),
    }
}

// ---- MT5 ----------------------------------------------------------------

fn password_hash(password: &str) -> [u8; 16] {
    let utf16: Vec<u8> = password
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    let mut h = Md5::new();
    h.update(Md5::digest(&utf16));
    h.update(b"WebAPI");
    h.finalize().into()
}

fn answer(password: &str, random: &[u8]) -> String {
    let mut h = Md5::new();
    h.update(password_hash(password));
    h.update(random);
    hex::encode(h.finalize())
}

fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().strip_prefix("MT5SESSION="))
        .map(str::to_string)
        .next()
}

fn mt5_start(sim: &Sim, q: &HashMap<String, String>) -> Reply {
    if q.get("login").map(String::as_str) != Some(sim.auth.mt5_login.as_str())
        || q.get("type").map(String::as_str) != Some("manager")
    {
        return Reply::ok(&json!({"retcode": "3006 Invalid account"}));
    }
    let srv_rand: [u8; 16] = rand::random();
    let id = hex::encode(rand::random::<[u8; 16]>());
    if let Ok(mut s) = sim.sessions.lock() {
        s.pending.insert(id.clone(), srv_rand.to_vec());
    }
    let mut r = Reply::ok(
        &json!({"retcode": "0 Done", "version_access": "3470", "srv_rand": hex::encode(srv_rand)}),
    );
    r.headers
        .push(("set-cookie", format!("MT5SESSION={id}; Path=/; HttpOnly")));
    r
}

fn mt5_answer(sim: &Sim, q: &HashMap<String, String>, headers: &HeaderMap) -> Reply {
    let Some(id) = cookie(headers) else {
        return Reply::ok(&json!({"retcode": "3 Invalid parameters: no session"}));
    };
    let Ok(mut s) = sim.sessions.lock() else {
        return Reply::error(StatusCode::INTERNAL_SERVER_ERROR, "lock");
    };
    let Some(srv_rand) = s.pending.remove(&id) else {
        return Reply::ok(&json!({"retcode": "3 Invalid parameters: no handshake"}));
    };
    let expected = answer(&sim.auth.mt5_password, &srv_rand);
    if q.get("srv_rand_answer").map(|a| a.to_ascii_lowercase()) != Some(expected) {
        return Reply::ok(&json!({"retcode": "3006 Invalid account or password"}));
    }
    let Some(cli_rand) = q.get("cli_rand").and_then(|c| hex::decode(c).ok()) else {
        return Reply::ok(&json!({"retcode": "3 Invalid parameters: cli_rand"}));
    };
    s.live.insert(id, 0);
    Reply::ok(
        &json!({"retcode": "0 Done", "cli_rand_answer": answer(&sim.auth.mt5_password, &cli_rand), "version_trade": 3470}),
    )
}

fn mt5_session(sim: &Sim, headers: &HeaderMap) -> Result<(), Reply> {
    let limit = sim.faults.session_calls.load(Ordering::SeqCst);
    let id = cookie(headers);
    let Ok(mut s) = sim.sessions.lock() else {
        return Err(Reply::error(StatusCode::INTERNAL_SERVER_ERROR, "lock"));
    };
    let Some(calls) = id.as_ref().and_then(|i| s.live.get_mut(i)) else {
        return Err(Reply::json(
            StatusCode::FORBIDDEN,
            &json!({"retcode": "8 Network problem: not authorized"}),
        ));
    };
    *calls += 1;
    if limit > 0 && *calls > limit {
        if let Some(i) = id {
            s.live.remove(&i);
        }
        return Err(Reply::json(
            StatusCode::FORBIDDEN,
            &json!({"retcode": "8 Network problem: session expired"}),
        ));
    }
    Ok(())
}

fn mt5_users(sim: &Sim) -> Reply {
    let answer: Vec<Value> = sim
        .data
        .accounts
        .iter()
        .map(|a| {
            json!({"Login": a.login.to_string(), "Group": "real\\standard", "Agent": if a.agent.is_empty() { "0".to_string() } else { a.agent.clone() },
                   "Country": a.country, "Registration": a.registered.to_string(), "Name": format!("Client {}", a.login)})
        })
        .collect();
    Reply::ok(&json!({"retcode": "0 Done", "answer": answer}))
}

/// `from` and `to` (Unix seconds, both included) of a deal request.
fn deal_range(q: &HashMap<String, String>) -> Option<(i64, i64)> {
    Some((
        q.get("from")?.parse::<i64>().ok()?,
        q.get("to")?.parse::<i64>().ok()?,
    ))
}

/// The deals in a time range (sorted by time), of one login if given.
fn deals_in(
    sim: &Sim,
    from: i64,
    to: i64,
    login: Option<u64>,
) -> impl Iterator<Item = &data::Deal> {
    let deals = &sim.data.deals;
    let lo = deals.partition_point(|d| d.time_msc < from * 1000);
    let hi = deals.partition_point(|d| d.time_msc < (to + 1) * 1000);
    deals[lo..hi]
        .iter()
        .filter(move |d| login.is_none_or(|l| d.login == l))
}

/// Deals as the Web API lists them (each twice with `duplicate_pages`).
fn deal_list<'a>(sim: &Sim, deals: impl Iterator<Item = &'a data::Deal>) -> Reply {
    use std::fmt::Write;
    let twice = sim.faults.duplicate_pages.load(Ordering::SeqCst);
    let mut out = String::with_capacity(64 * 1024);
    out.push_str("{\"retcode\":\"0 Done\",\"answer\":[");
    let mut first = true;
    for d in deals {
        for _ in 0..if twice { 2 } else { 1 } {
            if !first {
                out.push(',');
            }
            first = false;
            let _ = write!(
                out,
                "{{\"Deal\":\"{}\",\"Login\":\"{}\",\"Time\":\"{}\",\"TimeMsc\":\"{}\",\"Action\":\"{}\",\"Entry\":\"{}\",\"Symbol\":\"{}\",\"Volume\":\"{}\",\"PositionID\":\"{}\",\"Commission\":\"{}\",\"Profit\":\"0.00\",\"Storage\":\"0.00\"}}",
                d.ticket, d.login, d.time_msc / 1000, d.time_msc, d.action, d.entry, d.symbol, d.volume, d.position, d.commission
            );
        }
    }
    out.push_str("]}");
    Reply {
        status: StatusCode::OK,
        headers: vec![("content-type", "application/json".into())],
        body: out.into_bytes(),
    }
}

fn mt5_deals(sim: &Sim, q: &HashMap<String, String>) -> Reply {
    let Some((from, to)) = deal_range(q) else {
        return Reply::ok(&json!({"retcode": "3 Invalid parameters: from and to are required"}));
    };
    deal_list(sim, deals_in(sim, from, to, None))
}

fn mt5_logins(sim: &Sim) -> Reply {
    let answer: Vec<String> = sim
        .data
        .accounts
        .iter()
        .map(|a| a.login.to_string())
        .collect();
    Reply::ok(&json!({"retcode": "0 Done", "answer": answer}))
}

/// `login`, `from`, `to` of `get_total` / `get_page`.
fn login_range(q: &HashMap<String, String>) -> Option<(u64, i64, i64)> {
    let login = q.get("login")?.parse::<u64>().ok()?;
    let (from, to) = deal_range(q)?;
    Some((login, from, to))
}

fn mt5_deal_total(sim: &Sim, q: &HashMap<String, String>) -> Reply {
    let Some((login, from, to)) = login_range(q) else {
        return Reply::ok(
            &json!({"retcode": "3 Invalid parameters: login, from and to are required"}),
        );
    };
    let total = deals_in(sim, from, to, Some(login)).count();
    Reply::ok(&json!({"retcode": "0 Done", "answer": {"total": total.to_string()}}))
}

fn mt5_deal_page(sim: &Sim, q: &HashMap<String, String>) -> Reply {
    let (Some((login, from, to)), Some(offset), Some(total)) = (
        login_range(q),
        q.get("offset").and_then(|v| v.parse::<usize>().ok()),
        q.get("total").and_then(|v| v.parse::<usize>().ok()),
    ) else {
        return Reply::ok(
            &json!({"retcode": "3 Invalid parameters: login, from, to, offset and total are required"}),
        );
    };
    if total == 0 || total > 100 {
        return Reply::ok(&json!({"retcode": "3 Invalid parameters: total must be 1 to 100"}));
    }
    deal_list(
        sim,
        deals_in(sim, from, to, Some(login))
            .skip(offset)
            .take(total),
    )
}

// ---- gaming feed ---------------------------------------------------------

fn oauth(sim: &Sim, body: &[u8]) -> Reply {
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

fn feed_auth(sim: &Sim, headers: &HeaderMap) -> Result<(), Reply> {
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

fn feed(sim: &Sim, path: &str, q: &HashMap<String, String>) -> Reply {
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

// ---- WooCommerce ---------------------------------------------------------

fn woo_auth(sim: &Sim, headers: &HeaderMap) -> Result<(), Reply> {
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            sim.auth.consumer_key, sim.auth.consumer_secret
        ))
    );
    match headers.get("authorization").and_then(|v| v.to_str().ok()) {
        Some(a) if a == expected => Ok(()),
        _ => Err(Reply::json(
            StatusCode::UNAUTHORIZED,
            &json!({"code": "woocommerce_rest_cannot_view", "message": "Sorry, you cannot list resources.", "data": {"status": 401}}),
        )),
    }
}

fn woo_orders(sim: &Sim, q: &HashMap<String, String>) -> Reply {
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
    let all = &sim.data.orders;
    let start = q
        .get("modified_after")
        .map(|m| all.partition_point(|o| o.modified <= *m))
        .unwrap_or(0);
    let slice = &all[start..];
    let total = slice.len();
    let pages = total.div_ceil(per_page);
    let mut first = (page - 1) * per_page;
    if sim.faults.duplicate_pages.load(Ordering::SeqCst) && page > 1 {
        // An offset that slipped: this page starts with the previous page's last order.
        first -= 1;
    }
    let items: Vec<Value> = slice
        .iter()
        .skip(first)
        .take(per_page)
        .map(|o| {
            let refunds = if o.refunded {
                json!([{"id": o.id * 10, "reason": "challenge refund", "total": format!("-{}", o.total)}])
            } else {
                json!([])
            };
            let coupons = if o.coupon.is_empty() {
                json!([])
            } else {
                json!([{"id": 1, "code": o.coupon, "discount": "0.00"}])
            };
            json!({
                "id": o.id, "status": if o.refunded { "refunded" } else { "completed" }, "currency": "USD",
                "date_created": o.created, "date_created_gmt": o.created,
                "date_modified": o.modified, "date_modified_gmt": o.modified,
                "total": o.total, "customer_id": o.customer,
                "billing": {"country": o.country, "email": format!("customer{}@example.com", o.customer)},
                "line_items": [{"id": o.id, "name": o.product, "quantity": 1, "total": o.total}],
                "coupon_lines": coupons, "refunds": refunds
            })
        })
        .collect();
    let mut r = Reply::ok(&Value::Array(items));
    r.headers.push(("x-wp-total", total.to_string()));
    r.headers.push(("x-wp-totalpages", pages.to_string()));
    r
}
