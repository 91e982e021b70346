//! E-mail: templates, announcements and the outbox (which is also each
//! partner's communication log).

use crate::batch::{Batch, Val};
use crate::error::Result;
use crate::Tx;
use partnerdesk_domain::mail::OutboxStatus;
use partnerdesk_domain::partner::{PartnerKind, PartnerStatus};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TemplateRecord {
    pub template_key: String,
    pub name: String,
    pub subject: String,
    pub body: String,
    pub auto_send: i64,
    pub updated_at: String,
    pub updated_by: String,
}

/// A message to put in the outbox.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub partner_id: Option<String>,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    pub template_key: Option<String>,
    pub announcement_id: Option<i64>,
    pub attachment_path: Option<String>,
    pub attachment_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRecord {
    pub outbox_id: i64,
    pub partner_id: Option<String>,
    pub partner_name: Option<String>,
    pub to_address: String,
    pub subject: String,
    pub template_key: Option<String>,
    pub announcement_id: Option<i64>,
    pub attachment_path: Option<String>,
    pub attachment_name: Option<String>,
    pub status: OutboxStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<String>,
    pub message_id: Option<String>,
    pub created_at: String,
    pub created_by: String,
    pub sent_at: Option<String>,
}

fn outbox_row(r: &sqlx::any::AnyRow) -> Result<OutboxRecord> {
    Ok(OutboxRecord {
        outbox_id: r.try_get("outbox_id")?,
        partner_id: r.try_get("partner_id")?,
        partner_name: r.try_get("partner_name")?,
        to_address: r.try_get("to_address")?,
        subject: r.try_get("subject")?,
        template_key: r.try_get("template_key")?,
        announcement_id: r.try_get("announcement_id")?,
        attachment_path: r.try_get("attachment_path")?,
        attachment_name: r.try_get("attachment_name")?,
        status: crate::words::column(r, "mail_outbox", "status")?,
        attempts: r.try_get("attempts")?,
        last_error: r.try_get("last_error")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
        message_id: r.try_get("message_id")?,
        created_at: r.try_get("created_at")?,
        created_by: r.try_get("created_by")?,
        sent_at: r.try_get("sent_at")?,
    })
}

const OUTBOX_COLUMNS: &str = "o.outbox_id, o.partner_id, p.name AS partner_name, o.to_address, o.subject, \
     o.template_key, o.announcement_id, o.attachment_path, o.attachment_name, o.status, o.attempts, \
     o.last_error, o.next_attempt_at, o.message_id, o.created_at, o.created_by, o.sent_at";

/// Which outbox rows to list.
#[derive(Debug, Clone, Default)]
pub struct OutboxFilter {
    pub status: Option<OutboxStatus>,
    pub partner_id: Option<String>,
    pub search: Option<String>,
    pub offset: i64,
    pub limit: i64,
}

/// Which partners an announcement goes to; an empty list means any.
#[derive(Debug, Clone, Default)]
pub struct SegmentFilter {
    pub kinds: Vec<String>,
    pub brands: Vec<String>,
    pub statuses: Vec<String>,
    pub tags: Vec<String>,
}

/// A partner in a segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentRecord {
    pub partner_id: String,
    pub name: String,
    pub email: Option<String>,
    pub kind: PartnerKind,
    pub status: PartnerStatus,
    pub currency: partnerdesk_domain::CurrencyCode,
}

fn segment_member(r: &sqlx::any::AnyRow) -> Result<SegmentRecord> {
    Ok(SegmentRecord {
        partner_id: r.try_get("partner_id")?,
        name: r.try_get("name")?,
        email: r.try_get("email")?,
        kind: crate::words::column(r, "partners", "kind")?,
        status: crate::words::column(r, "partners", "status")?,
        currency: crate::words::currency(r, "partners", "currency")?,
    })
}

