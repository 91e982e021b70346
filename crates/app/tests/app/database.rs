//! Opening databases: good URLs, bad URLs, unreachable servers, foreign files.

use partnerdesk_app::database;
use partnerdesk_app::AppError;
use partnerdesk_store::StoreError;

#[tokio::test]
async fn a_url_that_does_not_parse_is_refused_clearly() {
    for bad in ["mysql://x/y", "sqlite:", "postgres://", "nonsense"] {
        let e = database::open(bad).await.err().expect("refused");
        assert_eq!(e.code(), "database_unavailable", "{bad}: {e}");
        assert!(
            matches!(e, AppError::Store(StoreError::InvalidUrl(_))),
            "{bad}: {e}"
        );
    }
}

#[tokio::test]
async fn an_unreachable_server_is_named_without_its_password() {
    // Port 1 on loopback: nothing listens there.
    let e = database::open("postgres://anna:s3cret@127.0.0.1:1/pd")
        .await
        .err()
        .expect("refused");
    let text = e.to_string();
    assert!(
        matches!(e, AppError::Store(StoreError::Unreachable { .. })),
        "{text}"
    );
    assert!(
        !text.contains("s3cret"),
        "the password never appears in an error: {text}"
    );
    let info = database::failed_info("postgres://anna:s3cret@127.0.0.1:1/pd", &e);
    assert!(!info.ok && !info.location.contains("s3cret"), "{:?}", info);
}

#[tokio::test]
async fn a_file_that_is_not_sqlite_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    std::fs::write(&path, "these are my notes, not a database\n".repeat(20)).unwrap();
    let e = database::open(&format!("sqlite:{}", path.display()))
        .await
        .err()
        .expect("refused");
    assert!(
        matches!(e, AppError::Store(StoreError::NotSqlite { .. })),
        "{e}"
    );
    assert!(
        e.to_string()
            .contains("not a Partnerdesk (SQLite) database"),
        "{e}"
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "these are my notes, not a database\n".repeat(20),
        "the file is unchanged"
    );
}

#[tokio::test]
async fn a_new_embedded_file_is_created_in_wal_mode_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite:{}",
        dir.path().join("nested/folder/pd.db").display()
    );
    let store = database::open(&url).await.unwrap();
    assert_eq!(database::info(&store).backend, "sqlite");
    store.close().await;
    let again = database::open(&url).await.unwrap();
    assert_eq!(
        again.read().await.unwrap().partner_count().await.unwrap(),
        0,
        "migrations apply once; reopening works"
    );
    again.close().await;
    assert!(
        dir.path().join("nested/folder/pd.db-wal").exists()
            || dir.path().join("nested/folder/pd.db").exists()
    );
}

/// An import's connection has a larger page cache; it is closed afterwards,
/// so no pooled connection keeps that cache (whose memory would otherwise
/// stay held for the life of the app).
async fn cache(c: &mut sqlx::AnyConnection) -> i64 {
    sqlx::query_scalar::<_, i64>("PRAGMA cache_size")
        .fetch_one(c)
        .await
        .unwrap()
}

async fn foreign_keys(c: &mut sqlx::AnyConnection) -> i64 {
    sqlx::query_scalar::<_, i64>("PRAGMA foreign_keys")
        .fetch_one(c)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bulk_connection_settings_never_return_to_the_pool() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("pd.db").display());
    let store = database::open(&url).await.unwrap();
    let normal = {
        let mut c = store.pool().acquire().await.unwrap();
        cache(&mut c).await
    };
    {
        let mut bulk = store.bulk().await.unwrap();
        let mut tx = bulk.begin().await.unwrap();
        let big = cache(&mut tx).await;
        assert!(big < normal, "a larger cache (in -KiB): {big} vs {normal}");
        assert_eq!(
            foreign_keys(&mut tx).await,
            0,
            "the import checks references itself"
        );
        tx.commit().await.unwrap();
    }
    // Every connection the pool can hand out at once.
    let mut all = Vec::new();
    for _ in 0..4 {
        all.push(store.pool().acquire().await.unwrap());
    }
    for c in &mut all {
        assert_eq!(cache(c).await, normal);
        assert_eq!(
            foreign_keys(c).await,
            1,
            "every pooled connection checks foreign keys"
        );
    }
    drop(all);
    store.close().await;
}
