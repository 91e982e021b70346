//! Postbacks in taken as a group (issue 29's group commit): what a group of
//! events reads and writes with one statement each, whatever the number
//! of events in it. The keys go in as one bound JSON array and the rows
//! come back as one JSON text ([`crate::json_rows`]).
//!
//! Locks are taken in one order by every group, so two groups at once
//! (two batchers, two instances) wait for each other but never deadlock:
//! the customers' advisory locks (PostgreSQL), sorted; the claims of the
//! events, sorted; then the rows of customers the group now owns; the
//! `meta` marks last.

use crate::error::Result;
use crate::json_rows;
use crate::postbacks::{ClickOrigin, PostbackLogRow};
use crate::{Backend, Batch, Tx, Val};
use std::collections::{HashMap, HashSet};

/// `deposits > 0` for a deposits column holding exact decimal text
/// (no float ever compares an amount: not negative, a digit other than 0).
const POSITIVE: &str =
    "(a.deposits NOT LIKE '-%' AND REPLACE(REPLACE(a.deposits, '0', ''), '.', '') <> '')";

/// The first key of our advisory locks (the second is the customer id's
/// hash), so they cannot be taken for another purpose's.
const LOCK_SPACE: i32 = 29;

/// The claim of one event (see [`claim_events`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub brand_id: String,
    pub event_id: String,
    pub event_type: String,
    pub customer_id: String,
    pub click_id: Option<String>,
    pub received_at: String,
}

/// A stored customer as a group of postbacks needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCustomer {
    pub brand_id: String,
    /// None or empty: no code yet (a registration may fill it).
    pub tracking_code: Option<String>,
}

/// A stored registration event that came with a click.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationClick {
    pub brand_id: String,
    pub event_id: String,
    pub customer_id: String,
    pub click_id: String,
    pub received_at: String,
}

/// What the fraud checks of a registration know of a partner.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartnerFacts {
    pub email: Option<String>,
    pub link_only: bool,
    pub payment_account: Option<String>,
}

fn text_array<T: AsRef<str>>(ids: &[T]) -> Result<String> {
    let v: Vec<&str> = ids.iter().map(AsRef::as_ref).collect();
    json_rows::rows(&v, "keys")
}

/// `SELECT value FROM <the elements of the JSON text array $n>`.
fn texts_of(pg: bool, param: &str) -> String {
    if pg {
        format!("SELECT value FROM json_array_elements_text(CAST({param} AS json))")
    } else {
        format!("SELECT value FROM json_each({param})")
    }
}

type Cells = Vec<Option<String>>;

async fn read_rows(tx: &mut Tx<'_>, sql: &str, binds: &[String], what: &str) -> Result<Vec<Cells>> {
    let mut q = sqlx::query_as::<_, (Option<String>,)>(sql);
    for b in binds {
        q = q.bind(b.as_str());
    }
    let (json,) = q.fetch_one(&mut **tx).await?;
    json_rows::parse(json, what)
}

fn cell(r: &mut Cells, i: usize) -> Option<String> {
    r.get_mut(i).and_then(Option::take)
}

fn cell_text(r: &mut Cells, i: usize) -> String {
    cell(r, i).unwrap_or_default()
}

/// Takes PostgreSQL's transaction advisory locks of `customers`, in the
/// order of their keys: a group that touches a customer waits for another
/// group touching it to end, so a deposit's read, add and write of the
/// day's activity is never lost to a concurrent one. SQLite's `IMMEDIATE`
/// transaction holds the whole database already.
pub async fn lock_customers(tx: &mut Tx<'_>, customers: &[&str]) -> Result<()> {
    if tx.backend() != Backend::Postgres || customers.is_empty() {
        return Ok(());
    }
    // The volatile lock function is evaluated after the sort (PostgreSQL
    // 9.6+), so every group takes its locks in the same order.
    let sql = format!(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM (SELECT pg_advisory_xact_lock({LOCK_SPACE}, h) FROM \
         (SELECT DISTINCT hashtext(value) AS h FROM json_array_elements_text(CAST($1 AS json))) k \
         ORDER BY h) s"
    );
    let _: (i64,) = sqlx::query_as(&sql)
        .bind(text_array(customers)?)
        .fetch_one(&mut **tx)
        .await?;
    Ok(())
}

