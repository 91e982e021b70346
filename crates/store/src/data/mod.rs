//! The money data (RULES.md's import folder): bulk writers for imports and
//! readers for the engine. Decimals are exact text; times fixed-width UTC text.

use crate::batch::{Batch, Val};
use crate::error::{Result, StoreError};
use crate::money::{dec, text};
use crate::{Store, Tx};
use partnerdesk_domain::data::{
    time_to_text, ActivityDay, Assignment, Customer, CustomerStatus, DayAmounts, FxRate, Purchase,
    Trade, TradeFigures,
};
use partnerdesk_domain::partner::Brand;
use partnerdesk_domain::{CountryCode, CurrencyCode, Id, Period};
use rust_decimal::Decimal;
use std::borrow::Cow;

mod chunks;

use chunks::{activity_chunk, trade_chunk};
pub use chunks::{ActivityChunk, TradeChunk};

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

fn id(s: String) -> Result<Id> {
    Id::from_string("id", s).map_err(corrupt)
}

fn time(s: &str) -> Result<chrono::DateTime<chrono::Utc>> {
    partnerdesk_domain::data::parse_time("time", s).map_err(corrupt)
}

/// Column `i` of a row read with [`crate::json_rows::read_in_chunks`], which must not be NULL.
fn cell<'a>(cells: &[Option<&'a str>], i: usize, name: &str) -> Result<&'a str> {
    cells
        .get(i)
        .copied()
        .flatten()
        .ok_or_else(|| corrupt(format!("a stored {name} is empty")))
}

pub fn brands_batch() -> Batch {
    Batch::new(
        "brands",
        &["brand_id", "name", "vertical", "currency", "created_at", "updated_at"],
        " ON CONFLICT (brand_id) DO UPDATE SET name = excluded.name, vertical = excluded.vertical, currency = excluded.currency, updated_at = excluded.updated_at",
    )
}

pub fn brand_values(b: &Brand, now: &str) -> Vec<Val> {
    vec![
        b.id.as_str().into(),
        b.name.as_str().into(),
        b.vertical.as_str().into(),
        b.currency.as_str().into(),
        now.into(),
        now.into(),
    ]
}

pub fn geo_blocks_batch() -> Batch {
    Batch::upsert(
        "brand_geo_blocks",
        &["brand_id", "country"],
        &["brand_id", "country"],
    )
}

/// Partners from an import: only the import's columns are replaced; tags,
/// notes, contacts and archiving made in the app stay. A partner the import
/// changes moves on a version (see `partners::update_partner`), so an edit
/// opened before the import is refused instead of undoing it.
pub fn partners_import_batch() -> Batch {
    const CHANGED: &str = "(partners.name IS DISTINCT FROM excluded.name OR partners.kind IS DISTINCT FROM excluded.kind \
        OR partners.parent_id IS DISTINCT FROM excluded.parent_id OR partners.email IS DISTINCT FROM excluded.email \
        OR partners.country IS DISTINCT FROM excluded.country OR partners.currency IS DISTINCT FROM excluded.currency \
        OR partners.status IS DISTINCT FROM excluded.status)";
    Batch::new(
        "partners",
        &crate::partners::PARTNER_COLUMNS,
        &format!(
            " ON CONFLICT (partner_id) DO UPDATE SET name = excluded.name, kind = excluded.kind, parent_id = excluded.parent_id, \
              email = excluded.email, country = excluded.country, currency = excluded.currency, status = excluded.status, \
              search_text = excluded.search_text, updated_at = excluded.updated_at, \
              row_version = CASE WHEN {CHANGED} THEN partners.row_version + 1 ELSE partners.row_version END, \
              updated_by = CASE WHEN {CHANGED} THEN excluded.updated_by ELSE partners.updated_by END"
        ),
    )
}

pub fn assignments_batch() -> Batch {
    Batch::upsert(
        "assignments",
        &[
            "partner_id",
            "brand_id",
            "valid_from",
            "plan_id",
            "valid_to",
        ],
        &["partner_id", "brand_id", "valid_from"],
    )
}

