//! Users, approvals, KYC documents, traffic sources and allowed countries.

use crate::error::{Result, StoreError};
use crate::Tx;
use partnerdesk_domain::approval::{ApprovalDecision, ApprovalKind, ApprovalStatus};
use partnerdesk_domain::kyc::{
    DocumentStatus, DocumentType, TrafficSourceKind, TrafficSourceStatus,
};
use partnerdesk_domain::role::{roles_text, Roles};
use partnerdesk_domain::{CountryCode, CurrencyCode};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub user_id: String,
    pub display_name: String,
    pub password_hash: String,
    /// Stored as its words, comma-separated (`admin,finance`).
    pub roles: Roles,
    pub disabled: bool,
    pub failed_attempts: i64,
    pub locked_until: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Moved on by one by every change of the user (see [`update_user`]);
    /// failed sign-ins do not count as changes.
    pub row_version: i64,
    /// Who made the last change (a user id; empty before versions were kept).
    pub updated_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalRecord {
    pub approval_id: i64,
    pub kind: ApprovalKind,
    pub object_type: String,
    pub object_id: String,
    pub summary: String,
    pub payload: String,
    pub amount: Option<String>,
    pub currency: Option<CurrencyCode>,
    pub required_approvals: i64,
    pub status: ApprovalStatus,
    pub maker: String,
    pub created_at: String,
    pub decided_at: Option<String>,
    /// Who made the object the request is about, when that may be someone
    /// other than the maker (a payout run's creator); they may not decide
    /// it either.
    pub object_maker: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRecord {
    pub approval_id: i64,
    pub approver: String,
    pub decision: ApprovalDecision,
    pub reason: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRecord {
    pub document_id: String,
    pub partner_id: String,
    pub doc_type: DocumentType,
    pub file_name: String,
    pub sha256: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub status: DocumentStatus,
    pub uploaded_by: String,
    pub uploaded_at: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub review_note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrafficSourceRecord {
    pub source_id: String,
    pub partner_id: String,
    pub kind: TrafficSourceKind,
    pub value: String,
    pub status: TrafficSourceStatus,
    pub declared_by: String,
    pub declared_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
}

/// A partner whose customers come from blocked or unexpected countries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeoReportRow {
    pub partner_id: String,
    pub partner_name: String,
    pub brand_id: String,
    /// None: customers whose country is unknown (stored '').
    pub country: Option<CountryCode>,
    pub blocked: i64,
    pub unexpected: i64,
}

const USER_COLS: &str = "user_id, display_name, password_hash, roles, disabled, failed_attempts, locked_until, created_at, updated_at, row_version, updated_by";
const APPROVAL_COLS: &str = "approval_id, kind, object_type, object_id, summary, payload, amount, currency, required_approvals, status, maker, created_at, decided_at, object_maker";
const DOC_COLS: &str = "document_id, partner_id, doc_type, file_name, sha256, media_type, size_bytes, status, uploaded_by, uploaded_at, reviewed_by, reviewed_at, review_note";
const SOURCE_COLS: &str =
    "source_id, partner_id, kind, value, status, declared_by, declared_at, decided_by, decided_at";

fn user_row(r: &sqlx::any::AnyRow) -> Result<UserRecord> {
    Ok(UserRecord {
        user_id: r.try_get(0)?,
        display_name: r.try_get(1)?,
        password_hash: r.try_get(2)?,
        roles: crate::words::roles(&r.try_get::<String, _>(3)?, "users", "roles")?,
        disabled: r.try_get::<i64, _>(4)? != 0,
        failed_attempts: r.try_get(5)?,
        locked_until: r.try_get(6)?,
        created_at: r.try_get(7)?,
        updated_at: r.try_get(8)?,
        row_version: r.try_get(9)?,
        updated_by: r.try_get(10)?,
    })
}

fn approval_row(r: &sqlx::any::AnyRow) -> Result<ApprovalRecord> {
    Ok(ApprovalRecord {
        approval_id: r.try_get(0)?,
        kind: crate::words::word("approvals", "kind", &r.try_get::<String, _>(1)?)?,
        object_type: r.try_get(2)?,
        object_id: r.try_get(3)?,
        summary: r.try_get(4)?,
        payload: r.try_get(5)?,
        amount: r.try_get(6)?,
        currency: r
            .try_get::<Option<String>, _>(7)?
            .map(|c| crate::words::checked("approvals", "currency", &c, CurrencyCode::parse))
            .transpose()?,
        required_approvals: r.try_get(8)?,
        status: crate::words::word("approvals", "status", &r.try_get::<String, _>(9)?)?,
        maker: r.try_get(10)?,
        created_at: r.try_get(11)?,
        decided_at: r.try_get(12)?,
        object_maker: r.try_get(13)?,
    })
}

fn doc_row(r: &sqlx::any::AnyRow) -> Result<DocumentRecord> {
    Ok(DocumentRecord {
        document_id: r.try_get(0)?,
        partner_id: r.try_get(1)?,
        doc_type: crate::words::word("partner_documents", "doc_type", &r.try_get::<String, _>(2)?)?,
        file_name: r.try_get(3)?,
        sha256: r.try_get(4)?,
        media_type: r.try_get(5)?,
        size_bytes: r.try_get(6)?,
        status: crate::words::word("partner_documents", "status", &r.try_get::<String, _>(7)?)?,
        uploaded_by: r.try_get(8)?,
        uploaded_at: r.try_get(9)?,
        reviewed_by: r.try_get(10)?,
        reviewed_at: r.try_get(11)?,
        review_note: r.try_get(12)?,
    })
}

fn source_row(r: &sqlx::any::AnyRow) -> Result<TrafficSourceRecord> {
    Ok(TrafficSourceRecord {
        source_id: r.try_get(0)?,
        partner_id: r.try_get(1)?,
        kind: crate::words::word("traffic_sources", "kind", &r.try_get::<String, _>(2)?)?,
        value: r.try_get(3)?,
        status: crate::words::word("traffic_sources", "status", &r.try_get::<String, _>(4)?)?,
        declared_by: r.try_get(5)?,
        declared_at: r.try_get(6)?,
        decided_by: r.try_get(7)?,
        decided_at: r.try_get(8)?,
    })
}

impl Tx<'_> {
    pub async fn user_count(&mut self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&mut **self)
            .await?)
    }

    pub async fn user(&mut self, user_id: &str) -> Result<Option<UserRecord>> {
        self.user_locked(user_id, "").await
    }

    /// [`Tx::user`] for changing it: locked on PostgreSQL until the
    /// transaction ends (see `Tx::partner_to_change`).
    pub async fn user_to_change(&mut self, user_id: &str) -> Result<Option<UserRecord>> {
        let lock = match self.backend() {
            crate::Backend::Postgres => " FOR UPDATE",
            crate::Backend::Sqlite => "",
        };
        self.user_locked(user_id, lock).await
    }

    async fn user_locked(&mut self, user_id: &str, lock: &str) -> Result<Option<UserRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLS} FROM users WHERE user_id = $1{lock}"
        ))
        .bind(user_id)
        .fetch_optional(&mut **self)
        .await?;
        row.as_ref().map(user_row).transpose()
    }

    pub async fn users(&mut self) -> Result<Vec<UserRecord>> {
        let rows = sqlx::query(&format!("SELECT {USER_COLS} FROM users ORDER BY user_id"))
            .fetch_all(&mut **self)
            .await?;
        rows.iter().map(user_row).collect()
    }

    pub async fn approval(&mut self, id: i64) -> Result<Option<ApprovalRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {APPROVAL_COLS} FROM approvals WHERE approval_id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut **self)
        .await?;
        row.as_ref().map(approval_row).transpose()
    }

    /// [`Tx::approval`] for deciding it: on PostgreSQL the request's row
    /// stays locked until the transaction ends, so two approvers deciding at
    /// once take turns and the second sees the first's decision (a write
    /// transaction on SQLite holds the whole database already).
    pub async fn approval_to_decide(&mut self, id: i64) -> Result<Option<ApprovalRecord>> {
        let lock = match self.backend() {
            crate::Backend::Postgres => " FOR UPDATE",
            crate::Backend::Sqlite => "",
        };
        let row = sqlx::query(&format!(
            "SELECT {APPROVAL_COLS} FROM approvals WHERE approval_id = $1{lock}"
        ))
        .bind(id)
        .fetch_optional(&mut **self)
        .await?;
        row.as_ref().map(approval_row).transpose()
    }

    /// Approvals, newest first; `status` filters when given.
    pub async fn approvals(
        &mut self,
        status: Option<ApprovalStatus>,
        limit: i64,
    ) -> Result<Vec<ApprovalRecord>> {
        let rows = match status {
            Some(s) => {
                sqlx::query(&format!("SELECT {APPROVAL_COLS} FROM approvals WHERE status = $1 ORDER BY approval_id DESC LIMIT $2"))
                    .bind(s.as_str())
                    .bind(limit)
                    .fetch_all(&mut **self)
                    .await?
            }
            None => {
                sqlx::query(&format!(
                    "SELECT {APPROVAL_COLS} FROM approvals ORDER BY approval_id DESC LIMIT $1"
                ))
                .bind(limit)
                .fetch_all(&mut **self)
                .await?
            }
        };
        rows.iter().map(approval_row).collect()
    }

    /// The pending approval of `kind` for an object, if one waits.
    pub async fn pending_approval(
        &mut self,
        kind: ApprovalKind,
        object_id: &str,
    ) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT approval_id FROM approvals WHERE kind = $1 AND object_id = $2 AND status = 'pending'",
        )
        .bind(kind.as_str())
        .bind(object_id)
        .fetch_optional(&mut **self)
        .await?)
    }

    pub async fn decisions(&mut self, approval_id: i64) -> Result<Vec<DecisionRecord>> {
        self.decisions_between(approval_id, approval_id).await
    }

    /// The decisions on every request whose id lies in `first..=last`, in the
    /// order they were made: one query for a whole page of the queue.
    pub async fn decisions_between(
        &mut self,
        first: i64,
        last: i64,
    ) -> Result<Vec<DecisionRecord>> {
        let rows = sqlx::query("SELECT approval_id, approver, decision, reason, at FROM approval_decisions WHERE approval_id BETWEEN $1 AND $2 ORDER BY approval_id, at")
            .bind(first)
            .bind(last)
            .fetch_all(&mut **self)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(DecisionRecord {
                    approval_id: r.try_get(0)?,
                    approver: r.try_get(1)?,
                    decision: crate::words::word(
                        "approval_decisions",
                        "decision",
                        &r.try_get::<String, _>(2)?,
                    )?,
                    reason: r.try_get(3)?,
                    at: r.try_get(4)?,
                })
            })
            .collect()
    }

    pub async fn documents_of(&mut self, partner_id: &str) -> Result<Vec<DocumentRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {DOC_COLS} FROM partner_documents WHERE partner_id = $1 ORDER BY uploaded_at, document_id"
        ))
        .bind(partner_id)
        .fetch_all(&mut **self)
        .await?;
        rows.iter().map(doc_row).collect()
    }

    pub async fn document(&mut self, document_id: &str) -> Result<Option<DocumentRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {DOC_COLS} FROM partner_documents WHERE document_id = $1"
        ))
        .bind(document_id)
        .fetch_optional(&mut **self)
        .await?;
        row.as_ref().map(doc_row).transpose()
    }

    pub async fn traffic_sources_of(
        &mut self,
        partner_id: &str,
    ) -> Result<Vec<TrafficSourceRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {SOURCE_COLS} FROM traffic_sources WHERE partner_id = $1 ORDER BY declared_at, source_id"
        ))
        .bind(partner_id)
        .fetch_all(&mut **self)
        .await?;
        rows.iter().map(source_row).collect()
    }

    pub async fn traffic_source(&mut self, source_id: &str) -> Result<Option<TrafficSourceRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {SOURCE_COLS} FROM traffic_sources WHERE source_id = $1"
        ))
        .bind(source_id)
        .fetch_optional(&mut **self)
        .await?;
        row.as_ref().map(source_row).transpose()
    }

    pub async fn allowed_countries(&mut self, partner_id: &str) -> Result<Vec<CountryCode>> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT country FROM partner_allowed_countries WHERE partner_id = $1 ORDER BY country",
        )
        .bind(partner_id)
        .fetch_all(&mut **self)
        .await?;
        rows.iter()
            .map(|c| {
                crate::words::checked(
                    "partner_allowed_countries",
                    "country",
                    c,
                    CountryCode::parse,
                )
            })
            .collect()
    }

    /// Per partner, brand and country: customers from blocked countries and
    /// from countries outside the partner's allowed list.
    pub async fn geo_report(&mut self) -> Result<Vec<GeoReportRow>> {
        let rows = sqlx::query(
            "SELECT tc.partner_id, p.name, c.brand_id, c.country, \
               SUM(CASE WHEN g.country IS NULL THEN 0 ELSE 1 END) AS blocked, \
               SUM(CASE WHEN EXISTS (SELECT 1 FROM partner_allowed_countries pa WHERE pa.partner_id = tc.partner_id) \
                         AND NOT EXISTS (SELECT 1 FROM partner_allowed_countries pa WHERE pa.partner_id = tc.partner_id AND pa.country = c.country) \
                   THEN 1 ELSE 0 END) AS unexpected \
             FROM customers c \
             JOIN tracking_codes tc ON tc.brand_id = c.brand_id AND tc.code = c.tracking_code \
             JOIN partners p ON p.partner_id = tc.partner_id \
             LEFT JOIN brand_geo_blocks g ON g.brand_id = c.brand_id AND g.country = c.country \
             GROUP BY tc.partner_id, p.name, c.brand_id, c.country",
        )
        .fetch_all(&mut **self)
        .await?;
        let mut out = Vec::new();
        for r in rows {
            let blocked: i64 = r.try_get(4)?;
            let unexpected: i64 = r.try_get(5)?;
            if blocked > 0 || unexpected > 0 {
                out.push(GeoReportRow {
                    partner_id: r.try_get(0)?,
                    partner_name: r.try_get(1)?,
                    brand_id: r.try_get(2)?,
                    country: crate::words::blank_or_country(&r, "customers", "country")?,
                    blocked,
                    unexpected,
                });
            }
        }
        out.sort_by(|a, b| {
            (b.blocked + b.unexpected)
                .cmp(&(a.blocked + a.unexpected))
                .then_with(|| a.partner_id.cmp(&b.partner_id))
                .then_with(|| a.brand_id.cmp(&b.brand_id))
                .then_with(|| a.country.cmp(&b.country))
        });
        Ok(out)
    }
}

