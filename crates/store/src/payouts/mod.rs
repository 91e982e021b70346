//! Payment details, thresholds, holds, payout runs, their items and claims.
//! A run's state changes only from the state the caller saw (a lost race
//! is a conflict, not a silent overwrite).

mod runs;

pub use runs::*;

use crate::error::{Result, StoreError};
use crate::json_rows;
use crate::money::dec;
use crate::words::{checked, column, word};
use crate::{Backend, Tx};
use partnerdesk_domain::partner::PartnerStatus;
use partnerdesk_domain::payment::PaymentMethod;
use partnerdesk_domain::payout::{ItemState, RunState};
use partnerdesk_domain::{CountryCode, CurrencyCode, Period};
use rust_decimal::Decimal;
use sqlx::Row;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailsRecord {
    pub partner_id: String,
    pub method: PaymentMethod,
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
    pub status: PartnerStatus,
    pub email: Option<String>,
    pub country: Option<CountryCode>,
    pub threshold: Option<Decimal>,
    pub hold_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRecord {
    pub run_id: i64,
    pub pay_date: String,
    /// The closed period it pays (None: a run by pay date alone, stored as '').
    pub period: Option<Period>,
    pub state: RunState,
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
    pub currency: CurrencyCode,
    pub amount: Decimal,
    pub method: PaymentMethod,
    pub holder: String,
    pub account: String,
    pub bic: Option<String>,
    pub state: ItemState,
    pub reference: Option<String>,
    pub failure_reason: Option<String>,
    pub payout_entry: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HeldRecord {
    pub partner_id: String,
    /// The partner's name (read with the balance, not stored on it).
    pub name: String,
    pub currency: CurrencyCode,
    pub amount: Decimal,
    pub reason: String,
}

/// A run's period as stored and shown: `YYYY-MM`, or '' for none.
pub use crate::words::period_text;

/// A new run's contents: items with the entries each claims, and held balances.
pub struct NewRun<'a> {
    pub pay_date: &'a str,
    pub period: Option<Period>,
    pub items: &'a [(ItemRecord, Vec<i64>)],
    pub held: &'a [HeldRecord],
}

/// One balance a new run decides on (see [`Store::payout_candidates`]).
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateRecord {
    pub partner_id: String,
    pub currency: CurrencyCode,
    pub name: String,
    pub status: PartnerStatus,
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
    pub currency: CurrencyCode,
    pub state: ItemState,
    pub amount: Decimal,
    pub count: u32,
}

/// Every run's item sums and number of held balances.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunSums {
    pub items: Vec<ItemSum>,
    pub held: usize,
}

/// An item as read ([`json_rows`]): partner_id, currency, amount, method,
/// holder, account, bic, state, reference, failure_reason, payout_entry, name.
type ItemJson = (
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
    String,
);
/// A balance as read: partner_id, currency, status, threshold, method,
/// entries (`id:amount,…`), name, hold_reason, holder, account, bic.
type CandidateJson = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn amount_text(d: Decimal) -> String {
    let mut a = d;
    a.rescale(2);
    a.to_string()
}

