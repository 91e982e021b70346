//! Changing how a partner is paid, with four eyes: a finance user asks, the
//! current details stay in force, and another finance user's approval puts
//! the new ones in force (in the decision's transaction, only if the partner
//! was not edited meanwhile). Every change waits, the first details of a
//! partner too; in single-user mode (no users) it applies at once, like the
//! other changes that move no money themselves. The log and the queue's
//! summary show accounts by their last four characters only.

use super::details::{details_view, require_partner};
use crate::approvals::{self, ChangeOutcome, Request};
use crate::change::{Applied, Apply, Change, Kind, PaymentDetailsChange};
use crate::{AppError, Context, Result};
use partnerdesk_domain::payment::{masked, PaymentDetails, PaymentMethod};
use partnerdesk_store::payouts::{set_payment_details as store_set_details, DetailsRecord};
use partnerdesk_store::{StoreError, Tx};
use serde::{Deserialize, Serialize};
use specta::Type;

/// Asks to set how a partner is paid (IBAN and BIC are checked first): with
/// users, the change waits for another finance user (`awaiting_approval`,
/// the request in `approval`) and the current details stay in force; in
/// single-user mode it is made at once (`done`). The same details again
/// change nothing.
#[tracing::instrument(name = "payouts::set_payment_details", skip_all, fields(user = %ctx.actor.user))]
pub async fn set_payment_details(
    ctx: &Context,
    partner_id: &str,
    method: &str,
    holder: &str,
    account: &str,
    bic: Option<&str>,
) -> Result<ChangeOutcome> {
    ctx.authorize(&crate::access::PAYMENT_DETAILS_SET).await?;
    let d = PaymentDetails::parse(method, holder, account, bic)?;
    let (holder, account, bic) = d.fields();
    let mut tx = ctx.store.begin().await?;
    let partner = require_partner(&mut tx, partner_id).await?;
    let before = tx.payment_details().await?.remove(partner_id);
    let change = PaymentDetailsChange {
        partner_id: partner_id.into(),
        method: d.method(),
        holder,
        account,
        bic,
        row_version: partner.row_version,
    };
    if before.as_ref().is_some_and(|b| same_details(b, &change)) {
        return Ok(ChangeOutcome::done(format!(
            "the payment details of {partner_id} are already these; nothing changed"
        )));
    }
    let summary = format!(
        "payment details of {partner_id}: {} → {}",
        before
            .as_ref()
            .map(|b| described(b.method, &b.holder, &b.account, b.bic.as_deref()))
            .unwrap_or_else(|| "none".into()),
        described(
            change.method,
            &change.holder,
            &change.account,
            change.bic.as_deref()
        ),
    );
    if let Some(id) = approvals::queue(
        ctx,
        &mut tx,
        Request {
            change: Change::PaymentDetails(change.clone()),
            object_type: "partner",
            object_id: partner_id,
            summary: summary.clone(),
            amount: None,
            object_maker: None,
        },
    )
    .await?
    {
        tx.commit().await.map_err(StoreError::from)?;
        let approval = approvals::queued(ctx, id).await?;
        return Ok(ChangeOutcome {
            message: format!(
                "queued for approval as request #{id}; the new details take effect when another {} approves (the current ones stay in force until then)",
                approvals::policy(Kind::PaymentDetails).checker_words()
            ),
            ..ChangeOutcome::awaiting(approval)
        });
    }
    write_details(ctx, &mut tx, &change, None).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(ChangeOutcome::done(summary))
}

/// Another finance user approved: the details are put in force, unless the
/// partner was edited since the change was asked for (then the approval
/// fails with the stale-edit message and changes nothing; the request stays
/// pending until someone rejects it, and the maker asks again).
impl Apply for PaymentDetailsChange {
    async fn apply(&self, ctx: &Context, tx: &mut Tx<'_>, on: &Applied<'_>) -> Result<()> {
        let partner = tx
            .partner_to_change(&self.partner_id)
            .await?
            .ok_or_else(|| AppError::NotFound {
                what: "partner",
                id: self.partner_id.clone(),
            })?;
        if partner.row_version != self.row_version {
            return Err(StoreError::Stale {
                what: "partner",
                id: self.partner_id.clone(),
                by: partner.updated_by,
                at: partner.updated_at,
            }
            .into());
        }
        write_details(ctx, tx, self, Some(on)).await
    }
}

