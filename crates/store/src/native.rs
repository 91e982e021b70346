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
    // Not SQLITE_OPEN_READ_ONLY: a read-only connection cannot set up the
    // WAL index when it is missing. `query_only` keeps it from writing.
    connect(path, "PRAGMA query_only = ON;")
}

/// A connection to the database file at `path` for one large write (a
/// computed period's lines and state), set up as the pool's connections are:
/// foreign keys checked, commits that do not wait for the disk (WAL with
/// `synchronous = NORMAL`), the same checkpoint size. Its page cache is a
/// reading connection's: pages written beyond it go to the log before the
/// commit instead of into fresh memory (faster at L than a cache that holds
/// them all until then).
pub(crate) fn open_writer(path: &Path) -> Result<rusqlite::Connection> {
    connect(
        path,
        "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 16384;",
    )
}

/// A connection to the file at `path` with the pool's busy timeout, a page
/// cache of [`CACHE_KIB`] and `pragmas`.
fn connect(path: &Path, pragmas: &str) -> Result<rusqlite::Connection> {
    use rusqlite::OpenFlags;
    let conn = rusqlite::Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_millis(u64::from(
        crate::BUSY_TIMEOUT_MS,
    )))?;
    conn.execute_batch(&format!("{pragmas} PRAGMA cache_size = -{CACHE_KIB};"))?;
    Ok(conn)
}

/// Values of [`crate::Batch`] rows bound as they are (texts borrowed).
impl rusqlite::ToSql for crate::batch::Val {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use crate::batch::Val;
        use rusqlite::types::{ToSqlOutput, Value, ValueRef};
        Ok(match self {
            Val::Text(s) | Val::OptText(Some(s)) => {
                ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes()))
            }
            Val::Int(i) | Val::OptInt(Some(i)) => ToSqlOutput::Owned(Value::Integer(*i)),
            Val::OptText(None) | Val::OptInt(None) => ToSqlOutput::Owned(Value::Null),
        })
    }
}

/// A statement stepped through SQLite's C API directly. rusqlite's typed
/// access makes four calls into SQLite per cell (the column count, the
/// type, the text, its length) and its own checks around them; reading a
/// cell here is the text and its length. For the millions of cells of a
/// period's rows that was a tenth of an incremental run's CPU.
struct RawRows<'c> {
    stmt: std::ptr::NonNull<ffi::sqlite3_stmt>,
    db: *mut ffi::sqlite3,
    /// The statement must not outlive its connection.
    _conn: std::marker::PhantomData<&'c rusqlite::Connection>,
}

use rusqlite::ffi;

impl<'c> RawRows<'c> {
    /// Prepares `sql` on `conn`, its text parameters bound in order.
    fn prepare(conn: &'c rusqlite::Connection, sql: &str, params: &[&str]) -> Result<Self> {
        // SAFETY: the handle is the live connection's, borrowed for 'c.
        let db = unsafe { conn.handle() };
        let len = std::ffi::c_int::try_from(sql.len())
            .map_err(|_| StoreError::Corrupt("a query longer than 2 GB".into()))?;
        let mut stmt = std::ptr::null_mut();
        // SAFETY: `sql` is valid for `len` bytes; `stmt` receives the
        // statement (or stays null on error), which Drop finalizes.
        let rc = unsafe {
            ffi::sqlite3_prepare_v2(
                db,
                sql.as_ptr().cast(),
                len,
                &mut stmt,
                std::ptr::null_mut(),
            )
        };
        let Some(stmt) = std::ptr::NonNull::new(stmt).filter(|_| rc == ffi::SQLITE_OK) else {
            return Err(Self::error(db, rc));
        };
        let rows = Self {
            stmt,
            db,
            _conn: std::marker::PhantomData,
        };
        for (i, param) in params.iter().enumerate() {
            let len = std::ffi::c_int::try_from(param.len())
                .map_err(|_| StoreError::Corrupt("a parameter longer than 2 GB".into()))?;
            // SAFETY: SQLITE_TRANSIENT makes SQLite copy the text at once.
            let rc = unsafe {
                ffi::sqlite3_bind_text(
                    rows.stmt.as_ptr(),
                    (i + 1) as std::ffi::c_int,
                    param.as_ptr().cast(),
                    len,
                    ffi::SQLITE_TRANSIENT(),
                )
            };
            if rc != ffi::SQLITE_OK {
                return Err(Self::error(db, rc));
            }
        }
        Ok(rows)
    }

    /// The error SQLite reports for `rc` on `db`.
    fn error(db: *mut ffi::sqlite3, rc: std::ffi::c_int) -> StoreError {
        // SAFETY: `db` is a live connection; its message is copied out at once.
        let message = unsafe {
            let m = ffi::sqlite3_errmsg(db);
            (!m.is_null()).then(|| std::ffi::CStr::from_ptr(m).to_string_lossy().into_owned())
        };
        StoreError::from(rusqlite::Error::SqliteFailure(ffi::Error::new(rc), message))
    }

