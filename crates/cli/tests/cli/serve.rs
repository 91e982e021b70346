//! `partnerdesk serve` as an operator runs it: the real binary under load,
//! stopped with SIGTERM mid-load, exits 0 and loses no click: every
//! redirect a client received has its click in the database. A server's
//! secrets file (`--secrets-file`), and `bench serve` at a tiny size.

use partnerdesk_app::access::Role;
use partnerdesk_app::tracking::{self, TrackingSettings};
use partnerdesk_app::{import, Actor, Context};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

async fn prepare(url: &str) {
    let store = partnerdesk_app::database::open(url).await.unwrap();
    let ctx = Context::new(store, Actor::with_roles("tester", &Role::ALL));
    // The tracking tests' world: brand `casino`, partner `P1`, code `AF1`.
    let folder =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/tracking");
    import::import_folder(&ctx, &folder).await.unwrap();
    tracking::create_link(&ctx, "casino", "AF1", None)
        .await
        .unwrap();
    tracking::set_landing(&ctx, "casino", "https://casino.example/?cid={click_id}")
        .await
        .unwrap();
    tracking::set_settings(
        &ctx,
        TrackingSettings {
            fallback_url: Some("https://casino.example/".into()),
            path_scheme: "code".into(),
            public_url: None,
        },
    )
    .await
    .unwrap();
    ctx.store.close().await;
}

async fn clicks_in(url: &str) -> u64 {
    let store = partnerdesk_app::database::open(url).await.unwrap();
    let mut tx = store.read().await.unwrap();
    let n = tx.clicks_of("AF1").await.unwrap().len() as u64;
    drop(tx);
    store.close().await;
    n
}

