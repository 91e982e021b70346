//! The tamper-evident audit log: an append-only hash chain.
//!
//! Entry `n` stores `seq = n`, the hash of entry `n - 1` (`prev_hash`, the
//! genesis hash for the first) and `hash = SHA-256(prev_hash "\n" canonical)`,
//! where `canonical` is the JSON array
//! `[seq, at, actor, action, object_type, object_id, before, after]`.
//! Changing any entry's content, its position, or removing one breaks the chain
//! at that entry. Removing entries from the end (or all of them) is caught by
//! the position of the last entry written, kept apart in `meta`
//! (`audit_written`), and, against someone who rewrites both, by comparing
//! with a head exported earlier. Database triggers refuse UPDATE and DELETE.
//! Only [`audit`] writes entries: a row put into the table some other way
//! is never adopted into the chain, and verifying names it.

use crate::{Backend, Result, Store, StoreError, Tx};
use futures_util::TryStreamExt;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One stored entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of an entry's canonical content chained to the previous hash.
#[allow(clippy::too_many_arguments)]
pub fn entry_hash(
    prev_hash: &str,
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    object_type: &str,
    object_id: &str,
    before: Option<&str>,
    after: Option<&str>,
) -> String {
    let canonical = serde_json::json!([
        seq,
        at,
        actor,
        action,
        object_type,
        object_id,
        before,
        after
    ])
    .to_string();
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(canonical.as_bytes());
    hex::encode(h.finalize())
}

