//! The access log: one JSON line per request — time, method, route (the
//! template, e.g. `/{code}`, never the path a visitor typed), status,
//! latency in ms, the instance's id and, for a tracking link, whether the
//! visitor was a person, a bot or a prefetch. No IP address, user agent
//! or query string: the visitor's address only when the operator asks for
//! it ([`crate::Config::log_visitor_ip`]); user agents and query strings
//! never (sub-ids are a partner's, and may carry anything).
//!
//! A request never waits for the log: the line goes to a bounded channel
//! (`try_send`) and a thread of its own writes it (to standard output or a
//! file, appended). When the channel is full the line is dropped and
//! counted; the count is logged when the server stops.

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Lines waiting for the writer thread before new ones are dropped.
const CHANNEL: usize = 65_536;

/// Where the access log goes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AccessLogTo {
    /// No access log (the library's default; `serve` logs to stdout).
    #[default]
    Off,
    Stdout,
    /// Appended to this file.
    File(PathBuf),
}

/// What a handler tells the log about its request (a response extension).
#[derive(Debug, Clone, Copy)]
pub struct Mark {
    /// The route's template.
    pub route: &'static str,
    /// For a tracking link: `human`, `bot` or `prefetch`.
    pub visitor: Option<&'static str>,
    /// The visitor's address as read (through trusted proxies).
    pub ip: Option<IpAddr>,
}

/// The log's sending end, shared by every request.
pub struct AccessLog {
    tx: Mutex<Option<SyncSender<String>>>,
    instance: String,
    log_ip: bool,
    dropped: AtomicU64,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

pub type Shared = Arc<AccessLog>;

impl AccessLog {
    /// Opens the log (the file is created or appended to) and starts its
    /// writer thread; None when it is off.
    pub fn open(to: &AccessLogTo, instance: &str, log_ip: bool) -> std::io::Result<Option<Shared>> {
        let out: Box<dyn Write + Send> = match to {
            AccessLogTo::Off => return Ok(None),
            AccessLogTo::Stdout => Box::new(std::io::stdout()),
            AccessLogTo::File(path) => Box::new(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)?,
            ),
        };
        let (tx, rx) = sync_channel(CHANNEL);
        let thread = std::thread::Builder::new()
            .name("access-log".into())
            .spawn(move || write_lines(rx, out))?;
        Ok(Some(Arc::new(AccessLog {
            tx: Mutex::new(Some(tx)),
            instance: instance.to_string(),
            log_ip,
            dropped: AtomicU64::new(0),
            thread: Mutex::new(Some(thread)),
        })))
    }

    fn send(&self, line: String) {
        let tx = self.tx.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let Some(tx) = tx else { return };
        match tx.try_send(line) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Writes what is queued and stops the thread (after the server's
    /// last request).
    pub fn close(&self) {
        drop(self.tx.lock().unwrap_or_else(|p| p.into_inner()).take());
        if let Some(t) = self.thread.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = t.join();
        }
        let dropped = self.dropped.load(Ordering::Relaxed);
        if dropped > 0 {
            tracing::warn!(
                dropped,
                "{dropped} access log lines were dropped: the log could not be written as fast as requests came"
            );
        }
    }
}

/// The writer thread: writes each line, flushing whenever it catches up.
fn write_lines(rx: Receiver<String>, mut out: Box<dyn Write + Send>) {
    let mut buf = std::io::BufWriter::with_capacity(64 * 1024, &mut out);
    let mut failed = false;
    while let Ok(line) = rx.recv() {
        let mut result = buf.write_all(line.as_bytes());
        while let Ok(line) = rx.try_recv() {
            result = result.and_then(|()| buf.write_all(line.as_bytes()));
        }
        result = result.and_then(|()| buf.flush());
        if let Err(e) = result {
            if !failed {
                tracing::error!(error = %e, "cannot write the access log");
            }
            failed = true;
        }
    }
    let _ = buf.flush();
}

/// The middleware: times the request and queues its line.
pub async fn middleware(State(log): State<Shared>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_canonical());
    let response = next.run(req).await;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let mark = response.extensions().get::<Mark>().copied();
    let mut line = serde_json::json!({
        "time": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "method": method.as_str(),
        "route": mark.map_or("(other)", |m| m.route),
        "status": response.status().as_u16(),
        "latency_ms": (latency_ms * 1000.0).round() / 1000.0,
        "instance": log.instance,
    });
    if let Some(v) = mark.and_then(|m| m.visitor) {
        line["visitor"] = v.into();
    }
    if log.log_ip {
        if let Some(ip) = mark.and_then(|m| m.ip).or(peer) {
            line["ip"] = ip.to_string().into();
        }
    }
    let mut text = line.to_string();
    text.push('\n');
    log.send(text);
    response
}

/// Adds `mark` to a response.
pub fn marked(mut r: Response, mark: Mark) -> Response {
    r.extensions_mut().insert(mark);
    r
}
