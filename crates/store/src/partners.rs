//! Partners, their tree and tracking codes; server-side search and paging.

use crate::error::{Result, StoreError};
use crate::words::{column, currency, opt_country};
use crate::Tx;
use partnerdesk_domain::partner::{PartnerKind, PartnerStatus, TrackingKind};
use partnerdesk_domain::{CountryCode, CurrencyCode};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerRecord {
    pub partner_id: String,
    pub name: String,
    pub kind: PartnerKind,
    pub parent_id: Option<String>,
    pub email: Option<String>,
    pub country: Option<CountryCode>,
    pub currency: CurrencyCode,
    pub status: PartnerStatus,
    pub tags: Vec<String>,
    pub notes: String,
    pub contact_name: Option<String>,
    pub phone: Option<String>,
    pub archived: bool,
    pub created_at: String,
    pub updated_at: String,
    /// Moved on by one by every update (see [`update_partner`]).
    pub row_version: i64,
    /// Who made the last change (a user id; empty before versions were kept).
    pub updated_by: String,
    /// Direct children (filled by list queries).
    pub children: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackingCodeRecord {
    pub brand_id: String,
    pub code: String,
    pub partner_id: String,
    pub kind: TrackingKind,
}

fn tracking_code_of(r: &sqlx::any::AnyRow) -> Result<TrackingCodeRecord> {
    Ok(TrackingCodeRecord {
        brand_id: r.try_get("brand_id")?,
        code: r.try_get("code")?,
        partner_id: r.try_get("partner_id")?,
        kind: column(r, "tracking_codes", "kind")?,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartnerSort {
    PartnerId,
    Name,
    Kind,
    Status,
    Country,
    CreatedAt,
}

impl PartnerSort {
    fn column(&self) -> &'static str {
        match self {
            PartnerSort::PartnerId => "p.partner_id",
            PartnerSort::Name => "p.name",
            PartnerSort::Kind => "p.kind",
            PartnerSort::Status => "p.status",
            PartnerSort::Country => "p.country",
            PartnerSort::CreatedAt => "p.created_at",
        }
    }
}

#[derive(Debug, Clone)]
pub struct PartnerFilter {
    pub text: Option<String>,
    pub kind: Option<PartnerKind>,
    pub status: Option<PartnerStatus>,
    pub parent_id: Option<String>,
    pub tag: Option<String>,
    pub include_archived: bool,
    pub sort: PartnerSort,
    pub desc: bool,
    pub offset: i64,
    pub limit: i64,
}

const COLUMNS: &str = "p.partner_id, p.name, p.kind, p.parent_id, p.email, p.country, p.currency, p.status, p.tags, p.notes, \
     p.contact_name, p.phone, p.archived, p.created_at, p.updated_at, p.row_version, p.updated_by";

fn tags_to_text(tags: &[String]) -> String {
    if tags.is_empty() {
        String::new()
    } else {
        format!("|{}|", tags.join("|"))
    }
}

/// What free-text search looks in: id, name, e-mail, contact and tags, lower case.
pub fn search_text(p: &PartnerRecord) -> String {
    let mut s = format!(
        "{} {} {} {}",
        p.partner_id,
        p.name,
        p.email.as_deref().unwrap_or(""),
        p.contact_name.as_deref().unwrap_or("")
    );
    for t in &p.tags {
        s.push(' ');
        s.push_str(t);
    }
    s.to_lowercase()
}

fn like_pattern(text: &str) -> String {
    let escaped = text
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

fn from_row(r: &sqlx::any::AnyRow, with_children: bool) -> Result<PartnerRecord> {
    let tags: String = r.try_get("tags")?;
    Ok(PartnerRecord {
        partner_id: r.try_get("partner_id")?,
        name: r.try_get("name")?,
        kind: column(r, "partners", "kind")?,
        parent_id: r.try_get("parent_id")?,
        email: r.try_get("email")?,
        country: opt_country(r, "partners", "country")?,
        currency: currency(r, "partners", "currency")?,
        status: column(r, "partners", "status")?,
        tags: tags
            .split('|')
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect(),
        notes: r.try_get("notes")?,
        contact_name: r.try_get("contact_name")?,
        phone: r.try_get("phone")?,
        archived: r.try_get::<i64, _>("archived")? != 0,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        row_version: r.try_get("row_version")?,
        updated_by: r.try_get("updated_by")?,
        children: if with_children {
            r.try_get("children")?
        } else {
            0
        },
    })
}

impl Tx<'_> {
    pub async fn partner(&mut self, partner_id: &str) -> Result<Option<PartnerRecord>> {
        self.partner_locked(partner_id, "").await
    }

    /// [`Tx::partner`] for changing it: on PostgreSQL the row stays locked
    /// until the transaction ends, so two changes of one partner take turns
    /// and the second starts from the first's result (a write transaction
    /// on SQLite holds the whole database already).
    pub async fn partner_to_change(&mut self, partner_id: &str) -> Result<Option<PartnerRecord>> {
        let lock = match self.backend() {
            crate::Backend::Postgres => " FOR UPDATE OF p",
            crate::Backend::Sqlite => "",
        };
        self.partner_locked(partner_id, lock).await
    }

    async fn partner_locked(
        &mut self,
        partner_id: &str,
        lock: &str,
    ) -> Result<Option<PartnerRecord>> {
        let sql = format!("SELECT {COLUMNS}, (SELECT COUNT(*) FROM partners c WHERE c.parent_id = p.partner_id) AS children FROM partners p WHERE p.partner_id = $1{lock}");
        let row = sqlx::query(&sql)
            .bind(partner_id)
            .fetch_optional(&mut **self)
            .await?;
        row.map(|r| from_row(&r, true)).transpose()
    }

    pub async fn partner_count(&mut self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM partners")
            .fetch_one(&mut **self)
            .await?;
        Ok(n)
    }

    /// One page of partners matching `f`, and how many match in all.
    pub async fn search_partners(
        &mut self,
        f: &PartnerFilter,
    ) -> Result<(i64, Vec<PartnerRecord>)> {
        let mut wheres: Vec<String> = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        let mut add = |cond: &str, v: String, binds: &mut Vec<String>| {
            binds.push(v);
            wheres.push(cond.replace("$?", &format!("${}", binds.len())));
        };
        if let Some(t) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            add(
                "p.search_text LIKE $? ESCAPE '\\'",
                like_pattern(t),
                &mut binds,
            );
        }
        if let Some(k) = &f.kind {
            add("p.kind = $?", k.as_str().to_string(), &mut binds);
        }
        if let Some(s) = &f.status {
            add("p.status = $?", s.as_str().to_string(), &mut binds);
        }
        if let Some(p) = &f.parent_id {
            add("p.parent_id = $?", p.clone(), &mut binds);
        }
        if let Some(t) = &f.tag {
            add(
                "p.tags LIKE $? ESCAPE '\\'",
                like_pattern(&format!("|{t}|")),
                &mut binds,
            );
        }
        if !f.include_archived {
            wheres.push("p.archived = 0".to_string());
        }
        let where_sql = if wheres.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", wheres.join(" AND "))
        };
        let count_sql = format!("SELECT COUNT(*) FROM partners p{where_sql}");
        let mut cq = sqlx::query_as::<_, (i64,)>(&count_sql);
        for b in &binds {
            cq = cq.bind(b);
        }
        let (total,) = cq.fetch_one(&mut **self).await?;
        let dir = if f.desc { "DESC" } else { "ASC" };
        let sql = format!(
            "SELECT {COLUMNS}, (SELECT COUNT(*) FROM partners c WHERE c.parent_id = p.partner_id) AS children \
             FROM partners p{where_sql} ORDER BY {} {dir}, p.partner_id {dir} LIMIT {} OFFSET {}",
            f.sort.column(),
            f.limit.clamp(1, 1000),
            f.offset.max(0)
        );
        let mut q = sqlx::query(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        let rows = q.fetch_all(&mut **self).await?;
        let rows = rows
            .iter()
            .map(|r| from_row(r, true))
            .collect::<Result<Vec<_>>>()?;
        Ok((total, rows))
    }

    /// The partner's ancestors, root first (not the partner itself).
    pub async fn ancestors(&mut self, partner_id: &str) -> Result<Vec<PartnerRecord>> {
        let sql = format!(
            "WITH RECURSIVE up(partner_id, depth) AS ( \
               SELECT parent_id, 1 FROM partners WHERE partner_id = $1 AND parent_id IS NOT NULL \
               UNION ALL SELECT p.parent_id, up.depth + 1 FROM partners p JOIN up ON p.partner_id = up.partner_id \
               WHERE p.parent_id IS NOT NULL AND up.depth < 1000) \
             SELECT {COLUMNS}, 0 AS children, up.depth FROM up JOIN partners p ON p.partner_id = up.partner_id ORDER BY up.depth DESC"
        );
        let rows = sqlx::query(&sql)
            .bind(partner_id)
            .fetch_all(&mut **self)
            .await?;
        rows.iter().map(|r| from_row(r, false)).collect()
    }

    /// The partner and its descendants down to `max_depth` levels, each with
    /// its depth (0 = the partner), in tree order.
    pub async fn subtree(
        &mut self,
        partner_id: &str,
        max_depth: i64,
    ) -> Result<Vec<(i64, PartnerRecord)>> {
        let sql = format!(
            "WITH RECURSIVE down(partner_id, depth) AS ( \
               SELECT partner_id, 0 FROM partners WHERE partner_id = $1 \
               UNION ALL SELECT p.partner_id, down.depth + 1 FROM partners p JOIN down ON p.parent_id = down.partner_id \
               WHERE down.depth < $2) \
             SELECT {COLUMNS}, (SELECT COUNT(*) FROM partners c WHERE c.parent_id = p.partner_id) AS children, down.depth \
             FROM down JOIN partners p ON p.partner_id = down.partner_id ORDER BY down.depth, p.name, p.partner_id"
        );
        let rows = sqlx::query(&sql)
            .bind(partner_id)
            .bind(max_depth)
            .fetch_all(&mut **self)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get::<i64, _>("depth")?, from_row(r, true)?)))
            .collect()
    }

    /// Every (partner, parent) pair: the whole tree, for cycle checks and
    /// the engine, by partner id (byte order). The aggregate's own order is
    /// the table's physical one, which on PostgreSQL moves with every update
    /// of a partner, and the engine's partner order shows in the order of a
    /// line's explanation sources.
    pub async fn partner_parents(&mut self) -> Result<Vec<(String, Option<String>, String)>> {
        let mut rows: Vec<(String, Option<String>, String)> = crate::json_rows::read_all(
            self,
            "partner_id, parent_id, currency",
            "FROM partners",
            "partners",
        )
        .await?;
        rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Ok(rows)
    }

    pub async fn tracking_codes_of(&mut self, partner_id: &str) -> Result<Vec<TrackingCodeRecord>> {
        let rows = sqlx::query("SELECT brand_id, code, partner_id, kind FROM tracking_codes WHERE partner_id = $1 ORDER BY brand_id, code")
            .bind(partner_id)
            .fetch_all(&mut **self)
            .await?;
        rows.iter().map(tracking_code_of).collect()
    }

    pub async fn tracking_code(
        &mut self,
        brand_id: &str,
        code: &str,
    ) -> Result<Option<TrackingCodeRecord>> {
        let row = sqlx::query("SELECT brand_id, code, partner_id, kind FROM tracking_codes WHERE brand_id = $1 AND code = $2")
            .bind(brand_id)
            .bind(code)
            .fetch_optional(&mut **self)
            .await?;
        row.as_ref().map(tracking_code_of).transpose()
    }

    pub async fn all_tracking_codes(&mut self) -> Result<Vec<TrackingCodeRecord>> {
        let rows: Vec<(String, String, String, String)> = crate::json_rows::read_all(
            self,
            "brand_id, code, partner_id, kind",
            "FROM tracking_codes",
            "tracking codes",
        )
        .await?;
        rows.into_iter()
            .map(|(brand_id, code, partner_id, kind)| {
                Ok(TrackingCodeRecord {
                    kind: crate::words::word("tracking_codes", "kind", &kind)?,
                    brand_id,
                    code,
                    partner_id,
                })
            })
            .collect()
    }
}

