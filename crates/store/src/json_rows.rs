//! Many rows through one value. The database driver's cost is per row and per
//! column (each row crosses from the SQLite worker thread and every value is
//! copied twice), which dominates when tens of thousands of narrow rows move
//! at once. Reading, the rows are aggregated into one JSON array of arrays in
//! SQL; writing, one JSON array of arrays is bound and unpacked in SQL. JSON
//! quotes every text, so free text (names, account holders) is safe, and
//! amounts travel as their stored decimal text, exactly.

use crate::error::{Result, StoreError};
use serde::de::DeserializeOwned;

/// Whether a transaction runs on PostgreSQL (else SQLite).
pub(crate) fn on_postgres(tx: &crate::Tx<'_>) -> bool {
    tx.backend_name().eq_ignore_ascii_case("postgresql")
}

/// `SELECT <one JSON text holding every row> <rest>`: `columns` are the
/// expressions of a row, `rest` the FROM/WHERE/GROUP BY of the query.
pub(crate) fn aggregate(pg: bool, columns: &str, rest: &str) -> String {
    if pg {
        format!("SELECT CAST(json_agg(json_build_array({columns})) AS TEXT) {rest}")
    } else {
        format!("SELECT json_group_array(json_array({columns})) {rest}")
    }
}

/// A FROM item with one row per element of the JSON array bound as `param`;
/// element `i` of a row is `value ->> i` (text, or NULL for null).
pub(crate) fn each(pg: bool, param: &str) -> String {
    if pg {
        format!("json_array_elements(CAST({param} AS json))")
    } else {
        format!("json_each({param})")
    }
}

/// The rows of an [`aggregate`] answer (NULL when there were none).
pub(crate) fn parse<T: DeserializeOwned>(json: Option<String>, what: &str) -> Result<Vec<T>> {
    match json {
        None => Ok(Vec::new()),
        Some(j) => serde_json::from_str(&j)
            .map_err(|e| StoreError::Corrupt(format!("{what} read as JSON: {e}"))),
    }
}

/// Rows as one JSON text to bind for [`each`].
pub(crate) fn rows<T: serde::Serialize>(rows: &[T], what: &str) -> Result<String> {
    serde_json::to_string(rows)
        .map_err(|e| StoreError::Corrupt(format!("{what} written as JSON: {e}")))
}

/// Every row of `table` in the order of its key (the first of `columns`),
/// read `chunk` rows at a time as one JSON text each (keyset paging), each
/// row made a `T` by `convert`. A row at a time through the driver costs
/// about 2.5 µs; this is the way to load hundreds of thousands of rows.
pub(crate) async fn read_in_chunks<R: DeserializeOwned, T>(
    store: &crate::Store,
    table: &str,
    columns: &str,
    chunk: i64,
    key: impl Fn(&R) -> &String,
    mut convert: impl FnMut(R) -> Result<T>,
) -> Result<Vec<T>> {
    let pg = store.backend() == crate::Backend::Postgres;
    let first = columns.split(',').next().unwrap_or(columns).trim();
    let sql = aggregate(
        pg,
        columns,
        &format!(
            "FROM (SELECT {columns} FROM {table} WHERE {first} > $1 ORDER BY {first} LIMIT {chunk}) AS chunk"
        ),
    );
    let mut out = Vec::new();
    let mut after = String::new();
    loop {
        let json: Option<String> = sqlx::query_scalar(&sql)
            .bind(&after)
            .fetch_one(store.pool())
            .await?;
        let mut rows: Vec<R> = parse(json, table)?;
        // The aggregate's order is not promised; the chunk's keys are.
        rows.sort_unstable_by(|a, b| key(a).cmp(key(b)));
        let Some(last) = rows.last() else { break };
        after = key(last).clone();
        let full = rows.len() as i64 >= chunk;
        for r in rows {
            out.push(convert(r)?);
        }
        if !full {
            break;
        }
    }
    Ok(out)
}
