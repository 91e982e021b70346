//! Payment details, thresholds, holds, payout runs, their items and claims.
//! A run's state changes only from the state the caller saw (a lost race
//! is a conflict, not a silent overwrite).

use crate::batch::{Batch, Val};
use crate::error::{Result, StoreError};
use crate::money::dec;
use crate::{Store, Tx};
use futures_util::TryStreamExt;
use rust_decimal::Decimal;
use sqlx::Row;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailsRecord {
    pub partner_id: String,
    pub method: String,
    pub holder: String,
    pub account: String,
    pub bic: Option<String>,
    pub updated_at: String,
    pub updated_by: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PayeeRecord {
    pub partner_id: String,
    pub name: String,
    pub status: String,
    pub email: Option<String>,
    pub country: Option<String>,
    pub threshold: Option<Decimal>,
    pub hold_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRecord {
    pub run_id: i64,
    pub pay_date: String,
    pub period: String,
    pub state: String,
    pub created_at: String,
    pub created_by: String,
    pub submitted_at: Option<String>,
    pub submitted_by: Option<String>,
    pub approved_at: Option<String>,
    pub approved_by: Option<String>,
    pub exported_at: Option<String>,
    pub exported_by: Option<String>,
    pub settled_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ItemRecord {
    pub run_id: i64,
    pub partner_id: String,
    /// The partner's name (read with the item, not stored on it).
    pub name: String,
    pub currency: String,
    pub amount: Decimal,
    pub method: String,
    pub holder: String,
    pub account: String,
    pub bic: Option<String>,
    pub state: String,
    pub reference: Option<String>,
    pub failure_reason: Option<String>,
    pub payout_entry: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HeldRecord {
    pub partner_id: String,
    /// The partner's name (read with the balance, not stored on it).
    pub name: String,
    pub currency: String,
    pub amount: Decimal,
    pub reason: String,
}

/// A new run's contents: items with the entries each claims, and held balances.
pub struct NewRun<'a> {
    pub pay_date: &'a str,
    pub period: &'a str,
    pub items: &'a [(ItemRecord, Vec<i64>)],
    pub held: &'a [HeldRecord],
}

/// One balance a new run decides on (see [`Store::payout_candidates`]).
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateRecord {
    pub partner_id: String,
    pub currency: String,
    pub name: String,
    pub status: String,
    pub threshold: Option<Decimal>,
    pub hold_reason: Option<String>,
    /// None when the partner has no payment details (`updated_*` left empty).
    pub details: Option<DetailsRecord>,
    /// The unclaimed entries, by id, with their amounts.
    pub entries: Vec<(i64, Decimal)>,
}

/// Items of one currency and state summed (a run's totals without its items).
#[derive(Debug, Clone, PartialEq)]
pub struct ItemSum {
    pub currency: String,
    pub state: String,
    pub amount: Decimal,
    pub count: u32,
}

/// Every run's item sums and number of held balances.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunSums {
    pub items: Vec<ItemSum>,
    pub held: usize,
}

/// The unit separator: joins fixed-format fields read as one text.
const SEP: &str = "\u{1f}";

type ItemRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);
type CandidateRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The fields of a row read as one text.
struct Fields<'a> {
    line: &'a str,
    what: &'static str,
    parts: std::str::Split<'a, &'static str>,
}

impl<'a> Fields<'a> {
    fn new(line: &'a str, what: &'static str) -> Self {
        Fields {
            line,
            what,
            parts: line.split(SEP),
        }
    }

    fn next(&mut self) -> Result<&'a str> {
        self.parts.next().ok_or_else(|| {
            StoreError::Corrupt(format!("{} row '{}' is incomplete", self.what, self.line))
        })
    }

    fn opt_int(&mut self) -> Result<Option<i64>> {
        let t = self.next()?;
        if t.is_empty() {
            return Ok(None);
        }
        t.parse().map(Some).map_err(|_| {
            StoreError::Corrupt(format!(
                "{} row '{}': '{t}' is not a number",
                self.what, self.line
            ))
        })
    }
}

fn amount_text(d: Decimal) -> String {
    let mut a = d;
    a.rescale(2);
    a.to_string()
}

