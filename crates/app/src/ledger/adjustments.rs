//! Manual adjustments and reversals of a partner's balance: asked for by
//! one finance user, queued for approval, posted (or marked rejected) when
//! another decides; and the list of them.

use super::*;
fn adjustment_view(a: &AdjustmentRecord) -> AdjustmentView {
    AdjustmentView {
        adjustment_id: a.adjustment_id,
        partner_id: a.partner_id.clone(),
        currency: a.currency,
        amount: money(a.amount),
        reverses: a.reverses,
        reason: a.reason.clone(),
        state: a.state,
        requested_by: a.requested_by.clone(),
        requested_at: a.requested_at.clone(),
        decided_by: a.decided_by.clone(),
        decided_at: a.decided_at.clone(),
        entry_id: a.entry_id,
    }
}

fn check_reason(reason: &str) -> Result<String> {
    let r = reason.trim();
    if r.chars().count() < 3 {
        return Err(AppError::invalid(
            "reason",
            "say why (at least 3 characters): the reason is kept with the entry for good",
        ));
    }
    Ok(r.to_string())
}

/// Asks for a manual adjustment of a partner's balance (in its currency); a
/// second finance user approves it before anything is posted.
#[tracing::instrument(name = "ledger::request_adjustment", skip_all, fields(user = %ctx.actor.user))]
pub async fn request_adjustment(
    ctx: &Context,
    partner_id: &str,
    amount: &str,
    reason: &str,
) -> Result<AdjustmentView> {
    ctx.authorize(&crate::access::LEDGER_ADJUST).await?;
    let reason = check_reason(reason)?;
    let amount = check_amount("amount", parse_decimal("amount", amount.trim())?)?;
    let mut tx = ctx.store.begin().await?;
    let partner = tx
        .partner(partner_id)
        .await?
        .ok_or_else(|| AppError::NotFound {
            what: "partner",
            id: partner_id.into(),
        })?;
    request(
        ctx,
        tx,
        partner.partner_id,
        partner.currency,
        amount,
        None,
        reason,
    )
    .await
}

/// Asks for the reversal of an entry (posted once a second user approves).
#[tracing::instrument(name = "ledger::request_reversal", skip_all, fields(user = %ctx.actor.user))]
pub async fn request_reversal(
    ctx: &Context,
    entry_id: i64,
    reason: &str,
) -> Result<AdjustmentView> {
    ctx.authorize(&crate::access::LEDGER_ADJUST).await?;
    let reason = check_reason(reason)?;
    let mut tx = ctx.store.begin().await?;
    let e = tx.ledger_entry(entry_id).await?;
    let kind = e.kind;
    if !kind.reversible() {
        return Err(AppError::Refused(format!(
            "entry {entry_id} is a {kind} entry and cannot be reversed: a payout is corrected by marking its payment failed, a reversal by a new manual adjustment"
        )));
    }
    if let Some(r) = tx
        .all_ledger_entries()
        .await?
        .iter()
        .find(|x| x.reverses == Some(entry_id))
    {
        return Err(AppError::Refused(format!(
            "entry {entry_id} was already reversed by entry {}",
            r.entry_id
        )));
    }
    if tx
        .manual_adjustments(Some(AdjustmentState::Pending))
        .await?
        .iter()
        .any(|a| a.reverses == Some(entry_id))
    {
        return Err(AppError::Refused(format!(
            "a reversal of entry {entry_id} is already waiting for approval"
        )));
    }
    request(
        ctx,
        tx,
        e.partner_id,
        e.currency,
        -e.amount,
        Some(entry_id),
        reason,
    )
    .await
}

