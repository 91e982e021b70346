//! Announcements: one message to every partner of a segment, queued in one
//! transaction.

use super::*;
use crate::access;
use crate::{AppError, Context, Result};
use partnerdesk_domain::mail::{self as dm};
use partnerdesk_store::mail::{NewMessage, SegmentFilter};
use partnerdesk_store::partners::PartnerRecord;
use partnerdesk_store::StoreError;
use serde::{Deserialize, Serialize};
use specta::Type;

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

pub(super) fn segment_filter(seg: &SegmentInput) -> Result<SegmentFilter> {
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
            kind: m.kind,
            email: m.email.clone(),
            status: m.status,
            currency: m.currency,
            parent_id: None,
            country: None,
            tags: Vec::new(),
            notes: String::new(),
            contact_name: None,
            phone: None,
            archived: false,
            created_at: String::new(),
            updated_at: String::new(),
            row_version: 0,
            updated_by: String::new(),
            children: 0,
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
