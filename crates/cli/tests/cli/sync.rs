//! `partnerdesk connections add|list|test` and `partnerdesk sync run` as a
//! user runs them: the binary against `partnerdesk-sim` over loopback HTTP,
//! secrets typed on standard input into a real Secret Service keyring
//! (gnome-keyring on a private D-Bus session bus, unlocked, headless: never
//! the user's keyring), data in a real SQLite file. And a sync process killed
//! with SIGKILL mid-run, then run again, ends with exactly the data of an
//! uninterrupted run.

use partnerdesk_sim::{Running, Sim, SimAuth, SimData};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// A private session bus with gnome-keyring's Secret Service on it; both
/// processes end with the value.
pub(crate) struct Keyring {
    bus: String,
    dir: tempfile::TempDir,
    bus_pid: u32,
    daemon: Child,
}

impl Keyring {
    pub(crate) fn start() -> Keyring {
        let dir = tempfile::tempdir().expect("temp dir");
        let (data, run) = (dir.path().join("data"), dir.path().join("run"));
        for d in [&data, &run] {
            std::fs::create_dir_all(d).expect("keyring folders");
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700))
                .expect("runtime folder mode");
        }
        let out = Command::new("dbus-daemon")
            .args(["--session", "--fork", "--print-address=1", "--print-pid=1"])
            .output()
            .expect("dbus-daemon runs (install dbus and gnome-keyring: cargo xtask setup does)");
        assert!(out.status.success(), "dbus-daemon did not start");
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let mut lines = text.lines();
        let bus = lines.next().expect("bus address").trim().to_string();
        let bus_pid: u32 = lines
            .next()
            .and_then(|p| p.trim().parse().ok())
            .expect("dbus-daemon pid");
        let mut daemon = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("DBUS_SESSION_BUS_ADDRESS", &bus)
            .env("XDG_DATA_HOME", &data)
            .env("XDG_RUNTIME_DIR", &run)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon runs");
        // The password creates and unlocks the login keyring.
        if let Some(mut stdin) = daemon.stdin.take() {
            stdin.write_all(b"partnerdesk-test").expect("unlock");
        }
        let k = Keyring {
            bus,
            dir,
            bus_pid,
            daemon,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let owned = Command::new("dbus-send")
                .args([
                    "--session",
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.secrets",
                ])
                .env("DBUS_SESSION_BUS_ADDRESS", &k.bus)
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).contains("true"))
                .unwrap_or(false);
            let written = std::fs::metadata(data.join("keyrings/login.keyring"))
                .map(|m| m.len() > 0)
                .unwrap_or(false);
            if owned && written {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "gnome-keyring's Secret Service did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        k
    }

    pub(crate) fn env(&self, cmd: &mut Command) {
        cmd.env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("XDG_RUNTIME_DIR", self.dir.path().join("run"));
    }
}

impl Drop for Keyring {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
        let _ = Command::new("kill").arg(self.bus_pid.to_string()).status();
    }
}

struct World {
    keyring: Keyring,
    rt: tokio::runtime::Runtime,
    sim: Running,
    dir: tempfile::TempDir,
}

impl World {
    fn new() -> World {
        let keyring = Keyring::start();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let data = SimData::generate(300, 10, 11).expect("generated data");
        let sim = rt
            .block_on(partnerdesk_sim::start(
                Sim::new(data, SimAuth::default()),
                0,
            ))
            .expect("the simulator starts");
        let dir = tempfile::tempdir().expect("temp dir");
        World {
            keyring,
            rt,
            sim,
            dir,
        }
    }

    fn db(&self, name: &str) -> PathBuf {
        self.dir.path().join(format!("{name}.db"))
    }

    fn command(&self, db: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_partnerdesk"));
        cmd.args(args)
            .env(
                "PARTNERDESK_DATABASE_URL",
                format!("sqlite:{}", db.display()),
            )
            .env_remove("PARTNERDESK_DATA_DIR");
        self.keyring.env(&mut cmd);
        cmd
    }

