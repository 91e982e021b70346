//! A short, time-bounded cache of resolved links and of the fallback URL.
//!
//! Safe with several instances: nothing is written here that another
//! instance needs, and every entry is read again from the database after
//! [`Config::link_ttl`](crate::Config::link_ttl) (5 s by default), so an
//! edited, added or deleted link takes effect everywhere within that time.
//! Unknown paths are cached too (a flood of made-up paths costs one query
//! per path and TTL); the map is emptied when it grows past
//! [`MAX_ENTRIES`], so its memory stays bounded. While the database cannot
//! be read, an expired entry is used as it was rather than failing a
//! visitor.

use partnerdesk_store::tracking::ResolvedLink;
use partnerdesk_store::Store;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The most paths kept at once.
pub const MAX_ENTRIES: usize = 100_000;

type Entry = (Instant, Option<ResolvedLink>);

pub struct LinkCache {
    ttl: Duration,
    links: Mutex<HashMap<String, Entry>>,
    fallback: Mutex<Option<(Instant, Option<String>)>>,
}

impl LinkCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            links: Mutex::new(HashMap::new()),
            fallback: Mutex::new(None),
        }
    }

    /// The link at `path`, from the cache while fresh, else the database.
    pub async fn link(&self, store: &Store, path: &str) -> Option<ResolvedLink> {
        let stale = {
            let map = self.links.lock().unwrap_or_else(|p| p.into_inner());
            match map.get(path) {
                Some((at, v)) if at.elapsed() < self.ttl => return v.clone(),
                Some((_, v)) => Some(v.clone()),
                None => None,
            }
        };
        match partnerdesk_app::tracking::clicks::resolve(store, path).await {
            Ok(v) => {
                let mut map = self.links.lock().unwrap_or_else(|p| p.into_inner());
                if map.len() >= MAX_ENTRIES {
                    map.clear();
                }
                map.insert(path.to_string(), (Instant::now(), v.clone()));
                v
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot read a link from the database; using what was cached, else the fallback");
                stale.flatten()
            }
        }
    }

    /// The database's fallback URL (cached like a link), else `default`.
    pub async fn fallback(&self, store: &Store, default: Option<&str>) -> Option<String> {
        let stale = {
            let f = self.fallback.lock().unwrap_or_else(|p| p.into_inner());
            match &*f {
                Some((at, v)) if at.elapsed() < self.ttl => {
                    return v.clone().or_else(|| default.map(str::to_string))
                }
                Some((_, v)) => v.clone(),
                None => None,
            }
        };
        let v = match partnerdesk_app::tracking::clicks::fallback_url(store).await {
            Ok(v) => {
                *self.fallback.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some((Instant::now(), v.clone()));
                v
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the fallback URL from the database; using the last one known");
                stale
            }
        };
        v.or_else(|| default.map(str::to_string))
    }
}
