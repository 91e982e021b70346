//! The server's operations: the access log's JSON lines (and what they
//! never hold), HTTPS with an rcgen certificate (a redirect followed by a
//! client that trusts it, clear errors for bad files), and clicks kept
//! while the database refuses them, all written once it is back.

use super::{client, get, Db, BROWSER};
use partnerdesk_app::tracking;
use partnerdesk_server::{AccessLogTo, TlsFiles};
use reqwest::StatusCode;
use std::time::Duration;

fn lines(path: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

pub async fn access_log(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("access.log");
    let mut config = db.config();
    config.access_log = AccessLogTo::File(path.clone());
    config.instance_id = "i-test".into();
    let server = partnerdesk_server::start(db.ctx.store.clone(), config.clone())
        .await
        .unwrap();
    let base = format!("http://{}", server.local_addr());
    let c = client();
    let r = get(
        &c,
        &base,
        "/AF1?sub1=partner-secret&campaign=x",
        "203.0.113.77",
        &[],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FOUND);
    // get() sends a browser's user agent; a bot sends its own.
    c.get(format!("{base}/AF1"))
        .header("user-agent", "Googlebot/2.1")
        .header("x-forwarded-for", "203.0.113.78")
        .send()
        .await
        .unwrap();
    get(
        &c,
        &base,
        "/AF2",
        "203.0.113.79",
        &[("sec-purpose", "prefetch")],
    )
    .await;
    get(
        &c,
        &base,
        "/no-such-link?sub1=partner-secret",
        "203.0.113.77",
        &[],
    )
    .await;
    c.get(format!("{base}/healthz")).send().await.unwrap();
    server.shutdown().await.unwrap();

    let text = std::fs::read_to_string(&path).unwrap();
    for personal in [
        "203.0.113",
        "partner-secret",
        "campaign",
        "Mozilla",
        "Googlebot",
        "?",
    ] {
        assert!(
            !text.contains(personal),
            "{personal} in the access log:\n{text}"
        );
    }
    let logged = lines(&path);
    assert_eq!(logged.len(), 5, "{text}");
    let routes: Vec<_> = logged
        .iter()
        .map(|l| l["route"].as_str().unwrap())
        .collect();
    assert_eq!(
        routes,
        [
            "/{code}",
            "/{code}",
            "/{code}",
            "(unknown link)",
            "/healthz"
        ]
    );
    let visitors: Vec<_> = logged.iter().map(|l| l["visitor"].as_str()).collect();
    assert_eq!(
        visitors,
        [Some("human"), Some("bot"), Some("prefetch"), None, None]
    );
    for l in &logged {
        let mut keys: Vec<_> = l.as_object().unwrap().keys().map(String::as_str).collect();
        keys.retain(|k| *k != "visitor");
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "instance",
                "latency_ms",
                "method",
                "route",
                "status",
                "time"
            ],
            "{l}"
        );
        assert_eq!(l["method"], "GET");
        assert_eq!(l["instance"], "i-test");
        assert!(l["latency_ms"].as_f64().unwrap() >= 0.0);
        assert!(
            chrono::DateTime::parse_from_rfc3339(l["time"].as_str().unwrap()).is_ok(),
            "{l}"
        );
    }
    assert_eq!(logged[0]["status"], 302);
    assert_eq!(logged[4]["status"], 200);

    // The operator opts in: the visitor's address (as read through the
    // trusted proxy), still no query string or user agent.
    config.log_visitor_ip = true;
    let server = partnerdesk_server::start(db.ctx.store.clone(), config)
        .await
        .unwrap();
    let base = format!("http://{}", server.local_addr());
    get(&c, &base, "/AF1?sub1=partner-secret", "203.0.113.80", &[]).await;
    server.shutdown().await.unwrap();
    let logged = lines(&path);
    assert_eq!(logged.len(), 6);
    assert_eq!(logged[5]["ip"], "203.0.113.80");
    assert!(!std::fs::read_to_string(&path)
        .unwrap()
        .contains("partner-secret"));
}

/// A throw-away CA-less certificate for 127.0.0.1: (cert PEM, key PEM).
fn certificate() -> (String, String) {
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    (cert.pem(), key.serialize_pem())
}