pub fn assignment_values(a: &Assignment) -> Vec<Val> {
    vec![
        a.partner_id.as_str().into(),
        a.brand_id.as_str().into(),
        a.valid_from.to_string().into(),
        a.plan_id.as_str().into(),
        Val::OptText(a.valid_to.map(|p| p.to_string())),
    ]
}

pub fn tracking_codes_batch() -> Batch {
    Batch::upsert(
        "tracking_codes",
        &["brand_id", "code", "partner_id", "kind"],
        &["brand_id", "code"],
    )
}

/// The columns of a customer's row, in the order of [`customer_values`]
/// (also sync's target, `crate::sync::CUSTOMERS`).
pub(crate) const CUSTOMER_COLUMNS: [&str; 6] = [
    "customer_id",
    "brand_id",
    "tracking_code",
    "country",
    "registered_at",
    "status",
];

pub fn customers_batch() -> Batch {
    Batch::upsert("customers", &CUSTOMER_COLUMNS, &["customer_id"])
}

/// The customers' index by tracking code, as the migrations create it.
const CUSTOMERS_CODE_INDEX: &str =
    "CREATE INDEX customers_code ON customers (brand_id, tracking_code)";

/// Before writing `incoming` customers into a table of `stored`: on SQLite,
/// when they are many (at least as many as are stored, and thousands), the
/// customers' index by tracking code is dropped, and
/// [`restore_customers_code_index`] builds it again once they are written.
/// Kept up to date a row at a time that index cost 4.3 s of a million
/// customers, built afterwards 1.2 s. Both steps run in the import's
/// transaction, so an import that fails gives the index back as it was.
/// Returns whether the index was dropped.
pub async fn drop_customers_code_index_for(
    tx: &mut Tx<'_>,
    incoming: usize,
    stored: usize,
) -> Result<bool> {
    if crate::json_rows::on_postgres(tx) || incoming < 5_000 || incoming < stored {
        return Ok(false);
    }
    sqlx::query("DROP INDEX customers_code")
        .execute(&mut **tx)
        .await?;
    Ok(true)
}

/// Builds the index [`drop_customers_code_index_for`] dropped.
pub async fn restore_customers_code_index(tx: &mut Tx<'_>) -> Result<()> {
    sqlx::query(CUSTOMERS_CODE_INDEX).execute(&mut **tx).await?;
    Ok(())
}

pub fn customer_values(c: &Customer) -> Vec<Val> {
    vec![
        c.customer_id.as_str().into(),
        c.brand_id.as_str().into(),
        Val::OptText(c.tracking_code.clone()),
        // An unknown country is stored as empty text (the column is NOT NULL).
        c.country.as_ref().map_or("", |k| k.as_str()).into(),
        time_to_text(&c.registered_at).into(),
        c.status.as_str().into(),
    ]
}

/// The columns of an activity day's row, in the order of
/// [`activity_values`] (also sync's target, `crate::sync::ACTIVITY`).
pub(crate) const ACTIVITY_COLUMNS: [&str; 11] = [
    "customer_id",
    "date",
    "brand_id",
    "period",
    "deposits",
    "withdrawals",
    "bets",
    "wins",
    "bonuses",
    "chargebacks",
    "taxes",
];

pub fn activity_batch() -> Batch {
    Batch::upsert(
        "igaming_activity",
        &ACTIVITY_COLUMNS,
        &["customer_id", "date"],
    )
}

pub fn activity_values(a: &ActivityDay) -> Vec<Val> {
    vec![
        a.customer_id.as_str().into(),
        a.date.to_string().into(),
        a.brand_id.as_str().into(),
        Period::of(a.date).to_string().into(),
        text(a.deposits).into(),
        text(a.withdrawals).into(),
        text(a.bets).into(),
        text(a.wins).into(),
        text(a.bonuses).into(),
        text(a.chargebacks).into(),
        text(a.taxes).into(),
    ]
}

/// The columns of a trade's row, in the order of [`trade_values`] (also
/// sync's target, `crate::sync::TRADES`).
pub(crate) const TRADE_COLUMNS: [&str; 11] = [
    "trade_id",
    "customer_id",
    "brand_id",
    "symbol",
    "instrument_group",
    "lots",
    "open_time",
    "close_time",
    "period",
    "commission",
    "spread_revenue",
];