impl Store {
    pub async fn payment_details(&self) -> Result<HashMap<String, DetailsRecord>> {
        let rows = sqlx::query("SELECT partner_id, method, holder, account, bic, updated_at, updated_by FROM payment_details")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                let d = DetailsRecord {
                    partner_id: r.try_get("partner_id")?,
                    method: r.try_get("method")?,
                    holder: r.try_get("holder")?,
                    account: r.try_get("account")?,
                    bic: r.try_get("bic")?,
                    updated_at: r.try_get("updated_at")?,
                    updated_by: r.try_get("updated_by")?,
                };
                Ok((d.partner_id.clone(), d))
            })
            .collect()
    }

    /// Every partner with what decides whether it is paid.
    pub async fn payees(&self) -> Result<HashMap<String, PayeeRecord>> {
        let rows = sqlx::query(
            "SELECT p.partner_id, p.name, p.status, p.email, p.country, s.threshold, s.hold_reason \
             FROM partners p LEFT JOIN partner_payout_settings s ON s.partner_id = p.partner_id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let threshold: Option<String> = r.try_get("threshold")?;
                let p = PayeeRecord {
                    partner_id: r.try_get("partner_id")?,
                    name: r.try_get("name")?,
                    status: r.try_get("status")?,
                    email: r.try_get("email")?,
                    country: r.try_get("country")?,
                    threshold: threshold.as_deref().map(dec).transpose()?,
                    hold_reason: r.try_get("hold_reason")?,
                };
                Ok((p.partner_id.clone(), p))
            })
            .collect()
    }

    pub async fn payout_thresholds(&self) -> Result<Vec<(String, Decimal)>> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT currency, amount FROM payout_thresholds ORDER BY currency")
                .fetch_all(self.pool())
                .await?;
        rows.into_iter().map(|(c, a)| Ok((c, dec(&a)?))).collect()
    }

    pub async fn payout_runs(&self) -> Result<Vec<RunRecord>> {
        let rows = sqlx::query(&format!("{RUN_SELECT} ORDER BY run_id DESC"))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(run_record).collect()
    }

    pub async fn payout_run(&self, run_id: i64) -> Result<RunRecord> {
        let row = sqlx::query(&format!("{RUN_SELECT} WHERE run_id = $1"))
            .bind(run_id)
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some(r) => run_record(&r),
            None => Err(StoreError::NotFound {
                what: "payout run",
                id: run_id.to_string(),
            }),
        }
    }

    /// A run's items with their partners' names, by currency and partner.
    pub async fn payout_items(&self, run_id: i64) -> Result<Vec<ItemRecord>> {
        // The fixed-format fields as one text (ids, codes, amounts and states
        // never hold the unit separator), free text apart: a run holds tens of
        // thousands of items and the driver's cost is per column.
        let mut rows = sqlx::query_as::<_, ItemRow>(
            "SELECT i.partner_id || $2 || i.currency || $2 || i.amount || $2 || i.method || $2 || i.state \
             || $2 || COALESCE(CAST(i.payout_entry AS TEXT), ''), \
             i.holder, i.account, i.bic, i.reference, i.failure_reason, p.name \
             FROM payout_items i JOIN partners p ON p.partner_id = i.partner_id \
             WHERE i.run_id = $1",
        )
        .bind(run_id)
        .bind(SEP)
        .fetch(self.pool());
        let mut out = Vec::new();
        while let Some((line, holder, account, bic, reference, failure_reason, name)) =
            rows.try_next().await?
        {
            let mut f = Fields::new(&line, "payout item");
            out.push(ItemRecord {
                run_id,
                partner_id: f.next()?.to_string(),
                currency: f.next()?.to_string(),
                amount: dec(f.next()?)?,
                method: f.next()?.to_string(),
                state: f.next()?.to_string(),
                payout_entry: f.opt_int()?,
                name,
                holder,
                account,
                bic,
                reference,
                failure_reason,
            });
        }
        // By currency, then partner, in byte order on every backend.
        out.sort_by(|a, b| (&a.currency, &a.partner_id).cmp(&(&b.currency, &b.partner_id)));
        Ok(out)
    }

    pub async fn payout_held(&self, run_id: i64) -> Result<Vec<HeldRecord>> {
        let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
            "SELECT h.partner_id, h.currency, h.amount, h.reason, p.name FROM payout_held h \
             JOIN partners p ON p.partner_id = h.partner_id WHERE h.run_id = $1 ORDER BY h.partner_id, h.currency",
        )
        .bind(run_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(partner_id, currency, amount, reason, name)| {
                Ok(HeldRecord {
                    partner_id,
                    name,
                    currency,
                    amount: dec(&amount)?,
                    reason,
                })
            })
            .collect()
    }

    /// Every run's totals by currency and state, and its held count, in two
    /// queries (amounts summed exactly here, not by the database).
    pub async fn payout_run_sums(&self) -> Result<HashMap<i64, RunSums>> {
        let rows: Vec<(i64, String, String, i64, String)> = sqlx::query_as(
            "SELECT run_id, currency, state, COUNT(*), string_agg(amount, ',') FROM payout_items \
             GROUP BY run_id, currency, state",
        )
        .fetch_all(self.pool())
        .await?;
        let mut out: HashMap<i64, RunSums> = HashMap::new();
        for (run_id, currency, state, count, amounts) in rows {
            let mut amount = Decimal::ZERO;
            for a in amounts.split(',') {
                amount += dec(a)?;
            }
            out.entry(run_id).or_default().items.push(ItemSum {
                currency,
                state,
                amount,
                count: u32::try_from(count).unwrap_or(u32::MAX),
            });
        }
        let held: Vec<(i64, i64)> =
            sqlx::query_as("SELECT run_id, COUNT(*) FROM payout_held GROUP BY run_id")
                .fetch_all(self.pool())
                .await?;
        for (run_id, n) in held {
            out.entry(run_id).or_default().held = usize::try_from(n).unwrap_or(usize::MAX);
        }
        Ok(out)
    }

    /// What a new run decides on, one row per partner and currency with an
    /// unclaimed balance effective on or before `date`: the unclaimed entries
    /// (id and amount), the partner's status, own threshold and hold, and its
    /// payment details. One query, whatever the number of balances.
    pub async fn payout_candidates(&self, date: &str) -> Result<Vec<CandidateRecord>> {
        let mut rows = sqlx::query_as::<_, CandidateRow>(
            "SELECT g.partner_id || $2 || g.currency || $2 || p.status || $2 || COALESCE(s.threshold, '') \
             || $2 || COALESCE(d.method, ''), g.entries, p.name, s.hold_reason, d.holder, d.account, d.bic \
             FROM (SELECT e.partner_id, e.currency, string_agg(CAST(e.entry_id AS TEXT) || ':' || e.amount, ',') AS entries \
                   FROM ledger_entries e WHERE e.effective_date <= $1 \
                   AND NOT EXISTS (SELECT 1 FROM payout_claims c WHERE c.entry_id = e.entry_id) \
                   GROUP BY e.partner_id, e.currency) g \
             JOIN partners p ON p.partner_id = g.partner_id \
             LEFT JOIN partner_payout_settings s ON s.partner_id = g.partner_id \
             LEFT JOIN payment_details d ON d.partner_id = g.partner_id",
        )
        .bind(date)
        .bind(SEP)
        .fetch(self.pool());
        let mut out = Vec::new();
        while let Some((line, entries, name, hold_reason, holder, account, bic)) =
            rows.try_next().await?
        {
            let mut f = Fields::new(&line, "payout balance");
            let partner_id = f.next()?.to_string();
            let currency = f.next()?.to_string();
            let status = f.next()?.to_string();
            let threshold = Some(f.next()?)
                .filter(|t| !t.is_empty())
                .map(dec)
                .transpose()?;
            let method = f.next()?.to_string();
            let details = match (method.is_empty(), holder, account) {
                (false, Some(holder), Some(account)) => Some(DetailsRecord {
                    partner_id: partner_id.clone(),
                    method,
                    holder,
                    account,
                    bic,
                    updated_at: String::new(),
                    updated_by: String::new(),
                }),
                _ => None,
            };
            let mut ids = Vec::new();
            for pair in entries.split(',') {
                let (id, amount) = pair.split_once(':').ok_or_else(|| {
                    StoreError::Corrupt(format!("unclaimed entry '{pair}' of {partner_id}"))
                })?;
                let id: i64 = id.parse().map_err(|_| {
                    StoreError::Corrupt(format!("unclaimed entry id '{id}' of {partner_id}"))
                })?;
                ids.push((id, dec(amount)?));
            }
            ids.sort_unstable_by_key(|e| e.0);
            out.push(CandidateRecord {
                partner_id,
                currency,
                name,
                status,
                threshold,
                hold_reason,
                details,
                entries: ids,
            });
        }
        out.sort_by(|a, b| (&a.partner_id, &a.currency).cmp(&(&b.partner_id, &b.currency)));
        Ok(out)
    }

    /// Entry ids claimed by one item.
    pub async fn claimed_entries(
        &self,
        run_id: i64,
        partner_id: &str,
        currency: &str,
    ) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT entry_id FROM payout_claims WHERE run_id = $1 AND partner_id = $2 AND currency = $3 ORDER BY entry_id",
        )
        .bind(run_id)
        .bind(partner_id)
        .bind(currency)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }
}

