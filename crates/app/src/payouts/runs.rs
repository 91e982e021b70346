//! Creating a payout run (payable balances claimed, the others held or
//! carried over) and reading runs with their state and actions.

use super::*;
use crate::change::Kind as RequestKind;
use crate::ledger::money;
use crate::{AppError, Context, Result};
use partnerdesk_domain::commission::PeriodState;
use partnerdesk_domain::payout::{
    decide, transition, Candidate, Decision, ItemState, RunAction, RunState,
};
use partnerdesk_domain::{CurrencyCode, Period};
use partnerdesk_store::payouts::{
    insert_run, period_text, HeldRecord, ItemRecord, ItemSum, NewRun, RunRecord,
};
use partnerdesk_store::{StoreError, Tx};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Creates a draft run for a pay date (or a closed period: its last day).
/// Payable balances are claimed by the run; the database refuses a claim on
/// an entry another run holds, so concurrent runs never pay twice.
#[tracing::instrument(name = "payouts::create_run", skip_all, fields(user = %ctx.actor.user))]
pub async fn create_run(
    ctx: &Context,
    pay_date: Option<&str>,
    period: Option<Period>,
) -> Result<PayoutRunDetail> {
    ctx.authorize(&crate::access::PAYOUT_CREATE).await?;
    let date = match (pay_date, period) {
        (Some(d), _) => chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|_| {
            AppError::invalid("pay_date", format!("'{d}' is not a date (YYYY-MM-DD)"))
        })?,
        (None, Some(p)) => p.last_day(),
        (None, None) => {
            return Err(AppError::invalid(
                "pay_date",
                "give a pay date or a closed period",
            ))
        }
    };
    let mut tx = ctx.store.begin().await?;
    if let Some(p) = period {
        let closed = tx
            .periods()
            .await?
            .iter()
            .any(|r| r.period == p && r.state == PeriodState::Closed);
        if !closed {
            return Err(AppError::Refused(format!(
                "period {p} is not closed: close it first (`partnerdesk commissions close --period {p}`) so its commissions are on the ledger"
            )));
        }
    }
    let date_text = date.format("%Y-%m-%d").to_string();
    let candidates = tx.payout_candidates(&date_text).await?;
    let thresholds: BTreeMap<CurrencyCode, Decimal> =
        tx.payout_thresholds().await?.into_iter().collect();
    let mut items = Vec::new();
    let mut held = Vec::new();
    for cand in candidates {
        let status = cand.status;
        let available: Decimal = cand.entries.iter().map(|e| e.1).sum();
        let c = Candidate {
            currency: cand.currency,
            available,
            status,
            has_payment_details: cand.details.is_some(),
            compliance_hold: cand.hold_reason.clone(),
            threshold_override: cand.threshold,
        };
        match decide(&c, &thresholds) {
            Decision::Pay(amount) => {
                let d = cand
                    .details
                    .ok_or_else(|| StoreError::Corrupt("payable without details".into()))?;
                items.push((
                    ItemRecord {
                        run_id: 0,
                        partner_id: cand.partner_id,
                        name: cand.name,
                        currency: cand.currency,
                        amount,
                        method: d.method,
                        holder: d.holder,
                        account: d.account,
                        bic: d.bic,
                        state: ItemState::Pending,
                        reference: None,
                        failure_reason: None,
                        payout_entry: None,
                    },
                    cand.entries.into_iter().map(|e| e.0).collect::<Vec<i64>>(),
                ));
            }
            Decision::Hold(reason) => held.push(HeldRecord {
                partner_id: cand.partner_id,
                name: cand.name,
                currency: cand.currency,
                amount: available,
                reason: reason.to_string(),
            }),
            Decision::CarryOver { .. } => {}
        }
    }
    if items.is_empty() {
        let held_note = if held.is_empty() {
            String::new()
        } else {
            format!(
                "; held back: {}",
                held.iter()
                    .map(|h| format!("{} ({})", h.partner_id, h.reason))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        return Err(AppError::Refused(format!(
            "nothing to pay on {date_text}: no payable balance reaches its threshold (balances below it carry over to a later run){held_note}"
        )));
    }
    let now = ctx.now();
    let run_id = insert_run(
        &mut tx,
        &NewRun {
            pay_date: &date_text,
            period,
            items: &items,
            held: &held,
        },
        &now,
        &ctx.actor.user,
    )
    .await?;
    let total: Decimal = items.iter().map(|i| i.0.amount).sum();
    let summary = serde_json::json!({"pay_date": date_text, "payments": items.len(), "held": held.len(), "total_all_currencies": money(total)}).to_string();
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "payout.run.create",
        "payout_run",
        &run_id.to_string(),
        None,
        Some(&summary),
    )
    .await?;
    // The view of what was just written, without reading tens of thousands of rows back.
    let run = RunRecord {
        run_id,
        pay_date: date_text,
        period,
        state: RunState::Draft,
        created_at: now,
        created_by: ctx.actor.user.clone(),
        submitted_at: None,
        submitted_by: None,
        approved_at: None,
        approved_by: None,
        exported_at: None,
        exported_by: None,
        settled_at: None,
    };
    let mut items: Vec<ItemRecord> = items.into_iter().map(|(i, _)| i).collect();
    for i in &mut items {
        i.run_id = run_id;
    }
    // As the store reads them back: by currency, then partner.
    items.sort_by(|a, b| (&a.currency, &a.partner_id).cmp(&(&b.currency, &b.partner_id)));
    let view = detail_view(&mut tx, &run, &items, &held).await?;
    tx.commit().await?;
    Ok(view)
}