/// Claims the events (brand, event id) with one multi-row insert, in the
/// order given (the caller sorts them, so two groups wait for each other
/// in one order); answers the keys this call took. An event claimed by a
/// group still open waits for it, then is found taken (or free, if that
/// group's claim was rolled back or deleted).
pub async fn claim_events(tx: &mut Tx<'_>, claims: &[Claim]) -> Result<HashSet<(String, String)>> {
    let mut taken = HashSet::with_capacity(claims.len());
    // Six values a row, well within both backends' bind limits.
    for chunk in claims.chunks(1_000) {
        let mut sql = String::from(
            "INSERT INTO postback_events (brand_id, event_id, event_type, customer_id, click_id, received_at) VALUES ",
        );
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            let b = i * 6;
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6
            ));
        }
        sql.push_str(" ON CONFLICT (brand_id, event_id) DO NOTHING RETURNING brand_id, event_id");
        let mut q = sqlx::query_as::<_, (String, String)>(&sql);
        for c in chunk {
            q = q
                .bind(&c.brand_id)
                .bind(&c.event_id)
                .bind(&c.event_type)
                .bind(&c.customer_id)
                .bind(&c.click_id)
                .bind(&c.received_at);
        }
        taken.extend(q.fetch_all(&mut **tx).await?);
    }
    Ok(taken)
}

/// Gives back the claims of refused events, in the claiming transaction:
/// the platform may send them again once what they lacked is there.
pub async fn unclaim_events(tx: &mut Tx<'_>, brand_id: &str, event_ids: &[&str]) -> Result<()> {
    if event_ids.is_empty() {
        return Ok(());
    }
    let pg = json_rows::on_postgres(tx);
    let sql = format!(
        "DELETE FROM postback_events WHERE brand_id = $1 AND event_id IN ({})",
        texts_of(pg, "$2")
    );
    sqlx::query(&sql)
        .bind(brand_id)
        .bind(text_array(event_ids)?)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The stored customers among `ids`, with their brand and code.
pub async fn customers_of(
    tx: &mut Tx<'_>,
    ids: &[&str],
) -> Result<HashMap<String, StoredCustomer>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let pg = json_rows::on_postgres(tx);
    let sql = json_rows::aggregate(
        pg,
        "customer_id, brand_id, tracking_code",
        &format!(
            "FROM customers WHERE customer_id IN ({})",
            texts_of(pg, "$1")
        ),
    );
    let rows = read_rows(tx, &sql, &[text_array(ids)?], "customers").await?;
    Ok(rows
        .into_iter()
        .map(|mut r| {
            (
                cell_text(&mut r, 0),
                StoredCustomer {
                    brand_id: cell_text(&mut r, 1),
                    tracking_code: cell(&mut r, 2),
                },
            )
        })
        .collect())
}

/// The stored clicks among `ids`: brand, code, link and sub-ids.
pub async fn click_origins(tx: &mut Tx<'_>, ids: &[&str]) -> Result<HashMap<String, ClickOrigin>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let pg = json_rows::on_postgres(tx);
    let sql = json_rows::aggregate(
        pg,
        "click_id, brand_id, code, link_path, sub1, sub2, sub3, sub4, sub5",
        &format!("FROM clicks WHERE click_id IN ({})", texts_of(pg, "$1")),
    );
    let rows = read_rows(tx, &sql, &[text_array(ids)?], "clicks").await?;
    Ok(rows
        .into_iter()
        .map(|mut r| {
            (
                cell_text(&mut r, 0),
                ClickOrigin {
                    brand_id: cell_text(&mut r, 1),
                    code: cell_text(&mut r, 2),
                    link_path: cell_text(&mut r, 3),
                    subs: [
                        cell(&mut r, 4),
                        cell(&mut r, 5),
                        cell(&mut r, 6),
                        cell(&mut r, 7),
                        cell(&mut r, 8),
                    ],
                },
            )
        })
        .collect())
}

