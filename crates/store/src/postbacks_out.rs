//! Postbacks out: partners' URLs per event, the outbox of postbacks to
//! send, and the log of every attempt. A row is claimed by one sender at a
//! time: the claim is an UPDATE that only a row still due passes, so two
//! senders (two server instances) never both send it; on PostgreSQL rows
//! another sender holds are skipped (`FOR UPDATE SKIP LOCKED`), on SQLite
//! the write transaction serialises the senders.

use crate::error::Result;
use crate::{Backend, Tx};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerPostbackRow {
    pub partner_id: String,
    pub event: String,
    pub url_template: String,
    pub send_amount: bool,
}

/// A postback to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPostback {
    pub partner_id: String,
    pub event: String,
    /// What caused it (`ftd:<brand>:<customer>`): queued once.
    pub source: String,
    pub url: String,
    pub now: String,
}

/// A claimed postback, to send now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub id: i64,
    pub partner_id: String,
    pub url: String,
    /// This attempt's number (1 for the first).
    pub attempt: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    pub id: i64,
    pub partner_id: String,
    pub event: String,
    pub url: String,
    pub state: String,
    pub attempts: i64,
    pub next_at: String,
    pub last_error: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendRow {
    pub outbox_id: i64,
    pub partner_id: String,
    pub at: String,
    pub attempt: i64,
    pub status_code: Option<i64>,
    pub error: Option<String>,
}

const OUTBOX_COLUMNS: &str =
    "id, partner_id, event, url, state, attempts, next_at, last_error, created_at";

fn outbox_row(r: &sqlx::any::AnyRow) -> Result<OutboxRow> {
    Ok(OutboxRow {
        id: r.try_get(0)?,
        partner_id: r.try_get(1)?,
        event: r.try_get(2)?,
        url: r.try_get(3)?,
        state: r.try_get(4)?,
        attempts: r.try_get(5)?,
        next_at: r.try_get(6)?,
        last_error: r.try_get(7)?,
        created_at: r.try_get(8)?,
    })
}

/// A postback the sender may take at `$1`: pending and due, or held by a
/// sender whose claim ran out.
const DUE: &str =
    "((state = 'pending' AND next_at <= $1) OR (state = 'sending' AND claimed_until < $1))";

