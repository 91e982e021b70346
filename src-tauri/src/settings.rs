//! The desktop app's saved settings: which database, and after how long
//! without use a signed-in session ends. The URL is saved without its
//! password, which is kept in the OS keyring (see the `partnerdesk-secrets` crate).

use partnerdesk_app::database;
use partnerdesk_app::wire::ApiError;
use partnerdesk_secrets::SecretStore;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Settings {
    /// None: the embedded default. Never holds a password.
    pub database_url: Option<String>,
    /// Minutes without a call from the window after which a signed-in user
    /// is signed out (None: [`crate::idle::DEFAULT_MINUTES`]; 0: never).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_sign_out_minutes: Option<u32>,
}

/// `settings.json` in the OS configuration folder named after the app
/// identifier (`~/.config/com.partnerdesk.desktop` on Linux);
/// `PARTNERDESK_CONFIG_DIR` moves it (tests, development).
pub fn default_path() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("PARTNERDESK_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d).join("settings.json"));
    }
    dirs::config_dir().map(|d| d.join(database::APP_IDENTIFIER).join("settings.json"))
}

/// The saved settings; a missing or unreadable file means the defaults.
pub fn load(path: Option<&Path>) -> Settings {
    let Some(path) = path else {
        return Settings::default();
    };
    let Ok(text) = std::fs::read_to_string(path) else {
        return Settings::default();
    };
    match serde_json::from_str(&text) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(
                "ignoring the unreadable settings file {}: {e}",
                path.display()
            );
            Settings::default()
        }
    }
}

