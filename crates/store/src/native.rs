//! The embedded database's largest reads, through SQLite's own API.
//!
//! sqlx's SQLite driver hands every row from its worker thread to the caller
//! and copies each value twice: fine for a screenful, not for the ten million
//! activity rows of a month. Its way round, one JSON text per chunk of rows
//! built in SQL ([`crate::json_rows`]), still cost SQLite as much work again
//! as reading the rows, and the caller as much to parse them. Here a thread of
//! its own steps through the rows on a connection of its own (rusqlite, on
//! the very library sqlx links) and takes each value as the text it is
//! stored as, without a copy.
//!
//! The connection only reads (`query_only`) and is closed when the reading
//! ends. In WAL mode it sees what was committed when its read began and
//! holds up no writer.

use crate::error::{Result, StoreError};
use std::path::Path;

/// The most columns a row read here may have.
pub(crate) const MAX_COLUMNS: usize = 16;

/// Rows of one read, gathered into chunks: each row arrives as the texts of
/// its columns, in the order the read names them.
pub(crate) trait Chunk: Send + Sized + 'static {
    fn with_capacity(rows: usize) -> Self;
    /// Empties the chunk, keeping its memory for the next rows.
    fn clear(&mut self);
    /// Adds one row (`cells` are its columns' texts).
    fn push(&mut self, cells: &[&str]) -> Result<()>;
    fn len(&self) -> usize;
}

/// The page cache of a reading connection, in KiB. Its reads go through a
/// table or a period once, so a larger cache would only be memory to fault
/// in afresh: with the pool's 64 MiB, zeroing new pages was a fifth of an
/// incremental run's time.
const CACHE_KIB: u32 = 4 * 1024;

/// A reading connection to the database file at `path` (the pool's busy
/// timeout, a small page cache).
fn open(path: &Path) -> Result<rusqlite::Connection> {
    use rusqlite::OpenFlags;
    // Not SQLITE_OPEN_READ_ONLY: a read-only connection cannot set up the
    // WAL index when it is missing. `query_only` keeps it from writing.
    let conn = rusqlite::Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.execute_batch(&format!(
        "PRAGMA query_only = ON; PRAGMA cache_size = -{CACHE_KIB};"
    ))?;
    Ok(conn)
}

/// The texts of a row's first `width` columns (None for NULL).
fn cells<'r>(
    row: &'r rusqlite::Row<'_>,
    width: usize,
    table: &str,
) -> Result<[Option<&'r str>; MAX_COLUMNS]> {
    let mut cells = [None; MAX_COLUMNS];
    for (i, cell) in cells.iter_mut().take(width).enumerate() {
        *cell = match row.get_ref(i)? {
            rusqlite::types::ValueRef::Null => None,
            v => Some(v.as_str().map_err(|e| {
                StoreError::Corrupt(format!("{table}: column {} is not text: {e}", i + 1))
            })?),
        };
    }
    Ok(cells)
}

/// How many columns `columns` names, refused beyond [`MAX_COLUMNS`].
fn width(table: &str, columns: &str) -> Result<usize> {
    let width = columns.split(',').count();
    if width > MAX_COLUMNS {
        return Err(StoreError::Corrupt(format!(
            "{table}: {width} columns to read, at most {MAX_COLUMNS}"
        )));
    }
    Ok(width)
}

/// Every row of `table` (that meets `filter`, an SQL condition, when there
/// is one) in the order of its key (the first of `columns`, whose text `key`
/// gives back), each made a `T` by `convert` from its columns' texts.
/// Blocking.
///
/// The rows are read in the table's own order and sorted here, by bytes
/// (the order of SQLite's default collation): going through the key's index
/// looks every row up on its own, four times the work for a million
/// customers. Rows usually come in key order already; then nothing moves.
pub(crate) fn read_all<T>(
    path: &Path,
    (table, columns, filter): (&str, &str, Option<&str>),
    key: fn(&T) -> &str,
    convert: fn(&[Option<&str>]) -> Result<T>,
) -> Result<Vec<T>> {
    let conn = open(path)?;
    let width = width(table, columns)?;
    // A whole table is counted first to take its memory at once (a filter
    // would be worked out twice).
    let count: i64 = match filter {
        None => conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?,
        Some(_) => 0,
    };
    let filter = filter.map(|f| format!(" WHERE {f}")).unwrap_or_default();
    let mut out = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
    let mut stmt = conn.prepare(&format!("SELECT {columns} FROM {table}{filter}"))?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        out.push(convert(&cells(row, width, table)?[..width])?);
    }
    if !out.is_sorted_by(|a, b| key(a) <= key(b)) {
        out.sort_unstable_by(|a, b| key(a).cmp(key(b)));
    }
    Ok(out)
}

