//! Postbacks out found in the stored data: the FTDs and purchases an
//! import or a sync made known, for partners that gave a URL for them and
//! that were not queued before (`postback_outbox.source`). One query per
//! call, whatever the number of rows an import wrote; the caller fills the
//! URLs and queues them in one multi-row insert.
//!
//! A positive deposit is told apart in SQL by its text (money is exact
//! decimal text, `crate::money::text`: no sign but `-`, no exponent), so
//! no float ever compares an amount: not negative, and a digit other than 0.

use crate::error::Result;
use crate::Tx;
use sqlx::Row;

/// `deposits > 0` for a deposits column holding exact decimal text.
const POSITIVE: &str =
    "(a.deposits NOT LIKE '-%' AND REPLACE(REPLACE(a.deposits, '0', ''), '.', '') <> '')";

/// Customers who earn for nobody (RULES.md: excluded, or of a country
/// blocked for the brand) are left out, as from every rule.
const COUNTED: &str = "c.status <> 'excluded' AND NOT EXISTS (SELECT 1 FROM brand_geo_blocks g \
     WHERE g.brand_id = c.brand_id AND g.country = c.country)";

/// A partner's URL for an event, with the partner's currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub partner_id: String,
    pub partner_currency: String,
    pub url_template: String,
    pub send_amount: bool,
}

/// An event found, not yet queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub partner_id: String,
    pub brand_id: String,
    pub brand_currency: String,
    pub customer_id: String,
    /// What the source is keyed by: the customer (FTD), the order (purchase).
    pub key: String,
    /// The code the partner is told (the customer's, or a purchase's coupon).
    pub code: Option<String>,
    /// The event's UTC day (YYYY-MM-DD).
    pub day: String,
    /// In the brand's currency (exact decimal text).
    pub amount: String,
    /// The click of the customer's registration postback, if any, and its sub-ids.
    pub click_id: Option<String>,
    pub subs: [Option<String>; 5],
}

/// What to look at: rows of periods from `from_period` on, and, when
/// given, only these customers (a sync's page).
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    pub from_period: &'a str,
    pub customers: Option<&'a [String]>,
}

/// The click of a customer's first registration postback with one, and
/// its sub-ids: wrapped around a query `x` that has `customer_id` and
/// `brand_id` columns.
fn with_click(inner: &str) -> String {
    format!(
        "SELECT x.*, k.sub1, k.sub2, k.sub3, k.sub4, k.sub5 FROM (SELECT y.*, \
         (SELECT e.click_id FROM postback_events e WHERE e.customer_id = y.customer_id \
          AND e.brand_id = y.brand_id AND e.event_type = 'registration' AND e.click_id IS NOT NULL \
          ORDER BY e.received_at LIMIT 1) AS click_id FROM ({inner}) y) x \
         LEFT JOIN clicks k ON k.click_id = x.click_id"
    )
}

/// `AND c.customer_id IN ($2, $3, …)` for a scope with customers (binds from `$2`).
fn customers_clause(scope: &Scope<'_>) -> String {
    match scope.customers {
        Some(ids) if !ids.is_empty() => {
            let marks: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
            format!(" AND c.customer_id IN ({})", marks.join(", "))
        }
        Some(_) => " AND 1 = 0".to_string(),
        None => String::new(),
    }
}

/// The click id and sub-ids [`with_click`] added to a row.
type Click = (Option<String>, [Option<String>; 5]);

fn click_of(r: &sqlx::any::AnyRow) -> Result<Click> {
    Ok((
        r.try_get("click_id")?,
        [
            r.try_get("sub1")?,
            r.try_get("sub2")?,
            r.try_get("sub3")?,
            r.try_get("sub4")?,
            r.try_get("sub5")?,
        ],
    ))
}

