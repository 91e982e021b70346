//! Which files of an import folder are read, and how: regular files only.
//!
//! A symbolic link is followed only when it resolves to a regular file
//! inside the folder (a folder put together from links to files beside each
//! other still imports). Anything else under an import file's name — a link
//! out of the folder, a dangling link, a FIFO, a socket, a device, a folder —
//! is refused with its reason: never skipped in silence, never waited on (a
//! FIFO is recognised before it is opened, and files are opened without
//! blocking).

use crate::{AppError, Result};
use std::fs::File;
use std::path::Path;

/// What an import file's name holds in the folder.
pub enum Opened {
    /// Nothing by that name: the file is simply not part of this import.
    Absent,
    File(File),
    /// Something that is not read, and why (for `file: reason`).
    Refused(String),
}

/// Whether anything (even a dangling link) has `name` in `dir`: such a
/// name is part of the import, and refused if it cannot be read.
pub fn present(dir: &Path, name: &str) -> bool {
    std::fs::symlink_metadata(dir.join(name)).is_ok()
}

/// Opens `dir/name` if it is a regular file there (see the module's rules).
pub fn open(dir: &Path, name: &str) -> Result<Opened> {
    let path = dir.join(name);
    let io = |e: std::io::Error| AppError::Io {
        context: format!("cannot read {}", path.display()),
        source: e,
    };
    let meta = match std::fs::symlink_metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Opened::Absent),
        Err(e) => return Err(io(e)),
    };
    let target = if meta.file_type().is_symlink() {
        let Ok(target) = std::fs::canonicalize(&path) else {
            return Ok(Opened::Refused(
                "is a symbolic link to nothing that exists (a dangling link); put the file itself in the folder, or remove the link".into(),
            ));
        };
        let folder = std::fs::canonicalize(dir).map_err(io)?;
        if !target.starts_with(&folder) {
            return Ok(Opened::Refused(
                "is a symbolic link to a file outside the import folder; the import reads only files inside the folder: copy the file in".into(),
            ));
        }
        target
    } else {
        path.clone()
    };
    let kind = std::fs::metadata(&target).map_err(io)?.file_type();
    if !kind.is_file() {
        return Ok(Opened::Refused(format!(
            "is {}, not a regular file; the import reads regular files only",
            describe(&kind)
        )));
    }
    let file = open_without_blocking(&target).map_err(io)?;
    // The name may have been swapped for something else since it was looked at.
    if !file.metadata().map_err(io)?.is_file() {
        return Ok(Opened::Refused(
            "changed into something that is not a regular file while it was opened; the import reads regular files only".into(),
        ));
    }
    Ok(Opened::File(file))
}

#[cfg(unix)]
fn open_without_blocking(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK: a FIFO put in place after the check above fails the
    // check after opening instead of waiting for a writer forever (it has
    // no effect on reading a regular file). O_NOFOLLOW: a link put in place
    // is not followed (the path opened has no links left in its last part).
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW)
        .open(path)
}

#[cfg(not(unix))]
fn open_without_blocking(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

fn describe(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_block_device() || kind.is_char_device() {
            return "a device";
        }
    }
    if kind.is_dir() {
        "a folder"
    } else {
        "something else"
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn refused(dir: &Path, name: &str) -> String {
        match open(dir, name).unwrap() {
            Opened::Refused(why) => why,
            Opened::Absent => panic!("{name}: absent"),
            Opened::File(_) => panic!("{name}: opened"),
        }
    }

    #[test]
    fn regular_files_and_links_inside_only() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.csv"), "x").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("brands.csv"), "brand_id\n").unwrap();
        std::fs::create_dir(d.join("sub")).unwrap();
        std::fs::write(d.join("sub/real.csv"), "x").unwrap();
        std::os::unix::fs::symlink(d.join("sub/real.csv"), d.join("partners.csv")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret.csv"), d.join("customers.csv"))
            .unwrap();
        std::os::unix::fs::symlink(d.join("gone.csv"), d.join("trades.csv")).unwrap();
        std::fs::create_dir(d.join("purchases.csv")).unwrap();

        assert!(matches!(open(d, "brands.csv").unwrap(), Opened::File(_)));
        assert!(
            matches!(open(d, "partners.csv").unwrap(), Opened::File(_)),
            "a link inside the folder is read"
        );
        assert!(matches!(open(d, "fx_rates.csv").unwrap(), Opened::Absent));
        assert!(refused(d, "customers.csv").contains("outside the import folder"));
        assert!(
            present(d, "trades.csv"),
            "a dangling link is there, not absent"
        );
        assert!(refused(d, "trades.csv").contains("dangling"));
        assert!(refused(d, "purchases.csv").contains("a folder"));
        let made = std::process::Command::new("mkfifo")
            .arg(d.join("igaming_activity.csv"))
            .status()
            .unwrap();
        assert!(made.success());
        // Opening a FIFO for reading would wait for a writer forever.
        assert!(refused(d, "igaming_activity.csv").contains("FIFO"));
    }
}
