//! The approvals queue's own rules, on both backends: every kind of request
//! is decided by exactly the roles `access.rs` gives its direct use case,
//! through the queue's door and the direct one alike; what the current code
//! stores parses back into the typed change and serializes to the same text.

use crate::on_both_backends;
use crate::support::{example_folders, TestDb};
use partnerdesk_app::access::{self, Role};
use partnerdesk_app::approvals::{self, Change, Kind};
use partnerdesk_app::change::{
    DocumentReview, LedgerAdjustment, PartnerActivation, PaymentDetailsChange, PayoutRunDecision,
    PeriodClose, PlanAssignment, TrafficSourceReview, UserChange,
};
use partnerdesk_app::wire::{AssignmentView, PartnerInput};
use partnerdesk_app::{
    commissions, compliance, import, ledger, partners, payouts, plans, users, Actor, AppError,
    Context,
};
use partnerdesk_domain::approval::ApprovalStatus;
use partnerdesk_domain::kyc::DocumentStatus;
use partnerdesk_domain::Period;
use partnerdesk_store::compliance::{insert_approval, ApprovalRecord};

fn as_role(db: &TestDb, role: Role) -> Context {
    Context {
        actor: Actor::with_roles(format!("checker-{role}"), &[role]),
        ..db.ctx.clone()
    }
}

/// A change of `kind` about nothing that exists: deciding it is refused
/// for the role or fails when applied, and the request stays pending.
pub(crate) fn about_nothing(kind: Kind) -> Change {
    match kind {
        Kind::PartnerActivate => Change::PartnerActivate(PartnerActivation {
            partner_id: "NOBODY".into(),
        }),
        Kind::DocumentReview => Change::DocumentReview(DocumentReview {
            document_id: "DOC-none".into(),
            outcome: DocumentStatus::Approved,
            note: "matches".into(),
            reviewer: "maker".into(),
        }),
        Kind::TrafficSource => Change::TrafficSource(TrafficSourceReview {
            source_id: "TS-none".into(),
        }),
        Kind::PlanAssign => Change::PlanAssign(PlanAssignment(AssignmentView {
            partner_id: "NOBODY".into(),
            brand_id: "CAS".into(),
            plan_id: "none".into(),
            valid_from: "not a month".into(),
            valid_to: None,
        })),
        Kind::PeriodClose => Change::PeriodClose(PeriodClose {
            period: "2099-01".into(),
        }),
        Kind::UserChange => Change::UserChange(UserChange {
            user_id: "nobody".into(),
            display_name: "Nobody".into(),
            roles: [Role::Viewer].into_iter().collect(),
            disabled: false,
            password_hash: None,
            new: true,
            row_version: None,
        }),
        Kind::LedgerAdjust => Change::LedgerAdjust(LedgerAdjustment {
            adjustment_id: 999_999,
        }),
        Kind::PayoutRun => Change::PayoutRun(PayoutRunDecision { run_id: 999_999 }),
        Kind::PaymentDetails => Change::PaymentDetails(PaymentDetailsChange {
            partner_id: "NOBODY".into(),
            method: partnerdesk_domain::payment::PaymentMethod::EWallet,
            holder: "skrill".into(),
            account: "nobody@example.com".into(),
            bic: None,
            row_version: 1,
        }),
    }
}

/// Stores a pending request for `change` as user `maker` would have made
/// it, about object `<kind>-object`.
pub(crate) async fn pending(db: &TestDb, change: &Change, maker: &str) -> i64 {
    let mut tx = db.ctx.store.begin().await.unwrap();
    let kind = change.kind();
    let id = insert_approval(
        &mut tx,
        &ApprovalRecord {
            approval_id: 0,
            kind,
            object_type: "test".into(),
            object_id: format!("{kind}-object"),
            summary: format!("a {kind} request"),
            payload: change.payload().unwrap().to_string(),
            amount: None,
            currency: None,
            required_approvals: 1,
            status: ApprovalStatus::Pending,
            maker: maker.into(),
            created_at: db.ctx.now(),
            decided_at: None,
            object_maker: None,
        },
    )
    .await
    .unwrap()
    .expect("one request per object");
    tx.commit().await.unwrap();
    id
}

fn p(s: &str) -> Period {
    Period::parse("period", s).unwrap()
}

