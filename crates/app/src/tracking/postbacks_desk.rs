//! What the desktop's partner postbacks page reads and does beyond the
//! URLs themselves: the partner's outbox in pages (each postback's state,
//! attempts, last error and times), and a test call of a URL with sample
//! values, so that a partner's tracker can be checked before real events.

use super::postbacks_out::{outbox_view, OutboxView};
use crate::{access, AppError, Context, Result};
use partnerdesk_domain::postback::{fill_out, OutEvent, OutFill};
use serde::{Deserialize, Serialize};
use specta::Type;
use std::time::Duration;

/// A page of a partner's postbacks out, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct PostbackOutboxPage {
    /// How many postbacks the partner has in all.
    pub total: i64,
    pub rows: Vec<OutboxView>,
}

/// A partner's postbacks out, `limit` (at most 1000) from `offset`.
#[tracing::instrument(name = "postbacks_out::outbox_page", skip_all, fields(user = %ctx.actor.user))]
pub async fn outbox_page(
    ctx: &Context,
    partner_id: &str,
    offset: u32,
    limit: u32,
) -> Result<PostbackOutboxPage> {
    ctx.authorize(&access::READ).await?;
    let mut tx = ctx.store.read().await?;
    if tx.partner(partner_id).await?.is_none() {
        return Err(AppError::NotFound {
            what: "partner",
            id: partner_id.to_string(),
        });
    }
    let (total, rows) = tx
        .postback_outbox_page(partner_id, i64::from(offset), i64::from(limit))
        .await?;
    Ok(PostbackOutboxPage {
        total,
        rows: rows.into_iter().map(outbox_view).collect(),
    })
}

/// What a test call of a partner's URL got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct PostbackTestView {
    /// The URL called, with sample values.
    pub url: String,
    /// The tracker's answer; none when it could not be reached.
    pub status_code: Option<u16>,
    /// Why it failed (an answer other than 2xx, or the transport's error).
    pub error: Option<String>,
}

/// The values a test call fills the macros with (marked as a test, so a
/// partner's tracker can tell them from real events).
pub const TEST_CUSTOMER: &str = "partnerdesk-test";

/// Calls a partner's URL for `event` once, now, with sample values (no
/// outbox row, nothing stored): whether the partner's tracker answers.
#[tracing::instrument(name = "postbacks_out::send_test", skip_all, fields(user = %ctx.actor.user))]
pub async fn send_test(ctx: &Context, partner_id: &str, event: &str) -> Result<PostbackTestView> {
    ctx.authorize(&access::LINK_EDIT).await?;
    let event = OutEvent::parse("event", event)?;
    let target = {
        let mut tx = ctx.store.read().await?;
        let Some(partner) = tx.partner(partner_id).await? else {
            return Err(AppError::NotFound {
                what: "partner",
                id: partner_id.to_string(),
            });
        };
        tx.partner_postbacks(partner_id)
            .await?
            .into_iter()
            .find(|r| r.event == event.as_str())
            .map(|r| (r, partner.currency.to_string()))
    };
    let Some((target, currency)) = target else {
        return Err(AppError::NotFound {
            what: "partner postback URL",
            id: format!("{partner_id} {}", event.as_str()),
        });
    };
    let (amount, currency) = if target.send_amount {
        (Some("10.00"), Some(currency.as_str()))
    } else {
        (None, None)
    };
    let url = fill_out(
        &target.url_template,
        &OutFill {
            click_id: Some("00000000-0000-4000-8000-000000000000"),
            subs: [Some("test"), None, None, None, None],
            customer_id: TEST_CUSTOMER,
            event: event.as_str(),
            code: Some("test"),
            amount,
            currency,
        },
    );
    let client = super::postbacks_out::client()?;
    let (status_code, error) = match client
        .get(&url)
        .timeout(Duration::from_secs(10))
        .send()
        .await
    {
        Ok(r) if r.status().is_success() => (Some(r.status().as_u16()), None),
        Ok(r) => (
            Some(r.status().as_u16()),
            Some(format!("the partner's tracker answered {}", r.status())),
        ),
        Err(e) => (None, Some(e.without_url().to_string())),
    };
    Ok(PostbackTestView {
        url,
        status_code,
        error,
    })
}
