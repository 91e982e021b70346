//! One HTTP/1.1 connection to an MT5 Web API server, owned by the sync.
//!
//! MetaQuotes' Web API binds the session to the TCP connection: the
//! handshake (`/api/auth/start`, `/api/auth/answer`) and every later command
//! must go over the same connection, without cookies; the official PHP and
//! Node examples keep exactly one kept-alive connection (`CURLOPT_MAXCONNECTS
//! 1`, `maxSockets: 1`). A pooled client may open another socket at any time
//! (and then the server sees no session), so the MT5 connector holds this
//! connection itself and knows when the server closed it.

use crate::error::SyncError;
use crate::http::Answer;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite};

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// A connection and whether its session is signed in.
pub struct Link {
    sender: SendRequest<Empty<Bytes>>,
    driver: tokio::task::JoinHandle<()>,
    /// The handshake completed on this connection.
    pub signed_in: bool,
    pub last_used: Instant,
    /// The server said it closes the connection after its last answer.
    closing: bool,
}

impl Drop for Link {
    fn drop(&mut self) {
        self.driver.abort();
    }
}

impl Link {
    /// Connects to `base`'s host (TLS for https) within `timeout`.
    pub async fn open(base: &url::Url, timeout: Duration) -> Result<Self, SyncError> {
        let shown = crate::redact::url(base);
        let host = base
            .host_str()
            .ok_or_else(|| SyncError::NotHttp(base.to_string()))?
            .to_string();
        let port = base.port_or_known_default().unwrap_or(443);
        let network = |detail: String| SyncError::Network {
            url: shown.clone(),
            detail,
        };
        let connect = async {
            let tcp = tokio::net::TcpStream::connect((host.trim_matches(['[', ']']), port))
                .await
                .map_err(|e| network(e.to_string()))?;
            let _ = tcp.set_nodelay(true);
            let io: Box<dyn Io> = if base.scheme() == "https" {
                Box::new(tls(tcp, &host).await.map_err(network)?)
            } else {
                Box::new(tcp)
            };
            hyper::client::conn::http1::handshake::<_, Empty<Bytes>>(TokioIo::new(io))
                .await
                .map_err(|e| network(crate::http::error_chain(&e)))
        };
        let (sender, conn) =
            tokio::time::timeout(timeout, connect)
                .await
                .map_err(|_| SyncError::Timeout {
                    url: shown.clone(),
                    seconds: timeout.as_secs().max(1),
                })??;
        let driver = tokio::spawn(async move {
            // Ends when either side closes the connection.
            let _ = conn.await;
        });
        Ok(Self {
            sender,
            driver,
            signed_in: false,
            last_used: Instant::now(),
            closing: false,
        })
    }

    /// Still usable: not closed by the server and not announced closing.
    pub fn is_open(&self) -> bool {
        !self.closing && !self.sender.is_closed()
    }

    /// `GET url` on this connection, the whole body read, within `timeout`.
    pub async fn get(&mut self, url: &url::Url, timeout: Duration) -> Result<Answer, SyncError> {
        let shown = crate::redact::url(url);
        let target = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        let host = match url.port() {
            Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_string(),
        };
        let request = hyper::Request::get(target)
            .header("host", host)
            .header(
                "user-agent",
                concat!("Partnerdesk/", env!("CARGO_PKG_VERSION")),
            )
            .header("accept", "application/json")
            .header("connection", "keep-alive")
            .body(Empty::<Bytes>::new())
            .map_err(|e| SyncError::Config(format!("cannot build a request for {shown}: {e}")))?;
        let network = |detail: String| SyncError::Network {
            url: shown.clone(),
            detail: crate::redact::urls(&detail),
        };
        let work = async {
            self.sender
                .ready()
                .await
                .map_err(|e| network(crate::http::error_chain(&e)))?;
            let resp = self
                .sender
                .send_request(request)
                .await
                .map_err(|e| network(crate::http::error_chain(&e)))?;
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            let body = resp
                .into_body()
                .collect()
                .await
                .map_err(|e| network(crate::http::error_chain(&e)))?
                .to_bytes()
                .to_vec();
            Ok::<_, SyncError>((status, headers, body))
        };
        let (status, headers, body) = match tokio::time::timeout(timeout, work).await {
            Ok(r) => r?,
            Err(_) => {
                // A connection with a request half-done cannot be used again.
                self.closing = true;
                return Err(SyncError::Timeout {
                    url: shown,
                    seconds: timeout.as_secs().max(1),
                });
            }
        };
        self.last_used = Instant::now();
        if headers
            .get("connection")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("close"))
        {
            self.closing = true;
        }
        // hyper's HeaderMap is http's; reqwest's Answer uses the same type.
        Ok(Answer {
            status,
            headers,
            body,
            url: shown,
        })
    }
}

/// TLS over `tcp` for `host`, checked against the Mozilla roots.
async fn tls(
    tcp: tokio::net::TcpStream,
    host: &str,
) -> Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>, String> {
    use tokio_rustls::rustls;
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| format!("TLS set-up: {e}"))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from(host.trim_matches(['[', ']']).to_string())
        .map_err(|e| format!("'{host}' is not a host name for TLS: {e}"))?;
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|e| format!("TLS: {e}"))
}