const RUN_SELECT: &str = "SELECT run_id, pay_date, period, state, created_at, created_by, submitted_at, submitted_by, approved_at, approved_by, exported_at, exported_by, settled_at FROM payout_runs";

fn run_record(r: &sqlx::any::AnyRow) -> Result<RunRecord> {
    Ok(RunRecord {
        run_id: r.try_get("run_id")?,
        pay_date: r.try_get("pay_date")?,
        period: r.try_get("period")?,
        state: r.try_get("state")?,
        created_at: r.try_get("created_at")?,
        created_by: r.try_get("created_by")?,
        submitted_at: r.try_get("submitted_at")?,
        submitted_by: r.try_get("submitted_by")?,
        approved_at: r.try_get("approved_at")?,
        approved_by: r.try_get("approved_by")?,
        exported_at: r.try_get("exported_at")?,
        exported_by: r.try_get("exported_by")?,
        settled_at: r.try_get("settled_at")?,
    })
}

pub async fn set_payment_details(tx: &mut Tx<'_>, d: &DetailsRecord) -> Result<()> {
    sqlx::query(
        "INSERT INTO payment_details (partner_id, method, holder, account, bic, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (partner_id) DO UPDATE SET method = excluded.method, holder = excluded.holder, account = excluded.account, bic = excluded.bic, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(&d.partner_id)
    .bind(&d.method)
    .bind(&d.holder)
    .bind(&d.account)
    .bind(&d.bic)
    .bind(&d.updated_at)
    .bind(&d.updated_by)
    .execute(&mut **tx)
    .await
    .map_err(|e| StoreError::translate(e, "partner_id", "the partner"))?;
    Ok(())
}

pub async fn set_threshold(tx: &mut Tx<'_>, currency: &str, amount: Option<Decimal>) -> Result<()> {
    match amount {
        Some(a) => sqlx::query("INSERT INTO payout_thresholds (currency, amount) VALUES ($1, $2) ON CONFLICT (currency) DO UPDATE SET amount = excluded.amount")
            .bind(currency)
            .bind(amount_text(a))
            .execute(&mut **tx)
            .await?,
        None => sqlx::query("DELETE FROM payout_thresholds WHERE currency = $1")
            .bind(currency)
            .execute(&mut **tx)
            .await?,
    };
    Ok(())
}

/// A partner's own threshold and compliance hold (None clears it).
pub async fn set_partner_settings(
    tx: &mut Tx<'_>,
    partner_id: &str,
    threshold: Option<Decimal>,
    hold_reason: Option<&str>,
    at: &str,
    by: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO partner_payout_settings (partner_id, threshold, hold_reason, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (partner_id) DO UPDATE SET threshold = excluded.threshold, hold_reason = excluded.hold_reason, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(partner_id)
    .bind(threshold.map(amount_text))
    .bind(hold_reason)
    .bind(at)
    .bind(by)
    .execute(&mut **tx)
    .await
    .map_err(|e| StoreError::translate(e, "partner_id", "the partner"))?;
    Ok(())
}

/// Inserts a draft run with its items, claims and held balances; returns the run id.
/// A claim on an entry another run holds fails the whole insert (unique entry_id).
pub async fn insert_run(tx: &mut Tx<'_>, run: &NewRun<'_>, at: &str, by: &str) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO payout_runs (pay_date, period, state, created_at, created_by) VALUES ($1, $2, 'draft', $3, $4) RETURNING run_id",
    )
    .bind(run.pay_date)
    .bind(run.period)
    .bind(at)
    .bind(by)
    .fetch_one(&mut **tx)
    .await?;
    let run_id: i64 = row.try_get(0)?;
    let mut items = Batch::new(
        "payout_items",
        &[
            "run_id",
            "partner_id",
            "currency",
            "amount",
            "method",
            "holder",
            "account",
            "bic",
            "state",
        ],
        "",
    );
    let mut claims = Batch::new(
        "payout_claims",
        &["entry_id", "run_id", "partner_id", "currency"],
        "",
    );
    for (item, _) in run.items {
        items
            .push(
                tx,
                vec![
                    Val::Int(run_id),
                    item.partner_id.as_str().into(),
                    item.currency.as_str().into(),
                    amount_text(item.amount).into(),
                    item.method.as_str().into(),
                    item.holder.as_str().into(),
                    item.account.as_str().into(),
                    Val::OptText(item.bic.clone()),
                    "pending".into(),
                ],
            )
            .await?;
    }
    items.flush(tx).await?;
    for (item, entries) in run.items {
        for e in entries {
            claims
                .push(
                    tx,
                    vec![
                        Val::Int(*e),
                        Val::Int(run_id),
                        item.partner_id.as_str().into(),
                        item.currency.as_str().into(),
                    ],
                )
                .await
                .map_err(claim_conflict)?;
        }
    }
    claims.flush(tx).await.map_err(claim_conflict)?;
    let mut held = Batch::new(
        "payout_held",
        &["run_id", "partner_id", "currency", "amount", "reason"],
        "",
    );
    for h in run.held {
        held.push(
            tx,
            vec![
                Val::Int(run_id),
                h.partner_id.as_str().into(),
                h.currency.as_str().into(),
                amount_text(h.amount).into(),
                h.reason.as_str().into(),
            ],
        )
        .await?;
    }
    held.flush(tx).await?;
    Ok(run_id)
}

