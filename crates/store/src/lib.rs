//! Partnerdesk's persistence: one API over embedded SQLite (the default) and
//! PostgreSQL (shared), chosen by URL.
//!
//! Decision (STYLE.md 11): runtime queries through sqlx's `Any` driver, one
//! set of portable SQL (`$n` placeholders, which both backends accept), and a
//! migrations folder per backend under the top-level `migrations/`. Money is
//! stored as exact decimal text on both backends (SQLite has no exact numeric
//! type; one representation keeps one query set and byte-identical exports),
//! and sums are done in Rust with `rust_decimal`. Every query runs on both
//! backends in the store tests.

pub mod audit;
mod batch;
pub mod brands;
pub mod commissions;
pub mod compliance;
pub mod data;
pub mod error;
pub mod fraud;
mod json_rows;
pub mod ledger;
pub mod mail;
pub mod money;
mod native;
pub mod partners;
pub mod payouts;
pub mod postbacks;
pub mod postbacks_found;
pub mod postbacks_group;
pub mod postbacks_out;
pub mod report_clicks;
pub mod reports;
pub mod sync;
pub mod sync_retry;
pub mod tracking;
mod tx;
pub mod url;
pub mod views;
pub mod words;

pub use audit::audit;
pub use batch::{Batch, Bound, Val};
pub use error::{Result, StoreError, CUSTOMER_BRAND_FIXED};
pub use json_rows::PeriodChunks;
pub use tx::Tx;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::time::Duration;

pub use sqlx::any::AnyRow;
pub use sqlx::Row;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// How long a SQLite connection waits for another one's write to finish
/// before it gives up (an import of the largest folders holds the write
/// lock for about a minute; ordinary writes for milliseconds).
pub(crate) const BUSY_TIMEOUT_MS: u32 = 30_000;

/// The page cache of a SQLite connection, in KiB.
const CACHE_KIB: u32 = 64 * 1024;
/// The page cache of a [`Bulk`] connection, in KiB.
const BULK_CACHE_KIB: u32 = 4 * CACHE_KIB;

/// A connection set up for one large write; see [`Store::bulk`].
pub struct Bulk {
    conn: sqlx::pool::PoolConnection<sqlx::Any>,
    sqlite: bool,
}

impl Bulk {
    /// The large write's transaction (a write transaction, see [`Tx`]).
    pub async fn begin(&mut self) -> Result<Tx<'_>> {
        let backend = match self.sqlite {
            true => Backend::Sqlite,
            false => Backend::Postgres,
        };
        Tx::write_on(&mut self.conn, backend).await
    }

    /// After a large write has committed, on SQLite: copies the write-ahead
    /// log into the database file and empties the log. A large import
    /// leaves a log as large as what it wrote (2.4 GB at scale L), which
    /// every later read looks pages up in until a checkpoint, and which
    /// holds the disk space twice. Waits for readers at most a second (not
    /// the busy timeout: readers that keep coming would hold the import's
    /// end that long); while another connection reads, the log may stay as
    /// it is, which is harmless: the data is committed. (The connection is
    /// closed after the write, so the shorter wait does not outlive it.)
    pub async fn checkpoint(&mut self) -> Result<()> {
        if self.sqlite {
            self.conn
                .execute("PRAGMA busy_timeout = 1000; PRAGMA wal_checkpoint(TRUNCATE)")
                .await?;
        }
        Ok(())
    }
}

/// An open, migrated database.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    location: String,
    /// The embedded database's file (None on PostgreSQL), also for the reads
    /// that go through SQLite's own API (see [`native`]).
    sqlite_file: Option<std::path::PathBuf>,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