/// The direct door of a kind, where one decides the same change, called as
/// `ctx` about nothing that exists.
async fn direct_doors(kind: Kind, ctx: &Context) -> Vec<(&'static str, Result<(), AppError>)> {
    match kind {
        Kind::LedgerAdjust => vec![(
            "ledger approve",
            ledger::decide(ctx, 999_999, true, "checked")
                .await
                .map(drop),
        )],
        Kind::PayoutRun => vec![
            (
                "payouts approve",
                payouts::approve(ctx, 999_999, "checked").await.map(drop),
            ),
            (
                "payouts reject",
                payouts::reject(ctx, 999_999, "checked").await.map(drop),
            ),
        ],
        Kind::PeriodClose => vec![(
            "commissions close",
            commissions::close(ctx, p("2099-01")).await.map(drop),
        )],
        Kind::DocumentReview => vec![(
            "kyc review",
            compliance::review(ctx, "DOC-none", true, "x")
                .await
                .map(drop),
        )],
        Kind::UserChange => vec![(
            "users save",
            users::save(
                ctx,
                users::UserInput {
                    row_version: None,
                    user_id: "nobody".into(),
                    display_name: "x".into(),
                    roles: vec![Role::Viewer],
                    disabled: false,
                    password: "short".into(),
                },
            )
            .await
            .map(drop),
        )],
        // Asked for by a partner manager (payment details: by finance),
        // decided in the queue only.
        Kind::PartnerActivate | Kind::PlanAssign | Kind::TrafficSource | Kind::PaymentDetails => {
            Vec::new()
        }
    }
}

fn is_forbidden(r: &Result<impl std::fmt::Debug, AppError>) -> bool {
    matches!(r, Err(e) if e.code() == "forbidden")
}

/// Every kind × every role, through the queue's door and the direct one:
/// refused (`forbidden`) exactly when `access.rs` refuses the role the use
/// case that makes the change directly.
async fn every_kind_is_decided_by_the_roles_of_its_direct_use_case(db: &TestDb) {
    for &kind in Kind::ALL {
        let change = about_nothing(kind);
        let id = pending(db, &change, "maker").await;
        let decided_by = approvals::policy(kind).decided_by;
        for &role in Role::ALL {
            let ctx = as_role(db, role);
            let allowed = access::allows(decided_by, &[role]);
            let r = approvals::decide(&ctx, id, true, "checked").await;
            assert_eq!(
                is_forbidden(&r),
                !allowed,
                "{kind} decided in the queue as {role} ({} allows {:?}): {r:?}",
                decided_by.name,
                decided_by.roles
            );
            for (door, r) in direct_doors(kind, &ctx).await {
                assert_eq!(
                    is_forbidden(&r),
                    !allowed,
                    "{kind} through {door} as {role}: {r:?}"
                );
            }
        }
        let still = approvals::list(&db.ctx, Some("pending".into()))
            .await
            .unwrap();
        assert!(
            still.iter().any(|a| a.approval_id == id),
            "a {kind} request about nothing is never applied"
        );
    }
}

/// The maker of a request is refused by the same rule, with the same words,
/// whichever door they take; the refusal is audited.
async fn the_maker_never_decides_through_any_door(db: &TestDb) {
    for &kind in Kind::ALL {
        let id = pending(db, &about_nothing(kind), "checker-admin").await;
        let maker = as_role(db, Role::Admin);
        let e = approvals::decide(&maker, id, true, "mine")
            .await
            .unwrap_err();
        assert_eq!(e.code(), "forbidden", "{kind}: {e}");
        let words = e.to_string();
        assert!(
            words.contains(&format!("you asked for request #{id}"))
                && words.contains("(four eyes)"),
            "{kind}: {words}"
        );
    }
    // Through the direct doors: a real manual adjustment and its request.
    import::import_folder(&db.ctx, &example_folders()[0])
        .await
        .unwrap();
    commissions::run(&db.ctx, p("2026-08")).await.unwrap();
    commissions::close(&db.ctx, p("2026-07")).await.unwrap();
    let fred = as_role(db, Role::Finance);
    let partner = ledger::balances(&fred, None).await.unwrap()[0]
        .partner_id
        .clone();
    let adj = ledger::request_adjustment(&fred, &partner, "12.50", "goodwill")
        .await
        .unwrap();
    let request = approvals::list(&fred, Some("pending".into()))
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.kind == Kind::LedgerAdjust && a.object_id == adj.adjustment_id.to_string())
        .expect("queued");
    let direct = ledger::decide(&fred, adj.adjustment_id, true, "mine")
        .await
        .unwrap_err();
    let queue = approvals::decide(&fred, request.approval_id, true, "mine")
        .await
        .unwrap_err();
    assert_eq!(
        direct.to_string(),
        queue.to_string(),
        "one rule, one answer"
    );
    assert_eq!(direct.code(), "forbidden");
    assert!(
        direct
            .to_string()
            .contains("another finance user must approve or reject it (four eyes)"),
        "{direct}"
    );
}

