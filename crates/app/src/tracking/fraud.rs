//! Fraud signals (issue 29), flagged for compliance to review; a flag
//! never changes money by itself (excluding a customer stays compliance's
//! own decision, `customer.status.set`).
//!
//! - **Click floods**: one visitor hash with more than the setting's
//!   clicks on one link within the last hour, found by [`scan_click_floods`]
//!   (the server runs it every minute), one flag per link, visitor and day.
//! - **No click**: a registration postback without a click id for a
//!   partner marked link-only ([`set_link_only`]).
//! - **Self-referral**: a registration whose e-mail or payment details are
//!   the partner's own, when the platform sends them.
//!
//! The last two are raised in the transaction of the registration's group.

use crate::{access, AppError, Context, Result};
use chrono::{DateTime, Utc};
use partnerdesk_store::fraud::{self as store, NewFlag};
use partnerdesk_store::postbacks_group::PartnerFacts;
use partnerdesk_store::{Store, StoreError, Tx};
use serde::{Deserialize, Serialize};
use specta::Type;

const FLOOD_KEY: &str = "fraud.click_flood_per_hour";
/// Clicks of one visitor on one link in an hour before it is a flood.
pub const FLOOD_DEFAULT: u32 = 30;

/// A flag as compliance sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct FraudFlagView {
    pub id: i64,
    /// click_flood, no_click or self_referral
    pub kind: String,
    pub partner_id: Option<String>,
    pub brand_id: Option<String>,
    /// The visitor hash or the customer id.
    pub subject: String,
    pub reason: String,
    /// open, dismissed or confirmed
    pub state: String,
    pub created_at: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub note: Option<String>,
}

fn view(r: store::FlagRow) -> FraudFlagView {
    FraudFlagView {
        id: r.id,
        kind: r.kind,
        partner_id: r.partner_id,
        brand_id: r.brand_id,
        subject: r.subject,
        reason: r.reason,
        state: r.state,
        created_at: r.created_at,
        reviewed_by: r.reviewed_by,
        reviewed_at: r.reviewed_at,
        note: r.note,
    }
}

async fn flood_limit(tx: &mut Tx<'_>) -> Result<u32> {
    Ok(tx
        .meta_get(FLOOD_KEY)
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(FLOOD_DEFAULT))
}

/// Clicks of one visitor on one link in an hour beyond which it is flagged.
#[tracing::instrument(name = "fraud::flood_setting", skip_all, fields(user = %ctx.actor.user))]
pub async fn flood_setting(ctx: &Context) -> Result<u32> {
    ctx.authorize(&access::READ).await?;
    flood_limit(&mut ctx.store.read().await?).await
}

#[tracing::instrument(name = "fraud::set_flood_setting", skip_all, fields(user = %ctx.actor.user))]
pub async fn set_flood_setting(ctx: &Context, clicks_per_hour: u32) -> Result<u32> {
    ctx.authorize(&access::TRACKING_SETTINGS).await?;
    if !(1..=100_000).contains(&clicks_per_hour) {
        return Err(AppError::invalid(
            "clicks_per_hour",
            "a click flood is 1 to 100000 clicks of one visitor on one link in an hour",
        ));
    }
    let now = ctx.now();
    let mut tx = ctx.store.begin().await?;
    let before = flood_limit(&mut tx).await?;
    partnerdesk_store::meta_set(&mut tx, FLOOD_KEY, &clicks_per_hour.to_string()).await?;
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "fraud.settings",
        "settings",
        "fraud",
        Some(format!("{{\"click_flood_per_hour\":{before}}}").as_str()),
        Some(format!("{{\"click_flood_per_hour\":{clicks_per_hour}}}").as_str()),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(clicks_per_hour)
}

