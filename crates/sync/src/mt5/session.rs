//! An MT5 Web API session over one owned connection ([`Link`]): signed in
//! once per connection, every command sent on it, kept alive with
//! `/api/test/access` while the sync is busy elsewhere, and signed in again
//! only when the server closed the connection or answers that the session is
//! not authorised (MetaQuotes' Web API documentation, "Connection and
//! authentication"; the official PHP and Node examples keep one connection).
//!
//! Failures that may pass (network, timeouts, 5xx, 429, a body cut off) are
//! retried with the policy of [`Http`]; a connection that broke is replaced
//! by a new one, signed in anew.

use super::auth::{rand_answer, srv_rand_answer};
use super::link::Link;
use crate::error::SyncError;
use crate::http::{join, Answer, Http};
use crate::json;
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

/// Counters a run reports (and tests check).
#[derive(Debug, Default)]
pub struct Counters {
    pub sign_ins: AtomicU64,
    pub connections: AtomicU64,
    pub pings: AtomicU64,
}

pub struct Session {
    base: url::Url,
    login: String,
    password: String,
    http: Http,
    link: Arc<Mutex<Option<Link>>>,
    keepalive: Duration,
    pinger: Option<tokio::task::JoinHandle<()>>,
    pub counters: Arc<Counters>,
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(p) = &self.pinger {
            p.abort();
        }
    }
}

/// What an answer means for the session.
enum Outcome {
    Done(Value),
    /// The session is not (or no longer) signed in.
    NotSignedIn(String),
    Failed(SyncError, Option<Duration>),
}

/// MT5 return codes (MetaQuotes, `MT5APIRetcode.h` / Web API "Return
/// codes"): 0 done, 1 done without data, 8 not enough permissions (also
/// what a command gets on a connection without a session).
fn retcode_number(retcode: &str) -> Option<u32> {
    retcode.split_whitespace().next()?.parse().ok()
}

fn classify(a: Answer) -> Outcome {
    let retry_after = a
        .header("retry-after")
        .and_then(crate::http::parse_retry_after);
    if a.status == 401 || a.status == 403 {
        let said = a
            .json()
            .ok()
            .and_then(|v| json::text(&v, "retcode").ok())
            .unwrap_or_else(|| format!("HTTP {}", a.status));
        return Outcome::NotSignedIn(said);
    }
    if a.status == 429 || a.status >= 400 {
        return Outcome::Failed(
            SyncError::Status {
                status: a.status,
                url: a.url.clone(),
                detail: crate::http::snippet(&a.body),
            },
            retry_after,
        );
    }
    let v = match a.json() {
        Ok(v) => v,
        Err(e) => return Outcome::Failed(e, None),
    };
    let retcode = match json::text(&v, "retcode") {
        Ok(r) => r,
        Err(e) => {
            return Outcome::Failed(
                SyncError::BadJson {
                    url: a.url.clone(),
                    detail: e,
                },
                None,
            )
        }
    };
    match retcode_number(&retcode) {
        Some(0) | Some(1) => Outcome::Done(v),
        Some(8) => Outcome::NotSignedIn(retcode),
        _ => Outcome::Failed(
            SyncError::Platform(format!("MT5 answered retcode '{retcode}' for {}", a.url)),
            None,
        ),
    }
}

impl Session {
    pub fn new(
        base: url::Url,
        login: String,
        password: String,
        http: Http,
        keepalive: Duration,
    ) -> Self {
        Self {
            base,
            login,
            password,
            http,
            link: Arc::new(Mutex::new(None)),
            keepalive,
            pinger: None,
            counters: Arc::new(Counters::default()),
        }
    }

    fn url(&self, path: &str, query: &[(&str, &str)]) -> Result<url::Url, SyncError> {
        let mut u = join(&self.base, path)?;
        if !query.is_empty() {
            u.query_pairs_mut().extend_pairs(query);
        }
        Ok(u)
    }

    fn timeout(&self) -> Duration {
        self.http.policy.timeout
    }

