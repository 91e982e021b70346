//! `cargo xtask run [--demo]` and `cargo xtask test`: the two commands of the
//! README (and `audit`, `bench`, `fuzz`). They install what a fresh Debian/Ubuntu machine lacks (apt packages
//! when run as root or with password-less sudo, npm packages), build the UI,
//! and run the app or every test (Rust on SQLite and on a PostgreSQL server
//! started here, UI component tests, the desktop end-to-end test).

mod audit;
mod postgres;
mod process;
mod steps;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask run [--demo] | cargo xtask test [--no-e2e] | cargo xtask audit | cargo xtask bench partners|money [ARGS…] | cargo xtask fuzz [--seconds N | --inputs N] [--seed S] [TARGET…]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => steps::run_app(args.iter().any(|a| a == "--demo")),
        Some("test") => steps::test_all(!args.iter().any(|a| a == "--no-e2e")),
        Some("audit") => audit::audit(),
        Some("bench") => steps::bench(&args[1..]),
        Some("fuzz") => steps::fuzz(&args[1..]),
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
