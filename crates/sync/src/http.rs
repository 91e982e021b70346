//! The HTTP every connector uses: a timeout per request, retries of transient
//! failures (network, timeouts, 5xx, 429, a body cut off, malformed JSON)
//! with exponential backoff and jitter that honour `Retry-After`, and
//! cancellation that interrupts both requests and waits.

use crate::error::SyncError;
use rand::Rng;
use reqwest::header::HeaderMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How hard to try.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Tries per request, the first included.
    pub attempts: u32,
    /// The first wait; doubled after every failure.
    pub base_delay: Duration,
    /// No wait is longer (a longer `Retry-After` stops the run instead).
    pub max_delay: Duration,
    /// Per request, from sending to the last byte of the body.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 6,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
            timeout: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The wait before try `attempt + 1` (attempt counts from 1): exponential
    /// with full jitter in its upper half, never above `max_delay`.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
        let capped = exp.min(self.max_delay);
        let half = capped / 2;
        let jitter = rand::thread_rng().gen_range(0..=half.as_millis() as u64);
        half + Duration::from_millis(jitter)
    }
}

/// A cancellation flag shared by the UI and the sync.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
    /// Resolves once cancelled.
    pub async fn cancelled(&self) {
        while !self.is_cancelled() {
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
    /// Sleeps, or fails early when cancelled.
    pub async fn sleep(&self, d: Duration) -> Result<(), SyncError> {
        tokio::select! {
            _ = tokio::time::sleep(d) => Ok(()),
            _ = self.cancelled() => Err(SyncError::Cancelled),
        }
    }
}

/// Told about every retry, e.g. "platform answered 429, retrying in 30 s".
pub type Notice = Arc<dyn Fn(&str) + Send + Sync>;

/// An answer with its body read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub url: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as JSON; HTML (a login page, a proxy's error page) is named as such.
    pub fn json(&self) -> Result<serde_json::Value, SyncError> {
        let html = self
            .header("content-type")
            .is_some_and(|c| c.to_ascii_lowercase().contains("html"))
            || self
                .body
                .iter()
                .find(|b| !b.is_ascii_whitespace())
                .is_some_and(|b| *b == b'<');
        if html {
            return Err(SyncError::Html {
                url: self.url.clone(),
            });
        }
        serde_json::from_slice(&self.body).map_err(|e| SyncError::BadJson {
            url: self.url.clone(),
            detail: e.to_string(),
        })
    }
}

/// What a request is: method, URL, headers and an optional form body.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: reqwest::Method,
    pub url: url::Url,
    pub headers: Vec<(String, String)>,
    pub form: Option<Vec<(String, String)>>,
}

impl Request {
    pub fn get(url: url::Url) -> Self {
        Self {
            method: reqwest::Method::GET,
            url,
            headers: Vec::new(),
            form: None,
        }
    }
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }
}

/// The shared client.
#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    pub policy: RetryPolicy,
    pub cancel: Cancel,
    notice: Option<Notice>,
}

