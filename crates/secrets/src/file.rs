//! A secrets file for servers: a headless `partnerdesk serve` has no
//! desktop session and so no keyring. The operator owns the file; it is
//! refused unless only its owner may read it (mode 0600 on Unix).
//!
//! One secret per line, `KEY=SECRET`, split at the first `=` (keys never
//! hold one); blank lines and lines starting with `#` are ignored and kept
//! out of a rewrite. The file is read on every [`SecretStore::get`] (wrap it
//! in [`crate::Cached`] where that matters), so another process's rotation
//! is seen. A writer replaces it atomically: a temporary file (mode 0600)
//! in the same folder, synced, then renamed over the old one.
//!
//! No error names a secret or quotes a line: they say which file, which
//! line number, and what to do.

use crate::SecretStore;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Secrets in a file the operator owns (see the module's comment).
#[derive(Debug, Clone)]
pub struct SecretsFile {
    path: PathBuf,
    read_only: bool,
}

impl SecretsFile {
    /// Opens an existing file for reading only (`serve`): it must exist and
    /// be private to its owner.
    pub fn read_only(path: impl Into<PathBuf>) -> Result<Self, String> {
        let f = Self {
            path: path.into(),
            read_only: true,
        };
        if !f.path.exists() {
            return Err(format!(
                "the secrets file {} does not exist: make it with `partnerdesk links postback-secret --brand BRAND --secrets-file {}` (it is created with mode 0600)",
                f.path.display(),
                f.path.display()
            ));
        }
        f.check_private()?;
        Ok(f)
    }

    /// Opens a file for reading and writing (the CLI's `links
    /// postback-secret`); a missing file is created on the first write.
    pub fn writable(path: impl Into<PathBuf>) -> Result<Self, String> {
        let f = Self {
            path: path.into(),
            read_only: false,
        };
        if f.path.exists() {
            f.check_private()?;
        }
        Ok(f)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Refuses a file that others than its owner may read or write.
    fn check_private(&self) -> Result<(), String> {
        let meta = std::fs::metadata(&self.path)
            .map_err(|e| format!("cannot read the secrets file {}: {e}", self.path.display()))?;
        if !meta.is_file() {
            return Err(format!(
                "the secrets file {} is not a regular file",
                self.path.display()
            ));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(format!(
                    "the secrets file {} may be read by others (mode {mode:03o}): run `chmod 600 {}`",
                    self.path.display(),
                    self.path.display()
                ));
            }
        }
        Ok(())
    }

    /// Every entry of the file (empty when it does not exist yet).
    fn load(&self) -> Result<BTreeMap<String, String>, String> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !self.read_only => {
                return Ok(BTreeMap::new())
            }
            Err(e) => {
                return Err(format!(
                    "cannot read the secrets file {}: {e}",
                    self.path.display()
                ))
            }
        };
        self.check_private()?;
        let mut out = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            // Never quote the line: it holds a secret.
            let Some((key, secret)) = line.split_once('=') else {
                return Err(format!(
                    "the secrets file {} has a line without KEY=SECRET (line {}): fix or remove that line",
                    self.path.display(),
                    i + 1
                ));
            };
            out.insert(key.trim().to_string(), secret.to_string());
        }
        Ok(out)
    }

    /// Writes all entries: a private temporary file, synced, renamed over.
    fn store(&self, entries: &BTreeMap<String, String>) -> Result<(), String> {
        if self.read_only {
            return Err(format!(
                "the secrets file {} is read-only here: change secrets with the `partnerdesk` CLI and --secrets-file",
                self.path.display()
            ));
        }
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "secrets".into());
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let failed = |what: &str, e: std::io::Error| {
            let _ = std::fs::remove_file(&tmp);
            format!(
                "cannot {what} the secrets file {}: {e}",
                self.path.display()
            )
        };
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut f = options.open(&tmp).map_err(|e| failed("write", e))?;
        let mut text =
            String::from("# Partnerdesk secrets (KEY=SECRET); keep this file mode 0600\n");
        for (k, v) in entries {
            text.push_str(k);
            text.push('=');
            text.push_str(v);
            text.push('\n');
        }
        f.write_all(text.as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(|e| failed("write", e))?;
        drop(f);
        std::fs::rename(&tmp, &self.path).map_err(|e| failed("replace", e))?;
        Ok(())
    }
}

/// Keys and secrets are one line each; a key holds no `=`.
fn check_entry(key: &str, secret: Option<&str>) -> Result<(), String> {
    let bad_key = key.trim().is_empty()
        || key.trim() != key
        || key.contains(['=', '\n', '\r'])
        || key.starts_with('#');
    if bad_key {
        return Err(format!(
            "the secret's name {key:?} cannot be kept in a secrets file (no `=`, line breaks or leading `#`)"
        ));
    }
    if secret.is_some_and(|s| s.contains(['\n', '\r'])) {
        return Err(format!(
            "the secret of {key} has a line break and cannot be kept in a secrets file"
        ));
    }
    Ok(())
}

impl SecretStore for SecretsFile {
    fn get(&self, key: &str) -> Result<Option<String>, String> {
        Ok(self.load()?.remove(key))
    }

    fn set(&self, key: &str, secret: &str) -> Result<(), String> {
        check_entry(key, Some(secret))?;
        let mut all = self.load()?;
        all.insert(key.to_string(), secret.to_string());
        self.store(&all)
    }

    fn delete(&self, key: &str) -> Result<(), String> {
        let mut all = self.load()?;
        if all.remove(key).is_some() {
            self.store(&all)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_private_and_atomic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets");
        let w = SecretsFile::writable(&path).unwrap();
        assert_eq!(w.get("postback:casino").unwrap(), None);
        w.set("postback:casino", "s3cret=with=equals").unwrap();
        w.set("postback:fx", "other").unwrap();
        assert_eq!(
            w.get("postback:casino").unwrap().as_deref(),
            Some("s3cret=with=equals")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("secrets")]);
        // serve reads it and may not write.
        let r = SecretsFile::read_only(&path).unwrap();
        assert_eq!(r.get("postback:fx").unwrap().as_deref(), Some("other"));
        let e = r.set("postback:fx", "x").unwrap_err();
        assert!(e.contains("read-only"), "{e}");
        w.delete("postback:fx").unwrap();
        assert_eq!(r.get("postback:fx").unwrap(), None);
        assert!(w.set("a=b", "x").is_err());
        assert!(w.set("k", "two\nlines").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn refused_unless_0600_and_errors_never_show_a_secret() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets");
        std::fs::write(&path, "postback:casino=topsecret\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = SecretsFile::read_only(&path).unwrap_err();
        assert!(e.contains(&format!("chmod 600 {}", path.display())), "{e}");
        assert!(SecretsFile::writable(&path).is_err());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let r = SecretsFile::read_only(&path).unwrap();
        assert_eq!(
            r.get("postback:casino").unwrap().as_deref(),
            Some("topsecret")
        );
        // Loosened after opening: refused on the next read.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        assert!(r.get("postback:casino").unwrap_err().contains("chmod 600"));
        // A malformed line is named by number, never quoted.
        std::fs::write(&path, "# comment\n\nnot-a-pair-topsecret\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let e = r.get("x").unwrap_err();
        assert!(e.contains("line 3") && !e.contains("topsecret"), "{e}");
        let missing = SecretsFile::read_only(dir.path().join("nope")).unwrap_err();
        assert!(missing.contains("does not exist"), "{missing}");
    }
}
