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
        let inner = match self.backend() {
            Backend::Sqlite => self.pool().begin_with(SQLITE_WRITE).await,
            Backend::Postgres => self.pool().begin().await,
        }
        .map_err(StoreError::from)?;
        Ok(Tx {
            inner,
            backend: self.backend(),
        })
    }

    /// Opens a read transaction: one consistent view of the data, rolled
    /// back when dropped. Writing through it fails on PostgreSQL.
    pub async fn read(&self) -> Result<Tx<'static>> {
        let inner = match self.backend() {
            Backend::Sqlite => self.pool().begin().await,
            Backend::Postgres => self.pool().begin_with(POSTGRES_READ).await,
        }
        .map_err(StoreError::from)?;
        Ok(Tx {
            inner,
            backend: self.backend(),
        })
    }
}

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
}