/// The stored registration events of `customers` that came with a click,
/// oldest first.
pub async fn registration_clicks(
    tx: &mut Tx<'_>,
    customers: &[&str],
) -> Result<Vec<RegistrationClick>> {
    if customers.is_empty() {
        return Ok(Vec::new());
    }
    let pg = json_rows::on_postgres(tx);
    let sql = json_rows::aggregate(
        pg,
        "brand_id, event_id, customer_id, click_id, received_at",
        &format!(
            "FROM postback_events WHERE event_type = 'registration' AND click_id IS NOT NULL \
             AND customer_id IN ({})",
            texts_of(pg, "$1")
        ),
    );
    let rows = read_rows(tx, &sql, &[text_array(customers)?], "registration events").await?;
    let mut out: Vec<RegistrationClick> = rows
        .into_iter()
        .map(|mut r| RegistrationClick {
            brand_id: cell_text(&mut r, 0),
            event_id: cell_text(&mut r, 1),
            customer_id: cell_text(&mut r, 2),
            click_id: cell_text(&mut r, 3),
            received_at: cell_text(&mut r, 4),
        })
        .collect();
    out.sort_by(|a, b| a.received_at.cmp(&b.received_at));
    Ok(out)
}

/// The stored activity of `customers` on `days` (any of them), keyed by
/// (customer, day): deposits, withdrawals, bets, wins, bonuses,
/// chargebacks, taxes as decimal texts.
pub async fn activity_days(
    tx: &mut Tx<'_>,
    customers: &[&str],
    days: &[&str],
) -> Result<HashMap<(String, String), [String; 7]>> {
    if customers.is_empty() || days.is_empty() {
        return Ok(HashMap::new());
    }
    let pg = json_rows::on_postgres(tx);
    let sql = json_rows::aggregate(
        pg,
        "customer_id, date, deposits, withdrawals, bets, wins, bonuses, chargebacks, taxes",
        &format!(
            "FROM igaming_activity WHERE customer_id IN ({}) AND date IN ({})",
            texts_of(pg, "$1"),
            texts_of(pg, "$2")
        ),
    );
    let rows = read_rows(
        tx,
        &sql,
        &[text_array(customers)?, text_array(days)?],
        "activity",
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|mut r| {
            let key = (cell_text(&mut r, 0), cell_text(&mut r, 1));
            let values = std::array::from_fn(|i| cell_text(&mut r, i + 2));
            (key, values)
        })
        .collect())
}

/// Each of `customers`' first day with deposits > 0, where there is one
/// (RULES.md's FTD day).
pub async fn first_deposit_days(
    tx: &mut Tx<'_>,
    customers: &[&str],
) -> Result<HashMap<String, String>> {
    if customers.is_empty() {
        return Ok(HashMap::new());
    }
    let pg = json_rows::on_postgres(tx);
    let sql = json_rows::aggregate(
        pg,
        "customer_id, first_day",
        &format!(
            "FROM (SELECT a.customer_id, MIN(a.date) AS first_day FROM igaming_activity a \
             WHERE a.customer_id IN ({}) AND {POSITIVE} GROUP BY a.customer_id) f",
            texts_of(pg, "$1")
        ),
    );
    let rows = read_rows(tx, &sql, &[text_array(customers)?], "first deposits").await?;
    Ok(rows
        .into_iter()
        .map(|mut r| (cell_text(&mut r, 0), cell_text(&mut r, 1)))
        .collect())
}

