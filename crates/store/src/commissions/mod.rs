//! Periods and their commission lines, with explanations. What tells a run
//! what to recompute (the data version, the dirty mark, the engine's saved
//! states and customer image) is [`state`], re-exported here; what reports
//! read of the lines (amounts, the customers CPA lines paid) is [`figures`].

mod figures;
mod state;

pub use figures::{LineAmount, QualifierCount};
pub use state::*;

use crate::batch::{Batch, Val};
use crate::error::{Result, StoreError};
use crate::money::{dec, text};
use crate::{Store, Tx};
use partnerdesk_domain::commission::{Explanation, Kind, Line, PeriodState};
use partnerdesk_domain::{CurrencyCode, Id, Period};
use rust_decimal::Decimal;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodRecord {
    pub period: Period,
    pub state: PeriodState,
    pub computed_at: String,
    /// The data version the period was computed from.
    pub inputs: String,
    pub closed_at: Option<String>,
    pub closed_by: Option<String>,
}

/// A stored line: the domain line plus where an adjustment comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredLine {
    pub line: Line,
    /// For adjustments, the closed period whose late data it books; else
    /// None (stored as '').
    pub origin_period: Option<Period>,
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

fn cents(d: Decimal) -> i64 {
    let c = (d * Decimal::ONE_HUNDRED).trunc();
    i64::try_from(c).unwrap_or(if d.is_sign_negative() {
        i64::MIN
    } else {
        i64::MAX
    })
}

const LINE_COLUMNS: [&str; 12] = [
    "period",
    "partner_id",
    "brand_id",
    "kind",
    "origin_period",
    "amount",
    "amount_cents",
    "currency",
    "amount_brand",
    "brand_currency",
    "fx_rate",
    "explanation",
];

/// A line's columns.
fn line_values(l: &StoredLine) -> Vec<Val> {
    let x = &l.line;
    let mut amount = x.amount;
    amount.rescale(2);
    vec![
        x.period.to_string().into(),
        x.partner_id.as_str().into(),
        x.brand_id.as_str().into(),
        x.kind.as_str().into(),
        crate::words::period_text(l.origin_period).into(),
        amount.to_string().into(),
        Val::Int(cents(x.amount)),
        x.currency.as_str().into(),
        text(x.amount_brand).into(),
        x.brand_currency.as_str().into(),
        text(x.fx_rate).into(),
        l.line.explanation.as_str().into(),
    ]
}

pub(crate) fn line_from_row(r: &sqlx::any::AnyRow) -> Result<StoredLine> {
    let explanation: String = r.try_get("explanation")?;
    line_with(r, Explanation::from_text(explanation).map_err(corrupt)?)
}

/// A stored line but for its explanation, which is given.
fn line_with(r: &sqlx::any::AnyRow, explanation: Explanation) -> Result<StoredLine> {
    Ok(StoredLine {
        line: Line {
            partner_id: Id::parse("partner_id", &r.try_get::<String, _>("partner_id")?)
                .map_err(corrupt)?,
            brand_id: Id::parse("brand_id", &r.try_get::<String, _>("brand_id")?)
                .map_err(corrupt)?,
            period: Period::parse("period", &r.try_get::<String, _>("period")?).map_err(corrupt)?,
            kind: Kind::parse("kind", &r.try_get::<String, _>("kind")?).map_err(corrupt)?,
            amount: dec(&r.try_get::<String, _>("amount")?)?,
            currency: CurrencyCode::parse("currency", &r.try_get::<String, _>("currency")?)
                .map_err(corrupt)?,
            amount_brand: dec(&r.try_get::<String, _>("amount_brand")?)?,
            brand_currency: CurrencyCode::parse(
                "brand_currency",
                &r.try_get::<String, _>("brand_currency")?,
            )
            .map_err(corrupt)?,
            fx_rate: dec(&r.try_get::<String, _>("fx_rate")?)?,
            explanation,
        },
        origin_period: crate::words::blank_or_period(r, "commission_lines", "origin_period")?,
    })
}

