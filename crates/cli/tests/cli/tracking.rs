//! `partnerdesk links postback-*`, `links send-postbacks` and
//! `partnerdesk compliance …` as an operator runs them: the real binary on
//! a real SQLite file. Postbacks in are taken by the app's own
//! `postbacks_in::receive` (what the tracking server calls) with an
//! in-memory secret, so that the log has something to show; postbacks out
//! go to a tiny HTTP receiver on 127.0.0.1; `links postback-secret` writes
//! into a headless gnome-keyring (Linux only, as the sync tests).

use super::root;
use super::sync::Keyring;
use chrono::Utc;
use partnerdesk_app::access::Role;
use partnerdesk_app::tracking::clicks::{new_click_id, ClickWriter, Visit};
use partnerdesk_app::tracking::postbacks_in::{self, Delivery};
use partnerdesk_app::{Actor, Context};
use partnerdesk_domain::tracking::ClickKind;
use partnerdesk_secrets::{MemoryStore, SecretStore};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

/// A database with the tracking fixture, and a private keyring every
/// command runs against (the secret store is read by `postback-settings`,
/// and must never be the user's own keyring).
struct World {
    keyring: Keyring,
    _dir: tempfile::TempDir,
    db: PathBuf,
}

impl World {
    fn new() -> World {
        let keyring = Keyring::start();
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("pd.db");
        let w = World {
            keyring,
            _dir: dir,
            db,
        };
        // Brand `casino` (EUR), partner `P1`, codes `AF1` and `AF2`.
        let folder = root().join("tests/fixtures/tracking");
        w.ok(&["import", folder.to_str().unwrap()]);
        w
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_partnerdesk"));
        cmd.args(args)
            .env(
                "PARTNERDESK_DATABASE_URL",
                format!("sqlite:{}", self.db.display()),
            )
            .env_remove("PARTNERDESK_DATA_DIR");
        self.keyring.env(&mut cmd);
        cmd.output().expect("the partnerdesk binary runs")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "partnerdesk {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8 output")
    }

    fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(!out.status.success(), "partnerdesk {args:?} should fail");
        String::from_utf8_lossy(&out.stderr).to_string()
    }
}

async fn store_of(db: &Path) -> partnerdesk_store::Store {
    partnerdesk_app::database::open(&format!("sqlite:{}", db.display()))
        .await
        .unwrap()
}

/// A registration with only a code (no click), taken as the server takes it,
/// with the brand's token `secret`.
async fn register(db: &Path, secret: &str, event: &str, customer: &str, code: &str) -> u16 {
    let store = store_of(db).await;
    let secrets = MemoryStore::new();
    secrets.set("postback:casino", secret).unwrap();
    let body = serde_json::json!({
        "event_id": event, "type": "registration", "time": Utc::now().to_rfc3339(),
        "customer_id": customer, "code": code, "country": "DE",
    })
    .to_string();
    let a = postbacks_in::receive(
        &store,
        &secrets,
        Utc::now(),
        Delivery {
            brand_id: "casino",
            signature: None,
            bearer: Some(secret),
            body: body.as_bytes(),
        },
    )
    .await
    .unwrap();
    store.close().await;
    a.status
}

