//! What tells a commission run what to recompute and what it may reuse:
//! the data version and the first period changed since the last run (both
//! moved in SQL by the change that causes them), the engine's saved state
//! per period and the customer image of the last run.

use super::{corrupt, SAVE_STATE};
use crate::error::Result;
use crate::{Store, Tx};
use partnerdesk_domain::Period;

impl Store {
    /// The stored customer image, if it was written at world stamp `stamp`
    /// (one written at another stamp is out of date and not returned).
    pub async fn customer_image(&self, stamp: i64) -> Result<Option<Vec<u8>>> {
        if let Some(file) = self.sqlite_file() {
            return sqlite_blob(
                file,
                ("customer_image", "image"),
                "SELECT rowid FROM customer_image WHERE id = 1 AND stamp = CAST(?1 AS INTEGER)",
                stamp.to_string(),
            )
            .await;
        }
        Ok(
            sqlx::query_scalar("SELECT image FROM customer_image WHERE id = 1 AND stamp = $1")
                .bind(stamp)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// Keeps `image`, made from the world as it was at `stamp`, in place of
    /// any earlier one.
    pub async fn save_customer_image(&self, stamp: i64, image: &[u8]) -> Result<()> {
        sqlx::query(
            "INSERT INTO customer_image (id, stamp, image) VALUES (1, $1, $2) \
             ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp, image = excluded.image",
        )
        .bind(stamp)
        .bind(image)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The engine state stored after `period`, if any.
    pub async fn engine_state(&self, period: Period) -> Result<Option<Vec<u8>>> {
        if let Some(file) = self.sqlite_file() {
            return sqlite_blob(
                file,
                ("engine_states", "state"),
                "SELECT rowid FROM engine_states WHERE period = ?1",
                period.to_string(),
            )
            .await;
        }
        Ok(
            sqlx::query_scalar("SELECT state FROM engine_states WHERE period = $1")
                .bind(period.to_string())
                .fetch_optional(self.pool())
                .await?,
        )
    }
}

impl Tx<'_> {
    /// The current data version (see [`DATA_VERSION`]).
    pub async fn data_version(&mut self) -> Result<String> {
        Ok(self
            .meta_get(DATA_VERSION)
            .await?
            .unwrap_or_else(|| "0".to_string()))
    }

    /// [`Tx::data_version`] for a run about to take the changes since the
    /// last one (`take_dirty_from`): on PostgreSQL its row stays locked until
    /// the transaction ends, so changes counted meanwhile wait and are left
    /// for the next run, and every writer of the version and the dirty mark
    /// takes the version's row first (no lock cycle). SQLite's write
    /// transaction holds the whole database already.
    pub async fn data_version_for_run(&mut self) -> Result<String> {
        if self.backend() == crate::Backend::Postgres {
            let v: Option<String> =
                sqlx::query_scalar("SELECT value FROM meta WHERE key = 'data_version' FOR UPDATE")
                    .fetch_optional(&mut **self)
                    .await?;
            return Ok(v.unwrap_or_else(|| "0".to_string()));
        }
        self.data_version().await
    }

    /// Periods with a stored engine state (see `save_engine_state`), in order.
    pub async fn engine_state_periods(&mut self) -> Result<Vec<String>> {
        Ok(
            sqlx::query_scalar("SELECT period FROM engine_states ORDER BY period")
                .fetch_all(&mut **self)
                .await?,
        )
    }

    /// Moves on every change to customers, tracking codes, brands or geo
    /// blocks (database triggers, whatever path makes the change). None when
    /// its row is missing: nothing would move it, so no image is to be trusted.
    pub async fn world_stamp(&mut self) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar("SELECT n FROM world_stamp WHERE id = 1")
            .fetch_optional(&mut **self)
            .await?)
    }