fn placeholders(start: usize, n: usize) -> String {
    (start..start + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The WHERE clause of a segment and its binds (in order).
fn segment_where(seg: &SegmentFilter) -> (String, Vec<String>) {
    let mut conds = vec!["p.archived = 0".to_string()];
    let mut binds: Vec<String> = Vec::new();
    if !seg.kinds.is_empty() {
        conds.push(format!(
            "p.kind IN ({})",
            placeholders(binds.len() + 1, seg.kinds.len())
        ));
        binds.extend(seg.kinds.iter().cloned());
    }
    if !seg.statuses.is_empty() {
        conds.push(format!(
            "p.status IN ({})",
            placeholders(binds.len() + 1, seg.statuses.len())
        ));
        binds.extend(seg.statuses.iter().cloned());
    }
    if !seg.tags.is_empty() {
        // Tags are stored as `|a|b|`.
        let ors: Vec<String> = (0..seg.tags.len())
            .map(|i| format!("p.tags LIKE ${}", binds.len() + 1 + i))
            .collect();
        conds.push(format!("({})", ors.join(" OR ")));
        binds.extend(seg.tags.iter().map(|t| format!("%|{t}|%")));
    }
    if !seg.brands.is_empty() {
        let n = seg.brands.len();
        let a = placeholders(binds.len() + 1, n);
        let b = placeholders(binds.len() + 1 + n, n);
        conds.push(format!(
            "(EXISTS (SELECT 1 FROM tracking_codes tc WHERE tc.partner_id = p.partner_id AND tc.brand_id IN ({a})) \
             OR EXISTS (SELECT 1 FROM assignments a WHERE a.partner_id = p.partner_id AND a.brand_id IN ({b})))"
        ));
        binds.extend(seg.brands.iter().cloned());
        binds.extend(seg.brands.iter().cloned());
    }
    (conds.join(" AND "), binds)
}

impl Tx<'_> {
    pub async fn mail_templates(&mut self) -> Result<Vec<TemplateRecord>> {
        Ok(sqlx::query_as(
            "SELECT template_key, name, subject, body, auto_send, updated_at, updated_by \
             FROM mail_templates ORDER BY template_key",
        )
        .fetch_all(&mut **self)
        .await?)
    }

    pub async fn mail_template(&mut self, key: &str) -> Result<Option<TemplateRecord>> {
        Ok(sqlx::query_as(
            "SELECT template_key, name, subject, body, auto_send, updated_at, updated_by \
             FROM mail_templates WHERE template_key = $1",
        )
        .bind(key)
        .fetch_optional(&mut **self)
        .await?)
    }

    /// Partners of a segment: (members up to `sample`, total, with an e-mail).
    pub async fn segment(
        &mut self,
        seg: &SegmentFilter,
        sample: i64,
    ) -> Result<(Vec<SegmentRecord>, i64, i64)> {
        let (cond, binds) = segment_where(seg);
        let sql = format!(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN p.email IS NOT NULL AND p.email <> '' THEN 1 ELSE 0 END), 0) \
             FROM partners p WHERE {cond}"
        );
        let mut q = sqlx::query_as::<_, (i64, i64)>(&sql);
        for b in &binds {
            q = q.bind(b.clone());
        }
        let (total, with_email) = q.fetch_one(&mut **self).await?;
        let sql = format!(
            "SELECT p.partner_id, p.name, p.email, p.kind, p.status, p.currency FROM partners p WHERE {cond} \
             ORDER BY p.partner_id LIMIT {sample}"
        );
        let mut q = sqlx::query(&sql);
        for b in &binds {
            q = q.bind(b.clone());
        }
        let rows = q.fetch_all(&mut **self).await?;
        let members = rows.iter().map(segment_member).collect::<Result<_>>()?;
        Ok((members, total, with_email))
    }

    /// Every partner of a segment that has an e-mail address, in id order.
    pub async fn segment_with_email(&mut self, seg: &SegmentFilter) -> Result<Vec<SegmentRecord>> {
        let (cond, binds) = segment_where(seg);
        let sql = format!(
            "SELECT p.partner_id, p.name, p.email, p.kind, p.status, p.currency FROM partners p \
             WHERE {cond} AND p.email IS NOT NULL AND p.email <> '' ORDER BY p.partner_id"
        );
        let mut q = sqlx::query(&sql);
        for b in &binds {
            q = q.bind(b.clone());
        }
        let rows = q.fetch_all(&mut **self).await?;
        rows.iter().map(segment_member).collect()
    }

    pub async fn outbox_page(&mut self, f: &OutboxFilter) -> Result<(Vec<OutboxRecord>, i64)> {
        let mut conds: Vec<String> = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        if let Some(s) = &f.status {
            binds.push(s.as_str().to_string());
            conds.push(format!("o.status = ${}", binds.len()));
        }
        if let Some(p) = &f.partner_id {
            binds.push(p.clone());
            conds.push(format!("o.partner_id = ${}", binds.len()));
        }
        if let Some(s) = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            binds.push(format!("%{}%", s.to_lowercase()));
            let n = binds.len();
            conds.push(format!(
                "(LOWER(o.subject) LIKE ${n} OR LOWER(o.to_address) LIKE ${n} OR LOWER(COALESCE(p.name, '')) LIKE ${n} OR LOWER(COALESCE(o.partner_id, '')) LIKE ${n})"
            ));
        }
        let cond = if conds.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conds.join(" AND "))
        };
        let from = "FROM mail_outbox o LEFT JOIN partners p ON p.partner_id = o.partner_id";
        let count_sql = format!("SELECT COUNT(*) {from} {cond}");
        let mut q = sqlx::query_scalar::<_, i64>(&count_sql);
        for b in &binds {
            q = q.bind(b.clone());
        }
        let total = q.fetch_one(&mut **self).await?;
        let sql = format!(
            "SELECT {OUTBOX_COLUMNS} {from} {cond} ORDER BY o.outbox_id DESC LIMIT {} OFFSET {}",
            f.limit.clamp(1, 1000),
            f.offset.max(0)
        );
        let mut q = sqlx::query(&sql);
        for b in &binds {
            q = q.bind(b.clone());
        }
        let rows = q.fetch_all(&mut **self).await?;
        let rows = rows.iter().map(outbox_row).collect::<Result<_>>()?;
        Ok((rows, total))
    }

    /// Messages per status.
    pub async fn outbox_counts(&mut self) -> Result<Vec<(OutboxStatus, i64)>> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT status, COUNT(*) FROM mail_outbox GROUP BY status")
                .fetch_all(&mut **self)
                .await?;
        rows.into_iter()
            .map(|(s, n)| Ok((crate::words::word("mail_outbox", "status", &s)?, n)))
            .collect()
    }

    pub async fn outbox_get(&mut self, id: i64) -> Result<Option<(OutboxRecord, String)>> {
        let row = sqlx::query(&format!(
            "SELECT {OUTBOX_COLUMNS}, o.body FROM mail_outbox o LEFT JOIN partners p ON p.partner_id = o.partner_id WHERE o.outbox_id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut **self)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let body: String = row.try_get("body")?;
        Ok(Some((outbox_row(&row)?, body)))
    }

    /// Ids of messages due at `now`: queued ones whose time has come and
    /// `sending` ones whose lease ran out (a sender that died mid-send).
    pub async fn outbox_due(&mut self, now: &str, limit: i64) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(&format!(
            "SELECT outbox_id FROM mail_outbox WHERE status IN ('queued', 'sending') \
             AND (next_attempt_at IS NULL OR next_attempt_at <= $1) ORDER BY outbox_id LIMIT {}",
            limit.max(1)
        ))
        .bind(now)
        .fetch_all(&mut **self)
        .await?)
    }
}

