//! A stored state is parsed once, when its row is read: a word the domain
//! does not know (written around the app, or by a damaged copy) is refused
//! as damaged data naming the table, the column, the value and the allowed
//! words, never passed on as text (docs/decisions.md §18).

use crate::on_both_backends;
use crate::support::TestDb;
use partnerdesk_app::access::Role;
use partnerdesk_app::{partners, AppError};
use partnerdesk_domain::approval::{ApprovalKind, ApprovalStatus};
use partnerdesk_domain::partner::PartnerStatus;
use partnerdesk_domain::sync_run::{ConnectionKind, PendingKind};
use partnerdesk_store::compliance::{insert_approval, insert_user, ApprovalRecord, UserRecord};
use partnerdesk_store::sync::{insert_connection, ConnectionRow};
use partnerdesk_store::sync_retry::{pending, put_pending, PendingRow};
use partnerdesk_store::StoreError;

async fn unknown_stored_state_is_refused(db: &TestDb) {
    let ctx = &db.ctx;
    let p = crate::partners::casino_and_partner(ctx, "P1", "Anna").await;
    assert_eq!(p.status, PartnerStatus::Active, "read back as the enum");

    // A misspelt word put in behind the app's back.
    sqlx::query("UPDATE partners SET status = 'actve' WHERE partner_id = 'P1'")
        .execute(ctx.store.pool())
        .await
        .unwrap();
    let e = partners::get(ctx, "P1").await.unwrap_err();
    assert!(
        matches!(e, AppError::Store(StoreError::Corrupt(_))),
        "damaged data, not a value: {e:?}"
    );
    assert_eq!(e.code(), "database");
    let message = e.to_string();
    for part in [
        "partners.status",
        "'actve'",
        "not a partner status",
        "applied, pending_review, active, suspended, terminated",
    ] {
        assert!(message.contains(part), "{part:?} missing from: {message}");
    }
    // Every read of the row says the same, lists included.
    let e = partners::search(ctx, &crate::partners::query(None))
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("partners.status holds 'actve'"),
        "{e}"
    );

    // Put right, it reads again; the canonical word is what is stored.
    sqlx::query("UPDATE partners SET status = 'suspended' WHERE partner_id = 'P1'")
        .execute(ctx.store.pool())
        .await
        .unwrap();
    let p = partners::get(ctx, "P1").await.unwrap();
    assert_eq!(p.partner.status, PartnerStatus::Suspended);
}

on_both_backends!(unknown_stored_state_is_refused);

/// Runs `sql` behind the app's back (a damaged copy, a hand edit).
async fn behind_the_back(db: &TestDb, sql: &str) -> Result<(), sqlx::Error> {
    sqlx::query(sql)
        .execute(db.ctx.store.pool())
        .await
        .map(|_| ())
}

/// `read` failed as damaged data naming `table.column` and the stored value.
fn refused_as_damaged<T: std::fmt::Debug>(read: Result<T, StoreError>, place: &str, value: &str) {
    match read {
        Err(StoreError::Corrupt(m)) => {
            let want = format!("{place} holds '{value}'");
            assert!(m.contains(&want), "{want:?} missing from: {m}");
        }
        other => panic!("{place} = '{value}' should be damaged data, not {other:?}"),
    }
}

