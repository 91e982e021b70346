//! The partner ledger: entries are inserted, never updated or deleted (the
//! database refuses both with a trigger). Sums are done in Rust.

use crate::batch::{Batch, Val};
use crate::error::{Result, StoreError};
use crate::money::dec;
use crate::words::period_text;
use crate::Tx;
use partnerdesk_domain::commission::Kind as LineKind;
use partnerdesk_domain::ledger::{AdjustmentState, EntryKind};
use partnerdesk_domain::{CurrencyCode, Period};
use rust_decimal::Decimal;
use sqlx::Row;

/// An entry to post.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub partner_id: String,
    pub currency: CurrencyCode,
    pub kind: EntryKind,
    /// Whole cents, signed.
    pub amount: Decimal,
    pub effective_date: String,
    /// The period it belongs to (None: a manual adjustment, or a payout of
    /// a run by pay date alone; stored as '').
    pub period: Option<Period>,
    pub brand_id: String,
    /// A commission entry's line kind; stored as '' for other entries.
    pub line_kind: Option<LineKind>,
    /// The closed period a late-data adjustment corrects (else None, '').
    pub origin_period: Option<Period>,
    /// What posted it; unique across the ledger.
    pub source: String,
    pub reverses: Option<i64>,
    pub run_id: Option<i64>,
    pub reason: String,
}

impl NewEntry {
    /// An entry of `kind` in `currency` with every other field empty, to fill in.
    pub fn of(kind: EntryKind, currency: CurrencyCode) -> NewEntry {
        NewEntry {
            partner_id: String::new(),
            currency,
            kind,
            amount: Decimal::ZERO,
            effective_date: String::new(),
            period: None,
            brand_id: String::new(),
            line_kind: None,
            origin_period: None,
            source: String::new(),
            reverses: None,
            run_id: None,
            reason: String::new(),
        }
    }
}

/// A stored entry, with the payout run that claimed it, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryRecord {
    pub entry_id: i64,
    pub partner_id: String,
    pub currency: CurrencyCode,
    pub kind: EntryKind,
    pub amount: Decimal,
    pub effective_date: String,
    /// None: stored as '' (see [`NewEntry::period`]).
    pub period: Option<Period>,
    pub brand_id: String,
    /// A commission entry's line kind; stored as '' for other entries.
    pub line_kind: Option<LineKind>,
    /// None: stored as '' (see [`NewEntry::origin_period`]).
    pub origin_period: Option<Period>,
    pub source: String,
    pub reverses: Option<i64>,
    pub run_id: Option<i64>,
    pub reason: String,
    pub posted_at: String,
    pub posted_by: String,
    pub claimed_by_run: Option<i64>,
}

const COLUMNS: [&str; 15] = [
    "partner_id",
    "currency",
    "kind",
    "amount",
    "effective_date",
    "period",
    "brand_id",
    "line_kind",
    "origin_period",
    "source",
    "reverses",
    "run_id",
    "reason",
    "posted_at",
    "posted_by",
];

/// The stored text of a line kind: its word, or '' when there is none.
pub fn line_kind_text(k: Option<LineKind>) -> &'static str {
    k.map_or("", |k| k.as_str())
}

fn line_kind_of(raw: &str) -> Result<Option<LineKind>> {
    match raw {
        "" => Ok(None),
        k => crate::words::word("ledger_entries", "line_kind", k).map(Some),
    }
}

fn amount_text(d: Decimal) -> String {
    let mut a = d;
    a.rescale(2);
    a.to_string()
}

fn values(e: &NewEntry, at: &str, by: &str) -> Vec<Val> {
    vec![
        e.partner_id.as_str().into(),
        e.currency.as_str().into(),
        e.kind.as_str().into(),
        amount_text(e.amount).into(),
        e.effective_date.as_str().into(),
        period_text(e.period).into(),
        e.brand_id.as_str().into(),
        line_kind_text(e.line_kind).into(),
        period_text(e.origin_period).into(),
        e.source.as_str().into(),
        Val::OptInt(e.reverses),
        Val::OptInt(e.run_id),
        e.reason.as_str().into(),
        at.into(),
        by.into(),
    ]
}

fn translate(e: StoreError) -> StoreError {
    match e {
        StoreError::Db(db) => {
            StoreError::translate(db, "ledger", "this ledger entry (same source)")
        }
        other => other,
    }
}