/// A stored line whose explanation stays the stored text: what a run
/// compares its new lines with. A period's explanations are tens of MB of
/// JSON at scale L, and several times that parsed.
pub struct UnparsedLine {
    /// The line, its explanation null.
    pub stored: StoredLine,
    pub explanation: String,
}

impl UnparsedLine {
    /// The stored line with its explanation parsed.
    pub fn parsed(self) -> Result<StoredLine> {
        let mut line = self.stored;
        line.line.explanation = Explanation::from_text(self.explanation).map_err(corrupt)?;
        Ok(line)
    }

    /// Whether `new` is this line: the same fields, and an explanation that
    /// is written as the stored text (the way [`replace_lines`] writes it).
    pub fn same_as(&self, new: &StoredLine) -> bool {
        let Line {
            partner_id,
            brand_id,
            period,
            kind,
            amount,
            currency,
            amount_brand,
            brand_currency,
            fx_rate,
            explanation,
        } = &new.line;
        let s = &self.stored.line;
        self.stored.origin_period == new.origin_period
            && s.partner_id == *partner_id
            && s.brand_id == *brand_id
            && s.period == *period
            && s.kind == *kind
            && s.amount == *amount
            && s.currency == *currency
            && s.amount_brand == *amount_brand
            && s.brand_currency == *brand_currency
            && s.fx_rate == *fx_rate
            && explanation.as_str() == self.explanation
    }
}

impl Tx<'_> {
    pub async fn periods(&mut self) -> Result<Vec<PeriodRecord>> {
        let rows = sqlx::query("SELECT period, state, computed_at, inputs, closed_at, closed_by FROM periods ORDER BY period").fetch_all(&mut **self).await?;
        rows.iter()
            .map(|r| {
                Ok(PeriodRecord {
                    period: crate::words::period(r, "periods", "period")?,
                    state: crate::words::column(r, "periods", "state")?,
                    computed_at: r.try_get("computed_at")?,
                    inputs: r.try_get("inputs")?,
                    closed_at: r.try_get("closed_at")?,
                    closed_by: r.try_get("closed_by")?,
                })
            })
            .collect()
    }

    /// Every stored line of a period (adjustments included), in export order.
    pub async fn period_lines(&mut self, period: Period) -> Result<Vec<StoredLine>> {
        self.period_lines_unparsed(period)
            .await?
            .into_iter()
            .map(UnparsedLine::parsed)
            .collect()
    }

    /// [`Store::period_lines`] with the explanations left as stored text,
    /// read a row at a time.
    pub async fn period_lines_unparsed(&mut self, period: Period) -> Result<Vec<UnparsedLine>> {
        use futures_util::TryStreamExt;
        let sql = format!("SELECT {} FROM commission_lines WHERE period = $1 ORDER BY partner_id, brand_id, kind, origin_period", LINE_COLUMNS.join(", "));
        let mut rows = sqlx::query(&sql)
            .bind(period.to_string())
            .fetch(&mut **self);
        let mut out = Vec::new();
        while let Some(r) = rows.try_next().await? {
            out.push(UnparsedLine {
                stored: line_with(&r, Explanation::of(&serde_json::Value::Null))?,
                explanation: r.try_get("explanation")?,
            });
        }
        Ok(out)
    }

    /// Adjustments booked anywhere for late data of `origin`.
    pub async fn adjustments_for(&mut self, origin: Period) -> Result<Vec<StoredLine>> {
        let rows = sqlx::query(&format!(
            "SELECT {} FROM commission_lines WHERE origin_period = $1",
            LINE_COLUMNS.join(", ")
        ))
        .bind(origin.to_string())
        .fetch_all(&mut **self)
        .await?;
        rows.iter().map(line_from_row).collect()
    }

    /// Plan versions a closed period keeps: (period, plan_id, version).
    pub async fn pinned_plan_versions(&mut self) -> Result<Vec<(String, String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT period, plan_id, version FROM period_plans ORDER BY period, plan_id",
        )
        .fetch_all(&mut **self)
        .await?)
    }
}

