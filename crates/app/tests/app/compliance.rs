//! Compliance on both backends: four-eyes approvals, users and sign-in, KYC
//! documents, traffic sources and geo rules (the audit log: `audit_log.rs`).

use crate::on_both_backends;
use crate::support::{as_user, example_folders, TestDb};
use partnerdesk_app::access::Role;
use partnerdesk_app::approvals::{self, Request};
use partnerdesk_app::change::{Change, PlanAssignment};
use partnerdesk_app::wire::AssignmentView;
use partnerdesk_app::Context;
use partnerdesk_app::{
    audit, brands, commissions, compliance, customers, import, partners, plans, users,
};
use partnerdesk_domain::Period;
use rust_decimal::Decimal;

fn input(id: &str, roles: &[Role]) -> users::UserInput {
    users::UserInput {
        row_version: None,
        user_id: id.into(),
        display_name: format!("User {id}"),
        roles: roles.to_vec(),
        disabled: false,
        password: format!("{id}-password-123"),
    }
}

/// alice (admin) is created from single-user mode; then bob (partner
/// manager), carol (compliance), dave (compliance), fred (finance), gina (finance).
async fn team(db: &TestDb) -> Context {
    let local = as_user(db, "local:tester", &Role::ALL);
    let o = users::save(&local, input("alice", &[Role::Admin]))
        .await
        .unwrap();
    assert_eq!(o.state.as_str(), "done", "the first admin applies at once");
    let alice = as_user(db, "alice", &[Role::Admin]);
    for (id, role) in [
        ("bob", Role::PartnerManager),
        ("carol", Role::Compliance),
        ("dave", Role::Compliance),
        ("fred", Role::Finance),
        ("gina", Role::Finance),
        ("hank", Role::Finance),
    ] {
        let o = users::save(&alice, input(id, &[role])).await.unwrap();
        assert_eq!(
            o.state.as_str(),
            "done",
            "one admin: user changes apply at once"
        );
    }
    // The built-in local user may no longer act once users exist.
    let e = brands::list(&local).await.unwrap_err();
    assert_eq!(e.code(), "forbidden", "{e}");
    alice
}

fn assignment(partner: &str, brand: &str, plan: &str, from: &str) -> AssignmentView {
    AssignmentView {
        partner_id: partner.into(),
        brand_id: brand.into(),
        plan_id: plan.into(),
        valid_from: from.into(),
        valid_to: None,
    }
}

/// A new partner without deals (made in single-user mode), a brand and a
/// plan of scenario-a, for a new assignment.
async fn first_assignable(db: &TestDb) -> (String, String, String) {
    let a = db
        .ctx
        .store
        .read()
        .await
        .unwrap()
        .assignments()
        .await
        .unwrap();
    let first = a.first().expect("scenario-a has assignments");
    partners::create(&db.ctx, partners_input("AS-1", "applied"))
        .await
        .unwrap();
    (
        "AS-1".to_string(),
        first.brand_id.to_string(),
        first.plan_id.to_string(),
    )
}

pub(crate) fn partners_input(id: &str, status: &str) -> partnerdesk_app::wire::PartnerInput {
    partnerdesk_app::wire::PartnerInput {
        partner_id: id.into(),
        name: format!("Partner {id}"),
        kind: "affiliate".into(),
        currency: "EUR".into(),
        status: status.into(),
        ..Default::default()
    }
}

