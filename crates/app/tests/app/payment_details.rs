//! Four eyes on payees (issue 27, item 11), on both backends: a finance
//! user's change of a partner's payment details waits for another finance
//! user and is not in force until approved; the maker never approves it; a
//! rejection changes nothing; the log keeps accounts by their last four
//! characters and names the request; a partner edited meanwhile makes the
//! approval stale. And the user who made a payout run never approves it,
//! whoever submitted it.

use crate::on_both_backends;
use crate::support::{as_user, example_folders, TestDb};
use partnerdesk_app::access::Role;
use partnerdesk_app::approvals::OutcomeState;
use partnerdesk_app::{
    approvals, audit, commissions, import, ledger, partners, payouts, users, Context,
};
use partnerdesk_domain::approval::ApprovalStatus;
use partnerdesk_domain::payout::RunState;
use partnerdesk_domain::Period;

const PARTNER: &str = "P0001";
const IBAN_A: &str = "DE89370400440532013000";
const IBAN_B: &str = "FR1420041010050500013M02606";
const IBAN_C: &str = "NL91ABNA0417164300";

fn p(s: &str) -> Period {
    Period::parse("period", s).unwrap()
}

/// alice (the only admin: user changes apply at once), fred and gina
/// (finance), carol (compliance).
async fn team(db: &TestDb) -> [Context; 4] {
    import::import_folder(&db.ctx, &example_folders()[0])
        .await
        .unwrap();
    let mut by = db.ctx.clone();
    for (id, roles) in [
        ("alice", vec![Role::Admin]),
        ("fred", vec![Role::Finance]),
        ("gina", vec![Role::Finance]),
        ("carol", vec![Role::Compliance]),
    ] {
        users::save(
            &by,
            users::UserInput {
                row_version: None,
                user_id: id.into(),
                display_name: id.into(),
                roles: roles.clone(),
                disabled: false,
                password: format!("{id}-password-123"),
            },
        )
        .await
        .unwrap();
        if id == "alice" {
            by = as_user(db, "alice", &roles);
        }
    }
    [
        as_user(db, "alice", &[Role::Admin]),
        as_user(db, "fred", &[Role::Finance]),
        as_user(db, "gina", &[Role::Finance]),
        as_user(db, "carol", &[Role::Compliance]),
    ]
}

async fn in_force(ctx: &Context) -> Option<(String, String)> {
    payouts::payment_details(ctx, PARTNER)
        .await
        .unwrap()
        .map(|d| (d.holder, d.account))
}

async fn ask(ctx: &Context, holder: &str, iban: &str) -> i64 {
    let o = payouts::set_payment_details(ctx, PARTNER, "bank_transfer", holder, iban, None)
        .await
        .unwrap();
    assert_eq!(o.state, OutcomeState::AwaitingApproval, "{}", o.message);
    assert!(
        o.message.contains("queued for approval as request #")
            && o.message.contains("another finance user approves"),
        "{}",
        o.message
    );
    o.approval.expect("the request").approval_id
}

