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

    // The checked codes (currencies, countries, periods) likewise.
    checked_codes_refuse_what_they_are_not(db, approval).await;

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

/// The id of the ledger entry posted with `source`.
async fn entry_id(db: &TestDb, source: &str) -> i64 {
    sqlx::query_scalar("SELECT entry_id FROM ledger_entries WHERE source = $1")
        .bind(source)
        .fetch_one(db.ctx.store.pool())
        .await
        .unwrap()
}

/// Every column holding a currency, a country or a period (issue 26's last
/// part) is parsed when its row is read: text that is not one is refused as
/// damaged data naming the table, the column and the value. '' stays what it
/// means in each column (no period, an unknown country).
async fn checked_codes_refuse_what_they_are_not(db: &TestDb, approval: i64) {
    let store = &db.ctx.store;
    // Ledger entries are never updated: one row per damaged column, each
    // read on its own (after the line-kind row the caller adds, by date).
    for (column, currency, period, origin) in [
        ("currency", "EUE", "2026-07", ""),
        ("period", "EUR", "2026-13", ""),
        ("origin_period", "EUR", "2026-08", "06/2026"),
    ] {
        behind_the_back(
            db,
            &format!(
                "INSERT INTO ledger_entries (partner_id, currency, kind, amount, effective_date, period, brand_id,                  line_kind, origin_period, source, reason, posted_at, posted_by) VALUES ('P1', '{currency}', 'adjustment',                  '1.00', '2026-09-30', '{period}', 'casino', '', '{origin}', 'bad:{column}', '', '2026-10-01T00:00:00Z', 'tester')"
            ),
        )
        .await
        .unwrap();
    }
    for sql in [
        "INSERT INTO manual_adjustments (partner_id, currency, amount, reason, state, requested_by, requested_at)          VALUES ('P1', 'euro', '1.00', 'test', 'pending', 'tester', '2026-07-01T00:00:00Z')",
        "INSERT INTO commission_lines (period, partner_id, brand_id, kind, origin_period, amount, amount_cents, currency,          amount_brand, brand_currency, fx_rate, explanation) VALUES ('2026-07', 'P1', 'casino', 'adjustment', '2026-6',          '1.00', 100, 'EUR', '1.00', 'EUR', '1', '{}')",
        "INSERT INTO payout_thresholds (currency, amount) VALUES ('EU', '50.00')",
        "INSERT INTO payout_runs (pay_date, period, state, created_at, created_by)          VALUES ('2026-07-31', '', 'draft', '2026-07-31T00:00:00Z', 'tester')",
        "INSERT INTO payout_items (run_id, partner_id, currency, amount, method, holder, account, state)          VALUES ((SELECT MAX(run_id) FROM payout_runs), 'P1', 'XXX1', '1.00', 'bank_transfer', 'Anna', 'DE89370400440532013000', 'pending')",
        "INSERT INTO payout_held (run_id, partner_id, currency, amount, reason) VALUES ((SELECT MAX(run_id) FROM payout_runs), 'P1', 'eur', '1.00', 'held')",
        "UPDATE approvals SET currency = 'EURO'",
        "INSERT INTO customers (customer_id, brand_id, tracking_code, country, registered_at, status)          VALUES ('C1', 'casino', NULL, 'XX', '2026-07-01T00:00:00Z', 'active')",
        "INSERT INTO partner_allowed_countries (partner_id, country) VALUES ('P1', 'de')",
    ] {
        behind_the_back(db, sql).await.unwrap();
    }
    let run: i64 = sqlx::query_scalar("SELECT MAX(run_id) FROM payout_runs")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let ids = [
        entry_id(db, "bad:currency").await,
        entry_id(db, "bad:period").await,
        entry_id(db, "bad:origin_period").await,
    ];
    let adjustment: i64 =
        sqlx::query_scalar("SELECT adjustment_id FROM manual_adjustments WHERE currency = 'euro'")
            .fetch_one(store.pool())
            .await
            .unwrap();

    let mut tx = store.read().await.unwrap();
    refused_as_damaged(
        tx.ledger_entry(ids[0]).await,
        "ledger_entries.currency",
        "EUE",
    );
    refused_as_damaged(
        tx.ledger_entry(ids[1]).await,
        "ledger_entries.period",
        "2026-13",
    );
    refused_as_damaged(
        tx.ledger_entry(ids[2]).await,
        "ledger_entries.origin_period",
        "06/2026",
    );
    refused_as_damaged(
        tx.manual_adjustment(adjustment).await,
        "manual_adjustments.currency",
        "euro",
    );
    let july = partnerdesk_domain::Period::parse("period", "2026-07").unwrap();
    refused_as_damaged(
        tx.period_lines(july).await,
        "commission_lines.origin_period",
        "2026-6",
    );
    refused_as_damaged(
        tx.payout_thresholds().await,
        "payout_thresholds.currency",
        "EU",
    );
    refused_as_damaged(tx.payout_items(run).await, "payout_items.currency", "XXX1");
    refused_as_damaged(tx.payout_run_sums().await, "payout_items.currency", "XXX1");
    refused_as_damaged(tx.payout_held(run).await, "payout_held.currency", "eur");
    refused_as_damaged(tx.approval(approval).await, "approvals.currency", "EURO");
    refused_as_damaged(tx.customer("C1").await, "customers.country", "XX");
    refused_as_damaged(
        tx.allowed_countries("P1").await,
        "partner_allowed_countries.country",
        "de",
    );
    drop(tx);

    // Put right (or taken away), each reads again, and '' is what it always
    // meant: an unknown country, no origin period.
    for sql in [
        "UPDATE approvals SET currency = NULL",
        "UPDATE customers SET country = '' WHERE customer_id = 'C1'",
        "DELETE FROM partner_allowed_countries WHERE partner_id = 'P1'",
        "DELETE FROM payout_thresholds",
        "DELETE FROM payout_held",
        "DELETE FROM payout_items",
        "DELETE FROM payout_runs",
        "DELETE FROM commission_lines",
        "DELETE FROM manual_adjustments",
    ] {
        behind_the_back(db, sql).await.unwrap();
    }
    let mut tx = store.read().await.unwrap();
    assert_eq!(tx.approval(approval).await.unwrap().unwrap().currency, None);
    assert_eq!(tx.customer("C1").await.unwrap().unwrap().country, None);
    assert!(tx.allowed_countries("P1").await.unwrap().is_empty());
    assert!(tx.payout_thresholds().await.unwrap().is_empty());
}
