//! A run's way through four eyes: submit puts it in the approvals queue,
//! approve and reject decide it there (the queue's rules say who may), cancel
//! withdraws it; the queue's decision is applied here.

use super::*;
use crate::change::{applied_note, Applied, Apply, Change, Kind as RequestKind, PayoutRunDecision};
use crate::ledger::money;
use crate::{AppError, Context, Result};
use partnerdesk_domain::payout::{transition, RunAction, RunState};
use partnerdesk_store::payouts::{release_claims, set_run_state, ItemRecord, RunRecord};
use partnerdesk_store::{StoreError, Tx};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// What the approvals queue shows for a run: its payments and totals per
/// currency, and the largest total as the amount for the two-approver threshold.
pub(super) fn approval_request<'a>(
    object_id: &'a str,
    r: &RunRecord,
    items: &[ItemRecord],
) -> crate::approvals::Request<'a> {
    let run_id = r.run_id;
    let mut totals: BTreeMap<partnerdesk_domain::CurrencyCode, (Decimal, u32)> = BTreeMap::new();
    for i in items {
        let t = totals.entry(i.currency).or_default();
        t.0 += i.amount;
        t.1 += 1;
    }
    let largest = totals
        .iter()
        .max_by(|a, b| a.1 .0.cmp(&b.1 .0))
        .map(|(c, (a, _))| (*a, *c));
    let parts: Vec<String> = totals
        .iter()
        .map(|(c, (a, n))| {
            format!(
                "{} {c} to {n} partner{}",
                money(*a),
                if *n == 1 { "" } else { "s" }
            )
        })
        .collect();
    let what = match r.period {
        None => format!("pay date {}", r.pay_date),
        Some(p) => format!("period {p}, pay date {}", r.pay_date),
    };
    crate::approvals::Request {
        change: Change::PayoutRun(PayoutRunDecision { run_id }),
        object_type: "payout_run",
        object_id,
        summary: format!(
            "payout run {run_id} ({what}): {}",
            if parts.is_empty() {
                "no payments".to_string()
            } else {
                parts.join(", ")
            }
        ),
        amount: largest,
        // Whoever created the run does not approve it, whoever submitted it.
        object_maker: Some(r.created_by.clone()),
    }
}

/// draft → submitted (the run waits in the approvals queue), submitted → draft
/// or cancelled by its makers; approval and rejection go through the queue.
pub(super) async fn step(ctx: &Context, run_id: i64, action: RunAction) -> Result<PayoutRunDetail> {
    let mut tx = ctx.store.begin().await?;
    let (r, from) = current_state(&mut tx, run_id).await?;
    let to = transition(from, action).map_err(|e| refused(e, run_id))?;
    let stamp = match action {
        RunAction::Submit => Some("submitted"),
        _ => None,
    };
    let now = ctx.now();
    set_run_state(&mut tx, run_id, from, to, stamp, &now, &ctx.actor.user).await?;
    if to == RunState::Cancelled {
        release_claims(&mut tx, run_id).await?;
    }
    if action == RunAction::Submit {
        let items = tx.payout_items(run_id).await?;
        let object_id = run_id.to_string();
        crate::approvals::queue(ctx, &mut tx, approval_request(&object_id, &r, &items)).await?;
    }
    if from == RunState::Submitted && to == RunState::Cancelled {
        crate::approvals::withdraw(
            ctx,
            &mut tx,
            RequestKind::PayoutRun,
            &run_id.to_string(),
            "the payout run was cancelled",
        )
        .await?;
    }
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        &format!("payout.run.{}", action.verb().replace(' ', "_")),
        "payout_run",
        &run_id.to_string(),
        Some(from.as_str()),
        Some(to.as_str()),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    run_detail(ctx, run_id).await
}

/// Submits a draft run: it waits in the approvals queue for a finance user
/// other than the submitter (two above the approvals threshold).
#[tracing::instrument(name = "payouts::submit", skip_all, fields(user = %ctx.actor.user))]
pub async fn submit(ctx: &Context, run_id: i64) -> Result<PayoutRunDetail> {
    ctx.authorize(&crate::access::PAYOUT_CREATE).await?;
    step(ctx, run_id, RunAction::Submit).await
}