async fn head_in(tx: &mut Tx<'_>) -> Result<(i64, String)> {
    let row = sqlx::query(
        "SELECT seq, hash FROM audit_log WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1",
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(match row {
        Some(r) => (r.try_get::<i64, _>(0)?, r.try_get::<String, _>(1)?),
        None => (0, GENESIS.to_string()),
    })
}

/// Serialises writers of the chain on PostgreSQL. SQLite has one writer: a
/// write transaction holds the database's write lock from its start (it is
/// begun IMMEDIATE, see [`crate::Tx`]), so the head read below is the head
/// the entry is appended to.
async fn lock_chain(tx: &mut Tx<'_>) -> Result<()> {
    if tx.backend() == Backend::Postgres {
        sqlx::query("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Appends an audit entry inside the transaction that makes the change.
#[allow(clippy::too_many_arguments)]
pub async fn audit(
    tx: &mut Tx<'_>,
    at: &str,
    actor: &str,
    action: &str,
    object_type: &str,
    object_id: &str,
    before: Option<&str>,
    after: Option<&str>,
) -> Result<()> {
    lock_chain(tx).await?;
    let (last, prev) = head_in(tx).await?;
    let seq = last + 1;
    let hash = entry_hash(
        &prev,
        seq,
        at,
        actor,
        action,
        object_type,
        object_id,
        before,
        after,
    );
    sqlx::query("INSERT INTO audit_log (seq, at, actor, action, object_type, object_id, before, after, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(seq)
        .bind(at)
        .bind(actor)
        .bind(action)
        .bind(object_type)
        .bind(object_id)
        .bind(before)
        .bind(after)
        .bind(&prev)
        .bind(&hash)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE meta SET value = $1 WHERE key = 'audit_written'")
        .bind(seq.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl Store {
    /// Appends one entry in a transaction of its own: for attempts that
    /// change nothing else (refusals, failed sign-ins) and must stay on record.
    #[allow(clippy::too_many_arguments)]
    pub async fn audit_alone(
        &self,
        at: &str,
        actor: &str,
        action: &str,
        object_type: &str,
        object_id: &str,
        after: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        audit(
            &mut tx,
            at,
            actor,
            action,
            object_type,
            object_id,
            None,
            after,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The outcome of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    /// Entries checked.
    pub entries: u64,
    /// The last entry's position and hash.
    pub head_seq: i64,
    pub head_hash: String,
    /// The first entry that does not fit the chain, and why.
    pub first_broken: Option<BrokenEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenEntry {
    /// The database row id of the entry (or of the entry after a gap); 0
    /// when the entry is missing from the end.
    pub id: i64,
    pub seq: i64,
    pub reason: String,
}

/// Filters for reading the log.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub action_prefix: Option<String>,
    /// Inclusive lower bound on `at` (fixed-width UTC text).
    pub from: Option<String>,
    /// Exclusive upper bound on `at`.
    pub to: Option<String>,
}

fn entry_of(r: &sqlx::any::AnyRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        id: r.try_get(0)?,
        seq: r.try_get::<Option<i64>, _>(1)?.unwrap_or(0),
        at: r.try_get(2)?,
        actor: r.try_get(3)?,
        action: r.try_get(4)?,
        object_type: r.try_get(5)?,
        object_id: r.try_get(6)?,
        before: r.try_get(7)?,
        after: r.try_get(8)?,
        prev_hash: r.try_get::<Option<String>, _>(9)?.unwrap_or_default(),
        hash: r.try_get::<Option<String>, _>(10)?.unwrap_or_default(),
    })
}

const COLUMNS: &str =
    "id, seq, at, actor, action, object_type, object_id, before, after, prev_hash, hash";

impl Tx<'_> {
    /// Walks the whole chain in order, streaming, and names the first entry
    /// that does not fit.
    pub async fn audit_verify(&mut self) -> Result<ChainReport> {
        let sql = format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq IS NULL, seq, id");
        let mut rows = sqlx::query(&sql).fetch(&mut **self);
        let mut expected_seq = 1i64;
        let mut prev = GENESIS.to_string();
        let mut entries = 0u64;
        let mut head_seq = 0i64;
        while let Some(r) = rows.try_next().await? {
            let e = entry_of(&r)?;
            entries += 1;
            let broken = |reason: String| BrokenEntry {
                id: e.id,
                seq: e.seq,
                reason,
            };
            let fault = if e.hash.is_empty() || e.seq == 0 {
                Some(broken(
                    "the entry is outside the chain (it has no position or hash): Partnerdesk did not write it, it was put into the database directly".into(),
                ))
            } else if e.seq != expected_seq {
                Some(broken(format!(
                    "expected position {expected_seq}, found {}: an entry before it was removed or the order changed",
                    e.seq
                )))
            } else if e.prev_hash != prev {
                Some(broken(
                    "its link to the previous entry does not match: an entry before it was removed, replaced or reordered".into(),
                ))
            } else if entry_hash(
                &e.prev_hash,
                e.seq,
                &e.at,
                &e.actor,
                &e.action,
                &e.object_type,
                &e.object_id,
                e.before.as_deref(),
                e.after.as_deref(),
            ) != e.hash
            {
                Some(broken(
                    "its content does not match its hash: the entry was changed".into(),
                ))
            } else {
                None
            };
            if let Some(b) = fault {
                return Ok(ChainReport {
                    entries,
                    head_seq,
                    head_hash: prev,
                    first_broken: Some(b),
                });
            }
            prev = e.hash.clone();
            head_seq = e.seq;
            expected_seq += 1;
        }
        drop(rows);
        let written = self.audit_written().await?;
        let missing_end = match written {
            Some(w) if w > head_seq => Some(format!(
                "Partnerdesk wrote {w} entries but the log ends at entry {head_seq}: entries were removed from the end{}",
                if head_seq == 0 { " (the log was emptied)" } else { "" }
            )),
            Some(w) if w < head_seq => Some(format!(
                "the log goes on after entry {w}, the last one Partnerdesk recorded writing: the entries after it were put into the database directly"
            )),
            Some(_) => None,
            None => Some(
                "the record of the last entry written is missing from the database: it was removed".into(),
            ),
        };
        if let Some(reason) = missing_end {
            return Ok(ChainReport {
                entries,
                head_seq,
                head_hash: prev,
                first_broken: Some(BrokenEntry {
                    id: 0,
                    seq: written.map_or(head_seq + 1, |w| w.min(head_seq) + 1),
                    reason,
                }),
            });
        }
        Ok(ChainReport {
            entries,
            head_seq,
            head_hash: prev,
            first_broken: None,
        })
    }

    /// The position of the last entry Partnerdesk wrote, as kept apart from
    /// the log (None: that record was removed).
    pub async fn audit_written(&mut self) -> Result<Option<i64>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT value FROM meta WHERE key = 'audit_written'")
                .fetch_optional(&mut **self)
                .await?;
        Ok(row.and_then(|(v,)| v.parse().ok()))
    }

    /// The last entry's position and hash (for safekeeping outside the database).
    pub async fn audit_head(&mut self) -> Result<(i64, String)> {
        head_in(self).await
    }

    /// The hash of the entry at `seq`, if there is one.
    pub async fn audit_hash_at(&mut self, seq: i64) -> Result<Option<String>> {
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT hash FROM audit_log WHERE seq = $1")
                .bind(seq)
                .fetch_optional(&mut **self)
                .await?;
        Ok(row.and_then(|r| r.0))
    }

    /// A page of entries, newest first, and the number matching.
    pub async fn audit_entries(
        &mut self,
        filter: &AuditFilter,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<AuditEntry>, i64)> {
        let (clause, args) = where_clause(filter);
        let count: i64 = {
            let sql = format!("SELECT COUNT(*) FROM audit_log{clause}");
            let mut q = sqlx::query_scalar::<_, i64>(&sql);
            for a in &args {
                q = q.bind(a.clone());
            }
            q.fetch_one(&mut **self).await?
        };
        let n = args.len();
        let sql = format!(
            "SELECT {COLUMNS} FROM audit_log{clause} ORDER BY seq DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let mut q = sqlx::query(&sql);
        for a in &args {
            q = q.bind(a.clone());
        }
        let rows = q.bind(limit).bind(offset).fetch_all(&mut **self).await?;
        let entries = rows.iter().map(entry_of).collect::<Result<Vec<_>>>()?;
        Ok((entries, count))
    }

    /// Every matching entry in chain order, streamed to `each` (exports).
    pub async fn audit_each(
        &mut self,
        filter: &AuditFilter,
        mut each: impl FnMut(AuditEntry) -> std::result::Result<(), String>,
    ) -> Result<u64> {
        let (clause, args) = where_clause(filter);
        let sql = format!("SELECT {COLUMNS} FROM audit_log{clause} ORDER BY seq");
        let mut q = sqlx::query(&sql);
        for a in &args {
            q = q.bind(a.clone());
        }
        let mut rows = q.fetch(&mut **self);
        let mut n = 0;
        while let Some(r) = rows.try_next().await? {
            each(entry_of(&r)?).map_err(StoreError::Corrupt)?;
            n += 1;
        }
        Ok(n)
    }
}

fn where_clause(f: &AuditFilter) -> (String, Vec<String>) {
    let mut parts = Vec::new();
    let mut args = Vec::new();
    let mut push = |sql: &str, v: &Option<String>| {
        if let Some(v) = v.as_ref().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            args.push(v.to_string());
            parts.push(sql.replace('?', &format!("${}", args.len())));
        }
    };
    push("actor = ?", &f.actor);
    push("object_type = ?", &f.object_type);
    push("object_id = ?", &f.object_id);
    push("at >= ?", &f.from);
    push("at < ?", &f.to);
    if let Some(p) = f.action_prefix.as_ref().filter(|s| !s.trim().is_empty()) {
        args.push(format!("{}%", p.trim().replace('%', "")));
        parts.push(format!("action LIKE ${}", args.len()));
    }
    let clause = if parts.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", parts.join(" AND "))
    };
    (clause, args)
}

impl Backend {
    /// Whether this backend is the embedded one.
    pub fn is_embedded(&self) -> bool {
        matches!(self, Backend::Sqlite)
    }
}
