//! Postbacks out: a partner's own tracker is told of its customers'
//! registrations, FTDs, qualified CPAs and purchases by a GET to the URL
//! the partner gave for that event, its macros filled in.
//!
//! A postback is queued in an outbox in the transaction that records its
//! event (`super::postbacks_group` for postbacks in, `super::postbacks_found`
//! for imports, syncs and runs), and sent later by [`send_due`] (the server's sender
//! task, or `partnerdesk links send-postbacks` for one pass): never on a
//! redirect's or an import's path. A failed attempt is tried again after a
//! pause that doubles each time, up to the options' attempts; every attempt
//! is logged per partner with its status code or error. A row is claimed
//! by one sender at a time (`partnerdesk_store::postbacks_out::claim_due`),
//! so two server instances never send one postback twice; a claim whose
//! sender died runs out and the row is sent by another.

use crate::{access, AppError, Context, Result};
use chrono::NaiveDate;
use chrono::Utc;
use partnerdesk_domain::engine::FxTable;
use partnerdesk_domain::money::round_cents;
use partnerdesk_domain::postback::{check_out_url, OutEvent};
use partnerdesk_domain::CurrencyCode;
use partnerdesk_store::postbacks_out::{self as po, PartnerPostbackRow, SendRow};
use partnerdesk_store::{Store, StoreError, Tx};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use specta::Type;
use std::str::FromStr;
use std::time::Duration;

/// A partner's URL for one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct PartnerPostbackView {
    pub partner_id: String,
    /// registration, ftd, qualified_cpa or purchase
    pub event: String,
    /// Macros: {click_id} {sub1}..{sub5} {customer_id} {event} {code} {amount} {currency}
    pub url: String,
    /// Whether {amount} and {currency} are filled (else left empty).
    pub send_amount: bool,
}

/// A queued postback and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct OutboxView {
    pub id: i64,
    pub partner_id: String,
    pub event: String,
    pub url: String,
    /// pending, sending, sent or failed
    pub state: String,
    pub attempts: u32,
    pub next_at: String,
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: String,
}

/// One attempt to send a postback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct PostbackSendView {
    pub outbox_id: i64,
    pub partner_id: String,
    pub at: String,
    pub attempt: u32,
    /// The partner's answer; none when it could not be reached.
    pub status_code: Option<u16>,
    pub error: Option<String>,
}

fn view(r: PartnerPostbackRow) -> PartnerPostbackView {
    PartnerPostbackView {
        partner_id: r.partner_id,
        event: r.event,
        url: r.url_template,
        send_amount: r.send_amount,
    }
}

async fn known_partner(tx: &mut Tx<'_>, partner_id: &str) -> Result<()> {
    if tx.partner(partner_id).await?.is_none() {
        return Err(AppError::NotFound {
            what: "partner",
            id: partner_id.to_string(),
        });
    }
    Ok(())
}

/// A partner's postback URLs.
#[tracing::instrument(name = "postbacks_out::urls", skip_all, fields(user = %ctx.actor.user))]
pub async fn urls(ctx: &Context, partner_id: &str) -> Result<Vec<PartnerPostbackView>> {
    ctx.authorize(&access::READ).await?;
    let mut tx = ctx.store.read().await?;
    known_partner(&mut tx, partner_id).await?;
    Ok(tx
        .partner_postbacks(partner_id)
        .await?
        .into_iter()
        .map(view)
        .collect())
}

/// Sets a partner's URL for an event (`send_amount`: whether the partner
/// may see amounts).
#[tracing::instrument(name = "postbacks_out::set_url", skip_all, fields(user = %ctx.actor.user))]
pub async fn set_url(
    ctx: &Context,
    partner_id: &str,
    event: &str,
    url: &str,
    send_amount: bool,
) -> Result<PartnerPostbackView> {
    ctx.authorize(&access::LINK_EDIT).await?;
    let event = OutEvent::parse("event", event)?;
    let url = url.trim();
    check_out_url("url", url)?;
    // Whether a partner sees amounts is the operator's to decide (issue 29):
    // a manager edits the URL, only an admin allows or withholds amounts.
    let allowed = {
        let mut read = ctx.store.read().await?;
        known_partner(&mut read, partner_id).await?;
        read.partner_postbacks(partner_id)
            .await?
            .into_iter()
            .any(|r| r.event == event.as_str() && r.send_amount)
    };
    if send_amount != allowed {
        ctx.authorize(&access::TRACKING_SETTINGS).await?;
    }
    let now = ctx.now();
    let mut tx = ctx.store.begin().await?;
    known_partner(&mut tx, partner_id).await?;
    let before = tx
        .partner_postbacks(partner_id)
        .await?
        .into_iter()
        .find(|r| r.event == event.as_str())
        .map(view);

    let row = PartnerPostbackRow {
        partner_id: partner_id.to_string(),
        event: event.as_str().to_string(),
        url_template: url.to_string(),
        send_amount,
    };
    po::set_partner_postback(&mut tx, &row, &now).await?;
    let after = view(row);
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "partner.postback.set",
        "partner",
        partner_id,
        before
            .as_ref()
            .and_then(|b| serde_json::to_string(b).ok())
            .as_deref(),
        serde_json::to_string(&after).ok().as_deref(),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(after)
}