/// Counts a failed sign-in: `failed_attempts + 1` in one statement, so
/// attempts at the same moment all count. The new count.
pub async fn count_sign_in_failure(tx: &mut Tx<'_>, user_id: &str) -> Result<i64> {
    let n: Option<i64> = sqlx::query_scalar(
        "UPDATE users SET failed_attempts = failed_attempts + 1 WHERE user_id = $1 RETURNING failed_attempts",
    )
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await?;
    n.ok_or_else(|| StoreError::NotFound {
        what: "user",
        id: user_id.to_string(),
    })
}

/// Makes the user wait until `until` (fixed-width UTC), or longer when a
/// later time is already set.
pub async fn lock_user_until(tx: &mut Tx<'_>, user_id: &str, until: &str) -> Result<()> {
    sqlx::query(
        "UPDATE users SET locked_until = CASE WHEN locked_until IS NULL OR locked_until < $2 \
         THEN $2 ELSE locked_until END WHERE user_id = $1",
    )
    .bind(user_id)
    .bind(until)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// After a right password: forgets the failed attempts, unless the account
/// must wait at `now` (a failure at the same moment locked it): false then,
/// and nothing changes.
pub async fn clear_sign_in_failures(tx: &mut Tx<'_>, user_id: &str, now: &str) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE users SET failed_attempts = 0, locked_until = NULL \
         WHERE user_id = $1 AND (locked_until IS NULL OR locked_until <= $2)",
    )
    .bind(user_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() > 0)
}

