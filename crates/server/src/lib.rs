//! The tracking server (`partnerdesk serve`): answers tracking links with
//! a redirect and records each click, over the same database as the
//! desktop and the CLI. A thin face over `partnerdesk_app::tracking`: it
//! resolves links (through a short cache, [`cache`]), reads what a request
//! says about its visitor ([`visit`]), and hands clicks to a writer task
//! that stores them in batches off the request path ([`writer`]).
//!
//! Brands' platforms post registration and deposit events to
//! `POST /postback/{brand}` ([`postbacks`]), taken in groups, one
//! transaction each ([`batcher`]); a background task sends
//! partners' postbacks out and flags click floods ([`background`]).
//!
//! It speaks HTTPS itself when given a certificate and key ([`tls`]), else
//! plain HTTP behind a reverse proxy; every request can be logged as one
//! JSON line without personal data ([`access_log`]).
//!
//! Several instances may serve one PostgreSQL database at once: no state
//! another instance needs lives in a process (links and the visitor salt
//! are in the database; unique clicks are decided there at insert).

pub mod access_log;
mod background;
mod batcher;
mod cache;
mod postbacks;
mod routes;
pub mod tls;
mod visit;
mod writer;

use partnerdesk_secrets::SecretStore;
use partnerdesk_store::Store;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;

pub use access_log::AccessLogTo;
pub use tls::TlsFiles;
pub use writer::Summary;

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot listen on {addr}: {source} (is another program using the port?)")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("{0}")]
    App(#[from] partnerdesk_app::AppError),
    #[error("no fallback URL: set one with `partnerdesk links settings --fallback URL` or pass --fallback-url, so a visitor of an unknown link is never shown an error")]
    NoFallback,
    #[error("{0}")]
    Invalid(#[from] partnerdesk_domain::FieldError),
    #[error("the server stopped with an error: {0}")]
    Serve(std::io::Error),
    #[error("{0}")]
    Tls(#[from] tls::TlsError),
    #[error("cannot open the access log {path}: {source}")]
    AccessLog {
        path: String,
        source: std::io::Error,
    },
}

/// Where the brands' postback secrets are read: the OS keyring or the
/// operator's secrets file behind a few seconds' cache
/// ([`partnerdesk_secrets::Cached`]); tests give an in-memory store.
#[derive(Clone)]
pub struct Secrets(pub Arc<dyn SecretStore>);

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secrets themselves.
        f.write_str("Secrets(..)")
    }
}

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    /// The address visitors use (links are shown under it).
    pub public_url: String,
    /// Used while the database names no fallback URL (or cannot be read).
    pub fallback_url: Option<String>,
    /// Proxies whose `X-Forwarded-For` and country header are believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// The header a trusted proxy puts the visitor's country in (e.g. `CF-IPCountry`).
    pub country_header: Option<String>,
    /// How long a resolved link (or the fallback) is reused before it is
    /// read again: an edited link takes effect within this time.
    pub link_ttl: Duration,
    /// Clicks are written at least this often…
    pub flush_every: Duration,
    /// …or as soon as this many wait (one multi-row insert each).
    pub flush_max: usize,
    /// Clicks kept in memory while the database cannot take them; beyond
    /// it the oldest are dropped, and the log says how many.
    pub buffer_max: usize,
    /// On shutdown, how long to keep trying to write what is left.
    pub shutdown_grace: Duration,
    /// The brands' postback secrets (`postback:<brand>`).
    pub secrets: Secrets,
    /// Partners' postbacks out: how they are sent, and how often the
    /// outbox is looked at (None: this instance sends none).
    pub postbacks_out: Option<(
        partnerdesk_app::tracking::postbacks_out::SendOptions,
        Duration,
    )>,
    /// Postbacks in are taken in groups of at most this many events, one
    /// transaction each…
    pub postback_group_max: usize,
    /// …collected for at most this long once the first has arrived…
    pub postback_group_wait: Duration,
    /// …by this many batchers (one collects while others commit).
    pub postback_batchers: usize,
    /// How often click floods are looked for (None: not by this instance).
    pub flood_scan: Option<Duration>,
    /// Serve HTTPS with these PEM files (None: plain HTTP, for a proxy).
    pub tls: Option<TlsFiles>,
    /// Where the access log goes (one JSON line per request).
    pub access_log: AccessLogTo,
    /// The access log names the visitor's address (off: no personal data).
    pub log_visitor_ip: bool,
    /// This instance's name in the access log.
    pub instance_id: String,
}

impl Config {
    pub fn new(listen: SocketAddr, public_url: impl Into<String>) -> Self {
        Self {
            listen,
            public_url: public_url.into(),
            fallback_url: None,
            trusted_proxies: Vec::new(),
            country_header: None,
            link_ttl: Duration::from_secs(5),
            flush_every: Duration::from_millis(200),
            flush_max: 1000,
            buffer_max: 1_000_000,
            shutdown_grace: Duration::from_secs(30),
            // A postback reads its brand's secret on every event: not a
            // keyring round trip each time.
            secrets: Secrets(Arc::new(partnerdesk_secrets::Cached::new(
                Arc::new(partnerdesk_secrets::OsKeyring),
                partnerdesk_secrets::DEFAULT_TTL,
            ))),
            postbacks_out: Some((Default::default(), Duration::from_secs(1))),
            flood_scan: Some(Duration::from_secs(60)),
            postback_group_max: 256,
            postback_group_wait: Duration::from_millis(2),
            postback_batchers: 2,
            tls: None,
            access_log: AccessLogTo::Off,
            log_visitor_ip: false,
            instance_id: partnerdesk_app::tracking::clicks::new_click_id()[..8].to_string(),
        }
    }
}

