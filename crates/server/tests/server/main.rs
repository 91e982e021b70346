//! The tracking server over real HTTP, on a real SQLite file and on the
//! PostgreSQL server named by PARTNERDESK_TEST_POSTGRES_URL: redirects with
//! their placeholders and headers, the fallback, exact click counts under
//! concurrent load, unique clicks, bots and prefetches apart, edits seen
//! within the cache's time, and two instances on one database; postbacks
//! in over HTTP ([`postbacks`]); the access log, HTTPS and a database
//! outage ([`ops`]).

use partnerdesk_app::access::Role;
use partnerdesk_app::tracking::{self, TrackingSettings};
use partnerdesk_app::{import, Actor, Context};
use partnerdesk_server::Config;
use reqwest::header::{CACHE_CONTROL, LOCATION, PRAGMA};
use reqwest::StatusCode;
use std::time::Duration;

const LANDING: &str =
    "https://casino.example/land?cid={click_id}&btag={code}&s1={sub1}&s5={sub5}&c={campaign}";
const FALLBACK: &str = "https://casino.example/home";

struct Db {
    ctx: Context,
    pg: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

impl Db {
    /// None: PostgreSQL is not configured here (CI sets it).
    async fn new(postgres: bool, test: &str) -> Option<Db> {
        let dir = tempfile::tempdir().unwrap();
        let (url, pg) = if postgres {
            let Some(base) = std::env::var("PARTNERDESK_TEST_POSTGRES_URL")
                .ok()
                .filter(|s| !s.is_empty())
            else {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "PARTNERDESK_TEST_POSTGRES_URL is not set"
                );
                eprintln!(
                    "skipping {test} on PostgreSQL: PARTNERDESK_TEST_POSTGRES_URL is not set"
                );
                return None;
            };
            let name = format!("pd_srv_{}_{test}", std::process::id()).to_lowercase();
            let url = partnerdesk_store::create_postgres_database(&base, &name)
                .await
                .unwrap();
            (url, Some((base, name)))
        } else {
            (
                format!("sqlite:{}", dir.path().join("t.db").display()),
                None,
            )
        };
        let store = partnerdesk_app::database::open(&url).await.unwrap();
        let ctx = Context::new(store, Actor::with_roles("tester", &Role::ALL));
        setup(&ctx).await;
        Some(Db { ctx, pg, _dir: dir })
    }

    async fn finish(self) {
        self.ctx.store.close().await;
        if let Some((base, name)) = &self.pg {
            let _ = partnerdesk_store::drop_postgres_database(base, name).await;
        }
    }

    fn config(&self) -> Config {
        let mut c = Config::new("127.0.0.1:0".parse().unwrap(), "http://127.0.0.1");
        c.flush_every = Duration::from_millis(20);
        c.flush_max = 50;
        c.link_ttl = Duration::from_millis(300);
        // The tests are the proxy: X-Forwarded-For gives each visitor an address.
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        c.country_header = Some("CF-IPCountry".into());
        c
    }

    /// (clicks, unique, bots, prefetches) of a link, today.
    async fn counts(&self, path: &str) -> (u32, u32, u32, u32) {
        let today = chrono::Utc::now().date_naive();
        let yesterday = today.pred_opt().unwrap();
        tracking::click_counts(&self.ctx, yesterday, today)
            .await
            .unwrap()
            .into_iter()
            .filter(|c| c.path == path)
            .fold((0, 0, 0, 0), |a, c| {
                (
                    a.0 + c.clicks,
                    a.1 + c.unique_clicks,
                    a.2 + c.bots,
                    a.3 + c.prefetches,
                )
            })
    }
}