    /// The handshake on `link` (the same connection carries both steps).
    async fn sign_in(&self, link: &mut Link) -> Result<(), SyncError> {
        let start = self.url(
            "/api/auth/start",
            &[
                ("version", "3470"),
                ("agent", "Partnerdesk"),
                ("login", &self.login),
                ("type", "manager"),
            ],
        )?;
        let v = match classify(link.get(&start, self.timeout()).await?) {
            Outcome::Done(v) => v,
            Outcome::NotSignedIn(code) => {
                return Err(SyncError::Auth(format!(
                    "MT5 refused the manager login {} ({code}): check it and that it may use the Web API",
                    self.login
                )))
            }
            Outcome::Failed(SyncError::Platform(m), _) => {
                return Err(SyncError::Auth(format!(
                    "{m}: check the manager login {} and that it may use the Web API",
                    self.login
                )))
            }
            Outcome::Failed(e, _) => return Err(e),
        };
        let srv_rand =
            json::text(&v, "srv_rand").map_err(|e| SyncError::Auth(format!("auth/start: {e}")))?;
        let answer = srv_rand_answer(&self.password, &srv_rand)?;
        let cli_rand: [u8; 16] = rand::random();
        let answer_url = self.url(
            "/api/auth/answer",
            &[
                ("srv_rand_answer", &answer),
                ("cli_rand", &hex::encode(cli_rand)),
            ],
        )?;
        let done = match classify(link.get(&answer_url, self.timeout()).await?) {
            Outcome::Done(v) => v,
            Outcome::NotSignedIn(code) => {
                return Err(SyncError::Auth(format!(
                    "MT5 refused the handshake ({code}): check the manager login and password"
                )))
            }
            Outcome::Failed(SyncError::Platform(m), _) => {
                return Err(SyncError::Auth(format!(
                    "{m}: check the manager login and password"
                )))
            }
            Outcome::Failed(e, _) => return Err(e),
        };
        let theirs = json::text(&done, "cli_rand_answer")
            .map_err(|e| SyncError::Auth(format!("auth/answer: {e}")))?;
        if !theirs.eq_ignore_ascii_case(&rand_answer(&self.password, &cli_rand)) {
            return Err(SyncError::Auth(
                "the server's cli_rand_answer is wrong: it does not know this manager's password (is this the right server?)"
                    .into(),
            ));
        }
        link.signed_in = true;
        self.counters.sign_ins.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// A command in the session, retried by the policy; answers the JSON of
    /// a `0`/`1` retcode.
    pub async fn call(&mut self, path: &str, query: &[(&str, &str)]) -> Result<Value, SyncError> {
        let url = self.url(path, query)?;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            if self.http.cancel.is_cancelled() {
                return Err(SyncError::Cancelled);
            }
            let cancel = self.http.cancel.clone();
            let result = tokio::select! {
                r = self.try_call(&url) => r,
                _ = cancel.cancelled() => Err((SyncError::Cancelled, None)),
            };
            match result {
                Ok(v) => return Ok(v),
                Err((e, retry_after)) => self.http.before_retry(e, retry_after, attempt).await?,
            }
        }
    }

    async fn try_call(&mut self, url: &url::Url) -> Result<Value, (SyncError, Option<Duration>)> {
        let link = self.link.clone();
        let mut guard = link.lock().await;
        let mut fresh = false;
        if guard.as_ref().is_none_or(|l| !l.is_open() || !l.signed_in) {
            *guard = None;
            let mut l = Link::open(&self.base, self.timeout())
                .await
                .map_err(|e| (e, None))?;
            self.counters.connections.fetch_add(1, Ordering::Relaxed);
            self.sign_in(&mut l).await.map_err(|e| (e, None))?;
            *guard = Some(l);
            fresh = true;
            self.start_pinger();
        }
        for second_try in [false, true] {
            let Some(l) = guard.as_mut() else {
                return Err((SyncError::Auth("the MT5 connection was lost".into()), None));
            };
            let answer = match l.get(url, self.timeout()).await {
                Ok(a) => a,
                Err(e) => {
                    // The connection broke: the next try opens and signs in anew.
                    *guard = None;
                    return Err((e, None));
                }
            };
            match classify(answer) {
                Outcome::Done(v) => {
                    if guard.as_ref().is_some_and(|l| !l.is_open()) {
                        *guard = None;
                    }
                    return Ok(v);
                }
                Outcome::NotSignedIn(code) if !fresh && !second_try => {
                    // The server forgot the session (restarted, timed out):
                    // sign in again on this connection, once.
                    self.http.notify(&format!(
                        "MT5 session not authorised ({code}); signing in again"
                    ));
                    let Some(l) = guard.as_mut() else { continue };
                    l.signed_in = false;
                    if !l.is_open() {
                        *guard = None;
                        return Err((
                            SyncError::Network {
                                url: crate::redact::url(url),
                                detail: "the server closed the connection".into(),
                            },
                            None,
                        ));
                    }
                    if let Err(e) = self.sign_in(l).await {
                        *guard = None;
                        return Err((e, None));
                    }
                }
                Outcome::NotSignedIn(code) => {
                    return Err((
                        SyncError::Auth(format!(
                            "MT5 refused {} right after signing in ({code}): the manager account may lack the right for it",
                            crate::redact::url(url)
                        )),
                        None,
                    ))
                }
                Outcome::Failed(e, retry_after) => {
                    if guard.as_ref().is_some_and(|l| !l.is_open()) {
                        *guard = None;
                    }
                    return Err((e, retry_after));
                }
            }
        }
        Err((
            SyncError::Auth("the MT5 session could not be renewed".into()),
            None,
        ))
    }

    /// Pings `/api/test/access` while the connection is idle for
    /// `keepalive`, so the server does not close it between commands; a
    /// ping that fails drops the connection (the next command opens one).
    fn start_pinger(&mut self) {
        if self.pinger.is_some() || self.keepalive.is_zero() {
            return;
        }
        let Ok(url) = self.url("/api/test/access", &[]) else {
            return;
        };
        let link = self.link.clone();
        let every = self.keepalive;
        let timeout = self.timeout();
        let counters = self.counters.clone();
        self.pinger = Some(tokio::spawn(async move {
            let tick = (every / 4).max(Duration::from_millis(50));
            loop {
                tokio::time::sleep(tick).await;
                let Ok(mut guard) = link.try_lock() else {
                    continue;
                };
                let Some(l) = guard.as_mut() else { continue };
                if !l.signed_in || !l.is_open() || l.last_used.elapsed() < every {
                    continue;
                }
                match l.get(&url, timeout).await.map(classify) {
                    Ok(Outcome::Done(_)) => {
                        counters.pings.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => *guard = None,
                }
            }
        }));
    }
}