pub async fn insert_user(tx: &mut Tx<'_>, u: &UserRecord) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO users ({USER_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10)"
    ))
    .bind(&u.user_id)
    .bind(&u.display_name)
    .bind(&u.password_hash)
    .bind(roles_text(&u.roles))
    .bind(u.disabled as i64)
    .bind(u.failed_attempts)
    .bind(&u.locked_until)
    .bind(&u.created_at)
    .bind(&u.updated_at)
    .bind(&u.updated_by)
    .execute(&mut **tx)
    .await
    .map_err(|e| StoreError::translate(e, "user_id", "a user with this name"))?;
    Ok(())
}

/// Writes `u` over the stored user if it is still at `u.row_version` (the
/// version the change was made from), moving the version on by one in SQL;
/// else [`StoreError::Stale`] (see `partners::update_partner`).
pub async fn update_user(tx: &mut Tx<'_>, u: &UserRecord) -> Result<()> {
    let done = sqlx::query("UPDATE users SET display_name = $1, password_hash = $2, roles = $3, disabled = $4, updated_at = $5, \
         updated_by = $6, row_version = row_version + 1 WHERE user_id = $7 AND row_version = $8")
        .bind(&u.display_name)
        .bind(&u.password_hash)
        .bind(roles_text(&u.roles))
        .bind(u.disabled as i64)
        .bind(&u.updated_at)
        .bind(&u.updated_by)
        .bind(&u.user_id)
        .bind(u.row_version)
        .execute(&mut **tx)
        .await?;
    if done.rows_affected() != 1 {
        return Err(match tx.user(&u.user_id).await? {
            Some(now) => StoreError::Stale {
                what: "user",
                id: u.user_id.clone(),
                by: now.updated_by,
                at: now.updated_at,
            },
            None => StoreError::NotFound {
                what: "user",
                id: u.user_id.clone(),
            },
        });
    }
    Ok(())
}