/// Approves (`approve`) or sends back a submitted run through its request in
/// the approvals queue, with a reason; the queue's rules say who may (not
/// the submitter, who made the request).
pub(super) async fn decide_run(
    ctx: &Context,
    run_id: i64,
    approve: bool,
    reason: &str,
) -> Result<PayoutRunDetail> {
    // Read to refuse early with the run's own words; the decision checks
    // again in its own transaction.
    let mut tx = ctx.store.read().await?;
    let (_, from) = current_state(&mut tx, run_id).await?;
    let action = if approve {
        RunAction::Approve
    } else {
        RunAction::Reject
    };
    transition(from, action).map_err(|e| refused(e, run_id))?;
    let approval = tx.pending_approval(RequestKind::PayoutRun, &run_id.to_string())
        .await?
        .ok_or_else(|| {
            AppError::Refused(format!(
                "payout run {run_id} has no request in the approvals queue; send it back to draft and submit it again"
            ))
        })?;
    drop(tx);
    crate::approvals::decide(ctx, approval, approve, reason).await?;
    run_detail(ctx, run_id).await
}

/// Approval by a finance user other than the one who submitted, with a reason.
/// Above the approvals threshold the run needs two approvers: the first
/// approval leaves it submitted.
#[tracing::instrument(name = "payouts::approve", skip_all, fields(user = %ctx.actor.user))]
pub async fn approve(ctx: &Context, run_id: i64, reason: &str) -> Result<PayoutRunDetail> {
    ctx.authorize(&crate::access::PAYOUT_APPROVE).await?;
    decide_run(ctx, run_id, true, reason).await
}

/// Sends a submitted run back to draft, with a reason.
#[tracing::instrument(name = "payouts::reject", skip_all, fields(user = %ctx.actor.user))]
pub async fn reject(ctx: &Context, run_id: i64, reason: &str) -> Result<PayoutRunDetail> {
    ctx.authorize(&crate::access::PAYOUT_APPROVE).await?;
    decide_run(ctx, run_id, false, reason).await
}

/// The approvals queue's final decision on a submitted run: approved, it may
/// be exported; rejected, it is a draft again.
impl Apply for PayoutRunDecision {
    async fn apply(&self, ctx: &Context, tx: &mut Tx<'_>, on: &Applied<'_>) -> Result<()> {
        settle_run_decision(ctx, tx, self.run_id, true, on).await
    }

    async fn on_reject(&self, ctx: &Context, tx: &mut Tx<'_>, on: &Applied<'_>) -> Result<()> {
        settle_run_decision(ctx, tx, self.run_id, false, on).await
    }
}

pub(super) async fn settle_run_decision(
    ctx: &Context,
    tx: &mut Tx<'_>,
    run_id: i64,
    approve: bool,
    on: &Applied<'_>,
) -> Result<()> {
    let (_, from) = current_state(tx, run_id).await?;
    let action = if approve {
        RunAction::Approve
    } else {
        RunAction::Reject
    };
    let to = transition(from, action).map_err(|e| refused(e, run_id))?;
    let now = ctx.now();
    set_run_state(
        tx,
        run_id,
        from,
        to,
        approve.then_some("approved"),
        &now,
        &ctx.actor.user,
    )
    .await?;
    // The decision names the request it came from (and its maker).
    let after = serde_json::json!({"state": to.as_str(), "approval": applied_note(Some(on))});
    partnerdesk_store::audit(
        tx,
        &now,
        &ctx.actor.user,
        &format!("payout.run.{}", action.verb().replace(' ', "_")),
        "payout_run",
        &run_id.to_string(),
        Some(from.as_str()),
        Some(&after.to_string()),
    )
    .await?;
    Ok(())
}

/// Cancels a draft or submitted run (a submitted run's request is withdrawn);
/// its balances are free for another run.
#[tracing::instrument(name = "payouts::cancel", skip_all, fields(user = %ctx.actor.user))]
pub async fn cancel(ctx: &Context, run_id: i64) -> Result<PayoutRunDetail> {
    ctx.authorize(&crate::access::PAYOUT_CREATE).await?;
    step(ctx, run_id, RunAction::Cancel).await
}
