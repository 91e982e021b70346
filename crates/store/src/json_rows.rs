//! Many rows through one value. The database driver's cost is per row and per
//! column (each row crosses from the SQLite worker thread and every value is
//! copied twice), which dominates when tens of thousands of narrow rows move
//! at once. Reading, the rows are aggregated into one JSON array of arrays in
//! SQL; writing, one JSON array of arrays is bound and unpacked in SQL. JSON
//! quotes every text, so free text (names, account holders) is safe, and
//! amounts travel as their stored decimal text, exactly.
//!
//! On SQLite, the largest reads (a period's activity and trades, every
//! customer and purchase) skip the JSON and step through the rows with
//! SQLite's own API instead ([`crate::native`]); the same conversions serve
//! both ways.

use crate::error::{Result, StoreError};
use serde::de::DeserializeOwned;

/// Whether a transaction runs on PostgreSQL (else SQLite).
pub(crate) fn on_postgres(tx: &crate::Tx<'_>) -> bool {
    tx.backend() == crate::Backend::Postgres
}

/// `SELECT <one JSON text holding every row> <rest>`: `columns` are the
/// expressions of a row, `rest` the rest of the query (more columns after
/// a comma, then FROM/WHERE/GROUP BY).
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

/// Every row of `SELECT {columns} {rest}` (no parameters), each a `T`
/// made from its JSON array, read as one [`aggregate`] text: the way to load
/// tens of thousands of narrow rows at once. The rows come in no promised
/// order.
pub(crate) async fn read_all<T: DeserializeOwned>(
    tx: &mut crate::Tx<'_>,
    columns: &str,
    rest: &str,
    what: &str,
) -> Result<Vec<T>> {
    let sql = aggregate(on_postgres(tx), columns, rest);
    let json: Option<String> = sqlx::query_scalar(&sql).fetch_one(&mut **tx).await?;
    parse(json, what)
}

/// Rows as one JSON text to bind for [`each`].
pub(crate) fn rows<T: serde::Serialize>(rows: &[T], what: &str) -> Result<String> {
    serde_json::to_string(rows)
        .map_err(|e| StoreError::Corrupt(format!("{what} written as JSON: {e}")))
}

/// Every row of `table` in the order of its key (the first of `columns`,
/// whose text `key` gives back), each made a `T` by `convert` from its
/// columns' texts (None for NULL). A row at a time through the driver costs
/// about 2.5 µs; this is the way to load hundreds of thousands of rows.
///
/// SQLite: one thread steps through the table through SQLite's own API
/// ([`crate::native`]). PostgreSQL: `chunk` rows at a time as one JSON text
/// each (keyset paging); the database builds the next chunk while this one
/// is parsed and converted. The next chunk starts after the largest key the
/// database saw, in its own order: with a locale collation that is not byte
/// order, the last key after sorting the chunk by bytes could repeat or skip
/// rows at a chunk's edge.
pub(crate) async fn read_in_chunks<T: Send + 'static>(
    store: &crate::Store,
    (table, columns): (&'static str, &'static str),
    filter: Option<String>,
    chunk: i64,
    key: fn(&T) -> &str,
    convert: fn(&[Option<&str>]) -> Result<T>,
) -> Result<Vec<T>> {
    if let Some(file) = store.sqlite_file() {
        let file = file.to_path_buf();
        return tokio::task::spawn_blocking(move || {
            crate::native::read_all(&file, (table, columns, filter.as_deref()), key, convert)
        })
        .await
        .map_err(|e| {
            StoreError::Corrupt(format!(
                "reading {table} stopped before its end ({e}); run again"
            ))
        })?;
    }
    let first = columns.split(',').next().unwrap_or(columns).trim();
    let filter = filter.map(|f| format!("({f}) AND ")).unwrap_or_default();
    let rows_sql = format!(
        "FROM (SELECT {columns} FROM {table} WHERE {filter}{first} > $1 ORDER BY {first} LIMIT {chunk}) AS chunk"
    );
    // The chunk's last key comes from the database, in its own order (which
    // the next chunk's `>` follows), with the count that tells the last chunk.
    let sql = aggregate(
        true,
        columns,
        &format!(", count(*), max({first}) {rows_sql}"),
    );
    // `Ok(None)` marks the end (see [`PeriodChunks`]).
    let (texts, texts_rx) = tokio::sync::mpsc::channel::<Result<Option<String>>>(2);
    let pool = store.pool().clone();
    tokio::spawn(async move {
        let read = async {
            let mut after = String::new();
            loop {
                let (json, count, last): (Option<String>, i64, Option<String>) =
                    sqlx::query_as(&sql).bind(&after).fetch_one(&pool).await?;
                if let Some(json) = json.filter(|_| count > 0) {
                    if texts.send(Ok(Some(json))).await.is_err() {
                        return Ok(()); // the caller is gone
                    }
                }
                match last {
                    Some(last) if count >= chunk => after = last,
                    _ => return Ok(()),
                }
            }
        };
        let end = read.await.map(|()| None);
        let _ = texts.send(end).await;
    });
    let mut texts = PeriodChunks::new(table, texts_rx);
    let mut out = Vec::new();
    while let Some(json) = texts.next().await {
        let rows: Vec<Vec<Option<String>>> = parse(Some(json?), table)?;
        let start = out.len();
        for r in &rows {
            let cells: Vec<Option<&str>> = r.iter().map(Option::as_deref).collect();
            out.push(convert(&cells)?);
        }
        // The aggregate's order is not promised; the chunk's keys are.
        out[start..].sort_unstable_by(|a, b| key(a).cmp(key(b)));
    }
    Ok(out)
}

