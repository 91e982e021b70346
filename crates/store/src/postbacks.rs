//! Postbacks in (the tracking server's S2S events): each brand's
//! authentication settings, the events taken (keyed by brand and event id,
//! which makes a repeated event a duplicate), and the log of outcomes.

use crate::error::Result;
use crate::Tx;
use sqlx::Row;

/// How a brand's postbacks are authenticated (its secret is in the keyring).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostbackBrandRow {
    pub brand_id: String,
    /// `hmac` or `token`.
    pub auth: String,
    pub window_secs: i64,
}

/// One authenticated postback and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostbackLogRow {
    pub id: i64,
    pub brand_id: String,
    pub event_id: String,
    pub event_type: String,
    pub received_at: String,
    /// The HTTP status answered.
    pub status: i64,
    /// `accepted`, `duplicate` or `refused`.
    pub outcome: String,
    pub reason: String,
}

/// Where a click came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClickOrigin {
    pub brand_id: String,
    pub code: String,
    pub link_path: String,
    pub subs: [Option<String>; 5],
}

impl Tx<'_> {
    pub async fn postback_brand(&mut self, brand_id: &str) -> Result<Option<PostbackBrandRow>> {
        let row = sqlx::query(
            "SELECT brand_id, auth, window_secs FROM postback_brands WHERE brand_id = $1",
        )
        .bind(brand_id)
        .fetch_optional(&mut **self)
        .await?;
        row.map(|r| {
            Ok(PostbackBrandRow {
                brand_id: r.try_get(0)?,
                auth: r.try_get(1)?,
                window_secs: r.try_get(2)?,
            })
        })
        .transpose()
    }

    /// The latest `limit` log rows (of one brand), newest first.
    pub async fn postback_log(
        &mut self,
        brand_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<PostbackLogRow>> {
        let rows = sqlx::query(&format!(
            "SELECT id, brand_id, event_id, event_type, received_at, status, outcome, reason \
             FROM postback_log WHERE ($1 IS NULL OR brand_id = $1) ORDER BY id DESC LIMIT {}",
            limit.clamp(1, 10_000)
        ))
        .bind(brand_id)
        .fetch_all(&mut **self)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PostbackLogRow {
                    id: r.try_get(0)?,
                    brand_id: r.try_get(1)?,
                    event_id: r.try_get(2)?,
                    event_type: r.try_get(3)?,
                    received_at: r.try_get(4)?,
                    status: r.try_get(5)?,
                    outcome: r.try_get(6)?,
                    reason: r.try_get(7)?,
                })
            })
            .collect()
    }

    /// The brand, code and link of a stored click.
    pub async fn click_origin(&mut self, click_id: &str) -> Result<Option<ClickOrigin>> {
        let row = sqlx::query(
            "SELECT brand_id, code, link_path, sub1, sub2, sub3, sub4, sub5 FROM clicks WHERE click_id = $1",
        )
        .bind(click_id)
        .fetch_optional(&mut **self)
        .await?;
        row.map(|r| {
            Ok(ClickOrigin {
                brand_id: r.try_get(0)?,
                code: r.try_get(1)?,
                link_path: r.try_get(2)?,
                subs: [
                    r.try_get(3)?,
                    r.try_get(4)?,
                    r.try_get(5)?,
                    r.try_get(6)?,
                    r.try_get(7)?,
                ],
            })
        })
        .transpose()
    }

    /// The click id a customer's registration postback came with, if any.
    pub async fn registration_click(
        &mut self,
        brand_id: &str,
        customer_id: &str,
    ) -> Result<Option<String>> {
        let row: Option<(Option<String>,)> = sqlx::query_as(
            "SELECT click_id FROM postback_events WHERE customer_id = $1 AND brand_id = $2 \
             AND event_type = 'registration' AND click_id IS NOT NULL ORDER BY received_at LIMIT 1",
        )
        .bind(customer_id)
        .bind(brand_id)
        .fetch_optional(&mut **self)
        .await?;
        Ok(row.and_then(|r| r.0))
    }

    /// A customer's stored activity of one day: deposits, withdrawals,
    /// bets, wins, bonuses, chargebacks, taxes (decimal texts).
    pub async fn activity_day(
        &mut self,
        customer_id: &str,
        date: &str,
    ) -> Result<Option<[String; 7]>> {
        let row = sqlx::query(
            "SELECT deposits, withdrawals, bets, wins, bonuses, chargebacks, taxes \
             FROM igaming_activity WHERE customer_id = $1 AND date = $2",
        )
        .bind(customer_id)
        .bind(date)
        .fetch_optional(&mut **self)
        .await?;
        row.map(|r| {
            Ok([
                r.try_get(0)?,
                r.try_get(1)?,
                r.try_get(2)?,
                r.try_get(3)?,
                r.try_get(4)?,
                r.try_get(5)?,
                r.try_get(6)?,
            ])
        })
        .transpose()
    }

    /// The deposits (decimal texts) of a customer's days before `date`.
    pub async fn deposits_before(&mut self, customer_id: &str, date: &str) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT deposits FROM igaming_activity WHERE customer_id = $1 AND date < $2",
        )
        .bind(customer_id)
        .bind(date)
        .fetch_all(&mut **self)
        .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }
}

pub async fn set_postback_brand(tx: &mut Tx<'_>, row: &PostbackBrandRow, now: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO postback_brands (brand_id, auth, window_secs, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (brand_id) DO UPDATE SET auth = excluded.auth, window_secs = excluded.window_secs, updated_at = excluded.updated_at",
    )
    .bind(&row.brand_id)
    .bind(&row.auth)
    .bind(row.window_secs)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Takes the event (brand, event id) unless it was taken before; answers
/// whether this call took it. A concurrent transaction taking the same
/// event waits on the key and then finds it taken (or free, if the first
/// rolled back).
pub async fn claim_postback_event(
    tx: &mut Tx<'_>,
    brand_id: &str,
    event_id: &str,
    event_type: &str,
    customer_id: &str,
    click_id: Option<&str>,
    now: &str,
) -> Result<bool> {
    let row: Option<(String,)> = sqlx::query_as(
        "INSERT INTO postback_events (brand_id, event_id, event_type, customer_id, click_id, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (brand_id, event_id) DO NOTHING RETURNING event_id",
    )
    .bind(brand_id)
    .bind(event_id)
    .bind(event_type)
    .bind(customer_id)
    .bind(click_id)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.is_some())
}

pub async fn log_postback(tx: &mut Tx<'_>, row: &PostbackLogRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO postback_log (brand_id, event_id, event_type, received_at, status, outcome, reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&row.brand_id)
    .bind(&row.event_id)
    .bind(&row.event_type)
    .bind(&row.received_at)
    .bind(row.status)
    .bind(&row.outcome)
    .bind(&row.reason)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