impl Tx<'_> {
    pub async fn payment_details(&mut self) -> Result<HashMap<String, DetailsRecord>> {
        let rows = sqlx::query("SELECT partner_id, method, holder, account, bic, updated_at, updated_by FROM payment_details")
            .fetch_all(&mut **self)
            .await?;
        rows.iter()
            .map(|r| {
                let d = DetailsRecord {
                    partner_id: r.try_get("partner_id")?,
                    method: column(r, "payment_details", "method")?,
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
    pub async fn payees(&mut self) -> Result<HashMap<String, PayeeRecord>> {
        let rows = sqlx::query(
            "SELECT p.partner_id, p.name, p.status, p.email, p.country, s.threshold, s.hold_reason \
             FROM partners p LEFT JOIN partner_payout_settings s ON s.partner_id = p.partner_id",
        )
        .fetch_all(&mut **self)
        .await?;
        rows.iter()
            .map(|r| {
                let threshold: Option<String> = r.try_get("threshold")?;
                let p = PayeeRecord {
                    partner_id: r.try_get("partner_id")?,
                    name: r.try_get("name")?,
                    status: column(r, "partners", "status")?,
                    email: r.try_get("email")?,
                    country: crate::words::opt_country(r, "partners", "country")?,
                    threshold: threshold.as_deref().map(dec).transpose()?,
                    hold_reason: r.try_get("hold_reason")?,
                };
                Ok((p.partner_id.clone(), p))
            })
            .collect()
    }

    pub async fn payout_thresholds(&mut self) -> Result<Vec<(CurrencyCode, Decimal)>> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT currency, amount FROM payout_thresholds ORDER BY currency")
                .fetch_all(&mut **self)
                .await?;
        rows.into_iter()
            .map(|(c, a)| {
                Ok((
                    checked("payout_thresholds", "currency", &c, CurrencyCode::parse)?,
                    dec(&a)?,
                ))
            })
            .collect()
    }

    pub async fn payout_runs(&mut self) -> Result<Vec<RunRecord>> {
        let rows = sqlx::query(&format!("{RUN_SELECT} ORDER BY run_id DESC"))
            .fetch_all(&mut **self)
            .await?;
        rows.iter().map(run_record).collect()
    }

    pub async fn payout_run(&mut self, run_id: i64) -> Result<RunRecord> {
        let row = sqlx::query(&format!("{RUN_SELECT} WHERE run_id = $1"))
            .bind(run_id)
            .fetch_optional(&mut **self)
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
    pub async fn payout_items(&mut self, run_id: i64) -> Result<Vec<ItemRecord>> {
        let sql = json_rows::aggregate(
            self.backend() == Backend::Postgres,
            "i.partner_id, i.currency, i.amount, i.method, i.holder, i.account, i.bic, i.state, \
             i.reference, i.failure_reason, i.payout_entry, p.name",
            "FROM payout_items i JOIN partners p ON p.partner_id = i.partner_id WHERE i.run_id = $1",
        );
        let json: Option<String> = sqlx::query_scalar(&sql)
            .bind(run_id)
            .fetch_one(&mut **self)
            .await?;
        let rows: Vec<ItemJson> = json_rows::parse(json, "payout items")?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(ItemRecord {
                run_id,
                partner_id: r.0,
                currency: checked("payout_items", "currency", &r.1, CurrencyCode::parse)?,
                amount: dec(&r.2)?,
                method: word("payout_items", "method", &r.3)?,
                holder: r.4,
                account: r.5,
                bic: r.6,
                state: word("payout_items", "state", &r.7)?,
                reference: r.8,
                failure_reason: r.9,
                payout_entry: r.10,
                name: r.11,
            });
        }
        // By currency, then partner, in byte order on every backend.
        out.sort_by(|a, b| (&a.currency, &a.partner_id).cmp(&(&b.currency, &b.partner_id)));
        Ok(out)
    }

    pub async fn payout_held(&mut self, run_id: i64) -> Result<Vec<HeldRecord>> {
        let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
            "SELECT h.partner_id, h.currency, h.amount, h.reason, p.name FROM payout_held h \
             JOIN partners p ON p.partner_id = h.partner_id WHERE h.run_id = $1 ORDER BY h.partner_id, h.currency",
        )
        .bind(run_id)
        .fetch_all(&mut **self)
        .await?;
        rows.into_iter()
            .map(|(partner_id, currency, amount, reason, name)| {
                Ok(HeldRecord {
                    partner_id,
                    name,
                    currency: checked("payout_held", "currency", &currency, CurrencyCode::parse)?,
                    amount: dec(&amount)?,
                    reason,
                })
            })
            .collect()
    }

    /// Every run's totals by currency and state, and its held count, in two
    /// queries (amounts summed exactly here, not by the database).
    pub async fn payout_run_sums(&mut self) -> Result<HashMap<i64, RunSums>> {
        let rows: Vec<(i64, String, String, i64, String)> = sqlx::query_as(
            "SELECT run_id, currency, state, COUNT(*), string_agg(amount, ',') FROM payout_items \
             GROUP BY run_id, currency, state",
        )
        .fetch_all(&mut **self)
        .await?;
        let mut out: HashMap<i64, RunSums> = HashMap::new();
        for (run_id, currency, state, count, amounts) in rows {
            let mut amount = Decimal::ZERO;
            for a in amounts.split(',') {
                amount += dec(a)?;
            }
            out.entry(run_id).or_default().items.push(ItemSum {
                currency: checked("payout_items", "currency", &currency, CurrencyCode::parse)?,
                state: word("payout_items", "state", &state)?,
                amount,
                count: u32::try_from(count).unwrap_or(u32::MAX),
            });
        }
        let held: Vec<(i64, i64)> =
            sqlx::query_as("SELECT run_id, COUNT(*) FROM payout_held GROUP BY run_id")
                .fetch_all(&mut **self)
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
    pub async fn payout_candidates(&mut self, date: &str) -> Result<Vec<CandidateRecord>> {
        let sql = json_rows::aggregate(
            self.backend() == Backend::Postgres,
            "g.partner_id, g.currency, p.status, s.threshold, d.method, g.entries, p.name, \
             s.hold_reason, d.holder, d.account, d.bic",
            "FROM (SELECT e.partner_id, e.currency, string_agg(CAST(e.entry_id AS TEXT) || ':' || e.amount, ',') AS entries \
                   FROM ledger_entries e WHERE e.effective_date <= $1 \
                   AND NOT EXISTS (SELECT 1 FROM payout_claims c WHERE c.entry_id = e.entry_id) \
                   GROUP BY e.partner_id, e.currency) g \
             JOIN partners p ON p.partner_id = g.partner_id \
             LEFT JOIN partner_payout_settings s ON s.partner_id = g.partner_id \
             LEFT JOIN payment_details d ON d.partner_id = g.partner_id",
        );
        let json: Option<String> = sqlx::query_scalar(&sql)
            .bind(date)
            .fetch_one(&mut **self)
            .await?;
        let rows: Vec<CandidateJson> = json_rows::parse(json, "payout balances")?;
        let mut out = Vec::with_capacity(rows.len());
        for (
            partner_id,
            currency,
            status,
            threshold,
            method,
            entries,
            name,
            hold_reason,
            holder,
            account,
            bic,
        ) in rows
        {
            let threshold = threshold.as_deref().map(dec).transpose()?;
            let details = match (method, holder, account) {
                (Some(method), Some(holder), Some(account)) => Some(DetailsRecord {
                    partner_id: partner_id.clone(),
                    method: word("payment_details", "method", &method)?,
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
                currency: checked("ledger_entries", "currency", &currency, CurrencyCode::parse)?,
                name,
                status: word("partners", "status", &status)?,
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
        &mut self,
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
        .fetch_all(&mut **self)
        .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }
}

const RUN_SELECT: &str = "SELECT run_id, pay_date, period, state, created_at, created_by, submitted_at, submitted_by, approved_at, approved_by, exported_at, exported_by, settled_at FROM payout_runs";

fn run_record(r: &sqlx::any::AnyRow) -> Result<RunRecord> {
    Ok(RunRecord {
        run_id: r.try_get("run_id")?,
        pay_date: r.try_get("pay_date")?,
        period: crate::words::blank_or_period(r, "payout_runs", "period")?,
        state: column(r, "payout_runs", "state")?,
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
    .bind(d.method.as_str())
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