async fn log_of(alice: &Context, action: &str, object_id: &str) -> Vec<audit::AuditEntryView> {
    audit::entries(
        alice,
        &audit::AuditQuery {
            action: Some(action.into()),
            object_id: Some(object_id.into()),
            limit: 100,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .entries
}

async fn a_payment_details_change_waits_for_another_finance_user(db: &TestDb) {
    let [alice, fred, gina, carol] = team(db).await;

    // The first details of a partner wait too, and are not in force.
    let first = ask(&fred, "Zoë Müller", IBAN_A).await;
    assert_eq!(
        in_force(&fred).await,
        None,
        "nothing in force before approval"
    );
    let waiting = payouts::pending_payment_details(&gina, PARTNER)
        .await
        .unwrap()
        .expect("the change is shown with the partner");
    assert_eq!(
        (
            waiting.approval_id,
            waiting.requested_by.as_str(),
            waiting.account.as_str()
        ),
        (first, "fred", IBAN_A)
    );
    let queued = approvals::list(&gina, Some("pending".into()))
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.approval_id == first)
        .expect("listed in the queue");
    assert_eq!(queued.kind_label, "Payment details change");
    assert_eq!(
        queued.summary, "payment details of P0001: none → bank transfer, Zoë Müller, IBAN ••••3000",
        "a readable summary, the account masked"
    );
    assert!(!queued.summary.contains(IBAN_A));

    // The maker cannot approve it; compliance does not decide money matters.
    let e = approvals::decide(&fred, first, true, "mine")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "forbidden");
    assert!(
        e.to_string()
            .contains(&format!("you asked for request #{first}")),
        "{e}"
    );
    assert!(e.to_string().contains("another finance user"), "{e}");
    let e = approvals::decide(&carol, first, true, "looks fine")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "forbidden", "{e}");
    assert_eq!(in_force(&fred).await, None, "refusals change nothing");

    // Another finance user approves: in force, in the decision.
    let v = approvals::decide(&gina, first, true, "checked the bank letter")
        .await
        .unwrap();
    assert_eq!(v.status, ApprovalStatus::Approved);
    assert_eq!(
        in_force(&fred).await,
        Some(("Zoë Müller".into(), IBAN_A.into()))
    );
    assert!(payouts::pending_payment_details(&fred, PARTNER)
        .await
        .unwrap()
        .is_none());

    // The log: the request with the account masked, the change naming it.
    let requested = log_of(&alice, "approval.request", &first.to_string()).await;
    let after = requested[0].after.clone().unwrap();
    assert!(
        after.contains("••••3000") && !after.contains(IBAN_A),
        "{after}"
    );
    let set = log_of(&alice, "payment_details.set", PARTNER).await;
    assert_eq!(set.len(), 1, "one change in force: {set:?}");
    let after: serde_json::Value = serde_json::from_str(set[0].after.as_deref().unwrap()).unwrap();
    assert_eq!(after["approval"]["approval_id"], first);
    assert_eq!(after["approval"]["requested_by"], "fred");
    assert_eq!(
        after["account"], "••••3000",
        "the log keeps the last four characters"
    );
    assert_eq!(set[0].actor, "gina");

    // A rejected change leaves the details as they are.
    let second = ask(&fred, "Zoë Müller", IBAN_B).await;
    let e = payouts::set_payment_details(&gina, PARTNER, "bank_transfer", "Other", IBAN_C, None)
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains(&format!("already waits for approval (request #{second})")),
        "one pending change per partner: {e}"
    );
    let queued = approvals::list(&gina, Some("pending".into()))
        .await
        .unwrap();
    let s = &queued
        .iter()
        .find(|a| a.approval_id == second)
        .unwrap()
        .summary;
    assert_eq!(
        s,
        "payment details of P0001: bank transfer, Zoë Müller, IBAN ••••3000 → bank transfer, Zoë Müller, IBAN ••••2606",
        "old → new"
    );
    approvals::decide(&gina, second, false, "the partner did not ask for this")
        .await
        .unwrap();
    assert_eq!(
        in_force(&fred).await,
        Some(("Zoë Müller".into(), IBAN_A.into())),
        "a rejection changes nothing"
    );
    assert_eq!(
        log_of(&alice, "payment_details.set", PARTNER).await.len(),
        1
    );
    let rejected = log_of(&alice, "approval.reject", &second.to_string()).await;
    assert_eq!(
        rejected.len(),
        1,
        "the decision is in the log with its request"
    );

    // The partner edited meanwhile: the approval is stale and changes
    // nothing; the request stays pending until it is rejected.
    let third = ask(&fred, "Zoë Müller", IBAN_C).await;
    partners::edit_from(&alice, PARTNER, |mut p| {
        p.name = "Affiliate One (renamed)".into();
        p
    })
    .await
    .unwrap();
    let e = approvals::decide(&gina, third, true, "checked")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "stale", "{e}");
    assert!(e.to_string().contains("was changed by alice"), "{e}");
    assert_eq!(
        in_force(&fred).await,
        Some(("Zoë Müller".into(), IBAN_A.into()))
    );
    let still = approvals::list(&gina, Some("pending".into()))
        .await
        .unwrap();
    assert!(
        still.iter().any(|a| a.approval_id == third),
        "stays pending"
    );
    approvals::decide(&gina, third, false, "the partner changed; ask again")
        .await
        .unwrap();

    // The same details again ask for nothing.
    let o =
        payouts::set_payment_details(&fred, PARTNER, "bank_transfer", "Zoë Müller", IBAN_A, None)
            .await
            .unwrap();
    assert_eq!(o.state, OutcomeState::Done, "{}", o.message);
    assert!(o.approval.is_none());
}

