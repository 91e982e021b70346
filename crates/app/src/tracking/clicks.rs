//! The tracking server's side of links: resolving a path, and writing
//! clicks in batches. A visitor is anonymous, so nothing here checks a
//! role or writes the audit log; clicks are data, like an import's rows.
//!
//! The visitor hash is SHA-256 over the UTC day's salt, the IP address and
//! the user agent; the salt lives in the database (`click_salts`), made by
//! whichever instance needs it first, so every instance hashes alike, and
//! salts of days before yesterday are deleted, after which a hash can no
//! longer be tied to an address by trying them. The raw IP address exists
//! only in memory, between the request and the batch's write.
//!
//! A click is unique when it is the first human click of its visitor on
//! its link in its UTC day: decided at insert, by a row in
//! `click_visitors` whose primary key is (link, day, visitor). Whichever
//! batch inserts that row first, in whichever instance, marks its click
//! unique; every later one finds the row and does not (docs/decisions.md §19).

use crate::Result;
use chrono::{DateTime, Utc};
use partnerdesk_domain::tracking::ClickKind;
use partnerdesk_store::tracking::{self as store, ClickRecord, ResolvedLink};
use partnerdesk_store::{Store, StoreError};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

/// One redirect's click, as the server saw it, waiting to be written.
#[derive(Debug, Clone)]
pub struct Visit {
    pub click_id: String,
    pub at: DateTime<Utc>,
    pub path: String,
    pub brand_id: String,
    pub code: String,
    pub subs: [Option<String>; 5],
    pub campaign: Option<String>,
    pub referrer_host: Option<String>,
    pub country: Option<String>,
    /// Only in memory: hashed when written, never stored.
    pub ip: IpAddr,
    pub user_agent: String,
    pub kind: ClickKind,
}

/// A new click id: 128 random bits written as a version-4 UUID.
pub fn new_click_id() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// The link served at `path` (no leading `/`), with its landing template.
#[tracing::instrument(name = "tracking::resolve", skip_all)]
pub async fn resolve(store: &Store, path: &str) -> Result<Option<ResolvedLink>> {
    let mut tx = store.read().await?;
    Ok(tx.resolve_link(path).await?)
}

/// The operator's fallback URL, when set.
#[tracing::instrument(name = "tracking::fallback", skip_all)]
pub async fn fallback_url(store: &Store) -> Result<Option<String>> {
    let mut tx = store.read().await?;
    Ok(tx
        .meta_get("tracking.fallback_url")
        .await?
        .filter(|s| !s.is_empty()))
}

/// Whether the database answers (the server's readiness).
pub async fn ping(store: &Store) -> Result<()> {
    let mut tx = store.read().await?;
    tx.meta_get("schema").await?;
    Ok(())
}

/// The visitor hash: hex SHA-256 of salt, IP address and user agent
/// (separated by a newline, which none of them holds).
pub fn visitor_hash(salt: &str, ip: &IpAddr, user_agent: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(b"\n");
    h.update(ip.to_string().as_bytes());
    h.update(b"\n");
    h.update(user_agent.as_bytes());
    hex::encode(h.finalize())
}

/// Writes clicks, keeping the days' salts it has read.
pub struct ClickWriter {
    store: Store,
    salts: HashMap<String, String>,
}

impl ClickWriter {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            salts: HashMap::new(),
        }
    }

    /// The salt of a UTC day, made (by this instance or another) when the
    /// day's first click is written.
    async fn salt(&mut self, day: &str) -> Result<String> {
        if let Some(s) = self.salts.get(day) {
            return Ok(s.clone());
        }
        let keep_from = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.pred_opt())
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| day.to_string());
        let fresh = hex::encode(rand::random::<[u8; 32]>());
        let mut tx = self.store.begin().await?;
        let salt = store::claim_click_salt(&mut tx, day, &fresh, &keep_from).await?;
        tx.commit().await.map_err(StoreError::from)?;
        // Only today's and yesterday's salts are ever needed again.
        self.salts.retain(|d, _| d.as_str() >= keep_from.as_str());
        self.salts.insert(day.to_string(), salt.clone());
        Ok(salt)
    }

    /// Writes a batch of clicks in one transaction; returns how many rows
    /// were new (a batch retried after a commit in doubt is not doubled).
    /// On an error nothing was written, and the caller may retry the batch.
    #[tracing::instrument(name = "tracking::write_clicks", skip_all, fields(clicks = visits.len()))]
    pub async fn write(&mut self, visits: &[Visit]) -> Result<u64> {
        if visits.is_empty() {
            return Ok(0);
        }
        let mut rows = Vec::with_capacity(visits.len());
        for v in visits {
            let day = v.at.date_naive().format("%Y-%m-%d").to_string();
            let salt = self.salt(&day).await?;
            rows.push(ClickRecord {
                click_id: v.click_id.clone(),
                at: partnerdesk_domain::data::time_to_text(&v.at),
                visitor: visitor_hash(&salt, &v.ip, &v.user_agent),
                day,
                link_path: v.path.clone(),
                brand_id: v.brand_id.clone(),
                code: v.code.clone(),
                subs: v.subs.clone(),
                campaign: v.campaign.clone(),
                referrer_host: v.referrer_host.clone(),
                country: v.country.clone(),
                kind: v.kind.as_str(),
                is_unique: false,
            });
        }
        let keys: Vec<(String, String, String)> = rows
            .iter()
            .filter(|r| r.kind == ClickKind::Human.as_str())
            .map(|r| (r.link_path.clone(), r.day.clone(), r.visitor.clone()))
            .collect();
        let mut tx = self.store.begin().await?;
        let mut first: HashSet<(String, String, String)> =
            store::claim_first_visits(&mut tx, &keys)
                .await?
                .into_iter()
                .collect();
        // The earliest click of a newly seen visitor in this batch is the unique one.
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by(|a, b| rows[*a].at.cmp(&rows[*b].at));
        for i in order {
            let r = &mut rows[i];
            if r.kind == ClickKind::Human.as_str() {
                let key = (r.link_path.clone(), r.day.clone(), r.visitor.clone());
                r.is_unique = first.remove(&key);
            }
        }
        let n = store::insert_clicks(&mut tx, rows).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(n)
    }
}
