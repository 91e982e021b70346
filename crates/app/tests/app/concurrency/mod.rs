//! Writers at the same moment (docs/decisions.md, "One transaction per use
//! case"): several connections to one database, each a store of its own as
//! another instance of the app has, change the same things at once. One
//! test per rule here (counters counted in SQL, one pending request per
//! object, failed sign-ins, stale edits); the mixed suite with two
//! processes of the real binary is in `mixed.rs`.

mod mixed;

use crate::on_both_backends;
use crate::support::TestDb;
use partnerdesk_app::access::Role;
use partnerdesk_app::approvals::{self, Request};
use partnerdesk_app::change::{Change, LedgerAdjustment};
use partnerdesk_app::wire::PartnerInput;
use partnerdesk_app::{commissions, partners, users, Actor, AppError, Context, Store};
use std::future::Future;

/// `n` more connections to the test's database, each a store (and a pool)
/// of its own.
pub(crate) async fn stores(db: &TestDb, n: usize) -> Vec<Store> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(
            partnerdesk_app::database::open(&db.url)
                .await
                .expect("another connection to the test database"),
        );
    }
    out
}

/// `user` acting on `store`.
pub(crate) fn acting(db: &TestDb, store: &Store, user: &str, roles: &[Role]) -> Context {
    let mut c = db.ctx.clone();
    c.store = store.clone();
    c.actor = Actor::with_roles(user, roles);
    c
}

pub(crate) fn password(user: &str) -> String {
    format!("{user}-password-123")
}

/// Adds `user` (the first one must be an admin: it ends single-user mode).
pub(crate) async fn add_user(ctx: &Context, user: &str, roles: &[Role]) {
    let o = users::save(
        ctx,
        users::UserInput {
            user_id: user.into(),
            display_name: format!("User {user}"),
            roles: roles.to_vec(),
            disabled: false,
            password: password(user),
            row_version: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        o.state.as_str(),
        "done",
        "{user}: one admin, user changes apply at once"
    );
}

/// Runs every future at once, each on a task of its own, and gives their
/// results in the order given.
pub(crate) async fn at_once<T, F>(futures: Vec<F>) -> Vec<T>
where
    T: Send + 'static,
    F: Future<Output = T> + Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        out.push(h.await.expect("a task of the test ran to its end"));
    }
    out
}

/// Fails when a database's raw lock error reached a user.
pub(crate) fn assert_no_raw_lock_error(what: &str, text: &str) {
    assert!(
        !text.contains("database is locked") && !text.contains("database table is locked"),
        "{what}: SQLite's raw lock error reached the user: {text}"
    );
}

fn partner(id: &str) -> PartnerInput {
    PartnerInput {
        partner_id: id.into(),
        name: format!("Partner {id}"),
        kind: "affiliate".into(),
        currency: "EUR".into(),
        status: "active".into(),
        ..Default::default()
    }
}

async fn data_version(store: &Store) -> i64 {
    let v = store.read().await.unwrap().data_version().await.unwrap();
    v.parse().expect("the data version is a number")
}

/// 18 changes marked at once from three connections all move the data
/// version (read and written back by the caller, two of them would write the
/// same value and a run between them would take the second as computed), and
/// the earliest changed period is the one kept; 20 partners created at once
/// all succeed (with deferred SQLite transactions, 8 of 20 failed with
/// "database is locked").
async fn changes_at_the_same_moment_all_count(db: &TestDb) {
    let s = stores(db, 3).await;
    let before = data_version(&db.ctx.store).await;
    let marks = (0..18)
        .map(|i| {
            let store = s[i % 3].clone();
            // Periods 2026-04 to 2026-12, in no order.
            let period = format!("2026-{:02}", 4 + (i * 5) % 9);
            async move {
                let mut tx = store.begin().await?;
                commissions::mark_dirty(&mut tx, &period).await?;
                tx.commit().await?;
                Ok::<_, AppError>(())
            }
        })
        .collect();
    for r in at_once(marks).await {
        r.unwrap();
    }
    // 18 changes: 18 more.
    assert_eq!(
        data_version(&db.ctx.store).await,
        before + 18,
        "every change counts once, however many come at once"
    );
    let dirty = db
        .ctx
        .store
        .read()
        .await
        .unwrap()
        .meta_get("dirty_from")
        .await
        .unwrap();
    assert_eq!(
        dirty.as_deref(),
        Some("2026-04"),
        "the earliest period changed since the last run is kept"
    );

    let creates = (0..20)
        .map(|i| {
            let ctx = acting(db, &s[i % 3], "tester", &Role::ALL);
            async move { partners::create(&ctx, partner(&format!("C-{i:02}"))).await }
        })
        .collect();
    for r in at_once(creates).await {
        if let Err(e) = &r {
            assert_no_raw_lock_error("partners create", &e.to_string());
        }
        r.unwrap();
    }
    assert_eq!(
        data_version(&db.ctx.store).await,
        before + 18 + 20,
        "each created partner counts as a change"
    );
}

