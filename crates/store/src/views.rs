//! Read models for the screens: paged customers, lines and totals, plan usage.

use crate::commissions::{line_from_row, StoredLine};
use crate::error::Result;
use crate::Tx;
use partnerdesk_domain::data::CustomerStatus;
use partnerdesk_domain::CountryCode;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRecord {
    pub customer_id: String,
    pub brand_id: String,
    pub tracking_code: Option<String>,
    /// The partner owning the tracking code in the customer's brand.
    pub partner_id: Option<String>,
    /// None: unknown (stored as ''; RULES.md, Attribution).
    pub country: Option<CountryCode>,
    pub registered_at: String,
    pub status: CustomerStatus,
    /// The customer's country is blocked for its brand.
    pub geo_blocked: bool,
    /// The customer's country is outside the partner's allowed countries
    /// (flagged for compliance review; it still earns until excluded).
    pub unexpected_country: bool,
}

#[derive(Debug, Clone, Default)]
pub struct CustomerFilter {
    pub text: Option<String>,
    pub brand_id: Option<String>,
    pub partner_id: Option<String>,
    pub status: Option<CustomerStatus>,
    pub offset: i64,
    pub limit: i64,
}

#[derive(Debug, Clone, Default)]
pub struct LineFilter {
    pub period: String,
    pub partner_id: Option<String>,
    pub brand_id: Option<String>,
    pub kind: Option<partnerdesk_domain::commission::Kind>,
    /// `amount` (by cents) or the default partner/brand/kind order.
    pub by_amount: bool,
    pub desc: bool,
    pub offset: i64,
    pub limit: i64,
}

