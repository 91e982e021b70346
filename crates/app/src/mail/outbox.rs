//! The outbox: listing, retrying and cancelling messages, and sending what
//! is due (a lease per message, retries on a schedule, a batch stopped by a
//! problem with our own server).

use super::*;
use crate::access;
use crate::{AppError, Context, Result};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncTransport, Message};
use partnerdesk_domain::mail::{self as dm, OutboxStatus};
use partnerdesk_domain::Word;
use partnerdesk_store::mail::{OutboxFilter, OutboxRecord};
use partnerdesk_store::{StoreError, Tx};
use serde::{Deserialize, Serialize};
use specta::Type;
use std::path::Path;

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
    pub status: OutboxStatus,
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

pub(super) fn row(r: OutboxRecord) -> OutboxRow {
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
    let status = q
        .status
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| {
            OutboxStatus::from_word(s).ok_or_else(|| {
                AppError::invalid(
                    "status",
                    format!(
                        "'{s}' is not a message status; allowed: {}",
                        OutboxStatus::allowed()
                    ),
                )
            })
        })
        .transpose()?;
    let f = OutboxFilter {
        status,
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
        match s {
            OutboxStatus::Queued => counts.queued = n,
            OutboxStatus::Sending => counts.sending = n,
            OutboxStatus::Sent => counts.sent = n,
            OutboxStatus::Failed => counts.failed = n,
            OutboxStatus::Cancelled => counts.cancelled = n,
        }
    }
    Ok(OutboxPage {
        rows: rows.into_iter().map(row).collect(),
        total: total.max(0) as u64,
        counts,
    })
}

pub(super) async fn message(tx: &mut Tx<'_>, id: i64) -> Result<(OutboxRecord, String)> {
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

pub(super) async fn move_message(
    ctx: &Context,
    id: i64,
    from: &[OutboxStatus],
    to: OutboxStatus,
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
            from.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" or "),
            if to == OutboxStatus::Queued {
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
        &[OutboxStatus::Failed, OutboxStatus::Cancelled],
        OutboxStatus::Queued,
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
        &[OutboxStatus::Queued],
        OutboxStatus::Cancelled,
        "mail.cancel",
        false,
    )
    .await
}

pub(super) fn message_id(s: &SmtpStored, id: i64, now: &str) -> String {
    let domain = s
        .from_address
        .rsplit_once('@')
        .map(|(_, d)| d)
        .unwrap_or("partnerdesk.invalid");
    let stamp: String = now.chars().filter(|c| c.is_ascii_digit()).collect();
    let nanos = chrono::Utc::now().timestamp_subsec_nanos();
    format!("<pd-{id}-{stamp}-{nanos}@{domain}>")
}

pub(super) fn build_message(
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

pub(super) fn later(now: &str, secs: i64) -> String {
    let t = partnerdesk_domain::data::parse_time("now", now).unwrap_or_else(|_| chrono::Utc::now());
    partnerdesk_domain::data::time_to_text(&(t + chrono::Duration::seconds(secs)))
}

/// One write of the sender about message `.0`.
pub(super) enum Sender<'a> {
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
pub(super) async fn sender(
    ctx: &Context,
    what: Sender<'_>,
) -> Result<Option<(OutboxRecord, String)>> {
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