/// No users: nobody else could approve, so the change applies at once (as
/// the other kinds that move no money themselves) and the log says so.
async fn without_users_payment_details_apply_at_once(db: &TestDb) {
    import::import_folder(&db.ctx, &example_folders()[0])
        .await
        .unwrap();
    let o = payouts::set_payment_details(
        &db.ctx,
        PARTNER,
        "e_wallet",
        "skrill",
        "payee@example.com",
        None,
    )
    .await
    .unwrap();
    assert_eq!(o.state, OutcomeState::Done, "{}", o.message);
    assert_eq!(
        in_force(&db.ctx).await,
        Some(("skrill".into(), "payee@example.com".into()))
    );
    let set = log_of(&db.ctx, "payment_details.set", PARTNER).await;
    let after: serde_json::Value = serde_json::from_str(set[0].after.as_deref().unwrap()).unwrap();
    assert_eq!(
        after["approval"]["approval"],
        "not required (single-user mode)"
    );
    assert_eq!(after["account"], "••••.com");
}

/// The user who made a payout run may not approve it, even when someone
/// else submitted it: through the queue and through `payouts approve`.
async fn the_maker_of_a_payout_run_never_approves_it(db: &TestDb) {
    // Single-user mode for the set-up (payout runs wait for a second
    // person always); the finance users act by name.
    let ctx = &db.ctx;
    import::import_folder(ctx, &example_folders()[0])
        .await
        .unwrap();
    commissions::run(ctx, p("2026-08")).await.unwrap();
    commissions::close(ctx, p("2026-07")).await.unwrap();
    // One approval decides the run, whatever it pays.
    approvals::set_threshold(ctx, "1000000000").await.unwrap();
    for (n, b) in ledger::balances(ctx, None)
        .await
        .unwrap()
        .iter()
        .enumerate()
    {
        payouts::set_payment_details(
            ctx,
            &b.partner_id,
            "e_wallet",
            "skrill",
            &format!("payee{n}@example.com"),
            None,
        )
        .await
        .unwrap();
    }
    let fred = as_user(db, "fred", &[Role::Finance]);
    let gina = as_user(db, "gina", &[Role::Finance]);
    let hank = as_user(db, "hank", &[Role::Finance]);
    let run = payouts::create_run(&fred, Some("2026-07-31"), None)
        .await
        .unwrap();
    let id = run.run.run_id;
    assert!(!run.items.is_empty(), "the run pays someone");
    payouts::submit(&gina, id).await.unwrap();
    let request = approvals::list(&hank, Some("pending".into()))
        .await
        .unwrap()
        .into_iter()
        .find(|a| {
            a.kind == partnerdesk_app::approvals::Kind::PayoutRun && a.object_id == id.to_string()
        })
        .expect("the submitted run waits");
    assert_eq!(request.maker, "gina");

    let via_queue = approvals::decide(&fred, request.approval_id, true, "mine")
        .await
        .unwrap_err();
    let direct = payouts::approve(&fred, id, "mine").await.unwrap_err();
    assert_eq!(via_queue.code(), "forbidden", "{via_queue}");
    assert_eq!(
        direct.to_string(),
        via_queue.to_string(),
        "one rule, one answer"
    );
    assert!(
        via_queue.to_string().contains(&format!(
            "you made what request #{} is about",
            request.approval_id
        )) && via_queue.to_string().contains("(four eyes)"),
        "{via_queue}"
    );
    let fred_sees = approvals::list(&fred, Some("pending".into()))
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.approval_id == request.approval_id)
        .unwrap();
    assert!(
        !fred_sees.can_decide,
        "the queue does not offer it to the run's maker"
    );
    let e = payouts::approve(&gina, id, "mine").await.unwrap_err();
    assert!(
        e.to_string().contains("you asked for request"),
        "the submitter neither: {e}"
    );

    let approved = payouts::approve(&hank, id, "checked").await.unwrap();
    assert_eq!(approved.run.state, RunState::Approved);
}

on_both_backends!(
    a_payment_details_change_waits_for_another_finance_user,
    without_users_payment_details_apply_at_once,
    the_maker_of_a_payout_run_never_approves_it,
);