/// Stores a new approval request and returns its id; None, storing
/// nothing, when a request of the same kind for the same object already
/// waits (a unique index keeps one pending request per kind and object,
/// also against a request queued at the same moment).
pub async fn insert_approval(tx: &mut Tx<'_>, a: &ApprovalRecord) -> Result<Option<i64>> {
    let id: Option<i64> = sqlx::query_scalar("INSERT INTO approvals (kind, object_type, object_id, summary, payload, amount, currency, required_approvals, status, maker, created_at, object_maker) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $10, $11) \
         ON CONFLICT (kind, object_id) WHERE status = 'pending' DO NOTHING RETURNING approval_id")
        .bind(a.kind.as_str())
        .bind(&a.object_type)
        .bind(&a.object_id)
        .bind(&a.summary)
        .bind(&a.payload)
        .bind(&a.amount)
        .bind(a.currency.map(|c| c.to_string()))
        .bind(a.required_approvals)
        .bind(&a.maker)
        .bind(&a.created_at)
        .bind(&a.object_maker)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(id)
}

pub async fn insert_decision(tx: &mut Tx<'_>, d: &DecisionRecord) -> Result<()> {
    sqlx::query("INSERT INTO approval_decisions (approval_id, approver, decision, reason, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(d.approval_id)
        .bind(&d.approver)
        .bind(d.decision.as_str())
        .bind(&d.reason)
        .bind(&d.at)
        .execute(&mut **tx)
        .await
        .map_err(|e| StoreError::translate(e, "approval", "a decision by this user on this request"))?;
    Ok(())
}

/// Moves a pending approval to its final state; refuses one already decided
/// (also when two people decide at the same moment).
pub async fn finish_approval(
    tx: &mut Tx<'_>,
    id: i64,
    status: ApprovalStatus,
    at: &str,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE approvals SET status = $1, decided_at = $2 WHERE approval_id = $3 AND status = 'pending'",
    )
    .bind(status.as_str())
    .bind(at)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict {
            field: "approval".into(),
            message: format!("request #{id} has already been decided"),
        });
    }
    Ok(())
}

