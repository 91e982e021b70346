//! Multi-row inserts, chunked so a statement stays under the backends'
//! parameter limits.

use crate::error::Result;
use crate::Tx;

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
        let rows = self.len();
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
        let mut q = sqlx::query(&sql);
        for v in self.values.drain(..) {
            q = match v {
                Val::Text(s) => q.bind(s),
                Val::OptText(s) => q.bind(s),
                Val::Int(i) => q.bind(i),
                Val::OptInt(i) => q.bind(i),
            };
        }
        q.execute(&mut **tx).await?;
        self.written += rows as u64;
        Ok(())
    }
}
