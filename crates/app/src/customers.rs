//! Use cases on customers: search with attribution, and one customer's activity.

use crate::wire::{
    ActivityView, CustomerDetail, CustomerPage, CustomerQuery, CustomerRow, PurchaseView, TradeView,
};
use crate::{AppError, Context, Result};
use partnerdesk_store::views::{CustomerFilter, CustomerRecord};

fn row(c: CustomerRecord) -> CustomerRow {
    CustomerRow {
        customer_id: c.customer_id,
        brand_id: c.brand_id,
        tracking_code: c.tracking_code,
        partner_id: c.partner_id,
        country: c.country,
        registered_at: c.registered_at,
        status: c.status,
        geo_blocked: c.geo_blocked,
        unexpected_country: c.unexpected_country,
    }
}

fn opt(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

#[tracing::instrument(name = "customers::search", skip_all, fields(user = %ctx.actor.user))]
pub async fn search(ctx: &Context, q: &CustomerQuery) -> Result<CustomerPage> {
    ctx.authorize(&crate::access::READ).await?;
    let status = opt(&q.status)
        .map(|s| partnerdesk_domain::data::CustomerStatus::parse("status", &s))
        .transpose()?;
    let f = CustomerFilter {
        text: opt(&q.text),
        brand_id: opt(&q.brand_id),
        partner_id: opt(&q.partner_id),
        status,
        offset: i64::from(q.offset),
        limit: i64::from(q.limit.clamp(1, 1000)),
    };
    let (total, rows) = ctx.store.read().await?.search_customers(&f).await?;
    Ok(CustomerPage {
        total: u32::try_from(total).unwrap_or(u32::MAX),
        rows: rows.into_iter().map(row).collect(),
    })
}

#[tracing::instrument(name = "customers::get", skip_all, fields(user = %ctx.actor.user))]
pub async fn get(ctx: &Context, customer_id: &str) -> Result<CustomerDetail> {
    ctx.authorize(&crate::access::READ).await?;
    let mut tx = ctx.store.read().await?;
    let c = tx
        .customer(customer_id)
        .await?
        .ok_or_else(|| AppError::NotFound {
            what: "customer",
            id: customer_id.to_string(),
        })?;
    let activity = tx
        .customer_activity(customer_id, 100)
        .await?
        .into_iter()
        .map(
            |[date, deposits, withdrawals, bets, wins, bonuses, chargebacks, taxes]| ActivityView {
                date,
                deposits,
                withdrawals,
                bets,
                wins,
                bonuses,
                chargebacks,
                taxes,
            },
        )
        .collect();
    let trades = tx.customer_trades(customer_id, 100)
        .await?
        .into_iter()
        .map(|[trade_id, symbol, instrument_group, lots, open_time, close_time, commission, spread_revenue]| TradeView {
            trade_id,
            symbol,
            instrument_group,
            lots,
            open_time,
            close_time,
            commission,
            spread_revenue,
        })
        .collect();
    let purchases = tx
        .customer_purchases(customer_id)
        .await?
        .into_iter()
        .map(
            |(order_id, product, amount, coupon_code, purchased_at, refunded_at)| PurchaseView {
                order_id,
                product,
                amount,
                coupon_code,
                purchased_at,
                refunded_at,
            },
        )
        .collect();
    Ok(CustomerDetail {
        customer: row(c),
        activity,
        trades,
        purchases,
    })
}
