//! How xtask runs other programs (cargo, npm, any command) and prints its
//! steps, and where: the repository root. The steps, the audit and the
//! PostgreSQL cluster all use these; this module uses none of them.

use std::path::PathBuf;
use std::process::Command;

/// The repository root (xtask/..).
pub fn root() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    root.canonicalize().unwrap_or(root)
}

/// Runs a command, failing with its name when it fails.
pub fn run(cmd: &mut Command) -> Result<(), String> {
    let shown = format!("{cmd:?}");
    let status = cmd
        .status()
        .map_err(|e| format!("cannot start {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

pub fn step(name: &str) {
    println!("\n==> {name}");
}

pub fn cargo_exe() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Cargo, without the variables `cargo run` set for this xtask process.
pub fn cargo() -> Command {
    let mut cmd = Command::new(cargo_exe());
    without_cargo_run_env(&mut cmd);
    cmd
}

/// Removes the variables `cargo run` set for this xtask process: a nested
/// cargo would inherit them, and build scripts that watch them (ring watches
/// CARGO_MANIFEST_DIR) would rebuild ring, rustls and sqlx every time one
/// switches between `cargo xtask …` and plain cargo commands.
pub fn without_cargo_run_env(cmd: &mut Command) {
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        let set_by_cargo_run = key.starts_with("CARGO_PKG_")
            || matches!(
                key.as_ref(),
                "CARGO_MANIFEST_DIR"
                    | "CARGO_MANIFEST_PATH"
                    | "CARGO_MANIFEST_LINKS"
                    | "CARGO_CRATE_NAME"
                    | "CARGO_BIN_NAME"
                    | "CARGO_PRIMARY_PACKAGE"
                    | "CARGO_RUSTC_CURRENT_DIR"
            );
        if set_by_cargo_run {
            cmd.env_remove(key.as_ref());
        }
    }
}

/// npm (a `.cmd` script on Windows, which `Command` does not resolve by itself).
pub fn npm() -> Command {
    Command::new(if cfg!(windows) { "npm.cmd" } else { "npm" })
}