/// Removes a partner's URL for an event (queued postbacks stay).
#[tracing::instrument(name = "postbacks_out::delete_url", skip_all, fields(user = %ctx.actor.user))]
pub async fn delete_url(ctx: &Context, partner_id: &str, event: &str) -> Result<()> {
    ctx.authorize(&access::LINK_EDIT).await?;
    let event = OutEvent::parse("event", event)?;
    let now = ctx.now();
    let mut tx = ctx.store.begin().await?;
    let before = tx
        .partner_postbacks(partner_id)
        .await?
        .into_iter()
        .find(|r| r.event == event.as_str())
        .map(view)
        .ok_or_else(|| AppError::NotFound {
            what: "partner postback URL",
            id: format!("{partner_id} {}", event.as_str()),
        })?;
    po::delete_partner_postback(&mut tx, partner_id, event.as_str()).await?;
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "partner.postback.delete",
        "partner",
        partner_id,
        serde_json::to_string(&before).ok().as_deref(),
        None,
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// The outbox (of one partner), newest first.
#[tracing::instrument(name = "postbacks_out::outbox", skip_all, fields(user = %ctx.actor.user))]
pub async fn outbox(
    ctx: &Context,
    partner_id: Option<&str>,
    limit: u32,
) -> Result<Vec<OutboxView>> {
    ctx.authorize(&access::READ).await?;
    let mut tx = ctx.store.read().await?;
    Ok(tx
        .postback_outbox(partner_id, i64::from(limit))
        .await?
        .into_iter()
        .map(outbox_view)
        .collect())
}

pub(crate) fn outbox_view(r: po::OutboxRow) -> OutboxView {
    OutboxView {
        id: r.id,
        partner_id: r.partner_id,
        event: r.event,
        url: r.url,
        state: r.state,
        attempts: u32::try_from(r.attempts).unwrap_or(u32::MAX),
        next_at: r.next_at,
        last_error: r.last_error,
        created_at: r.created_at,
    }
}

/// Every attempt (of one partner), newest first: the log per partner.
#[tracing::instrument(name = "postbacks_out::sends", skip_all, fields(user = %ctx.actor.user))]
pub async fn sends(
    ctx: &Context,
    partner_id: Option<&str>,
    limit: u32,
) -> Result<Vec<PostbackSendView>> {
    ctx.authorize(&access::READ).await?;
    let mut tx = ctx.store.read().await?;
    Ok(tx
        .postback_sends(partner_id, i64::from(limit))
        .await?
        .into_iter()
        .map(|r| PostbackSendView {
            outbox_id: r.outbox_id,
            partner_id: r.partner_id,
            at: r.at,
            attempt: u32::try_from(r.attempt).unwrap_or(u32::MAX),
            status_code: r.status_code.and_then(|c| u16::try_from(c).ok()),
            error: r.error,
        })
        .collect())
}

/// The `{amount}` and `{currency}` of a postback out: none unless the
/// operator allows amounts for the URL; else the amount in the partner's
/// currency (issue 29), converted at the rate in force on the event's day
/// as RULES.md chooses rates (the latest of the pair or its inverse dated
/// on or before it; a tie takes the direct pair), rounded once to cents
/// half away from zero. The period's own rate (the one commissions use)
/// may not exist yet when the event happens; without any rate the amount
/// goes in the brand's currency, which `{currency}` then names. `fx` keeps
/// the rates read for a batch of postbacks (read only when one converts).
pub(crate) async fn amount_out(
    tx: &mut Tx<'_>,
    fx: &mut Option<FxTable>,
    send_amount: bool,
    amount: &str,
    brand_currency: &str,
    partner_currency: &str,
    day: &str,
) -> Result<(Option<String>, Option<String>)> {
    if !send_amount || amount.is_empty() {
        return Ok((None, None));
    }
    let same = (Some(amount.to_string()), Some(brand_currency.to_string()));
    if partner_currency.is_empty() || partner_currency == brand_currency {
        return Ok(same);
    }
    let (Ok(from), Ok(to), Ok(value), Ok(on)) = (
        CurrencyCode::parse("currency", brand_currency),
        CurrencyCode::parse("currency", partner_currency),
        Decimal::from_str(amount),
        NaiveDate::parse_from_str(day.get(..10).unwrap_or(day), "%Y-%m-%d"),
    ) else {
        return Ok(same);
    };
    if fx.is_none() {
        *fx = Some(FxTable::new(&tx.fx_rates().await?));
    }
    let Some(c) = fx.as_ref().and_then(|t| t.conversion(from, to, on)) else {
        return Ok(same);
    };
    Ok(match c.apply(value) {
        Some(v) => (
            Some(round_cents(v).to_string()),
            Some(partner_currency.to_string()),
        ),
        None => same,
    })
}

/// How postbacks are sent.
#[derive(Debug, Clone)]
pub struct SendOptions {
    /// Attempts before a postback is given up (failed).
    pub max_attempts: u32,
    /// The pause after the first failure; it doubles with each attempt (at most an hour).
    pub backoff: Duration,
    /// How long one attempt may take.
    pub timeout: Duration,
    /// How long a claimed postback is held for its sender (then another may take it).
    pub claim: Duration,
    /// Postbacks claimed at a time.
    pub batch: u32,
}

impl Default for SendOptions {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            backoff: Duration::from_secs(30),
            timeout: Duration::from_secs(10),
            claim: Duration::from_secs(120),
            batch: 50,
        }
    }
}