async fn a_change_is_invisible_until_a_second_user_approves_it(db: &TestDb) {
    import::import_folder(&db.ctx, &example_folders()[0])
        .await
        .unwrap();
    let (partner, brand, plan) = first_assignable(db).await;
    team(db).await;
    let bob = as_user(db, "bob", &[Role::PartnerManager]);
    let carol = as_user(db, "carol", &[Role::Compliance]);
    let fred = as_user(db, "fred", &[Role::Finance]);
    let before = plans::assignments_of(&bob, &partner).await.unwrap().len();
    let out = plans::assign(&bob, assignment(&partner, &brand, &plan, "2031-01-01")).await;
    let out = match out {
        Ok(o) => o,
        Err(e) => panic!("assign: {e}"),
    };
    assert!(!out.applied);
    let approval = out.approval.expect("an approval request");
    assert_eq!(approval.status.as_str(), "pending");
    assert_eq!(
        plans::assignments_of(&bob, &partner).await.unwrap().len(),
        before,
        "nothing changes until approved"
    );
    // The maker cannot approve; a finance user may not approve a deal change.
    let e = approvals::decide(&bob, approval.approval_id, true, "fine")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "forbidden", "{e}");
    let e = approvals::decide(&fred, approval.approval_id, true, "fine")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "forbidden");
    assert!(e.to_string().contains("compliance"), "{e}");
    // A reason is required.
    let e = approvals::decide(&carol, approval.approval_id, true, "  ")
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("reason"));
    assert_eq!(
        plans::assignments_of(&bob, &partner).await.unwrap().len(),
        before
    );
    let done = approvals::decide(
        &carol,
        approval.approval_id,
        true,
        "deal signed by both sides",
    )
    .await
    .unwrap();
    assert_eq!(done.status.as_str(), "approved");
    assert_eq!(
        plans::assignments_of(&bob, &partner).await.unwrap().len(),
        before + 1,
        "applied on approval"
    );
    // Deciding again is refused, and the attempt is audited.
    let e = approvals::decide(&carol, approval.approval_id, false, "changed my mind")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("already been approved"), "{e}");
    let alice = as_user(db, "alice", &[Role::Admin]);
    let page = audit::entries(
        &alice,
        &audit::AuditQuery {
            action: Some("approval.".into()),
            limit: 50,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let actions: Vec<&str> = page.entries.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"approval.request"), "{actions:?}");
    assert!(actions.contains(&"approval.approve"), "{actions:?}");
    assert_eq!(
        actions.iter().filter(|a| **a == "approval.refused").count(),
        3,
        "wrong role for the kind, no reason, already decided: {actions:?}"
    );
    // bob (a partner manager) may not decide anything: refused at the door.
    let denied = audit::entries(
        &alice,
        &audit::AuditQuery {
            action: Some("denied".into()),
            actor: Some("bob".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(denied.total, 1);
    assert!(audit::verify(&alice, None).await.unwrap().ok);
}

async fn closed(db: &TestDb) -> Vec<String> {
    db.ctx
        .store
        .read()
        .await
        .unwrap()
        .periods()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.state == partnerdesk_domain::commission::PeriodState::Closed)
        .map(|r| r.period.to_string())
        .collect()
}

async fn closing_a_period_and_activation_wait_for_approval(db: &TestDb) {
    import::import_folder(&db.ctx, &example_folders()[0])
        .await
        .unwrap();
    let p = Period::parse("period", "2026-07").unwrap();
    commissions::run(&db.ctx, p).await.unwrap();
    team(db).await;
    let fred = as_user(db, "fred", &[Role::Finance]);
    let gina = as_user(db, "gina", &[Role::Finance]);
    let pending = commissions::close(&fred, p).await.unwrap().expect("waits");
    assert!(closed(db).await.is_empty());
    let e = commissions::close(&fred, p).await.unwrap_err();
    assert!(e.to_string().contains("already waits"), "{e}");
    approvals::decide(&gina, pending.approval_id, true, "figures checked")
        .await
        .unwrap();
    assert_eq!(closed(db).await, vec!["2026-07".to_string()]);

    // A partner set to active stays as it was until compliance approves.
    let bob = as_user(db, "bob", &[Role::PartnerManager]);
    let carol = as_user(db, "carol", &[Role::Compliance]);
    let created = partners::create(
        &bob,
        partnerdesk_app::wire::PartnerInput {
            name: "Zoë Šťastná".into(),
            ..partners_input("NEW-1", "active")
        },
    )
    .await
    .unwrap();
    assert_eq!(created.status.as_str(), "pending_review");
    let list = approvals::list(&carol, Some("pending".into()))
        .await
        .unwrap();
    let req = list
        .iter()
        .find(|a| a.kind == approvals::Kind::PartnerActivate && a.object_id == "NEW-1")
        .expect("an activation request");
    assert!(req.can_decide);
    approvals::decide(&carol, req.approval_id, false, "documents missing")
        .await
        .unwrap();
    assert_eq!(
        partners::get(&bob, "NEW-1")
            .await
            .unwrap()
            .partner
            .status
            .as_str(),
        "pending_review"
    );
}

async fn two_approvers_are_needed_above_the_threshold(db: &TestDb) {
    import::import_folder(&db.ctx, &example_folders()[0])
        .await
        .unwrap();
    let (partner, brand, plan) = first_assignable(db).await;
    let alice = team(db).await;
    approvals::set_threshold(&alice, "5000").await.unwrap();
    let bob = as_user(db, "bob", &[Role::PartnerManager]);
    let fred = as_user(db, "fred", &[Role::Finance]);
    let gina = as_user(db, "gina", &[Role::Finance]);
    let hank = as_user(db, "hank", &[Role::Finance]);
    // 20000 at stake > 5000: two approvers, each once.
    let adj = partnerdesk_app::ledger::request_adjustment(&fred, &partner, "20000", "bonus")
        .await
        .unwrap();
    let a = approvals::list(&gina, Some("pending".into()))
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.object_id == adj.adjustment_id.to_string())
        .expect("queued");
    assert_eq!(a.required_approvals, 2);
    let one = approvals::decide(&gina, a.approval_id, true, "ok")
        .await
        .unwrap();
    assert_eq!(one.status.as_str(), "pending");
    let e = approvals::decide(&gina, a.approval_id, true, "again")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("another approver"), "{e}");
    let two = approvals::decide(&hank, a.approval_id, true, "ok too")
        .await
        .unwrap();
    assert_eq!(two.status.as_str(), "approved");
    // The threshold counts money only (the policy table): a deal
    // assignment with an amount attached still needs one approver.
    let view = assignment(&partner, &brand, &plan, "2032-01-01");
    let a = approvals::submit(
        &bob,
        Request {
            change: Change::PlanAssign(PlanAssignment(view)),
            object_type: "assignment",
            object_id: "big-deal",
            summary: "a deal worth 20000".into(),
            amount: Some((
                Decimal::new(20000, 0),
                partnerdesk_domain::CurrencyCode::parse("currency", "EUR").unwrap(),
            )),
            object_maker: None,
        },
    )
    .await
    .unwrap()
    .expect("queued");
    assert_eq!(a.required_approvals, 1);
    assert_eq!(a.amount.as_deref(), Some("20000"), "the amount is shown");
}

