//! What a sync could not take waits here (issue 25): the retry list of
//! records (the platform's, or ours waiting for their customer) by
//! connection, stream and our record's id; the customers whose country text
//! named no country; a few reads and writes the sync's write path needs
//! (orders already stored, tracking codes to fill, countries to set).
//! Everything goes through a transaction ([`Tx`]), reads included.

use crate::batch::{Batch, Val};
use crate::error::Result;
use crate::json_rows;
use crate::Tx;
use partnerdesk_domain::sync_run::PendingKind;
use std::collections::HashSet;

/// A record in the retry list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRow {
    pub stream: String,
    pub record_key: String,
    pub label: String,
    pub kind: PendingKind,
    pub payload: String,
    pub reason: String,
    pub first_seen: String,
    pub last_tried: String,
    pub attempts: i64,
}

/// Adds records to the retry list, or counts one more try of those there,
/// in multi-row statements (the store's [`Batch`], like the sync's record
/// errors). A record given twice counts once, as its last copy:
/// PostgreSQL refuses a statement that would change one row twice.
pub async fn put_pending(tx: &mut Tx<'_>, connection: &str, rows: &[PendingRow]) -> Result<()> {
    let mut b = Batch::new(
        "sync_pending",
        &[
            "connection",
            "stream",
            "record_key",
            "label",
            "kind",
            "payload",
            "reason",
            "first_seen",
            "last_tried",
            "attempts",
        ],
        " ON CONFLICT (connection, stream, record_key) DO UPDATE SET label = excluded.label, kind = excluded.kind, \
         payload = excluded.payload, reason = excluded.reason, last_tried = excluded.last_tried, \
         attempts = sync_pending.attempts + 1",
    );
    for r in last_of_each(rows, |r| (r.stream.as_str(), r.record_key.as_str())) {
        b.push(
            tx,
            vec![
                connection.into(),
                r.stream.as_str().into(),
                r.record_key.as_str().into(),
                r.label.as_str().into(),
                r.kind.as_str().into(),
                r.payload.as_str().into(),
                r.reason.as_str().into(),
                r.first_seen.as_str().into(),
                r.last_tried.as_str().into(),
                Val::Int(1),
            ],
        )
        .await?;
    }
    b.flush(tx).await
}

/// The last row of `rows` for each key, in their order.
fn last_of_each<'a, T, K: Eq + std::hash::Hash>(
    rows: &'a [T],
    key: impl Fn(&'a T) -> K,
) -> Vec<&'a T> {
    let mut seen = HashSet::new();
    let mut out: Vec<&T> = rows.iter().rev().filter(|r| seen.insert(key(r))).collect();
    out.reverse();
    out
}

/// Takes records off the retry list (they are stored now).
pub async fn clear_pending(
    tx: &mut Tx<'_>,
    connection: &str,
    stream: &str,
    keys: &[&str],
) -> Result<()> {
    if keys.is_empty() {
        return Ok(());
    }
    let pg = json_rows::on_postgres(tx);
    let each = if pg {
        "json_array_elements_text(CAST($3 AS json))"
    } else {
        "json_each($3)"
    };
    for chunk in keys.chunks(20_000) {
        sqlx::query(&format!(
            "DELETE FROM sync_pending WHERE connection = $1 AND stream = $2 AND record_key IN (SELECT value FROM {each})"
        ))
        .bind(connection)
        .bind(stream)
        .bind(json_rows::rows(chunk, "record keys")?)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

const PENDING_COLUMNS: &str =
    "stream, record_key, label, kind, payload, reason, first_seen, last_tried, attempts";

/// A connection's waiting records (of one stream, or all), oldest first.
pub async fn pending(
    tx: &mut Tx<'_>,
    connection: &str,
    stream: Option<&str>,
    limit: i64,
) -> Result<Vec<PendingRow>> {
    let rows: Vec<(String, String, String, String, String, String, String, String, i64)> =
        sqlx::query_as(&format!(
            "SELECT {PENDING_COLUMNS} FROM sync_pending WHERE connection = $1 AND ($2 = '' OR stream = $2) \
             ORDER BY first_seen, stream, record_key LIMIT $3"
        ))
        .bind(connection)
        .bind(stream.unwrap_or(""))
        .bind(limit)
        .fetch_all(&mut **tx)
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(PendingRow {
                stream: r.0,
                record_key: r.1,
                label: r.2,
                kind: crate::words::word("sync_pending", "kind", &r.3)?,
                payload: r.4,
                reason: r.5,
                first_seen: r.6,
                last_tried: r.7,
                attempts: r.8,
            })
        })
        .collect()
}