    fn run(&self, db: &Path, args: &[&str], stdin: &str) -> Output {
        let mut child = self
            .command(db, args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the partnerdesk binary runs");
        if let Some(mut s) = child.stdin.take() {
            s.write_all(stdin.as_bytes()).expect("stdin");
        }
        child.wait_with_output().expect("partnerdesk ends")
    }

    fn ok(&self, db: &Path, args: &[&str], stdin: &str) -> String {
        let out = self.run(db, args, stdin);
        assert!(
            out.status.success(),
            "partnerdesk {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8 output")
    }

    /// A database with the brands the connections name.
    fn database(&self, name: &str) -> PathBuf {
        let db = self.db(name);
        let folder = self.dir.path().join(format!("{name}-brands"));
        std::fs::create_dir_all(&folder).expect("folder");
        std::fs::write(
            folder.join("brands.csv"),
            "brand_id,name,vertical,currency\nFX,Forex One,forex,USD\nCAS,Casino One,igaming,EUR\n",
        )
        .expect("brands.csv");
        self.ok(&db, &["import", folder.to_str().expect("path")], "");
        db
    }

    fn add_connections(&self, db: &Path, window_hours: u32) {
        let url = self.sim.url();
        let mt5 = format!(
            r#"{{"kind":"mt5","base_url":"{url}","login":"1000","brand_id":"FX","from":"2026-06-25","window_hours":{window_hours}}}"#
        );
        let said = self.ok(
            db,
            &[
                "connections",
                "add",
                "mt5",
                "--config",
                &mt5,
                "--secret",
                "password",
            ],
            "manager-pass\n",
        );
        assert!(said.contains("added mt5"), "{said}");
        let feed = format!(
            r#"{{"kind":"gaming","base_url":"{url}","brand_id":"CAS","auth":{{"type":"bearer"}},"page_size_param":"limit","page_size":40}}"#
        );
        self.ok(
            db,
            &[
                "connections",
                "add",
                "casino",
                "--config",
                &feed,
                "--secret",
                "token",
            ],
            "feed-token\n",
        );
    }

    fn query(&self, db: &Path, sql: &str) -> Vec<String> {
        self.rt.block_on(async {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}", db.display()))
                .await
                .expect("open the database");
            let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&pool).await.expect(sql);
            pool.close().await;
            rows.into_iter().map(|r| r.0).collect()
        })
    }

    fn count(&self, db: &Path, table: &str) -> usize {
        self.query(db, &format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}"))[0]
            .parse()
            .expect("a count")
    }

    /// Every synced row as text, in key order.
    fn fingerprint(&self, db: &Path) -> Vec<String> {
        let mut out = Vec::new();
        for sql in [
            "SELECT customer_id || '|' || brand_id || '|' || COALESCE(tracking_code, '-') || '|' || country || '|' || registered_at || '|' || status FROM customers ORDER BY customer_id",
            "SELECT trade_id || '|' || customer_id || '|' || symbol || '|' || instrument_group || '|' || lots || '|' || open_time || '|' || close_time || '|' || commission || '|' || spread_revenue FROM trades ORDER BY trade_id",
            "SELECT customer_id || '|' || date || '|' || deposits || '|' || bets || '|' || wins || '|' || bonuses FROM igaming_activity ORDER BY customer_id, date",
        ] {
            out.extend(self.query(db, sql));
        }
        out
    }
}

/// The secret is in no file the database is made of.
fn assert_no_secret_in(db: &Path, secret: &str) {
    let dir = db.parent().expect("folder");
    let stem = db.file_name().and_then(|n| n.to_str()).expect("name");
    for entry in std::fs::read_dir(dir).expect("list folder").flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with(stem) {
            let bytes = std::fs::read(entry.path()).expect("read");
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{name} holds the secret"
            );
        }
    }
}