pub async fn https(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let (cert_pem, key_pem) = certificate();
    let files = TlsFiles {
        cert: dir.path().join("cert.pem"),
        key: dir.path().join("key.pem"),
    };
    std::fs::write(&files.cert, &cert_pem).unwrap();
    std::fs::write(&files.key, &key_pem).unwrap();

    // Bad files: refused before anything listens, each saying which file.
    let start_with = |tls: TlsFiles| {
        let mut c = db.config();
        c.tls = Some(tls);
        partnerdesk_server::start(db.ctx.store.clone(), c)
    };
    let missing = TlsFiles {
        cert: dir.path().join("nope.pem"),
        key: files.key.clone(),
    };
    let e = start_with(missing).await.err().unwrap().to_string();
    assert!(
        e.contains("cannot read the TLS certificate file") && e.contains("nope.pem"),
        "{e}"
    );
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "not a certificate").unwrap();
    let e = start_with(TlsFiles {
        cert: garbage.clone(),
        key: files.key.clone(),
    })
    .await
    .err()
    .unwrap()
    .to_string();
    assert!(e.contains("holds no PEM certificate"), "{e}");
    let e = start_with(TlsFiles {
        cert: files.cert.clone(),
        key: garbage,
    })
    .await
    .err()
    .unwrap()
    .to_string();
    assert!(e.contains("holds no PEM private key"), "{e}");
    let other_key = dir.path().join("other.pem");
    std::fs::write(&other_key, certificate().1).unwrap();
    let e = start_with(TlsFiles {
        cert: files.cert.clone(),
        key: other_key,
    })
    .await
    .err()
    .unwrap()
    .to_string();
    assert!(e.contains("does not belong to the certificate"), "{e}");
    assert!(!e.contains("PRIVATE KEY"), "{e}");

    let mut config = db.config();
    config.tls = Some(files);
    let server = partnerdesk_server::start(db.ctx.store.clone(), config)
        .await
        .unwrap();
    let base = format!("https://{}", server.local_addr());
    // The link lands on this same server, so the client follows the
    // redirect over HTTPS to a page it can load.
    tracking::set_link_landing(
        &db.ctx,
        "AF1",
        Some(&format!("{base}/healthz?cid={{click_id}}")),
    )
    .await
    .unwrap();
    let trusting = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert_pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    let r = trusting
        .get(format!("{base}/AF1"))
        .header("user-agent", BROWSER)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.url().path().ends_with("/healthz"), "{}", r.url());
    assert_eq!(r.text().await.unwrap(), "ok\n");
    // A client that does not trust it gets no answer; plain HTTP neither.
    assert!(reqwest::get(format!("{base}/AF1")).await.is_err());
    let plain = format!("http://{}/AF1", server.local_addr());
    assert!(client().get(plain).send().await.is_err());
    // Graceful shutdown still writes the click.
    let summary = server.shutdown().await.unwrap();
    assert_eq!((summary.written, summary.dropped), (1, 0));
    assert_eq!(db.counts("AF1").await.0, 1);
}

/// Sends `n` visits to AF1, each must be redirected at once.
async fn visits(base: &str, n: usize, from: usize) {
    let c = client();
    for i in from..from + n {
        let t = std::time::Instant::now();
        let r = get(
            &c,
            base,
            &format!("/AF1?sub1=v{i}"),
            &format!("198.51.100.{}", i % 200),
            &[],
        )
        .await;
        assert_eq!(r.status(), StatusCode::FOUND);
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "a redirect waited {:?} for the database",
            t.elapsed()
        );
    }
}

/// The database refuses connections (PostgreSQL: ALLOW_CONNECTIONS false
/// and every session ended; SQLite: another connection holds the write
/// lock), visitors are still redirected, and every click is stored once
/// the database is back.
pub async fn database_outage(db: &Db) {
    let mut config = db.config();
    // The link is cached for the whole outage only if read before it; a
    // stale entry is used while the database cannot be read.
    config.link_ttl = Duration::from_millis(100);
    let server = partnerdesk_server::start(db.ctx.store.clone(), config)
        .await
        .unwrap();
    let base = format!("http://{}", server.local_addr());
    visits(&base, 20, 0).await;
    for _ in 0..200 {
        if db.counts("AF1").await.0 == 20 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(db.counts("AF1").await.0, 20);

    let outage = Outage::begin(db).await;
    visits(&base, 100, 20).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    // The outage is real: PostgreSQL refuses the server (not ready);
    // SQLite still reads (WAL) but no click of it has been written.
    match &outage {
        Outage::Postgres { .. } => {
            let r = client().get(format!("{base}/readyz")).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        }
        Outage::Sqlite(_) => assert_eq!(db.counts("AF1").await.0, 20),
    }
    outage.end().await;

    let mut stored = 0;
    for _ in 0..600 {
        stored = db.counts("AF1").await.0;
        if stored == 120 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        stored, 120,
        "every click of the outage is written once it ends"
    );
    let summary = server.shutdown().await.unwrap();
    assert_eq!((summary.written, summary.dropped), (120, 0));
    assert_eq!(db.counts("AF1").await.0, 120);
}

enum Outage {
    Postgres {
        admin: sqlx::PgConnection,
        name: String,
    },
    Sqlite(sqlx::SqliteConnection),
}

impl Outage {
    async fn begin(db: &Db) -> Outage {
        use sqlx::Connection;
        match &db.pg {
            Some((base, name)) => {
                let mut admin = sqlx::PgConnection::connect(base).await.unwrap();
                sqlx::query(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"))
                    .execute(&mut admin)
                    .await
                    .unwrap();
                sqlx::query(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                     WHERE datname = $1 AND pid <> pg_backend_pid()",
                )
                .bind(name)
                .execute(&mut admin)
                .await
                .unwrap();
                Outage::Postgres {
                    admin,
                    name: name.clone(),
                }
            }
            None => {
                let path = db.ctx.store.location().to_string();
                let path = path.strip_prefix("sqlite:").unwrap_or(&path).to_string();
                let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite:{path}"))
                    .await
                    .unwrap();
                sqlx::query("BEGIN EXCLUSIVE")
                    .execute(&mut conn)
                    .await
                    .unwrap();
                Outage::Sqlite(conn)
            }
        }
    }

    async fn end(self) {
        match self {
            Outage::Postgres { mut admin, name } => {
                sqlx::query(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"))
                    .execute(&mut admin)
                    .await
                    .unwrap();
            }
            Outage::Sqlite(mut conn) => {
                sqlx::query("ROLLBACK").execute(&mut conn).await.unwrap();
            }
        }
    }
}
