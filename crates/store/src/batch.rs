//! Multi-row inserts, chunked so a statement stays under the backends'
//! parameter limits.

use crate::error::Result;
use crate::Tx;
use sqlx_core::any::{AnyArgumentBuffer, AnyArguments, AnyTypeInfoKind, AnyValueKind};
use std::borrow::Cow;

#[derive(Debug, Clone)]
pub enum Val {
    Text(String),
    OptText(Option<String>),
    Int(i64),
    OptInt(Option<i64>),
}

impl From<String> for Val {
    fn from(s: String) -> Self {
        Val::Text(s)
    }
}
impl From<&str> for Val {
    fn from(s: &str) -> Self {
        Val::Text(s.to_string())
    }
}
impl From<Option<String>> for Val {
    fn from(s: Option<String>) -> Self {
        Val::OptText(s)
    }
}
impl From<i64> for Val {
    fn from(i: i64) -> Self {
        Val::Int(i)
    }
}

/// Rows for one table, written in chunks by [`Batch::flush`].
pub struct Batch {
    head: String,
    tail: String,
    width: usize,
    rows_per_statement: usize,
    values: Vec<Val>,
    pub written: u64,
}

impl Batch {
    /// `INSERT INTO table (cols) VALUES … tail` where tail is e.g. an `ON CONFLICT` clause.
    pub fn new(table: &str, columns: &[&str], tail: &str) -> Self {
        let width = columns.len();
        Self {
            head: format!("INSERT INTO {table} ({}) VALUES ", columns.join(", ")),
            tail: tail.to_string(),
            width,
            // Well under SQLite's 32766 and PostgreSQL's 65535 parameters: a
            // bigger statement saves little driver cost per row, while SQLite
            // holds every prepared statement's program (tens of MB for the
            // largest) in the connection's statement cache.
            rows_per_statement: (8_000 / width.max(1)).clamp(1, 1_000),
            values: Vec::new(),
            written: 0,
        }
    }

    /// An upsert: on a duplicate key the other columns are replaced.
    pub fn upsert(table: &str, columns: &[&str], key: &[&str]) -> Self {
        let sets: Vec<String> = columns
            .iter()
            .filter(|c| !key.contains(c))
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        let tail = if sets.is_empty() {
            format!(" ON CONFLICT ({}) DO NOTHING", key.join(", "))
        } else {
            format!(
                " ON CONFLICT ({}) DO UPDATE SET {}",
                key.join(", "),
                sets.join(", ")
            )
        };
        Self::new(table, columns, &tail)
    }

    pub fn len(&self) -> usize {
        self.values.len() / self.width.max(1)
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// How many rows one statement takes.
    pub fn rows_per_statement(&self) -> usize {
        self.rows_per_statement
    }

    /// Binds one statement's rows (their values one after another, at most
    /// [`Batch::rows_per_statement`] rows) for [`Batch::write`]. It needs no
    /// connection, so a reader thread can do it while the previous statement
    /// is being written.
    pub fn bind(&self, values: Vec<Val>) -> Bound {
        debug_assert_eq!(values.len() % self.width.max(1), 0);
        debug_assert!(values.len() <= self.rows_per_statement * self.width);
        Bound {
            rows: values.len() / self.width.max(1),
            args: arguments(values),
        }
    }

    /// Writes rows bound by [`Batch::bind`] as one statement (after whatever
    /// is pending).
    pub async fn write(&mut self, tx: &mut Tx<'_>, bound: Bound) -> Result<()> {
        self.flush(tx).await?;
        if bound.rows == 0 {
            return Ok(());
        }
        self.execute(tx, bound).await
    }

    /// Adds a row; writes a full chunk when one is ready.
    pub async fn push(&mut self, tx: &mut Tx<'_>, row: Vec<Val>) -> Result<()> {
        debug_assert_eq!(row.len(), self.width);
        self.values.extend(row);
        if self.len() >= self.rows_per_statement {
            self.flush(tx).await?;
        }
        Ok(())
    }

    /// Writes whatever is pending.
    pub async fn flush(&mut self, tx: &mut Tx<'_>) -> Result<()> {
        if self.values.is_empty() {
            return Ok(());
        }
        let values = std::mem::take(&mut self.values);
        let bound = self.bind(values);
        self.execute(tx, bound).await
    }

    async fn execute(&mut self, tx: &mut Tx<'_>, bound: Bound) -> Result<()> {
        let sql = self.statement(tx, bound.rows);
        sqlx::query_with(&sql, bound.args)
            .execute(&mut **tx)
            .await?;
        self.written += bound.rows as u64;
        Ok(())
    }

    /// The multi-row statement for `rows` rows.
    fn statement(&self, tx: &mut Tx<'_>, rows: usize) -> String {
        // SQLite resolves each named parameter (`$n`) by a linear scan, which
        // makes big statements quadratic; plain `?` binds by position there.
        let positional = tx.backend_name().eq_ignore_ascii_case("sqlite");
        let mut sql =
            String::with_capacity(self.head.len() + rows * self.width * 6 + self.tail.len());
        sql.push_str(&self.head);
        let mut n = 0usize;
        for r in 0..rows {
            if r > 0 {
                sql.push(',');
            }
            sql.push('(');
            for c in 0..self.width {
                if c > 0 {
                    sql.push(',');
                }
                n += 1;
                if positional {
                    sql.push('?');
                } else {
                    sql.push('$');
                    sql.push_str(&n.to_string());
                }
            }
            sql.push(')');
        }
        sql.push_str(&self.tail);
        sql
    }
}

/// Rows bound for one statement by [`Batch::bind`].
pub struct Bound {
    rows: usize,
    args: AnyArguments<'static>,
}

/// The values as the driver's arguments, each text moved in rather than
/// copied (binding a `String` through `Query::bind` clones it, which the
/// import and sync did tens of millions of times). The kinds are the ones
/// `bind` gives: text or a text NULL, a 64-bit integer or an integer NULL.
fn arguments(values: Vec<Val>) -> AnyArguments<'static> {
    let kinds = values
        .into_iter()
        .map(|v| match v {
            Val::Text(s) | Val::OptText(Some(s)) => AnyValueKind::Text(Cow::Owned(s)),
            Val::OptText(None) => AnyValueKind::Null(AnyTypeInfoKind::Text),
            Val::Int(i) | Val::OptInt(Some(i)) => AnyValueKind::BigInt(i),
            Val::OptInt(None) => AnyValueKind::Null(AnyTypeInfoKind::BigInt),
        })
        .collect();
    AnyArguments {
        values: AnyArgumentBuffer(kinds),
    }
}
