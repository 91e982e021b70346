//! The store's transaction: every read and write of a use case goes through
//! one of these, so what a use case checks is what it changes.
//!
//! [`Store::begin`] opens a write transaction. On SQLite it is begun
//! `IMMEDIATE`: the write lock is taken up front, where SQLite's busy
//! timeout waits for another writer to finish; a deferred transaction that
//! reads and then writes fails at once ("database is locked") when another
//! writer committed in between, and the wait never applies. PostgreSQL
//! begins plainly; its row locks and the audit chain's table lock order the
//! writers. [`Store::read`] opens a read transaction: one consistent view of
//! the data for a use case that only reads, rolled back when dropped.
//!
//! The reads themselves are methods on [`Tx`], written once in the module
//! of their table (`impl Tx<'_>` blocks); writes are functions taking
//! `tx: &mut Tx<'_>`.

use crate::error::{Result, StoreError};
use crate::{Backend, Store};
use std::ops::{Deref, DerefMut};

/// A transaction on either backend. Dereferences to the connection, so
/// `&mut **tx` is an executor for a query; rolled back when dropped
/// without [`Tx::commit`].
pub struct Tx<'a> {
    inner: sqlx::Transaction<'a, sqlx::Any>,
    backend: Backend,
}

/// How a write transaction begins on SQLite (see the module's comment).
const SQLITE_WRITE: &str = "BEGIN IMMEDIATE";
/// A read-only use case on PostgreSQL sees one snapshot for all its reads
/// (SQLite's deferred transaction does by itself in WAL mode).
const POSTGRES_READ: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

impl<'a> Tx<'a> {
    /// A write transaction on one connection (see the module's comment).
    pub(crate) async fn write_on(
        conn: &'a mut sqlx::AnyConnection,
        backend: Backend,
    ) -> Result<Tx<'a>> {
        use sqlx::Connection;
        let inner = match backend {
            Backend::Sqlite => conn.begin_with(SQLITE_WRITE).await,
            Backend::Postgres => conn.begin().await,
        }?;
        Ok(Tx { inner, backend })
    }

    /// The backend the transaction runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Makes the transaction's changes permanent.
    pub async fn commit(self) -> Result<()> {
        Ok(self.inner.commit().await?)
    }

    /// Undoes the transaction's changes (dropping it does the same).
    pub async fn rollback(self) -> Result<()> {
        Ok(self.inner.rollback().await?)
    }
}

impl Deref for Tx<'_> {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &sqlx::AnyConnection {
        &self.inner
    }
}

impl DerefMut for Tx<'_> {
    fn deref_mut(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.inner
    }
}

impl Store {
    /// Opens a write transaction (see the module's comment).
    pub async fn begin(&self) -> Result<Tx<'static>> {
        let statement = match self.backend() {
            Backend::Sqlite => Some(SQLITE_WRITE),
            Backend::Postgres => None,
        };
        self.begin_on_clean(statement).await
    }

    /// Opens a read transaction: one consistent view of the data, rolled
    /// back when dropped. Writing through it fails on PostgreSQL.
    pub async fn read(&self) -> Result<Tx<'static>> {
        let statement = match self.backend() {
            Backend::Sqlite => None,
            Backend::Postgres => Some(POSTGRES_READ),
        };
        self.begin_on_clean(statement).await
    }

    /// Begins on a pooled connection that holds no transaction. A use case
    /// cancelled at the wrong moment (a sync stopped mid-window, a task
    /// aborted) has been seen to hand a connection back to the pool with
    /// its transaction still open; beginning on it would fail ("attempted
    /// to call begin_with at non-zero transaction depth") or, worse, nest
    /// a savepoint in a stranger's transaction that may hold SQLite's write
    /// lock. Such a connection is closed (the database rolls its
    /// transaction back) and another one taken.
    async fn begin_on_clean(&self, statement: Option<&'static str>) -> Result<Tx<'static>> {
        use sqlx::Connection;
        let mut conn = self.pool().acquire().await.map_err(StoreError::from)?;
        for _ in 0..STALE_CONNECTIONS_MAX {
            if !conn.is_in_transaction() {
                break;
            }
            tracing::warn!("a pooled connection still held a transaction; closing it");
            conn.close_on_drop();
            drop(conn);
            conn = self.pool().acquire().await.map_err(StoreError::from)?;
        }
        let inner = sqlx::Transaction::begin(conn, statement.map(std::borrow::Cow::Borrowed))
            .await
            .map_err(StoreError::from)?;
        Ok(Tx {
            inner,
            backend: self.backend(),
        })
    }
}

/// How many pooled connections left in a transaction [`Store::begin`] closes
/// before it gives the next one to `BEGIN` (which then says what is wrong).
const STALE_CONNECTIONS_MAX: usize = 8;

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Executor;

    /// A write that waited out the busy timeout is [`StoreError::Busy`], in
    /// our words: SQLite's raw "database is locked" never reaches a user.
    #[tokio::test]
    async fn a_write_that_waits_too_long_is_busy_in_plain_words() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("busy.db");
        let store = Store::open(&format!("sqlite:{}", path.display()))
            .await
            .expect("a new database");
        // Another writer holds the write lock (a write transaction takes it
        // when it begins).
        let holder = store.begin().await.expect("the write lock");
        let mut other = <sqlx::AnyConnection as sqlx::Connection>::connect(&format!(
            "sqlite://{}",
            path.display()
        ))
        .await
        .expect("a second connection");
        other
            .execute("PRAGMA busy_timeout = 50")
            .await
            .expect("a short wait for the test");
        let e = Tx::write_on(&mut other, Backend::Sqlite)
            .await
            .err()
            .expect("the lock is held");
        assert!(matches!(e, StoreError::Busy), "{e:?}");
        assert_eq!(
            e.to_string(),
            "the database is busy with another write (an import or a run?); try again"
        );
        // A single write statement outside a transaction waits the same way.
        let e = StoreError::from(
            other
                .execute("INSERT INTO meta (key, value) VALUES ('k', 'v')")
                .await
                .expect_err("the lock is held"),
        );
        assert!(matches!(e, StoreError::Busy), "{e:?}");
        drop(holder);
        // Once the other writer is done, the write goes through.
        let mut tx = Tx::write_on(&mut other, Backend::Sqlite)
            .await
            .expect("the lock is free");
        crate::meta_set(&mut tx, "k", "v").await.expect("a write");
        tx.commit().await.expect("committed");
    }

    /// A connection handed back to the pool with its transaction still
    /// open (as a use case cancelled at the wrong moment can leave it) is
    /// never begun on again: every later transaction begins cleanly.
    #[tokio::test]
    async fn a_connection_left_in_a_transaction_is_not_begun_on() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("stale.db");
        let store = Store::open(&format!("sqlite:{}", path.display()))
            .await
            .expect("a new database");
        {
            let mut conn = store.pool().acquire().await.expect("a connection");
            let tx = sqlx::Connection::begin(&mut *conn)
                .await
                .expect("a transaction");
            // Never committed nor rolled back, and the connection goes back.
            std::mem::forget(tx);
        }
        // The pool hands its idle connections out in turn: within a few
        // begins the stale one comes up, and must not fail or nest.
        for n in 0..12 {
            let mut tx = store.begin().await.expect("a clean write transaction");
            crate::meta_set(&mut tx, "n", &n.to_string())
                .await
                .expect("a write");
            tx.commit().await.expect("committed");
            let r = store.read().await.expect("a clean read");
            drop(r);
        }
    }
}