    /// Number of a period's own lines (adjustments not counted), per period in `[from, to]`.
    pub async fn own_line_counts(
        &mut self,
        from: Period,
        to: Period,
    ) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT period, COUNT(*) FROM commission_lines WHERE origin_period = '' AND period >= $1 AND period <= $2 GROUP BY period",
        )
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&mut **self)
        .await?)
    }
}

/// [`crate::native::read_blob`] on a thread of its own.
async fn sqlite_blob(
    file: &std::path::Path,
    (table, column): (&'static str, &'static str),
    find: &'static str,
    param: String,
) -> Result<Option<Vec<u8>>> {
    let file = file.to_path_buf();
    tokio::task::spawn_blocking(move || {
        crate::native::read_blob(&file, (table, column), find, &param)
    })
    .await
    .map_err(|e| {
        corrupt(format!(
            "reading {table} stopped before its end ({e}); run again"
        ))
    })?
}

/// Stores the engine state carried past `period` (written with the period's lines).
pub async fn save_engine_state(tx: &mut Tx<'_>, period: Period, state: &[u8]) -> Result<()> {
    sqlx::query(SAVE_STATE)
        .bind(period.to_string())
        .bind(state)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The `meta` key of the data version: a counter that every change to what a
/// run reads moves on (see [`count_change`]); a period computed from the
/// current version is up to date. A migration writes its first value, so its
/// row is always there to lock.
pub const DATA_VERSION: &str = "data_version";

/// Counts a change to the data a run reads: the data version moves on by one
/// in one statement, so two changes at once count twice (read and written
/// back by the caller, one of them would be lost and a run between them
/// would take the second change as already computed). The new version.
pub async fn count_change(tx: &mut Tx<'_>) -> Result<i64> {
    let v: String = sqlx::query_scalar(
        "INSERT INTO meta (key, value) VALUES ('data_version', '1') ON CONFLICT (key) DO UPDATE \
         SET value = CAST(CAST(meta.value AS BIGINT) + 1 AS TEXT) RETURNING value",
    )
    .fetch_one(&mut **tx)
    .await?;
    v.parse()
        .map_err(|_| corrupt(format!("the data version '{v}' is not a number")))
}

/// Records that data changed from period `first` on: keeps the earliest such
/// period since the last run (`take_dirty_from` hands it over), the smaller
/// of the two decided in SQL.
pub async fn note_dirty_from(tx: &mut Tx<'_>, first: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO meta (key, value) VALUES ('dirty_from', $1) ON CONFLICT (key) DO UPDATE \
         SET value = CASE WHEN excluded.value < meta.value THEN excluded.value ELSE meta.value END",
    )
    .bind(first)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Drops the engine states that data changes since the last run made stale
/// (every period from the earliest changed one on) and forgets the mark.
pub async fn take_dirty_from(tx: &mut Tx<'_>) -> Result<Option<String>> {
    let first: Option<String> =
        sqlx::query_scalar("SELECT value FROM meta WHERE key = 'dirty_from'")
            .fetch_optional(&mut **tx)
            .await?;
    if let Some(f) = &first {
        sqlx::query("DELETE FROM engine_states WHERE period >= $1")
            .bind(f)
            .execute(&mut **tx)
            .await?;
        sqlx::query("DELETE FROM meta WHERE key = 'dirty_from'")
            .execute(&mut **tx)
            .await?;
    }
    Ok(first)
}

/// Marks computed periods in `[from, to]` whose lines are still current as computed from `inputs`.
pub async fn set_periods_current(
    tx: &mut Tx<'_>,
    from: Period,
    to: Period,
    inputs: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE periods SET inputs = $1 WHERE state = 'computed' AND period >= $2 AND period <= $3",
    )
    .bind(inputs)
    .bind(from.to_string())
    .bind(to.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Forgets every stored engine state and the customer image: the next
/// run reads every customer and computes from the first period.
pub async fn drop_engine_states(tx: &mut Tx<'_>) -> Result<()> {
    sqlx::query("DELETE FROM engine_states")
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM customer_image")
        .execute(&mut **tx)
        .await?;
    Ok(())
}
