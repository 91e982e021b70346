//! The desktop's log: one file a day in the OS log folder of the app
//! identifier (`~/.local/share/com.partnerdesk.desktop/logs` on Linux,
//! `~/Library/Logs/com.partnerdesk.desktop` on macOS,
//! `%LOCALAPPDATA%\com.partnerdesk.desktop\logs` on Windows;
//! `PARTNERDESK_LOG_DIR` moves it), the newest two weeks kept, and warnings
//! also on standard error. `RUST_LOG` chooses what the file gets (default:
//! warnings, and Partnerdesk's own notes). Use cases log their name and who
//! called them, never their arguments, so no secret reaches the file.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use tauri::{AppHandle, Manager};
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::prelude::*;
use tracing_subscriber::{fmt, EnvFilter};

const DEFAULT_FILTER: &str = "warn,partnerdesk=info";
/// Days of log files kept (one file a day).
const KEEP_FILES: usize = 14;

/// Where the log files go.
pub fn folder(app: &AppHandle) -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("PARTNERDESK_LOG_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    app.path().app_log_dir().ok()
}

/// Starts logging into `folder` and standard error. Without a usable folder
/// the app still runs, logging to standard error only, and says why there.
pub fn start(folder: Option<&Path>) {
    let file = match folder {
        Some(dir) => open(dir),
        None => Err("this system names no log folder; set PARTNERDESK_LOG_DIR".to_string()),
    };
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let (file_layer, problem) = match file {
        Ok(appender) => (
            Some(
                fmt::layer()
                    .with_writer(appender)
                    .with_ansi(false)
                    .with_filter(filter),
            ),
            None,
        ),
        Err(e) => (None, Some(e)),
    };
    let stderr_layer = fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_filter(LevelFilter::WARN);
    // Fails only when a subscriber is already set (a second start): that one logs.
    let _ = tracing_subscriber::registry()
        .with(file_layer)
        .with(stderr_layer)
        .try_init();
    match (problem, folder) {
        (Some(problem), _) => tracing::warn!("no log file: {problem}"),
        (None, Some(dir)) => tracing::info!(
            version = env!("CARGO_PKG_VERSION"),
            "Partnerdesk started; logs in {}",
            dir.display()
        ),
        (None, None) => {}
    }
}

/// The rotating file (`partnerdesk.YYYY-MM-DD.log`). Written as each line
/// comes (there are few), so nothing is lost when the app quits.
fn open(dir: &Path) -> Result<RollingFileAppender, String> {
    // Made first: pruning old files reads the folder, and says so on stderr if it is missing.
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create the log folder {}: {e}", dir.display()))?;
    RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("partnerdesk")
        .filename_suffix("log")
        .max_log_files(KEEP_FILES)
        .build(dir)
        .map_err(|e| format!("cannot write log files in {}: {e}", dir.display()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_folder_that_cannot_hold_files_is_refused_with_its_name() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let not_a_folder = dir.path().join("a-file");
        std::fs::write(&not_a_folder, "").expect("a file");
        let e = super::open(&not_a_folder).expect_err("a file is not a log folder");
        assert!(e.contains("a-file"), "the message names the folder: {e}");
    }

    #[test]
    fn log_files_go_into_the_folder() {
        use std::io::Write;
        let dir = tempfile::tempdir().expect("a temporary folder");
        let mut appender = super::open(dir.path()).expect("a log folder");
        writeln!(appender, "a line").expect("written");
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .expect("the folder")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names
                .iter()
                .any(|n| n.starts_with("partnerdesk.") && n.ends_with(".log")),
            "a dated partnerdesk log file: {names:?}"
        );
    }
}
