//! The SMTP settings (the password in the OS keyring), the transport built
//! from them, how a server's refusal is classified, and the connection test.

use super::*;
use crate::access;
use crate::{AppError, Context, Result};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use partnerdesk_domain::partner::parse_email;
use partnerdesk_store::{StoreError, Tx};
use serde::{Deserialize, Serialize};
use specta::Type;
use std::time::Duration;

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct SmtpSettingsView {
    pub host: String,
    pub port: u16,
    /// "starttls" | "tls" | "none"
    pub security: String,
    pub username: String,
    pub from_address: String,
    pub from_name: String,
    pub reply_to: Option<String>,
    /// A PEM file of an extra CA to trust (an internal mail server).
    pub extra_ca_pem_path: Option<String>,
    /// Whether a password is in the OS keyring.
    pub has_password: bool,
    /// Whether a server and a sender are set (mail can go out).
    pub configured: bool,
    /// Set when these settings send the password in clear text (security
    /// `none` with a user name, to a server not on this machine): every
    /// face shows it loudly.
    pub warning: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct SmtpSettingsInput {
    pub host: String,
    pub port: u16,
    pub security: String,
    pub username: String,
    pub from_address: String,
    pub from_name: String,
    pub reply_to: Option<String>,
    pub extra_ca_pem_path: Option<String>,
    /// None keeps the saved password; "" removes it.
    pub password: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct SmtpTestOutcome {
    pub ok: bool,
    pub message: String,
}

/// What is saved in the database: everything but the password.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub(super) struct SmtpStored {
    pub(super) host: String,
    pub(super) port: u16,
    pub(super) security: String,
    pub(super) username: String,
    pub(super) from_address: String,
    pub(super) from_name: String,
    pub(super) reply_to: Option<String>,
    pub(super) extra_ca_pem_path: Option<String>,
}

impl SmtpStored {
    pub(super) fn configured(&self) -> bool {
        !self.host.is_empty() && !self.from_address.is_empty()
    }
}

pub(super) async fn stored(tx: &mut Tx<'_>) -> Result<SmtpStored> {
    match tx.meta_get(SMTP_META).await? {
        None => Ok(SmtpStored {
            port: 587,
            security: "starttls".into(),
            ..Default::default()
        }),
        Some(text) => serde_json::from_str(&text)
            .map_err(|e| StoreError::Corrupt(format!("saved SMTP settings: {e}")).into()),
    }
}

pub(super) fn has_password(ctx: &Context) -> Result<bool> {
    Ok(ctx
        .secrets
        .get(SMTP_PASSWORD_KEY)
        .map_err(AppError::Refused)?
        .is_some_and(|p| !p.is_empty()))
}

pub(super) fn view(s: &SmtpStored, has_password: bool) -> SmtpSettingsView {
    SmtpSettingsView {
        host: s.host.clone(),
        port: s.port,
        security: s.security.clone(),
        username: s.username.clone(),
        from_address: s.from_address.clone(),
        from_name: s.from_name.clone(),
        reply_to: s.reply_to.clone(),
        extra_ca_pem_path: s.extra_ca_pem_path.clone(),
        has_password,
        configured: s.configured(),
        warning: clear_text_warning(s),
    }
}

/// The warning for settings that send the SMTP password unencrypted.
fn clear_text_warning(s: &SmtpStored) -> Option<String> {
    let on_this_machine = matches!(
        s.host.trim_matches(['[', ']']),
        "localhost" | "127.0.0.1" | "::1"
    );
    (s.security == "none" && !s.username.is_empty() && !on_this_machine).then(|| {
        format!(
            "security is none and a user name is set: the SMTP password goes to {} in clear text, readable by anyone on the network in between; use starttls (port 587) or tls (port 465)",
            s.host
        )
    })
}

#[tracing::instrument(name = "mail::smtp_get", skip_all, fields(user = %ctx.actor.user))]
pub async fn smtp_get(ctx: &Context) -> Result<SmtpSettingsView> {
    ctx.authorize(&access::READ).await?;
    let s = stored(&mut ctx.store.read().await?).await?;
    Ok(view(&s, has_password(ctx)?))
}

pub(super) fn opt(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

pub(super) fn validate(input: &SmtpSettingsInput) -> Result<SmtpStored> {
    let s = validate_fields(input)?;
    if let Some(path) = &s.extra_ca_pem_path {
        let pem = std::fs::read(path).map_err(|e| {
            AppError::invalid(
                "extra_ca_pem_path",
                format!("cannot read {path}: {e}; choose a PEM certificate file"),
            )
        })?;
        check_ca_pem(path, &pem)?;
    }
    Ok(s)
}

/// What the SMTP settings form may hold, checked without reading a file
/// or the network; `ca_pem`: the bytes of the CA file it names. For the
/// fuzz targets, which feed it anything.
#[doc(hidden)]
pub fn check_smtp_settings(input: &SmtpSettingsInput, ca_pem: Option<&[u8]>) -> Result<()> {
    validate_fields(input)?;
    if let Some(pem) = ca_pem {
        check_ca_pem("the CA file", pem)?;
    }
    Ok(())
}

fn check_ca_pem(path: &str, pem: &[u8]) -> Result<()> {
    Certificate::from_pem(pem).map_err(|e| {
        AppError::invalid(
            "extra_ca_pem_path",
            format!("{path} is not a PEM certificate: {e}"),
        )
    })?;
    Ok(())
}

fn validate_fields(input: &SmtpSettingsInput) -> Result<SmtpStored> {
    let host = input.host.trim().to_string();
    if host.is_empty()
        || host.contains(char::is_whitespace)
        || host.contains("://")
        || host.contains('/')
        || host
            .chars()
            .any(partnerdesk_domain::limits::is_forbidden_char)
        || host.len() > 253
    {
        return Err(AppError::invalid(
            "host",
            format!(
                "{} is not a server name: give the SMTP host only, such as smtp.example.com",
                partnerdesk_domain::limits::shown(&input.host)
            ),
        ));
    }
    if input.port == 0 {
        return Err(AppError::invalid(
            "port",
            "give the SMTP port (587 for STARTTLS, 465 for TLS)",
        ));
    }
    let security = input.security.trim().to_lowercase();
    if !SECURITIES.contains(&security.as_str()) {
        return Err(AppError::invalid(
            "security",
            format!(
                "{} is not a security mode; allowed: starttls, tls, none",
                partnerdesk_domain::limits::shown(&input.security)
            ),
        ));
    }
    let from_address = parse_email("from_address", input.from_address.trim())?;
    let reply_to = match opt(&input.reply_to) {
        Some(r) => Some(parse_email("reply_to", &r)?),
        None => None,
    };
    let extra_ca_pem_path = opt(&input.extra_ca_pem_path);
    let username = input.username.trim().to_string();
    partnerdesk_domain::limits::check_text("username", &username, 254)?;
    let from_name = input.from_name.trim().to_string();
    partnerdesk_domain::limits::check_text("from_name", &from_name, 200)?;
    Ok(SmtpStored {
        host,
        port: input.port,
        security,
        username,
        from_address,
        from_name,
        reply_to,
        extra_ca_pem_path,
    })
}

#[tracing::instrument(name = "mail::smtp_set", skip_all, fields(user = %ctx.actor.user))]
pub async fn smtp_set(ctx: &Context, input: SmtpSettingsInput) -> Result<SmtpSettingsView> {
    ctx.authorize(&access::MAIL_SETTINGS).await?;
    let s = validate(&input)?;
    let json = serde_json::to_string(&s).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let now = ctx.now();
    let mut tx = ctx.store.begin().await?;
    let before = stored(&mut tx).await?;
    partnerdesk_store::meta_set(&mut tx, SMTP_META, &json).await?;
    let password = match input.password.as_deref() {
        None => "kept",
        Some("") => "removed",
        Some(_) => "changed",
    };
    let after = serde_json::json!({ "settings": s, "password": password }).to_string();
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "mail.smtp.set",
        "settings",
        "smtp",
        serde_json::to_string(&before).ok().as_deref(),
        Some(&after),
    )
    .await?;
    // The keyring first: if it refuses, nothing is saved.
    match input.password.as_deref() {
        None => {}
        Some("") => ctx
            .secrets
            .delete(SMTP_PASSWORD_KEY)
            .map_err(AppError::Refused)?,
        Some(p) => ctx
            .secrets
            .set(SMTP_PASSWORD_KEY, p)
            .map_err(AppError::Refused)?,
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(view(&s, has_password(ctx)?))
}

pub(super) fn not_configured() -> AppError {
    AppError::Refused(
        "e-mail is not set up: enter the SMTP server and the sender address in Settings → E-mail"
            .into(),
    )
}

pub(super) fn transport(
    ctx: &Context,
    s: &SmtpStored,
) -> Result<AsyncSmtpTransport<Tokio1Executor>> {
    if !s.configured() {
        return Err(not_configured());
    }
    let tls_params = || -> Result<TlsParameters> {
        let mut b = TlsParameters::builder(s.host.clone());
        if let Some(path) = &s.extra_ca_pem_path {
            let pem = std::fs::read(path).map_err(|e| {
                AppError::Refused(format!(
                    "cannot read the CA certificate {path}: {e}; fix the path in Settings → E-mail"
                ))
            })?;
            let cert = Certificate::from_pem(&pem)
                .map_err(|e| AppError::Refused(format!("{path} is not a PEM certificate: {e}")))?;
            b = b.add_root_certificate(cert);
        }
        b.build_rustls()
            .map_err(|e| AppError::Refused(format!("TLS could not be prepared: {e}")))
    };
    let tls = match s.security.as_str() {
        "tls" => Tls::Wrapper(tls_params()?),
        "none" => Tls::None,
        _ => Tls::Required(tls_params()?),
    };
    let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(s.host.as_str())
        .port(s.port)
        .tls(tls)
        .timeout(Some(Duration::from_secs(30)));
    if !s.username.is_empty() {
        let password = ctx
            .secrets
            .get(SMTP_PASSWORD_KEY)
            .map_err(AppError::Refused)?
            .filter(|p| !p.is_empty())
            .ok_or_else(|| {
                AppError::Refused(
                    "no SMTP password is saved: enter it in Settings → E-mail (it is kept in the OS keyring)".into(),
                )
            })?;
        b = b.credentials(Credentials::new(s.username.clone(), password));
    }
    Ok(b.build())
}

/// What went wrong with a send, and whose problem it is.
pub(super) enum Failure {
    /// Our server or our login: stop, keep the message queued.
    Server(String),
    /// The server refused this message for good.
    Permanent(String),
    /// The server asked to try later.
    Temporary(String),
}

pub(super) fn classify(s: &SmtpStored, e: &lettre::transport::smtp::Error) -> Failure {
    let code = e.status().map(|c| c.to_string());
    let text = e.to_string();
    let at = format!("{}:{}", s.host, s.port);
    match code.as_deref() {
        Some("530" | "534" | "535" | "538") => Failure::Server(format!(
            "the SMTP server {at} refused the login ({text}): check the user name and password in Settings → E-mail"
        )),
        _ if e.is_permanent() => Failure::Permanent(format!("refused by the SMTP server: {text}")),
        _ if e.is_transient() => Failure::Temporary(format!("the SMTP server asked to try later: {text}")),
        _ if e.is_tls() => Failure::Server(format!(
            "TLS with the SMTP server {at} failed ({text}): check the security mode and, for a private CA, the certificate in Settings → E-mail"
        )),
        _ if e.is_timeout() => Failure::Server(format!(
            "the SMTP server {at} did not answer in time ({text}): check the host and port in Settings → E-mail"
        )),
        _ => Failure::Server(format!(
            "cannot talk to the SMTP server {at} ({text}): check the host, port and security in Settings → E-mail"
        )),
    }
}

/// Connects, secures and logs in; with `send_to`, also sends a short test message.
#[tracing::instrument(name = "mail::smtp_test", skip_all, fields(user = %ctx.actor.user))]
pub async fn smtp_test(ctx: &Context, send_to: Option<String>) -> Result<SmtpTestOutcome> {
    ctx.authorize(&access::MAIL_SETTINGS).await?;
    let s = stored(&mut ctx.store.read().await?).await?;
    let t = match transport(ctx, &s) {
        Ok(t) => t,
        Err(e) => {
            return Ok(SmtpTestOutcome {
                ok: false,
                message: e.to_string(),
            })
        }
    };
    let fail = |e: &lettre::transport::smtp::Error| SmtpTestOutcome {
        ok: false,
        message: match classify(&s, e) {
            Failure::Server(m) | Failure::Permanent(m) | Failure::Temporary(m) => m,
        },
    };
    match t.test_connection().await {
        Ok(true) => {}
        Ok(false) => {
            return Ok(SmtpTestOutcome {
                ok: false,
                message: format!(
                    "the SMTP server {}:{} closed the connection",
                    s.host, s.port
                ),
            })
        }
        Err(e) => return Ok(fail(&e)),
    }
    let Some(to) = opt(&send_to) else {
        return Ok(SmtpTestOutcome {
            ok: true,
            message: format!("connected to {}:{} and logged in", s.host, s.port),
        });
    };
    let to = parse_email("send_to", &to)?;
    let msg = build_message(
        &s,
        &to,
        None,
        "Partnerdesk test message",
        "This is a test message from Partnerdesk: e-mail to partners works.\n",
        None,
        &message_id(&s, 0, &ctx.now()),
    )?;
    Ok(match t.send(msg).await {
        Ok(_) => SmtpTestOutcome {
            ok: true,
            message: format!("logged in and sent a test message to {to}"),
        },
        Err(e) => fail(&e),
    })
}
