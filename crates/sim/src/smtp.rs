//! An SMTP sink on loopback: the edge of the world for e-mail tests. It
//! speaks enough ESMTP for a real client (EHLO, STARTTLS or implicit TLS with
//! a certificate from its own throw-away CA, AUTH PLAIN and LOGIN, MAIL,
//! RCPT, DATA, RSET, NOOP, QUIT), keeps every message it accepts (in memory
//! and, with a store folder, as `.eml` files), and can refuse the login or
//! chosen recipients, for good or for now.

use base64::Engine;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio_rustls::rustls;

/// How the sink behaves.
#[derive(Debug, Clone, Default)]
pub struct SinkConfig {
    /// The login it accepts; None: no login needed (and any is accepted).
    pub user: Option<String>,
    pub password: Option<String>,
    /// Offer STARTTLS.
    pub starttls: bool,
    /// TLS from the first byte (SMTPS, port 465 style) instead.
    pub implicit_tls: bool,
    /// Refuse every login with 535.
    pub refuse_login: bool,
    /// Recipients refused for good (550).
    pub reject_rcpt: Vec<String>,
    /// Recipients refused for now (451).
    pub defer_rcpt: Vec<String>,
    /// Where to write each accepted message as `NNNN.eml`.
    pub store: Option<PathBuf>,
}

/// A message the sink accepted.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
    pub login: Option<String>,
    pub tls: bool,
}

/// A running sink.
pub struct SmtpSink {
    pub addr: SocketAddr,
    /// The PEM of the CA that issued the sink's certificate (for
    /// localhost and 127.0.0.1): give it to the client to trust.
    pub ca_pem: String,
    pub received: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    pub fn messages(&self) -> Vec<Received> {
        self.received.lock().map(|m| m.clone()).unwrap_or_default()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn tls_error(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("TLS set-up: {e}"))
}

/// A throw-away CA and a certificate it issued for localhost / 127.0.0.1.
fn certificates() -> io::Result<(String, rustls::ServerConfig)> {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(tls_error)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "partnerdesk-sim test CA");
    let ca_key = KeyPair::generate().map_err(tls_error)?;
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).map_err(tls_error)?;
    let leaf_key = KeyPair::generate().map_err(tls_error)?;
    let leaf = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
        .map_err(tls_error)?
        .signed_by(&leaf_key, &ca)
        .map_err(tls_error)?;
    let ca_pem = ca.as_ref().pem();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(tls_error)?
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone(), ca.as_ref().der().clone()], key)
        .map_err(tls_error)?;
    Ok((ca_pem, config))
}

/// Starts a sink on 127.0.0.1:`port` (0: any free port).
pub async fn start_sink(config: SinkConfig, port: u16) -> io::Result<SmtpSink> {
    if let Some(dir) = &config.store {
        std::fs::create_dir_all(dir)?;
    }
    let (ca_pem, tls) = certificates()?;
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    let received: Arc<Mutex<Vec<Received>>> = Arc::default();
    let shared = Arc::new(Shared {
        config,
        received: received.clone(),
    });
    let task = tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                continue;
            };
            let shared = shared.clone();
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let _ = serve(socket, shared, acceptor).await;
            });
        }
    });
    Ok(SmtpSink {
        addr,
        ca_pem,
        received,
        task,
    })
}

struct Shared {
    config: SinkConfig,
    received: Arc<Mutex<Vec<Received>>>,
}

async fn serve(
    socket: tokio::net::TcpStream,
    shared: Arc<Shared>,
    acceptor: tokio_rustls::TlsAcceptor,
) -> io::Result<()> {
    if shared.config.implicit_tls {
        let tls = acceptor.accept(socket).await?;
        session(tls, &shared, true, true).await?;
        return Ok(());
    }
    if let Some(plain) = session(socket, &shared, false, true).await? {
        let tls = acceptor.accept(plain).await?;
        session(tls, &shared, true, false).await?;
    }
    Ok(())
}

fn b64(s: &str) -> Option<String> {
    base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
}

fn address(arg: &str) -> String {
    let a = arg.split_once(':').map(|(_, a)| a).unwrap_or(arg).trim();
    let a = a.split_whitespace().next().unwrap_or("");
    a.trim_start_matches('<').trim_end_matches('>').to_string()
}