pub fn save(path: Option<&Path>, s: &Settings) -> Result<(), String> {
    let path =
        path.ok_or("this system names no configuration folder; set PARTNERDESK_CONFIG_DIR")?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let text = serde_json::to_string_pretty(s).map_err(|e| e.to_string())?;
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The keyring entry that holds the password of a saved database URL.
pub fn password_key(url_without_password: &str) -> String {
    format!("database:{url_without_password}")
}

/// The database to open at start-up: `PARTNERDESK_DATABASE_URL` (given as
/// `env_url`), else the saved URL with its password from the keyring, else
/// the embedded default.
pub fn startup_url(
    env_url: Option<String>,
    saved: &Settings,
    secrets: &dyn SecretStore,
) -> partnerdesk_app::Result<String> {
    if let Some(url) = env_url.filter(|u| !u.trim().is_empty()) {
        return Ok(url.trim().to_string());
    }
    match &saved.database_url {
        Some(url) => {
            let password = match secrets.get(&password_key(url)) {
                Ok(p) => p,
                Err(e) => {
                    // The message names the store, never the secret.
                    tracing::warn!("{e}; connecting without a password");
                    None
                }
            };
            database::with_password(url, password.as_deref())
        }
        None => database::default_url(),
    }
}

/// After `url` opened: what to save (the URL without its password, or nothing
/// for the embedded default) and the password moved to the keyring. An old
/// password of the same URL is removed when the new URL has none.
pub fn remember(
    url: &str,
    default_url: Option<&str>,
    secrets: &dyn SecretStore,
) -> Result<Settings, ApiError> {
    if Some(url) == default_url {
        return Ok(Settings::default());
    }
    let (saved, password) = database::split_password(url).map_err(ApiError::from)?;
    let key = password_key(&saved);
    match &password {
        Some(p) => secrets.set(&key, p).map_err(|message| ApiError {
            code: "keyring".into(),
            message,
            field: Some("url".into()),
        })?,
        // Nothing to keep: a keyring that cannot even be reached holds nothing to forget.
        None => {
            let _ = secrets.delete(&key);
        }
    }
    Ok(Settings {
        database_url: Some(saved),
        ..Settings::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use partnerdesk_secrets::MemoryStore;

    const PG: &str = "postgres://anna:s3cret@db.example:5432/pd";

    #[test]
    fn a_postgres_password_goes_to_the_keyring_not_the_settings_file() {
        let keyring = MemoryStore::default();
        let s = remember(PG, Some("sqlite:/x/partnerdesk.db"), &keyring).unwrap();
        let saved = s.database_url.clone().unwrap();
        assert!(!saved.contains("s3cret"), "{saved}");
        assert_eq!(
            keyring.get(&password_key(&saved)).unwrap().as_deref(),
            Some("s3cret")
        );

        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("settings.json");
        save(Some(&file), &s).unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(!text.contains("s3cret"), "{text}");
        assert_eq!(load(Some(&file)), s);

        // Next start: the saved URL with the password back from the keyring.
        let url = startup_url(None, &load(Some(&file)), &keyring).unwrap();
        assert!(
            url.contains("anna:s3cret@db.example"),
            "the password is put back"
        );
    }

    #[test]
    fn the_environment_wins_and_the_default_is_saved_as_nothing() {
        let keyring = MemoryStore::default();
        let saved = Settings {
            database_url: Some("postgres://anna@db.example/pd".into()),
            ..Settings::default()
        };
        assert_eq!(
            startup_url(Some("sqlite:/tmp/e.db".into()), &saved, &keyring).unwrap(),
            "sqlite:/tmp/e.db"
        );
        assert_eq!(
            startup_url(Some("  ".into()), &saved, &keyring).unwrap(),
            "postgres://anna@db.example/pd"
        );
        let s = remember(
            "sqlite:/x/partnerdesk.db",
            Some("sqlite:/x/partnerdesk.db"),
            &keyring,
        )
        .unwrap();
        assert_eq!(s.database_url, None);
    }

    /// A `?password=` (which PostgreSQL clients accept) goes to the keyring
    /// like any other password: never into settings.json.
    #[test]
    fn a_password_in_the_query_goes_to_the_keyring_too() {
        let keyring = MemoryStore::default();
        let s = remember(
            "postgres://anna@db.example:5432/pd?sslmode=require&password=s3cret",
            None,
            &keyring,
        )
        .unwrap();
        let saved = s.database_url.clone().unwrap();
        assert!(
            !saved.contains("s3cret") && saved.contains("sslmode=require"),
            "{saved}"
        );
        assert_eq!(
            keyring.get(&password_key(&saved)).unwrap().as_deref(),
            Some("s3cret")
        );
        let url = startup_url(None, &s, &keyring).unwrap();
        assert!(
            url.contains("anna:s3cret@db.example"),
            "put back for connecting"
        );
    }

    #[test]
    fn a_url_without_password_forgets_the_old_one() {
        let keyring = MemoryStore::default();
        remember(PG, None, &keyring).unwrap();
        let s = remember("postgres://anna@db.example:5432/pd", None, &keyring).unwrap();
        let saved = s.database_url.unwrap();
        assert_eq!(keyring.get(&password_key(&saved)).unwrap(), None);
    }

    #[test]
    fn a_broken_settings_file_means_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("settings.json");
        std::fs::write(&file, "{not json").unwrap();
        assert_eq!(load(Some(&file)), Settings::default());
        assert_eq!(
            load(Some(&dir.path().join("missing.json"))),
            Settings::default()
        );
    }

    #[test]
    fn a_keyring_failure_is_reported_and_nothing_is_saved() {
        struct Broken;
        impl SecretStore for Broken {
            fn get(&self, _: &str) -> Result<Option<String>, String> {
                Err("no keyring".into())
            }
            fn set(&self, _: &str, _: &str) -> Result<(), String> {
                Err("the OS keyring refused to store the password: no Secret Service".into())
            }
            fn delete(&self, _: &str) -> Result<(), String> {
                Err("no keyring".into())
            }
        }
        let err = remember(PG, None, &Broken).unwrap_err();
        assert_eq!(err.code, "keyring");
        assert!(!err.message.contains("s3cret"));
        // Without a password there is nothing to keep: the keyring is not needed.
        assert!(remember("postgres://anna@db.example/pd", None, &Broken).is_ok());
        let saved = Settings {
            database_url: Some("postgres://anna@db.example/pd".into()),
            ..Settings::default()
        };
        assert_eq!(
            startup_url(None, &saved, &Broken).unwrap(),
            "postgres://anna@db.example/pd"
        );
    }
}