/// Manual ledger adjustments wait in the same queue, with their amount: a
/// reason is required and above the threshold two approvers are needed.
async fn ledger_adjustments_wait_in_the_queue_with_their_amount(db: &TestDb) {
    import::import_folder(&db.ctx, &example_folders()[0])
        .await
        .unwrap();
    let (partner, _, _) = first_assignable(db).await;
    team(db).await;
    let fred = as_user(db, "fred", &[Role::Finance]);
    let gina = as_user(db, "gina", &[Role::Finance]);
    let carol = as_user(db, "carol", &[Role::Compliance]);
    let hank = as_user(db, "hank", &[Role::Finance]);
    let big =
        partnerdesk_app::ledger::request_adjustment(&fred, &partner, "25000", "signing bonus")
            .await
            .unwrap();
    let queue = approvals::list(&gina, Some("pending".into()))
        .await
        .unwrap();
    let req = queue
        .iter()
        .find(|a| {
            a.kind == approvals::Kind::LedgerAdjust && a.object_id == big.adjustment_id.to_string()
        })
        .expect("the adjustment is in the approvals queue");
    assert_eq!(req.amount.as_deref(), Some("25000"));
    assert_eq!(req.required_approvals, 2, "above the 10000 threshold");
    let e = partnerdesk_app::ledger::decide(&gina, big.adjustment_id, true, " ")
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("reason"));
    let one = partnerdesk_app::ledger::decide(&gina, big.adjustment_id, true, "contract clause 4")
        .await
        .unwrap();
    assert_eq!(
        one.state.as_str(),
        "pending",
        "one of two approvals: nothing posted yet"
    );
    // Compliance does not decide money: `ledger approve` refuses them, and
    // so does the queue.
    let e = approvals::decide(&carol, req.approval_id, true, "agreed")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "forbidden", "{e}");
    let two = approvals::decide(&hank, req.approval_id, true, "agreed")
        .await
        .unwrap();
    assert_eq!(two.status.as_str(), "approved");
    let after = partnerdesk_app::ledger::adjustments(&fred, None)
        .await
        .unwrap();
    let done = after
        .iter()
        .find(|a| a.adjustment_id == big.adjustment_id)
        .unwrap();
    assert_eq!(done.state.as_str(), "approved");
    assert!(
        done.entry_id.is_some(),
        "the entry is posted on the last approval"
    );
}

