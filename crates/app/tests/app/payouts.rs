//! The ledger and payout runs on both backends: closing posts entries, runs
//! pay each entry at most once (even when two are created at the same time),
//! four eyes, bad input, the SEPA file against the ISO 20022 schema. Two
//! runs at once are `payout_race.rs`; statements read back,
//! `payout_statements.rs`; a closed period's entries, `ledger_posting.rs`
//! (all use the set-up here).

use crate::on_both_backends;
use crate::support::{as_user, example_folders, repo_root, TestDb};
use partnerdesk_app::access::Role;
use partnerdesk_app::payouts::{self, Settlement};
use partnerdesk_app::{approvals, commissions, import, ledger, Actor, Context};
use partnerdesk_domain::{CurrencyCode, Period};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::str::FromStr;

pub(crate) fn p(s: &str) -> Period {
    Period::parse("period", s).unwrap()
}

/// Two decimals, as the app shows money.
fn money(mut a: Decimal) -> String {
    a.rescale(2);
    a.to_string()
}

pub(crate) fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// A valid German IBAN for account number `n` (check digits computed by ISO 7064 mod 97-10).
fn iban(n: u32) -> String {
    let bban = format!("37040044{n:010}");
    let digits = format!("{bban}131400");
    let rem = digits
        .chars()
        .fold(0u32, |r, c| (r * 10 + c.to_digit(10).unwrap()) % 97);
    format!("DE{:02}{bban}", 98 - rem)
}

/// Imports scenario A, computes through August and closes July.
pub(crate) async fn closed_july(ctx: &Context) {
    import::import_folder(ctx, &example_folders()[0])
        .await
        .unwrap();
    commissions::run(ctx, p("2026-08")).await.unwrap();
    commissions::close(ctx, p("2026-07")).await.unwrap();
}

pub(crate) async fn balances(
    ctx: &Context,
) -> BTreeMap<(String, CurrencyCode), (Decimal, Decimal)> {
    ledger::balances(ctx, None)
        .await
        .unwrap()
        .into_iter()
        .map(|b| ((b.partner_id, b.currency), (d(&b.balance), d(&b.unclaimed))))
        .collect()
}

/// Gives EUR partners bank accounts and the others an e-wallet, except `without`.
pub(crate) async fn pay_details(ctx: &Context, without: &[&str]) {
    for (n, b) in ledger::balances(ctx, None)
        .await
        .unwrap()
        .iter()
        .enumerate()
    {
        if without.contains(&b.partner_id.as_str()) {
            continue;
        }
        if b.currency.as_str() == "EUR" {
            payouts::set_payment_details(
                ctx,
                &b.partner_id,
                "bank_transfer",
                &format!("Zoë Šťastná Müller {n}"),
                &iban(n as u32 + 1),
                Some("COBADEFFXXX"),
            )
            .await
            .unwrap();
        } else {
            payouts::set_payment_details(
                ctx,
                &b.partner_id,
                "e_wallet",
                "skrill",
                &format!("{}@example.com", b.partner_id),
                None,
            )
            .await
            .unwrap();
        }
    }
}