pub(super) fn actions(state: RunState) -> Vec<String> {
    let mut out: Vec<String> = [
        (RunAction::Submit, "submit"),
        (RunAction::Approve, "approve"),
        (RunAction::Reject, "reject"),
        (RunAction::Export, "export"),
        (RunAction::Cancel, "cancel"),
    ]
    .into_iter()
    .filter(|(a, _)| transition(state, *a).is_ok())
    .map(|(_, n)| n.to_string())
    .collect();
    if state == RunState::Exported {
        out.push("settle".into());
    }
    out
}

pub(super) async fn run_view(
    tx: &mut Tx<'_>,
    r: &RunRecord,
    items: &[ItemSum],
    held: usize,
) -> Result<PayoutRunView> {
    let approval_id = if r.state == RunState::Submitted {
        tx.pending_approval(RequestKind::PayoutRun, &r.run_id.to_string())
            .await?
    } else {
        None
    };
    let mut totals: BTreeMap<CurrencyCode, (Decimal, u32, Decimal, Decimal)> = BTreeMap::new();
    for i in items {
        let t = totals.entry(i.currency).or_default();
        t.0 += i.amount;
        t.1 += i.count;
        match i.state {
            ItemState::Paid => t.2 += i.amount,
            ItemState::Failed => t.3 += i.amount,
            ItemState::Pending => {}
        }
    }
    let state = r.state;
    Ok(PayoutRunView {
        run_id: r.run_id,
        pay_date: r.pay_date.clone(),
        period: period_text(r.period),
        state: r.state,
        created_at: r.created_at.clone(),
        created_by: r.created_by.clone(),
        submitted_by: r.submitted_by.clone(),
        approved_by: r.approved_by.clone(),
        exported_at: r.exported_at.clone(),
        approval_id,
        totals: totals
            .into_iter()
            .map(|(currency, (a, n, p, f))| RunTotal {
                currency,
                amount: money(a),
                payments: n,
                paid: money(p),
                failed: money(f),
            })
            .collect(),
        held_count: u32::try_from(held).unwrap_or(u32::MAX),
        actions: actions(state),
    })
}

#[tracing::instrument(name = "payouts::list_runs", skip_all, fields(user = %ctx.actor.user))]
pub async fn list_runs(ctx: &Context) -> Result<Vec<PayoutRunView>> {
    ctx.authorize(&crate::access::READ).await?;
    let mut tx = ctx.store.read().await?;
    let runs = tx.payout_runs().await?;
    let mut sums = tx.payout_run_sums().await?;
    let mut out = Vec::with_capacity(runs.len());
    for r in &runs {
        let s = sums.remove(&r.run_id).unwrap_or_default();
        out.push(run_view(&mut tx, r, &s.items, s.held).await?);
    }
    Ok(out)
}

#[tracing::instrument(name = "payouts::run_detail", skip_all, fields(user = %ctx.actor.user))]
pub async fn run_detail(ctx: &Context, run_id: i64) -> Result<PayoutRunDetail> {
    ctx.authorize(&crate::access::READ).await?;
    let mut tx = ctx.store.read().await?;
    let r = tx.payout_run(run_id).await?;
    let items = tx.payout_items(run_id).await?;
    let held = tx.payout_held(run_id).await?;
    detail_view(&mut tx, &r, &items, &held).await
}

pub(super) async fn detail_view(
    tx: &mut Tx<'_>,
    r: &RunRecord,
    items: &[ItemRecord],
    held: &[HeldRecord],
) -> Result<PayoutRunDetail> {
    let sums: Vec<ItemSum> = items
        .iter()
        .map(|i| ItemSum {
            currency: i.currency,
            state: i.state,
            amount: i.amount,
            count: 1,
        })
        .collect();
    Ok(PayoutRunDetail {
        run: run_view(tx, r, &sums, held.len()).await?,
        items: items
            .iter()
            .map(|i| PayoutItemView {
                partner_id: i.partner_id.clone(),
                name: i.name.clone(),
                currency: i.currency,
                amount: money(i.amount),
                method: i.method.clone(),
                holder: i.holder.clone(),
                account: i.account.clone(),
                bic: i.bic.clone(),
                state: i.state,
                reference: i.reference.clone(),
                failure_reason: i.failure_reason.clone(),
            })
            .collect(),
        held: held
            .iter()
            .map(|h| HeldView {
                partner_id: h.partner_id.clone(),
                name: h.name.clone(),
                currency: h.currency,
                amount: money(h.amount),
                reason: h.reason.clone(),
            })
            .collect(),
    })
}

pub(super) async fn current_state(tx: &mut Tx<'_>, run_id: i64) -> Result<(RunRecord, RunState)> {
    let r = tx.payout_run(run_id).await?;
    let s = r.state;
    Ok((r, s))
}

pub(super) fn refused(e: partnerdesk_domain::payout::IllegalTransition, run_id: i64) -> AppError {
    AppError::Refused(format!("payout run {run_id}: {e}"))
}
