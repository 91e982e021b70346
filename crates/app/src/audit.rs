//! Reading and checking the audit log: filtered pages for the Audit page, a
//! CSV export for a regulator, the chain check and the head hash to keep
//! outside the database.

use crate::access;
use crate::context::Context;
use crate::error::{AppError, Result};
use partnerdesk_store::audit::{AuditEntry, AuditFilter};
use serde::{Deserialize, Serialize};
use specta::Type;
use std::io::Write;
use std::path::Path;

#[derive(Debug, Clone, Default, Serialize, Deserialize, Type)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    /// Actions starting with this, e.g. `partner.` or `sign_in`.
    pub action: Option<String>,
    /// First day, YYYY-MM-DD (inclusive).
    pub from: Option<String>,
    /// Last day, YYYY-MM-DD (inclusive).
    pub to: Option<String>,
    pub offset: u32,
    pub limit: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct AuditEntryView {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub hash: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct AuditPage {
    pub total: u32,
    pub entries: Vec<AuditEntryView>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct ChainCheck {
    pub ok: bool,
    pub entries: u32,
    pub head_seq: i64,
    pub head_hash: String,
    /// The first entry that does not fit, when one does not.
    pub broken_seq: Option<i64>,
    pub broken_id: Option<i64>,
    pub message: String,
}

fn entry_view(e: AuditEntry) -> AuditEntryView {
    AuditEntryView {
        seq: e.seq,
        at: e.at,
        actor: e.actor,
        action: e.action,
        object_type: e.object_type,
        object_id: e.object_id,
        before: e.before,
        after: e.after,
        hash: e.hash,
    }
}

fn day_bound(field: &str, day: &Option<String>, next: bool) -> Result<Option<String>> {
    let Some(d) = day.as_deref().map(str::trim).filter(|d| !d.is_empty()) else {
        return Ok(None);
    };
    let date = chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .map_err(|_| AppError::invalid(field, format!("'{d}' is not a date (YYYY-MM-DD)")))?;
    let date = if next {
        date.succ_opt().unwrap_or(date)
    } else {
        date
    };
    Ok(Some(format!("{}T00:00:00Z", date.format("%Y-%m-%d"))))
}

fn filter_of(q: &AuditQuery) -> Result<AuditFilter> {
    Ok(AuditFilter {
        actor: q.actor.clone(),
        object_type: q.object_type.clone(),
        object_id: q.object_id.clone(),
        action_prefix: q.action.clone(),
        from: day_bound("from", &q.from, false)?,
        to: day_bound("to", &q.to, true)?,
    })
}

/// A page of entries, newest first.
#[tracing::instrument(name = "audit::entries", skip_all, fields(user = %ctx.actor.user))]
pub async fn entries(ctx: &Context, q: &AuditQuery) -> Result<AuditPage> {
    ctx.authorize(&access::AUDIT_READ).await?;
    let mut tx = ctx.store.read().await?;
    let filter = filter_of(q)?;
    let limit = if q.limit == 0 { 100 } else { q.limit.min(1000) };
    let (rows, total) = tx
        .audit_entries(&filter, i64::from(q.offset), i64::from(limit))
        .await?;
    Ok(AuditPage {
        total: total as u32,
        entries: rows.into_iter().map(entry_view).collect(),
    })
}

/// A partner's onboarding and compliance timeline (its audit entries, oldest first).
#[tracing::instrument(name = "audit::partner_timeline", skip_all, fields(user = %ctx.actor.user))]
pub async fn partner_timeline(ctx: &Context, partner_id: &str) -> Result<Vec<AuditEntryView>> {
    ctx.authorize(&access::READ).await?;
    let mut tx = ctx.store.read().await?;
    let filter = AuditFilter {
        object_type: Some("partner".into()),
        object_id: Some(partner_id.to_string()),
        ..Default::default()
    };
    let mut out = Vec::new();
    tx.audit_each(&filter, |e| {
        out.push(entry_view(e));
        Ok(())
    })
    .await?;
    Ok(out)
}

/// Checks the whole chain and names the first broken entry. With `expected`
/// (`SEQ:HASH`, as exported earlier) it also proves no entry up to that one
/// was removed from the end or replaced.
#[tracing::instrument(name = "audit::verify", skip_all, fields(user = %ctx.actor.user))]
pub async fn verify(ctx: &Context, expected: Option<&str>) -> Result<ChainCheck> {
    ctx.authorize(&access::AUDIT_VERIFY).await?;
    let mut tx = ctx.store.read().await?;
    let r = tx.audit_verify().await?;
    let mut check = ChainCheck {
        ok: r.first_broken.is_none(),
        entries: r.entries as u32,
        head_seq: r.head_seq,
        head_hash: r.head_hash.clone(),
        broken_seq: r.first_broken.as_ref().map(|b| b.seq),
        broken_id: r.first_broken.as_ref().map(|b| b.id),
        message: match &r.first_broken {
            None => format!(
                "the audit log is intact: {} entries, head {}:{}",
                r.entries, r.head_seq, r.head_hash
            ),
            Some(b) if b.id == 0 => {
                format!("the audit log is broken at entry {}: {}", b.seq, b.reason)
            }
            Some(b) => format!(
                "the audit log is broken at entry {} (row id {}): {}",
                b.seq, b.id, b.reason
            ),
        },
    };
    if let (true, Some(exp)) = (check.ok, expected.map(str::trim).filter(|e| !e.is_empty())) {
        let (seq, hash) = exp.split_once(':').ok_or_else(|| {
            AppError::invalid(
                "head",
                "give the head as SEQ:HASH, as `partnerdesk audit head` printed it",
            )
        })?;
        let seq: i64 = seq
            .trim()
            .parse()
            .map_err(|_| AppError::invalid("head", format!("'{seq}' is not an entry number")))?;
        match tx.audit_hash_at(seq).await? {
            Some(h) if h == hash.trim() => {}
            Some(_) => {
                check.ok = false;
                check.broken_seq = Some(seq);
                check.message = format!("entry {seq} is not the one whose hash was kept: the log was rewritten up to there");
            }
            None => {
                check.ok = false;
                check.broken_seq = Some(seq);
                check.message = format!(
                    "entry {seq}, whose hash was kept, is missing: entries were removed from the end (the log now ends at {})",
                    r.head_seq
                );
            }
        }
    }
    Ok(check)
}

/// The head of the chain as `SEQ:HASH`, to keep outside the database.
#[tracing::instrument(name = "audit::head", skip_all, fields(user = %ctx.actor.user))]
pub async fn head(ctx: &Context) -> Result<String> {
    ctx.authorize(&access::AUDIT_VERIFY).await?;
    let mut tx = ctx.store.read().await?;
    let (seq, hash) = tx.audit_head().await?;
    Ok(format!("{seq}:{hash}"))
}

/// Writes the matching entries, oldest first, as CSV (for a regulator).
/// Written beside and renamed, so a failed export leaves no half file.
#[tracing::instrument(name = "audit::export_csv", skip_all, fields(user = %ctx.actor.user))]
pub async fn export_csv(ctx: &Context, q: &AuditQuery, out: &Path) -> Result<u64> {
    ctx.authorize(&access::AUDIT_READ).await?;
    let filter = filter_of(q)?;
    let io = |e: std::io::Error| AppError::Io {
        context: format!("cannot write {}", out.display()),
        source: e,
    };
    let tmp = out.with_extension("csv.part");
    let file = std::fs::File::create(&tmp).map_err(io)?;
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(file));
    let header = [
        "seq",
        "at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "before",
        "after",
        "prev_hash",
        "hash",
    ];
    w.write_record(header).map_err(|e| io(e.into()))?;
    let mut tx = ctx.store.read().await?;
    let n = tx
        .audit_each(&filter, |e| {
            w.write_record([
                e.seq.to_string(),
                e.at,
                e.actor,
                e.action,
                e.object_type,
                e.object_id,
                e.before.unwrap_or_default(),
                e.after.unwrap_or_default(),
                e.prev_hash,
                e.hash,
            ])
            .map_err(|e| e.to_string())
        })
        .await;
    let n = match n {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e.into());
        }
    };
    let mut inner = w
        .into_inner()
        .map_err(|e| io(std::io::Error::other(e.to_string())))?;
    inner.flush().map_err(io)?;
    drop(inner);
    std::fs::rename(&tmp, out).map_err(io)?;
    Ok(n)
}
