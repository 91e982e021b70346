//! A fresh, migrated database per test, on SQLite (a real file) or on the
//! PostgreSQL server named by PARTNERDESK_TEST_POSTGRES_URL (a new database
//! per test, dropped afterwards).

use partnerdesk_app::access::Role;
use partnerdesk_app::{Actor, Context};
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

pub struct TestDb {
    pub ctx: Context,
    pub url: String,
    pg: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl TestDb {
    /// None when the backend is not available here (never in CI: there it fails).
    pub async fn new(kind: Kind, test: &str) -> Option<TestDb> {
        let dir = tempfile::tempdir().expect("a temporary folder for the test");
        match kind {
            Kind::Sqlite => {
                let url = format!("sqlite:{}", dir.path().join("test.db").display());
                let store = partnerdesk_app::database::open(&url)
                    .await
                    .expect("open a new SQLite file");
                Some(TestDb {
                    ctx: Context::new(store, Actor::with_roles("tester", &Role::ALL))
                        .with_data_dir(dir.path().join("data")),
                    url,
                    pg: None,
                    _dir: dir,
                })
            }
            Kind::Postgres => {
                let Some(base) = std::env::var("PARTNERDESK_TEST_POSTGRES_URL")
                    .ok()
                    .filter(|s| !s.is_empty())
                else {
                    if std::env::var_os("CI").is_some() {
                        panic!("PARTNERDESK_TEST_POSTGRES_URL is not set: CI must run the PostgreSQL half (use `cargo xtask test`)");
                    }
                    eprintln!(
                        "skipping {test} on PostgreSQL: PARTNERDESK_TEST_POSTGRES_URL is not set"
                    );
                    return None;
                };
                let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let name = format!(
                    "pd_{}_{}_{n}",
                    std::process::id(),
                    test.chars()
                        .filter(|c| c.is_ascii_alphanumeric())
                        .take(30)
                        .collect::<String>()
                )
                .to_lowercase();
                let url = partnerdesk_store::create_postgres_database(&base, &name)
                    .await
                    .expect("create a test database on the PostgreSQL server");
                let store = partnerdesk_app::database::open(&url)
                    .await
                    .expect("open the new PostgreSQL database");
                if let Some(log) = std::env::var_os("PARTNERDESK_PG_TEST_LOG") {
                    use std::io::Write;
                    if let Ok(mut f) = std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(log)
                    {
                        let _ = writeln!(f, "postgres-test: ran {test}");
                    }
                }
                Some(TestDb {
                    ctx: Context::new(store, Actor::with_roles("tester", &Role::ALL))
                        .with_data_dir(dir.path().join("data")),
                    url,
                    pg: Some((base, name)),
                    _dir: dir,
                })
            }
        }
    }

    pub async fn finish(self) {
        self.ctx.store.close().await;
        if let Some((base, name)) = &self.pg {
            let _ = partnerdesk_store::drop_postgres_database(base, name).await;
        }
    }
}

/// Runs `$story(&Context)` as two tests: one on SQLite, one on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($story:ident),+ $(,)?) => {
        $(
            mod $story {
                use $crate::support::{Kind, TestDb};
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let db = TestDb::new(Kind::Sqlite, stringify!($story)).await.expect("SQLite is always available");
                    super::$story(&db).await;
                    db.finish().await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    let Some(db) = TestDb::new(Kind::Postgres, stringify!($story)).await else { return };
                    super::$story(&db).await;
                    db.finish().await;
                }
            }
        )+
    };
}

/// The repository's root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Example folders with expected exports: the repository's copy, and any in ../shared/examples.
pub fn example_folders() -> Vec<PathBuf> {
    let mut out = vec![repo_root().join("tests/fixtures/scenario-a")];
    if let Ok(entries) = std::fs::read_dir(repo_root().join("../shared/examples")) {
        let mut shared: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.join("expected").is_dir())
            .collect();
        shared.sort();
        out.extend(shared);
    }
    out
}

/// The test's context acting as `user` with `roles` (a named user: once the
/// database has users, they must exist there too, since a use case checks
/// its user's current roles).
pub fn as_user(db: &TestDb, user: &str, roles: &[Role]) -> Context {
    Context {
        actor: Actor::with_roles(user, roles),
        ..db.ctx.clone()
    }
}
