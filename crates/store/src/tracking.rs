//! Tracking links, brands' landing templates, the daily visitor salt and
//! clicks (the tracking server's tables).

use crate::batch::{Batch, Val};
use crate::error::{Result, StoreError};
use crate::Tx;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LinkRecord {
    pub path: String,
    pub brand_id: String,
    pub code: String,
    pub landing_url: Option<String>,
}

/// What the server needs to answer a link: the link, and the template it
/// redirects to (its own, else its brand's; none when neither is set).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ResolvedLink {
    pub path: String,
    pub brand_id: String,
    pub code: String,
    pub template: Option<String>,
}

/// One click as stored (see migrations `*_tracking.sql`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClickRecord {
    pub click_id: String,
    pub at: String,
    pub day: String,
    pub link_path: String,
    pub brand_id: String,
    pub code: String,
    pub subs: [Option<String>; 5],
    pub campaign: Option<String>,
    pub referrer_host: Option<String>,
    pub country: Option<String>,
    pub visitor: String,
    pub kind: &'static str,
    pub is_unique: bool,
}

/// Click counts of one link over some days.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ClickCounts {
    pub link_path: String,
    pub brand_id: String,
    pub code: String,
    pub clicks: i64,
    pub unique_clicks: i64,
    pub bots: i64,
    pub prefetches: i64,
}

/// One of a partner's links with the templates it redirects to and its
/// click counts over some days.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PartnerLinkRow {
    pub path: String,
    pub brand_id: String,
    pub code: String,
    pub landing_url: Option<String>,
    pub brand_landing: Option<String>,
    pub clicks: i64,
    pub unique_clicks: i64,
    pub bots: i64,
    pub prefetches: i64,
}

const LINK_COLUMNS: &str = "path, brand_id, code, landing_url";