#[test]
fn connections_add_list_test_and_sync_run_from_the_command_line() {
    let w = World::new();
    let db = w.database("cli");
    w.add_connections(&db, 24 * 7);

    let list = w.ok(&db, &["connections", "list"], "");
    assert!(
        list.contains("mt5\tmt5\ton demand\tpassword:set\tnever"),
        "{list}"
    );
    assert!(
        list.contains("casino\tgaming\ton demand\ttoken:set"),
        "{list}"
    );
    assert_no_secret_in(&db, "manager-pass");
    assert_no_secret_in(&db, "feed-token");

    let said = w.ok(&db, &["connections", "test", "mt5"], "");
    assert!(said.contains("signed in to MT5"), "{said}");

    let accounts = w.sim.sim.data.accounts.len();
    let trades = w.sim.sim.data.trades as usize;
    assert!(trades > 20, "the data set has trades ({trades})");
    let out = w.run(&db, &["sync", "run", "mt5"], "");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains(": ok;") && said.contains(&format!("inserted {}", accounts + trades)),
        "{said}"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("deals:"),
        "progress on standard error"
    );
    assert!(said.contains("MT5 sign-ins: 1"), "the run's report: {said}");
    assert_eq!(w.count(&db, "customers"), accounts);
    assert_eq!(w.count(&db, "trades"), trades);

    let said = w.ok(&db, &["sync", "run", "casino"], "");
    assert!(said.contains(": ok;"), "{said}");
    let activity = w.sim.sim.data.activity.len();
    assert!(activity > 100);
    assert_eq!(w.count(&db, "igaming_activity"), activity);

    // Again: nothing new.
    let said = w.ok(&db, &["sync", "run", "mt5"], "");
    assert!(said.contains("inserted 0, updated 0"), "{said}");
    let runs = w.ok(&db, &["sync", "runs", "mt5"], "");
    assert_eq!(runs.lines().count(), 3, "a header and two runs: {runs}");
    // Nothing waits, every country text named a country.
    let pending = w.ok(&db, &["sync", "pending", "mt5"], "");
    assert_eq!(pending.lines().count(), 1, "a header only: {pending}");
    let said = w.ok(&db, &["sync", "retry", "mt5"], "");
    assert!(
        said.contains("tried 0: 0 stored, 0 still waiting"),
        "{said}"
    );
    let countries = w.ok(&db, &["sync", "countries", "mt5"], "");
    assert_eq!(countries.lines().count(), 1, "{countries}");

    // A wrong password is said clearly and exits non-zero.
    let wrong = w.db("wrong");
    std::fs::copy(&db, &wrong).expect("copy");
    let url = w.sim.url();
    let cfg = format!(r#"{{"kind":"mt5","base_url":"{url}","login":"1000","brand_id":"FX"}}"#);
    w.ok(
        &wrong,
        &[
            "connections",
            "add",
            "bad",
            "--config",
            &cfg,
            "--secret",
            "password",
        ],
        "not-the-password\n",
    );
    for args in [
        &["connections", "test", "bad"][..],
        &["sync", "run", "bad"][..],
    ] {
        let out = w.run(&wrong, args, "");
        assert!(!out.status.success());
        let printed = String::from_utf8_lossy(&out.stderr);
        assert!(printed.contains("authentication failed"), "{printed}");
        // No part of the handshake or the password is printed.
        for secret in ["srv_rand_answer=", "cli_rand=", "not-the-password"] {
            assert!(!printed.contains(secret), "{secret} printed: {printed}");
        }
    }
    w.ok(&wrong, &["connections", "delete", "bad"], "");
}

#[test]
fn a_sync_process_killed_mid_run_and_run_again_ends_with_the_data_of_an_uninterrupted_run() {
    let w = World::new();
    let clean = w.database("clean");
    w.add_connections(&clean, 24);
    for name in ["mt5", "casino"] {
        w.ok(&clean, &["sync", "run", name], "");
    }
    let uninterrupted = w.fingerprint(&clean);
    assert!(uninterrupted.len() > 500);

    let db = w.database("killed");
    w.add_connections(&db, 24);
    w.sim.sim.faults.slow_ms.store(40, Ordering::SeqCst);
    for name in ["mt5", "casino"] {
        let mut child = w
            .command(&db, &["sync", "run", name])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("partnerdesk sync run starts");
        let stderr = child.stderr.take().expect("stderr");
        let mut pages = 0;
        for line in BufReader::new(stderr).lines() {
            let line = line.expect("a progress line");
            if line.contains("records fetched") {
                pages += 1;
                if pages == 4 {
                    break;
                }
            }
        }
        assert_eq!(pages, 4, "{name}: the run got going before the kill");
        child.kill().expect("SIGKILL");
        let status = child.wait().expect("wait");
        assert!(!status.success(), "{name} was killed, not finished");
    }
    w.sim.sim.faults.slow_ms.store(0, Ordering::SeqCst);
    let partial = w.fingerprint(&db);
    assert!(
        !partial.is_empty() && partial.len() < uninterrupted.len(),
        "the kills came mid-run ({} of {} rows)",
        partial.len(),
        uninterrupted.len()
    );
    for name in ["mt5", "casino"] {
        let said = w.ok(&db, &["sync", "run", name], "");
        assert!(said.contains(": ok;"), "{name}: {said}");
        let runs = w.ok(&db, &["sync", "runs", name], "");
        assert!(
            runs.contains("\tinterrupted\t"),
            "{name}: the killed run is marked interrupted: {runs}"
        );
    }
    assert!(
        w.fingerprint(&db) == uninterrupted,
        "killed and resumed equals uninterrupted"
    );
}