/// Marks a partner link-only (its registrations must come with a click) or not.
#[tracing::instrument(name = "fraud::set_link_only", skip_all, fields(user = %ctx.actor.user))]
pub async fn set_link_only(ctx: &Context, partner_id: &str, on: bool) -> Result<()> {
    ctx.authorize(&access::LINK_EDIT).await?;
    let now = ctx.now();
    let mut tx = ctx.store.begin().await?;
    if tx.partner(partner_id).await?.is_none() {
        return Err(AppError::NotFound {
            what: "partner",
            id: partner_id.to_string(),
        });
    }
    let before = tx.is_link_only(partner_id).await?;
    store::set_link_only(&mut tx, partner_id, on, &now).await?;
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "partner.link_only",
        "partner",
        partner_id,
        Some(format!("{{\"link_only\":{before}}}").as_str()),
        Some(format!("{{\"link_only\":{on}}}").as_str()),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// Flags (`open`, `dismissed`, `confirmed`, or all), newest first.
#[tracing::instrument(name = "fraud::flags", skip_all, fields(user = %ctx.actor.user))]
pub async fn flags(ctx: &Context, state: Option<&str>, limit: u32) -> Result<Vec<FraudFlagView>> {
    ctx.authorize(&access::READ).await?;
    if let Some(s) = state {
        if !["open", "dismissed", "confirmed"].contains(&s) {
            return Err(AppError::invalid(
                "state",
                "a flag's state is open, dismissed or confirmed",
            ));
        }
    }
    let mut tx = ctx.store.read().await?;
    Ok(tx
        .fraud_flags(state, i64::from(limit))
        .await?
        .into_iter()
        .map(view)
        .collect())
}

/// Which flags to list: a state and a kind (None: any), a page of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct FlagQuery {
    /// open, dismissed or confirmed
    pub state: Option<String>,
    /// click_flood, no_click or self_referral
    pub kind: Option<String>,
    pub offset: u32,
    /// At most 1000.
    pub limit: u32,
}

/// A page of flags, newest first, and how many match in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct FlagPage {
    pub total: i64,
    pub rows: Vec<FraudFlagView>,
}

/// The flag kinds there are.
pub const KINDS: [&str; 3] = ["click_flood", "no_click", "self_referral"];

/// A page of flags matching `q`, newest first (the compliance screen).
#[tracing::instrument(name = "fraud::flag_page", skip_all, fields(user = %ctx.actor.user))]
pub async fn flag_page(ctx: &Context, q: &FlagQuery) -> Result<FlagPage> {
    ctx.authorize(&access::READ).await?;
    let state = q.state.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let kind = q.kind.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if state.is_some_and(|s| !["open", "dismissed", "confirmed"].contains(&s)) {
        return Err(AppError::invalid(
            "state",
            "a flag's state is open, dismissed or confirmed",
        ));
    }
    if kind.is_some_and(|k| !KINDS.contains(&k)) {
        return Err(AppError::invalid(
            "kind",
            "a flag's kind is click_flood, no_click or self_referral",
        ));
    }
    let mut tx = ctx.store.read().await?;
    let (total, rows) = tx
        .fraud_flag_page(state, kind, i64::from(q.offset), i64::from(q.limit))
        .await?;
    Ok(FlagPage {
        total,
        rows: rows.into_iter().map(view).collect(),
    })
}

/// Confirms (`confirm: true`) or dismisses an open flag, with a note; audited.
#[tracing::instrument(name = "fraud::review", skip_all, fields(user = %ctx.actor.user))]
pub async fn review(
    ctx: &Context,
    id: i64,
    confirm: bool,
    note: Option<&str>,
) -> Result<FraudFlagView> {
    ctx.authorize(&access::FRAUD_FLAG_REVIEW).await?;
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    if let Some(n) = note {
        partnerdesk_domain::limits::check_text("note", n, 10_000)?;
    }
    let now = ctx.now();
    let mut tx = ctx.store.begin().await?;
    let Some(before) = tx.fraud_flag(id).await? else {
        return Err(AppError::NotFound {
            what: "fraud flag",
            id: id.to_string(),
        });
    };
    let state = if confirm { "confirmed" } else { "dismissed" };
    if !store::review(&mut tx, id, state, &ctx.actor.user, note, &now).await? {
        return Err(AppError::Refused(format!(
            "flag {id} was reviewed already ({})",
            before.state
        )));
    }
    let after = tx.fraud_flag(id).await?.map(view);
    let before = view(before);
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        if confirm {
            "fraud.flag.confirm"
        } else {
            "fraud.flag.dismiss"
        },
        "fraud_flag",
        &id.to_string(),
        serde_json::to_string(&before).ok().as_deref(),
        after
            .as_ref()
            .and_then(|a| serde_json::to_string(a).ok())
            .as_deref(),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    after.ok_or_else(|| AppError::NotFound {
        what: "fraud flag",
        id: id.to_string(),
    })
}