    /// Steps to the next row: false after the last.
    fn next(&mut self) -> Result<bool> {
        // SAFETY: a prepared statement of a live connection.
        match unsafe { ffi::sqlite3_step(self.stmt.as_ptr()) } {
            ffi::SQLITE_ROW => Ok(true),
            ffi::SQLITE_DONE => Ok(false),
            rc => Err(Self::error(self.db, rc)),
        }
    }

    /// The text of column `i` of the current row (None for NULL), valid
    /// until the next step (which needs `&mut self`).
    fn text(&self, i: usize, table: &str) -> Result<Option<&str>> {
        let col = i as std::ffi::c_int;
        // SAFETY: the statement is on a row (`next` gave true); the text
        // and then its length are asked in the order SQLite documents, and
        // the bytes stay valid while `self` is borrowed.
        let bytes = unsafe {
            let text = ffi::sqlite3_column_text(self.stmt.as_ptr(), col);
            if text.is_null() {
                // NULL, or no memory to give it as text.
                return match ffi::sqlite3_column_type(self.stmt.as_ptr(), col) {
                    ffi::SQLITE_NULL => Ok(None),
                    _ => Err(Self::error(self.db, ffi::SQLITE_NOMEM)),
                };
            }
            let len = ffi::sqlite3_column_bytes(self.stmt.as_ptr(), col);
            std::slice::from_raw_parts(text, usize::try_from(len).unwrap_or(0))
        };
        if bytes.is_ascii() {
            // SAFETY: ASCII is UTF-8. Nearly every cell is ASCII (ids, dates,
            // decimals); checked this way, inline, it costs a fraction of
            // the general check, which was 4% of an incremental run.
            return Ok(Some(unsafe { std::str::from_utf8_unchecked(bytes) }));
        }
        std::str::from_utf8(bytes)
            .map(Some)
            .map_err(|e| StoreError::Corrupt(format!("{table}: column {} is not text: {e}", i + 1)))
    }

    /// The texts of the current row's first `width` columns (None for NULL).
    fn cells(&self, width: usize, table: &str) -> Result<[Option<&str>; MAX_COLUMNS]> {
        let mut cells = [None; MAX_COLUMNS];
        for (i, cell) in cells.iter_mut().take(width).enumerate() {
            *cell = self.text(i, table)?;
        }
        Ok(cells)
    }
}

impl Drop for RawRows<'_> {
    fn drop(&mut self) {
        // SAFETY: finalized once, before the connection it borrows closes.
        unsafe {
            ffi::sqlite3_finalize(self.stmt.as_ptr());
        }
    }
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
    let mut rows = RawRows::prepare(
        &conn,
        &format!("SELECT {columns} FROM {table}{filter}"),
        &[],
    )?;
    while rows.next()? {
        out.push(convert(&rows.cells(width, table)?[..width])?);
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
        let mut rows = RawRows::prepare(
            &conn,
            &format!("SELECT {columns} FROM {table} WHERE period = ?1 ORDER BY rowid"),
            &[period],
        )?;
        let mut current = fresh();
        while rows.next()? {
            let cells = rows.cells(width, table)?;
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

    /// A statement read through SQLite's C API: texts as stored, NULL as
    /// None, a number as its text, the bound parameter applied; bytes that
    /// are not UTF-8 and a query SQLite refuses are errors that say so.
    #[test]
    fn raw_rows_give_each_cell_as_its_text() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE t (k TEXT, v TEXT);
             INSERT INTO t VALUES ('a', 'Ωmega'), ('b', NULL), ('c', 12), ('d', x'ff00');",
        )
        .unwrap();
        let read = |k: &str| -> Result<Vec<Option<String>>> {
            let mut rows = RawRows::prepare(&conn, "SELECT k, v FROM t WHERE k = ?1", &[k])?;
            let mut out = Vec::new();
            while rows.next()? {
                let cells = rows.cells(2, "t")?;
                out.extend(cells[..2].iter().map(|c| c.map(str::to_string)));
            }
            Ok(out)
        };
        let some = |s: &str| Some(s.to_string());
        assert_eq!(read("a").unwrap(), [some("a"), some("Ωmega")]);
        assert_eq!(read("b").unwrap(), [some("b"), None]);
        assert_eq!(read("c").unwrap(), [some("c"), some("12")]);
        assert_eq!(read("z").unwrap(), Vec::<Option<String>>::new());
        let not_text = read("d").unwrap_err().to_string();
        assert!(not_text.contains("t: column 2 is not text"), "{not_text}");
        let refused = RawRows::prepare(&conn, "SELECT missing FROM t", &[])
            .err()
            .expect("an unknown column is refused")
            .to_string();
        assert!(refused.contains("no such column: missing"), "{refused}");
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