impl Tx<'_> {
    pub async fn link(&mut self, path: &str) -> Result<Option<LinkRecord>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {LINK_COLUMNS} FROM tracking_links WHERE path = $1"
        ))
        .bind(path)
        .fetch_optional(&mut **self)
        .await?)
    }

    /// The links of a brand (all brands when none), by path.
    pub async fn links(&mut self, brand_id: Option<&str>) -> Result<Vec<LinkRecord>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {LINK_COLUMNS} FROM tracking_links WHERE ($1 IS NULL OR brand_id = $1) ORDER BY path"
        ))
        .bind(brand_id)
        .fetch_all(&mut **self)
        .await?)
    }

    /// The links of a partner's tracking codes, each with its clicks over
    /// the UTC days `from..=to`, in one query.
    pub async fn partner_links(
        &mut self,
        partner_id: &str,
        from: &str,
        to: &str,
    ) -> Result<Vec<PartnerLinkRow>> {
        Ok(sqlx::query_as(
            "SELECT l.path, l.brand_id, l.code, l.landing_url, b.url_template AS brand_landing, \
               CAST(COALESCE(SUM(CASE WHEN c.kind = 'human' THEN 1 ELSE 0 END), 0) AS BIGINT) AS clicks, \
               CAST(COALESCE(SUM(CASE WHEN c.kind = 'human' THEN c.is_unique ELSE 0 END), 0) AS BIGINT) AS unique_clicks, \
               CAST(COALESCE(SUM(CASE WHEN c.kind = 'bot' THEN 1 ELSE 0 END), 0) AS BIGINT) AS bots, \
               CAST(COALESCE(SUM(CASE WHEN c.kind = 'prefetch' THEN 1 ELSE 0 END), 0) AS BIGINT) AS prefetches \
             FROM tracking_links l \
             JOIN tracking_codes t ON t.brand_id = l.brand_id AND t.code = l.code \
             LEFT JOIN brand_landings b ON b.brand_id = l.brand_id \
             LEFT JOIN clicks c ON c.link_path = l.path AND c.day >= $2 AND c.day <= $3 \
             WHERE t.partner_id = $1 \
             GROUP BY l.path, l.brand_id, l.code, l.landing_url, b.url_template ORDER BY l.path",
        )
        .bind(partner_id)
        .bind(from)
        .bind(to)
        .fetch_all(&mut **self)
        .await?)
    }

    /// Links with the partner of their tracking code, in one query.
    pub async fn links_with_partner(
        &mut self,
        brand_id: Option<&str>,
    ) -> Result<Vec<(String, String, String, Option<String>, String)>> {
        Ok(sqlx::query_as(
            "SELECT l.path, l.brand_id, l.code, l.landing_url, COALESCE(t.partner_id, '') AS partner_id \
             FROM tracking_links l LEFT JOIN tracking_codes t ON t.brand_id = l.brand_id AND t.code = l.code \
             WHERE ($1 IS NULL OR l.brand_id = $1) ORDER BY l.path",
        )
        .bind(brand_id)
        .fetch_all(&mut **self)
        .await?)
    }

    /// The link at `path` with the template it redirects to.
    pub async fn resolve_link(&mut self, path: &str) -> Result<Option<ResolvedLink>> {
        Ok(sqlx::query_as(
            "SELECT l.path, l.brand_id, l.code, COALESCE(l.landing_url, b.url_template) AS template \
             FROM tracking_links l LEFT JOIN brand_landings b ON b.brand_id = l.brand_id WHERE l.path = $1",
        )
        .bind(path)
        .fetch_optional(&mut **self)
        .await?)
    }

    /// A brand's landing template.
    pub async fn landing(&mut self, brand_id: &str) -> Result<Option<String>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT url_template FROM brand_landings WHERE brand_id = $1")
                .bind(brand_id)
                .fetch_optional(&mut **self)
                .await?;
        Ok(row.map(|r| r.0))
    }

    /// The salt of a UTC day, when one was made.
    pub async fn click_salt(&mut self, day: &str) -> Result<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as("SELECT salt FROM click_salts WHERE day = $1")
            .bind(day)
            .fetch_optional(&mut **self)
            .await?;
        Ok(row.map(|r| r.0))
    }

    /// Click counts per link for the days `from..=to` (`YYYY-MM-DD`).
    pub async fn click_counts(&mut self, from: &str, to: &str) -> Result<Vec<ClickCounts>> {
        Ok(sqlx::query_as(
            "SELECT link_path, brand_id, code, \
               CAST(SUM(CASE WHEN kind = 'human' THEN 1 ELSE 0 END) AS BIGINT) AS clicks, \
               CAST(SUM(CASE WHEN kind = 'human' THEN is_unique ELSE 0 END) AS BIGINT) AS unique_clicks, \
               CAST(SUM(CASE WHEN kind = 'bot' THEN 1 ELSE 0 END) AS BIGINT) AS bots, \
               CAST(SUM(CASE WHEN kind = 'prefetch' THEN 1 ELSE 0 END) AS BIGINT) AS prefetches \
             FROM clicks WHERE day >= $1 AND day <= $2 \
             GROUP BY link_path, brand_id, code ORDER BY link_path",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&mut **self)
        .await?)
    }

    /// Stored clicks of a link, oldest first (tests and support).
    pub async fn clicks_of(&mut self, link_path: &str) -> Result<Vec<ClickRecord>> {
        use sqlx::Row;
        let rows = sqlx::query(
            "SELECT click_id, at, day, link_path, brand_id, code, sub1, sub2, sub3, sub4, sub5, campaign, \
             referrer_host, country, visitor, kind, is_unique FROM clicks WHERE link_path = $1 ORDER BY at, click_id",
        )
        .bind(link_path)
        .fetch_all(&mut **self)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let kind: String = r.try_get("kind")?;
            out.push(ClickRecord {
                click_id: r.try_get("click_id")?,
                at: r.try_get("at")?,
                day: r.try_get("day")?,
                link_path: r.try_get("link_path")?,
                brand_id: r.try_get("brand_id")?,
                code: r.try_get("code")?,
                subs: [
                    r.try_get("sub1")?,
                    r.try_get("sub2")?,
                    r.try_get("sub3")?,
                    r.try_get("sub4")?,
                    r.try_get("sub5")?,
                ],
                campaign: r.try_get("campaign")?,
                referrer_host: r.try_get("referrer_host")?,
                country: r.try_get("country")?,
                visitor: r.try_get("visitor")?,
                kind: match kind.as_str() {
                    "bot" => "bot",
                    "prefetch" => "prefetch",
                    _ => "human",
                },
                is_unique: r.try_get::<i64, _>("is_unique")? != 0,
            });
        }
        Ok(out)
    }
}

pub async fn insert_link(tx: &mut Tx<'_>, l: &LinkRecord, now: &str) -> Result<()> {
    sqlx::query("INSERT INTO tracking_links (path, brand_id, code, landing_url, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)")
        .bind(&l.path)
        .bind(&l.brand_id)
        .bind(&l.code)
        .bind(&l.landing_url)
        .bind(now)
        .execute(&mut **tx)
        .await
        .map_err(|e| StoreError::translate(e, "path", &format!("link '{}'", l.path)))?;
    Ok(())
}

pub async fn update_link_landing(
    tx: &mut Tx<'_>,
    path: &str,
    landing_url: Option<&str>,
    now: &str,
) -> Result<()> {
    let r =
        sqlx::query("UPDATE tracking_links SET landing_url = $2, updated_at = $3 WHERE path = $1")
            .bind(path)
            .bind(landing_url)
            .bind(now)
            .execute(&mut **tx)
            .await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound {
            what: "link",
            id: path.to_string(),
        });
    }
    Ok(())
}

pub async fn delete_link(tx: &mut Tx<'_>, path: &str) -> Result<()> {
    let r = sqlx::query("DELETE FROM tracking_links WHERE path = $1")
        .bind(path)
        .execute(&mut **tx)
        .await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound {
            what: "link",
            id: path.to_string(),
        });
    }
    Ok(())
}