async fn a_payout_run_from_draft_to_paid(db: &TestDb) {
    let ctx = &db.ctx;
    closed_july(ctx).await;
    let before = balances(ctx).await;
    let positive: Vec<(String, CurrencyCode, Decimal)> = before
        .iter()
        .filter(|(_, v)| v.0 > Decimal::ZERO)
        .map(|((p, c), v)| (p.clone(), c.clone(), v.0))
        .collect();
    assert!(
        positive.len() >= 4,
        "scenario A has partners to pay: {positive:?}"
    );
    let payees = ctx.store.read().await.unwrap().payees().await.unwrap();
    let active = |p: &str| payees[p].status.as_str() == "active";
    let payable: Vec<&(String, CurrencyCode, Decimal)> =
        positive.iter().filter(|x| active(&x.0)).collect();
    let no_details = payable[0].0.clone();
    let on_hold = payable[1].0.clone();
    pay_details(ctx, &[&no_details]).await;

    // Bad input: an invalid IBAN is refused and changes nothing.
    let e = payouts::set_payment_details(
        ctx,
        &on_hold,
        "bank_transfer",
        "X",
        "DE89370400440532013001",
        None,
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("not a valid IBAN") && e.contains("check digits"),
        "{e}"
    );
    payouts::set_partner_payout(ctx, &on_hold, None, Some("KYC documents expired"))
        .await
        .unwrap();
    // A threshold just above one partner's balance carries it over.
    let carried = payable[2].clone();
    payouts::set_partner_payout(
        ctx,
        &carried.0,
        Some(&(carried.2 + Decimal::ONE).to_string()),
        None,
    )
    .await
    .unwrap();
    let rules = payouts::partner_payout(ctx, &carried.0).await.unwrap();
    assert_eq!(rules.threshold, Some(money(carried.2 + Decimal::ONE)));
    assert_eq!(rules.hold_reason, None);
    let rules = payouts::partner_payout(ctx, &on_hold).await.unwrap();
    assert_eq!(rules.hold_reason.as_deref(), Some("KYC documents expired"));

    let alice = as_user(db, "alice", &[Role::Finance]);
    let bob = as_user(db, "bob", &[Role::Finance]);
    let run = payouts::create_run(&alice, None, Some(p("2026-07")))
        .await
        .unwrap();
    let id = run.run.run_id;
    assert_eq!(run.run.state.as_str(), "draft");
    // The run the creation answers with is the run as stored, and the list's
    // totals (summed per currency in one query) are the detail's.
    let stored = payouts::run_detail(ctx, id).await.unwrap();
    assert_eq!(
        serde_json::to_value(&run).unwrap(),
        serde_json::to_value(&stored).unwrap(),
        "created == read back"
    );
    let listed = payouts::list_runs(ctx).await.unwrap();
    let listed = listed.iter().find(|r| r.run_id == id).unwrap();
    assert_eq!(
        serde_json::to_value(listed).unwrap(),
        serde_json::to_value(&stored.run).unwrap()
    );
    assert!(run.items.iter().all(|i| !i.name.is_empty()));
    assert!(run.held.iter().all(|h| !h.name.is_empty()));
    let reasons: BTreeMap<&str, &str> = run
        .held
        .iter()
        .map(|h| (h.partner_id.as_str(), h.reason.as_str()))
        .collect();
    assert_eq!(
        reasons.get(no_details.as_str()),
        Some(&"no payment details on file")
    );
    assert_eq!(
        reasons.get(on_hold.as_str()),
        Some(&"compliance hold: KYC documents expired")
    );
    for (p, _, _) in positive.iter().filter(|x| !active(&x.0)) {
        assert!(
            reasons[p.as_str()].contains("suspended"),
            "{p} is suspended: held"
        );
    }
    assert!(
        !run.items.iter().any(|i| i.partner_id == carried.0),
        "below its own threshold: carried over"
    );
    assert!(!reasons.contains_key(carried.0.as_str()));
    let paid_partners: Vec<String> = run.items.iter().map(|i| i.partner_id.clone()).collect();
    assert_eq!(paid_partners.len(), payable.len() - 3);
    for i in &run.items {
        assert_eq!(
            d(&i.amount),
            before[&(i.partner_id.clone(), i.currency.clone())].0,
            "the whole balance is paid"
        );
    }

    // The state machine, with four eyes: a submitted run waits in the
    // approvals queue; only another finance user decides it, with a reason.
    let e = payouts::approve(&bob, id, "looks right")
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("only a submitted run can be approved"), "{e}");
    let submitted = payouts::submit(&alice, id).await.unwrap();
    assert_eq!(submitted.run.state.as_str(), "submitted");
    let request = submitted
        .run
        .approval_id
        .expect("the run waits in the queue");
    let queued = approvals::list(ctx, Some("pending".into())).await.unwrap();
    let q = queued
        .iter()
        .find(|a| a.approval_id == request)
        .expect("the payout run is in the approvals queue");
    assert_eq!(q.kind, approvals::Kind::PayoutRun);
    assert_eq!(q.object_id, id.to_string());
    assert!(
        q.summary.contains(&format!("payout run {id}")),
        "{}",
        q.summary
    );
    let largest = submitted
        .run
        .totals
        .iter()
        .map(|t| d(&t.amount))
        .max()
        .unwrap();
    assert_eq!(
        q.amount.as_deref().map(d),
        Some(largest),
        "the amount at stake"
    );
    let e = payouts::approve(&alice, id, "my own run")
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("another finance user must approve"), "{e}");
    let sent_back = payouts::reject(&alice, id, "my own run")
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(sent_back, e, "one maker ≠ checker rule for every door");
    let e2 = e;
    let e = approvals::decide(&alice, request, true, "my own run")
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(e, e2, "the queue's door says the same");
    assert!(
        e.contains("another finance user must approve or reject it (four eyes)"),
        "the same rule through the queue's door: {e}"
    );
    let viewer = Context {
        actor: Actor::with_roles("val", &[Role::Viewer]),
        ..db.ctx.clone()
    };
    assert!(matches!(
        payouts::approve(&viewer, id, "no").await,
        Err(partnerdesk_app::AppError::Forbidden { .. })
    ));
    let e = payouts::approve(&bob, id, "  ")
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("give a reason"), "{e}");
    assert_eq!(
        payouts::run_detail(ctx, id)
            .await
            .unwrap()
            .run
            .state
            .as_str(),
        "submitted",
        "refusals change nothing"
    );
    // Sent back with a reason: a draft again, the request rejected.
    let back = payouts::reject(&bob, id, "wrong pay date").await.unwrap();
    assert_eq!(back.run.state.as_str(), "draft");
    assert_eq!(back.run.approval_id, None);
    let rejected = approvals::list(ctx, Some("rejected".into())).await.unwrap();
    assert!(rejected.iter().any(|a| a.approval_id == request));
    // Above the threshold two different approvers are needed.
    approvals::set_threshold(ctx, "1").await.unwrap();
    let again = payouts::submit(&alice, id).await.unwrap();
    let second_request = again.run.approval_id.unwrap();
    assert_ne!(second_request, request);
    let once = payouts::approve(&bob, id, "figures checked").await.unwrap();
    assert_eq!(once.run.state.as_str(), "submitted", "one of two approvals");
    let e = payouts::approve(&bob, id, "again")
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("needs another approver"), "{e}");
    let carol = as_user(db, "carol", &[Role::Finance]);
    let approved = payouts::approve(&carol, id, "second pair of eyes")
        .await
        .unwrap();
    assert_eq!(approved.run.state.as_str(), "approved");
    assert_eq!(approved.run.approved_by.as_deref(), Some("carol"));
    let decided = approvals::list(ctx, Some("approved".into())).await.unwrap();
    let r = decided
        .iter()
        .find(|a| a.approval_id == second_request)
        .unwrap();
    assert_eq!((r.required_approvals, r.approvals), (2, 2));
    // The run's decisions are audited with the request they came from.
    let decisions = partnerdesk_app::audit::entries(
        ctx,
        &partnerdesk_app::audit::AuditQuery {
            object_type: Some("payout_run".into()),
            object_id: Some(id.to_string()),
            limit: 100,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let after_of = |action: &str| -> serde_json::Value {
        let e = decisions
            .entries
            .iter()
            .find(|e| e.action == action)
            .unwrap_or_else(|| panic!("{action} is audited"));
        serde_json::from_str(e.after.as_deref().unwrap_or("null")).unwrap()
    };
    let approved_after = after_of("payout.run.approve");
    assert_eq!(approved_after["state"], "approved");
    assert_eq!(approved_after["approval"]["approval_id"], second_request);
    assert_eq!(approved_after["approval"]["requested_by"], "alice");
    let back_after = after_of("payout.run.send_back");
    assert_eq!(back_after["state"], "draft");
    assert_eq!(back_after["approval"]["approval_id"], request);
    let settle_all = |outcome: &str| -> Vec<Settlement> {
        run.items
            .iter()
            .map(|i| Settlement {
                partner_id: i.partner_id.clone(),
                currency: i.currency.to_string(),
                outcome: outcome.into(),
                note: format!("BANK-REF-{}", i.partner_id),
            })
            .collect()
    };
    let e = payouts::settle(&alice, id, &settle_all("paid"))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("only after the run was exported"),
        "marking paid a run never exported: {e}"
    );

    // Export needs the operator's account for the SEPA file; refused, nothing changes.
    let e = payouts::export(&alice, id).await.unwrap_err().to_string();
    assert!(e.contains("operator's own bank account"), "{e}");
    assert_eq!(
        payouts::run_detail(ctx, id)
            .await
            .unwrap()
            .run
            .state
            .as_str(),
        "approved"
    );
    let totals = |b: &BTreeMap<(String, CurrencyCode), (Decimal, Decimal)>| {
        b.iter().map(|(k, v)| (k.clone(), v.0)).collect::<Vec<_>>()
    };
    assert_eq!(
        totals(&balances(ctx).await),
        totals(&before),
        "a refused export posts nothing"
    );
    payouts::set_operator_account(
        ctx,
        "Partnerdesk Operator GmbH",
        "DE89 3704 0044 0532 0130 00",
        Some("COBADEFFXXX"),
    )
    .await
    .unwrap();
    let files = payouts::export(&alice, id).await.unwrap();
    let eur: Vec<_> = run
        .items
        .iter()
        .filter(|i| i.currency.as_str() == "EUR")
        .collect();
    assert_eq!(files.sepa_payments as usize, eur.len());
    assert_eq!(
        files.csv.lines().count(),
        run.items.len() + 1,
        "a header and one row per payment"
    );
    for i in &run.items {
        let row = format!(
            "{id},2026-07-31,{},{},{},{}",
            i.partner_id, i.name, i.currency, i.amount
        );
        assert!(
            files.csv.lines().any(|l| l.starts_with(&row)),
            "{row} in {}",
            files.csv
        );
    }
    // One payout entry per payment, for minus its amount, linked to its item.
    let posted: Vec<(String, String, String, String, i64)> = sqlx::query_as(
        "SELECT e.partner_id, e.currency, e.amount, e.source, i.payout_entry FROM ledger_entries e \
         JOIN payout_items i ON i.payout_entry = e.entry_id WHERE e.kind = 'payout' AND e.run_id = $1",
    )
    .bind(id)
    .fetch_all(ctx.store.pool())
    .await
    .unwrap();
    assert_eq!(posted.len(), run.items.len());
    for (partner, currency, amount, source, _) in &posted {
        let item = run
            .items
            .iter()
            .find(|i| &i.partner_id == partner && i.currency.as_str() == currency)
            .unwrap();
        assert_eq!(d(amount), -d(&item.amount));
        assert_eq!(source, &format!("payout:{id}:{partner}:{currency}"));
    }
    let xml = files.sepa_xml.expect("EUR bank transfers make a SEPA file");
    let eur_total: Decimal = eur.iter().map(|i| d(&i.amount)).sum();
    assert!(
        xml.contains(&format!("<CtrlSum>{eur_total}</CtrlSum>")),
        "control sum = the EUR payments"
    );
    assert!(
        xml.contains("Zoe Stastna Muller"),
        "names in the SEPA character set"
    );
    validate_sepa(&xml);

    // Exported: the balances are paid out, the run's entries are claimed.
    let b = balances(ctx).await;
    for i in &run.items {
        assert_eq!(
            b[&(i.partner_id.clone(), i.currency.clone())].0,
            Decimal::ZERO,
            "{} paid in full",
            i.partner_id
        );
    }
    let e = payouts::cancel(&alice, id).await.unwrap_err().to_string();
    assert!(e.contains("can no longer be cancelled"), "{e}");

    // One payment fails (its amount returns to the balance), the others are paid.
    let failed = run.items[0].clone();
    let mut s = settle_all("paid");
    s[0].outcome = "failed".into();
    s[0].note = "account closed".into();
    let e = payouts::settle(
        &alice,
        id,
        &[Settlement {
            note: " ".into(),
            ..s[1].clone()
        }],
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(e.contains("payment reference"), "{e}");
    let done = payouts::settle(&alice, id, &s).await.unwrap();
    assert_eq!(done.run.state.as_str(), "paid");
    assert!(done
        .items
        .iter()
        .skip(1)
        .all(|i| i.reference.as_deref() == Some(&format!("BANK-REF-{}", i.partner_id)[..])));
    // "Payout sent" is queued for each paid partner with an e-mail address,
    // with the amount and the reference; none for the failed payment.
    let outbox = partnerdesk_app::mail::outbox_list(
        ctx,
        partnerdesk_app::mail::OutboxQuery {
            limit: 1000,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let sent: Vec<_> = outbox
        .rows
        .iter()
        .filter(|r| r.template_key.as_deref() == Some("payout_sent"))
        .collect();
    for i in done.items.iter().skip(1) {
        let p = ctx
            .store
            .read()
            .await
            .unwrap()
            .partner(&i.partner_id)
            .await
            .unwrap()
            .unwrap();
        if p.email.is_none() {
            continue;
        }
        let m = sent
            .iter()
            .find(|r| r.partner_id.as_deref() == Some(&i.partner_id))
            .unwrap_or_else(|| panic!("payout_sent for {}", i.partner_id));
        assert_eq!(
            m.subject,
            format!("Payout of {} {} sent", money(d(&i.amount)), i.currency)
        );
        let body = partnerdesk_app::mail::outbox_message(ctx, m.id)
            .await
            .unwrap()
            .body;
        assert!(
            body.contains(&format!("BANK-REF-{}", i.partner_id)),
            "{body}"
        );
    }
    assert!(!sent
        .iter()
        .any(|r| r.partner_id.as_deref() == Some(&failed.partner_id)));
    let b = balances(ctx).await;
    assert_eq!(
        b[&(failed.partner_id.clone(), failed.currency.clone())],
        (d(&failed.amount), d(&failed.amount)),
        "a failed payment returns to the balance, unclaimed"
    );
    let e = payouts::settle(&alice, id, &s)
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("finished"), "{e}");
    let check = ledger::check(ctx).await.unwrap();
    assert!(check.ok, "{:?}", check.problems);

    // The next run pays the failed amount again (and nothing already paid).
    let next = payouts::create_run(
        &alice,
        Some(&chrono::Utc::now().format("%Y-%m-%d").to_string()),
        None,
    )
    .await
    .unwrap();
    let again: Vec<_> = next
        .items
        .iter()
        .map(|i| (i.partner_id.clone(), d(&i.amount)))
        .collect();
    assert_eq!(
        again,
        vec![(failed.partner_id.clone(), d(&failed.amount))],
        "only the returned amount is payable"
    );
}

fn validate_sepa(xml: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sepa.xml");
    std::fs::write(&file, xml).unwrap();
    let out = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(repo_root().join("tests/fixtures/sepa/pain.001.001.03.xsd"))
        .arg(&file)
        .output()
        .expect("xmllint (Debian package libxml2-utils) must be installed");
    assert!(
        out.status.success(),
        "the SEPA file must validate against pain.001.001.03.xsd:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

on_both_backends!(a_payout_run_from_draft_to_paid);