fn claim_conflict(e: StoreError) -> StoreError {
    match e {
        StoreError::Db(sqlx::Error::Database(d))
            if d.message().contains("UNIQUE") || d.message().contains("duplicate key") =>
        {
            StoreError::Conflict {
                field: "run".into(),
                message: "another payout run took some of these balances at the same time; nothing was created — create the run again to pay what is left".into(),
            }
        }
        other => other,
    }
}

/// Moves a run from `from` to `to`, stamping who and when in `stamp` (`submitted`, `approved`, `exported`, `settled`, or none).
pub async fn set_run_state(
    tx: &mut Tx<'_>,
    run_id: i64,
    from: &str,
    to: &str,
    stamp: Option<&str>,
    at: &str,
    by: &str,
) -> Result<()> {
    let set = match stamp {
        Some("submitted") => ", submitted_at = $4, submitted_by = $5",
        Some("approved") => ", approved_at = $4, approved_by = $5",
        Some("exported") => ", exported_at = $4, exported_by = $5",
        Some("settled") => ", settled_at = $4",
        _ => "",
    };
    let sql = format!("UPDATE payout_runs SET state = $3{set} WHERE run_id = $1 AND state = $2");
    let mut q = sqlx::query(&sql).bind(run_id).bind(from).bind(to);
    if set.contains("$4") {
        q = q.bind(at);
    }
    if set.contains("$5") {
        q = q.bind(by);
    }
    let r = q.execute(&mut **tx).await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::Conflict {
            field: "run".into(),
            message: format!(
                "payout run {run_id} is no longer {from} (someone else changed it); reload it"
            ),
        });
    }
    Ok(())
}