/// Takes a due message for sending (one sender only): it becomes
/// `sending` with a lease until `lease_until`; None when another sender
/// took it first or it is no longer due.
/// (The sender's writes: each in a short transaction of its own, around
/// the sending, which no transaction may wait for.)
pub async fn outbox_claim(
    tx: &mut Tx<'_>,
    id: i64,
    now: &str,
    lease_until: &str,
) -> Result<Option<(OutboxRecord, String)>> {
    let r = sqlx::query(
        "UPDATE mail_outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at = $3 \
         WHERE outbox_id = $1 AND status IN ('queued', 'sending') \
         AND (next_attempt_at IS NULL OR next_attempt_at <= $2)",
    )
    .bind(id)
    .bind(now)
    .bind(lease_until)
    .execute(&mut **tx)
    .await?;
    if r.rows_affected() == 0 {
        return Ok(None);
    }
    tx.outbox_get(id).await
}

/// A claimed message that did not go out stays queued without using up an
/// attempt (the server refused our login: nothing is wrong with it).
pub async fn outbox_release(tx: &mut Tx<'_>, id: i64, error: &str) -> Result<()> {
    sqlx::query(
        "UPDATE mail_outbox SET status = 'queued', attempts = attempts - 1, next_attempt_at = NULL, last_error = $2 \
         WHERE outbox_id = $1 AND status = 'sending'",
    )
    .bind(id)
    .bind(error)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn outbox_sent(tx: &mut Tx<'_>, id: i64, at: &str, message_id: &str) -> Result<()> {
    sqlx::query(
        "UPDATE mail_outbox SET status = 'sent', sent_at = $2, message_id = $3, last_error = NULL, next_attempt_at = NULL \
         WHERE outbox_id = $1",
    )
    .bind(id)
    .bind(at)
    .bind(message_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// After a failed attempt: queued again at `next` or, without one, failed.
pub async fn outbox_attempt_failed(
    tx: &mut Tx<'_>,
    id: i64,
    error: &str,
    next: Option<&str>,
) -> Result<()> {
    let status = if next.is_some() {
        OutboxStatus::Queued
    } else {
        OutboxStatus::Failed
    };
    sqlx::query(
        "UPDATE mail_outbox SET status = $2, last_error = $3, next_attempt_at = $4 WHERE outbox_id = $1",
    )
    .bind(id)
    .bind(status.as_str())
    .bind(error)
    .bind(next.map(str::to_string))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn upsert_template(tx: &mut Tx<'_>, t: &TemplateRecord) -> Result<()> {
    sqlx::query(
        "INSERT INTO mail_templates (template_key, name, subject, body, auto_send, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (template_key) DO UPDATE SET name = excluded.name, \
         subject = excluded.subject, body = excluded.body, auto_send = excluded.auto_send, \
         updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(&t.template_key)
    .bind(&t.name)
    .bind(&t.subject)
    .bind(&t.body)
    .bind(t.auto_send)
    .bind(&t.updated_at)
    .bind(&t.updated_by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn delete_template(tx: &mut Tx<'_>, key: &str) -> Result<()> {
    sqlx::query("DELETE FROM mail_templates WHERE template_key = $1")
        .bind(key)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn insert_announcement(
    tx: &mut Tx<'_>,
    segment_json: &str,
    subject: &str,
    body: &str,
    queued: i64,
    skipped: i64,
    at: &str,
    by: &str,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO mail_announcements (segment, subject, body, queued, skipped, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING announcement_id",
    )
    .bind(segment_json)
    .bind(subject)
    .bind(body)
    .bind(queued)
    .bind(skipped)
    .bind(at)
    .bind(by)
    .fetch_one(&mut **tx)
    .await?)
}

/// Puts messages in the outbox (multi-row inserts), queued and due now.
pub async fn queue_messages(
    tx: &mut Tx<'_>,
    messages: &[NewMessage],
    at: &str,
    by: &str,
) -> Result<u64> {
    let mut b = Batch::new(
        "mail_outbox",
        &[
            "partner_id",
            "to_address",
            "subject",
            "body",
            "template_key",
            "announcement_id",
            "attachment_path",
            "attachment_name",
            "status",
            "created_at",
            "created_by",
        ],
        "",
    );
    for m in messages {
        b.push(
            tx,
            vec![
                Val::OptText(m.partner_id.clone()),
                Val::Text(m.to_address.clone()),
                Val::Text(m.subject.clone()),
                Val::Text(m.body.clone()),
                Val::OptText(m.template_key.clone()),
                Val::OptInt(m.announcement_id),
                Val::OptText(m.attachment_path.clone()),
                Val::OptText(m.attachment_name.clone()),
                Val::Text(OutboxStatus::Queued.as_str().into()),
                Val::Text(at.to_string()),
                Val::Text(by.to_string()),
            ],
        )
        .await?;
    }
    b.flush(tx).await?;
    Ok(b.written)
}

/// Puts one message in the outbox; its id.
pub async fn queue_one(tx: &mut Tx<'_>, m: &NewMessage, at: &str, by: &str) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO mail_outbox (partner_id, to_address, subject, body, template_key, announcement_id, \
         attachment_path, attachment_name, status, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', $9, $10) RETURNING outbox_id",
    )
    .bind(m.partner_id.clone())
    .bind(&m.to_address)
    .bind(&m.subject)
    .bind(&m.body)
    .bind(m.template_key.clone())
    .bind(m.announcement_id)
    .bind(m.attachment_path.clone())
    .bind(m.attachment_name.clone())
    .bind(at)
    .bind(by)
    .fetch_one(&mut **tx)
    .await?)
}

/// Moves a message between states when it is in one of `from`; false when it was not.
pub async fn set_status(
    tx: &mut Tx<'_>,
    id: i64,
    from: &[OutboxStatus],
    to: OutboxStatus,
    reset_attempts: bool,
) -> Result<bool> {
    // The words are the enum's own, never input: safe to inline.
    let list = from
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let attempts = if reset_attempts {
        ", attempts = 0, last_error = NULL"
    } else {
        ""
    };
    let r = sqlx::query(&format!(
        "UPDATE mail_outbox SET status = $2, next_attempt_at = NULL{attempts} WHERE outbox_id = $1 AND status IN ({list})"
    ))
    .bind(id)
    .bind(to.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}