pub fn trades_batch() -> Batch {
    Batch::upsert("trades", &TRADE_COLUMNS, &["trade_id"])
}

pub fn trade_values(t: &Trade) -> Vec<Val> {
    vec![
        t.trade_id.as_str().into(),
        t.customer_id.as_str().into(),
        t.brand_id.as_str().into(),
        t.symbol.as_str().into(),
        t.instrument_group.as_str().into(),
        text(t.lots).into(),
        time_to_text(&t.open_time).into(),
        time_to_text(&t.close_time).into(),
        Period::of(t.close_time.date_naive()).to_string().into(),
        text(t.commission).into(),
        text(t.spread_revenue).into(),
    ]
}

/// The columns of a purchase's row, in the order of [`purchase_values`]
/// (also sync's target, `crate::sync::PURCHASES`).
pub(crate) const PURCHASE_COLUMNS: [&str; 10] = [
    "order_id",
    "customer_id",
    "brand_id",
    "product",
    "amount",
    "coupon_code",
    "purchased_at",
    "refunded_at",
    "period",
    "refund_period",
];

pub fn purchases_batch() -> Batch {
    Batch::upsert("purchases", &PURCHASE_COLUMNS, &["order_id"])
}

pub fn purchase_values(p: &Purchase) -> Vec<Val> {
    vec![
        p.order_id.as_str().into(),
        p.customer_id.as_str().into(),
        p.brand_id.as_str().into(),
        p.product.as_str().into(),
        text(p.amount).into(),
        Val::OptText(p.coupon_code.clone()),
        time_to_text(&p.purchased_at).into(),
        Val::OptText(p.refunded_at.as_ref().map(time_to_text)),
        Period::of(p.purchased_at.date_naive()).to_string().into(),
        Val::OptText(
            p.refunded_at
                .map(|r| Period::of(r.date_naive()).to_string()),
        ),
    ]
}

pub fn fx_batch() -> Batch {
    Batch::upsert(
        "fx_rates",
        &["date", "base", "quote", "rate"],
        &["date", "base", "quote"],
    )
}

pub fn fx_values(r: &FxRate) -> Vec<Val> {
    vec![
        r.date.to_string().into(),
        r.base.as_str().into(),
        r.quote.as_str().into(),
        text(r.rate).into(),
    ]
}

