//! The desktop app's saved settings: which database (its URL without the
//! password, which is kept in the OS keyring).

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Settings {
    /// None: the embedded default. Never holds a password.
    pub database_url: Option<String>,
}

fn path() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("PARTNERDESK_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d).join("settings.json"));
    }
    dirs::config_dir().map(|d| d.join(partnerdesk_app::database::APP_IDENTIFIER).join("settings.json"))
}

pub fn load() -> Settings {
    path().and_then(|p| std::fs::read_to_string(p).ok()).and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default()
}

pub fn save(s: &Settings) -> Result<(), String> {
    let p = path().ok_or("this system names no configuration folder")?;
    if let Some(dir) = p.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let text = serde_json::to_string_pretty(s).map_err(|e| e.to_string())?;
    std::fs::write(&p, text).map_err(|e| format!("cannot write {}: {e}", p.display()))
}

/// The keyring entry that holds the password of a saved database URL.
pub fn password_key(url_without_password: &str) -> String {
    format!("database:{url_without_password}")
}