/// Flags every visitor with more clicks on one link within the hour
/// before `now` than the setting allows (one flag per link, visitor and
/// day); answers how many flags are new. The server's own work: no role.
#[tracing::instrument(name = "fraud::scan_click_floods", skip_all)]
pub async fn scan_click_floods(store: &Store, now: DateTime<Utc>) -> Result<u32> {
    let since = now - chrono::Duration::hours(1);
    // Read first: most scans find nothing and need no write lock.
    let (limit, floods) = {
        let mut tx = store.read().await?;
        let limit = flood_limit(&mut tx).await?;
        let floods = tx
            .click_floods(
                &since.date_naive().format("%Y-%m-%d").to_string(),
                &partnerdesk_domain::data::time_to_text(&since),
                i64::from(limit),
            )
            .await?;
        (limit, floods)
    };
    if floods.is_empty() {
        return Ok(0);
    }
    let mut tx = store.begin().await?;
    let stamp = partnerdesk_domain::data::time_to_text(&now);
    let mut new = 0;
    for f in floods {
        let partner = tx
            .tracking_code(&f.brand_id, &f.code)
            .await?
            .map(|t| t.partner_id);
        let raised = store::raise(
            &mut tx,
            &NewFlag {
                kind: "click_flood",
                key: format!("click_flood:{}:{}:{}", f.link_path, f.visitor, f.day),
                partner_id: partner,
                brand_id: Some(f.brand_id.clone()),
                subject: f.visitor.clone(),
                reason: format!(
                    "{} human clicks of one visitor on link /{} within the hour before {stamp} (more than {limit})",
                    f.clicks, f.link_path
                ),
            },
            &stamp,
        )
        .await?;
        new += u32::from(raised);
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(new)
}

/// A registration as the fraud checks see it.
pub(crate) struct Registration<'a> {
    pub brand_id: &'a str,
    pub customer_id: &'a str,
    pub code: &'a str,
    pub had_click: bool,
    pub email: Option<&'a str>,
    pub payment_details: Option<&'a str>,
}

/// Payment details compared without spaces, dashes or letter case (an
/// IBAN is written in groups).
fn account_form(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

/// The no-click and self-referral flags of a registration with a code of
/// `partner_id` (what the partner's `facts` say), raised in the
/// registration's group (`super::postbacks_group`); a stored flag's key is
/// not raised twice.
pub(crate) fn registration_flags(
    r: &Registration<'_>,
    partner_id: &str,
    facts: &PartnerFacts,
) -> Vec<NewFlag> {
    let flag = |kind: &'static str, reason: String| NewFlag {
        kind,
        key: format!("{kind}:{}:{}", r.brand_id, r.customer_id),
        partner_id: Some(partner_id.to_string()),
        brand_id: Some(r.brand_id.to_string()),
        subject: r.customer_id.to_string(),
        reason,
    };
    let mut flags = Vec::new();
    if !r.had_click && facts.link_only {
        flags.push(flag(
            "no_click",
            format!(
                "customer '{}' registered with code '{}' without a click, and partner '{partner_id}' is link-only",
                r.customer_id, r.code
            ),
        ));
    }
    let mut same = Vec::new();
    if let (Some(e), Some(p)) = (r.email, facts.email.as_deref()) {
        if e.trim().eq_ignore_ascii_case(p.trim()) {
            same.push("e-mail");
        }
    }
    if let (Some(d), Some(account)) = (r.payment_details, facts.payment_account.as_deref()) {
        if !account.trim().is_empty() && account_form(d) == account_form(account) {
            same.push("payment details");
        }
    }
    if !same.is_empty() {
        flags.push(flag(
            "self_referral",
            format!(
                "customer '{}' has the {} of its partner '{partner_id}'",
                r.customer_id,
                same.join(" and ")
            ),
        ));
    }
    flags
}
