//! A short cache in front of a secret store, for the tracking server: a
//! postback reads its brand's secret on every event, and the keyring is a
//! D-Bus round trip (a secrets file, a read of the file) each time.
//!
//! A secret read (or found missing) is reused for the cache's time. A
//! change made through this cache (a rotation in this process) takes
//! effect at once; a change made elsewhere (another process, another
//! instance) is seen within the cache's time. Errors are never cached.

use crate::SecretStore;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a secret is reused by default.
pub const DEFAULT_TTL: Duration = Duration::from_secs(5);

pub struct Cached {
    inner: Arc<dyn SecretStore>,
    ttl: Duration,
    entries: Mutex<HashMap<String, (Instant, Option<String>)>>,
}

impl Cached {
    pub fn new(inner: Arc<dyn SecretStore>, ttl: Duration) -> Self {
        Self {
            inner,
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn remember(&self, key: &str, value: Option<String>) {
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        // Keys are a handful (one per brand); a bound keeps a flood of
        // unknown brands from growing it.
        if map.len() >= 10_000 {
            map.clear();
        }
        map.insert(key.to_string(), (Instant::now(), value));
    }
}

impl SecretStore for Cached {
    fn get(&self, key: &str) -> Result<Option<String>, String> {
        {
            let map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((at, v)) = map.get(key) {
                if at.elapsed() < self.ttl {
                    return Ok(v.clone());
                }
            }
        }
        let v = self.inner.get(key)?;
        self.remember(key, v.clone());
        Ok(v)
    }

    fn set(&self, key: &str, secret: &str) -> Result<(), String> {
        self.inner.set(key, secret)?;
        self.remember(key, Some(secret.to_string()));
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), String> {
        self.inner.delete(key)?;
        self.remember(key, None);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemoryStore;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Counts reads of the store behind the cache.
    struct Counting(MemoryStore, AtomicUsize);
    impl SecretStore for Counting {
        fn get(&self, key: &str) -> Result<Option<String>, String> {
            self.1.fetch_add(1, Ordering::SeqCst);
            self.0.get(key)
        }
        fn set(&self, key: &str, secret: &str) -> Result<(), String> {
            self.0.set(key, secret)
        }
        fn delete(&self, key: &str) -> Result<(), String> {
            self.0.delete(key)
        }
    }

    #[test]
    fn reused_for_its_time_changed_at_once_through_it() {
        let inner = Arc::new(Counting(MemoryStore::new(), AtomicUsize::new(0)));
        inner.0.set("k", "old").unwrap();
        let c = Cached::new(inner.clone(), Duration::from_millis(200));
        for _ in 0..100 {
            assert_eq!(c.get("k").unwrap().as_deref(), Some("old"));
        }
        assert_eq!(inner.1.load(Ordering::SeqCst), 1, "one read for 100 gets");
        // A rotation in this process: seen at once.
        c.set("k", "new").unwrap();
        assert_eq!(c.get("k").unwrap().as_deref(), Some("new"));
        // A rotation elsewhere: seen once the entry is older than the ttl.
        inner.0.set("k", "elsewhere").unwrap();
        assert_eq!(c.get("k").unwrap().as_deref(), Some("new"));
        std::thread::sleep(Duration::from_millis(250));
        assert_eq!(c.get("k").unwrap().as_deref(), Some("elsewhere"));
        c.delete("k").unwrap();
        assert_eq!(c.get("k").unwrap(), None);
    }
}