/// The HTTP client postbacks are sent with (redirects followed up to 3).
pub fn client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::limited(3))
        .build()
        .map_err(|e| AppError::Refused(format!("no HTTP client for postbacks: {e}")))
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SendSummary {
    pub sent: u32,
    /// Failed attempts that will be tried again.
    pub retrying: u32,
    /// Failed for the last time.
    pub failed: u32,
}

/// The pause before attempt `attempt + 1`: `backoff × 2^(attempt − 1)`, at most an hour.
fn pause(o: &SendOptions, attempt: i64) -> Duration {
    let doublings = u32::try_from(attempt.saturating_sub(1))
        .unwrap_or(0)
        .min(20);
    o.backoff
        .saturating_mul(1u32 << doublings)
        .min(Duration::from_secs(3600))
}

/// Sends the postbacks due now (one claim of up to `batch`), each with
/// one attempt, and records what happened. The server's sender calls it
/// in a loop; an `Err` is the database failing (claimed rows are taken
/// again once their claim runs out).
#[tracing::instrument(name = "postbacks_out::send_due", skip_all)]
pub async fn send_due(
    store: &Store,
    client: &reqwest::Client,
    o: &SendOptions,
) -> Result<SendSummary> {
    let now = Utc::now();
    let until = now + chrono::Duration::from_std(o.claim).unwrap_or(chrono::Duration::minutes(2));
    if !store.read().await?.postbacks_due(&po::stamp(&now)).await? {
        return Ok(SendSummary::default());
    }
    let mut tx = store.begin().await?;
    let claimed = po::claim_due(
        &mut tx,
        &po::stamp(&now),
        &po::stamp(&until),
        i64::from(o.batch),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    let mut summary = SendSummary::default();
    for c in claimed {
        let (status_code, error) = match client.get(&c.url).timeout(o.timeout).send().await {
            Ok(r) if r.status().is_success() => (Some(i64::from(r.status().as_u16())), None),
            Ok(r) => (
                Some(i64::from(r.status().as_u16())),
                Some(format!("the partner's tracker answered {}", r.status())),
            ),
            // Without the URL: it may carry the partner's own token.
            Err(e) => (None, Some(e.without_url().to_string())),
        };
        let at = Utc::now();
        let (state, next_at) = if error.is_none() {
            summary.sent += 1;
            ("sent", at)
        } else if c.attempt >= i64::from(o.max_attempts) {
            summary.failed += 1;
            ("failed", at)
        } else {
            summary.retrying += 1;
            let p = chrono::Duration::from_std(pause(o, c.attempt))
                .unwrap_or(chrono::Duration::hours(1));
            ("pending", at + p)
        };
        let mut tx = store.begin().await?;
        if po::finish(
            &mut tx,
            c.id,
            c.attempt,
            state,
            &po::stamp(&next_at),
            error.as_deref(),
        )
        .await?
        {
            po::log_send(
                &mut tx,
                &SendRow {
                    outbox_id: c.id,
                    partner_id: c.partner_id.clone(),
                    at: po::stamp(&at),
                    attempt: c.attempt,
                    status_code,
                    error: error.clone(),
                },
            )
            .await?;
        } else {
            // Our claim ran out and another sender took the row: its attempt counts.
            tracing::warn!(
                outbox = c.id,
                "a postback's claim ran out before its attempt ended"
            );
        }
        tx.commit().await.map_err(StoreError::from)?;
        if let Some(e) = &error {
            tracing::info!(outbox = c.id, partner = %c.partner_id, attempt = c.attempt, state, error = %e, "postback not delivered");
        }
    }
    Ok(summary)
}