pub async fn insert_document(tx: &mut Tx<'_>, d: &DocumentRecord) -> Result<()> {
    sqlx::query(&format!("INSERT INTO partner_documents ({DOC_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"))
        .bind(&d.document_id)
        .bind(&d.partner_id)
        .bind(d.doc_type.as_str())
        .bind(&d.file_name)
        .bind(&d.sha256)
        .bind(&d.media_type)
        .bind(d.size_bytes)
        .bind(d.status.as_str())
        .bind(&d.uploaded_by)
        .bind(&d.uploaded_at)
        .bind(&d.reviewed_by)
        .bind(&d.reviewed_at)
        .bind(&d.review_note)
        .execute(&mut **tx)
        .await
        .map_err(|e| StoreError::translate(e, "document", "this document"))?;
    Ok(())
}

pub async fn review_document(
    tx: &mut Tx<'_>,
    document_id: &str,
    status: DocumentStatus,
    by: &str,
    at: &str,
    note: &str,
) -> Result<()> {
    let done = sqlx::query("UPDATE partner_documents SET status = $1, reviewed_by = $2, reviewed_at = $3, review_note = $4 WHERE document_id = $5 AND status = 'submitted'")
        .bind(status.as_str())
        .bind(by)
        .bind(at)
        .bind(note)
        .bind(document_id)
        .execute(&mut **tx)
        .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict {
            field: "document".into(),
            message: format!("document {document_id} has already been reviewed"),
        });
    }
    Ok(())
}

