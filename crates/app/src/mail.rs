//! E-mail to partners: SMTP settings (the password in the OS keyring),
//! templates with variables and a preview, announcements to a segment, the
//! outbox that sends and retries, and each partner's communication log.
//!
//! Nothing is sent inline: use cases queue messages (in the same transaction
//! as what caused them, so a message exists exactly when its cause was
//! saved) and [`outbox_send_due`] sends what is due. Problems with our own
//! server (a refused login, no connection, TLS) stop a batch and leave its
//! messages queued without using an attempt; problems with one message (the
//! server refuses the recipient or the content) are that message's: a
//! permanent refusal fails it, a temporary one retries on a schedule.

use crate::access;
use crate::{AppError, Context, Result};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use partnerdesk_domain::mail::{self as dm, status, Values};
use partnerdesk_domain::partner::parse_email;
use partnerdesk_store::mail::{
    NewMessage, OutboxFilter, OutboxRecord, SegmentFilter, TemplateRecord,
};
use partnerdesk_store::partners::PartnerRecord;
use partnerdesk_store::{StoreError, Tx};
use serde::{Deserialize, Serialize};
use specta::Type;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

const SMTP_META: &str = "mail.smtp";
/// The keyring entry of the SMTP password.
pub const SMTP_PASSWORD_KEY: &str = "smtp:password";
const SECURITIES: [&str; 3] = ["starttls", "tls", "none"];
/// How long a sender holds a message before another may take it over.
const LEASE_SECS: i64 = 10 * 60;

// ---------------------------------------------------------------- settings

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
struct SmtpStored {
    host: String,
    port: u16,
    security: String,
    username: String,
    from_address: String,
    from_name: String,
    reply_to: Option<String>,
    extra_ca_pem_path: Option<String>,
}

impl SmtpStored {
    fn configured(&self) -> bool {
        !self.host.is_empty() && !self.from_address.is_empty()
    }
}