pub async fn set_landing(tx: &mut Tx<'_>, brand_id: &str, template: &str, now: &str) -> Result<()> {
    sqlx::query("INSERT INTO brand_landings (brand_id, url_template, updated_at) VALUES ($1, $2, $3) ON CONFLICT (brand_id) DO UPDATE SET url_template = excluded.url_template, updated_at = excluded.updated_at")
        .bind(brand_id)
        .bind(template)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Stores `salt` for `day` unless another instance stored one first, drops
/// the salts of days before `keep_from`, and returns the day's salt.
pub async fn claim_click_salt(
    tx: &mut Tx<'_>,
    day: &str,
    salt: &str,
    keep_from: &str,
) -> Result<String> {
    sqlx::query("INSERT INTO click_salts (day, salt) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING")
        .bind(day)
        .bind(salt)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM click_salts WHERE day < $1")
        .bind(keep_from)
        .execute(&mut **tx)
        .await?;
    tx.click_salt(day)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "click salt",
            id: day.to_string(),
        })
}

/// Records first visits (link, day, visitor); returns those that were new,
/// i.e. not stored by an earlier batch or another instance. Keys are
/// written in sorted order so concurrent batches cannot deadlock.
pub async fn claim_first_visits(
    tx: &mut Tx<'_>,
    keys: &[(String, String, String)],
) -> Result<Vec<(String, String, String)>> {
    let mut sorted: Vec<&(String, String, String)> = keys.iter().collect();
    sorted.sort();
    sorted.dedup();
    let mut new = Vec::new();
    for chunk in sorted.chunks(500) {
        let mut sql = String::from("INSERT INTO click_visitors (link_path, day, visitor) VALUES ");
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3));
        }
        sql.push_str(
            " ON CONFLICT (link_path, day, visitor) DO NOTHING RETURNING link_path, day, visitor",
        );
        let mut q = sqlx::query_as::<_, (String, String, String)>(&sql);
        for (p, d, v) in chunk {
            q = q.bind(p).bind(d).bind(v);
        }
        new.extend(q.fetch_all(&mut **tx).await?);
    }
    Ok(new)
}

/// Writes clicks in multi-row statements and adds the new human ones to
/// the reports' counts (`report_clicks`) in the same transaction; a click
/// id already stored (a batch retried after its commit was in doubt) is
/// skipped, and counted no second time. Returns how many rows were new.
pub async fn insert_clicks(tx: &mut Tx<'_>, mut clicks: Vec<ClickRecord>) -> Result<u64> {
    let stored = stored_click_ids(tx, &clicks).await?;
    if !stored.is_empty() {
        clicks.retain(|c| !stored.contains(&c.click_id));
    }
    let mut counts: std::collections::BTreeMap<
        crate::report_clicks::ClickKey,
        crate::report_clicks::ClickCount,
    > = std::collections::BTreeMap::new();
    for c in clicks.iter().filter(|c| c.kind == "human") {
        let e = counts
            .entry((
                c.day.clone(),
                c.brand_id.clone(),
                c.code.clone(),
                c.country.clone().unwrap_or_default(),
            ))
            .or_insert((0, 0));
        e.0 += 1;
        e.1 += i64::from(c.is_unique);
    }
    let mut batch = Batch::new(
        "clicks",
        &[
            "click_id",
            "at",
            "day",
            "link_path",
            "brand_id",
            "code",
            "sub1",
            "sub2",
            "sub3",
            "sub4",
            "sub5",
            "campaign",
            "referrer_host",
            "country",
            "visitor",
            "kind",
            "is_unique",
        ],
        " ON CONFLICT (click_id) DO NOTHING",
    );
    let n = clicks.len() as u64;
    for c in clicks {
        let [s1, s2, s3, s4, s5] = c.subs;
        batch
            .push(
                tx,
                vec![
                    Val::Text(c.click_id),
                    Val::Text(c.at),
                    Val::Text(c.day),
                    Val::Text(c.link_path),
                    Val::Text(c.brand_id),
                    Val::Text(c.code),
                    Val::OptText(s1),
                    Val::OptText(s2),
                    Val::OptText(s3),
                    Val::OptText(s4),
                    Val::OptText(s5),
                    Val::OptText(c.campaign),
                    Val::OptText(c.referrer_host),
                    Val::OptText(c.country),
                    Val::Text(c.visitor),
                    Val::Text(c.kind.to_string()),
                    Val::Int(i64::from(c.is_unique)),
                ],
            )
            .await?;
    }
    batch.flush(tx).await?;
    crate::report_clicks::add_clicks(tx, &counts).await?;
    Ok(n)
}

/// Which of `clicks` are stored already (normally none).
async fn stored_click_ids(
    tx: &mut Tx<'_>,
    clicks: &[ClickRecord],
) -> Result<std::collections::HashSet<String>> {
    let mut found = std::collections::HashSet::new();
    for chunk in clicks.chunks(500) {
        let mut sql = String::from("SELECT click_id FROM clicks WHERE click_id IN (");
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("${}", i + 1));
        }
        sql.push(')');
        let mut q = sqlx::query_as::<_, (String,)>(&sql);
        for c in chunk {
            q = q.bind(&c.click_id);
        }
        found.extend(q.fetch_all(&mut **tx).await?.into_iter().map(|r| r.0));
    }
    Ok(found)
}