/// Rows of one period, read a chunk at a time in the background, each chunk
/// arriving on the returned channel as a `T` (in no particular order). This
/// is how the engine reads millions of activity rows and trades.
///
/// SQLite: a thread of its own steps through the period's rows on its own
/// connection, through SQLite's API ([`crate::native`]), and gathers them
/// into chunks of `chunk` rows. PostgreSQL: its driver streams rows cheaply,
/// each as one JSON text; they are gathered into texts of `chunk` rows,
/// which a blocking thread parses while the next one arrives.
///
/// Reading runs ahead of the caller by a bounded number of chunks, so
/// memory stays a few dozen chunks whatever the period's size; dropping the
/// receiver stops the reading.
pub(crate) fn chunks_in_period<T: crate::native::Chunk>(
    store: &crate::Store,
    table: &'static str,
    columns: &'static str,
    period: String,
    chunk: i64,
    parse: fn(&str) -> Result<T>,
) -> PeriodChunks<T> {
    // `Ok(None)` marks the end: a channel that closes without it means a
    // step stopped early (a panic), which must not pass for the period's end.
    let (chunks, chunks_rx) = tokio::sync::mpsc::channel::<Result<Option<T>>>(CHUNKS_AHEAD);
    if let Some(file) = store.sqlite_file() {
        let file = file.to_path_buf();
        let rows = usize::try_from(chunk).unwrap_or(1).max(1);
        let (spare, spare_rx) = std::sync::mpsc::sync_channel(CHUNKS_AHEAD);
        tokio::task::spawn_blocking(move || {
            crate::native::read_period(&file, (table, columns, &period), rows, &chunks, &spare_rx)
        });
        let mut chunks = PeriodChunks::new(table, chunks_rx);
        chunks.spare = Some(spare);
        chunks.own_thread = true;
        return chunks;
    }
    let (texts, mut texts_rx) = tokio::sync::mpsc::channel::<Result<Option<String>>>(2);
    let pool = store.pool().clone();
    tokio::spawn(async move {
        let end = match read_postgres(&pool, table, columns, &period, chunk, &texts).await {
            Ok(()) => Ok(None),
            Err(e) => Err(e),
        };
        let _ = texts.send(end).await;
    });
    tokio::task::spawn_blocking(move || {
        while let Some(text) = texts_rx.blocking_recv() {
            let chunk = match text {
                Ok(Some(t)) => parse(&t).map(Some),
                Ok(None) => Ok(None),
                Err(e) => Err(e),
            };
            if chunks.blocking_send(chunk).is_err() {
                return; // the reader is gone
            }
        }
    });
    PeriodChunks::new(table, chunks_rx)
}

/// Chunks read in the background as they arrive: those of
/// [`chunks_in_period`], and the texts of [`read_in_chunks`]. The reading
/// side sends `Ok(None)` after the last one.
pub struct PeriodChunks<T> {
    table: &'static str,
    rx: tokio::sync::mpsc::Receiver<Result<Option<T>>>,
    done: bool,
    /// Where chunks the caller is done with go back to be filled again.
    spare: Option<std::sync::mpsc::SyncSender<T>>,
    /// Read by a thread of its own that needs nothing of the async runtime
    /// (SQLite): chunks can be waited for on a plain thread.
    own_thread: bool,
}

impl<T> PeriodChunks<T> {
    fn new(table: &'static str, rx: tokio::sync::mpsc::Receiver<Result<Option<T>>>) -> Self {
        Self {
            table,
            rx,
            done: false,
            spare: None,
            own_thread: false,
        }
    }

    /// Whether the rows are read by a thread of their own that needs
    /// nothing of the async runtime, so that [`Self::next_blocking`] may
    /// wait for them.
    pub fn read_on_own_thread(&self) -> bool {
        self.own_thread
    }