/// Stores the request and queues it for approval, in the transaction its
/// checks were read in (`tx`), committed here.
async fn request(
    ctx: &Context,
    mut tx: Tx<'_>,
    partner_id: String,
    currency: CurrencyCode,
    amount: Decimal,
    reverses: Option<i64>,
    reason: String,
) -> Result<AdjustmentView> {
    let now = ctx.now();
    let mut a = AdjustmentRecord {
        adjustment_id: 0,
        partner_id,
        currency,
        amount,
        reverses,
        reason,
        state: AdjustmentState::Pending,
        requested_by: ctx.actor.user.clone(),
        requested_at: now.clone(),
        decided_by: None,
        decided_at: None,
        entry_id: None,
    };
    a.adjustment_id = insert_adjustment(&mut tx, &a).await?;
    let v = adjustment_view(&a);
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "ledger.adjustment.request",
        "manual_adjustment",
        &a.adjustment_id.to_string(),
        None,
        Some(&serde_json::to_string(&v).unwrap_or_default()),
    )
    .await?;
    // The request waits in the four-eyes queue, with its amount (two approvers
    // above the configured threshold).
    crate::approvals::queue(
        ctx,
        &mut tx,
        crate::approvals::Request {
            change: Change::LedgerAdjust(LedgerAdjustment {
                adjustment_id: a.adjustment_id,
            }),
            object_type: "manual_adjustment",
            object_id: &a.adjustment_id.to_string(),
            summary: format!(
                "{} of {} {} for partner {}: {}",
                if a.reverses.is_some() {
                    "reversal"
                } else {
                    "manual adjustment"
                },
                a.amount,
                a.currency,
                a.partner_id,
                a.reason
            ),
            amount: Some((a.amount.abs(), a.currency)),
            object_maker: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}

/// The second user approves (posting the entry) or rejects a pending adjustment,
/// through its request in the approvals queue (whose rules say who may: not
/// the user who asked for it).
#[tracing::instrument(name = "ledger::decide", skip_all, fields(user = %ctx.actor.user))]
pub async fn decide(
    ctx: &Context,
    adjustment_id: i64,
    approve: bool,
    reason: &str,
) -> Result<AdjustmentView> {
    ctx.authorize(&crate::access::LEDGER_ADJUST_APPROVE).await?;
    // Read to refuse early with the adjustment's own words; the decision
    // checks again in its own transaction.
    let mut tx = ctx.store.read().await?;
    let a = tx.manual_adjustment(adjustment_id).await?;
    if a.state != AdjustmentState::Pending {
        return Err(AppError::Refused(format!(
            "manual adjustment {adjustment_id} was already {} by {}",
            a.state,
            a.decided_by.as_deref().unwrap_or("someone")
        )));
    }
    let approval = tx
        .pending_approval(
            crate::change::Kind::LedgerAdjust,
            &adjustment_id.to_string(),
        )
        .await?
        .ok_or_else(|| {
            AppError::Refused(format!(
                "manual adjustment {adjustment_id} has no request in the approvals queue"
            ))
        })?;
    drop(tx);
    crate::approvals::decide(ctx, approval, approve, reason).await?;
    Ok(adjustment_view(
        &ctx.store
            .read()
            .await?
            .manual_adjustment(adjustment_id)
            .await?,
    ))
}

/// The queue's decision on a manual adjustment: approved, its entry is
/// posted; rejected, it is marked so.
impl Apply for LedgerAdjustment {
    async fn apply(&self, ctx: &Context, tx: &mut Tx<'_>, on: &Applied<'_>) -> Result<()> {
        settle_adjustment(ctx, tx, self.adjustment_id, true, on).await
    }

    async fn on_reject(&self, ctx: &Context, tx: &mut Tx<'_>, on: &Applied<'_>) -> Result<()> {
        settle_adjustment(ctx, tx, self.adjustment_id, false, on).await
    }
}

async fn settle_adjustment(
    ctx: &Context,
    tx: &mut Tx<'_>,
    adjustment_id: i64,
    approve: bool,
    on: &Applied<'_>,
) -> Result<()> {
    let a = tx.manual_adjustment(adjustment_id).await?;
    if a.state != AdjustmentState::Pending {
        return Err(AppError::Refused(format!(
            "manual adjustment {adjustment_id} was already {}",
            a.state
        )));
    }
    let now = ctx.now();
    let entry_id = if approve {
        let (kind, source) = match a.reverses {
            Some(r) => (EntryKind::Reversal, format!("reversal:{r}")),
            None => (
                EntryKind::ManualAdjustment,
                format!("manual:{adjustment_id}"),
            ),
        };
        let e = NewEntry {
            partner_id: a.partner_id.clone(),
            amount: a.amount,
            effective_date: today(ctx),
            source,
            reverses: a.reverses,
            reason: a.reason.clone(),
            ..NewEntry::of(kind, a.currency)
        };
        Some(post_entry(tx, &e, &now, &ctx.actor.user).await?)
    } else {
        None
    };
    let state = if approve {
        AdjustmentState::Approved
    } else {
        AdjustmentState::Rejected
    };
    decide_adjustment(tx, adjustment_id, state, &ctx.actor.user, &now, entry_id).await?;
    let after = AdjustmentRecord {
        state,
        decided_by: Some(ctx.actor.user.clone()),
        decided_at: Some(now.clone()),
        entry_id,
        ..a.clone()
    };
    // The decision names the request it came from.
    let mut v = serde_json::to_value(adjustment_view(&after)).unwrap_or_default();
    v["approval"] = applied_note(Some(on));
    partnerdesk_store::audit(
        tx,
        &now,
        &ctx.actor.user,
        if approve {
            "ledger.adjustment.approve"
        } else {
            "ledger.adjustment.reject"
        },
        "manual_adjustment",
        &adjustment_id.to_string(),
        Some(&serde_json::to_string(&adjustment_view(&a)).unwrap_or_default()),
        Some(&v.to_string()),
    )
    .await?;
    Ok(())
}

#[tracing::instrument(name = "ledger::adjustments", skip_all, fields(user = %ctx.actor.user))]
pub async fn adjustments(ctx: &Context, state: Option<&str>) -> Result<Vec<AdjustmentView>> {
    ctx.authorize(&crate::access::READ).await?;
    let state = state
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| AdjustmentState::parse("state", s))
        .transpose()?;
    Ok(ctx
        .store
        .read()
        .await?
        .manual_adjustments(state)
        .await?
        .iter()
        .map(adjustment_view)
        .collect())
}
