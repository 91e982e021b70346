//! The audit log against someone with write access to the database file or
//! server: a row put in directly is never adopted into the chain (not when
//! the database opens, not when it is verified), and an emptied log or a cut
//! end is reported without a kept head.

use crate::audit_log::{drop_guards, entries, sql};
use crate::on_both_backends;
use crate::support::TestDb;
use partnerdesk_app::{audit, database};

const FORGED: &str = "INSERT INTO audit_log (at, actor, action, object_type, object_id, after) VALUES ('2020-01-01T00:00:00.000000Z', 'alice', 'payment_details.set', 'partner', 'P-1', '{\"iban\":\"XX00 MALLORY\"}')";

async fn a_row_put_in_directly_stays_outside_the_chain(db: &TestDb) {
    let c = entries(db).await;
    sql(db, &[FORGED]).await;
    // Opening the database again (as every start and `audit verify` does)
    // used to seal the row into the chain, back-dated, as if genuine.
    let reopened = database::open(&db.url).await.unwrap();
    let mut again = c.clone();
    again.store = reopened;
    for ctx in [&c, &again] {
        let check = audit::verify(ctx, None).await.unwrap();
        assert!(!check.ok, "a forged row is reported: {}", check.message);
        assert!(
            check.message.contains("outside the chain"),
            "{}",
            check.message
        );
        assert_eq!(check.head_seq, 5, "the chain is the five entries written");
    }
    let page = audit::entries(
        &c,
        &audit::AuditQuery {
            actor: Some("alice".into()),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(
        page.entries.iter().all(|e| e.hash.is_empty() && e.seq == 0),
        "the forged row got no place in the chain: {:?}",
        page.entries
    );
    again.store.close().await;
    // Nor can it be given one by an update: entries are never changed.
    let e = db
        .ctx
        .store
        .raw_execute("UPDATE audit_log SET seq = 6 WHERE actor = 'alice'")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
}

async fn an_emptied_log_is_reported_without_a_kept_head(db: &TestDb) {
    let c = entries(db).await;
    drop_guards(db).await;
    sql(db, &["DELETE FROM audit_log"]).await;
    let check = audit::verify(&c, None).await.unwrap();
    assert!(!check.ok, "{}", check.message);
    assert!(check.message.contains("emptied"), "{}", check.message);
    assert_eq!(check.broken_seq, Some(1));
    // The record of what was written removed too: that is reported as well.
    sql(db, &["DELETE FROM meta WHERE key = 'audit_written'"]).await;
    let check = audit::verify(&c, None).await.unwrap();
    assert!(!check.ok, "{}", check.message);
    assert!(check.message.contains("missing"), "{}", check.message);
}

on_both_backends!(
    a_row_put_in_directly_stays_outside_the_chain,
    an_emptied_log_is_reported_without_a_kept_head,
);