/// Posts many entries (a closed period's lines).
pub async fn post_entries(
    tx: &mut Tx<'_>,
    entries: &[NewEntry],
    at: &str,
    by: &str,
) -> Result<u64> {
    let mut b = Batch::new("ledger_entries", &COLUMNS, "");
    for e in entries {
        b.push(tx, values(e, at, by)).await.map_err(translate)?;
    }
    b.flush(tx).await.map_err(translate)?;
    Ok(b.written)
}

/// Posts one entry and returns its id.
pub async fn post_entry(tx: &mut Tx<'_>, e: &NewEntry, at: &str, by: &str) -> Result<i64> {
    let placeholders: Vec<String> = (1..=COLUMNS.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "INSERT INTO ledger_entries ({}) VALUES ({}) RETURNING entry_id",
        COLUMNS.join(", "),
        placeholders.join(", ")
    );
    let row = sqlx::query(&sql)
        .bind(&e.partner_id)
        .bind(e.currency.as_str())
        .bind(e.kind.as_str())
        .bind(amount_text(e.amount))
        .bind(&e.effective_date)
        .bind(period_text(e.period))
        .bind(&e.brand_id)
        .bind(line_kind_text(e.line_kind))
        .bind(period_text(e.origin_period))
        .bind(&e.source)
        .bind(e.reverses)
        .bind(e.run_id)
        .bind(&e.reason)
        .bind(at)
        .bind(by)
        .fetch_one(&mut **tx)
        .await
        .map_err(|x| StoreError::translate(x, "ledger", "this ledger entry (same source)"))?;
    Ok(row.try_get::<i64, _>(0)?)
}

const SELECT: &str = "SELECT e.entry_id, e.partner_id, e.currency, e.kind, e.amount, e.effective_date, e.period, e.brand_id, e.line_kind, e.origin_period, e.source, e.reverses, e.run_id, e.reason, e.posted_at, e.posted_by, c.run_id AS claimed_by_run FROM ledger_entries e LEFT JOIN payout_claims c ON c.entry_id = e.entry_id";

fn record(r: &sqlx::any::AnyRow) -> Result<EntryRecord> {
    Ok(EntryRecord {
        entry_id: r.try_get("entry_id")?,
        partner_id: r.try_get("partner_id")?,
        currency: crate::words::currency(r, "ledger_entries", "currency")?,
        kind: crate::words::column(r, "ledger_entries", "kind")?,
        amount: dec(&r.try_get::<String, _>("amount")?)?,
        effective_date: r.try_get("effective_date")?,
        period: crate::words::blank_or_period(r, "ledger_entries", "period")?,
        brand_id: r.try_get("brand_id")?,
        line_kind: line_kind_of(&r.try_get::<String, _>("line_kind")?)?,
        origin_period: crate::words::blank_or_period(r, "ledger_entries", "origin_period")?,
        source: r.try_get("source")?,
        reverses: r.try_get("reverses")?,
        run_id: r.try_get("run_id")?,
        reason: r.try_get("reason")?,
        posted_at: r.try_get("posted_at")?,
        posted_by: r.try_get("posted_by")?,
        claimed_by_run: r.try_get("claimed_by_run")?,
    })
}

impl Tx<'_> {
    /// A partner's entries in posting order.
    pub async fn ledger_entries(&mut self, partner_id: &str) -> Result<Vec<EntryRecord>> {
        let rows = sqlx::query(&format!(
            "{SELECT} WHERE e.partner_id = $1 ORDER BY e.effective_date, e.entry_id"
        ))
        .bind(partner_id)
        .fetch_all(&mut **self)
        .await?;
        rows.iter().map(record).collect()
    }

    /// Every entry (the check command; statements in bulk).
    pub async fn all_ledger_entries(&mut self) -> Result<Vec<EntryRecord>> {
        let rows = sqlx::query(&format!(
            "{SELECT} ORDER BY e.partner_id, e.effective_date, e.entry_id"
        ))
        .fetch_all(&mut **self)
        .await?;
        rows.iter().map(record).collect()
    }

    pub async fn ledger_entry(&mut self, entry_id: i64) -> Result<EntryRecord> {
        let row = sqlx::query(&format!("{SELECT} WHERE e.entry_id = $1"))
            .bind(entry_id)
            .fetch_optional(&mut **self)
            .await?;
        match row {
            Some(r) => record(&r),
            None => Err(StoreError::NotFound {
                what: "ledger entry",
                id: entry_id.to_string(),
            }),
        }
    }
}