async fn sign_in_counts_failures_and_refuses_disabled_users(db: &TestDb) {
    let alice = team(db).await;
    let store = &db.ctx.store;
    let ok = users::sign_in(store, "bob", "bob-password-123")
        .await
        .unwrap();
    assert_eq!(ok.roles, vec![Role::PartnerManager]);
    for _ in 0..2 {
        let e = users::sign_in(store, "bob", "nope").await.unwrap_err();
        assert_eq!(e.to_string(), "the user name or password is wrong");
    }
    let e = users::sign_in(store, "bob", "nope").await.unwrap_err();
    assert!(e.to_string().contains("must wait"), "{e}");
    // Even the right password waits now.
    let e = users::sign_in(store, "bob", "bob-password-123")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("try again in"), "{e}");
    let e = users::sign_in(store, "nobody", "x").await.unwrap_err();
    assert_eq!(e.to_string(), "the user name or password is wrong");

    let mut carol = input("carol", &[Role::Compliance]);
    carol.disabled = true;
    carol.password.clear();
    users::save(&alice, carol).await.unwrap();
    // A disabled account answers as an unknown name or a wrong password
    // does, with its right password or a wrong one: nothing tells the
    // caller it exists (the audit log says which it was).
    let e = users::sign_in(store, "carol", "carol-password-123")
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), "the user name or password is wrong");
    let e = users::sign_in(store, "carol", "nope").await.unwrap_err();
    assert_eq!(e.to_string(), "the user name or password is wrong");

    let page = audit::entries(
        &alice,
        &audit::AuditQuery {
            action: Some("sign_in".into()),
            limit: 100,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let failed = page
        .entries
        .iter()
        .filter(|e| e.action == "sign_in.failed")
        .count();
    let refused = page
        .entries
        .iter()
        .filter(|e| e.action == "sign_in.refused")
        .count();
    assert_eq!(
        failed, 5,
        "three wrong passwords for bob, one unknown user, one wrong password for carol"
    );
    assert_eq!(refused, 2, "the locked attempt and the disabled account");
    let disabled = page
        .entries
        .iter()
        .filter(|e| e.action == "sign_in.refused" && e.object_id == "carol")
        .count();
    assert_eq!(disabled, 1, "the audit log names the disabled account");
}

async fn user_changes_need_a_second_admin_once_there_are_two(db: &TestDb) {
    let alice = team(db).await;
    users::save(&alice, input("zed", &[Role::Admin]))
        .await
        .unwrap();
    let o = users::save(&alice, input("yara", &[Role::Viewer]))
        .await
        .unwrap();
    assert_eq!(o.state.as_str(), "awaiting_approval");
    assert!(users::list(&alice)
        .await
        .unwrap()
        .iter()
        .all(|u| u.user_id != "yara"));
    let id = o.approval.unwrap().approval_id;
    let e = approvals::decide(&alice, id, true, "me").await.unwrap_err();
    assert!(
        e.to_string()
            .contains("another admin must approve or reject it (four eyes)"),
        "{e}"
    );
    let zed = as_user(db, "zed", &[Role::Admin]);
    approvals::decide(&zed, id, true, "new auditor")
        .await
        .unwrap();
    assert!(users::list(&alice)
        .await
        .unwrap()
        .iter()
        .any(|u| u.user_id == "yara"));
    let viewer = users::sign_in(&db.ctx.store, "yara", "yara-password-123")
        .await
        .unwrap();
    assert_eq!(viewer.roles, vec![Role::Viewer]);
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n";
const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R', 0, 0, 0, 1,
];

async fn kyc_documents_are_checked_by_content_and_reviewed_with_four_eyes(db: &TestDb) {
    import::import_folder(&db.ctx, &example_folders()[0])
        .await
        .unwrap();
    let partner = db
        .ctx
        .store
        .read()
        .await
        .unwrap()
        .assignments()
        .await
        .unwrap()[0]
        .partner_id
        .to_string();
    team(db).await;
    let bob = as_user(db, "bob", &[Role::PartnerManager]);
    let carol = as_user(db, "carol", &[Role::Compliance]);
    let dave = as_user(db, "dave", &[Role::Compliance]);
    // Lies about its type, not an accepted type, too big: refused and audited.
    let e = compliance::upload_document(&bob, &partner, "id", "passport.pdf", PNG)
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("claims to be application/pdf"),
        "{e}"
    );
    let e = compliance::upload_document(&bob, &partner, "id", "passport.pdf", b"<html>hi</html>")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("not a PDF, JPEG or PNG"), "{e}");
    let mut big = PDF.to_vec();
    big.resize(11 * 1024 * 1024, b' ');
    let e = compliance::upload_document(&bob, &partner, "id", "passport.pdf", &big)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("at most 10 MB"), "{e}");
    let e = compliance::upload_document(&bob, &partner, "selfie", "passport.pdf", PDF)
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("doc_type"));
    let c = compliance::partner_compliance(&bob, &partner)
        .await
        .unwrap();
    assert!(c.documents.is_empty(), "nothing kept from refused uploads");

    let d = compliance::upload_document(&bob, &partner, "id", "passport.pdf", PDF)
        .await
        .unwrap();
    let stored = db
        .ctx
        .data_dir
        .clone()
        .unwrap()
        .join("documents")
        .join(&d.sha256);
    assert_eq!(
        std::fs::read(&stored).unwrap(),
        PDF,
        "kept under its SHA-256"
    );
    // A partner manager may not review; compliance proposes, a second officer approves.
    let e = compliance::review(&bob, &d.document_id, true, "looks fine")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "forbidden");
    let o = compliance::review(&carol, &d.document_id, true, "matches the applicant")
        .await
        .unwrap();
    assert_eq!(o.state.as_str(), "awaiting_approval");
    let c = compliance::partner_compliance(&bob, &partner)
        .await
        .unwrap();
    assert_eq!(c.documents[0].status.as_str(), "submitted");
    approvals::decide(&dave, o.approval.unwrap().approval_id, true, "agreed")
        .await
        .unwrap();
    let c = compliance::partner_compliance(&bob, &partner)
        .await
        .unwrap();
    assert_eq!(c.documents[0].status.as_str(), "approved");
    assert_eq!(c.documents[0].reviewed_by.as_deref(), Some("carol"));
    assert_eq!(
        c.missing_documents,
        vec![
            partnerdesk_domain::kyc::DocumentType::CompanyRegistration,
            partnerdesk_domain::kyc::DocumentType::ProofOfAddress
        ]
    );

    // Traffic sources wait for approval; a rejection marks them rejected.
    let t = compliance::declare_traffic_source(&bob, &partner, "website", "https://bonus.example")
        .await
        .unwrap();
    let id = t.approval.unwrap().approval_id;
    approvals::decide(&carol, id, false, "bonus-abuse site")
        .await
        .unwrap();
    let c = compliance::partner_compliance(&bob, &partner)
        .await
        .unwrap();
    assert_eq!(c.traffic_sources[0].status.as_str(), "rejected");

    let timeline = audit::partner_timeline(&bob, &partner).await.unwrap();
    let actions: Vec<&str> = timeline.iter().map(|e| e.action.as_str()).collect();
    for a in [
        "kyc.document.refused",
        "kyc.document.upload",
        "kyc.document.review",
        "traffic_source.declare",
        "traffic_source.reject",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
}

