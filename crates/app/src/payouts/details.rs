//! How partners are paid: payment details as they are (changing them goes
//! through four eyes, `details_change.rs`), payout thresholds per currency,
//! a partner's hold and minimum, and the operator's own account for the
//! SEPA file.

use super::*;
use crate::ledger::money;
use crate::{AppError, Context, Result};
use partnerdesk_domain::money::parse_non_negative;
use partnerdesk_domain::payment::{Bic, Iban};
use partnerdesk_domain::CurrencyCode;
use partnerdesk_store::payouts::{
    set_partner_settings, set_threshold as store_set_threshold, DetailsRecord,
};
use partnerdesk_store::{StoreError, Tx};
use serde::{Deserialize, Serialize};
use specta::Type;

pub(super) fn details_view(d: &DetailsRecord) -> PaymentDetailsView {
    PaymentDetailsView {
        partner_id: d.partner_id.clone(),
        method: d.method.clone(),
        holder: d.holder.clone(),
        account: d.account.clone(),
        bic: d.bic.clone(),
        updated_at: d.updated_at.clone(),
        updated_by: d.updated_by.clone(),
    }
}

pub(super) async fn require_partner(
    tx: &mut Tx<'_>,
    partner_id: &str,
) -> Result<partnerdesk_store::partners::PartnerRecord> {
    tx.partner(partner_id)
        .await?
        .ok_or_else(|| AppError::NotFound {
            what: "partner",
            id: partner_id.into(),
        })
}

#[tracing::instrument(name = "payouts::payment_details", skip_all, fields(user = %ctx.actor.user))]
pub async fn payment_details(
    ctx: &Context,
    partner_id: &str,
) -> Result<Option<PaymentDetailsView>> {
    ctx.authorize(&crate::access::READ).await?;
    Ok(ctx
        .store
        .read()
        .await?
        .payment_details()
        .await?
        .get(partner_id)
        .map(details_view))
}

/// Sets (or with None removes) the minimum payout of a currency.
#[tracing::instrument(name = "payouts::set_threshold", skip_all, fields(user = %ctx.actor.user))]
pub async fn set_threshold(ctx: &Context, currency: &str, amount: Option<&str>) -> Result<()> {
    ctx.authorize(&crate::access::PAYOUT_SETTINGS).await?;
    let c = CurrencyCode::parse("currency", currency.trim())?;
    let a = amount
        .map(|a| parse_non_negative("amount", a.trim()))
        .transpose()?;
    let now = ctx.now();
    let mut tx = ctx.store.begin().await?;
    store_set_threshold(&mut tx, c.as_str(), a).await?;
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "payout.threshold.set",
        "currency",
        c.as_str(),
        None,
        a.map(money).as_deref(),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

#[tracing::instrument(name = "payouts::thresholds", skip_all, fields(user = %ctx.actor.user))]
pub async fn thresholds(ctx: &Context) -> Result<Vec<(CurrencyCode, String)>> {
    ctx.authorize(&crate::access::READ).await?;
    Ok(ctx
        .store
        .read()
        .await?
        .payout_thresholds()
        .await?
        .into_iter()
        .map(|(c, a)| (c, money(a)))
        .collect())
}

/// A partner's own threshold and compliance hold (None clears each).
#[tracing::instrument(name = "payouts::set_partner_payout", skip_all, fields(user = %ctx.actor.user))]
pub async fn set_partner_payout(
    ctx: &Context,
    partner_id: &str,
    threshold: Option<&str>,
    hold_reason: Option<&str>,
) -> Result<()> {
    ctx.authorize(&crate::access::PAYOUT_HOLD).await?;
    let t = threshold
        .map(|a| parse_non_negative("threshold", a.trim()))
        .transpose()?;
    let hold = hold_reason.map(str::trim).filter(|h| !h.is_empty());
    let now = ctx.now();
    let mut tx = ctx.store.begin().await?;
    require_partner(&mut tx, partner_id).await?;
    set_partner_settings(&mut tx, partner_id, t, hold, &now, &ctx.actor.user).await?;
    let after = serde_json::json!({"threshold": t.map(money), "hold_reason": hold}).to_string();
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "payout.partner.set",
        "partner",
        partner_id,
        None,
        Some(&after),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// A partner's own minimum payout and compliance hold (None: not set).
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct PartnerPayoutView {
    pub partner_id: String,
    pub threshold: Option<String>,
    pub hold_reason: Option<String>,
}

#[tracing::instrument(name = "payouts::partner_payout", skip_all, fields(user = %ctx.actor.user))]
pub async fn partner_payout(ctx: &Context, partner_id: &str) -> Result<PartnerPayoutView> {
    ctx.authorize(&crate::access::READ).await?;
    let mut tx = ctx.store.read().await?;
    require_partner(&mut tx, partner_id).await?;
    let p = tx.payees().await?.remove(partner_id);
    Ok(PartnerPayoutView {
        partner_id: partner_id.into(),
        threshold: p.as_ref().and_then(|p| p.threshold).map(money),
        hold_reason: p.and_then(|p| p.hold_reason),
    })
}

pub(super) const OPERATOR_NAME: &str = "operator.name";
pub(super) const OPERATOR_IBAN: &str = "operator.iban";
pub(super) const OPERATOR_BIC: &str = "operator.bic";

/// The operator's own bank account, debited by the SEPA file.
#[tracing::instrument(name = "payouts::set_operator_account", skip_all, fields(user = %ctx.actor.user))]
pub async fn set_operator_account(
    ctx: &Context,
    name: &str,
    iban: &str,
    bic: Option<&str>,
) -> Result<OperatorAccount> {
    ctx.authorize(&crate::access::PAYOUT_SETTINGS).await?;
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid(
            "name",
            "must not be empty: the operator's name as the bank knows it",
        ));
    }
    let iban = Iban::parse("iban", iban)?;
    let bic = bic
        .filter(|b| !b.trim().is_empty())
        .map(|b| Bic::parse("bic", b))
        .transpose()?;
    let now = ctx.now();
    let mut tx = ctx.store.begin().await?;
    partnerdesk_store::meta_set(&mut tx, OPERATOR_NAME, name).await?;
    partnerdesk_store::meta_set(&mut tx, OPERATOR_IBAN, iban.as_str()).await?;
    partnerdesk_store::meta_set(
        &mut tx,
        OPERATOR_BIC,
        bic.as_ref().map(|b| b.as_str()).unwrap_or(""),
    )
    .await?;
    let v = OperatorAccount {
        name: name.into(),
        iban: iban.as_str().into(),
        bic: bic.map(|b| b.as_str().to_string()),
    };
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "payout.operator_account.set",
        "operator",
        "account",
        None,
        Some(&serde_json::to_string(&v).unwrap_or_default()),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(v)
}

#[tracing::instrument(name = "payouts::operator_account", skip_all, fields(user = %ctx.actor.user))]
pub async fn operator_account(ctx: &Context) -> Result<Option<OperatorAccount>> {
    ctx.authorize(&crate::access::READ).await?;
    stored_operator_account(&mut ctx.store.read().await?).await
}

pub(super) async fn stored_operator_account(tx: &mut Tx<'_>) -> Result<Option<OperatorAccount>> {
    match (
        tx.meta_get(OPERATOR_NAME).await?,
        tx.meta_get(OPERATOR_IBAN).await?,
    ) {
        (Some(name), Some(iban)) => Ok(Some(OperatorAccount {
            name,
            iban,
            bic: tx.meta_get(OPERATOR_BIC).await?.filter(|b| !b.is_empty()),
        })),
        _ => Ok(None),
    }
}