async fn stored(tx: &mut Tx<'_>) -> Result<SmtpStored> {
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

fn has_password(ctx: &Context) -> Result<bool> {
    Ok(ctx
        .secrets
        .get(SMTP_PASSWORD_KEY)
        .map_err(AppError::Refused)?
        .is_some_and(|p| !p.is_empty()))
}

fn view(s: &SmtpStored, has_password: bool) -> SmtpSettingsView {
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

fn opt(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn validate(input: &SmtpSettingsInput) -> Result<SmtpStored> {
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

fn not_configured() -> AppError {
    AppError::Refused(
        "e-mail is not set up: enter the SMTP server and the sender address in Settings → E-mail"
            .into(),
    )
}

fn transport(ctx: &Context, s: &SmtpStored) -> Result<AsyncSmtpTransport<Tokio1Executor>> {
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
enum Failure {
    /// Our server or our login: stop, keep the message queued.
    Server(String),
    /// The server refused this message for good.
    Permanent(String),
    /// The server asked to try later.
    Temporary(String),
}

fn classify(s: &SmtpStored, e: &lettre::transport::smtp::Error) -> Failure {
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

// --------------------------------------------------------------- templates

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct TemplateVariable {
    pub name: String,
    pub description: String,
    pub example: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct TemplateView {
    pub key: String,
    pub name: String,
    pub subject: String,
    pub body: String,
    pub built_in: bool,
    /// Sent automatically when its event happens (built-ins only).
    pub auto_send: bool,
    pub variables: Vec<TemplateVariable>,
    pub updated_at: Option<String>,
    pub updated_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct TemplateInput {
    pub key: String,
    pub name: String,
    pub subject: String,
    pub body: String,
    pub auto_send: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct TemplatePreviewInput {
    pub subject: String,
    pub body: String,
    pub partner_id: Option<String>,
    pub template_key: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct TemplatePreview {
    pub subject: String,
    pub body: String,
    pub warnings: Vec<String>,
}

fn variables_view(key: Option<&str>) -> Vec<TemplateVariable> {
    dm::variables(key)
        .into_iter()
        .map(|v| TemplateVariable {
            name: v.name.into(),
            description: v.description.into(),
            example: v.example.into(),
        })
        .collect()
}

fn template_view(key: &str, saved: Option<&TemplateRecord>) -> Option<TemplateView> {
    let builtin = dm::built_in(key);
    let (name, subject, body, auto_send) = match (saved, builtin) {
        (Some(t), _) => (
            t.name.clone(),
            t.subject.clone(),
            t.body.clone(),
            t.auto_send != 0,
        ),
        (None, Some(b)) => (b.name.into(), b.subject.into(), b.body.into(), true),
        (None, None) => return None,
    };
    Some(TemplateView {
        key: key.to_string(),
        name,
        subject,
        body,
        built_in: builtin.is_some(),
        auto_send: auto_send && builtin.is_some(),
        variables: variables_view(Some(key)),
        updated_at: saved.map(|t| t.updated_at.clone()),
        updated_by: saved.map(|t| t.updated_by.clone()),
    })
}

async fn template(tx: &mut Tx<'_>, key: &str) -> Result<TemplateView> {
    let saved = tx.mail_template(key).await?;
    template_view(key, saved.as_ref()).ok_or_else(|| AppError::NotFound {
        what: "template",
        id: key.to_string(),
    })
}

/// The built-in templates (as edited) and the custom ones.
#[tracing::instrument(name = "mail::templates_list", skip_all, fields(user = %ctx.actor.user))]
pub async fn templates_list(ctx: &Context) -> Result<Vec<TemplateView>> {
    ctx.authorize(&access::READ).await?;
    let saved = ctx.store.read().await?.mail_templates().await?;
    let mut out: Vec<TemplateView> = dm::BUILT_IN
        .iter()
        .filter_map(|b| template_view(b.key, saved.iter().find(|t| t.template_key == b.key)))
        .collect();
    out.extend(
        saved
            .iter()
            .filter(|t| dm::built_in(&t.template_key).is_none())
            .filter_map(|t| template_view(&t.template_key, Some(t))),
    );
    Ok(out)
}

#[tracing::instrument(name = "mail::template_get", skip_all, fields(user = %ctx.actor.user))]
pub async fn template_get(ctx: &Context, key: &str) -> Result<TemplateView> {
    ctx.authorize(&access::READ).await?;
    template(&mut ctx.store.read().await?, key).await
}

async fn save_template(ctx: &Context, rec: TemplateRecord, action: &str) -> Result<TemplateView> {
    let mut tx = ctx.store.begin().await?;
    let before = tx.mail_template(&rec.template_key).await?;
    partnerdesk_store::mail::upsert_template(&mut tx, &rec).await?;
    partnerdesk_store::audit(
        &mut tx,
        &rec.updated_at,
        &ctx.actor.user,
        action,
        "mail_template",
        &rec.template_key,
        before.map(|b| serde_json::json!({"subject": b.subject, "body": b.body, "auto_send": b.auto_send}).to_string()).as_deref(),
        Some(&serde_json::json!({"subject": rec.subject, "body": rec.body, "auto_send": rec.auto_send}).to_string()),
    )
    .await?;
    let saved = template(&mut tx, &rec.template_key).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(saved)
}

/// Saves a template (a built-in one as edited, or a custom one); an unknown
/// variable or a syntax error is refused naming the field and the variable.
#[tracing::instrument(name = "mail::template_save", skip_all, fields(user = %ctx.actor.user))]
pub async fn template_save(ctx: &Context, input: TemplateInput) -> Result<TemplateView> {
    ctx.authorize(&access::MAIL_TEMPLATES).await?;
    let key = dm::parse_key(&input.key)?;
    let name = input.name.trim();
    if name.is_empty() {
        return Err(AppError::invalid("name", "give the template a name"));
    }
    if input.subject.trim().is_empty() {
        return Err(AppError::invalid("subject", "a message needs a subject"));
    }
    if input.body.trim().is_empty() {
        return Err(AppError::invalid("body", "a message needs a body"));
    }
    let vars = dm::variables(Some(&key));
    dm::check("subject", &input.subject, &vars)?;
    dm::check("body", &input.body, &vars)?;
    let rec = TemplateRecord {
        template_key: key,
        name: name.to_string(),
        subject: input.subject.trim().to_string(),
        body: input.body.clone(),
        auto_send: i64::from(input.auto_send),
        updated_at: ctx.now(),
        updated_by: ctx.actor.user.clone(),
    };
    save_template(ctx, rec, "mail.template.save").await
}

/// Puts a built-in template back to the text it ships with (auto-send on).
#[tracing::instrument(name = "mail::template_reset", skip_all, fields(user = %ctx.actor.user))]
pub async fn template_reset(ctx: &Context, key: &str) -> Result<TemplateView> {
    ctx.authorize(&access::MAIL_TEMPLATES).await?;
    let b = dm::built_in(key).ok_or_else(|| {
        AppError::invalid(
            "key",
            format!("'{key}' is not a built-in template: only those can be reset"),
        )
    })?;
    let now = ctx.now();
    let mut tx = ctx.store.begin().await?;
    let before = tx.mail_template(key).await?;
    partnerdesk_store::mail::delete_template(&mut tx, key).await?;
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "mail.template.reset",
        "mail_template",
        b.key,
        before
            .map(|b| serde_json::json!({"subject": b.subject, "body": b.body}).to_string())
            .as_deref(),
        None,
    )
    .await?;
    let reset = template(&mut tx, key).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(reset)
}

async fn operator_name(tx: &mut Tx<'_>) -> Result<String> {
    let s = stored(tx).await?;
    Ok(if s.from_name.is_empty() {
        "Partnerdesk".to_string()
    } else {
        s.from_name
    })
}

fn partner_values(p: &PartnerRecord, operator: &str) -> Values {
    let mut v = Values::new();
    v.insert("partner.name".into(), p.name.clone());
    v.insert("partner.id".into(), p.partner_id.clone());
    v.insert("partner.email".into(), p.email.clone().unwrap_or_default());
    v.insert("partner.kind".into(), p.kind.clone());
    v.insert("partner.status".into(), p.status.clone());
    v.insert("partner.currency".into(), p.currency.clone());
    v.insert("operator.name".into(), operator.to_string());
    v
}

/// Renders a subject and body as a partner (or the examples) would get them.
#[tracing::instrument(name = "mail::template_preview", skip_all, fields(user = %ctx.actor.user))]
pub async fn template_preview(
    ctx: &Context,
    input: TemplatePreviewInput,
) -> Result<TemplatePreview> {
    ctx.authorize(&access::READ).await?;
    let vars = dm::variables(input.template_key.as_deref());
    dm::check("subject", &input.subject, &vars)?;
    dm::check("body", &input.body, &vars)?;
    let mut values = dm::examples(&vars);
    let mut warnings = Vec::new();
    let mut tx = ctx.store.read().await?;
    if let Some(id) = opt(&input.partner_id) {
        let p = tx.partner(&id).await?.ok_or_else(|| AppError::NotFound {
            what: "partner",
            id: id.clone(),
        })?;
        if p.email.as_deref().unwrap_or("").is_empty() {
            warnings.push(format!(
                "{} has no e-mail address: this message would not be sent to them",
                p.name
            ));
        }
        values.extend(partner_values(&p, &operator_name(&mut tx).await?));
    } else {
        values.insert("operator.name".into(), operator_name(&mut tx).await?);
    }
    Ok(TemplatePreview {
        subject: dm::render("subject", &input.subject, &values)?,
        body: dm::render("body", &input.body, &values)?,
        warnings,
    })
}

// ------------------------------------------------------------ announcements

#[derive(Debug, Clone, Default, Serialize, Deserialize, Type)]
pub struct SegmentInput {
    pub kinds: Vec<String>,
    pub brands: Vec<String>,
    pub statuses: Vec<String>,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct SegmentMember {
    pub partner_id: String,
    pub name: String,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct SegmentPreview {
    pub partners: u64,
    pub with_email: u64,
    pub without_email: u64,
    /// The first partners of the segment (by id).
    pub sample: Vec<SegmentMember>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct AnnouncementInput {
    pub segment: SegmentInput,
    pub subject: String,
    pub body: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct AnnouncementOutcome {
    pub announcement_id: i64,
    pub queued: u64,
    pub skipped_without_email: u64,
}

fn segment_filter(seg: &SegmentInput) -> Result<SegmentFilter> {
    use partnerdesk_domain::partner::{PartnerKind, PartnerStatus};
    let clean = |v: &[String]| -> Vec<String> {
        let mut out: Vec<String> = v
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        out.sort();
        out.dedup();
        out
    };
    let kinds = clean(&seg.kinds);
    for k in &kinds {
        PartnerKind::parse("kinds", k)?;
    }
    let statuses = clean(&seg.statuses);
    for s in &statuses {
        PartnerStatus::parse("statuses", s)?;
    }
    Ok(SegmentFilter {
        kinds,
        brands: clean(&seg.brands),
        statuses,
        tags: clean(&seg.tags),
    })
}

/// How many partners a segment holds, how many can be written to, and the first few.
#[tracing::instrument(name = "mail::segment_preview", skip_all, fields(user = %ctx.actor.user))]
pub async fn segment_preview(ctx: &Context, seg: SegmentInput) -> Result<SegmentPreview> {
    ctx.authorize(&access::READ).await?;
    let f = segment_filter(&seg)?;
    let (sample, total, with_email) = ctx.store.read().await?.segment(&f, 20).await?;
    Ok(SegmentPreview {
        partners: total.max(0) as u64,
        with_email: with_email.max(0) as u64,
        without_email: (total - with_email).max(0) as u64,
        sample: sample
            .into_iter()
            .map(|m| SegmentMember {
                partner_id: m.partner_id,
                name: m.name,
                email: m.email,
            })
            .collect(),
    })
}

/// Queues one message per partner of the segment that has an e-mail address
/// (rendered with that partner's values), all or nothing.
#[tracing::instrument(name = "mail::announce", skip_all, fields(user = %ctx.actor.user))]
pub async fn announce(ctx: &Context, input: AnnouncementInput) -> Result<AnnouncementOutcome> {
    ctx.authorize(&access::MAIL_ANNOUNCE).await?;
    let f = segment_filter(&input.segment)?;
    let vars = dm::variables(None);
    if input.subject.trim().is_empty() {
        return Err(AppError::invalid(
            "subject",
            "an announcement needs a subject",
        ));
    }
    if input.body.trim().is_empty() {
        return Err(AppError::invalid("body", "an announcement needs a body"));
    }
    dm::check("subject", &input.subject, &vars)?;
    dm::check("body", &input.body, &vars)?;
    let mut tx = ctx.store.begin().await?;
    let (_, total, _) = tx.segment(&f, 0).await?;
    let members = tx.segment_with_email(&f).await?;
    if members.is_empty() {
        return Err(AppError::Refused(format!(
            "no partner of this segment has an e-mail address ({total} partners): nothing was queued"
        )));
    }
    let operator = operator_name(&mut tx).await?;
    let mut messages = Vec::with_capacity(members.len());
    for m in &members {
        let p = PartnerRecord {
            partner_id: m.partner_id.clone(),
            name: m.name.clone(),
            kind: m.kind.clone(),
            email: m.email.clone(),
            status: m.status.clone(),
            currency: m.currency.clone(),
            ..PartnerRecord::default()
        };
        let values = partner_values(&p, &operator);
        messages.push(NewMessage {
            partner_id: Some(m.partner_id.clone()),
            to_address: m.email.clone().unwrap_or_default(),
            subject: dm::render("subject", input.subject.trim(), &values)?,
            body: dm::render("body", &input.body, &values)?,
            template_key: None,
            announcement_id: None,
            attachment_path: None,
            attachment_name: None,
        });
    }
    let queued = messages.len() as i64;
    let skipped = (total - queued).max(0);
    let now = ctx.now();
    let segment_json = serde_json::json!({
        "kinds": f.kinds, "brands": f.brands, "statuses": f.statuses, "tags": f.tags
    })
    .to_string();
    let id = partnerdesk_store::mail::insert_announcement(
        &mut tx,
        &segment_json,
        input.subject.trim(),
        &input.body,
        queued,
        skipped,
        &now,
        &ctx.actor.user,
    )
    .await?;
    for m in &mut messages {
        m.announcement_id = Some(id);
    }
    partnerdesk_store::mail::queue_messages(&mut tx, &messages, &now, &ctx.actor.user).await?;
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "mail.announce",
        "mail_announcement",
        &id.to_string(),
        None,
        Some(&serde_json::json!({"segment": serde_json::from_str::<serde_json::Value>(&segment_json).unwrap_or_default(),
            "subject": input.subject.trim(), "queued": queued, "skipped_without_email": skipped}).to_string()),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(AnnouncementOutcome {
        announcement_id: id,
        queued: queued as u64,
        skipped_without_email: skipped as u64,
    })
}

// ------------------------------------------------------------------ outbox

#[derive(Debug, Clone, Default, Serialize, Deserialize, Type)]
pub struct OutboxQuery {
    /// queued | sending | sent | failed | cancelled
    pub status: Option<String>,
    pub partner_id: Option<String>,
    pub search: Option<String>,
    pub offset: u32,
    pub limit: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct OutboxRow {
    pub id: i64,
    pub partner_id: Option<String>,
    pub partner_name: Option<String>,
    pub to_address: String,
    pub subject: String,
    pub template_key: Option<String>,
    pub announcement_id: Option<i64>,
    pub status: String,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<String>,
    pub created_at: String,
    pub created_by: String,
    pub sent_at: Option<String>,
    pub attachment_name: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, Type)]
pub struct OutboxCounts {
    pub queued: u64,
    pub sending: u64,
    pub sent: u64,
    pub failed: u64,
    pub cancelled: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct OutboxPage {
    pub rows: Vec<OutboxRow>,
    pub total: u64,
    pub counts: OutboxCounts,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct OutboxMessage {
    pub row: OutboxRow,
    pub body: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, Type)]
pub struct SendOutcome {
    pub sent: u64,
    pub failed: u64,
    pub retry_later: u64,
    /// Why the batch stopped early (a refused login, no connection); its
    /// messages stay queued.
    pub stopped: Option<String>,
}

fn row(r: OutboxRecord) -> OutboxRow {
    OutboxRow {
        id: r.outbox_id,
        partner_id: r.partner_id,
        partner_name: r.partner_name,
        to_address: r.to_address,
        subject: r.subject,
        template_key: r.template_key,
        announcement_id: r.announcement_id,
        status: r.status,
        attempts: r.attempts.max(0) as u32,
        last_error: r.last_error,
        next_attempt_at: r.next_attempt_at,
        created_at: r.created_at,
        created_by: r.created_by,
        sent_at: r.sent_at,
        attachment_name: r.attachment_name,
    }
}

#[tracing::instrument(name = "mail::outbox_list", skip_all, fields(user = %ctx.actor.user))]
pub async fn outbox_list(ctx: &Context, q: OutboxQuery) -> Result<OutboxPage> {
    ctx.authorize(&access::READ).await?;
    if let Some(s) = q.status.as_deref().filter(|s| !s.is_empty()) {
        if !status::ALL.contains(&s) {
            return Err(AppError::invalid(
                "status",
                format!(
                    "'{s}' is not a message status; allowed: {}",
                    status::ALL.join(", ")
                ),
            ));
        }
    }
    let f = OutboxFilter {
        status: q.status.filter(|s| !s.is_empty()),
        partner_id: opt(&q.partner_id),
        search: q.search,
        offset: i64::from(q.offset),
        limit: if q.limit == 0 {
            100
        } else {
            i64::from(q.limit)
        },
    };
    let mut tx = ctx.store.read().await?;
    let (rows, total) = tx.outbox_page(&f).await?;
    let mut counts = OutboxCounts::default();
    for (s, n) in tx.outbox_counts().await? {
        let n = n.max(0) as u64;
        match s.as_str() {
            status::QUEUED => counts.queued = n,
            status::SENDING => counts.sending = n,
            status::SENT => counts.sent = n,
            status::FAILED => counts.failed = n,
            status::CANCELLED => counts.cancelled = n,
            _ => {}
        }
    }
    Ok(OutboxPage {
        rows: rows.into_iter().map(row).collect(),
        total: total.max(0) as u64,
        counts,
    })
}

async fn message(tx: &mut Tx<'_>, id: i64) -> Result<(OutboxRecord, String)> {
    tx.outbox_get(id).await?.ok_or_else(|| AppError::NotFound {
        what: "message",
        id: id.to_string(),
    })
}

#[tracing::instrument(name = "mail::outbox_message", skip_all, fields(user = %ctx.actor.user))]
pub async fn outbox_message(ctx: &Context, id: i64) -> Result<OutboxMessage> {
    ctx.authorize(&access::READ).await?;
    let (r, body) = message(&mut ctx.store.read().await?, id).await?;
    Ok(OutboxMessage { row: row(r), body })
}

async fn move_message(
    ctx: &Context,
    id: i64,
    from: &[&str],
    to: &str,
    action: &str,
    reset: bool,
) -> Result<OutboxRow> {
    ctx.authorize(&access::MAIL_SEND).await?;
    let now = ctx.now();
    let mut tx = ctx.store.begin().await?;
    let (before, _) = message(&mut tx, id).await?;
    if !partnerdesk_store::mail::set_status(&mut tx, id, from, to, reset).await? {
        return Err(AppError::Refused(format!(
            "message {id} is {}: only a {} message can be {}",
            before.status,
            from.join(" or "),
            if to == status::QUEUED {
                "retried"
            } else {
                "cancelled"
            }
        )));
    }
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        action,
        "mail_message",
        &id.to_string(),
        Some(&serde_json::json!({"status": before.status}).to_string()),
        Some(&serde_json::json!({"status": to}).to_string()),
    )
    .await?;
    let (after, _) = message(&mut tx, id).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(row(after))
}

/// A failed or cancelled message goes back to the queue, due now, with fresh attempts.
#[tracing::instrument(name = "mail::outbox_retry", skip_all, fields(user = %ctx.actor.user))]
pub async fn outbox_retry(ctx: &Context, id: i64) -> Result<OutboxRow> {
    move_message(
        ctx,
        id,
        &[status::FAILED, status::CANCELLED],
        status::QUEUED,
        "mail.retry",
        true,
    )
    .await
}

/// A queued message is not sent.
#[tracing::instrument(name = "mail::outbox_cancel", skip_all, fields(user = %ctx.actor.user))]
pub async fn outbox_cancel(ctx: &Context, id: i64) -> Result<OutboxRow> {
    move_message(
        ctx,
        id,
        &[status::QUEUED],
        status::CANCELLED,
        "mail.cancel",
        false,
    )
    .await
}

fn message_id(s: &SmtpStored, id: i64, now: &str) -> String {
    let domain = s
        .from_address
        .rsplit_once('@')
        .map(|(_, d)| d)
        .unwrap_or("partnerdesk.invalid");
    let stamp: String = now.chars().filter(|c| c.is_ascii_digit()).collect();
    let nanos = chrono::Utc::now().timestamp_subsec_nanos();
    format!("<pd-{id}-{stamp}-{nanos}@{domain}>")
}

fn build_message(
    s: &SmtpStored,
    to: &str,
    to_name: Option<&str>,
    subject: &str,
    body: &str,
    attachment: Option<(String, Vec<u8>)>,
    message_id: &str,
) -> Result<Message> {
    let addr = |field: &str, a: &str| {
        a.parse::<lettre::Address>()
            .map_err(|e| AppError::invalid(field, format!("'{a}' is not an e-mail address: {e}")))
    };
    let from_name = if s.from_name.is_empty() {
        None
    } else {
        Some(s.from_name.clone())
    };
    let mut b = Message::builder()
        .from(Mailbox::new(
            from_name,
            addr("from_address", &s.from_address)?,
        ))
        .to(Mailbox::new(
            to_name.map(str::to_string),
            addr("to_address", to)?,
        ))
        .subject(subject)
        .message_id(Some(message_id.to_string()));
    if let Some(r) = &s.reply_to {
        b = b.reply_to(Mailbox::new(None, addr("reply_to", r)?));
    }
    let text = SinglePart::plain(body.to_string());
    let built = match attachment {
        None => b.singlepart(text),
        Some((name, bytes)) => {
            let pdf = ContentType::parse("application/pdf")
                .map_err(|e| AppError::Refused(format!("attachment type: {e}")))?;
            b.multipart(
                MultiPart::mixed()
                    .singlepart(text)
                    .singlepart(Attachment::new(name).body(bytes, pdf)),
            )
        }
    };
    built.map_err(|e| AppError::Refused(format!("the message could not be built: {e}")))
}

fn later(now: &str, secs: i64) -> String {
    let t = partnerdesk_domain::data::parse_time("now", now).unwrap_or_else(|_| chrono::Utc::now());
    partnerdesk_domain::data::time_to_text(&(t + chrono::Duration::seconds(secs)))
}

/// One write of the sender about message `.0`.
enum Sender<'a> {
    /// Takes it for sending until a time (see `outbox_claim`).
    Claim(i64, &'a str, &'a str),
    Sent(i64, &'a str, &'a str),
    Release(i64, &'a str),
    Failed(i64, &'a str, Option<&'a str>),
}

/// Writes `what` in a short transaction of its own: the sending between
/// these writes cannot wait inside a transaction (it would hold the write
/// lock for as long as the mail server takes). The claimed message, for a
/// claim.
async fn sender(ctx: &Context, what: Sender<'_>) -> Result<Option<(OutboxRecord, String)>> {
    use partnerdesk_store::mail::{
        outbox_attempt_failed, outbox_claim, outbox_release, outbox_sent,
    };
    let mut tx = ctx.store.begin().await?;
    let claimed = match what {
        Sender::Claim(id, now, until) => outbox_claim(&mut tx, id, now, until).await?,
        Sender::Sent(id, at, message_id) => {
            outbox_sent(&mut tx, id, at, message_id).await?;
            None
        }
        Sender::Release(id, why) => {
            outbox_release(&mut tx, id, why).await?;
            None
        }
        Sender::Failed(id, why, next) => {
            outbox_attempt_failed(&mut tx, id, why, next).await?;
            None
        }
    };
    tx.commit().await?;
    Ok(claimed)
}

/// Sends what is due (up to `limit`), reporting progress as "mail.send".
#[tracing::instrument(name = "mail::outbox_send_due", skip_all, fields(user = %ctx.actor.user))]
pub async fn outbox_send_due(ctx: &Context, limit: u32) -> Result<SendOutcome> {
    ctx.authorize(&access::MAIL_SEND).await?;
    let now = ctx.now();
    let (s, due) = {
        let mut tx = ctx.store.read().await?;
        let due = tx.outbox_due(&now, i64::from(limit.max(1))).await?;
        (stored(&mut tx).await?, due)
    };
    let mut out = SendOutcome::default();
    if due.is_empty() {
        return Ok(out);
    }
    let t = transport(ctx, &s)?;
    let total = due.len() as u64;
    ctx.progress.report("mail.send", 0, total, "sending e-mail");
    for (i, id) in due.into_iter().enumerate() {
        let now = ctx.now();
        let Some((m, body)) =
            sender(ctx, Sender::Claim(id, &now, &later(&now, LEASE_SECS))).await?
        else {
            continue;
        };
        let attempts = m.attempts.max(0) as u32;
        let attachment = match (&m.attachment_path, &m.attachment_name) {
            (Some(path), name) => match std::fs::read(path) {
                Ok(bytes) => {
                    let name = name.clone().unwrap_or_else(|| {
                        Path::new(path)
                            .file_name()
                            .map(|n| n.to_string_lossy().to_string())
                            .unwrap_or_default()
                    });
                    Some((name, bytes))
                }
                Err(e) => {
                    let why = format!("the attachment {path} cannot be read ({e}): write the statement again, then retry");
                    sender(ctx, Sender::Failed(id, &why, None)).await?;
                    out.failed += 1;
                    continue;
                }
            },
            _ => None,
        };
        let mid = message_id(&s, id, &now);
        let msg = match build_message(
            &s,
            &m.to_address,
            m.partner_name.as_deref(),
            &m.subject,
            &body,
            attachment,
            &mid,
        ) {
            Ok(msg) => msg,
            Err(e) => {
                sender(ctx, Sender::Failed(id, &e.to_string(), None)).await?;
                out.failed += 1;
                continue;
            }
        };
        match t.send(msg).await {
            Ok(_) => {
                sender(ctx, Sender::Sent(id, &ctx.now(), &mid)).await?;
                out.sent += 1;
            }
            Err(e) => match classify(&s, &e) {
                Failure::Server(why) => {
                    sender(ctx, Sender::Release(id, &why)).await?;
                    out.stopped = Some(why);
                    break;
                }
                Failure::Permanent(why) => {
                    sender(ctx, Sender::Failed(id, &why, None)).await?;
                    out.failed += 1;
                }
                Failure::Temporary(why) => match dm::retry_delay_secs(attempts) {
                    Some(d) => {
                        sender(ctx, Sender::Failed(id, &why, Some(&later(&now, d)))).await?;
                        out.retry_later += 1;
                    }
                    None => {
                        let why = format!("{why} (gave up after {attempts} attempts)");
                        sender(ctx, Sender::Failed(id, &why, None)).await?;
                        out.failed += 1;
                    }
                },
            },
        }
        ctx.progress
            .report("mail.send", i as u64 + 1, total, &m.to_address);
    }
    Ok(out)
}

// ------------------------------------------------------ communication log

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct CommunicationEntry {
    pub id: i64,
    pub at: String,
    /// "email"
    pub channel: String,
    pub subject: String,
    pub status: String,
    pub template_key: Option<String>,
    pub outbox_id: Option<i64>,
    pub by_user: String,
    pub to_address: String,
    pub sent_at: Option<String>,
    pub last_error: Option<String>,
    pub attachment_name: Option<String>,
}

/// Every message for a partner, newest first.
#[tracing::instrument(name = "mail::communication_log", skip_all, fields(user = %ctx.actor.user))]
pub async fn communication_log(ctx: &Context, partner_id: &str) -> Result<Vec<CommunicationEntry>> {
    ctx.authorize(&access::READ).await?;
    let mut tx = ctx.store.read().await?;
    if tx.partner(partner_id).await?.is_none() {
        return Err(AppError::NotFound {
            what: "partner",
            id: partner_id.to_string(),
        });
    }
    let (rows, _) = tx
        .outbox_page(&OutboxFilter {
            partner_id: Some(partner_id.to_string()),
            limit: 1000,
            ..Default::default()
        })
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| CommunicationEntry {
            id: r.outbox_id,
            at: r.created_at,
            channel: "email".into(),
            subject: r.subject,
            status: r.status,
            template_key: r.template_key,
            outbox_id: Some(r.outbox_id),
            by_user: r.created_by,
            to_address: r.to_address,
            sent_at: r.sent_at,
            last_error: r.last_error,
            attachment_name: r.attachment_name,
        })
        .collect())
}

// ---------------------------------------------------------------- triggers

/// Queues a template for a partner by hand (any template, auto-send or not).
#[tracing::instrument(name = "mail::queue_template", skip_all, fields(user = %ctx.actor.user))]
pub async fn queue_template(
    ctx: &Context,
    partner_id: &str,
    key: &str,
    extra: BTreeMap<String, String>,
    attachment: Option<PathBuf>,
) -> Result<Option<i64>> {
    ctx.authorize(&access::MAIL_SEND).await?;
    if let Some(path) = &attachment {
        if !path.is_file() {
            return Err(AppError::invalid(
                "attachment",
                format!("{} is not a file", path.display()),
            ));
        }
    }
    let mut tx = ctx.store.begin().await?;
    let p = tx
        .partner(partner_id)
        .await?
        .ok_or_else(|| AppError::NotFound {
            what: "partner",
            id: partner_id.to_string(),
        })?;
    let id = queue_in(ctx, &mut tx, &p, key, extra, attachment.as_deref(), false).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(id)
}

/// A template ready to render for many partners: the template and the
/// operator's name are read once, not once per message.
pub(crate) struct Composer {
    key: String,
    template: TemplateView,
    operator: String,
}

impl Composer {
    pub(crate) async fn load(tx: &mut Tx<'_>, key: &str) -> Result<Composer> {
        Ok(Composer {
            key: key.to_string(),
            template: template(tx, key).await?,
            operator: operator_name(tx).await?,
        })
    }

    /// Whether an automatic trigger may send it (its auto-send switch).
    pub(crate) fn automatic(&self) -> bool {
        self.template.auto_send
    }

    /// The message to `p`; None when the partner has no e-mail address.
    pub(crate) fn message(
        &self,
        p: &PartnerRecord,
        extra: Values,
        attachment: Option<&Path>,
    ) -> Result<Option<NewMessage>> {
        let Some(email) = p.email.clone().filter(|e| !e.is_empty()) else {
            return Ok(None);
        };
        let mut values = partner_values(p, &self.operator);
        values.extend(extra);
        Ok(Some(NewMessage {
            partner_id: Some(p.partner_id.clone()),
            to_address: email,
            subject: dm::render("subject", &self.template.subject, &values)?,
            body: dm::render("body", &self.template.body, &values)?,
            template_key: Some(self.key.clone()),
            announcement_id: None,
            attachment_path: attachment.map(|a| a.display().to_string()),
            attachment_name: attachment
                .and_then(|a| a.file_name())
                .map(|n| n.to_string_lossy().to_string()),
        }))
    }
}

/// Queues messages inside the caller's transaction (multi-row inserts), so
/// they exist exactly when what caused them is saved.
pub(crate) async fn queue_all(
    ctx: &Context,
    tx: &mut Tx<'_>,
    messages: &[NewMessage],
) -> Result<()> {
    partnerdesk_store::mail::queue_messages(tx, messages, &ctx.now(), &ctx.actor.user).await?;
    Ok(())
}

/// Queues template `key` for partner `p` inside the caller's transaction.
/// None when the partner has no e-mail address or (for an `automatic`
/// trigger) the template's auto-send is off.
pub(crate) async fn queue_in(
    ctx: &Context,
    tx: &mut Tx<'_>,
    p: &PartnerRecord,
    key: &str,
    extra: Values,
    attachment: Option<&Path>,
    automatic: bool,
) -> Result<Option<i64>> {
    let c = Composer::load(tx, key).await?;
    if automatic && !c.automatic() {
        return Ok(None);
    }
    let Some(m) = c.message(p, extra, attachment)? else {
        return Ok(None);
    };
    let id = partnerdesk_store::mail::queue_one(tx, &m, &ctx.now(), &ctx.actor.user).await?;
    Ok(Some(id))
}

/// After a partner is saved: welcome a new one, tell an approved one.
pub(crate) async fn on_partner_saved(
    ctx: &Context,
    tx: &mut Tx<'_>,
    before: Option<&PartnerRecord>,
    after: &PartnerRecord,
) -> Result<()> {
    match before {
        None => {
            queue_in(ctx, tx, after, dm::WELCOME, Values::new(), None, true).await?;
        }
        // An application approved (not a suspension lifted).
        Some(b)
            if matches!(b.status.as_str(), "applied" | "pending_review")
                && after.status == "active" =>
        {
            queue_in(
                ctx,
                tx,
                after,
                dm::APPLICATION_APPROVED,
                Values::new(),
                None,
                true,
            )
            .await?;
        }
        Some(_) => {}
    }
    Ok(())
}
