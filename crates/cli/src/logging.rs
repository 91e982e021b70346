//! The command line's log: warnings on standard error, `RUST_LOG` for more
//! (for example `RUST_LOG=partnerdesk=debug,sqlx=debug`). What a command
//! prints for the user (results, prompts, progress, the final error) is not
//! logging and stays as it is.

use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// Warnings, except sqlx's notes on statements slower than a second (a large
/// import has many; the desktop's log file keeps them).
const DEFAULT_FILTER: &str = "warn,sqlx=error";

pub fn start() {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    // Only fails when a subscriber is already set: then that one logs.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}
