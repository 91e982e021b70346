//! A partner's communication log: every message queued for them, with its
//! outcome.

use crate::access;
use crate::{AppError, Context, Result};
use partnerdesk_domain::mail::OutboxStatus;
use partnerdesk_store::mail::OutboxFilter;
use serde::{Deserialize, Serialize};
use specta::Type;

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct CommunicationEntry {
    pub id: i64,
    pub at: String,
    /// "email"
    pub channel: String,
    pub subject: String,
    pub status: OutboxStatus,
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
