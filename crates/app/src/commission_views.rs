//! What the Commissions page shows: periods, totals, paged lines, one line's
//! explanation, and the export as a file.

use crate::wire::{LineDetail, LinePage, LineQuery, LineRow, PeriodView, RunOutcome, TotalRow};
use crate::{commissions, AppError, Context, Result};
use partnerdesk_domain::commission::{Kind, PeriodState};
use partnerdesk_domain::Period;
use partnerdesk_store::commissions::StoredLine;
use partnerdesk_store::views::LineFilter;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn line_row(s: &StoredLine, partner_name: String) -> LineRow {
    let l = &s.line;
    let mut amount = l.amount;
    amount.rescale(2);
    LineRow {
        period: l.period,
        partner_id: l.partner_id.to_string(),
        partner_name,
        brand_id: l.brand_id.to_string(),
        kind: l.kind.as_str().to_string(),
        amount: amount.to_string(),
        currency: l.currency,
        amount_brand: l.amount_brand.normalize().to_string(),
        brand_currency: l.brand_currency,
        fx_rate: l.fx_rate.normalize().to_string(),
        origin_period: s.origin_period,
    }
}

#[tracing::instrument(name = "commission_views::periods", skip_all, fields(user = %ctx.actor.user))]
pub async fn periods(ctx: &Context) -> Result<Vec<PeriodView>> {
    ctx.authorize(&crate::access::READ).await?;
    let mut tx = ctx.store.read().await?;
    let version = tx.data_version().await?;
    Ok(tx
        .periods()
        .await?
        .into_iter()
        .rev()
        .map(|r| PeriodView {
            up_to_date: r.state == PeriodState::Closed || r.inputs == version,
            period: r.period,
            state: r.state,
            computed_at: r.computed_at,
            closed_at: r.closed_at,
            closed_by: r.closed_by,
        })
        .collect())
}

#[tracing::instrument(name = "commission_views::run", skip_all, fields(user = %ctx.actor.user))]
pub async fn run(ctx: &Context, period: &str) -> Result<RunOutcome> {
    let r = commissions::run(ctx, Period::parse("period", period)?).await?;
    Ok(RunOutcome {
        up_to_date: r.up_to_date,
        periods: r.periods.iter().map(|p| p.period.clone()).collect(),
        changed: r
            .periods
            .iter()
            .filter(|p| p.changed)
            .map(|p| p.period.clone())
            .collect(),
        adjustments: u32::try_from(r.adjustments).unwrap_or(u32::MAX),
        pending_adjustments: u32::try_from(r.pending_adjustments).unwrap_or(u32::MAX),
    })
}

#[tracing::instrument(name = "commission_views::close", skip_all, fields(user = %ctx.actor.user))]
pub async fn close(ctx: &Context, period: &str) -> Result<crate::approvals::ChangeOutcome> {
    let period = Period::parse("period", period)?;
    Ok(match commissions::close(ctx, period).await? {
        Some(approval) => crate::approvals::ChangeOutcome::awaiting(approval),
        None => crate::approvals::ChangeOutcome::done(format!("period {period} is closed")),
    })
}

#[tracing::instrument(name = "commission_views::lines", skip_all, fields(user = %ctx.actor.user))]
pub async fn lines(ctx: &Context, q: &LineQuery) -> Result<LinePage> {
    ctx.authorize(&crate::access::READ).await?;
    let period = Period::parse("period", &q.period)?;
    let mut tx = ctx.store.read().await?;
    commissions::check_current(&mut tx, period).await?;
    let kind = q
        .kind
        .as_deref()
        .filter(|k| !k.is_empty())
        .map(|k| Kind::parse("kind", k))
        .transpose()?;
    let f = LineFilter {
        period: period.to_string(),
        partner_id: q.partner_id.clone().filter(|s| !s.trim().is_empty()),
        brand_id: q.brand_id.clone().filter(|s| !s.trim().is_empty()),
        kind,
        by_amount: q.by_amount,
        desc: q.desc,
        offset: i64::from(q.offset),
        limit: i64::from(q.limit.clamp(1, 1000)),
    };
    let (total, rows) = tx.search_lines(&f).await?;
    Ok(LinePage {
        total: u32::try_from(total).unwrap_or(u32::MAX),
        rows: rows
            .into_iter()
            .map(|(s, name)| line_row(&s, name))
            .collect(),
    })
}

