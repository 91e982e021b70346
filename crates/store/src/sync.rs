//! Platform sync (issue 4): connections, per-stream cursors (written in the
//! same transaction as the page of data they cover), run history with counts
//! and per-record errors, and a counted upsert that writes through the import
//! writers of [`crate::data`] but only the rows that are new or changed, so
//! replaying a page changes nothing and the run can say what it did.

use crate::batch::{Batch, Val};
use crate::data;
use crate::error::Result;
use crate::json_rows;
use crate::Tx;
use partnerdesk_domain::sync_run::{ConnectionKind, SyncRunStatus};
use sqlx::Row;
use std::collections::HashMap;

/// A stored connection (its config never holds a secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionRow {
    pub name: String,
    pub kind: ConnectionKind,
    pub config: String,
    pub schedule_minutes: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

/// One sync run, as the history shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRow {
    pub run_id: i64,
    pub connection: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub status: SyncRunStatus,
    pub fetched: i64,
    pub inserted: i64,
    pub updated: i64,
    pub skipped: i64,
    pub errors: i64,
    pub error: Option<String>,
    /// The run's report as JSON (unmapped countries, notes), once finished.
    pub report: Option<String>,
}

/// What a counted upsert did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub inserted: i64,
    pub updated: i64,
    pub skipped: i64,
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, o: Counts) {
        self.inserted += o.inserted;
        self.updated += o.updated;
        self.skipped += o.skipped;
    }
}

const CONNECTION_COLUMNS: &str = "name, kind, config, schedule_minutes, created_at, updated_at";

fn connection(r: &sqlx::any::AnyRow) -> Result<ConnectionRow> {
    Ok(ConnectionRow {
        name: r.try_get(0)?,
        kind: crate::words::word("connections", "kind", &r.try_get::<String, _>(1)?)?,
        config: r.try_get(2)?,
        schedule_minutes: r.try_get(3)?,
        created_at: r.try_get(4)?,
        updated_at: r.try_get(5)?,
    })
}

const RUN_COLUMNS: &str =
    "run_id, connection, started_at, finished_at, status, fetched, inserted, updated, skipped, errors, error, report";

fn run(r: &sqlx::any::AnyRow) -> Result<RunRow> {
    Ok(RunRow {
        run_id: r.try_get(0)?,
        connection: r.try_get(1)?,
        started_at: r.try_get(2)?,
        finished_at: r.try_get(3)?,
        status: crate::words::word("sync_runs", "status", &r.try_get::<String, _>(4)?)?,
        fetched: r.try_get(5)?,
        inserted: r.try_get(6)?,
        updated: r.try_get(7)?,
        skipped: r.try_get(8)?,
        errors: r.try_get(9)?,
        error: r.try_get(10)?,
        report: r.try_get(11)?,
    })
}

impl Tx<'_> {
    pub async fn connections(&mut self) -> Result<Vec<ConnectionRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {CONNECTION_COLUMNS} FROM connections ORDER BY name"
        ))
        .fetch_all(&mut **self)
        .await?;
        rows.iter().map(connection).collect()
    }

    pub async fn connection(&mut self, name: &str) -> Result<Option<ConnectionRow>> {
        let row = sqlx::query(&format!(
            "SELECT {CONNECTION_COLUMNS} FROM connections WHERE name = $1"
        ))
        .bind(name)
        .fetch_optional(&mut **self)
        .await?;
        row.as_ref().map(connection).transpose()
    }

    pub async fn sync_cursor(&mut self, connection: &str, stream: &str) -> Result<Option<String>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT cursor FROM sync_cursors WHERE connection = $1 AND stream = $2")
                .bind(connection)
                .bind(stream)
                .fetch_optional(&mut **self)
                .await?;
        Ok(row.map(|r| r.0))
    }

    /// The newest runs of a connection first.
    pub async fn sync_runs(&mut self, connection: &str, limit: i64) -> Result<Vec<RunRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {RUN_COLUMNS} FROM sync_runs WHERE connection = $1 ORDER BY run_id DESC LIMIT $2"
        ))
        .bind(connection)
        .bind(limit)
        .fetch_all(&mut **self)
        .await?;
        rows.iter().map(run).collect()
    }

    pub async fn sync_run(&mut self, run_id: i64) -> Result<Option<RunRow>> {
        let row = sqlx::query(&format!(
            "SELECT {RUN_COLUMNS} FROM sync_runs WHERE run_id = $1"
        ))
        .bind(run_id)
        .fetch_optional(&mut **self)
        .await?;
        row.as_ref().map(run).transpose()
    }

    /// A run's per-record errors: (stream, external id, message).
    pub async fn sync_errors(
        &mut self,
        run_id: i64,
        limit: i64,
    ) -> Result<Vec<(String, String, String)>> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT stream, external_id, message FROM sync_errors WHERE run_id = $1 ORDER BY stream, external_id LIMIT $2",
        )
        .bind(run_id)
        .bind(limit)
        .fetch_all(&mut **self)
        .await?;
        Ok(rows)
    }
}