/// Replaces a period's lines of one origin ('' = the period's own lines,
/// whose CPA qualifiers are replaced with them).
pub async fn replace_lines(
    tx: &mut Tx<'_>,
    period: Period,
    origin_is_adjustment: bool,
    lines: &[StoredLine],
) -> Result<()> {
    sqlx::query(&delete_lines_sql(origin_is_adjustment))
        .bind(period.to_string())
        .execute(&mut **tx)
        .await?;
    let mut b = Batch::new("commission_lines", &LINE_COLUMNS, "");
    for l in lines.iter() {
        b.push(tx, line_values(l)).await?;
    }
    b.flush(tx).await?;
    if !origin_is_adjustment {
        figures::replace_qualifiers(tx, period, lines).await?;
    }
    Ok(())
}

/// Deletes a period's own lines (`$1`), or its adjustments.
fn delete_lines_sql(origin_is_adjustment: bool) -> String {
    let cond = if origin_is_adjustment {
        "origin_period <> ''"
    } else {
        "origin_period = ''"
    };
    format!("DELETE FROM commission_lines WHERE period = $1 AND {cond}")
}

/// Marks a period computed at `$2` from data version `$3`.
const SET_COMPUTED: &str = "INSERT INTO periods (period, state, computed_at, inputs) VALUES ($1, 'computed', $2, $3) \
     ON CONFLICT (period) DO UPDATE SET computed_at = excluded.computed_at, inputs = excluded.inputs WHERE periods.state = 'computed'";

/// Keeps the engine state `$2` carried past period `$1`.
const SAVE_STATE: &str = "INSERT INTO engine_states (period, state) VALUES ($1, $2) \
     ON CONFLICT (period) DO UPDATE SET state = excluded.state";

/// What a computed period writes at once (see [`Store::write_period`]).
pub struct PeriodWrite {
    pub period: Period,
    /// Its own lines, when they changed (None: the stored ones stay).
    pub own: Option<std::sync::Arc<Vec<StoredLine>>>,
    /// Its adjustments, when they changed (None: the stored ones stay).
    pub adjustments: Option<std::sync::Arc<Vec<StoredLine>>>,
    /// When it was computed, and from which data version.
    pub computed_at: String,
    pub inputs: String,
}

impl Store {
    /// Writes a computed period in one transaction: the lines that changed
    /// in place of the stored ones, the period marked computed, and the
    /// engine state carried past it, which `state` gives (it may still be
    /// in the making while the lines are written; None: the stored state,
    /// if any, stays; it is not kept either when the data changed since the
    /// run began, see [`still_current`]). Nothing of it is kept when any
    /// part fails, `state` included.
    ///
    /// A write of its own, not a use case's transaction: the run calls it
    /// with no transaction open. On SQLite the writing is done through SQLite's own API on a
    /// connection of its own ([`crate::native::open_writer`]): through the
    /// driver, every value was copied on its way and each statement handed
    /// from task to worker thread, on the one thread a run waits for at its
    /// end.
    pub async fn write_period(
        &self,
        write: PeriodWrite,
        state: impl std::future::Future<Output = Result<Option<Vec<u8>>>>,
    ) -> Result<()> {
        let Some(file) = self.sqlite_file().map(std::path::Path::to_path_buf) else {
            let mut tx = self.begin().await?;
            // Locked first, as every writer of the version does (see
            // `Tx::data_version_for_run`): a change counted meanwhile waits,
            // and so does another run's write (two writes of one period at
            // once: the second's delete would miss the first's new lines,
            // and its inserts would collide with them).
            let version: Option<String> =
                sqlx::query_scalar("SELECT value FROM meta WHERE key = 'data_version' FOR UPDATE")
                    .fetch_optional(&mut *tx)
                    .await?;
            for (lines, adjustment) in [(&write.own, false), (&write.adjustments, true)] {
                if let Some(lines) = lines {
                    replace_lines(&mut tx, write.period, adjustment, lines).await?;
                }
            }
            set_period_computed(&mut tx, write.period, &write.computed_at, &write.inputs).await?;
            let state = state.await?;
            if let Some(state) = state.filter(|_| still_current(version.as_deref(), &write)) {
                save_engine_state(&mut tx, write.period, &state).await?;
            }
            tx.commit().await?;
            return Ok(());
        };
        let (give, take) = std::sync::mpsc::sync_channel::<Option<Vec<u8>>>(1);
        let writer =
            tokio::task::spawn_blocking(move || write_period_natively(&file, &write, &take));
        match state.await {
            // A writer that stopped has its error to give below.
            Ok(state) => {
                let _ = give.send(state);
            }
            Err(e) => {
                // The writer rolls back when the state does not come.
                drop(give);
                let _ = writer.await;
                return Err(e);
            }
        }
        writer
            .await
            .map_err(|e| corrupt(format!("writing the period stopped: {e}; run again")))?
    }
}