pub async fn insert_traffic_source(tx: &mut Tx<'_>, s: &TrafficSourceRecord) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO traffic_sources ({SOURCE_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    ))
    .bind(&s.source_id)
    .bind(&s.partner_id)
    .bind(s.kind.as_str())
    .bind(&s.value)
    .bind(s.status.as_str())
    .bind(&s.declared_by)
    .bind(&s.declared_at)
    .bind(&s.decided_by)
    .bind(&s.decided_at)
    .execute(&mut **tx)
    .await
    .map_err(|e| StoreError::translate(e, "value", "this traffic source"))?;
    Ok(())
}

pub async fn decide_traffic_source(
    tx: &mut Tx<'_>,
    source_id: &str,
    status: TrafficSourceStatus,
    by: &str,
    at: &str,
) -> Result<()> {
    let done = sqlx::query("UPDATE traffic_sources SET status = $1, decided_by = $2, decided_at = $3 WHERE source_id = $4 AND status = 'pending'")
        .bind(status.as_str())
        .bind(by)
        .bind(at)
        .bind(source_id)
        .execute(&mut **tx)
        .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict {
            field: "source".into(),
            message: format!("traffic source {source_id} has already been decided"),
        });
    }
    Ok(())
}

/// Replaces a partner's allowed countries.
pub async fn set_allowed_countries(
    tx: &mut Tx<'_>,
    partner_id: &str,
    countries: &[CountryCode],
) -> Result<()> {
    sqlx::query("DELETE FROM partner_allowed_countries WHERE partner_id = $1")
        .bind(partner_id)
        .execute(&mut **tx)
        .await?;
    for c in countries {
        sqlx::query("INSERT INTO partner_allowed_countries (partner_id, country) VALUES ($1, $2)")
            .bind(partner_id)
            .bind(c.as_str())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Sets a customer's status (`active` / `excluded`).
pub async fn set_customer_status(
    tx: &mut Tx<'_>,
    customer_id: &str,
    status: partnerdesk_domain::data::CustomerStatus,
) -> Result<()> {
    let done = sqlx::query("UPDATE customers SET status = $1 WHERE customer_id = $2")
        .bind(status.as_str())
        .bind(customer_id)
        .execute(&mut **tx)
        .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::NotFound {
            what: "customer",
            id: customer_id.to_string(),
        });
    }
    Ok(())
}