    /// Hands back a chunk the caller is done with: the reading fills it
    /// again instead of new memory (fresh pages and an allocation per row
    /// were a tenth of a large run's time). Optional.
    pub fn recycle(&self, chunk: T) {
        if let Some(spare) = &self.spare {
            let _ = spare.try_send(chunk); // a full or closed return drops it
        }
    }

    /// The next chunk; None once every row was read. Reading that stopped
    /// before the end is an error, never a short period.
    pub async fn next(&mut self) -> Option<Result<T>> {
        if self.done {
            return None;
        }
        let got = self.rx.recv().await;
        self.took(got)
    }

    /// [`Self::next`] waited for on a plain thread (never on one that runs
    /// async tasks), for chunks [`Self::read_on_own_thread`]: on any other,
    /// waiting could hold up the very task that reads them, and this
    /// refuses with an error instead.
    pub fn next_blocking(&mut self) -> Option<Result<T>> {
        if self.done {
            return None;
        }
        if !self.own_thread || tokio::runtime::Handle::try_current().is_ok() {
            self.done = true;
            return Some(Err(StoreError::Corrupt(format!(
                "the rows of {} cannot be waited for on this thread",
                self.table
            ))));
        }
        let got = self.rx.blocking_recv();
        self.took(got)
    }

    fn took(&mut self, got: Option<Result<Option<T>>>) -> Option<Result<T>> {
        match got {
            Some(Ok(Some(chunk))) => Some(Ok(chunk)),
            Some(Ok(None)) => {
                self.done = true;
                None
            }
            Some(Err(e)) => {
                self.done = true;
                Some(Err(e))
            }
            None => {
                self.done = true;
                Some(Err(StoreError::Corrupt(format!(
                    "reading {} stopped before its end; run again",
                    self.table
                ))))
            }
        }
    }
}

/// Chunks [`chunks_in_period`] reads ahead of its caller: about 60 MB of
/// activity, enough for the database to keep working while a run builds
/// its engine (see the commission run).
const CHUNKS_AHEAD: usize = 32;

/// Rows per chunk of [`chunks_in_period`]: about 3 MB of activity (1.5 MB as
/// JSON); larger chunks were no faster and kept more memory in flight.
pub(crate) const PERIOD_CHUNK: i64 = 20_000;

async fn read_postgres(
    pool: &sqlx::AnyPool,
    table: &str,
    columns: &str,
    period: &str,
    chunk_rows: i64,
    texts: &tokio::sync::mpsc::Sender<Result<Option<String>>>,
) -> Result<()> {
    use futures_util::TryStreamExt;
    let sql =
        format!("SELECT CAST(json_build_array({columns}) AS TEXT) FROM {table} WHERE period = $1");
    let mut rows = sqlx::query_scalar::<_, String>(&sql)
        .bind(period)
        .fetch(pool);
    let mut chunk = String::from("[");
    let mut n = 0;
    while let Some(row) = rows.try_next().await? {
        if n > 0 {
            chunk.push(',');
        }
        chunk.push_str(&row);
        n += 1;
        if n >= chunk_rows {
            chunk.push(']');
            if texts
                .send(Ok(Some(std::mem::replace(&mut chunk, String::from("[")))))
                .await
                .is_err()
            {
                return Ok(());
            }
            n = 0;
        }
    }
    if n > 0 {
        chunk.push(']');
        let _ = texts.send(Ok(Some(chunk))).await;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(rx: tokio::sync::mpsc::Receiver<Result<Option<u32>>>) -> PeriodChunks<u32> {
        PeriodChunks::new("trades", rx)
    }

    #[tokio::test]
    async fn a_reading_that_stops_early_is_an_error_not_the_end() {
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        let mut c = chunks(rx);
        tx.send(Ok(Some(1))).await.unwrap();
        drop(tx); // as when a step panics: no end marker
        assert_eq!(c.next().await.unwrap().unwrap(), 1);
        let e = c.next().await.unwrap().unwrap_err().to_string();
        assert!(e.contains("reading trades stopped before its end"), "{e}");
        assert!(c.next().await.is_none());

        let (tx, rx) = tokio::sync::mpsc::channel(4);
        let mut c = chunks(rx);
        tx.send(Ok(Some(2))).await.unwrap();
        tx.send(Ok(None)).await.unwrap();
        drop(tx);
        assert_eq!(c.next().await.unwrap().unwrap(), 2);
        assert!(c.next().await.is_none());
        assert!(c.next().await.is_none());

        let (tx, rx) = tokio::sync::mpsc::channel(4);
        let mut c = chunks(rx);
        tx.send(Err(StoreError::Corrupt("disk".into())))
            .await
            .unwrap();
        assert!(c.next().await.unwrap().is_err());
        assert!(c.next().await.is_none(), "nothing after an error");
    }
}