/// Whether the data a period was computed from (`write.inputs`) is still
/// the current version. Only then is the engine state kept: a change counted
/// after the run took the changes before it marks the periods it touches
/// for the next run, which drops their states; a state written after that
/// drop would carry the old data past them, and a later run would resume
/// from it. (The lines are written either way: marked with the old version,
/// they are recomputed by the next run.)
fn still_current(version: Option<&str>, write: &PeriodWrite) -> bool {
    version.unwrap_or("0") == write.inputs
}

/// [`Store::write_period`] on the SQLite file at `path`. Blocking.
fn write_period_natively(
    path: &std::path::Path,
    write: &PeriodWrite,
    state: &std::sync::mpsc::Receiver<Option<Vec<u8>>>,
) -> Result<()> {
    use rusqlite::OptionalExtension;
    let mut conn = crate::native::open_writer(path)?;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let period = write.period.to_string();
    for (lines, adjustment) in [(&write.own, false), (&write.adjustments, true)] {
        let Some(lines) = lines else { continue };
        tx.execute(&delete_lines_sql(adjustment), [&period])?;
        let mut insert = tx.prepare(&format!(
            "INSERT INTO commission_lines ({}) VALUES ({})",
            LINE_COLUMNS.join(", "),
            (1..=LINE_COLUMNS.len())
                .map(|i| format!("?{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        ))?;
        for l in lines.iter() {
            insert.execute(rusqlite::params_from_iter(line_values(l)))?;
        }
        if !adjustment {
            figures::replace_qualifiers_natively(&tx, write.period, lines)?;
        }
    }
    tx.execute(SET_COMPUTED, [&period, &write.computed_at, &write.inputs])?;
    let state = state
        .recv()
        .map_err(|_| corrupt("the engine state to keep with the period did not come"))?;
    let version: Option<String> = tx
        .query_row(
            "SELECT value FROM meta WHERE key = 'data_version'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(state) = state.filter(|_| still_current(version.as_deref(), write)) {
        tx.execute(SAVE_STATE, rusqlite::params![period, state])?;
    }
    tx.commit()?;
    Ok(())
}

pub async fn set_period_computed(
    tx: &mut Tx<'_>,
    period: Period,
    at: &str,
    inputs: &str,
) -> Result<()> {
    sqlx::query(SET_COMPUTED)
        .bind(period.to_string())
        .bind(at)
        .bind(inputs)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Closes a computed period and pins the plan versions it was computed with.
pub async fn close_period(
    tx: &mut Tx<'_>,
    period: Period,
    at: &str,
    by: &str,
    plan_versions: &[(String, i64)],
) -> Result<()> {
    let r = sqlx::query("UPDATE periods SET state = 'closed', closed_at = $2, closed_by = $3 WHERE period = $1 AND state = 'computed'")
        .bind(period.to_string())
        .bind(at)
        .bind(by)
        .execute(&mut **tx)
        .await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::Conflict {
            field: "period".into(),
            message: format!("{period} is not a computed, open period"),
        });
    }
    let mut b = Batch::new("period_plans", &["period", "plan_id", "version"], "");
    for (plan, v) in plan_versions {
        b.push(
            tx,
            vec![
                period.to_string().into(),
                plan.as_str().into(),
                Val::Int(*v),
            ],
        )
        .await?;
    }
    b.flush(tx).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use partnerdesk_domain::commission::Kind;

    fn line(n: usize) -> StoredLine {
        let id = |s: String| Id::parse("id", &s).expect("an id");
        let eur = CurrencyCode::parse("currency", "EUR").expect("a currency");
        StoredLine {
            line: Line {
                partner_id: id(format!("P{n:05}")),
                brand_id: id("CAS".into()),
                period: Period::new(2026, 7).expect("a period"),
                kind: Kind::Revshare,
                amount: Decimal::new(n as i64, 2),
                currency: eur,
                amount_brand: Decimal::new(n as i64, 2),
                brand_currency: eur,
                fx_rate: Decimal::ONE,
                explanation: Explanation::of(
                    &serde_json::json!({ "n": n, "customers": [format!("C{n}")] }),
                ),
            },
            origin_period: None,
        }
    }

    /// Every read of a period's lines, a partner's within it included, goes
    /// through the primary key, not a scan (lines have no other index).
    #[tokio::test]
    async fn a_partners_lines_in_a_period_are_found_by_the_primary_key() {
        let dir = tempfile::tempdir().expect("a folder");
        let url = format!("sqlite:{}", dir.path().join("plan.db").display());
        let store = Store::open(&url).await.expect("a store");
        for sql in [
            "SELECT * FROM commission_lines WHERE period = '2026-07'",
            "SELECT * FROM commission_lines WHERE period = '2026-07' AND partner_id = 'P1'",
            "SELECT * FROM commission_lines WHERE period = '2026-07' AND partner_id = 'P1' AND brand_id = 'B' AND kind = 'cpa'",
        ] {
            let plan: Vec<(i64, i64, i64, String)> =
                sqlx::query_as(&format!("EXPLAIN QUERY PLAN {sql}"))
                    .fetch_all(store.pool())
                    .await
                    .expect("a plan");
            let detail = plan.iter().map(|r| r.3.as_str()).collect::<Vec<_>>().join("; ");
            assert!(
                detail.contains("USING INDEX sqlite_autoindex_commission_lines_1"),
                "{sql}: {detail}"
            );
        }
    }

    /// More lines than several statements take, then fewer: every line is
    /// stored with its own explanation, and replacing leaves none of the
    /// earlier lines behind.
    #[tokio::test]
    async fn lines_are_stored_with_their_own_explanations_across_statements() {
        let dir = tempfile::tempdir().expect("a folder");
        let url = format!("sqlite:{}", dir.path().join("lines.db").display());
        let store = Store::open(&url).await.expect("a store");
        let period = Period::new(2026, 7).expect("a period");
        let per_statement = Batch::new("commission_lines", &LINE_COLUMNS, "").rows_per_statement();
        for count in [3 * per_statement + 7, per_statement - 1] {
            let lines: Vec<StoredLine> = (0..count).map(line).collect();
            let mut tx = store.begin().await.expect("a transaction");
            replace_lines(&mut tx, period, false, &lines)
                .await
                .expect("stored");
            tx.commit().await.expect("committed");
            let mut stored = store
                .read()
                .await
                .expect("a read")
                .period_lines(period)
                .await
                .expect("read back");
            stored.sort_by(|a, b| a.line.partner_id.cmp(&b.line.partner_id));
            assert_eq!(stored.len(), count);
            assert!(stored.iter().zip(lines.iter()).all(|(s, l)| s == l));
        }
    }
}