/// Reads `SELECT {columns} FROM {table} WHERE period = ?` in chunks of
/// `chunk` rows onto `out`, then `Ok(None)` (see [`crate::PeriodChunks`]);
/// a new chunk is one from `spare` when there is one. Blocking: runs on a
/// thread of its own. Stops quietly when the receiver is dropped.
pub(crate) fn read_period<T: Chunk>(
    path: &Path,
    (table, columns, period): (&str, &str, &str),
    chunk: usize,
    out: &tokio::sync::mpsc::Sender<Result<Option<T>>>,
    spare: &std::sync::mpsc::Receiver<T>,
) {
    let fresh = || match spare.try_recv() {
        Ok(mut used) => {
            used.clear();
            used
        }
        Err(_) => T::with_capacity(chunk),
    };
    let read = || -> Result<bool> {
        let conn = open(path)?;
        let width = width(table, columns)?;
        let mut stmt = conn.prepare(&format!(
            "SELECT {columns} FROM {table} WHERE period = ?1 ORDER BY rowid"
        ))?;
        let mut rows = stmt.query([period])?;
        let mut current = fresh();
        while let Some(row) = rows.next()? {
            let cells = cells(row, width, table)?;
            let mut texts = [""; MAX_COLUMNS];
            for (i, (text, cell)) in texts.iter_mut().zip(cells).take(width).enumerate() {
                *text = cell.ok_or_else(|| {
                    StoreError::Corrupt(format!("{table}: column {} is empty", i + 1))
                })?;
            }
            current.push(&texts[..width])?;
            if current.len() >= chunk {
                let full = std::mem::replace(&mut current, fresh());
                if out.blocking_send(Ok(Some(full))).is_err() {
                    return Ok(false); // the reader is gone
                }
            }
        }
        if current.len() > 0 && out.blocking_send(Ok(Some(current))).is_err() {
            return Ok(false);
        }
        Ok(true)
    };
    let end = match read() {
        Ok(true) => Ok(None),
        Ok(false) => return,
        Err(e) => Err(e),
    };
    let _ = out.blocking_send(end);
}

/// The blob in `column` of the row of `table` that `find` (a query giving
/// that row's rowid from one text parameter, `param`) selects, if there is
/// one. Blocking.
///
/// The blob is read through SQLite's incremental I/O straight from its
/// pages into a buffer of its size: read as a value, a customer image of
/// tens of MB was assembled by SQLite, copied by the driver and copied again
/// into the caller's bytes, each copy in memory the system had to zero first.
pub(crate) fn read_blob(
    path: &Path,
    (table, column): (&str, &str),
    find: &str,
    param: &str,
) -> Result<Option<Vec<u8>>> {
    use rusqlite::OptionalExtension;
    let mut conn = open(path)?;
    // The rowid and the blob are read in one snapshot of the database.
    let tx = conn.transaction()?;
    let Some(rowid) = tx
        .query_row(find, [param], |r| r.get::<_, i64>(0))
        .optional()?
    else {
        return Ok(None);
    };
    let blob = tx.blob_open(rusqlite::DatabaseName::Main, table, column, rowid, true)?;
    let mut out = vec![0u8; blob.len()];
    blob.read_at_exact(&mut out, 0).map_err(|e| {
        StoreError::Corrupt(format!("{table}: its {column} could not be read: {e}"))
    })?;
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A blob is read whole, an empty one as empty, and a row that is not
    /// there as None.
    #[test]
    fn read_blob_gives_the_whole_blob_of_the_row_found() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.db");
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE s (period TEXT PRIMARY KEY, state BLOB NOT NULL);")
            .unwrap();
        // Larger than a page, so it runs over several.
        let big: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        conn.execute(
            "INSERT INTO s VALUES ('2026-07', ?1), ('2026-08', x'')",
            [&big],
        )
        .unwrap();
        drop(conn);
        let read = |p: &str| {
            read_blob(
                &path,
                ("s", "state"),
                "SELECT rowid FROM s WHERE period = ?1",
                p,
            )
            .unwrap()
        };
        assert_eq!(read("2026-07"), Some(big));
        assert_eq!(read("2026-08"), Some(Vec::new()));
        assert_eq!(read("2026-09"), None);
    }

    /// `read_all` reads in the table's order and sorts by key bytes only
    /// when it must: rows stored out of key order come back in it, NULLs
    /// as None.
    #[test]
    fn read_all_gives_rows_in_key_order_whatever_the_stored_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT);
             INSERT INTO t VALUES ('b', '2'), ('a', NULL), ('c', '3'), ('B', '0');",
        )
        .unwrap();
        drop(conn);
        type Row = (String, Option<String>);
        let read = || {
            read_all(
                &path,
                ("t", "k, v", None),
                |r: &Row| &r.0,
                |c| {
                    Ok((
                        c[0].unwrap_or_default().to_string(),
                        c[1].map(str::to_string),
                    ))
                },
            )
            .unwrap()
        };
        let want: Vec<Row> = [
            ("B", Some("0")),
            ("a", None),
            ("b", Some("2")),
            ("c", Some("3")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
        .collect();
        assert_eq!(read(), want);
        // Stored in key order already: the same.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE u AS SELECT * FROM t ORDER BY k; DROP TABLE t; ALTER TABLE u RENAME TO t;",
        )
        .unwrap();
        drop(conn);
        assert_eq!(read(), want);
    }
}
