//! Closing a period posts its lines to the ledger: entries, balances,
//! manual adjustments and reversals by four eyes, and the ledger check.
//! (Split from payouts.rs, whose set-up it uses; the story is unchanged.)

use crate::on_both_backends;
use crate::payouts::{balances, closed_july, d, p};
use crate::support::{as_user, TestDb};
use partnerdesk_app::access::Role;
use partnerdesk_app::{commissions, ledger};
use partnerdesk_domain::CurrencyCode;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

async fn closing_a_period_posts_its_lines_to_the_ledger(db: &TestDb) {
    let ctx = &db.ctx;
    closed_july(ctx).await;
    let lines = commissions::computed_lines(ctx, p("2026-07"))
        .await
        .unwrap();
    let mut expected: BTreeMap<(String, CurrencyCode), Decimal> = BTreeMap::new();
    let mut nonzero = 0;
    for s in &lines {
        if !s.line.amount.is_zero() {
            nonzero += 1;
            *expected
                .entry((s.line.partner_id.to_string(), s.line.currency))
                .or_default() += s.line.amount;
        }
    }
    let b = balances(ctx).await;
    assert_eq!(
        b.len(),
        expected.len(),
        "one balance per partner and currency with lines"
    );
    for (k, v) in &expected {
        assert_eq!(b[k].0, *v, "{k:?}: the balance is the sum of July's lines");
    }
    let check = ledger::check(ctx).await.unwrap();
    assert!(check.ok, "{:?}", check.problems);
    assert_eq!(
        check.entries as usize, nonzero,
        "one entry per non-zero closed line"
    );

    // The database itself refuses edits and deletions of entries.
    for sql in [
        "UPDATE ledger_entries SET amount = '0.00'",
        "DELETE FROM ledger_entries",
    ] {
        let e = sqlx::query(sql)
            .execute(ctx.store.pool())
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("append-only"), "{sql}: {e}");
    }

    // A reversal needs a second user, and then restores the balance exactly.
    let partner = expected.keys().next().unwrap().0.clone();
    let entries = ledger::entries(ctx, &partner).await.unwrap();
    let victim = &entries[0];
    let alice = as_user(db, "alice", &[Role::Finance]);
    let bob = as_user(db, "bob", &[Role::Finance]);
    let req = ledger::request_reversal(&alice, victim.entry_id, "line booked to the wrong partner")
        .await
        .unwrap();
    let e = ledger::decide(
        &alice,
        req.adjustment_id,
        true,
        "checked against the contract",
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(e.contains("another finance user"), "{e}");
    let before = balances(ctx).await[&(partner.clone(), victim.currency.clone())].0;
    ledger::decide(
        &bob,
        req.adjustment_id,
        true,
        "checked against the contract",
    )
    .await
    .unwrap();
    let after = balances(ctx).await[&(partner.clone(), victim.currency.clone())].0;
    assert_eq!(
        after,
        before - d(&victim.amount),
        "the reversal cancels the entry exactly"
    );
    let e = ledger::request_reversal(&alice, victim.entry_id, "again")
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("already reversed"), "{e}");

    // A manual adjustment: a reason, cents, and four eyes.
    assert!(ledger::request_adjustment(&alice, &partner, "10.00", "")
        .await
        .unwrap_err()
        .to_string()
        .contains("reason"));
    assert!(
        ledger::request_adjustment(&alice, &partner, "10.001", "bonus")
            .await
            .unwrap_err()
            .to_string()
            .contains("cents")
    );
    let a = ledger::request_adjustment(
        &alice,
        &partner,
        "25.50",
        "goodwill bonus for the summer campaign",
    )
    .await
    .unwrap();
    ledger::decide(&bob, a.adjustment_id, true, "checked against the contract")
        .await
        .unwrap();
    assert_eq!(
        balances(ctx).await[&(partner.clone(), victim.currency.clone())].0,
        after + d("25.50")
    );
    let check = ledger::check(ctx).await.unwrap();
    assert!(check.ok, "{:?}", check.problems);
}

on_both_backends!(closing_a_period_posts_its_lines_to_the_ledger);