/// Writes the details and their audit entry (accounts masked), naming the
/// request they were approved on.
async fn write_details(
    ctx: &Context,
    tx: &mut Tx<'_>,
    change: &PaymentDetailsChange,
    applied: Option<&Applied<'_>>,
) -> Result<()> {
    let before = tx.payment_details().await?.remove(&change.partner_id);
    let now = ctx.now();
    let rec = DetailsRecord {
        partner_id: change.partner_id.clone(),
        method: change.method,
        holder: change.holder.clone(),
        account: change.account.clone(),
        bic: change.bic.clone(),
        updated_at: now.clone(),
        updated_by: ctx.actor.user.clone(),
    };
    store_set_details(tx, &rec).await?;
    let mut after = for_the_log(&rec);
    after["approval"] = approvals::applied_note(applied);
    partnerdesk_store::audit(
        tx,
        &now,
        &ctx.actor.user,
        "payment_details.set",
        "partner",
        &change.partner_id,
        before
            .as_ref()
            .map(|b| for_the_log(b).to_string())
            .as_deref(),
        Some(&after.to_string()),
    )
    .await?;
    Ok(())
}

/// Details as the audit log keeps them: the account by its last four
/// characters.
fn for_the_log(d: &DetailsRecord) -> serde_json::Value {
    let mut v = details_view(d);
    v.account = masked(&v.account);
    serde_json::to_value(v).unwrap_or_default()
}

fn same_details(d: &DetailsRecord, c: &PaymentDetailsChange) -> bool {
    d.method == c.method && d.holder == c.holder && d.account == c.account && d.bic == c.bic
}

/// Details in a few words, the account masked: "bank transfer, Zoë Müller,
/// IBAN ••••3000, BIC COBADEFFXXX".
fn described(method: PaymentMethod, holder: &str, account: &str, bic: Option<&str>) -> String {
    let account = masked(account);
    match method {
        PaymentMethod::BankTransfer => format!(
            "bank transfer, {holder}, IBAN {account}{}",
            bic.map(|b| format!(", BIC {b}")).unwrap_or_default()
        ),
        PaymentMethod::EWallet => format!("e-wallet {holder} {account}"),
        PaymentMethod::Crypto => format!("crypto {holder} {account}"),
    }
}

/// A change of a partner's payment details waiting for approval: who asked,
/// when, and the details it would put in force (in full: the approver
/// compares them with what the partner sent).
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct PendingPaymentDetails {
    pub approval_id: i64,
    pub requested_by: String,
    pub requested_at: String,
    /// Old → new, accounts masked (as the approvals queue shows it).
    pub summary: String,
    pub method: PaymentMethod,
    pub holder: String,
    pub account: String,
    pub bic: Option<String>,
}

/// The change of `partner_id`'s payment details waiting for approval, if any.
#[tracing::instrument(name = "payouts::pending_payment_details", skip_all, fields(user = %ctx.actor.user))]
pub async fn pending_payment_details(
    ctx: &Context,
    partner_id: &str,
) -> Result<Option<PendingPaymentDetails>> {
    ctx.authorize(&crate::access::READ).await?;
    let mut tx = ctx.store.read().await?;
    let Some(id) = tx
        .pending_approval(Kind::PaymentDetails, partner_id)
        .await?
    else {
        return Ok(None);
    };
    let Some(a) = tx.approval(id).await? else {
        return Ok(None);
    };
    let Change::PaymentDetails(c) = Change::parse(a.kind, &a.payload)? else {
        return Err(
            StoreError::Corrupt(format!("request #{id} is not a payment details change")).into(),
        );
    };
    Ok(Some(PendingPaymentDetails {
        approval_id: id,
        requested_by: a.maker,
        requested_at: a.created_at,
        summary: a.summary,
        method: c.method,
        holder: c.holder,
        account: c.account,
        bic: c.bic,
    }))
}