impl Tx<'_> {
    /// Whether any postback is due at `now` (a read, so that an idle
    /// sender takes no write lock).
    pub async fn postbacks_due(&mut self, now: &str) -> Result<bool> {
        let row: Option<(i64,)> = sqlx::query_as(&format!(
            "SELECT id FROM postback_outbox WHERE {DUE} LIMIT 1"
        ))
        .bind(now)
        .fetch_optional(&mut **self)
        .await?;
        Ok(row.is_some())
    }

    /// A partner's postback URLs, by event.
    pub async fn partner_postbacks(&mut self, partner_id: &str) -> Result<Vec<PartnerPostbackRow>> {
        let rows = sqlx::query(
            "SELECT partner_id, event, url_template, send_amount FROM partner_postbacks WHERE partner_id = $1 ORDER BY event",
        )
        .bind(partner_id)
        .fetch_all(&mut **self)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PartnerPostbackRow {
                    partner_id: r.try_get(0)?,
                    event: r.try_get(1)?,
                    url_template: r.try_get(2)?,
                    send_amount: r.try_get::<i64, _>(3)? != 0,
                })
            })
            .collect()
    }

    /// The outbox (of one partner), newest first.
    pub async fn postback_outbox(
        &mut self,
        partner_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<OutboxRow>> {
        self.newest_first(
            "postback_outbox",
            OUTBOX_COLUMNS,
            partner_id,
            limit,
            outbox_row,
        )
        .await
    }

    /// A page of one partner's outbox, newest first, and its size.
    pub async fn postback_outbox_page(
        &mut self,
        partner_id: &str,
        offset: i64,
        limit: i64,
    ) -> Result<(i64, Vec<OutboxRow>)> {
        let (total,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM postback_outbox WHERE partner_id = $1")
                .bind(partner_id)
                .fetch_one(&mut **self)
                .await?;
        let rows = sqlx::query(&format!(
            "SELECT {OUTBOX_COLUMNS} FROM postback_outbox WHERE partner_id = $1 \
             ORDER BY id DESC LIMIT {} OFFSET {}",
            limit.clamp(1, 1_000),
            offset.max(0)
        ))
        .bind(partner_id)
        .fetch_all(&mut **self)
        .await?;
        Ok((total, rows.iter().map(outbox_row).collect::<Result<_>>()?))
    }

    /// Every attempt (of one partner), newest first.
    pub async fn postback_sends(
        &mut self,
        partner_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<SendRow>> {
        self.newest_first(
            "postback_sends",
            "outbox_id, partner_id, at, attempt, status_code, error",
            partner_id,
            limit,
            |r| {
                Ok(SendRow {
                    outbox_id: r.try_get(0)?,
                    partner_id: r.try_get(1)?,
                    at: r.try_get(2)?,
                    attempt: r.try_get(3)?,
                    status_code: r.try_get(4)?,
                    error: r.try_get(5)?,
                })
            },
        )
        .await
    }

    /// The listing both logs share: `columns` of `table` (of one partner,
    /// or all), newest first, at most `limit` (1 to 10,000) rows, each
    /// mapped by `row`.
    async fn newest_first<T>(
        &mut self,
        table: &str,
        columns: &str,
        partner_id: Option<&str>,
        limit: i64,
        row: fn(&sqlx::any::AnyRow) -> Result<T>,
    ) -> Result<Vec<T>> {
        let rows = sqlx::query(&format!(
            "SELECT {columns} FROM {table} WHERE ($1 IS NULL OR partner_id = $1) ORDER BY id DESC LIMIT {}",
            limit.clamp(1, 10_000)
        ))
        .bind(partner_id)
        .fetch_all(&mut **self)
        .await?;
        rows.iter().map(row).collect()
    }
}

pub async fn set_partner_postback(
    tx: &mut Tx<'_>,
    row: &PartnerPostbackRow,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO partner_postbacks (partner_id, event, url_template, send_amount, updated_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (partner_id, event) DO UPDATE SET url_template = excluded.url_template, send_amount = excluded.send_amount, updated_at = excluded.updated_at",
    )
    .bind(&row.partner_id)
    .bind(&row.event)
    .bind(&row.url_template)
    .bind(i64::from(row.send_amount))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Removes a partner's URL for an event; answers whether there was one.
pub async fn delete_partner_postback(
    tx: &mut Tx<'_>,
    partner_id: &str,
    event: &str,
) -> Result<bool> {
    let r = sqlx::query("DELETE FROM partner_postbacks WHERE partner_id = $1 AND event = $2")
        .bind(partner_id)
        .bind(event)
        .execute(&mut **tx)
        .await?;
    Ok(r.rows_affected() > 0)
}

/// Queues a postback, due now, unless its source was queued before;
/// answers whether it was queued.
pub async fn enqueue(tx: &mut Tx<'_>, p: &NewPostback) -> Result<bool> {
    let r = sqlx::query(
        "INSERT INTO postback_outbox (partner_id, event, source, url, state, attempts, next_at, created_at) \
         VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5) ON CONFLICT (source) DO NOTHING",
    )
    .bind(&p.partner_id)
    .bind(&p.event)
    .bind(&p.source)
    .bind(&p.url)
    .bind(&p.now)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() > 0)
}

/// Claims up to `limit` due postbacks (pending and due at `now`, or held
/// by a sender whose claim ran out) until `until`, counting the attempt.
/// Times are [`crate::postbacks_out::stamp`] texts, which sort as times.
pub async fn claim_due(
    tx: &mut Tx<'_>,
    now: &str,
    until: &str,
    limit: i64,
) -> Result<Vec<Claimed>> {
    let lock = match tx.backend() {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    // The outer condition repeats the inner one: a row another sender
    // claimed meanwhile no longer passes it, so only one claim wins.
    let sql = format!(
        "UPDATE postback_outbox SET state = 'sending', claimed_until = $2, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM postback_outbox WHERE {DUE} ORDER BY id LIMIT {}{lock}) AND {DUE} \
         RETURNING id, partner_id, url, attempts",
        limit.clamp(1, 1000)
    );
    let rows = sqlx::query(&sql)
        .bind(now)
        .bind(until)
        .fetch_all(&mut **tx)
        .await?;
    let mut out = rows
        .iter()
        .map(|r| {
            Ok(Claimed {
                id: r.try_get(0)?,
                partner_id: r.try_get(1)?,
                url: r.try_get(2)?,
                attempt: r.try_get(3)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    out.sort_by_key(|c| c.id);
    Ok(out)
}

/// Ends an attempt: `sent`, `failed`, or `pending` again from `next_at`.
/// Only the claim's holder (its attempt number) ends it.
pub async fn finish(
    tx: &mut Tx<'_>,
    id: i64,
    attempt: i64,
    state: &str,
    next_at: &str,
    error: Option<&str>,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE postback_outbox SET state = $3, next_at = $4, last_error = $5, claimed_until = NULL \
         WHERE id = $1 AND attempts = $2 AND state = 'sending'",
    )
    .bind(id)
    .bind(attempt)
    .bind(state)
    .bind(next_at)
    .bind(error)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() > 0)
}

pub async fn log_send(tx: &mut Tx<'_>, s: &SendRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO postback_sends (outbox_id, partner_id, at, attempt, status_code, error) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(s.outbox_id)
    .bind(&s.partner_id)
    .bind(&s.at)
    .bind(s.attempt)
    .bind(s.status_code)
    .bind(&s.error)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A time as the outbox stores it: fixed width (microseconds, `Z`), so
/// that texts compare as the times do.
pub fn stamp(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}
