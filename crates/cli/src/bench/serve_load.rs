//! The moving parts of `bench serve`: `partnerdesk serve` started as child
//! processes of this same binary, and keep-alive HTTP/1.1 clients (hyper,
//! one connection per client and instance) that drive them and remember
//! every answer.

use http_body_util::BodyExt;
use hyper::client::conn::http1::SendRequest;
use partnerdesk_app::AppError;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn refused(what: impl std::fmt::Display) -> AppError {
    AppError::Refused(what.to_string())
}

/// A `partnerdesk serve` child process.
pub struct Instance {
    child: Child,
    pub addr: SocketAddr,
    log: Option<std::thread::JoinHandle<Vec<String>>>,
}

impl Instance {
    /// Starts `partnerdesk serve` on a free loopback port over `db`, its
    /// access log appended to `access_log`, and waits until it listens.
    pub fn start(
        db: &str,
        secrets: &Path,
        access_log: &Path,
        name: &str,
    ) -> Result<Self, AppError> {
        let exe = std::env::current_exe()
            .map_err(|e| refused(format!("cannot find this program: {e}")))?;
        let mut child = Command::new(exe)
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--public-url",
                "http://127.0.0.1",
            ])
            .arg("--secrets-file")
            .arg(secrets)
            .arg("--access-log")
            .arg(access_log)
            .args(["--instance-id", name])
            .env("PARTNERDESK_DATABASE_URL", db)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| refused(format!("cannot start `partnerdesk serve`: {e}")))?;
        let Some(stderr) = child.stderr.take() else {
            let _ = child.kill();
            return Err(refused("`partnerdesk serve` has no standard error"));
        };
        let mut lines = BufReader::new(stderr).lines();
        let mut said = Vec::new();
        let addr = loop {
            let Some(Ok(line)) = lines.next() else {
                let _ = child.kill();
                let _ = child.wait();
                return Err(refused(format!(
                    "`partnerdesk serve` stopped before it listened:\n{}",
                    said.join("\n")
                )));
            };
            if let Some(rest) = line.split("serving tracking links on http://").nth(1) {
                let addr = rest.split_whitespace().next().unwrap_or("");
                match addr.parse() {
                    Ok(a) => break a,
                    Err(_) => {
                        let _ = child.kill();
                        return Err(refused(format!("`partnerdesk serve` said: {line}")));
                    }
                }
            }
            said.push(line);
        };
        // Keep reading its standard error so that it never blocks on a full pipe.
        let log = std::thread::spawn(move || lines.map_while(Result::ok).collect());
        Ok(Self {
            child,
            addr,
            log: Some(log),
        })
    }

    /// Sends SIGTERM (a graceful stop: requests finish, clicks are written).
    pub fn terminate(&self) {
        #[cfg(unix)]
        {
            // SAFETY: a signal to a child process this bench started and has not reaped.
            unsafe {
                libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM);
            }
        }
    }

    /// Stops it (SIGTERM) and waits; an error carries what it logged.
    pub fn stop(mut self) -> Result<(), AppError> {
        self.terminate();
        #[cfg(not(unix))]
        let _ = self.child.kill();
        let status = self
            .child
            .wait()
            .map_err(|e| refused(format!("cannot wait for `partnerdesk serve`: {e}")))?;
        let log = self
            .log
            .take()
            .and_then(|t| t.join().ok())
            .unwrap_or_default();
        if status.success() {
            Ok(())
        } else {
            Err(refused(format!(
                "`partnerdesk serve` exited with {status}:\n{}",
                log.join("\n")
            )))
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        // Only when the bench fails half-way: never leave a server running.
        if self.log.is_some() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// One keep-alive HTTP/1.1 connection.
struct Conn {
    send: SendRequest<String>,
}

async fn connect(addr: SocketAddr) -> Option<Conn> {
    let tcp = tokio::net::TcpStream::connect(addr).await.ok()?;
    let _ = tcp.set_nodelay(true);
    let (send, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tcp))
        .await
        .ok()?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Some(Conn { send })
}

impl Conn {
    /// Sends one request; the status and the body, or None when the
    /// connection failed (closed by a stopping server, refused).
    async fn send(&mut self, req: hyper::Request<String>) -> Option<(u16, Vec<u8>)> {
        self.send.ready().await.ok()?;
        let r = self.send.send_request(req).await.ok()?;
        let status = r.status().as_u16();
        let body = r.into_body().collect().await.ok()?.to_bytes().to_vec();
        Some((status, body))
    }
}

/// What one client saw.
#[derive(Default)]
pub struct Seen {
    /// Tags (sub1) of the redirects answered with a 302.
    pub answered: Vec<String>,
    /// Latency of each answered request, in microseconds.
    pub micros: Vec<u32>,
    /// Answers other than the expected ones.
    pub unexpected: u64,
    /// Requests retried on another instance after a connection failed.
    pub retried: u64,
    /// Postbacks: outcomes (accepted, duplicate, other).
    pub accepted: u64,
    pub duplicates: u64,
}

impl Seen {
    pub fn merge(&mut self, o: Seen) {
        self.answered.extend(o.answered);
        self.micros.extend(o.micros);
        self.unexpected += o.unexpected;
        self.retried += o.retried;
        self.accepted += o.accepted;
        self.duplicates += o.duplicates;
    }
}

/// Drives redirects: client `id` visits `paths` in turn on the instances
/// in turn, each visit tagged `sub1={run}-{id}-{n}`, until `stop`. A
/// failed connection is dropped and the visit retried (with a new tag) on
/// the next instance that takes connections.
pub async fn redirects(
    id: usize,
    run: String,
    addrs: Vec<SocketAddr>,
    paths: Arc<Vec<String>>,
    stop: Arc<AtomicBool>,
) -> Seen {
    let mut seen = Seen::default();
    let mut conns: Vec<Option<Conn>> = Vec::new();
    for a in &addrs {
        conns.push(connect(*a).await);
    }
    let mut n = 0u64;
    let mut which = id % addrs.len();
    while !stop.load(Ordering::Relaxed) {
        let path = &paths[(id + n as usize) % paths.len()];
        let mut answered = false;
        for attempt in 0..addrs.len() * 2 {
            let i = (which + attempt) % addrs.len();
            if conns[i].is_none() {
                conns[i] = connect(addrs[i]).await;
            }
            let Some(c) = conns[i].as_mut() else { continue };
            // Each attempt its own tag: a failed one may still have been counted.
            n += 1;
            let tag = format!("{run}-{id}-{n}");
            let req = hyper::Request::get(format!("/{path}?sub1={tag}"))
                .header("host", "127.0.0.1")
                .header(
                    "user-agent",
                    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Firefox/128.0",
                )
                .body(String::new());
            let Ok(req) = req else { break };
            let t = Instant::now();
            match c.send(req).await {
                Some((302, _)) => {
                    seen.micros
                        .push(t.elapsed().as_micros().min(u32::MAX as u128) as u32);
                    seen.answered.push(tag);
                    answered = true;
                    break;
                }
                Some(_) => {
                    seen.unexpected += 1;
                    answered = true;
                    break;
                }
                None => {
                    // A stopping or stopped instance: retry on the next one.
                    conns[i] = None;
                    seen.retried += 1;
                }
            }
        }
        if !answered && conns.iter().all(Option::is_none) {
            // No instance takes connections: wait a little.
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        which = (which + 1) % addrs.len();
    }
    seen
}

/// Drives postbacks: signed registrations `{run}-{id}-{n}`, every
/// `replay_every`-th delivery sending the client's previous event again.
#[allow(clippy::too_many_arguments)]
pub async fn postbacks(
    id: usize,
    run: String,
    addr: SocketAddr,
    brand: String,
    code: String,
    secret: Arc<String>,
    replay_every: u64,
    stop: Arc<AtomicBool>,
) -> Seen {
    use partnerdesk_app::tracking::postbacks_in::{sign, SIGNATURE_HEADER};
    let mut seen = Seen::default();
    let mut conn = connect(addr).await;
    let mut last: Option<(String, String)> = None;
    let mut n = 0u64;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let (event, body) = match (&last, replay_every > 0 && n % replay_every == 0) {
            (Some(l), true) => l.clone(),
            _ => {
                let event = format!("{run}-{id}-{n}");
                let body = serde_json::json!({
                    "event_id": event,
                    "type": "registration",
                    "time": chrono::Utc::now().to_rfc3339(),
                    "code": code,
                    "customer_id": event,
                })
                .to_string();
                (event, body)
            }
        };
        let signature = sign(&secret, body.as_bytes());
        if conn.is_none() {
            conn = connect(addr).await;
        }
        let Some(c) = conn.as_mut() else {
            tokio::time::sleep(Duration::from_millis(5)).await;
            continue;
        };
        let Ok(req) = hyper::Request::post(format!("/postback/{brand}"))
            .header("host", "127.0.0.1")
            .header("content-type", "application/json")
            .header(SIGNATURE_HEADER, signature)
            .body(body.clone())
        else {
            break;
        };
        let t = Instant::now();
        match c.send(req).await {
            Some((200, answer)) => {
                seen.micros
                    .push(t.elapsed().as_micros().min(u32::MAX as u128) as u32);
                let v: serde_json::Value = serde_json::from_slice(&answer).unwrap_or_default();
                match v["outcome"].as_str() {
                    Some("accepted") => {
                        seen.accepted += 1;
                        seen.answered.push(event.clone());
                    }
                    Some("duplicate") => seen.duplicates += 1,
                    _ => seen.unexpected += 1,
                }
            }
            Some(_) => seen.unexpected += 1,
            None => {
                conn = None;
                seen.retried += 1;
            }
        }
        last = Some((event, body));
    }
    seen
}