pub async fn insert_connection(tx: &mut Tx<'_>, c: &ConnectionRow) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO connections ({CONNECTION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"
    ))
    .bind(&c.name)
    .bind(c.kind.as_str())
    .bind(&c.config)
    .bind(c.schedule_minutes)
    .bind(&c.created_at)
    .bind(&c.updated_at)
    .execute(&mut **tx)
    .await
    .map_err(|e| crate::error::StoreError::translate(e, "name", "a connection with this name"))?;
    Ok(())
}

pub async fn update_connection(tx: &mut Tx<'_>, c: &ConnectionRow) -> Result<()> {
    sqlx::query(
        "UPDATE connections SET config = $2, schedule_minutes = $3, updated_at = $4 WHERE name = $1",
    )
    .bind(&c.name)
    .bind(&c.config)
    .bind(c.schedule_minutes)
    .bind(&c.updated_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn delete_connection(tx: &mut Tx<'_>, name: &str) -> Result<()> {
    for sql in [
        "DELETE FROM sync_errors WHERE run_id IN (SELECT run_id FROM sync_runs WHERE connection = $1)",
        "DELETE FROM sync_pending WHERE connection = $1",
        "DELETE FROM sync_unmapped_countries WHERE connection = $1",
        "DELETE FROM sync_runs WHERE connection = $1",
        "DELETE FROM sync_cursors WHERE connection = $1",
        "DELETE FROM connections WHERE name = $1",
    ] {
        sqlx::query(sql).bind(name).execute(&mut **tx).await?;
    }
    Ok(())
}

pub async fn set_cursor(
    tx: &mut Tx<'_>,
    connection: &str,
    stream: &str,
    cursor: &str,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sync_cursors (connection, stream, cursor, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (connection, stream) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at",
    )
    .bind(connection)
    .bind(stream)
    .bind(cursor)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn reset_cursors(tx: &mut Tx<'_>, connection: &str) -> Result<()> {
    sqlx::query("DELETE FROM sync_cursors WHERE connection = $1")
        .bind(connection)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Starts a run; runs of this connection left `running` by a process that
/// died are marked `interrupted` first.
pub async fn start_run(tx: &mut Tx<'_>, connection: &str, now: &str) -> Result<i64> {
    sqlx::query(
        "UPDATE sync_runs SET status = 'interrupted', finished_at = $2, \
         error = 'the run stopped without finishing (the app or process ended); the next run resumed from the last stored page' \
         WHERE connection = $1 AND status = 'running'",
    )
    .bind(connection)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let row = sqlx::query(
        "INSERT INTO sync_runs (connection, started_at, status) VALUES ($1, $2, 'running') RETURNING run_id",
    )
    .bind(connection)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get(0)?)
}

/// Adds a page's counts to a run (in the page's transaction).
pub async fn add_to_run(
    tx: &mut Tx<'_>,
    run_id: i64,
    fetched: i64,
    c: Counts,
    errors: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE sync_runs SET fetched = fetched + $2, inserted = inserted + $3, updated = updated + $4, \
         skipped = skipped + $5, errors = errors + $6 WHERE run_id = $1",
    )
    .bind(run_id)
    .bind(fetched)
    .bind(c.inserted)
    .bind(c.updated)
    .bind(c.skipped)
    .bind(errors)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn finish_run(
    tx: &mut Tx<'_>,
    run_id: i64,
    status: SyncRunStatus,
    error: Option<&str>,
    report: Option<&str>,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE sync_runs SET status = $2, error = $3, finished_at = $4, report = $5 WHERE run_id = $1",
    )
    .bind(run_id)
    .bind(status.as_str())
    .bind(error)
    .bind(now)
    .bind(report)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn add_errors(
    tx: &mut Tx<'_>,
    run_id: i64,
    stream: &str,
    errors: &[(String, String)],
) -> Result<()> {
    let mut batch = Batch::new(
        "sync_errors",
        &["run_id", "stream", "external_id", "message"],
        "",
    );
    for (id, message) in errors {
        batch
            .push(
                tx,
                vec![
                    Val::Int(run_id),
                    stream.into(),
                    id.as_str().into(),
                    message.as_str().into(),
                ],
            )
            .await?;
    }
    batch.flush(tx).await
}

/// The brands of those of `ids` that are stored customers. The ids go in
/// as one bound JSON array and the answer comes back as one JSON row
/// ([`crate::json_rows`]): a driver round per row cost more than the lookups.
pub async fn customer_brands_of(tx: &mut Tx<'_>, ids: &[&str]) -> Result<HashMap<String, String>> {
    let mut out = HashMap::with_capacity(ids.len());
    if ids.is_empty() {
        return Ok(out);
    }
    let pg = json_rows::on_postgres(tx);
    // A flat array of texts: each id is read without parsing a row again.
    let each = if pg {
        "json_array_elements_text(CAST($1 AS json))"
    } else {
        "json_each($1)"
    };
    let sql = json_rows::aggregate(
        pg,
        "customer_id, brand_id",
        &format!("FROM customers WHERE customer_id IN (SELECT value FROM {each})"),
    );
    for chunk in ids.chunks(50_000) {
        let (json,): (Option<String>,) = sqlx::query_as(&sql)
            .bind(json_rows::rows(chunk, "customer ids")?)
            .fetch_one(&mut **tx)
            .await?;
        let found: Vec<(String, String)> = json_rows::parse(json, "customers' brands")?;
        out.extend(found);
    }
    Ok(out)
}

/// A table written by sync and how its rows are keyed.
pub struct Target {
    pub table: &'static str,
    /// In the order of the matching `data::*_values` function.
    pub columns: &'static [&'static str],
    /// Positions of the key columns in `columns`.
    pub key: &'static [usize],
}

// The columns are the bulk writers' own (crate::data), so the two cannot
// drift apart.
pub const CUSTOMERS: Target = Target {
    table: "customers",
    columns: &data::CUSTOMER_COLUMNS,
    key: &[0],
};
pub const ACTIVITY: Target = Target {
    table: "igaming_activity",
    columns: &data::ACTIVITY_COLUMNS,
    key: &[0, 1],
};
pub const TRADES: Target = Target {
    table: "trades",
    columns: &data::TRADE_COLUMNS,
    key: &[0],
};
pub const PURCHASES: Target = Target {
    table: "purchases",
    columns: &data::PURCHASE_COLUMNS,
    key: &[0],
};

fn as_text(v: &Val) -> Option<String> {
    match v {
        Val::Text(s) => Some(s.clone()),
        Val::OptText(s) => s.clone(),
        Val::Int(i) => Some(i.to_string()),
        Val::OptInt(i) => i.map(|i| i.to_string()),
    }
}

/// Writes `rows` (values of `target`'s columns) through `batch` (a writer of
/// [`crate::data`]), skipping rows stored exactly so already; with
/// `insert_only`, stored rows are never changed. Returns what it did.
/// Later rows with the same key win over earlier ones.
pub async fn upsert_counted(
    tx: &mut Tx<'_>,
    target: &Target,
    mut batch: Batch,
    rows: Vec<Vec<Val>>,
    insert_only: bool,
) -> Result<Counts> {
    let mut counts = Counts::default();
    // Last row per key.
    let mut order: Vec<Vec<String>> = Vec::new();
    let mut by_key: HashMap<Vec<String>, Vec<Val>> = HashMap::new();
    for row in rows {
        let key: Vec<String> = target
            .key
            .iter()
            .map(|&i| as_text(&row[i]).unwrap_or_default())
            .collect();
        if by_key.insert(key.clone(), row).is_some() {
            counts.skipped += 1;
        } else {
            order.push(key);
        }
    }
    let pg = json_rows::on_postgres(tx);
    // The stored rows of a chunk's keys in one query: the keys go in as one
    // JSON array of arrays and the rows come back as one JSON array (a driver
    // round per key or per row costs more than the lookups themselves).
    let cols: Vec<String> = target.columns.iter().map(|c| format!("t.{c}")).collect();
    let on: Vec<String> = target
        .key
        .iter()
        .enumerate()
        .map(|(j, &k)| format!("t.{} = k.value ->> {j}", target.columns[k]))
        .collect();
    let sql = json_rows::aggregate(
        pg,
        &cols.join(", "),
        &format!(
            "FROM {} AS k JOIN {} AS t ON {}",
            json_rows::each(pg, "$1"),
            target.table,
            on.join(" AND ")
        ),
    );
    for keys in order.chunks(20_000) {
        let (json,): (Option<String>,) = sqlx::query_as(&sql)
            .bind(json_rows::rows(keys, "keys")?)
            .fetch_one(&mut **tx)
            .await?;
        let stored: Vec<Vec<serde_json::Value>> = json_rows::parse(json, target.table)?;
        let mut existing: HashMap<Vec<String>, Vec<Option<String>>> =
            HashMap::with_capacity(stored.len());
        for r in stored {
            let vals: Vec<Option<String>> = r
                .into_iter()
                .map(|v| match v {
                    serde_json::Value::Null => None,
                    serde_json::Value::String(s) => Some(s),
                    other => Some(other.to_string()),
                })
                .collect();
            let key = target
                .key
                .iter()
                .map(|&i| vals.get(i).cloned().flatten().unwrap_or_default())
                .collect();
            existing.insert(key, vals);
        }
        for key in keys {
            let Some(row) = by_key.remove(key) else {
                continue;
            };
            match existing.get(key) {
                None => counts.inserted += 1,
                Some(old) => {
                    let same = old.iter().zip(row.iter()).all(|(o, v)| *o == as_text(v));
                    if same || insert_only {
                        counts.skipped += 1;
                        continue;
                    }
                    counts.updated += 1;
                }
            }
            batch.push(tx, row).await?;
        }
    }
    batch.flush(tx).await?;
    Ok(counts)
}