/// Twelve requests for the same object queued at once from three
/// connections: one waits in the queue, the others are refused naming it;
/// the store's unique index refuses a second pending request for an object
/// even where the check before it saw none.
async fn one_pending_request_per_object(db: &TestDb) {
    let s = stores(db, 3).await;
    let queue = (0..12)
        .map(|i| {
            let ctx = acting(db, &s[i % 3], "bob", &Role::ALL);
            async move {
                approvals::submit(
                    &ctx,
                    Request {
                        change: Change::LedgerAdjust(LedgerAdjustment { adjustment_id: 0 }),
                        object_type: "manual_adjustment",
                        object_id: "the-same",
                        summary: format!("request {i}"),
                        amount: None,
                        object_maker: None,
                    },
                )
                .await
            }
        })
        .collect();
    let results = at_once(queue).await;
    let queued: Vec<i64> = results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|a| a.as_ref().expect("moving money always waits").approval_id)
        .collect();
    assert_eq!(queued.len(), 1, "exactly one request waits: {results:?}");
    let id = queued[0];
    for e in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(
            e.to_string(),
            format!("a manual ledger adjustment for the-same already waits for approval (request #{id}); approve or reject it first"),
        );
    }
    let pending = approvals::list(&db.ctx, Some("pending".into()))
        .await
        .unwrap();
    assert_eq!(
        pending.iter().filter(|a| a.object_id == "the-same").count(),
        1,
        "one pending request for the object in the queue"
    );

    // The index itself: a second pending row for the object is not stored.
    use partnerdesk_store::compliance::{insert_approval, ApprovalRecord};
    let record = ApprovalRecord {
        approval_id: 0,
        kind: approvals::Kind::LedgerAdjust,
        object_type: "manual_adjustment".into(),
        object_id: "the-same".into(),
        summary: "behind the check's back".into(),
        payload: "{}".into(),
        amount: None,
        currency: None,
        required_approvals: 1,
        status: partnerdesk_domain::approval::ApprovalStatus::Pending,
        maker: "bob".into(),
        created_at: "2026-01-01T00:00:00.000000000Z".into(),
        decided_at: None,
        object_maker: None,
    };
    let mut tx = db.ctx.store.begin().await.unwrap();
    assert_eq!(
        insert_approval(&mut tx, &record).await.unwrap(),
        None,
        "the index keeps one pending request per kind and object"
    );
    let other = ApprovalRecord {
        object_id: "another".into(),
        ..record
    };
    assert!(insert_approval(&mut tx, &other).await.unwrap().is_some());
    tx.rollback().await.unwrap();
}

