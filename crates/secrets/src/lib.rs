//! Secrets in the OS keyring (Keychain, Credential Manager, Secret Service or
//! the kernel keyring), behind a trait so logic can be tested headless.
//!
//! A secret is never written to the database, a config file or a log: callers
//! keep only the key (for example `connection:7:password`) and read the
//! secret through [`SecretStore`] when they need it.
//!
//! A headless server has no keyring: there the operator gives a secrets
//! file of its own ([`SecretsFile`], mode 0600, docs/decisions.md §22), the
//! one file secrets may live in. [`Cached`] keeps a read secret for a few
//! seconds where every request needs one (the server's postbacks in).

mod cached;
mod file;

pub use cached::{Cached, DEFAULT_TTL};
pub use file::SecretsFile;

use std::collections::HashMap;
use std::sync::Mutex;

/// Where secrets live: the OS keyring, or on a server the operator's
/// private secrets file. Never the database, a log or an error message.
pub trait SecretStore: Send + Sync {
    fn get(&self, key: &str) -> Result<Option<String>, String>;
    fn set(&self, key: &str, secret: &str) -> Result<(), String>;
    fn delete(&self, key: &str) -> Result<(), String>;
}

/// The keyring service name every Partnerdesk secret is filed under.
pub const SERVICE: &str = "com.partnerdesk.desktop";

/// The operating system's keyring.
pub struct OsKeyring;

impl SecretStore for OsKeyring {
    fn get(&self, key: &str) -> Result<Option<String>, String> {
        let entry = keyring::Entry::new(SERVICE, key).map_err(|e| e.to_string())?;
        match entry.get_password() {
            Ok(p) => Ok(Some(p)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(format!("the OS keyring could not be read: {e}")),
        }
    }

    fn set(&self, key: &str, secret: &str) -> Result<(), String> {
        let entry = keyring::Entry::new(SERVICE, key).map_err(|e| e.to_string())?;
        entry
            .set_password(secret)
            .map_err(|e| format!("the OS keyring refused to store the password: {e}"))
    }

    fn delete(&self, key: &str) -> Result<(), String> {
        let entry = keyring::Entry::new(SERVICE, key).map_err(|e| e.to_string())?;
        match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// An in-memory store for headless tests and tools. Forgets everything when
/// dropped; never used by the desktop app or the CLI for real secrets.
#[derive(Default)]
pub struct MemoryStore(Mutex<HashMap<String, String>>);

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }
}

impl SecretStore for MemoryStore {
    fn get(&self, key: &str) -> Result<Option<String>, String> {
        Ok(self.0.lock().map_err(|e| e.to_string())?.get(key).cloned())
    }
    fn set(&self, key: &str, secret: &str) -> Result<(), String> {
        self.0
            .lock()
            .map_err(|e| e.to_string())?
            .insert(key.into(), secret.into());
        Ok(())
    }
    fn delete(&self, key: &str) -> Result<(), String> {
        self.0.lock().map_err(|e| e.to_string())?.remove(key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{MemoryStore, OsKeyring, SecretStore};

    #[test]
    fn memory_store_round_trip() {
        let store = MemoryStore::new();
        assert_eq!(store.get("k").unwrap(), None);
        store.set("k", "v").unwrap();
        assert_eq!(store.get("k").unwrap().as_deref(), Some("v"));
        store.delete("k").unwrap();
        assert_eq!(store.get("k").unwrap(), None);
    }

    /// The real OS keyring, round trip: set, read back through a new entry
    /// (the mock would forget it), delete. Needs a keyring service, so it runs
    /// when `PARTNERDESK_KEYRING_TEST=1`: `cargo xtask test` runs it under
    /// `dbus-run-session` with gnome-keyring's Secret Service unlocked.
    #[test]
    fn os_keyring_round_trip() {
        if std::env::var("PARTNERDESK_KEYRING_TEST").as_deref() != Ok("1") {
            eprintln!("os_keyring_round_trip: skipped (set PARTNERDESK_KEYRING_TEST=1 with a keyring service running)");
            return;
        }
        let key = format!("test:{}", std::process::id());
        let store = OsKeyring;
        assert_eq!(store.get(&key).unwrap(), None);
        store.set(&key, "s3cret-über").unwrap();
        assert_eq!(OsKeyring.get(&key).unwrap().as_deref(), Some("s3cret-über"));
        store.delete(&key).unwrap();
        assert_eq!(OsKeyring.get(&key).unwrap(), None);
        store.delete(&key).unwrap();
        if let Some(log) = std::env::var_os("PARTNERDESK_KEYRING_TEST_LOG") {
            let _ = std::fs::write(log, "os_keyring_round_trip: ran\n");
        }
    }

    /// keyring 3 silently falls back to an in-memory mock when no native store
    /// is compiled in; the real build must never do that.
    #[test]
    fn the_build_uses_a_native_keyring_not_the_mock() {
        let builder = keyring::default::default_credential_builder();
        assert!(
            !matches!(
                builder.persistence(),
                keyring::credential::CredentialPersistence::EntryOnly
            ),
            "the default keyring store is the in-memory mock: enable the native store features"
        );
    }
}
