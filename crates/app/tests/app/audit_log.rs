//! The tamper-evident audit log on both backends: the database refuses to
//! change or delete entries, and `audit verify` names a changed entry, a
//! reordering, a deletion and a cut end. The set-up (`entries`, `sql`,
//! `drop_guards`) is shared with `audit_forgery.rs`.

use crate::compliance::partners_input;
use crate::on_both_backends;
use crate::support::{example_folders, TestDb};
use partnerdesk_app::{audit, import, partners, Context};

pub async fn entries(db: &TestDb) -> Context {
    // A few audited changes: brands, partners, a plan.
    import::import_folder(&db.ctx, &example_folders()[0])
        .await
        .unwrap();
    for i in 0..4 {
        partners::create(
            &db.ctx,
            partnerdesk_app::wire::PartnerInput {
                name: format!("Tamper test {i}"),
                ..partners_input(&format!("T-{i}"), "applied")
            },
        )
        .await
        .unwrap();
    }
    let c = db.ctx.clone();
    let check = audit::verify(&c, None).await.unwrap();
    assert!(check.ok, "{}", check.message);
    assert_eq!(check.entries, 5);
    c
}

pub async fn sql(db: &TestDb, statements: &[&str]) {
    for s in statements {
        sqlx_exec(db, s).await;
    }
}

async fn sqlx_exec(db: &TestDb, statement: &str) {
    db.ctx
        .store
        .raw_execute(statement)
        .await
        .unwrap_or_else(|e| panic!("{statement}: {e}"));
}

pub async fn drop_guards(db: &TestDb) {
    match db.ctx.store.backend() {
        partnerdesk_store::Backend::Sqlite => {
            sql(
                db,
                &[
                    "DROP TRIGGER audit_log_no_update",
                    "DROP TRIGGER audit_log_no_delete",
                ],
            )
            .await
        }
        partnerdesk_store::Backend::Postgres => {
            sql(db, &["DROP TRIGGER audit_log_append_only ON audit_log"]).await
        }
    }
}

async fn the_database_refuses_to_change_or_delete_audit_entries(db: &TestDb) {
    entries(db).await;
    for s in [
        "UPDATE audit_log SET actor = 'mallory' WHERE seq = 2",
        "DELETE FROM audit_log WHERE seq = 2",
    ] {
        let e = db.ctx.store.raw_execute(s).await.unwrap_err();
        assert!(e.to_string().contains("append-only"), "{s}: {e}");
    }
}

async fn verify_names_a_changed_entry(db: &TestDb) {
    let c = entries(db).await;
    drop_guards(db).await;
    sql(db, &["UPDATE audit_log SET after = REPLACE(after, 'Tamper test 1', 'Tamper test X') WHERE seq = 3"]).await;
    let check = audit::verify(&c, None).await.unwrap();
    assert!(!check.ok);
    assert_eq!(check.broken_seq, Some(3), "{}", check.message);
    assert!(check.message.contains("was changed"), "{}", check.message);
}

async fn verify_names_a_reordering(db: &TestDb) {
    let c = entries(db).await;
    drop_guards(db).await;
    sql(
        db,
        &[
            "UPDATE audit_log SET seq = -2 WHERE seq = 2",
            "UPDATE audit_log SET seq = 2 WHERE seq = 3",
            "UPDATE audit_log SET seq = 3 WHERE seq = -2",
        ],
    )
    .await;
    let check = audit::verify(&c, None).await.unwrap();
    assert!(!check.ok);
    assert_eq!(check.broken_seq, Some(2), "{}", check.message);
}

async fn verify_names_a_deletion_and_a_cut_end(db: &TestDb) {
    let c = entries(db).await;
    let kept = audit::head(&c).await.unwrap();
    assert!(kept.starts_with("5:"), "{kept}");
    drop_guards(db).await;
    sql(db, &["DELETE FROM audit_log WHERE seq = 5"]).await;
    // The last position written is kept apart from the log: a cut end is
    // seen without a kept head.
    let alone = audit::verify(&c, None).await.unwrap();
    assert!(!alone.ok, "a cut end is reported: {}", alone.message);
    assert!(
        alone
            .message
            .contains("wrote 5 entries but the log ends at entry 4"),
        "{}",
        alone.message
    );
    let with_head = audit::verify(&c, Some(&kept)).await.unwrap();
    assert!(!with_head.ok);
    assert!(
        with_head.message.contains("removed from the end"),
        "{}",
        with_head.message
    );
    sql(db, &["DELETE FROM audit_log WHERE seq = 2"]).await;
    let check = audit::verify(&c, None).await.unwrap();
    assert!(!check.ok);
    assert_eq!(check.broken_seq, Some(3), "{}", check.message);
    assert!(
        check.message.contains("expected position 2"),
        "{}",
        check.message
    );
}

on_both_backends!(
    the_database_refuses_to_change_or_delete_audit_entries,
    verify_names_a_changed_entry,
    verify_names_a_reordering,
    verify_names_a_deletion_and_a_cut_end,
);