/// A partner's tracker: answers 200 and keeps each request's target.
fn receiver() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(Mutex::new(Vec::new()));
    let seen = hits.clone();
    std::thread::spawn(move || {
        for sock in listener.incoming() {
            let Ok(mut sock) = sock else { return };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 1024];
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                match sock.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let head = String::from_utf8_lossy(&buf).to_string();
            if let Some(target) = head.split(' ').nth(1) {
                seen.lock().unwrap().push(target.to_string());
            }
            let _ = sock
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        }
    });
    (base, hits)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postback_settings_log_urls_and_sending() {
    let w = World::new();
    let db = w.db.clone();
    // Settings: the defaults, then token auth with a 10-minute window.
    let s = w.ok(&["links", "postback-settings", "--brand", "casino"]);
    for want in ["auth: hmac", "window: 300 s", "secret: none"] {
        assert!(s.contains(want), "{want}: {s}");
    }
    let s = w.ok(&[
        "links",
        "postback-settings",
        "--brand",
        "casino",
        "--auth",
        "token",
        "--window-secs",
        "600",
    ]);
    assert!(
        s.contains("auth: token") && s.contains("window: 600 s"),
        "{s}"
    );
    // Bad input changes nothing, and says what to do.
    let e = w.fails(&[
        "links",
        "postback-settings",
        "--brand",
        "casino",
        "--auth",
        "basic",
    ]);
    assert!(e.contains("hmac") && e.contains("token"), "{e}");
    w.fails(&["links", "postback-settings", "--brand", "nope"]);
    let s = w.ok(&["links", "postback-settings", "--brand", "casino"]);
    assert!(
        s.contains("auth: token") && s.contains("window: 600 s"),
        "{s}"
    );

    // A partner's URL for registrations, then a registration: queued.
    let (base, hits) = receiver();
    let url = format!("{base}/r?c={{customer_id}}&code={{code}}&a={{amount}}");
    let s = w.ok(&[
        "links",
        "postback-url",
        "--partner",
        "P1",
        "--event",
        "registration",
        "--url",
        &url,
    ]);
    assert!(
        s.contains("registration\t") && s.contains("no amounts"),
        "{s}"
    );
    let e = w.fails(&[
        "links",
        "postback-url",
        "--partner",
        "P1",
        "--event",
        "login",
        "--url",
        &url,
    ]);
    assert!(
        e.contains("registration, ftd, qualified_cpa or purchase"),
        "{e}"
    );
    assert_eq!(register(&db, "tok-1", "r1", "C1", "AF1").await, 200);
    // The same event again: a duplicate, logged, changing nothing.
    assert_eq!(register(&db, "tok-1", "r1", "C1", "AF1").await, 200);

    let log = w.ok(&["links", "postback-log", "--brand", "casino"]);
    let rows: Vec<&str> = log.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "{log}");
    assert!(
        rows.iter()
            .any(|r| r.contains("\tr1\tregistration\t200\taccepted\t")),
        "{log}"
    );
    assert!(
        rows.iter()
            .any(|r| r.contains("\tr1\tregistration\t200\tduplicate\t")),
        "{log}"
    );

    let out = w.ok(&["links", "postbacks-out", "--partner", "P1"]);
    assert!(out.contains("\tP1\tregistration\tpending\t0\t"), "{out}");
    let sent = w.ok(&["links", "send-postbacks"]);
    assert_eq!(sent.trim(), "postbacks: 1 sent, 0 to retry, 0 failed");
    assert_eq!(
        *hits.lock().unwrap(),
        vec!["/r?c=C1&code=AF1&a=".to_string()]
    );
    let again = w.ok(&["links", "send-postbacks"]);
    assert_eq!(again.trim(), "postbacks: 0 sent, 0 to retry, 0 failed");
    let out = w.ok(&["links", "postbacks-out", "--partner", "P1"]);
    assert!(out.contains("\tP1\tregistration\tsent\t1\t"), "{out}");
    assert!(
        out.contains("\t1\t200\t"),
        "the attempt logged with its status: {out}"
    );

    // Removed: listed no more.
    let s = w.ok(&[
        "links",
        "postback-url",
        "--partner",
        "P1",
        "--event",
        "registration",
        "--remove",
    ]);
    assert!(!s.contains("registration\t"), "{s}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compliance_flags_review_floods_and_link_only() {
    let w = World::new();
    let db = w.db.clone();
    let s = w.ok(&["compliance", "flood-limit"]);
    assert!(s.contains("more than 30 clicks"), "{s}");
    let s = w.ok(&["compliance", "flood-limit", "--clicks-per-hour", "3"]);
    assert!(s.contains("more than 3 clicks"), "{s}");
    w.fails(&["compliance", "flood-limit", "--clicks-per-hour", "0"]);
    assert!(w
        .ok(&["compliance", "flood-limit"])
        .contains("more than 3 clicks"));

    let s = w.ok(&["compliance", "link-only", "--partner", "P1"]);
    assert_eq!(s.trim(), "partner P1 is link-only");
    w.fails(&["compliance", "link-only", "--partner", "P404"]);

    // Five clicks of one visitor on AF1, and a registration without a click.
    let store = store_of(&db).await;
    let ctx = Context::new(store.clone(), Actor::with_roles("tester", &Role::ALL));
    partnerdesk_app::tracking::create_link(&ctx, "casino", "AF1", None)
        .await
        .unwrap();
    let visits: Vec<Visit> = (0..5)
        .map(|_| Visit {
            click_id: new_click_id(),
            at: Utc::now(),
            path: "AF1".into(),
            brand_id: "casino".into(),
            code: "AF1".into(),
            subs: Default::default(),
            campaign: None,
            referrer_host: None,
            country: None,
            ip: "203.0.113.7".parse().unwrap(),
            user_agent: "Mozilla/5.0 Firefox/128.0".into(),
            kind: ClickKind::Human,
        })
        .collect();
    ClickWriter::new(store.clone())
        .write(&visits)
        .await
        .unwrap();
    store.close().await;
    w.ok(&[
        "links",
        "postback-settings",
        "--brand",
        "casino",
        "--auth",
        "token",
    ]);
    assert_eq!(register(&db, "tok-2", "r1", "C1", "AF2").await, 200);

    assert_eq!(
        w.ok(&["compliance", "scan-floods"]).trim(),
        "1 new click-flood flags"
    );
    assert_eq!(
        w.ok(&["compliance", "scan-floods"]).trim(),
        "0 new click-flood flags",
        "one flag per link, visitor and day"
    );
    let flags = w.ok(&["compliance", "flags"]);
    let rows: Vec<Vec<&str>> = flags
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect())
        .collect();
    assert_eq!(rows.len(), 2, "{flags}");
    let kinds: Vec<&str> = rows.iter().map(|r| r[1]).collect();
    assert!(
        kinds.contains(&"click_flood") && kinds.contains(&"no_click"),
        "{flags}"
    );
    let no_click = rows.iter().find(|r| r[1] == "no_click").unwrap();
    assert_eq!(
        (no_click[2], no_click[3], no_click[5]),
        ("open", "P1", "C1")
    );

    // Review: --confirm or --dismiss is required; a reviewed flag stays as it is.
    let id = no_click[0];
    w.fails(&["compliance", "review", id]);
    let s = w.ok(&[
        "compliance",
        "review",
        id,
        "--dismiss",
        "--note",
        "offline campaign",
    ]);
    assert_eq!(s.trim(), format!("flag {id}: dismissed"));
    let e = w.fails(&["compliance", "review", id, "--confirm"]);
    assert!(!e.is_empty());
    w.fails(&["compliance", "review", "99999", "--confirm"]);
    let open = w.ok(&["compliance", "flags"]);
    assert_eq!(open.lines().count(), 2, "one open flag left: {open}");
    let all = w.ok(&["compliance", "flags", "--state", "all"]);
    assert!(
        all.contains("dismissed")
            && all.contains("(reviewed by ")
            && all.contains(": offline campaign)"),
        "{all}"
    );
    let s = w.ok(&["compliance", "link-only", "--partner", "P1", "--off"]);
    assert_eq!(s.trim(), "partner P1 is no longer link-only");
}

/// `links postback-secret` keeps the secret in the OS keyring (a headless
/// gnome-keyring here), prints it once, and never writes it to the database.
#[test]
fn postback_secret_goes_to_the_keyring() {
    let w = World::new();
    let out = w.run(&["links", "postback-secret", "--brand", "casino"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let secret = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let note = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(secret.len(), 64, "{secret}");
    assert!(secret.chars().all(|c| c.is_ascii_hexdigit()));
    assert!(note.contains("shown once"), "{note}");
    let s = w.ok(&["links", "postback-settings", "--brand", "casino"]);
    assert!(s.contains("secret: set"), "{s}");
    let other = w.ok(&["links", "postback-secret", "--brand", "casino"]);
    let other = other.trim();
    assert_ne!(other, secret, "a rotation makes a new secret");
    for name in ["pd.db", "pd.db-wal"] {
        if let Ok(bytes) = std::fs::read(w.db.with_file_name(name)) {
            for s in [secret.as_str(), other] {
                assert!(
                    !bytes.windows(s.len()).any(|w| w == s.as_bytes()),
                    "{name} holds a secret"
                );
            }
        }
    }
}