impl Store {
    /// Opens (creating an embedded file when needed) and migrates the database at `url`:
    /// `sqlite:PATH` or `postgres://user[:password]@host[:port]/db`.
    pub async fn open(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let target = url::DatabaseUrl::parse(url)?;
        let location = target.display();
        let (pool, backend) = match &target {
            url::DatabaseUrl::Sqlite { path } => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| StoreError::Unreachable {
                        location: location.clone(),
                        detail: format!("cannot create folder {}: {e}", dir.display()),
                    })?;
                }
                url::check_sqlite_file(path)?;
                let opts = AnyConnectOptions::from_str(&target.connect_string())
                    .map_err(|e| StoreError::InvalidUrl(e.to_string()))?;
                let pool = AnyPoolOptions::new()
                    .max_connections(4)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute(&*format!("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}; PRAGMA synchronous = NORMAL; PRAGMA journal_mode = WAL; PRAGMA cache_size = -{CACHE_KIB}; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 16384;"))
                                .await?;
                            Ok(())
                        })
                    })
                    .connect_with(opts)
                    .await
                    .map_err(|e| error::connect_error(&location, e))?;
                (pool, Backend::Sqlite)
            }
            url::DatabaseUrl::Postgres { .. } => {
                let opts = AnyConnectOptions::from_str(&target.connect_string())
                    .map_err(|e| StoreError::InvalidUrl(e.to_string()))?;
                let pool = AnyPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(opts)
                    .await
                    .map_err(|e| error::connect_error(&location, e))?;
                (pool, Backend::Postgres)
            }
        };
        let migrator = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator
            .run(&pool)
            .await
            .map_err(|e| error::migrate_error(&location, e))?;
        let sqlite_file = match target {
            url::DatabaseUrl::Sqlite { path } => Some(path),
            url::DatabaseUrl::Postgres { .. } => None,
        };
        let store = Store {
            pool,
            location,
            sqlite_file,
        };
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        match self.sqlite_file {
            Some(_) => Backend::Sqlite,
            None => Backend::Postgres,
        }
    }

    /// Where the data lives, without any password.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// The file of an embedded (SQLite) database; None on PostgreSQL.
    pub(crate) fn sqlite_file(&self) -> Option<&std::path::Path> {
        self.sqlite_file.as_deref()
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A connection for one large write (an import of millions of rows): on
    /// SQLite its page cache is four times the usual, so a transaction larger
    /// than the cache spills far fewer pages to the WAL only to rewrite them.
    ///
    /// On SQLite it also leaves foreign keys unchecked: its one user, the
    /// import, checks every reference itself before it writes anything (and
    /// reports `file:line`), so the database's check would only repeat it
    /// for each of millions of rows (a tenth of a large import).
    ///
    /// The connection is closed, not pooled, when the [`Bulk`] is dropped, so
    /// neither setting ever outlives that write.
    pub async fn bulk(&self) -> Result<Bulk> {
        let mut conn = self.pool.acquire().await?;
        conn.close_on_drop();
        let sqlite = self.backend() == Backend::Sqlite;
        if sqlite {
            conn.execute(&*format!(
                "PRAGMA cache_size = -{BULK_CACHE_KIB}; PRAGMA foreign_keys = OFF"
            ))
            .await?;
        }
        Ok(Bulk { conn, sqlite })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Runs one SQL statement as given. Only for tests that must reach past
    /// the API (say, to prove that tampering with the audit log is caught).
    #[doc(hidden)]
    pub async fn raw_execute(&self, sql: &str) -> Result<u64> {
        Ok(sqlx::query(sql).execute(&self.pool).await?.rows_affected())
    }
}

impl Tx<'_> {
    /// A value from the key/value `meta` table.
    pub async fn meta_get(&mut self, key: &str) -> Result<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as("SELECT value FROM meta WHERE key = $1")
            .bind(key)
            .fetch_optional(&mut **self)
            .await?;
        Ok(row.map(|r| r.0))
    }
}

/// Sets a value of the key/value `meta` table inside a transaction.
pub async fn meta_set(tx: &mut Tx<'_>, key: &str, value: &str) -> Result<()> {
    sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .bind(key)
        .bind(value)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Creates an empty PostgreSQL database next to the one `base_url` names and
/// returns its URL (tests and first-time set-up of a shared server).
pub async fn create_postgres_database(base_url: &str, name: &str) -> Result<String> {
    sqlx::any::install_default_drivers();
    let target = url::DatabaseUrl::parse(base_url)?;
    let url::DatabaseUrl::Postgres { url: base } = target else {
        return Err(StoreError::InvalidUrl(format!(
            "'{}' is not a postgres:// URL",
            url::redact(base_url)
        )));
    };
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(StoreError::InvalidUrl(format!(
            "'{name}' is not a plain database name (letters, digits, _)"
        )));
    }
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(base.as_str())
        .await
        .map_err(|e| error::connect_error(&url::redact(base.as_str()), e))?;
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await?;
    let mut u = base.clone();
    u.set_path(&format!("/{name}"));
    Ok(u.to_string())
}

/// Drops a database made by [`create_postgres_database`].
pub async fn drop_postgres_database(base_url: &str, name: &str) -> Result<()> {
    sqlx::any::install_default_drivers();
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(StoreError::InvalidUrl(format!(
            "'{name}' is not a plain database name"
        )));
    }
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(base_url)
        .await
        .map_err(|e| error::connect_error(&url::redact(base_url), e))?;
    conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
        .await?;
    Ok(())
}