/// The partner columns in the order of [`partner_values`] (a new row's
/// `row_version` is the column's default).
pub const PARTNER_COLUMNS: [&str; 17] = [
    "partner_id",
    "name",
    "kind",
    "parent_id",
    "email",
    "country",
    "currency",
    "status",
    "tags",
    "notes",
    "contact_name",
    "phone",
    "archived",
    "search_text",
    "created_at",
    "updated_at",
    "updated_by",
];

pub fn partner_values(p: &PartnerRecord) -> Vec<crate::Val> {
    use crate::Val;
    vec![
        Val::Text(p.partner_id.clone()),
        Val::Text(p.name.clone()),
        Val::Text(p.kind.as_str().into()),
        Val::OptText(p.parent_id.clone()),
        Val::OptText(p.email.clone()),
        Val::OptText(p.country.map(|c| c.to_string())),
        Val::Text(p.currency.to_string()),
        Val::Text(p.status.as_str().into()),
        Val::Text(tags_to_text(&p.tags)),
        Val::Text(p.notes.clone()),
        Val::OptText(p.contact_name.clone()),
        Val::OptText(p.phone.clone()),
        Val::Int(i64::from(p.archived)),
        Val::Text(search_text(p)),
        Val::Text(p.created_at.clone()),
        Val::Text(p.updated_at.clone()),
        Val::Text(p.updated_by.clone()),
    ]
}