/// Requests queued by the features today are stored as their typed change
/// serializes: parsing the stored text and writing it again gives the same
/// bytes (the fixtures of each kind from before typed changes are in
/// `change.rs`'s unit tests).
async fn stored_requests_parse_as_typed_changes(db: &TestDb) {
    import::import_folder(&db.ctx, &example_folders()[0])
        .await
        .unwrap();
    // The first admin applies at once and then acts; the users who act
    // below exist (a use case checks its user's current roles), the second
    // admin last: then four eyes are in force for every kind.
    let mut by = as_role(db, Role::Admin);
    for (id, roles) in [
        ("alice", vec![Role::Admin]),
        ("bob", vec![Role::PartnerManager]),
        ("carol", vec![Role::Compliance]),
        ("fred", vec![Role::Finance]),
        ("zed", vec![Role::Admin]),
    ] {
        users::save(
            &by,
            users::UserInput {
                row_version: None,
                user_id: id.into(),
                display_name: id.into(),
                roles,
                disabled: false,
                password: format!("{id}-password-123"),
            },
        )
        .await
        .unwrap();
        if id == "alice" {
            by = Context {
                actor: Actor::with_roles("alice", &[Role::Admin]),
                ..db.ctx.clone()
            };
        }
    }
    let acting = |user: &str, role: Role| Context {
        actor: Actor::with_roles(user, &[role]),
        ..db.ctx.clone()
    };
    let alice = acting("alice", Role::Admin);
    let bob = acting("bob", Role::PartnerManager);
    let carol = acting("carol", Role::Compliance);
    let fred = acting("fred", Role::Finance);
    // A request of every kind the features raise.
    users::save(
        &alice,
        users::UserInput {
            row_version: None,
            user_id: "yara".into(),
            display_name: "Yara \"Y\" Ölund".into(),
            roles: vec![Role::Viewer],
            disabled: false,
            password: "yara-password-123".into(),
        },
    )
    .await
    .unwrap();
    partners::create(
        &bob,
        PartnerInput {
            partner_id: "NEW-1".into(),
            name: "New one".into(),
            kind: "affiliate".into(),
            currency: "EUR".into(),
            status: "active".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let doc = compliance::upload_document(&bob, "NEW-1", "id", "a.pdf", b"%PDF-1.4 id")
        .await
        .unwrap();
    compliance::review(&carol, &doc.document_id, false, "blurred → again")
        .await
        .unwrap();
    compliance::declare_traffic_source(&bob, "NEW-1", "website", "https://new.example")
        .await
        .unwrap();
    let plan = plans::list(&bob).await.unwrap()[0].plan_id.clone();
    plans::assign(
        &bob,
        AssignmentView {
            partner_id: "NEW-1".into(),
            brand_id: "CAS".into(),
            plan_id: plan,
            valid_from: "2031-01-01".into(),
            valid_to: Some("2031-12-31".into()),
        },
    )
    .await
    .unwrap();
    commissions::run(&fred, p("2026-08")).await.unwrap();
    commissions::close(&fred, p("2026-07")).await.unwrap();
    ledger::request_adjustment(&fred, "NEW-1", "-3.10", "fee")
        .await
        .unwrap();
    payouts::set_payment_details(
        &fred,
        "NEW-1",
        "bank_transfer",
        "New One Ltd",
        "DE89 3704 0044 0532 0130 00",
        Some("COBADEFFXXX"),
    )
    .await
    .unwrap();
    let mut tx = db.ctx.store.read().await.unwrap();
    let stored = tx
        .approvals(Some(ApprovalStatus::Pending), 100)
        .await
        .unwrap();
    let mut kinds: Vec<&str> = stored.iter().map(|a| a.kind.as_str()).collect();
    kinds.sort();
    kinds.dedup();
    for want in [
        "document.review",
        "ledger.adjust",
        "partner.activate",
        "payment_details.change",
        "period.close",
        "plan.assign",
        "traffic_source.review",
        "user.change",
    ] {
        assert!(kinds.contains(&want), "{want} queued: {kinds:?}");
    }
    for a in &stored {
        let change = Change::parse(a.kind, &a.payload)
            .unwrap_or_else(|e| panic!("request #{} ({}): {e}", a.approval_id, a.kind));
        assert_eq!(change.kind(), a.kind);
        assert_eq!(
            change.payload().unwrap().to_string(),
            a.payload,
            "{} is stored as its typed change writes it",
            a.kind
        );
    }
}

on_both_backends!(
    every_kind_is_decided_by_the_roles_of_its_direct_use_case,
    the_maker_never_decides_through_any_door,
    stored_requests_parse_as_typed_changes,
);
