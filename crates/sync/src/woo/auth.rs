//! How a request to the shop proves the consumer key and secret
//! (woocommerce.github.io/woocommerce-rest-api-docs, "Authentication"):
//! over HTTPS, HTTP Basic (the key as user name, the secret as password), or
//! the key and secret as query-string parameters for servers that do not
//! pass the Authorization header on; over plain HTTP, OAuth 1.0a
//! "one-legged" signatures ([`crate::oauth1`]), because the keys must not
//! travel readable. Which one was refused is said in the error.

use crate::config::{WooAuth, WooConfig};
use crate::error::SyncError;
use crate::http::{Answer, Request};
use base64::Engine;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Basic,
    Oauth1,
    QueryString,
}

impl Mode {
    pub fn of(cfg: &WooConfig) -> Mode {
        match cfg.auth {
            WooAuth::Basic => Mode::Basic,
            WooAuth::Oauth1 => Mode::Oauth1,
            WooAuth::QueryString => Mode::QueryString,
            WooAuth::Auto => {
                if cfg
                    .base_url
                    .trim()
                    .to_ascii_lowercase()
                    .starts_with("https://")
                {
                    Mode::Basic
                } else {
                    Mode::Oauth1
                }
            }
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Mode::Basic => "HTTP Basic authentication",
            Mode::Oauth1 => "the OAuth 1.0a signature",
            Mode::QueryString => "the consumer key and secret in the query string",
        }
    }

    fn hint(self) -> &'static str {
        match self {
            Mode::Basic => "check the consumer key and secret and that the key may read orders; if the server drops the Authorization header, set auth to query_string",
            Mode::Oauth1 => "check the consumer key and secret and that base_url is the shop's address exactly as WordPress has it (the signature covers it); over https use basic",
            Mode::QueryString => "check the consumer key and secret and that the key may read orders (WooCommerce takes keys in the query string over https only)",
        }
    }
}

/// Basic and query-string keys travel readable: refused over plain http
/// unless the shop is on this machine.
pub fn check(cfg: &WooConfig) -> Result<(), SyncError> {
    let mode = Mode::of(cfg);
    if mode == Mode::Oauth1 {
        return Ok(());
    }
    let url = crate::http::base_url(&cfg.base_url)?;
    let local = matches!(
        url.host_str(),
        Some("127.0.0.1" | "localhost" | "[::1]" | "::1")
    );
    if url.scheme() == "http" && !local {
        return Err(SyncError::Config(format!(
            "{} over plain http would send the shop's keys readable: use an https address, or auth oauth1 (what WooCommerce requires over http)",
            mode.describe()
        )));
    }
    Ok(())
}

/// `req` with the credentials added the way `mode` says.
pub fn apply(mode: Mode, mut req: Request, key: &str, secret: &str) -> Request {
    match mode {
        Mode::Basic => {
            let token = base64::engine::general_purpose::STANDARD.encode(format!("{key}:{secret}"));
            req.headers
                .push(("Authorization".into(), format!("Basic {token}")));
        }
        Mode::QueryString => {
            req.url
                .query_pairs_mut()
                .append_pair("consumer_key", key)
                .append_pair("consumer_secret", secret);
        }
        Mode::Oauth1 => {
            let nonce = hex::encode(rand::random::<[u8; 12]>());
            crate::oauth1::sign_query(
                req.method.as_str(),
                &mut req.url,
                key,
                secret,
                chrono::Utc::now().timestamp(),
                &nonce,
            );
        }
    }
    req
}

/// The error for a refused request: which method, what the shop said, what
/// to check.
pub fn refused(mode: Mode, a: &Answer) -> SyncError {
    let said = a
        .json()
        .ok()
        .map(|v| {
            let code = crate::json::text(&v, "code").unwrap_or_default();
            let message = crate::json::text(&v, "message").unwrap_or_default();
            format!("{code}: {message}")
        })
        .unwrap_or_else(|| crate::http::snippet(&a.body));
    SyncError::Auth(format!(
        "the shop refused {} (HTTP {} {said}): {}",
        mode.describe(),
        a.status,
        mode.hint()
    ))
}