/// One SMTP conversation; returns the stream when the client asked for STARTTLS.
async fn session<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    shared: &Shared,
    tls: bool,
    greet: bool,
) -> io::Result<Option<S>> {
    let cfg = &shared.config;
    let mut io = BufReader::new(stream);
    if greet {
        io.get_mut()
            .write_all(b"220 localhost partnerdesk-sim ESMTP\r\n")
            .await?;
    }
    let mut login: Option<String> = None;
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if io.read_line(&mut line).await? == 0 {
            return Ok(None);
        }
        let cmd = line.trim_end().to_string();
        let upper = cmd.to_ascii_uppercase();
        let reply: String = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            let mut r = String::from("250-localhost\r\n");
            if cfg.starttls && !tls {
                r.push_str("250-STARTTLS\r\n");
            }
            r.push_str("250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n");
            r
        } else if upper == "STARTTLS" {
            if !cfg.starttls || tls {
                "502 5.5.1 STARTTLS not offered\r\n".into()
            } else {
                io.get_mut()
                    .write_all(b"220 2.0.0 Ready to start TLS\r\n")
                    .await?;
                io.get_mut().flush().await?;
                return Ok(Some(io.into_inner()));
            }
        } else if upper.starts_with("AUTH PLAIN") || upper.starts_with("AUTH LOGIN") {
            let (user, pass) = if upper.starts_with("AUTH PLAIN") {
                let mut arg = cmd[10..].trim().to_string();
                if arg.is_empty() {
                    io.get_mut().write_all(b"334 \r\n").await?;
                    arg.clear();
                    io.read_line(&mut arg).await?;
                }
                let decoded = b64(&arg).unwrap_or_default();
                let mut parts = decoded.split('\0').skip(1);
                (
                    parts.next().unwrap_or("").to_string(),
                    parts.next().unwrap_or("").to_string(),
                )
            } else {
                let mut user = cmd[10..].trim().to_string();
                if user.is_empty() {
                    io.get_mut().write_all(b"334 VXNlcm5hbWU6\r\n").await?;
                    io.read_line(&mut user).await?;
                }
                io.get_mut().write_all(b"334 UGFzc3dvcmQ6\r\n").await?;
                let mut pass = String::new();
                io.read_line(&mut pass).await?;
                (
                    b64(&user).unwrap_or_default(),
                    b64(&pass).unwrap_or_default(),
                )
            };
            let ok = !cfg.refuse_login
                && cfg.user.as_deref().is_none_or(|u| u == user)
                && cfg.password.as_deref().is_none_or(|p| p == pass);
            if ok {
                login = Some(user);
                "235 2.7.0 Authentication successful\r\n".into()
            } else {
                "535 5.7.8 Authentication credentials invalid\r\n".into()
            }
        } else if upper.starts_with("MAIL FROM") {
            if cfg.user.is_some() && login.is_none() {
                "530 5.7.0 Authentication required\r\n".into()
            } else {
                from = Some(address(&cmd));
                to.clear();
                "250 2.1.0 OK\r\n".into()
            }
        } else if upper.starts_with("RCPT TO") {
            let rcpt = address(&cmd);
            if from.is_none() {
                "503 5.5.1 MAIL first\r\n".into()
            } else if cfg
                .reject_rcpt
                .iter()
                .any(|r| r.eq_ignore_ascii_case(&rcpt))
            {
                format!("550 5.1.1 <{rcpt}>: mailbox unavailable\r\n")
            } else if cfg.defer_rcpt.iter().any(|r| r.eq_ignore_ascii_case(&rcpt)) {
                format!("451 4.3.0 <{rcpt}>: try again later\r\n")
            } else {
                to.push(rcpt);
                "250 2.1.5 OK\r\n".into()
            }
        } else if upper == "DATA" {
            if from.is_none() || to.is_empty() {
                "503 5.5.1 RCPT first\r\n".into()
            } else {
                io.get_mut()
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let mut data: Vec<u8> = Vec::new();
                let mut raw = Vec::new();
                loop {
                    raw.clear();
                    if io.read_until(b'\n', &mut raw).await? == 0 {
                        return Ok(None);
                    }
                    if raw == b".\r\n" || raw == b".\n" {
                        break;
                    }
                    let body = if raw.starts_with(b"..") {
                        &raw[1..]
                    } else {
                        &raw[..]
                    };
                    data.extend_from_slice(body);
                }
                let n = keep(
                    shared,
                    Received {
                        from: from.take().unwrap_or_default(),
                        to: std::mem::take(&mut to),
                        data,
                        login: login.clone(),
                        tls,
                    },
                )?;
                format!("250 2.0.0 OK queued as {n}\r\n")
            }
        } else if upper == "RSET" {
            from = None;
            to.clear();
            "250 2.0.0 OK\r\n".into()
        } else if upper == "NOOP" {
            "250 2.0.0 OK\r\n".into()
        } else if upper == "QUIT" {
            io.get_mut().write_all(b"221 2.0.0 Bye\r\n").await?;
            io.get_mut().flush().await?;
            return Ok(None);
        } else {
            "502 5.5.2 Command not recognized\r\n".into()
        };
        io.get_mut().write_all(reply.as_bytes()).await?;
        io.get_mut().flush().await?;
    }
}

fn keep(shared: &Shared, m: Received) -> io::Result<usize> {
    let mut all = shared
        .received
        .lock()
        .map_err(|_| io::Error::other("sink state poisoned"))?;
    let n = all.len() + 1;
    if let Some(dir) = &shared.config.store {
        std::fs::write(dir.join(format!("{n:04}.eml")), &m.data)?;
    }
    all.push(m);
    Ok(n)
}
