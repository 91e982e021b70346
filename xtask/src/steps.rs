//! The steps behind `cargo xtask run|test|bench`.

use crate::postgres::Cluster;
use crate::process::{cargo, cargo_exe, npm, root, run, step, without_cargo_run_env};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Debian packages: Tauri's build and run dependencies.
const TAURI_PACKAGES: &[&str] = &[
    "libwebkit2gtk-4.1-dev",
    "build-essential",
    "curl",
    "wget",
    "file",
    "libxdo-dev",
    "libssl-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    "pkg-config",
];
/// Debian packages the tests need on top: a display, WebDriver (WebKit's for the desktop app,
/// Chromium's for the browser that follows a tracking link), PostgreSQL, PDF tools, fonts,
/// and a Secret Service for the real-keyring test.
const TEST_PACKAGES: &[&str] = &[
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    "chromium",
    "chromium-driver",
    "dbus",
    "dbus-x11",
    "postgresql",
    "libpq-dev",
    "poppler-utils",
    "fonts-dejavu-core",
    "gnome-keyring",
    "libxml2-utils",
];

fn installed(pkg: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", pkg])
        .stderr(Stdio::null())
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

/// Installs missing Debian packages when we may (root or password-less sudo).
fn ensure_packages(pkgs: &[&str]) -> Result<(), String> {
    if !cfg!(target_os = "linux")
        || Command::new("dpkg-query")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_err()
    {
        return Ok(()); // not Debian/Ubuntu: the README lists what to install by hand
    }
    let missing: Vec<&str> = pkgs.iter().copied().filter(|p| !installed(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    step(&format!(
        "installing Debian packages: {}",
        missing.join(" ")
    ));
    let root_user = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    let sudo = !root_user
        && Command::new("sudo")
            .args(["-n", "true"])
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
    if !root_user && !sudo {
        return Err(format!("these Debian packages are missing and this user cannot install them: {}\nrun: sudo apt-get install {}", missing.join(" "), missing.join(" ")));
    }
    let apt = |args: &[&str]| {
        let mut c = if sudo {
            let mut c = Command::new("sudo");
            c.arg("-n").arg("apt-get");
            c
        } else {
            Command::new("apt-get")
        };
        c.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        c
    };
    run(&mut apt(&["update", "-qq"]))?;
    let mut install = apt(&["install", "-y", "-qq", "--no-install-recommends"]);
    install.args(&missing);
    run(&mut install)
}

/// `npm ci` in ui/ when node_modules is missing or older than the lockfile.
fn ensure_npm() -> Result<(), String> {
    let ui = root().join("ui");
    let lock = ui.join("package-lock.json");
    let stamp = ui.join("node_modules/.package-lock.json");
    let fresh = match (
        std::fs::metadata(&lock).and_then(|m| m.modified()),
        std::fs::metadata(&stamp).and_then(|m| m.modified()),
    ) {
        (Ok(l), Ok(s)) => s >= l,
        _ => false,
    };
    if !fresh {
        step("npm ci (ui/)");
        run(npm()
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&ui))?;
    }
    Ok(())
}

fn build_ui() -> Result<(), String> {
    step("building the UI (ui/ → ui/dist)");
    run(npm().args(["run", "build"]).current_dir(root().join("ui")))
}

pub fn run_app(demo: bool) -> Result<(), String> {
    ensure_packages(TAURI_PACKAGES)?;
    ensure_npm()?;
    build_ui()?;
    // The workspace's binaries in one build: the same feature set as the tests
    // build, so switching between `run` and `test` rebuilds nothing.
    step("cargo build --workspace --bins");
    run(cargo()
        .args(["build", "--workspace", "--bins"])
        .current_dir(root()))?;
    if demo {
        step("demo data (partnerdesk demo)");
        let out = Command::new(binary("partnerdesk"))
            .arg("demo")
            .current_dir(root())
            .output()
            .map_err(|e| format!("cannot run partnerdesk demo: {e}"))?;
        print!("{}", String::from_utf8_lossy(&out.stdout));
        if !out.status.success() {
            // A database that already has partners keeps them: say why and go on.
            println!(
                "(no demo data added: {})",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
    }
    if cfg!(target_os = "linux")
        && std::env::var_os("DISPLAY").is_none()
        && std::env::var_os("WAYLAND_DISPLAY").is_none()
    {
        return Err("no display: run this in a desktop session (or try it headless with `xvfb-run -a cargo xtask run`)".into());
    }
    step("starting Partnerdesk");
    run(&mut Command::new(binary("partnerdesk-desktop")).current_dir(root()))
}

/// Cargo's target folder (CARGO_TARGET_DIR or target/).
fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR").filter(|d| !d.is_empty()) {
        Some(d) => root().join(d),
        None => root().join("target"),
    }
}

/// A binary of the debug build.
fn binary(name: &str) -> PathBuf {
    target_dir()
        .join("debug")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

pub fn bench(args: &[String]) -> Result<(), String> {
    run(cargo()
        .args([
            "run",
            "--release",
            "--quiet",
            "--bin",
            "partnerdesk",
            "--",
            "bench",
        ])
        .args(args)
        .current_dir(root()))
}

/// `cargo xtask fuzz [--seconds N | --inputs N] [--seed S] [TARGET…]`: the
/// fuzz targets of crates/fuzz, built like the tests (one build for both).
pub fn fuzz(args: &[String]) -> Result<(), String> {
    step("cargo build --workspace --all-targets");
    run(cargo()
        .args(["build", "--workspace", "--all-targets"])
        .current_dir(root()))?;
    step("fuzz targets");
    run(Command::new(binary("partnerdesk-fuzz"))
        .args(args)
        .current_dir(root()))
}

/// Seconds each fuzz target runs in `cargo xtask test`.
const FUZZ_SECONDS_IN_TESTS: &str = "3";

fn count_lines(path: &Path) -> usize {
    std::fs::read_to_string(path)
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

fn check_bindings() -> Result<(), String> {
    if !root().join(".git").exists() {
        println!("(not a git checkout: skipping the generated-bindings check)");
        return Ok(());
    }
    step("checking that ui/src/bindings matches the Rust commands and types");
    let diff = Command::new("git")
        .args(["status", "--porcelain", "--", "ui/src/bindings"])
        .current_dir(root())
        .output()
        .map_err(|e| e.to_string())?;
    let changes = String::from_utf8_lossy(&diff.stdout);
    if !changes.trim().is_empty() {
        return Err(format!(
            "ui/src/bindings is stale: the desktop's commands or the Rust wire types changed. `cargo test` (src-tauri/src/contract.rs) regenerated these files; commit them:\n{changes}"
        ));
    }
    Ok(())
}

pub fn test_all(e2e: bool) -> Result<(), String> {
    let started = Instant::now();
    let mut pkgs: Vec<&str> = TAURI_PACKAGES.to_vec();
    pkgs.extend_from_slice(TEST_PACKAGES);
    ensure_packages(&pkgs)?;
    ensure_npm()?;
    build_ui()?;

    let _cluster;
    let pg_url = match std::env::var("PARTNERDESK_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        Some(u) => u,
        None => {
            step("starting a throw-away PostgreSQL server");
            let c = Cluster::start()?;
            println!("PostgreSQL at {}", c.url);
            let url = c.url.clone();
            _cluster = c;
            url
        }
    };
    let pg_log =
        std::env::temp_dir().join(format!("partnerdesk-pg-tests-{}.log", std::process::id()));
    let _ = std::fs::remove_file(&pg_log);

    step("cargo build --workspace --all-targets");
    run(cargo()
        .args(["build", "--workspace", "--all-targets"])
        .current_dir(root()))?;
    step("cargo test --workspace --all-targets (SQLite and PostgreSQL)");
    run(cargo()
        .args(["test", "--workspace", "--all-targets"])
        .env("PARTNERDESK_TEST_POSTGRES_URL", &pg_url)
        .env("PARTNERDESK_PG_TEST_LOG", &pg_log)
        .env("RUST_BACKTRACE", "1")
        .current_dir(root()))?;
    let pg_tests = count_lines(&pg_log);
    let _ = std::fs::remove_file(&pg_log);
    println!("PostgreSQL tests run: {pg_tests}");
    if pg_tests == 0 {
        return Err("no test ran against PostgreSQL although a server was available".into());
    }
    check_bindings()?;
    step(&format!(
        "fuzz targets, {FUZZ_SECONDS_IN_TESTS} s each (cargo xtask fuzz runs them longer)"
    ));
    run(Command::new(binary("partnerdesk-fuzz"))
        .args(["--seconds", FUZZ_SECONDS_IN_TESTS])
        .current_dir(root()))?;
    keyring_test()?;

    step("UI component tests (vitest)");
    run(npm().args(["test"]).current_dir(root().join("ui")))?;

    crate::audit::audit()?;

    if e2e {
        e2e_tests()?;
    }
    println!(
        "\nall tests passed in {:.0} s (PostgreSQL tests: {pg_tests})",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The desktop shell's real-keyring test, under a private D-Bus session with
/// gnome-keyring's Secret Service unlocked (the store the Linux build uses).
fn keyring_test() -> Result<(), String> {
    if !cfg!(target_os = "linux") {
        return Ok(());
    }
    step("the OS keyring, for real (Secret Service under dbus-run-session)");
    // A keyring of its own: never the user's login keyring or running daemon.
    let home = std::env::temp_dir().join(format!("partnerdesk-keyring-{}", std::process::id()));
    let (data, runtime) = (home.join("data"), home.join("run"));
    for dir in [&data, &runtime] {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700));
    }
    let log = home.join("ran.log");
    // A password on stdin creates and unlocks the login keyring (an empty one
    // creates none); then wait until the service owns its bus name and the
    // keyring file is written, or the first request races the daemon.
    let script = r#"printf 'partnerdesk-test' | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 1
i=0
until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q true && [ -s "$XDG_DATA_HOME/keyrings/login.keyring" ]; do
  i=$((i+1)); [ "$i" -gt 100 ] && { echo "gnome-keyring's Secret Service did not start" >&2; exit 1; }; sleep 0.1
done
exec "$0" "$@""#;
    let mut cmd = Command::new("dbus-run-session");
    without_cargo_run_env(&mut cmd);
    let result = run(cmd
        .args(["--", "sh", "-c", script])
        .arg(cargo_exe())
        .args([
            "test",
            "--quiet",
            "-p",
            "partnerdesk-secrets",
            "--lib",
            "--",
            "--exact",
            "tests::os_keyring_round_trip",
        ])
        .env("PARTNERDESK_KEYRING_TEST", "1")
        .env("PARTNERDESK_KEYRING_TEST_LOG", &log)
        .env("XDG_DATA_HOME", &data)
        .env("XDG_RUNTIME_DIR", &runtime)
        .stdin(Stdio::null())
        .current_dir(root()));
    let ran = count_lines(&log) > 0;
    let _ = std::fs::remove_dir_all(&home);
    result?;
    if !ran {
        return Err(
            "the real-keyring test did not run (partnerdesk-secrets tests::os_keyring_round_trip)"
                .into(),
        );
    }
    Ok(())
}

fn tauri_driver() -> Result<PathBuf, String> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let bin = home
        .map(|h| h.join("bin/tauri-driver"))
        .unwrap_or_else(|| PathBuf::from("tauri-driver"));
    if !bin.exists() {
        step("installing tauri-driver (cargo install tauri-driver --locked)");
        run(cargo().args(["install", "tauri-driver", "--locked", "--version", "^2"]))?;
    }
    Ok(bin)
}

/// Debian's Chromium and its WebDriver, with the package each comes in.
const CHROMIUM: (&str, &str) = ("/usr/bin/chromium", "chromium");
const CHROMEDRIVER: (&str, &str) = ("/usr/bin/chromedriver", "chromium-driver");

fn e2e_tests() -> Result<(), String> {
    if !cfg!(target_os = "linux") {
        println!("(the desktop end-to-end test runs on Linux only: WebKitWebDriver)");
        return Ok(());
    }
    let driver = tauri_driver()?;
    let app = binary("partnerdesk-desktop");
    if !app.exists() {
        return Err(format!("{} was not built", app.display()));
    }
    // tests/e2e/tracking-browser.test.mjs: a real browser follows a tracking link.
    for (bin, pkg) in [CHROMIUM, CHROMEDRIVER] {
        if !Path::new(bin).exists() {
            return Err(format!(
                "{bin} is missing: install Debian's {pkg} (apt-get install --no-install-recommends {pkg})"
            ));
        }
    }
    step("end-to-end tests (Xvfb; the desktop through tauri-driver and WebKitWebDriver, Chromium through chromedriver)");
    let shots = target_dir().join("e2e-screenshots");
    let _ = std::fs::create_dir_all(&shots);
    run(Command::new("dbus-run-session")
        .args([
            "--",
            "xvfb-run",
            "-a",
            "-s",
            "-screen 0 1400x900x24",
            "node",
            "--test",
            "--test-concurrency=1",
            "tests/e2e/",
        ])
        .env("PARTNERDESK_E2E_APP", &app)
        .env("PARTNERDESK_E2E_CLI", binary("partnerdesk"))
        .env("PARTNERDESK_E2E_DRIVER", &driver)
        .env("PARTNERDESK_E2E_CHROMIUM", CHROMIUM.0)
        .env("PARTNERDESK_E2E_CHROMEDRIVER", CHROMEDRIVER.0)
        .env("PARTNERDESK_E2E_SCREENSHOTS", &shots)
        .current_dir(root()))
}
