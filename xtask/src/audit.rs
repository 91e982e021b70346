//! `cargo xtask audit`, also a step of `cargo xtask test`: known advisories in
//! the dependencies, Rust (cargo-audit over the RustSec advisory database) and
//! npm (`npm audit`). A known vulnerability fails the step. When an advisory
//! database cannot be reached (a closed network), the step says so plainly
//! and does not pretend to have checked: it fails only under
//! `PARTNERDESK_AUDIT_REQUIRED=1`.
//!
//! `PARTNERDESK_ADVISORY_DB=DIR` names a local copy of the RustSec database
//! (a clone of github.com/rustsec/advisory-db) to check against offline.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::process::{cargo, npm, root, run, step};

const ADVISORY_DB_URL: &str = "https://github.com/rustsec/advisory-db";

/// What one audit found.
enum Outcome {
    Clean,
    NotChecked(String),
}

pub fn audit() -> Result<(), String> {
    let mut not_checked = Vec::new();
    for (what, outcome) in [
        ("Rust crates", rust_audit()?),
        ("npm packages", npm_audit()?),
    ] {
        match outcome {
            Outcome::Clean => println!("{what}: no known vulnerability"),
            Outcome::NotChecked(why) => {
                println!("{what}: NOT CHECKED: {why}");
                not_checked.push(format!("{what}: {why}"));
            }
        }
    }
    if !not_checked.is_empty() && std::env::var("PARTNERDESK_AUDIT_REQUIRED").as_deref() == Ok("1")
    {
        return Err(format!(
            "the dependency audit could not run and PARTNERDESK_AUDIT_REQUIRED=1: {}",
            not_checked.join("; ")
        ));
    }
    Ok(())
}

fn reachable(url: &str) -> bool {
    Command::new("git")
        .args(["ls-remote", "--exit-code", url, "HEAD"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn cargo_audit_installed() -> bool {
    cargo()
        .args(["audit", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn rust_audit() -> Result<Outcome, String> {
    step("dependency audit: Rust crates (cargo audit, RustSec advisory database)");
    let local: Option<PathBuf> = std::env::var_os("PARTNERDESK_ADVISORY_DB")
        .map(PathBuf::from)
        .filter(|p| !p.as_os_str().is_empty());
    if let Some(db) = &local {
        if !db.join("crates").is_dir() {
            return Err(format!(
                "PARTNERDESK_ADVISORY_DB={} is not a copy of the RustSec advisory database (no crates/ folder in it)",
                db.display()
            ));
        }
    } else if !reachable(ADVISORY_DB_URL) {
        return Ok(Outcome::NotChecked(format!(
            "the RustSec advisory database ({ADVISORY_DB_URL}) cannot be reached from this network; set PARTNERDESK_ADVISORY_DB to a local copy"
        )));
    }
    exceptions_still_hold()?;
    if !cargo_audit_installed() {
        step("installing cargo-audit (cargo install cargo-audit --locked)");
        run(cargo().args(["install", "cargo-audit", "--locked"]))?;
    }
    let mut cmd = cargo();
    cmd.args(["audit", "--file"]).arg(root().join("Cargo.lock"));
    if let Some(db) = &local {
        cmd.args(["--no-fetch", "--db"]).arg(db_dir(db));
    }
    run(cmd.current_dir(root()))
        .map_err(|e| format!("cargo audit found a known vulnerability (or failed): {e}"))?;
    Ok(Outcome::Clean)
}

/// The advisories .cargo/audit.toml ignores, each with the crate that must
/// stay out of every build for the exception to hold.
const IGNORED: &[(&str, &str)] = &[("RUSTSEC-2023-0071", "rsa")];

fn exceptions_still_hold() -> Result<(), String> {
    for (id, krate) in IGNORED {
        let out = cargo()
            .args(["tree", "--invert", krate, "--edges", "normal,build,dev"])
            .current_dir(root())
            .output()
            .map_err(|e| format!("cannot start cargo tree: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "cargo tree -i {krate} failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        if !String::from_utf8_lossy(&out.stdout).trim().is_empty() {
            return Err(format!(
                "{krate} is now compiled into the build (see `cargo tree -i {krate}`), so the exception for {id} in .cargo/audit.toml no longer holds: upgrade or drop what pulls it in, or remove the exception and face the advisory"
            ));
        }
        println!("{id} ignored: {krate} is in Cargo.lock but compiled into nothing");
    }
    Ok(())
}

fn db_dir(db: &Path) -> PathBuf {
    db.canonicalize().unwrap_or_else(|_| db.to_path_buf())
}

fn npm_audit() -> Result<Outcome, String> {
    step("dependency audit: npm packages (npm audit --audit-level=high)");
    let out = npm()
        .args(["audit", "--audit-level=high"])
        .current_dir(root().join("ui"))
        .output()
        .map_err(|e| format!("cannot start npm audit: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    print!("{stdout}");
    if out.status.success() {
        return Ok(Outcome::Clean);
    }
    let unreachable = [
        "audit endpoint returned an error",
        "ENOTFOUND",
        "ECONNREFUSED",
        "ETIMEDOUT",
        "EAI_AGAIN",
        "network",
    ];
    if unreachable.iter().any(|m| stderr.contains(m)) && !stdout.contains("vulnerabilit") {
        let first = stderr
            .lines()
            .find(|l| l.contains("audit") && !l.contains("Unknown user config"))
            .unwrap_or("the registry's audit service did not answer")
            .trim()
            .to_string();
        return Ok(Outcome::NotChecked(format!(
            "the npm registry's audit service cannot be used from this network ({first})"
        )));
    }
    eprint!("{stderr}");
    Err("npm audit found a high-severity (or worse) advisory in ui/'s packages".into())
}
