//! What reports read of the commission lines, never their explanations: a
//! line's amount with its keys ([`LineAmount`]), and the customers a
//! period's own CPA lines paid (`commission_qualifiers`), which the run
//! writes and replaces with the lines it belongs to.

use super::StoredLine;
use crate::batch::{Batch, Val};
use crate::error::Result;
use crate::money::dec;
use crate::Tx;
use partnerdesk_domain::commission::Kind;
use partnerdesk_domain::Period;
use rust_decimal::Decimal;
use sqlx::Row;

/// A stored line as money measures read it: no explanation (a month's
/// lines carry tens of MB of them at scale L).
#[derive(Debug, Clone, PartialEq)]
pub struct LineAmount {
    pub period: Period,
    pub brand_id: String,
    pub partner_id: String,
    pub kind: Kind,
    pub currency: String,
    /// Rounded, in the partner's currency (as exported).
    pub amount: Decimal,
    /// For adjustments, the closed period whose late data it books.
    pub origin_period: Option<Period>,
}

/// Qualified CPAs counted per (period, brand, partner, country, tracking
/// code, currency).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualifierCount {
    pub period: Period,
    pub brand_id: String,
    pub partner_id: String,
    /// As the run saw it when it paid the customer.
    pub country: String,
    /// The customer's code now ('' when not asked for, or none).
    pub tracking_code: String,
    /// The CPA line's (the partner's) currency.
    pub currency: String,
    pub count: i64,
}

const QUALIFIER_COLUMNS: [&str; 6] = [
    "period",
    "partner_id",
    "brand_id",
    "customer_id",
    "country",
    "currency",
];

/// A period's own lines' qualifier rows.
fn qualifier_rows(lines: &[StoredLine]) -> impl Iterator<Item = Vec<Val>> + '_ {
    lines
        .iter()
        .filter(|l| l.origin_period.is_none() && l.line.kind == Kind::Cpa)
        .flat_map(|l| {
            let x = &l.line;
            x.qualifiers().into_iter().map(move |q| {
                vec![
                    x.period.to_string().into(),
                    x.partner_id.as_str().into(),
                    x.brand_id.as_str().into(),
                    q.customer_id.into(),
                    q.country.into(),
                    x.currency.as_str().into(),
                ]
            })
        })
}

const DELETE_QUALIFIERS: &str = "DELETE FROM commission_qualifiers WHERE period = $1";

/// Replaces a period's qualifier rows with those of its own `lines` (in the
/// transaction that replaces the lines).
pub(super) async fn replace_qualifiers(
    tx: &mut Tx<'_>,
    period: Period,
    lines: &[StoredLine],
) -> Result<()> {
    sqlx::query(DELETE_QUALIFIERS)
        .bind(period.to_string())
        .execute(&mut **tx)
        .await?;
    let mut b = Batch::new("commission_qualifiers", &QUALIFIER_COLUMNS, "");
    for row in qualifier_rows(lines) {
        b.push(tx, row).await?;
    }
    b.flush(tx).await
}

/// [`replace_qualifiers`] through SQLite's own API (the run's native write).
pub(super) fn replace_qualifiers_natively(
    tx: &rusqlite::Transaction<'_>,
    period: Period,
    lines: &[StoredLine],
) -> Result<()> {
    tx.execute(&DELETE_QUALIFIERS.replace("$1", "?1"), [period.to_string()])?;
    let mut insert = tx.prepare(&format!(
        "INSERT INTO commission_qualifiers ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        QUALIFIER_COLUMNS.join(", ")
    ))?;
    for row in qualifier_rows(lines) {
        insert.execute(rusqlite::params_from_iter(row))?;
    }
    Ok(())
}

impl Tx<'_> {
    /// Every stored line of the periods `from..=to`, adjustments included,
    /// without explanations, in no particular order: one query.
    pub async fn report_line_amounts(
        &mut self,
        from: Period,
        to: Period,
    ) -> Result<Vec<LineAmount>> {
        use futures_util::TryStreamExt;
        let mut rows = sqlx::query(
            "SELECT period, brand_id, partner_id, kind, currency, amount, origin_period \
             FROM commission_lines WHERE period >= $1 AND period <= $2",
        )
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch(&mut **self);
        let mut out = Vec::new();
        while let Some(r) = rows.try_next().await? {
            out.push(LineAmount {
                period: crate::words::period(&r, "commission_lines", "period")?,
                brand_id: r.try_get("brand_id")?,
                partner_id: r.try_get("partner_id")?,
                kind: crate::words::column(&r, "commission_lines", "kind")?,
                currency: r.try_get("currency")?,
                amount: dec(&r.try_get::<String, _>("amount")?)?,
                origin_period: crate::words::blank_or_period(
                    &r,
                    "commission_lines",
                    "origin_period",
                )?,
            });
        }
        Ok(out)
    }

    /// The qualified CPAs of the periods `from..=to` counted per (period,
    /// brand, partner, country, currency) and, with `by_code`, the
    /// customer's tracking code as stored now: one grouped query.
    pub async fn qualifier_counts(
        &mut self,
        from: Period,
        to: Period,
        brand: Option<&str>,
        by_code: bool,
    ) -> Result<Vec<QualifierCount>> {
        // PostgreSQL groups by no constant: the code is grouped only when
        // it is read.
        let (code, join, group_code) = if by_code {
            (
                "COALESCE(c.tracking_code, '')",
                "LEFT JOIN customers c ON c.customer_id = q.customer_id",
                ", COALESCE(c.tracking_code, '')",
            )
        } else {
            ("''", "", "")
        };
        let brand_filter = if brand.is_some() {
            " AND q.brand_id = $3"
        } else {
            ""
        };
        let sql = format!(
            "SELECT q.period, q.brand_id, q.partner_id, q.country, q.currency, {code} AS code, COUNT(*) AS n \
             FROM commission_qualifiers q {join} \
             WHERE q.period >= $1 AND q.period <= $2{brand_filter} \
             GROUP BY q.period, q.brand_id, q.partner_id, q.country, q.currency{group_code}"
        );
        let mut query = sqlx::query(&sql)
            .bind(from.to_string())
            .bind(to.to_string());
        if let Some(b) = brand {
            query = query.bind(b.to_string());
        }
        let rows = query.fetch_all(&mut **self).await?;
        rows.iter()
            .map(|r| {
                Ok(QualifierCount {
                    period: crate::words::period(r, "commission_qualifiers", "period")?,
                    brand_id: r.try_get("brand_id")?,
                    partner_id: r.try_get("partner_id")?,
                    country: r.try_get("country")?,
                    tracking_code: r.try_get("code")?,
                    currency: r.try_get("currency")?,
                    count: r.try_get("n")?,
                })
            })
            .collect()
    }
}