/// Every column holding one of the domain's words (or a set of them) is
/// parsed when its row is read: a word that is not one is refused as damaged
/// data naming the table, the column and the value. Columns the database
/// already guards with a CHECK cannot hold such a word at all.
async fn every_typed_column_refuses_an_unknown_word(db: &TestDb) {
    let ctx = &db.ctx;
    crate::partners::casino_and_partner(ctx, "P1", "Anna").await;
    let now = "2026-07-01T00:00:00Z";
    let store = &ctx.store;
    let mut tx = store.begin().await.unwrap();

    // approvals.kind
    let approval = insert_approval(
        &mut tx,
        &ApprovalRecord {
            approval_id: 0,
            kind: ApprovalKind::PartnerActivate,
            object_type: "partner".into(),
            object_id: "P1".into(),
            summary: "activate P1".into(),
            payload: r#"{"partner_id":"P1"}"#.into(),
            amount: None,
            currency: None,
            required_approvals: 1,
            status: ApprovalStatus::Pending,
            maker: "tester".into(),
            created_at: now.into(),
            decided_at: None,
            object_maker: None,
        },
    )
    .await
    .unwrap()
    .expect("a new request");

    // connections.kind and sync_pending.kind
    insert_connection(
        &mut tx,
        &ConnectionRow {
            name: "shop".into(),
            kind: ConnectionKind::Csv,
            config: "{}".into(),
            schedule_minutes: None,
            created_at: now.into(),
            updated_at: now.into(),
        },
    )
    .await
    .unwrap();
    put_pending(
        &mut tx,
        "shop",
        &[PendingRow {
            stream: "orders".into(),
            record_key: "O1".into(),
            label: "order 1".into(),
            kind: PendingKind::Raw,
            payload: "null".into(),
            reason: "no customer".into(),
            first_seen: now.into(),
            last_tried: now.into(),
            attempts: 1,
        }],
    )
    .await
    .unwrap();

    // users.roles (last: with a user, single-user mode ends)
    insert_user(
        &mut tx,
        &UserRecord {
            user_id: "ann".into(),
            display_name: "Ann".into(),
            password_hash: "not a hash".into(),
            roles: [Role::Finance, Role::Admin].into_iter().collect(),
            disabled: false,
            failed_attempts: 0,
            locked_until: None,
            created_at: now.into(),
            updated_at: now.into(),
            row_version: 1,
            updated_by: String::new(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    // Written as the canonical words, read back as the values.
    let mut tx = store.read().await.unwrap();
    let ann = tx.user("ann").await.unwrap().unwrap();
    assert_eq!(
        ann.roles.iter().copied().collect::<Vec<_>>(),
        [Role::Admin, Role::Finance]
    );
    assert_eq!(
        tx.approval(approval).await.unwrap().unwrap().kind,
        ApprovalKind::PartnerActivate
    );
    assert_eq!(
        tx.connection("shop").await.unwrap().unwrap().kind,
        ConnectionKind::Csv
    );
    drop(tx);
    let stored: (String,) = sqlx::query_as("SELECT roles FROM users WHERE user_id = 'ann'")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(stored.0, "admin,finance", "the set's words in order");

    // A ledger entry is never updated (a trigger refuses): one is written
    // with a misspelt line kind instead.
    behind_the_back(
        db,
        "INSERT INTO ledger_entries (partner_id, currency, kind, amount, effective_date, period, brand_id, line_kind, \
         origin_period, source, reason, posted_at, posted_by) VALUES ('P1', 'EUR', 'commission', '1.00', '2026-07-31', \
         '2026-07', 'casino', 'rev_share', '', 'line:test', '', '2026-08-01T00:00:00Z', 'tester')",
    )
    .await
    .unwrap();
    for sql in [
        "UPDATE approvals SET kind = 'partner.activated'",
        "UPDATE connections SET kind = 'ftp'",
        "UPDATE sync_pending SET kind = 'cooked'",
        "UPDATE users SET roles = 'admin,root'",
    ] {
        behind_the_back(db, sql).await.unwrap();
    }

    let mut tx = store.read().await.unwrap();
    refused_as_damaged(tx.user("ann").await, "users.roles", "admin,root");
    refused_as_damaged(tx.users().await, "users.roles", "admin,root");
    refused_as_damaged(
        tx.approval(approval).await,
        "approvals.kind",
        "partner.activated",
    );
    refused_as_damaged(tx.connection("shop").await, "connections.kind", "ftp");
    refused_as_damaged(
        tx.ledger_entries("P1").await,
        "ledger_entries.line_kind",
        "rev_share",
    );
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    refused_as_damaged(
        pending(&mut tx, "shop", None, 10).await,
        "sync_pending.kind",
        "cooked",
    );
    drop(tx);

    // The role's message names what is wrong in the set and what is allowed.
    let e = store.read().await.unwrap().user("ann").await.unwrap_err();
    let message = e.to_string();
    for part in [
        "'root' is not a role",
        "admin, partner_manager, compliance, finance, viewer",
    ] {
        assert!(message.contains(part), "{part:?} missing from: {message}");
    }

    // KYC document types and traffic source kinds: the database refuses a
    // word that is not one, so none can be stored to be misread.
    for sql in [
        "INSERT INTO partner_documents (document_id, partner_id, doc_type, file_name, sha256, media_type, size_bytes, \
         status, uploaded_by, uploaded_at) VALUES ('DOC-1', 'P1', 'selfie', 'a.pdf', 'x', 'application/pdf', 1, \
         'submitted', 'tester', '2026-07-01T00:00:00Z')",
        "INSERT INTO traffic_sources (source_id, partner_id, kind, value, status, declared_by, declared_at) \
         VALUES ('TS-1', 'P1', 'billboard', 'x', 'pending', 'tester', '2026-07-01T00:00:00Z')",
    ] {
        assert!(behind_the_back(db, sql).await.is_err(), "refused: {sql}");
    }
}

on_both_backends!(every_typed_column_refuses_an_unknown_word);