/// The partners of tracking codes (brand, code), where the code is known.
pub async fn code_partners(
    tx: &mut Tx<'_>,
    codes: &[(&str, &str)],
) -> Result<HashMap<(String, String), String>> {
    if codes.is_empty() {
        return Ok(HashMap::new());
    }
    let pg = json_rows::on_postgres(tx);
    let sql = json_rows::aggregate(
        pg,
        "t.brand_id, t.code, t.partner_id",
        &format!(
            "FROM {} AS k JOIN tracking_codes t ON t.brand_id = k.value ->> 0 AND t.code = k.value ->> 1",
            json_rows::each(pg, "$1")
        ),
    );
    let keys: Vec<[&str; 2]> = codes.iter().map(|(b, c)| [*b, *c]).collect();
    let rows = read_rows(
        tx,
        &sql,
        &[json_rows::rows(&keys, "codes")?],
        "tracking codes",
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|mut r| {
            (
                (cell_text(&mut r, 0), cell_text(&mut r, 1)),
                cell_text(&mut r, 2),
            )
        })
        .collect())
}

/// What the registration fraud checks compare, per partner of `partners`.
pub async fn partner_facts(
    tx: &mut Tx<'_>,
    partners: &[&str],
) -> Result<HashMap<String, PartnerFacts>> {
    if partners.is_empty() {
        return Ok(HashMap::new());
    }
    let pg = json_rows::on_postgres(tx);
    let sql = json_rows::aggregate(
        pg,
        "p.partner_id, p.email, CASE WHEN l.partner_id IS NULL THEN '0' ELSE '1' END, d.account",
        &format!(
            "FROM partners p LEFT JOIN link_only_partners l ON l.partner_id = p.partner_id \
             LEFT JOIN payment_details d ON d.partner_id = p.partner_id WHERE p.partner_id IN ({})",
            texts_of(pg, "$1")
        ),
    );
    let rows = read_rows(tx, &sql, &[text_array(partners)?], "partners").await?;
    Ok(rows
        .into_iter()
        .map(|mut r| {
            (
                cell_text(&mut r, 0),
                PartnerFacts {
                    email: cell(&mut r, 1),
                    link_only: cell(&mut r, 2).as_deref() == Some("1"),
                    payment_account: cell(&mut r, 3),
                },
            )
        })
        .collect())
}

/// Writes log rows with multi-row inserts.
pub async fn log_postbacks(tx: &mut Tx<'_>, rows: &[PostbackLogRow]) -> Result<()> {
    let mut b = Batch::new(
        "postback_log",
        &[
            "brand_id",
            "event_id",
            "event_type",
            "received_at",
            "status",
            "outcome",
            "reason",
        ],
        "",
    );
    for r in rows {
        b.push(
            tx,
            vec![
                r.brand_id.as_str().into(),
                r.event_id.as_str().into(),
                r.event_type.as_str().into(),
                r.received_at.as_str().into(),
                Val::Int(r.status),
                r.outcome.as_str().into(),
                r.reason.as_str().into(),
            ],
        )
        .await?;
    }
    b.flush(tx).await
}

/// Raises flags, each with its time, with multi-row inserts (one with a
/// key stored already is not made again).
pub async fn raise_flags(tx: &mut Tx<'_>, flags: &[(crate::fraud::NewFlag, String)]) -> Result<()> {
    let mut b = Batch::new(
        "fraud_flags",
        &[
            "kind",
            "key",
            "partner_id",
            "brand_id",
            "subject",
            "reason",
            "state",
            "created_at",
        ],
        " ON CONFLICT (key) DO NOTHING",
    );
    for (f, at) in flags {
        b.push(
            tx,
            vec![
                f.kind.into(),
                f.key.as_str().into(),
                Val::OptText(f.partner_id.clone()),
                Val::OptText(f.brand_id.clone()),
                f.subject.as_str().into(),
                f.reason.as_str().into(),
                "open".into(),
                at.as_str().into(),
            ],
        )
        .await?;
    }
    b.flush(tx).await
}