impl Tx<'_> {
    /// The rows of `inner` (with [`customers_clause`]) with their click,
    /// the scope's first period bound as `$1` and its customers after it.
    async fn fetch_scoped(
        &mut self,
        inner: &str,
        scope: &Scope<'_>,
    ) -> Result<Vec<sqlx::any::AnyRow>> {
        let sql = with_click(inner);
        let mut q = sqlx::query(&sql).bind(scope.from_period);
        for id in scope.customers.unwrap_or(&[]) {
            q = q.bind(id);
        }
        Ok(q.fetch_all(&mut **self).await?)
    }

    /// The partners' URLs for one event (with the partner's currency).
    pub async fn postback_targets(&mut self, event: &str) -> Result<Vec<Target>> {
        let rows = sqlx::query(
            "SELECT pp.partner_id, pa.currency, pp.url_template, pp.send_amount FROM partner_postbacks pp \
             JOIN partners pa ON pa.partner_id = pp.partner_id WHERE pp.event = $1 ORDER BY pp.partner_id",
        )
        .bind(event)
        .fetch_all(&mut **self)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Target {
                    partner_id: r.try_get(0)?,
                    partner_currency: r.try_get(1)?,
                    url_template: r.try_get(2)?,
                    send_amount: r.try_get::<i64, _>(3)? != 0,
                })
            })
            .collect()
    }

    /// FTDs (RULES.md: a customer's first day ever with deposits > 0) on
    /// or after the scope's first period, of customers attributed to a
    /// partner with an FTD URL, not queued yet. An FTD before the scope was
    /// known before it, and is not found again.
    pub async fn found_ftds(&mut self, scope: &Scope<'_>) -> Result<Vec<Found>> {
        let inner = format!(
            "SELECT tc.partner_id, c.brand_id, b.currency AS brand_currency, c.customer_id, c.tracking_code, \
             (SELECT a.date FROM igaming_activity a WHERE a.customer_id = c.customer_id AND {POSITIVE} \
              ORDER BY a.date LIMIT 1) AS day, \
             (SELECT a.deposits FROM igaming_activity a WHERE a.customer_id = c.customer_id AND {POSITIVE} \
              ORDER BY a.date LIMIT 1) AS amount \
             FROM partner_postbacks pp \
             JOIN tracking_codes tc ON tc.partner_id = pp.partner_id \
             JOIN customers c ON c.brand_id = tc.brand_id AND c.tracking_code = tc.code \
             JOIN brands b ON b.brand_id = c.brand_id \
             WHERE pp.event = 'ftd' AND {COUNTED}{} \
             AND EXISTS (SELECT 1 FROM igaming_activity a WHERE a.customer_id = c.customer_id \
                         AND a.period >= $1 AND {POSITIVE}) \
             AND NOT EXISTS (SELECT 1 FROM postback_outbox o \
                             WHERE o.source = 'ftd:' || c.brand_id || ':' || c.customer_id)",
            customers_clause(scope)
        );
        let rows = self.fetch_scoped(&inner, scope).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let day: Option<String> = r.try_get("day")?;
            let Some(day) = day else { continue };
            // Deposits before the scope: the FTD was known before.
            if day.get(..7).is_some_and(|p| p < scope.from_period) {
                continue;
            }
            let customer_id: String = r.try_get("customer_id")?;
            let (click_id, subs) = click_of(r)?;
            out.push(Found {
                partner_id: r.try_get("partner_id")?,
                brand_id: r.try_get("brand_id")?,
                brand_currency: r.try_get("brand_currency")?,
                key: customer_id.clone(),
                customer_id,
                code: r.try_get("tracking_code")?,
                day,
                amount: r
                    .try_get::<Option<String>, _>("amount")?
                    .unwrap_or_default(),
                click_id,
                subs,
            });
        }
        Ok(out)
    }

    /// Purchases of periods from the scope's first on, not queued yet,
    /// with the partner RULES.md attributes each to (the coupon's; else the
    /// customer's; else the partner of the customer's first earlier
    /// purchase with a partner coupon). Purchases attributed to nobody are
    /// left out; the caller keeps those of partners with a purchase URL.
    pub async fn found_purchases(&mut self, scope: &Scope<'_>) -> Result<Vec<Found>> {
        let inner = format!(
            "SELECT COALESCE(cp.partner_id, own.partner_id, \
               (SELECT t.partner_id FROM purchases q JOIN tracking_codes t \
                  ON t.brand_id = q.brand_id AND t.code = q.coupon_code AND t.kind = 'coupon' \
                WHERE q.customer_id = p.customer_id AND (q.purchased_at < p.purchased_at \
                  OR (q.purchased_at = p.purchased_at AND q.order_id < p.order_id)) \
                ORDER BY q.purchased_at, q.order_id LIMIT 1)) AS partner_id, \
             p.brand_id, b.currency AS brand_currency, p.customer_id, p.order_id, \
             COALESCE(cp.code, c.tracking_code) AS tracking_code, p.purchased_at, p.amount \
             FROM purchases p \
             JOIN customers c ON c.customer_id = p.customer_id \
             JOIN brands b ON b.brand_id = p.brand_id \
             LEFT JOIN tracking_codes cp ON cp.brand_id = p.brand_id AND cp.code = p.coupon_code AND cp.kind = 'coupon' \
             LEFT JOIN tracking_codes own ON own.brand_id = c.brand_id AND own.code = c.tracking_code \
             WHERE p.period >= $1 AND {COUNTED}{} \
             AND NOT EXISTS (SELECT 1 FROM postback_outbox o \
                             WHERE o.source = 'purchase:' || p.brand_id || ':' || p.order_id)",
            customers_clause(scope)
        );
        let rows = self.fetch_scoped(&inner, scope).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let partner: Option<String> = r.try_get("partner_id")?;
            let Some(partner_id) = partner else { continue };
            let at: String = r.try_get("purchased_at")?;
            let (click_id, subs) = click_of(r)?;
            out.push(Found {
                partner_id,
                brand_id: r.try_get("brand_id")?,
                brand_currency: r.try_get("brand_currency")?,
                customer_id: r.try_get("customer_id")?,
                key: r.try_get("order_id")?,
                code: r.try_get("tracking_code")?,
                day: at.get(..10).unwrap_or(&at).to_string(),
                amount: r.try_get("amount")?,
                click_id,
                subs,
            });
        }
        Ok(out)
    }

    /// Customers' brands and tracking codes, with the click of their
    /// registration postback (for qualified CPAs, found by a commission run).
    pub async fn postback_customers(&mut self, ids: &[String]) -> Result<Vec<Found>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 1)).collect();
            let inner = format!(
                "SELECT c.customer_id, c.brand_id, b.currency AS brand_currency, c.tracking_code \
                 FROM customers c JOIN brands b ON b.brand_id = c.brand_id \
                 WHERE c.customer_id IN ({})",
                marks.join(", ")
            );
            let sql = with_click(&inner);
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(id);
            }
            for r in &q.fetch_all(&mut **self).await? {
                let customer_id: String = r.try_get("customer_id")?;
                let (click_id, subs) = click_of(r)?;
                out.push(Found {
                    partner_id: String::new(),
                    brand_id: r.try_get("brand_id")?,
                    brand_currency: r.try_get("brand_currency")?,
                    key: customer_id.clone(),
                    customer_id,
                    code: r.try_get("tracking_code")?,
                    day: String::new(),
                    amount: String::new(),
                    click_id,
                    subs,
                });
            }
        }
        Ok(out)
    }
}