/// The keys of a stream's waiting records.
pub async fn pending_keys(
    tx: &mut Tx<'_>,
    connection: &str,
    stream: &str,
) -> Result<HashSet<String>> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT record_key FROM sync_pending WHERE connection = $1 AND stream = $2")
            .bind(connection)
            .bind(stream)
            .fetch_all(&mut **tx)
            .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

pub async fn pending_count(tx: &mut Tx<'_>, connection: &str) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sync_pending WHERE connection = $1")
        .bind(connection)
        .fetch_one(&mut **tx)
        .await?;
    Ok(n)
}

/// Customers kept with an unknown country, with the text that named none
/// (a customer given twice: its last text).
pub async fn put_unmapped(
    tx: &mut Tx<'_>,
    connection: &str,
    rows: &[(String, String)],
    now: &str,
) -> Result<()> {
    let mut b = Batch::upsert(
        "sync_unmapped_countries",
        &["connection", "customer_id", "text", "seen_at"],
        &["connection", "customer_id"],
    );
    for (customer, text) in last_of_each(rows, |r| r.0.as_str()) {
        b.push(
            tx,
            vec![
                connection.into(),
                customer.as_str().into(),
                text.as_str().into(),
                now.into(),
            ],
        )
        .await?;
    }
    b.flush(tx).await
}

pub async fn clear_unmapped(tx: &mut Tx<'_>, connection: &str, customers: &[&str]) -> Result<()> {
    for c in customers {
        sqlx::query(
            "DELETE FROM sync_unmapped_countries WHERE connection = $1 AND customer_id = $2",
        )
        .bind(connection)
        .bind(*c)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// (customer id, text) of a connection's customers kept with an unknown country.
pub async fn unmapped(tx: &mut Tx<'_>, connection: &str) -> Result<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT customer_id, text FROM sync_unmapped_countries WHERE connection = $1 ORDER BY text, customer_id",
    )
    .bind(connection)
    .fetch_all(&mut **tx)
    .await?)
}

/// Those of `order_ids` that are stored purchases.
pub async fn stored_order_ids(tx: &mut Tx<'_>, order_ids: &[&str]) -> Result<HashSet<String>> {
    let mut out = HashSet::new();
    if order_ids.is_empty() {
        return Ok(out);
    }
    let pg = json_rows::on_postgres(tx);
    let each = if pg {
        "json_array_elements_text(CAST($1 AS json))"
    } else {
        "json_each($1)"
    };
    for chunk in order_ids.chunks(20_000) {
        let rows: Vec<(String,)> = sqlx::query_as(&format!(
            "SELECT order_id FROM purchases WHERE order_id IN (SELECT value FROM {each})"
        ))
        .bind(json_rows::rows(chunk, "order ids")?)
        .fetch_all(&mut **tx)
        .await?;
        out.extend(rows.into_iter().map(|r| r.0));
    }
    Ok(out)
}

/// Gives stored customers without a tracking code the one given; answers
/// how many changed.
pub async fn fill_tracking_codes(tx: &mut Tx<'_>, rows: &[(&str, &str)]) -> Result<i64> {
    let mut changed = 0;
    for (customer, code) in rows {
        let r = sqlx::query(
            "UPDATE customers SET tracking_code = $2 WHERE customer_id = $1 AND (tracking_code IS NULL OR tracking_code = '')",
        )
        .bind(*customer)
        .bind(*code)
        .execute(&mut **tx)
        .await?;
        changed += r.rows_affected() as i64;
    }
    Ok(changed)
}

/// Sets the country of stored customers whose country is unknown; answers
/// the ids changed.
pub async fn set_unknown_countries(
    tx: &mut Tx<'_>,
    rows: &[(String, String)],
) -> Result<Vec<String>> {
    let mut changed = Vec::new();
    for (customer, code) in rows {
        let r = sqlx::query(
            "UPDATE customers SET country = $2 WHERE customer_id = $1 AND country = ''",
        )
        .bind(customer)
        .bind(code)
        .execute(&mut **tx)
        .await?;
        if r.rows_affected() > 0 {
            changed.push(customer.clone());
        }
    }
    Ok(changed)
}

/// The earliest registration (stored text) among `customers`.
pub async fn earliest_registration(
    tx: &mut Tx<'_>,
    customers: &[String],
) -> Result<Option<String>> {
    let mut earliest: Option<String> = None;
    for c in customers {
        let r: Option<(String,)> =
            sqlx::query_as("SELECT registered_at FROM customers WHERE customer_id = $1")
                .bind(c)
                .fetch_optional(&mut **tx)
                .await?;
        if let Some((t,)) = r {
            if earliest.as_ref().is_none_or(|e| t < *e) {
                earliest = Some(t);
            }
        }
    }
    Ok(earliest)
}
