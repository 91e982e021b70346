//! Fraud flags for compliance review, partners marked link-only, and the
//! reads that find click floods and self-referrals.

use crate::error::Result;
use crate::Tx;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFlag {
    /// `click_flood`, `no_click` or `self_referral`.
    pub kind: &'static str,
    /// What was flagged, once: a second flag with the key is not made.
    pub key: String,
    pub partner_id: Option<String>,
    pub brand_id: Option<String>,
    /// The visitor hash or the customer id.
    pub subject: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagRow {
    pub id: i64,
    pub kind: String,
    pub partner_id: Option<String>,
    pub brand_id: Option<String>,
    pub subject: String,
    pub reason: String,
    pub state: String,
    pub created_at: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub note: Option<String>,
}

/// One visitor's clicks on one link beyond the limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flood {
    pub link_path: String,
    pub brand_id: String,
    pub code: String,
    pub visitor: String,
    pub day: String,
    pub clicks: i64,
}

const FLAG_COLUMNS: &str =
    "id, kind, partner_id, brand_id, subject, reason, state, created_at, reviewed_by, reviewed_at, note";

fn flag(r: &sqlx::any::AnyRow) -> Result<FlagRow> {
    Ok(FlagRow {
        id: r.try_get(0)?,
        kind: r.try_get(1)?,
        partner_id: r.try_get(2)?,
        brand_id: r.try_get(3)?,
        subject: r.try_get(4)?,
        reason: r.try_get(5)?,
        state: r.try_get(6)?,
        created_at: r.try_get(7)?,
        reviewed_by: r.try_get(8)?,
        reviewed_at: r.try_get(9)?,
        note: r.try_get(10)?,
    })
}

impl Tx<'_> {
    /// Flags (in one state), newest first.
    pub async fn fraud_flags(&mut self, state: Option<&str>, limit: i64) -> Result<Vec<FlagRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {FLAG_COLUMNS} FROM fraud_flags WHERE ($1 IS NULL OR state = $1) ORDER BY id DESC LIMIT {}",
            limit.clamp(1, 10_000)
        ))
        .bind(state)
        .fetch_all(&mut **self)
        .await?;
        rows.iter().map(flag).collect()
    }

    /// A page of flags (of one state and kind when given), newest first,
    /// and how many match in all.
    pub async fn fraud_flag_page(
        &mut self,
        state: Option<&str>,
        kind: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> Result<(i64, Vec<FlagRow>)> {
        const WHERE: &str = "WHERE ($1 IS NULL OR state = $1) AND ($2 IS NULL OR kind = $2)";
        let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM fraud_flags {WHERE}"))
            .bind(state)
            .bind(kind)
            .fetch_one(&mut **self)
            .await?;
        let rows = sqlx::query(&format!(
            "SELECT {FLAG_COLUMNS} FROM fraud_flags {WHERE} ORDER BY id DESC LIMIT {} OFFSET {}",
            limit.clamp(1, 1_000),
            offset.max(0)
        ))
        .bind(state)
        .bind(kind)
        .fetch_all(&mut **self)
        .await?;
        Ok((total, rows.iter().map(flag).collect::<Result<_>>()?))
    }

    pub async fn fraud_flag(&mut self, id: i64) -> Result<Option<FlagRow>> {
        let row = sqlx::query(&format!(
            "SELECT {FLAG_COLUMNS} FROM fraud_flags WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut **self)
        .await?;
        row.as_ref().map(flag).transpose()
    }

    pub async fn is_link_only(&mut self, partner_id: &str) -> Result<bool> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT partner_id FROM link_only_partners WHERE partner_id = $1")
                .bind(partner_id)
                .fetch_optional(&mut **self)
                .await?;
        Ok(row.is_some())
    }

    /// The account of a partner's payment details (an IBAN, a wallet).
    pub async fn payment_account(&mut self, partner_id: &str) -> Result<Option<String>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT account FROM payment_details WHERE partner_id = $1")
                .bind(partner_id)
                .fetch_optional(&mut **self)
                .await?;
        Ok(row.map(|r| r.0))
    }

    /// Visitors with more than `limit` human clicks on one link since
    /// `since` (a stored click time; `day_from` its UTC day, which lets the
    /// day index narrow the scan).
    pub async fn click_floods(
        &mut self,
        day_from: &str,
        since: &str,
        limit: i64,
    ) -> Result<Vec<Flood>> {
        let rows = sqlx::query(
            "SELECT link_path, brand_id, code, visitor, MAX(day), CAST(COUNT(*) AS BIGINT) FROM clicks \
             WHERE day >= $1 AND at >= $2 AND kind = 'human' \
             GROUP BY link_path, brand_id, code, visitor HAVING COUNT(*) > $3 ORDER BY link_path, visitor",
        )
        .bind(day_from)
        .bind(since)
        .bind(limit)
        .fetch_all(&mut **self)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Flood {
                    link_path: r.try_get(0)?,
                    brand_id: r.try_get(1)?,
                    code: r.try_get(2)?,
                    visitor: r.try_get(3)?,
                    day: r.try_get(4)?,
                    clicks: r.try_get(5)?,
                })
            })
            .collect()
    }
}

/// Records a flag unless one with its key exists; answers whether it was new.
pub async fn raise(tx: &mut Tx<'_>, f: &NewFlag, now: &str) -> Result<bool> {
    let r = sqlx::query(
        "INSERT INTO fraud_flags (kind, key, partner_id, brand_id, subject, reason, state, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7) ON CONFLICT (key) DO NOTHING",
    )
    .bind(f.kind)
    .bind(&f.key)
    .bind(&f.partner_id)
    .bind(&f.brand_id)
    .bind(&f.subject)
    .bind(&f.reason)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() > 0)
}

/// Sets an open flag's review; answers whether it was open.
pub async fn review(
    tx: &mut Tx<'_>,
    id: i64,
    state: &str,
    by: &str,
    note: Option<&str>,
    now: &str,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE fraud_flags SET state = $2, reviewed_by = $3, reviewed_at = $4, note = $5 WHERE id = $1 AND state = 'open'",
    )
    .bind(id)
    .bind(state)
    .bind(by)
    .bind(now)
    .bind(note)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() > 0)
}

pub async fn set_link_only(tx: &mut Tx<'_>, partner_id: &str, on: bool, now: &str) -> Result<()> {
    if on {
        sqlx::query(
            "INSERT INTO link_only_partners (partner_id, updated_at) VALUES ($1, $2) ON CONFLICT (partner_id) DO NOTHING",
        )
        .bind(partner_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    } else {
        sqlx::query("DELETE FROM link_only_partners WHERE partner_id = $1")
            .bind(partner_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