/// 30 wrong passwords at once from three connections: 30 failures counted
/// (each audited with its own number, 1 to 30), the account waiting; the
/// right password is refused while it waits.
async fn wrong_passwords_at_once_all_count(db: &TestDb) {
    add_user(&db.ctx, "alice", &[Role::Admin]).await;
    let s = stores(db, 3).await;
    let tries = (0..30)
        .map(|i| {
            let store = s[i % 3].clone();
            async move { users::sign_in(&store, "alice", "not her password").await }
        })
        .collect();
    let results = at_once(tries).await;
    let mut plain = 0;
    for r in &results {
        let e = r.as_ref().expect_err("a wrong password never signs in");
        let text = e.to_string();
        assert_no_raw_lock_error("sign-in", &text);
        plain += usize::from(text == "the user name or password is wrong");
    }
    assert_eq!(
        plain, 2,
        "the first two failures get the plain answer; from the third on the account waits"
    );
    let u = db
        .ctx
        .store
        .read()
        .await
        .unwrap()
        .user("alice")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(u.failed_attempts, 30, "30 wrong passwords, 30 failures");
    let until = u.locked_until.expect("the account waits");
    assert!(
        until > partnerdesk_domain::data::time_to_text(&chrono::Utc::now()),
        "it waits now: {until}"
    );
    let admin = acting(db, &db.ctx.store, "alice", &[Role::Admin]);
    let log = partnerdesk_app::audit::entries(
        &admin,
        &partnerdesk_app::audit::AuditQuery {
            object_type: Some("user".into()),
            object_id: Some("alice".into()),
            action: Some("sign_in.failed".into()),
            limit: 1000,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let mut numbers: Vec<u32> = log
        .entries
        .iter()
        .filter_map(|e| {
            let after = e.after.as_deref()?;
            let n = after.split("(attempt ").nth(1)?.split(')').next()?;
            n.parse().ok()
        })
        .collect();
    numbers.sort_unstable();
    assert_eq!(
        numbers,
        (1..=30).collect::<Vec<u32>>(),
        "each failure counted once, none lost or counted twice"
    );
    let e = users::sign_in(&db.ctx.store, "alice", &password("alice"))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("try again in"), "{e}");
}

/// An edit made from the version a form was opened at is refused once
/// someone else changed the partner (or the user) since, saying who and
/// when, and changes nothing; twelve scripted edits at once (read and
/// written in one transaction) each keep the others' changes.
async fn stale_edits_are_refused_and_none_is_lost(db: &TestDb) {
    let tester = db.ctx.clone();
    partners::create(&tester, partner("P-1")).await.unwrap();
    let opened = partners::get(&tester, "P-1").await.unwrap();
    assert_eq!(opened.row_version, 1);
    let bob = acting(db, &db.ctx.store, "bob", &Role::ALL);
    partners::edit(
        &bob,
        "P-1",
        PartnerInput {
            name: "Bob's name".into(),
            row_version: Some(opened.row_version),
            ..partner("P-1")
        },
    )
    .await
    .unwrap();
    let e = partners::edit(
        &tester,
        "P-1",
        PartnerInput {
            name: "Stale name".into(),
            row_version: Some(opened.row_version),
            ..partner("P-1")
        },
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), "stale", "{e}");
    let text = e.to_string();
    assert!(
        text.starts_with("this partner was changed by bob at ")
            && text.ends_with(" UTC since you opened it; reload"),
        "{text}"
    );
    let now = partners::get(&tester, "P-1").await.unwrap();
    assert_eq!(
        now.partner.name, "Bob's name",
        "the stale edit changed nothing"
    );
    assert_eq!(now.row_version, 2);

    // Twelve tags added at once from three connections, each edit made from
    // the partner as stored when it is written.
    let s = stores(db, 3).await;
    let edits = (0..12)
        .map(|i| {
            let ctx = acting(db, &s[i % 3], "tester", &Role::ALL);
            async move {
                partners::edit_from(&ctx, "P-1", |mut p| {
                    p.tags.push(format!("tag-{i:02}"));
                    p
                })
                .await
            }
        })
        .collect();
    for r in at_once(edits).await {
        r.unwrap();
    }
    let now = partners::get(&tester, "P-1").await.unwrap();
    let mut tags = now.partner.tags.clone();
    tags.sort();
    assert_eq!(
        tags,
        (0..12).map(|i| format!("tag-{i:02}")).collect::<Vec<_>>(),
        "every edit's tag is kept"
    );
    assert_eq!(now.row_version, 2 + 12, "each edit moved the version once");

    // Users: the same rule.
    add_user(&db.ctx, "alice", &[Role::Admin]).await;
    let alice = acting(db, &db.ctx.store, "alice", &[Role::Admin]);
    add_user(&alice, "carol", &[Role::Compliance]).await;
    let carol = users::list(&alice)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.user_id == "carol")
        .unwrap();
    let change = |name: &str| users::UserInput {
        user_id: "carol".into(),
        display_name: name.into(),
        roles: vec![Role::Compliance],
        disabled: false,
        password: String::new(),
        row_version: Some(carol.row_version),
    };
    users::save(&alice, change("Carol C.")).await.unwrap();
    let e = users::save(&alice, change("Carol D.")).await.unwrap_err();
    assert_eq!(e.code(), "stale", "{e}");
    assert!(
        e.to_string()
            .starts_with("this user was changed by alice at "),
        "{e}"
    );
}

on_both_backends!(
    changes_at_the_same_moment_all_count,
    one_pending_request_per_object,
    wrong_passwords_at_once_all_count,
    stale_edits_are_refused_and_none_is_lost
);