async fn customers_outside_allowed_countries_are_flagged_and_reported(db: &TestDb) {
    import::import_folder(&db.ctx, &example_folders()[0])
        .await
        .unwrap();
    let ctx = &db.ctx;
    let page = customers::search(
        ctx,
        &partnerdesk_app::wire::CustomerQuery {
            limit: 1000,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let c = page
        .rows
        .iter()
        .find(|c| c.partner_id.is_some() && !c.geo_blocked)
        .expect("an attributed customer")
        .clone();
    let partner = c.partner_id.clone().unwrap();
    let other = if c.country.is_some_and(|k| k.as_str() == "MT") {
        "CY"
    } else {
        "MT"
    };
    let set = compliance::set_partner_countries(ctx, &partner, &[other.to_string(), " ".into()])
        .await
        .unwrap();
    assert_eq!(
        set.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        vec![other]
    );
    let e = compliance::set_partner_countries(ctx, &partner, &["Germany".into()])
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("countries"));
    let row = customers::get(ctx, &c.customer_id).await.unwrap().customer;
    assert!(row.unexpected_country);
    let report = compliance::geo_report(ctx).await.unwrap();
    assert!(report
        .iter()
        .any(|r| r.partner_id == partner && r.country == c.country && r.unexpected > 0));
    // Compliance excludes the customer: it stops earning (the next run recomputes).
    compliance::set_customer_status_checked(ctx, &c.customer_id, "excluded", "bonus abuse")
        .await
        .unwrap();
    let row = customers::get(ctx, &c.customer_id).await.unwrap().customer;
    assert_eq!(row.status.as_str(), "excluded");
    let e = compliance::set_customer_status_checked(ctx, &c.customer_id, "gone", "x")
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("status"));
}

on_both_backends!(
    a_change_is_invisible_until_a_second_user_approves_it,
    closing_a_period_and_activation_wait_for_approval,
    two_approvers_are_needed_above_the_threshold,
    ledger_adjustments_wait_in_the_queue_with_their_amount,
    sign_in_counts_failures_and_refuses_disabled_users,
    user_changes_need_a_second_admin_once_there_are_two,
    kyc_documents_are_checked_by_content_and_reviewed_with_four_eyes,
    customers_outside_allowed_countries_are_flagged_and_reported,
);