/// A started server.
pub struct Running {
    addr: SocketAddr,
    stop_http: oneshot::Sender<()>,
    http: tokio::task::JoinHandle<std::io::Result<()>>,
    stop_writer: oneshot::Sender<()>,
    writer: tokio::task::JoinHandle<Summary>,
    sender: Option<(oneshot::Sender<()>, tokio::task::JoinHandle<()>)>,
    batchers: Vec<tokio::task::JoinHandle<()>>,
    log: Option<access_log::Shared>,
}

impl Running {
    /// The address it listens on (the port chosen when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops gracefully: no new connections, requests in flight finish,
    /// then every queued click is written (see [`Config::shutdown_grace`]).
    pub async fn shutdown(self) -> Result<Summary, ServerError> {
        let _ = self.stop_http.send(());
        let served = self.http.await;
        // Every request has had its answer, so every group it was in is
        // committed; a group still open is of a request whose client left.
        for b in &self.batchers {
            b.abort();
        }
        if let Some(log) = &self.log {
            log.close();
        }
        // A postback being sent finishes its attempt; the rest wait in the outbox.
        if let Some((stop, task)) = self.sender {
            let _ = stop.send(());
            let _ = task.await;
        }
        // Every request has queued its click by now; the writer drains the rest.
        let _ = self.stop_writer.send(());
        let summary = self.writer.await.unwrap_or_default();
        match served {
            Ok(Ok(())) => Ok(summary),
            Ok(Err(e)) => Err(ServerError::Serve(e)),
            Err(e) => Err(ServerError::Serve(std::io::Error::other(e.to_string()))),
        }
    }
}

/// Starts the server on `store`: binds, then serves until [`Running::shutdown`].
pub async fn start(store: Store, config: Config) -> Result<Running, ServerError> {
    partnerdesk_domain::tracking::check_url("--public-url", &config.public_url)?;
    if let Some(f) = &config.fallback_url {
        partnerdesk_domain::tracking::check_url("--fallback-url", f)?;
    }
    let stored = partnerdesk_app::tracking::clicks::fallback_url(&store).await?;
    if stored.is_none() && config.fallback_url.is_none() {
        return Err(ServerError::NoFallback);
    }
    // The files are checked before anything starts.
    let tls = config.tls.as_ref().map(tls::server_config).transpose()?;
    let log = access_log::AccessLog::open(
        &config.access_log,
        &config.instance_id,
        config.log_visitor_ip,
    )
    .map_err(|source| ServerError::AccessLog {
        path: match &config.access_log {
            AccessLogTo::File(p) => p.display().to_string(),
            _ => "(standard output)".into(),
        },
        source,
    })?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| ServerError::Bind {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ServerError::Bind {
        addr: config.listen,
        source,
    })?;
    let (queue, writer) = writer::spawn(store.clone(), &config);
    let (stop_writer, writer_stop_rx) = oneshot::channel();
    let writer = tokio::spawn(writer.run(writer_stop_rx));
    let sender = (config.postbacks_out.is_some() || config.flood_scan.is_some()).then(|| {
        let (stop, stop_rx) = oneshot::channel();
        let work = background::Work {
            postbacks: config.postbacks_out.clone(),
            flood_scan: config.flood_scan,
        };
        let task = tokio::spawn(background::run(store.clone(), work, stop_rx));
        (stop, task)
    });
    let (batcher, batchers) = batcher::spawn(store.clone(), &config);
    let state = routes::Inner::new(store, config.clone(), queue, batcher);
    let app = routes::router(state, log.clone());
    let service = app.into_make_service_with_connect_info::<SocketAddr>();
    let (stop_http, stop_rx) = oneshot::channel::<()>();
    let stopped = async move {
        let _ = stop_rx.await;
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let http = match tls {
        None => tokio::spawn(async move {
            axum::serve(listener, service)
                .with_graceful_shutdown(stopped)
                .await
        }),
        Some(tls) => {
            use axum::serve::ListenerExt;
            // tap_io: axum then gives handlers the peer's address (ConnectInfo).
            let listener = tls::TlsListener::new(listener, tls)
                .map_err(|source| ServerError::Bind {
                    addr: config.listen,
                    source,
                })?
                .tap_io(|_| {});
            tokio::spawn(async move {
                axum::serve(listener, service)
                    .with_graceful_shutdown(stopped)
                    .await
            })
        }
    };
    tracing::info!(%addr, scheme, public_url = %config.public_url, "tracking server listening");
    Ok(Running {
        addr,
        stop_http,
        http,
        stop_writer,
        writer,
        sender,
        batchers,
        log,
    })
}