async fn sigterm_mid_load_loses_nothing(url: &str) {
    prepare(url).await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_partnerdesk"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--public-url",
            "http://127.0.0.1",
            "--flush-ms",
            "50",
            "--flush-max",
            "200",
        ])
        .env("PARTNERDESK_DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the partnerdesk binary starts");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("the server says where it listens")
            .unwrap();
        if let Some(rest) = line.split("serving tracking links on http://").nth(1) {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    // The rest of its standard error, for the failure message.
    let rest = std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>());

    let ok = Arc::new(AtomicU64::new(0));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut tasks = Vec::new();
    for t in 0..16 {
        let (ok, client, addr) = (ok.clone(), client.clone(), addr.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = 0u64;
            loop {
                i += 1;
                let r = client
                    .get(format!("http://{addr}/AF1?sub1={t}-{i}"))
                    .header("user-agent", "Mozilla/5.0 Firefox/128.0")
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status() == reqwest::StatusCode::FOUND => {
                        ok.fetch_add(1, Ordering::SeqCst);
                    }
                    Ok(r) => panic!("unexpected answer {}", r.status()),
                    // Refused or closed: the server is stopping.
                    Err(_) => break,
                }
            }
        }));
    }
    while ok.load(Ordering::SeqCst) < 500 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let pid = child.id() as libc::pid_t;
    // SAFETY: sends a signal to the child this test started.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    for t in tasks {
        t.await.unwrap();
    }
    let status = child.wait().unwrap();
    let log = rest.join().unwrap().join("\n");
    assert!(status.success(), "serve exited with {status}:\n{log}");
    let answered = ok.load(Ordering::SeqCst);
    assert!(answered >= 500);
    assert_eq!(
        clicks_in(url).await,
        answered,
        "every redirect answered has its click stored\n{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_mid_load_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("serve.db").display());
    sigterm_mid_load_loses_nothing(&url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_mid_load_postgres() {
    let Some(base) = std::env::var("PARTNERDESK_TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
    else {
        assert!(
            std::env::var_os("CI").is_none(),
            "PARTNERDESK_TEST_POSTGRES_URL is not set"
        );
        eprintln!(
            "skipping sigterm_mid_load on PostgreSQL: PARTNERDESK_TEST_POSTGRES_URL is not set"
        );
        return;
    };
    let name = format!("pd_cli_serve_{}", std::process::id());
    let url = partnerdesk_store::create_postgres_database(&base, &name)
        .await
        .unwrap();
    sigterm_mid_load_loses_nothing(&url).await;
    let _ = partnerdesk_store::drop_postgres_database(&base, &name).await;
}

fn partnerdesk(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_partnerdesk"))
        .args(args)
        .env_remove("PARTNERDESK_DATABASE_URL")
        .env_remove("PARTNERDESK_SECRETS_FILE")
        .env("RUST_LOG", "warn")
        .output()
        .expect("the partnerdesk binary runs")
}

/// `links postback-secret --secrets-file` writes a private file (0600);
/// a file others may read is refused by the CLI and by `serve`, with the
/// `chmod 600` to run; `serve` reads the file and takes a postback signed
/// with the secret; the secret is in no error message.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_file_for_a_headless_server() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("s.db").display());
    prepare(&url).await;
    let file = dir.path().join("secrets");
    let f = file.to_str().unwrap();
    let out = partnerdesk(&[
        "--db",
        &url,
        "links",
        "postback-secret",
        "--brand",
        "casino",
        "--secrets-file",
        f,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let secret = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert_eq!(secret.len(), 64);
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(&format!("postback:casino={secret}")));

    // Loosened: refused, saying what to run, never showing the secret.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = partnerdesk(&[
        "--db",
        &url,
        "links",
        "postback-secret",
        "--brand",
        "casino",
        "--secrets-file",
        f,
    ]);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!out.status.success());
    assert!(err.contains(&format!("chmod 600 {f}")), "{err}");
    let out = partnerdesk(&[
        "--db",
        &url,
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--public-url",
        "http://127.0.0.1",
        "--secrets-file",
        f,
    ]);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!out.status.success());
    assert!(err.contains("chmod 600") && !err.contains(&secret), "{err}");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();

    // serve reads it (read-only) and takes a postback signed with it.
    let mut child = Command::new(env!("CARGO_BIN_EXE_partnerdesk"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--public-url",
            "http://127.0.0.1",
            "--no-access-log",
        ])
        .env("PARTNERDESK_DATABASE_URL", &url)
        .env("PARTNERDESK_SECRETS_FILE", &file)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("the server says where it listens")
            .unwrap();
        if let Some(rest) = line.split("serving tracking links on http://").nth(1) {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    let rest = std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>());
    let body = serde_json::json!({
        "event_id": "reg-1", "type": "registration", "time": chrono::Utc::now().to_rfc3339(),
        "code": "AF1", "customer_id": "C1",
    })
    .to_string();
    let sig = partnerdesk_app::tracking::postbacks_in::sign(&secret, body.as_bytes());
    let r = reqwest::Client::new()
        .post(format!("http://{addr}/postback/casino"))
        .header(
            partnerdesk_app::tracking::postbacks_in::SIGNATURE_HEADER,
            sig,
        )
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let answer = r.text().await.unwrap();
    // SAFETY: a signal to the child this test started.
    assert_eq!(
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) },
        0
    );
    assert!(child.wait().unwrap().success());
    let log = rest.join().unwrap().join("\n");
    assert_eq!(status, reqwest::StatusCode::OK, "{answer}\n{log}");
    assert!(answer.contains("accepted"), "{answer}");
    assert!(!log.contains(&secret));
}

/// The cells of the table row that starts with `name`.
fn row<'a>(out: &'a str, name: &str) -> Vec<&'a str> {
    out.lines()
        .find(|l| l.starts_with(&format!("| {name}")))
        .unwrap_or_else(|| panic!("no row {name} in:\n{out}"))
        .split('|')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect()
}

/// `bench serve` runs at a tiny size (SQLite, a second per scenario, a few
/// clients) and counts no click lost or doubled, no postback lost.
#[cfg(unix)]
#[test]
fn bench_serve_smoke() {
    let out = partnerdesk(&[
        "bench",
        "serve",
        "--seconds",
        "1",
        "--clients",
        "4",
        "--postback-seconds",
        "1",
    ]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{text}\n{err}");
    for scenario in [
        "one instance",
        "two instances, alternating",
        "two instances, one stopped",
    ] {
        let cells = row(&text, scenario);
        let answered: u64 = cells[2].parse().unwrap();
        assert!(answered > 0, "{text}");
        assert_eq!(
            (cells[8], cells[9], cells[12]),
            ("0", "0", "0"),
            "lost, doubled, other: {text}"
        );
    }
    let cells = row(&text, "signed registrations");
    let accepted: u64 = cells[7].parse().unwrap();
    assert!(accepted > 0, "{text}");
    assert_eq!(cells[7], cells[9], "accepted = stored: {text}");
    assert_eq!((cells[10], cells[11], cells[12]), ("0", "0", "0"), "{text}");
}