/// Totals per brand, kind and currency (amounts summed exactly).
#[tracing::instrument(name = "commission_views::totals", skip_all, fields(user = %ctx.actor.user))]
pub async fn totals(ctx: &Context, period: &str) -> Result<Vec<TotalRow>> {
    ctx.authorize(&crate::access::READ).await?;
    let period = Period::parse("period", period)?;
    let mut tx = ctx.store.read().await?;
    commissions::check_current(&mut tx, period).await?;
    let mut sums: BTreeMap<(String, String, String), (Decimal, u32)> = BTreeMap::new();
    for (brand, kind, currency, amount) in tx.line_amounts(&period.to_string()).await? {
        let a = partnerdesk_store::money::dec(&amount)?;
        let e = sums.entry((brand, kind, currency)).or_default();
        e.0 += a;
        e.1 += 1;
    }
    Ok(sums
        .into_iter()
        .map(|((brand_id, kind, currency), (mut amount, lines))| {
            amount.rescale(2);
            TotalRow {
                brand_id,
                kind,
                currency,
                amount: amount.to_string(),
                lines,
            }
        })
        .collect())
}

#[tracing::instrument(name = "commission_views::detail", skip_all, fields(user = %ctx.actor.user))]
pub async fn detail(
    ctx: &Context,
    period: &str,
    partner_id: &str,
    brand_id: &str,
    kind: &str,
) -> Result<LineDetail> {
    ctx.authorize(&crate::access::READ).await?;
    let period = Period::parse("period", period)?;
    let mut tx = ctx.store.read().await?;
    let lines = commissions::current_lines(&mut tx, period).await?;
    // A word that is no kind finds no line (not found, like an unknown id).
    let wanted = <Kind as partnerdesk_domain::Word>::from_word(kind);
    let s = lines
        .into_iter()
        .find(|s| {
            s.line.partner_id.as_str() == partner_id
                && s.line.brand_id.as_str() == brand_id
                && Some(s.line.kind) == wanted
        })
        .ok_or_else(|| AppError::NotFound {
            what: "commission line",
            id: format!("{partner_id}/{brand_id}/{period}/{kind}"),
        })?;
    let name = tx
        .partner(partner_id)
        .await?
        .map(|p| p.name)
        .unwrap_or_default();
    let mut customers: Vec<String> = Vec::new();
    let e = s.line.explanation.value();
    for key in ["customers", "purchases", "refunds"] {
        if let Some(items) = e.get(key).and_then(|v| v.as_array()) {
            customers.extend(items.iter().filter_map(|i| {
                i.get("customer_id")
                    .and_then(|c| c.as_str())
                    .map(str::to_string)
            }));
        }
    }
    if s.line.kind == Kind::Revshare && customers.is_empty() {
        let (_, rows) = tx
            .search_customers(&partnerdesk_store::views::CustomerFilter {
                partner_id: Some(partner_id.into()),
                brand_id: Some(brand_id.into()),
                limit: 200,
                ..Default::default()
            })
            .await?;
        customers = rows.into_iter().map(|c| c.customer_id).collect();
    }
    customers.dedup();
    Ok(LineDetail {
        explanation: serde_json::to_string_pretty(&e).unwrap_or_default(),
        line: line_row(&s, name),
        customers,
    })
}

/// Writes the canonical export to `folder` (default: the user's Downloads) and returns the file's path.
#[tracing::instrument(name = "commission_views::export_file", skip_all, fields(user = %ctx.actor.user))]
pub async fn export_file(ctx: &Context, period: &str, folder: Option<PathBuf>) -> Result<String> {
    ctx.authorize(&crate::access::COMMISSIONS_EXPORT).await?;
    let period = Period::parse("period", period)?;
    let csv = commissions::export_csv(ctx, period).await?;
    let folder = folder
        .or_else(dirs::download_dir)
        .or_else(dirs::home_dir)
        .ok_or_else(|| AppError::Refused("no Downloads folder is known on this system".into()))?;
    let path = folder.join(format!("commissions-{period}.csv"));
    std::fs::write(&path, csv).map_err(|e| AppError::Io {
        context: format!(
            "cannot write {}; choose a folder you can write to",
            path.display()
        ),
        source: e,
    })?;
    Ok(path.display().to_string())
}