/// The tracking tests' world (tests/fixtures/tracking: brand `casino`,
/// partner `P1`, codes `AF1` and `AF2`), a link per code and the landing.
async fn setup(ctx: &Context) {
    let folder =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/tracking");
    import::import_folder(ctx, &folder).await.unwrap();
    for code in ["AF1", "AF2"] {
        tracking::create_link(ctx, "casino", code, None)
            .await
            .unwrap();
    }
    tracking::set_landing(ctx, "casino", LANDING).await.unwrap();
    tracking::set_settings(
        ctx,
        TrackingSettings {
            fallback_url: Some(FALLBACK.into()),
            path_scheme: "code".into(),
            public_url: None,
        },
    )
    .await
    .unwrap();
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(64)
        .build()
        .unwrap()
}

const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

async fn get(
    c: &reqwest::Client,
    base: &str,
    path: &str,
    ip: &str,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut r = c
        .get(format!("{base}{path}"))
        .header("user-agent", BROWSER)
        .header("x-forwarded-for", ip);
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    r.send().await.unwrap()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()[LOCATION].to_str().unwrap().to_string()
}

async fn redirects(db: &Db) {
    let server = partnerdesk_server::start(db.ctx.store.clone(), db.config())
        .await
        .unwrap();
    let base = format!("http://{}", server.local_addr());
    let c = client();
    let r = get(
        &c,
        &base,
        "/AF1?sub1=a%20b%26c&sub5=%C3%A9&campaign=winter&other=1",
        "203.0.113.5",
        &[
            ("referer", "https://News.Example.com/story?id=1"),
            ("cf-ipcountry", "de"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(
        r.headers()[CACHE_CONTROL],
        "no-store, no-cache, must-revalidate"
    );
    assert_eq!(r.headers()[PRAGMA], "no-cache");
    let loc = location(&r);
    let prefix = "https://casino.example/land?cid=";
    assert!(loc.starts_with(prefix), "{loc}");
    let click_id = &loc[prefix.len()..prefix.len() + 36];
    assert_eq!(
        &loc[prefix.len() + 36..],
        "&btag=AF1&s1=a%20b%26c&s5=%C3%A9&c=winter"
    );
    // Unknown links, odd paths and other methods go to the fallback.
    for path in ["/NOPE", "/a/b/c", "/", "/%00x", "/casino/AF1"] {
        let r = get(&c, &base, path, "203.0.113.5", &[]).await;
        assert_eq!(r.status(), StatusCode::FOUND, "{path}");
        assert_eq!(location(&r), FALLBACK, "{path}");
        assert_eq!(r.headers()[PRAGMA], "no-cache");
    }
    assert_eq!(
        c.get(format!("{base}/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        c.get(format!("{base}/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    // A HEAD is answered but not counted.
    let r = c.head(format!("{base}/AF1")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);

    // An edited link takes effect within the cache's time (300 ms here).
    tracking::set_link_landing(&db.ctx, "AF1", Some("https://promo.example/?x={click_id}"))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let r = get(&c, &base, "/AF1", "203.0.113.5", &[]).await;
    assert!(location(&r).starts_with("https://promo.example/?x="));

    let summary = server.shutdown().await.unwrap();
    assert_eq!((summary.written, summary.dropped), (2, 0));
    let mut tx = db.ctx.store.read().await.unwrap();
    let rows = tx.clicks_of("AF1").await.unwrap();
    drop(tx);
    assert_eq!(rows.len(), 2);
    let first = rows.iter().find(|r| r.click_id == click_id).unwrap();
    assert_eq!(first.subs[0].as_deref(), Some("a b&c"));
    assert_eq!(first.subs[4].as_deref(), Some("é"));
    assert_eq!(first.campaign.as_deref(), Some("winter"));
    assert_eq!(first.referrer_host.as_deref(), Some("news.example.com"));
    assert_eq!(first.country.as_deref(), Some("DE"));
    assert!(first.is_unique);
    assert!(!rows.iter().any(|r| r.visitor.contains("203.0.113")));
    // The same visitor again the same day: counted, not unique.
    assert_eq!(db.counts("AF1").await, (2, 1, 0, 0));
}

/// `n` requests from 16 concurrent clients over `servers`, spread over
/// `visitors` addresses; every 10th from a bot, every 7th a prefetch.
/// Returns the expected (clicks, unique, bots, prefetches) of AF1.
async fn load(servers: &[String], n: usize, visitors: usize) -> (u32, u32, u32, u32) {
    let c = client();
    let mut tasks = tokio::task::JoinSet::new();
    let sem = std::sync::Arc::new(tokio::sync::Semaphore::new(16));
    let mut expected = (0, 0, 0, 0);
    let mut seen = std::collections::HashSet::new();
    for i in 0..n {
        let bot = i % 10 == 0;
        let prefetch = !bot && i % 7 == 0;
        let ip = format!("198.51.100.{}", i % visitors);
        if bot {
            expected.2 += 1;
        } else if prefetch {
            expected.3 += 1;
        } else {
            expected.0 += 1;
            if seen.insert(ip.clone()) {
                expected.1 += 1;
            }
        }
        let base = servers[i % servers.len()].clone();
        let c = c.clone();
        let permit = sem.clone().acquire_owned().await.unwrap();
        tasks.spawn(async move {
            let mut r = c
                .get(format!("{base}/AF1?sub1={i}"))
                .header("x-forwarded-for", ip)
                .header(
                    "user-agent",
                    if bot {
                        "Mozilla/5.0 (compatible; bingbot/2.0)"
                    } else {
                        BROWSER
                    },
                );
            if prefetch {
                r = r.header("sec-purpose", "prefetch");
            }
            let status = r.send().await.unwrap().status();
            drop(permit);
            assert_eq!(status, StatusCode::FOUND);
        });
    }
    while let Some(t) = tasks.join_next().await {
        t.unwrap();
    }
    expected
}

async fn concurrent_clicks_counted_exactly(db: &Db) {
    let server = partnerdesk_server::start(db.ctx.store.clone(), db.config())
        .await
        .unwrap();
    let base = format!("http://{}", server.local_addr());
    let expected = load(&[base], 600, 40).await;
    let summary = server.shutdown().await.unwrap();
    assert_eq!((summary.written, summary.dropped), (600, 0));
    assert_eq!(db.counts("AF1").await, expected);
}

/// Two instances on one database: no click lost or doubled, and a visitor
/// who reaches both is unique once.
async fn two_instances(db: &Db) {
    let a = partnerdesk_server::start(db.ctx.store.clone(), db.config())
        .await
        .unwrap();
    // The second instance has a store of its own, as another process would.
    let url = match &db.pg {
        Some((base, name)) => {
            let mut u = url::Url::parse(base).unwrap();
            u.set_path(&format!("/{name}"));
            u.to_string()
        }
        None => db.ctx.store.location().to_string(),
    };
    let other = partnerdesk_app::database::open(&url).await.unwrap();
    let b = partnerdesk_server::start(other.clone(), db.config())
        .await
        .unwrap();
    let bases = [
        format!("http://{}", a.local_addr()),
        format!("http://{}", b.local_addr()),
    ];
    let expected = load(&bases, 800, 50).await;
    let sa = a.shutdown().await.unwrap();
    let sb = b.shutdown().await.unwrap();
    other.close().await;
    assert_eq!(sa.written + sb.written, 800);
    assert_eq!(sa.dropped + sb.dropped, 0);
    assert_eq!(db.counts("AF1").await, expected);
}

macro_rules! on_both_backends {
    ($($story:ident),+ $(,)?) => {
        $(
            mod $story {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let db = super::Db::new(false, stringify!($story)).await.unwrap();
                    super::$story(&db).await;
                    db.finish().await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    let Some(db) = super::Db::new(true, stringify!($story)).await else { return };
                    super::$story(&db).await;
                    db.finish().await;
                }
            }
        )+
    };
}

mod ops;
mod postbacks;
use ops::{access_log, database_outage, https};
use postbacks::{postbacks_at_once, postbacks_over_http};

on_both_backends!(
    access_log,
    https,
    database_outage,
    redirects,
    concurrent_clicks_counted_exactly,
    two_instances,
    postbacks_over_http,
    postbacks_at_once
);