impl Http {
    pub fn new(policy: RetryPolicy, cancel: Cancel) -> Result<Self, SyncError> {
        let client = reqwest::Client::builder()
            .timeout(policy.timeout)
            .connect_timeout(policy.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("Partnerdesk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SyncError::Config(format!("cannot set up HTTP: {e}")))?;
        Ok(Self {
            client,
            policy,
            cancel,
            notice: None,
        })
    }

    pub fn with_notice(mut self, notice: Notice) -> Self {
        self.notice = Some(notice);
        self
    }

    pub fn notify(&self, text: &str) {
        if let Some(n) = &self.notice {
            n(text);
        }
    }

    /// One try: send, read the whole body; any failure mapped to [`SyncError`]
    /// (URLs in errors without their query strings: they can hold keys).
    async fn once(&self, req: &Request) -> Result<Answer, SyncError> {
        let url = crate::redact::url(&req.url);
        let mut b = self.client.request(req.method.clone(), req.url.clone());
        for (k, v) in &req.headers {
            b = b.header(k, v);
        }
        if let Some(form) = &req.form {
            b = b.form(form);
        }
        let map = |e: reqwest::Error| {
            if e.is_timeout() {
                SyncError::Timeout {
                    url: url.clone(),
                    seconds: self.policy.timeout.as_secs().max(1),
                }
            } else {
                SyncError::Network {
                    url: url.clone(),
                    detail: crate::redact::urls(&error_chain(&e)),
                }
            }
        };
        let work = async {
            let resp = b.send().await.map_err(map)?;
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            let body = resp.bytes().await.map_err(map)?.to_vec();
            Ok(Answer {
                status,
                headers,
                body,
                url: url.clone(),
            })
        };
        tokio::select! {
            r = work => r,
            _ = self.cancel.cancelled() => Err(SyncError::Cancelled),
        }
    }

    /// Sends with retries; answers any final status (the caller decides what
    /// a 401 means), except that 429 and 5xx are retried while tries last.
    pub async fn send(&self, req: &Request) -> Result<Answer, SyncError> {
        self.send_parsed(req, |a| Ok(a)).await
    }

    /// Sends with retries and parses the answer with `parse`; a parse failure
    /// that is transient (malformed JSON, a cut-off body) is retried too.
    pub async fn send_parsed<T>(
        &self,
        req: &Request,
        parse: impl Fn(Answer) -> Result<T, SyncError>,
    ) -> Result<T, SyncError> {
        self.send_made(|| Ok(req.clone()), parse).await
    }

    /// [`Http::send_parsed`] with the request made anew for every try (a
    /// signed request must not be sent twice with the same nonce).
    pub async fn send_made<T>(
        &self,
        make: impl Fn() -> Result<Request, SyncError>,
        parse: impl Fn(Answer) -> Result<T, SyncError>,
    ) -> Result<T, SyncError> {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            if self.cancel.is_cancelled() {
                return Err(SyncError::Cancelled);
            }
            let req = make()?;
            let result = match self.once(&req).await {
                Ok(a) if a.status == 429 || a.status >= 500 => {
                    let retry_after = a.header("retry-after").and_then(parse_retry_after);
                    Err((
                        SyncError::Status {
                            status: a.status,
                            url: a.url.clone(),
                            detail: snippet(&a.body),
                        },
                        retry_after,
                    ))
                }
                Ok(a) => parse(a).map_err(|e| (e, None)),
                Err(e) => Err((e, None)),
            };
            match result {
                Ok(t) => return Ok(t),
                Err((e, retry_after)) => self.before_retry(e, retry_after, attempt).await?,
            }
        }
    }

    /// After try `attempt` failed with `e`: waits before the next try (the
    /// backoff, or the server's `Retry-After`) and says so, or answers the
    /// error when it is not worth another try or the tries are used up.
    pub async fn before_retry(
        &self,
        e: SyncError,
        retry_after: Option<Duration>,
        attempt: u32,
    ) -> Result<(), SyncError> {
        if !e.is_transient() || attempt >= self.policy.attempts {
            return Err(e);
        }
        let wait = match retry_after {
            Some(d) if d > self.policy.max_delay => {
                return Err(SyncError::Platform(format!(
                    "{e}; it asks to wait {} s (Retry-After), longer than the {} s allowed: run the sync again later",
                    d.as_secs(),
                    self.policy.max_delay.as_secs()
                )))
            }
            Some(d) => d,
            None => self.policy.backoff(attempt),
        };
        let what = match &e {
            SyncError::Status { status, .. } => format!("platform answered {status}"),
            other => other.to_string(),
        };
        self.notify(&format!(
            "{what}, retrying in {} (try {} of {})",
            human(wait),
            attempt + 1,
            self.policy.attempts
        ));
        self.cancel.sleep(wait).await
    }
}

fn human(d: Duration) -> String {
    if d.as_secs() >= 1 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// `Retry-After`: delay seconds or an HTTP date.
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(
        at.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// The start of a body, for error messages.
pub fn snippet(body: &[u8]) -> String {
    let s = String::from_utf8_lossy(&body[..body.len().min(200)]);
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        let t = inner.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        src = inner.source();
    }
    s
}

/// A base URL that must be http or https, with a path ending in `/` so
/// relative joins keep it.
///
/// A user name or password in it (`https://user:pass@host`) is refused: it
/// would be stored with the connection's settings and shown wherever they
/// are, while credentials belong in the connection's secrets (the OS
/// keyring). A refused URL is echoed without them.
pub fn base_url(raw: &str) -> Result<url::Url, SyncError> {
    let shown = || partnerdesk_domain::limits::shown(&without_user_info(raw)).to_string();
    let mut u = url::Url::parse(raw.trim()).map_err(|_| SyncError::NotHttp(shown()))?;
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
        return Err(SyncError::NotHttp(shown()));
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err(SyncError::Config(format!(
            "the base URL {} holds a user name or password (user:password@); remove it and give the credentials as the connection's secrets, which are kept in the OS keyring",
            shown()
        )));
    }
    if !u.path().ends_with('/') {
        let p = format!("{}/", u.path());
        u.set_path(&p);
    }
    Ok(u)
}

/// `raw` with anything between `://` and an `@` before the path cut out.
fn without_user_info(raw: &str) -> String {
    let Some(start) = raw.find("://").map(|i| i + 3) else {
        return raw.to_string();
    };
    let end = raw[start..]
        .find(['/', '?', '#'])
        .map_or(raw.len(), |i| start + i);
    match raw[start..end].rfind('@') {
        Some(at) => format!("{}***@{}", &raw[..start], &raw[start + at + 1..]),
        None => raw.to_string(),
    }
}

/// `base` joined with a path relative to it (a leading `/` is dropped so the
/// base's own path is kept).
pub fn join(base: &url::Url, path: &str) -> Result<url::Url, SyncError> {
    base.join(path.trim_start_matches('/'))
        .map_err(|e| SyncError::Config(format!("cannot join {path} to {base}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            ..RetryPolicy::default()
        };
        for _ in 0..50 {
            let d1 = p.backoff(1);
            assert!(d1 >= Duration::from_millis(50) && d1 <= Duration::from_millis(100));
            let d3 = p.backoff(3);
            assert!(d3 >= Duration::from_millis(200) && d3 <= Duration::from_millis(400));
            assert!(p.backoff(30) <= Duration::from_secs(1));
        }
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        assert_eq!(parse_retry_after("30"), Some(Duration::from_secs(30)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn only_http_urls() {
        assert!(base_url("ftp://x.example/").is_err());
        assert!(base_url("file:///etc/passwd").is_err());
        assert!(base_url("not a url").is_err());
        for with_credentials in [
            "https://anna:s3cret@shop.example/store",
            "https://anna@shop.example/",
            "ftp://anna:s3cret@shop.example/",
            "https://anna:s3cret@shop.example:99999/",
        ] {
            let e = base_url(with_credentials).unwrap_err().to_string();
            assert!(!e.contains("s3cret") && !e.contains("anna"), "{e}");
        }
        assert!(base_url("https://anna:s3cret@shop.example/")
            .unwrap_err()
            .to_string()
            .contains("keyring"));
        let b = base_url("https://shop.example/store").unwrap();
        assert_eq!(
            join(&b, "/wp-json/wc/v3/orders").unwrap().as_str(),
            "https://shop.example/store/wp-json/wc/v3/orders"
        );
    }
}