fn like(text: &str) -> String {
    format!(
        "%{}%",
        text.to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

const CUSTOMER_SELECT: &str = "SELECT c.customer_id, c.brand_id, c.tracking_code, tc.partner_id, c.country, c.registered_at, c.status, \
     CASE WHEN g.country IS NULL THEN 0 ELSE 1 END AS geo_blocked, \
     CASE WHEN tc.partner_id IS NOT NULL \
          AND EXISTS (SELECT 1 FROM partner_allowed_countries pa WHERE pa.partner_id = tc.partner_id) \
          AND NOT EXISTS (SELECT 1 FROM partner_allowed_countries pa WHERE pa.partner_id = tc.partner_id AND pa.country = c.country) \
          THEN 1 ELSE 0 END AS unexpected_country \
     FROM customers c LEFT JOIN tracking_codes tc ON tc.brand_id = c.brand_id AND tc.code = c.tracking_code \
     LEFT JOIN brand_geo_blocks g ON g.brand_id = c.brand_id AND g.country = c.country";

fn customer_row(r: &sqlx::any::AnyRow) -> Result<CustomerRecord> {
    Ok(CustomerRecord {
        customer_id: r.try_get("customer_id")?,
        brand_id: r.try_get("brand_id")?,
        tracking_code: r.try_get("tracking_code")?,
        partner_id: r.try_get("partner_id")?,
        country: crate::words::blank_or_country(r, "customers", "country")?,
        registered_at: r.try_get("registered_at")?,
        status: crate::words::column(r, "customers", "status")?,
        geo_blocked: r.try_get::<i64, _>("geo_blocked")? != 0,
        unexpected_country: r.try_get::<i64, _>("unexpected_country")? != 0,
    })
}

impl Tx<'_> {
    pub async fn search_customers(
        &mut self,
        f: &CustomerFilter,
    ) -> Result<(i64, Vec<CustomerRecord>)> {
        let mut wheres = Vec::new();
        let mut binds = Vec::new();
        let mut add = |cond: &str, v: String| {
            binds.push(v);
            wheres.push(cond.replace("$?", &format!("${}", binds.len())));
        };
        if let Some(t) = f.text.as_deref().filter(|t| !t.trim().is_empty()) {
            add("(LOWER(c.customer_id) LIKE $? ESCAPE '\\' OR LOWER(COALESCE(c.tracking_code, '')) LIKE $? ESCAPE '\\')", like(t.trim()));
        }
        if let Some(b) = &f.brand_id {
            add("c.brand_id = $?", b.clone());
        }
        if let Some(p) = &f.partner_id {
            add("tc.partner_id = $?", p.clone());
        }
        if let Some(s) = &f.status {
            add("c.status = $?", s.as_str().to_string());
        }
        let where_sql = if wheres.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", wheres.join(" AND "))
        };
        let count_sql = format!(
            "SELECT COUNT(*) FROM customers c LEFT JOIN tracking_codes tc ON tc.brand_id = c.brand_id AND tc.code = c.tracking_code{where_sql}"
        );
        let mut cq = sqlx::query_as::<_, (i64,)>(&count_sql);
        for b in &binds {
            cq = cq.bind(b);
        }
        let (total,) = cq.fetch_one(&mut **self).await?;
        let sql = format!(
            "{CUSTOMER_SELECT}{where_sql} ORDER BY c.customer_id LIMIT {} OFFSET {}",
            f.limit.clamp(1, 1000),
            f.offset.max(0)
        );
        let mut q = sqlx::query(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        let rows = q.fetch_all(&mut **self).await?;
        Ok((
            total,
            rows.iter().map(customer_row).collect::<Result<Vec<_>>>()?,
        ))
    }

    pub async fn customer(&mut self, customer_id: &str) -> Result<Option<CustomerRecord>> {
        let row = sqlx::query(&format!("{CUSTOMER_SELECT} WHERE c.customer_id = $1"))
            .bind(customer_id)
            .fetch_optional(&mut **self)
            .await?;
        row.as_ref().map(customer_row).transpose()
    }

    /// The customer's latest activity days (date, deposits, withdrawals, bets, wins, bonuses, chargebacks, taxes).
    pub async fn customer_activity(
        &mut self,
        customer_id: &str,
        limit: i64,
    ) -> Result<Vec<[String; 8]>> {
        let rows = sqlx::query(&format!(
            "SELECT date, deposits, withdrawals, bets, wins, bonuses, chargebacks, taxes FROM igaming_activity WHERE customer_id = $1 ORDER BY date DESC LIMIT {}",
            limit.clamp(1, 1000)
        ))
        .bind(customer_id)
        .fetch_all(&mut **self)
        .await?;
        rows.iter()
            .map(|r| {
                Ok([
                    r.try_get("date")?,
                    r.try_get("deposits")?,
                    r.try_get("withdrawals")?,
                    r.try_get("bets")?,
                    r.try_get("wins")?,
                    r.try_get("bonuses")?,
                    r.try_get("chargebacks")?,
                    r.try_get("taxes")?,
                ])
            })
            .collect()
    }

    /// The customer's latest trades (trade_id, symbol, instrument_group, lots, open_time, close_time, commission, spread_revenue).
    pub async fn customer_trades(
        &mut self,
        customer_id: &str,
        limit: i64,
    ) -> Result<Vec<[String; 8]>> {
        let rows = sqlx::query(&format!(
            "SELECT trade_id, symbol, instrument_group, lots, open_time, close_time, commission, spread_revenue FROM trades WHERE customer_id = $1 ORDER BY close_time DESC LIMIT {}",
            limit.clamp(1, 1000)
        ))
        .bind(customer_id)
        .fetch_all(&mut **self)
        .await?;
        rows.iter()
            .map(|r| {
                Ok([
                    r.try_get("trade_id")?,
                    r.try_get("symbol")?,
                    r.try_get("instrument_group")?,
                    r.try_get("lots")?,
                    r.try_get("open_time")?,
                    r.try_get("close_time")?,
                    r.try_get("commission")?,
                    r.try_get("spread_revenue")?,
                ])
            })
            .collect()
    }

    /// The customer's purchases (order_id, product, amount, coupon_code, purchased_at, refunded_at).
    pub async fn customer_purchases(
        &mut self,
        customer_id: &str,
    ) -> Result<
        Vec<(
            String,
            String,
            String,
            Option<String>,
            String,
            Option<String>,
        )>,
    > {
        Ok(sqlx::query_as(
            "SELECT order_id, product, amount, coupon_code, purchased_at, refunded_at FROM purchases WHERE customer_id = $1 ORDER BY purchased_at, order_id",
        )
        .bind(customer_id)
        .fetch_all(&mut **self)
        .await?)
    }

    /// One page of a period's lines with partner names, and how many match.
    pub async fn search_lines(
        &mut self,
        f: &LineFilter,
    ) -> Result<(i64, Vec<(StoredLine, String)>)> {
        let mut wheres = vec!["l.period = $1".to_string()];
        let mut binds = vec![f.period.clone()];
        let kind = f.kind.map(|k| k.as_str().to_string());
        for (col, v) in [
            ("l.partner_id", &f.partner_id),
            ("l.brand_id", &f.brand_id),
            ("l.kind", &kind),
        ] {
            if let Some(v) = v {
                binds.push(v.clone());
                wheres.push(format!("{col} = ${}", binds.len()));
            }
        }
        let where_sql = wheres.join(" AND ");
        let count_sql = format!("SELECT COUNT(*) FROM commission_lines l WHERE {where_sql}");
        let mut cq = sqlx::query_as::<_, (i64,)>(&count_sql);
        for b in &binds {
            cq = cq.bind(b);
        }
        let (total,) = cq.fetch_one(&mut **self).await?;
        let dir = if f.desc { "DESC" } else { "ASC" };
        let order = if f.by_amount {
            format!("l.amount_cents {dir}, l.partner_id")
        } else {
            format!("l.partner_id {dir}, l.brand_id, l.kind, l.origin_period")
        };
        let sql = format!(
            "SELECT l.*, COALESCE(p.name, '') AS partner_name FROM commission_lines l LEFT JOIN partners p ON p.partner_id = l.partner_id \
             WHERE {where_sql} ORDER BY {order} LIMIT {} OFFSET {}",
            f.limit.clamp(1, 1000),
            f.offset.max(0)
        );
        let mut q = sqlx::query(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        let rows = q.fetch_all(&mut **self).await?;
        let out = rows
            .iter()
            .map(|r| Ok((line_from_row(r)?, r.try_get::<String, _>("partner_name")?)))
            .collect::<Result<Vec<_>>>()?;
        Ok((total, out))
    }

    /// (brand_id, kind, currency, amount) of every line of a period, for totals.
    pub async fn line_amounts(
        &mut self,
        period: &str,
    ) -> Result<Vec<(String, String, String, String)>> {
        Ok(sqlx::query_as(
            "SELECT brand_id, kind, currency, amount FROM commission_lines WHERE period = $1",
        )
        .bind(period)
        .fetch_all(&mut **self)
        .await?)
    }

    /// plan_id → number of assignments using it.
    pub async fn plan_usage(&mut self) -> Result<Vec<(String, i64)>> {
        Ok(
            sqlx::query_as("SELECT plan_id, COUNT(*) FROM assignments GROUP BY plan_id")
                .fetch_all(&mut **self)
                .await?,
        )
    }
}

pub async fn insert_assignment(
    tx: &mut Tx<'_>,
    partner_id: &str,
    brand_id: &str,
    valid_from: &str,
    plan_id: &str,
    valid_to: Option<&str>,
) -> Result<()> {
    sqlx::query("INSERT INTO assignments (partner_id, brand_id, valid_from, plan_id, valid_to) VALUES ($1, $2, $3, $4, $5)")
        .bind(partner_id)
        .bind(brand_id)
        .bind(valid_from)
        .bind(plan_id)
        .bind(valid_to)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
