//! The tracking server (`partnerdesk serve`): answers tracking links with
//! a redirect and records each click, over the same database as the
//! desktop and the CLI. A thin face over `partnerdesk_app::tracking`: it
//! resolves links (through a short cache, [`cache`]), reads what a request
//! says about its visitor ([`visit`]), and hands clicks to a writer task
//! that stores them in batches off the request path ([`writer`]).
//!
//! Brands' platforms post registration and deposit events to
//! `POST /postback/{brand}` ([`postbacks`]); a background task sends
//! partners' postbacks out and flags click floods ([`background`]).
//!
//! Several instances may serve one PostgreSQL database at once: no state
//! another instance needs lives in a process (links and the visitor salt
//! are in the database; unique clicks are decided there at insert).

mod background;
mod cache;
mod postbacks;
mod routes;
mod visit;
mod writer;

use partnerdesk_secrets::SecretStore;
use partnerdesk_store::Store;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;

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
}

/// Where the brands' postback secrets are read (the OS keyring; tests
/// give an in-memory store).
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
    /// How often click floods are looked for (None: not by this instance).
    pub flood_scan: Option<Duration>,
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
            secrets: Secrets(Arc::new(partnerdesk_secrets::OsKeyring)),
            postbacks_out: Some((Default::default(), Duration::from_secs(1))),
            flood_scan: Some(Duration::from_secs(60)),
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
    let state = routes::Inner::new(store, config.clone(), queue);
    let app = routes::router(state);
    let (stop_http, stop_rx) = oneshot::channel::<()>();
    let http = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = stop_rx.await;
        })
        .await
    });
    tracing::info!(%addr, public_url = %config.public_url, "tracking server listening");
    Ok(Running {
        addr,
        stop_http,
        http,
        stop_writer,
        writer,
        sender,
    })
}
