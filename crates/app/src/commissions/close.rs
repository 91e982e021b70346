//! A computed period's lines, the canonical export, and closing a period
//! (with four eyes: the close waits in the approvals queue).

use crate::change::{Applied, Apply, Change, PeriodClose};
use crate::{AppError, Context, Result};
use partnerdesk_domain::commission::{canonical_csv, PeriodState};
use partnerdesk_domain::Period;
use partnerdesk_store::commissions::{close_period, StoredLine};
use partnerdesk_store::{StoreError, Tx};
use std::collections::BTreeMap;

/// A period's lines, refusing a period that was never computed or is out of date.
#[tracing::instrument(name = "commissions::computed_lines", skip_all, fields(user = %ctx.actor.user))]
pub async fn computed_lines(ctx: &Context, period: Period) -> Result<Vec<StoredLine>> {
    ctx.authorize(&crate::access::READ).await?;
    current_lines(&mut ctx.store.read().await?, period).await
}

/// Refuses a period that was never computed or is out of date.
pub(crate) async fn check_current(tx: &mut Tx<'_>, period: Period) -> Result<()> {
    let version = tx.data_version().await?;
    let record = tx.periods().await?.into_iter().find(|r| r.period == period);
    match record {
        None => Err(AppError::Refused(format!(
            "period {period} has not been computed; run `partnerdesk commissions run --period {period}` first"
        ))),
        Some(r) if r.state != PeriodState::Closed && r.inputs != version => Err(AppError::Refused(format!(
            "period {period} is out of date: data changed since it was computed; run `partnerdesk commissions run --period {period}` again"
        ))),
        Some(_) => Ok(()),
    }
}

/// [`computed_lines`] in the caller's transaction.
pub(crate) async fn current_lines(tx: &mut Tx<'_>, period: Period) -> Result<Vec<StoredLine>> {
    check_current(tx, period).await?;
    Ok(tx.period_lines(period).await?)
}

/// The canonical export of RULES.md for a period.
#[tracing::instrument(name = "commissions::export_csv", skip_all, fields(user = %ctx.actor.user))]
pub async fn export_csv(ctx: &Context, period: Period) -> Result<String> {
    ctx.authorize(&crate::access::COMMISSIONS_EXPORT).await?;
    let lines = current_lines(&mut ctx.store.read().await?, period).await?;
    Ok(canonical_csv(lines.iter().map(|s| &s.line)))
}

/// Closes a computed, up-to-date period; its lines never change afterwards.
/// With four eyes in force the close waits for a finance approver (returned).
#[tracing::instrument(name = "commissions::close", skip_all, fields(user = %ctx.actor.user))]
pub async fn close(
    ctx: &Context,
    period: Period,
) -> Result<Option<crate::approvals::ApprovalView>> {
    ctx.authorize(&crate::access::COMMISSIONS_CLOSE).await?;
    let mut tx = ctx.store.begin().await?;
    check_closable(&mut tx, period).await?;
    if let Some(id) = crate::approvals::queue(
        ctx,
        &mut tx,
        crate::approvals::Request {
            change: Change::PeriodClose(PeriodClose {
                period: period.to_string(),
            }),
            object_type: "period",
            object_id: &period.to_string(),
            summary: format!("close period {period}: its lines never change afterwards"),
            amount: None,
            object_maker: None,
        },
    )
    .await?
    {
        tx.commit().await?;
        return crate::approvals::view_of(ctx, id).await;
    }
    write_close(ctx, &mut tx, period, None).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(None)
}

/// Closes an approved period (checked again: it must still be computed and next in line).
impl Apply for PeriodClose {
    async fn apply(&self, ctx: &Context, tx: &mut Tx<'_>, on: &Applied<'_>) -> Result<()> {
        let period = Period::parse("period", &self.period)?;
        check_closable(tx, period).await?;
        write_close(ctx, tx, period, Some(on)).await
    }
}

pub(super) async fn check_closable(tx: &mut Tx<'_>, period: Period) -> Result<()> {
    check_current(tx, period).await?;
    let records = tx.periods().await?;
    if let Some(open) = records
        .iter()
        .find(|r| r.state != PeriodState::Closed && r.period < period)
    {
        return Err(AppError::Refused(format!(
            "period {} is still open; close periods in order",
            open.period
        )));
    }
    if records
        .iter()
        .any(|r| r.period == period && r.state == PeriodState::Closed)
    {
        return Err(AppError::Refused(format!(
            "period {period} is already closed"
        )));
    }
    Ok(())
}

pub(super) async fn write_close(
    ctx: &Context,
    tx: &mut Tx<'_>,
    period: Period,
    applied: Option<&Applied<'_>>,
) -> Result<()> {
    let mut latest: BTreeMap<String, i64> = BTreeMap::new();
    for v in tx.plan_versions().await? {
        latest.insert(v.plan_id, v.version);
    }
    let versions: Vec<(String, i64)> = latest.into_iter().collect();
    let now = ctx.now();
    close_period(tx, period, &now, &ctx.actor.user, &versions).await?;
    // The closed lines (adjustments included) post to the ledger in the same transaction.
    crate::ledger::post_closed_period(tx, period, &now, &ctx.actor.user).await?;
    partnerdesk_store::audit(
        tx,
        &now,
        &ctx.actor.user,
        "period.close",
        "period",
        &period.to_string(),
        None,
        Some(&crate::approvals::applied_note(applied).to_string()),
    )
    .await?;
    Ok(())
}