/// Releases a cancelled run's claims so its balances can be paid by another run.
pub async fn release_claims(tx: &mut Tx<'_>, run_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM payout_claims WHERE run_id = $1")
        .bind(run_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Claims one more entry for an item (its own payout entry).
pub async fn claim(
    tx: &mut Tx<'_>,
    entry_id: i64,
    run_id: i64,
    partner_id: &str,
    currency: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO payout_claims (entry_id, run_id, partner_id, currency) VALUES ($1, $2, $3, $4)")
        .bind(entry_id)
        .bind(run_id)
        .bind(partner_id)
        .bind(currency)
        .execute(&mut **tx)
        .await
        .map_err(|e| claim_conflict(StoreError::Db(e)))?;
    Ok(())
}

pub async fn set_item_payout_entry(
    tx: &mut Tx<'_>,
    run_id: i64,
    partner_id: &str,
    currency: &str,
    entry_id: i64,
) -> Result<()> {
    sqlx::query("UPDATE payout_items SET payout_entry = $4 WHERE run_id = $1 AND partner_id = $2 AND currency = $3")
        .bind(run_id)
        .bind(partner_id)
        .bind(currency)
        .bind(entry_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Settles a pending item as `paid` (with a reference) or `failed` (with a reason).
pub async fn settle_item(
    tx: &mut Tx<'_>,
    run_id: i64,
    partner_id: &str,
    currency: &str,
    state: &str,
    reference: Option<&str>,
    failure_reason: Option<&str>,
    at: &str,
    by: &str,
) -> Result<()> {
    let r = sqlx::query(
        "UPDATE payout_items SET state = $4, reference = $5, failure_reason = $6, settled_at = $7, settled_by = $8 \
         WHERE run_id = $1 AND partner_id = $2 AND currency = $3 AND state = 'pending'",
    )
    .bind(run_id)
    .bind(partner_id)
    .bind(currency)
    .bind(state)
    .bind(reference)
    .bind(failure_reason)
    .bind(at)
    .bind(by)
    .execute(&mut **tx)
    .await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::Conflict {
            field: "partner_id".into(),
            message: format!("the payment to {partner_id} in {currency} is not pending in run {run_id} (already settled, or not in this run)"),
        });
    }
    Ok(())
}

/// Posts a run's payments to the ledger, one `payout` entry per item for the
/// item's amount with the sign turned (the money has left the balance), its
/// source `payout:RUN:PARTNER:CURRENCY`; then claims and links them
/// ([`link_payout_entries`]). Set-based: a few statements whatever the size.
/// Item amounts are stored with two decimals like ledger amounts, so turning
/// the sign of the text is exact.
pub async fn post_run_payouts(
    tx: &mut Tx<'_>,
    run_id: i64,
    pay_date: &str,
    period: &str,
    reason: &str,
    at: &str,
    by: &str,
) -> Result<u64> {
    let r = sqlx::query(
        "INSERT INTO ledger_entries (partner_id, currency, kind, amount, effective_date, period, source, run_id, reason, posted_at, posted_by) \
         SELECT partner_id, currency, 'payout', \
                CASE WHEN substr(amount, 1, 1) = '-' THEN substr(amount, 2) ELSE '-' || amount END, \
                $2, $3, $4 || partner_id || ':' || currency, run_id, $5, $6, $7 \
         FROM payout_items WHERE run_id = $1 ORDER BY currency, partner_id",
    )
    .bind(run_id)
    .bind(pay_date)
    .bind(period)
    .bind(format!("payout:{run_id}:"))
    .bind(reason)
    .bind(at)
    .bind(by)
    .execute(&mut **tx)
    .await
    .map_err(|e| StoreError::translate(e, "ledger", "this ledger entry (same source)"))?;
    link_payout_entries(tx, run_id).await?;
    Ok(r.rows_affected())
}

/// After a run's payout entries are posted: each is claimed by its own item
/// and recorded on it (two statements, whatever the run's size).
pub async fn link_payout_entries(tx: &mut Tx<'_>, run_id: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO payout_claims (entry_id, run_id, partner_id, currency) \
         SELECT entry_id, run_id, partner_id, currency FROM ledger_entries WHERE run_id = $1 AND kind = 'payout'",
    )
    .bind(run_id)
    .execute(&mut **tx)
    .await
    .map_err(|e| claim_conflict(StoreError::Db(e)))?;
    sqlx::query(
        "UPDATE payout_items SET payout_entry = (SELECT e.entry_id FROM ledger_entries e \
         WHERE e.run_id = payout_items.run_id AND e.kind = 'payout' AND e.partner_id = payout_items.partner_id AND e.currency = payout_items.currency) \
         WHERE run_id = $1",
    )
    .bind(run_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