/// Stores a new version of a plan.
pub async fn insert_plan_version(
    tx: &mut Tx<'_>,
    plan_id: &str,
    version: i64,
    name: &str,
    content: &str,
    now: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO plans (plan_id, version, name, content, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(plan_id)
        .bind(version)
        .bind(name)
        .bind(content)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A stored plan version.
#[derive(Debug, Clone)]
pub struct PlanVersion {
    pub plan_id: String,
    pub version: i64,
    pub name: String,
    pub content: String,
    pub created_at: String,
}

impl Store {
    /// Every customer's (id, brand), in id order: what an import checks its
    /// rows' customers against. Read in chunks (a million customers a row at
    /// a time through the driver took about 2.5 s of a one-day import).
    pub async fn customer_brands(&self) -> Result<Vec<(String, String)>> {
        crate::json_rows::read_in_chunks(
            self,
            ("customers", "customer_id, brand_id"),
            None,
            50_000,
            |r: &(String, String)| &r.0,
            |c| {
                Ok((
                    cell(c, 0, "customer_id")?.to_string(),
                    cell(c, 1, "brand_id")?.to_string(),
                ))
            },
        )
        .await
    }

    pub async fn customers(&self) -> Result<Vec<Customer>> {
        self.customers_in_chunks(50_000).await
    }

    /// [`Store::customers`] read `chunk` rows at a time (tests use small chunks).
    #[doc(hidden)]
    pub async fn customers_in_chunks(&self, chunk: i64) -> Result<Vec<Customer>> {
        crate::json_rows::read_in_chunks(
            self,
            (
                "customers",
                "customer_id, brand_id, tracking_code, country, registered_at, status",
            ),
            None,
            chunk,
            |c: &Customer| c.customer_id.as_str(),
            |c| {
                Ok(Customer {
                    customer_id: id(cell(c, 0, "customer_id")?.to_string())?,
                    brand_id: id(cell(c, 1, "brand_id")?.to_string())?,
                    tracking_code: c.get(2).copied().flatten().map(str::to_string),
                    country: match cell(c, 3, "country")? {
                        "" => None,
                        k => Some(CountryCode::parse("country", k).map_err(corrupt)?),
                    },
                    registered_at: time(cell(c, 4, "registered_at")?)?,
                    status: CustomerStatus::parse("status", cell(c, 5, "status")?)
                        .map_err(corrupt)?,
                })
            },
        )
        .await
    }

    pub async fn purchases(&self) -> Result<Vec<Purchase>> {
        self.purchases_in_chunks(50_000).await
    }

    /// [`Store::purchases`] read `chunk` rows at a time (tests use small chunks).
    #[doc(hidden)]
    pub async fn purchases_in_chunks(&self, chunk: i64) -> Result<Vec<Purchase>> {
        self.purchases_where(None, chunk).await
    }

    /// Every purchase of each customer with a purchase or a refund in
    /// `from` or later, in order id order: all a run that resumes at `from`
    /// needs (see `World::purchases_from`), a few thousand rows where all of
    /// them are hundreds of thousands.
    pub async fn purchases_touching(&self, from: Period) -> Result<Vec<Purchase>> {
        // A period's text is digits and a dash: written into the query as it is.
        let filter = format!(
            "customer_id IN (SELECT customer_id FROM purchases WHERE period >= '{from}' \
             UNION SELECT customer_id FROM purchases WHERE refund_period >= '{from}')"
        );
        self.purchases_where(Some(filter), 50_000).await
    }

    async fn purchases_where(&self, filter: Option<String>, chunk: i64) -> Result<Vec<Purchase>> {
        crate::json_rows::read_in_chunks(
            self,
            (
                "purchases",
                "order_id, customer_id, brand_id, product, amount, coupon_code, purchased_at, refunded_at",
            ),
            filter,
            chunk,
            |p: &Purchase| p.order_id.as_str(),
            |c| {
                Ok(Purchase {
                    order_id: id(cell(c, 0, "order_id")?.to_string())?,
                    customer_id: id(cell(c, 1, "customer_id")?.to_string())?,
                    brand_id: id(cell(c, 2, "brand_id")?.to_string())?,
                    product: cell(c, 3, "product")?.to_string(),
                    amount: dec(cell(c, 4, "amount")?)?,
                    coupon_code: c.get(5).copied().flatten().map(str::to_string),
                    purchased_at: time(cell(c, 6, "purchased_at")?)?,
                    refunded_at: c.get(7).copied().flatten().map(time).transpose()?,
                })
            },
        )
        .await
    }

    /// The activity rows of a period, read in the background a chunk at a
    /// time (see [`crate::json_rows::chunks_in_period`]).
    pub fn activity_chunks(&self, period: Period) -> crate::PeriodChunks<ActivityChunk> {
        self.activity_chunks_of(period, crate::json_rows::PERIOD_CHUNK)
    }

    #[doc(hidden)] // [`Self::activity_chunks`] with chunks of `chunk` rows, for tests
    pub fn activity_chunks_of(
        &self,
        period: Period,
        chunk: i64,
    ) -> crate::PeriodChunks<ActivityChunk> {
        crate::json_rows::chunks_in_period(
            self,
            "igaming_activity",
            "customer_id, date, deposits, withdrawals, bets, wins, bonuses, chargebacks, taxes",
            period.to_string(),
            chunk,
            activity_chunk,
        )
    }

    /// The trades closed in a period, read in the background a chunk at a time.
    pub fn trade_chunks(&self, period: Period) -> crate::PeriodChunks<TradeChunk> {
        self.trade_chunks_of(period, crate::json_rows::PERIOD_CHUNK)
    }

    #[doc(hidden)] // [`Self::trade_chunks`] with chunks of `chunk` rows, for tests
    pub fn trade_chunks_of(&self, period: Period, chunk: i64) -> crate::PeriodChunks<TradeChunk> {
        crate::json_rows::chunks_in_period(
            self,
            "trades",
            "trade_id, customer_id, instrument_group, lots, open_time, close_time, commission, spread_revenue",
            period.to_string(),
            chunk,
            trade_chunk,
        )
    }
}

impl Tx<'_> {
    /// Those of `ids` that have stored activity, trades or purchases (the
    /// customers that may not move to another brand). For the few
    /// customers an import or a sync would move: one lookup each.
    pub async fn customers_with_rows(&mut self, ids: &[&str]) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for id in ids {
            for table in ["igaming_activity", "trades", "purchases"] {
                let sql = format!("SELECT customer_id FROM {table} WHERE customer_id = $1 LIMIT 1");
                let found: Option<(String,)> = sqlx::query_as(&sql)
                    .bind(*id)
                    .fetch_optional(&mut **self)
                    .await?;
                if found.is_some() {
                    out.push(id.to_string());
                    break;
                }
            }
        }
        Ok(out)
    }

    pub async fn brand_list(&mut self) -> Result<Vec<Brand>> {
        let rows = self.brands().await?;
        rows.into_iter()
            .map(|b| {
                Ok(Brand {
                    id: id(b.brand_id)?,
                    name: b.name,
                    vertical: b.vertical,
                    currency: b.currency,
                })
            })
            .collect()
    }

    /// Every stored version of every plan, oldest first.
    pub async fn plan_versions(&mut self) -> Result<Vec<PlanVersion>> {
        let rows: Vec<(String, i64, String, String, String)> =
            sqlx::query_as("SELECT plan_id, version, name, content, created_at FROM plans ORDER BY plan_id, version").fetch_all(&mut **self).await?;
        Ok(rows
            .into_iter()
            .map(
                |(plan_id, version, name, content, created_at)| PlanVersion {
                    plan_id,
                    version,
                    name,
                    content,
                    created_at,
                },
            )
            .collect())
    }

    pub async fn assignments(&mut self) -> Result<Vec<Assignment>> {
        let mut rows: Vec<(String, String, String, String, Option<String>)> =
            crate::json_rows::read_all(
                self,
                "partner_id, brand_id, valid_from, plan_id, valid_to",
                "FROM assignments",
                "assignments",
            )
            .await?;
        // By partner, brand and first period (byte order, as on SQLite).
        rows.sort_unstable_by(|a, b| (&a.0, &a.1, &a.2).cmp(&(&b.0, &b.1, &b.2)));
        rows.into_iter()
            .map(|(p, b, from, plan, to)| {
                Ok(Assignment {
                    partner_id: id(p)?,
                    brand_id: id(b)?,
                    plan_id: id(plan)?,
                    valid_from: Period::parse("valid_from", &from).map_err(corrupt)?,
                    valid_to: to
                        .map(|t| Period::parse("valid_to", &t))
                        .transpose()
                        .map_err(corrupt)?,
                })
            })
            .collect()
    }

    pub async fn fx_rates(&mut self) -> Result<Vec<FxRate>> {
        let rows: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT date, base, quote, rate FROM fx_rates ORDER BY date, base, quote",
        )
        .fetch_all(&mut **self)
        .await?;
        rows.into_iter()
            .map(|(d, b, q, r)| {
                Ok(FxRate {
                    date: partnerdesk_domain::data::parse_date("date", &d).map_err(corrupt)?,
                    base: CurrencyCode::parse("base", &b).map_err(corrupt)?,
                    quote: CurrencyCode::parse("quote", &q).map_err(corrupt)?,
                    rate: dec(&r)?,
                })
            })
            .collect()
    }

    /// The first period holding any activity, trade or purchase.
    pub async fn first_data_period(&mut self) -> Result<Option<Period>> {
        let row: (Option<String>, Option<String>, Option<String>) = sqlx::query_as(
            "SELECT (SELECT MIN(period) FROM igaming_activity), (SELECT MIN(period) FROM trades), (SELECT MIN(period) FROM purchases)",
        )
        .fetch_one(&mut **self)
        .await?;
        let mut best: Option<Period> = None;
        for p in [row.0, row.1, row.2].into_iter().flatten() {
            let p = Period::parse("period", &p).map_err(corrupt)?;
            best = Some(best.map_or(p, |b| b.min(p)));
        }
        Ok(best)
    }
}