/// A manual adjustment (or a reversal) waiting for, or past, its second user.
#[derive(Debug, Clone, PartialEq)]
pub struct AdjustmentRecord {
    pub adjustment_id: i64,
    pub partner_id: String,
    pub currency: CurrencyCode,
    pub amount: Decimal,
    pub reverses: Option<i64>,
    pub reason: String,
    pub state: AdjustmentState,
    pub requested_by: String,
    pub requested_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub entry_id: Option<i64>,
}

const ADJ_SELECT: &str = "SELECT adjustment_id, partner_id, currency, amount, reverses, reason, state, requested_by, requested_at, decided_by, decided_at, entry_id FROM manual_adjustments";

fn adjustment(r: &sqlx::any::AnyRow) -> Result<AdjustmentRecord> {
    Ok(AdjustmentRecord {
        adjustment_id: r.try_get("adjustment_id")?,
        partner_id: r.try_get("partner_id")?,
        currency: crate::words::currency(r, "manual_adjustments", "currency")?,
        amount: dec(&r.try_get::<String, _>("amount")?)?,
        reverses: r.try_get("reverses")?,
        reason: r.try_get("reason")?,
        state: crate::words::column(r, "manual_adjustments", "state")?,
        requested_by: r.try_get("requested_by")?,
        requested_at: r.try_get("requested_at")?,
        decided_by: r.try_get("decided_by")?,
        decided_at: r.try_get("decided_at")?,
        entry_id: r.try_get("entry_id")?,
    })
}

impl Tx<'_> {
    pub async fn manual_adjustments(
        &mut self,
        state: Option<AdjustmentState>,
    ) -> Result<Vec<AdjustmentRecord>> {
        let rows = match state {
            Some(s) => {
                sqlx::query(&format!(
                    "{ADJ_SELECT} WHERE state = $1 ORDER BY adjustment_id"
                ))
                .bind(s.as_str())
                .fetch_all(&mut **self)
                .await?
            }
            None => {
                sqlx::query(&format!("{ADJ_SELECT} ORDER BY adjustment_id"))
                    .fetch_all(&mut **self)
                    .await?
            }
        };
        rows.iter().map(adjustment).collect()
    }

    pub async fn manual_adjustment(&mut self, id: i64) -> Result<AdjustmentRecord> {
        let row = sqlx::query(&format!("{ADJ_SELECT} WHERE adjustment_id = $1"))
            .bind(id)
            .fetch_optional(&mut **self)
            .await?;
        match row {
            Some(r) => adjustment(&r),
            None => Err(StoreError::NotFound {
                what: "manual adjustment",
                id: id.to_string(),
            }),
        }
    }
}

pub async fn insert_adjustment(tx: &mut Tx<'_>, a: &AdjustmentRecord) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO manual_adjustments (partner_id, currency, amount, reverses, reason, state, requested_by, requested_at) \
         VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7) RETURNING adjustment_id",
    )
    .bind(&a.partner_id)
    .bind(a.currency.as_str())
    .bind(amount_text(a.amount))
    .bind(a.reverses)
    .bind(&a.reason)
    .bind(&a.requested_by)
    .bind(&a.requested_at)
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| StoreError::translate(e, "partner_id", "the partner"))?;
    Ok(row.try_get::<i64, _>(0)?)
}

/// Records the second user's decision on a pending adjustment.
pub async fn decide_adjustment(
    tx: &mut Tx<'_>,
    id: i64,
    state: AdjustmentState,
    by: &str,
    at: &str,
    entry_id: Option<i64>,
) -> Result<()> {
    let r = sqlx::query(
        "UPDATE manual_adjustments SET state = $2, decided_by = $3, decided_at = $4, entry_id = $5 WHERE adjustment_id = $1 AND state = 'pending'",
    )
    .bind(id)
    .bind(state.as_str())
    .bind(by)
    .bind(at)
    .bind(entry_id)
    .execute(&mut **tx)
    .await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::Conflict {
            field: "adjustment".into(),
            message: format!(
                "manual adjustment {id} is no longer pending (someone decided it already)"
            ),
        });
    }
    Ok(())
}