pub async fn insert_partner(tx: &mut Tx<'_>, p: &PartnerRecord) -> Result<()> {
    let mut b = crate::Batch::new("partners", &PARTNER_COLUMNS, "");
    b.push(tx, partner_values(p)).await?;
    b.flush(tx).await.map_err(|e| match e {
        StoreError::Db(e) => {
            StoreError::translate(e, "partner_id", &format!("partner '{}'", p.partner_id))
        }
        other => other,
    })
}

/// Writes `p` over the stored partner if it is still at `p.row_version`
/// (the version the change was made from), moving the version on by one in
/// SQL. A partner changed since is refused with [`StoreError::Stale`], naming
/// who changed it and when; nothing is written.
pub async fn update_partner(tx: &mut Tx<'_>, p: &PartnerRecord) -> Result<()> {
    let r = sqlx::query(
        "UPDATE partners SET name = $2, kind = $3, parent_id = $4, email = $5, country = $6, currency = $7, status = $8, tags = $9, \
         notes = $10, contact_name = $11, phone = $12, archived = $13, search_text = $14, updated_at = $15, updated_by = $16, \
         row_version = row_version + 1 WHERE partner_id = $1 AND row_version = $17",
    )
    .bind(&p.partner_id)
    .bind(&p.name)
    .bind(p.kind.as_str())
    .bind(&p.parent_id)
    .bind(&p.email)
    .bind(p.country.map(|c| c.to_string()))
    .bind(p.currency.to_string())
    .bind(p.status.as_str())
    .bind(tags_to_text(&p.tags))
    .bind(&p.notes)
    .bind(&p.contact_name)
    .bind(&p.phone)
    .bind(i64::from(p.archived))
    .bind(search_text(p))
    .bind(&p.updated_at)
    .bind(&p.updated_by)
    .bind(p.row_version)
    .execute(&mut **tx)
    .await?;
    if r.rows_affected() == 0 {
        return Err(match tx.partner(&p.partner_id).await? {
            Some(now) => StoreError::Stale {
                what: "partner",
                id: p.partner_id.clone(),
                by: now.updated_by,
                at: now.updated_at,
            },
            None => StoreError::NotFound {
                what: "partner",
                id: p.partner_id.clone(),
            },
        });
    }
    Ok(())
}

pub async fn insert_tracking_code(tx: &mut Tx<'_>, t: &TrackingCodeRecord) -> Result<()> {
    sqlx::query(
        "INSERT INTO tracking_codes (brand_id, code, partner_id, kind) VALUES ($1, $2, $3, $4)",
    )
    .bind(&t.brand_id)
    .bind(&t.code)
    .bind(&t.partner_id)
    .bind(t.kind.as_str())
    .execute(&mut **tx)
    .await
    .map_err(|e| {
        StoreError::translate(
            e,
            "code",
            &format!("tracking code '{}' in brand '{}'", t.code, t.brand_id),
        )
    })?;
    Ok(())
}
