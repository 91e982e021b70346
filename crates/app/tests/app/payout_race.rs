//! Two payout runs created at the same time by two finance users: each
//! balance is paid by exactly one of them, and the loser's balances stay
//! for the next run (on both backends).

use crate::on_both_backends;
use crate::payouts::{balances, closed_july, d, pay_details};
use crate::support::{as_user, TestDb};
use partnerdesk_app::access::Role;
use partnerdesk_app::{approvals, payouts};

async fn two_runs_at_once_take_each_balance_once(db: &TestDb) {
    let ctx = &db.ctx;
    closed_july(ctx).await;
    pay_details(ctx, &[]).await;
    let before = balances(ctx).await;
    let alice = as_user(db, "alice", &[Role::Finance]);
    let bob = as_user(db, "bob", &[Role::Finance]);
    let (a, b) = tokio::join!(
        payouts::create_run(&alice, Some("2026-07-31"), None),
        payouts::create_run(&bob, Some("2026-07-31"), None)
    );
    let winners: Vec<_> = [&a, &b]
        .into_iter()
        .filter_map(|r| r.as_ref().ok())
        .filter(|r| !r.items.is_empty())
        .collect();
    assert_eq!(
        winners.len(),
        1,
        "exactly one run takes the balances: {:?} / {:?}",
        a.as_ref().map(|r| r.run.run_id).map_err(|e| e.to_string()),
        b.as_ref().map(|r| r.run.run_id).map_err(|e| e.to_string())
    );
    for r in [&a, &b] {
        if let Err(e) = r {
            let e = e.to_string();
            eprintln!("the losing run: {e}");
            assert!(
                e.contains("at the same time")
                    || e.contains("nothing to pay")
                    || e.contains("locked")
                    || e.contains("busy"),
                "the loser says why: {e}"
            );
        }
    }
    let runs = payouts::list_runs(ctx).await.unwrap();
    let with_items: Vec<_> = runs.iter().filter(|r| !r.totals.is_empty()).collect();
    assert_eq!(with_items.len(), 1, "the losing run left nothing behind");
    // Every payable balance is in the winning run exactly once.
    let winner = winners[0];
    let mut seen = std::collections::BTreeSet::new();
    for i in &winner.items {
        assert!(
            seen.insert((i.partner_id.clone(), i.currency.clone())),
            "paid once"
        );
        assert_eq!(
            d(&i.amount),
            before[&(i.partner_id.clone(), i.currency.clone())].0
        );
    }
    let claimed: Vec<(i64,)> = sqlx::query_as("SELECT entry_id FROM payout_claims")
        .fetch_all(ctx.store.pool())
        .await
        .unwrap();
    let distinct: std::collections::BTreeSet<i64> = claimed.iter().map(|c| c.0).collect();
    assert_eq!(claimed.len(), distinct.len(), "no entry claimed twice");
    // A third run finds nothing left to pay.
    let e = payouts::create_run(&alice, Some("2026-07-31"), None)
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("nothing to pay"), "{e}");
    // Cancelling the winner (submitted: its request is withdrawn) frees its
    // balances for a new run.
    let submitted = payouts::submit(&alice, winner.run.run_id).await.unwrap();
    let request = submitted.run.approval_id.unwrap();
    payouts::cancel(&alice, winner.run.run_id).await.unwrap();
    let pending = approvals::list(ctx, Some("pending".into())).await.unwrap();
    assert!(
        !pending.iter().any(|a| a.approval_id == request),
        "a cancelled run no longer waits for approval"
    );
    let again = payouts::create_run(&alice, Some("2026-07-31"), None)
        .await
        .unwrap();
    assert_eq!(again.items.len(), winner.items.len());
}

on_both_backends!(two_runs_at_once_take_each_balance_once);
