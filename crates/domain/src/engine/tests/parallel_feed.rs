//! Activity and trades added at the same time on two threads
//! (`PeriodRun::add_in_parallel`) give the lines and the carried state of
//! adding them one by one; an error on either side is the run's error; a run
//! dropped before it finishes leaves the engine able to go on.

use super::builder::*;
use crate::commission::Kind;
use crate::engine::{Engine, EngineError};

const CARRY_CPA: &str = r#"[{"type": "revshare", "rate": "0.30", "negative_carryover": true},
    {"type": "cpa", "amount": "50", "min_deposits": "100", "min_bets": "500"}]"#;

fn both() -> Scenario {
    casino(CARRY_CPA)
        .player("C1", "DE", "2026-07-01")
        .player("C2", "DE", "2026-07-01")
        .brand("FX", crate::partner::Vertical::Forex, "USD")
        .ib(
            "IB",
            None,
            Some(r#"[{"type": "lot_rebate", "rates": {"fx_major": "8"}}]"#),
        )
        .client("T1", "IB")
}

/// A trade of T1 in fx_major held one hour from noon on `day`.
fn hour_trade(s: &Scenario, trade: &str, lots: &str, day: &str) -> crate::data::Trade {
    s.trade(
        trade,
        "T1",
        "fx_major",
        lots,
        &format!("{day}T12:00:00Z"),
        &format!("{day}T13:00:00Z"),
    )
}

fn in_parallel(
    e: &mut Engine,
    p: &str,
    activity: &[crate::data::ActivityDay],
    trades: &[crate::data::Trade],
) -> Result<Vec<crate::commission::Line>, EngineError> {
    let mut run = e.period(period(p))?;
    run.add_in_parallel(
        |f| {
            activity
                .iter()
                .try_for_each(|a| f.add_day(a.customer_id.as_str(), &a.amounts()))
        },
        |f| {
            trades
                .iter()
                .try_for_each(|t| f.add_trade_figures(t.customer_id.as_str(), &t.figures()))
        },
    )?;
    run.finish()
}

#[test]
fn two_threads_give_the_lines_and_state_of_one() {
    let s = both();
    let jul = [
        s.play("C1", "2026-07-02", "60", "100", "400"),
        s.play("C2", "2026-07-03", "150", "600", "50"),
    ];
    let aug = [s.play("C1", "2026-08-02", "60", "1000", "100")];
    let trades = [
        hour_trade(&s, "X1", "2", "2026-07-10"),
        hour_trade(&s, "X2", "3", "2026-07-11"),
    ];
    let aug_trades = [hour_trade(&s, "X3", "1", "2026-08-10")];
    let mut one = s.engine();
    let mut two = s.engine();
    let expected = run(&mut one, "2026-07", &jul, &trades);
    let got = in_parallel(&mut two, "2026-07", &jul, &trades).expect("July");
    assert_eq!(got, expected);
    // 5 lots × 8 = 40.00; C2 qualifies for CPA (150 ≥ 100 deposits, 600 ≥ 500 bets).
    assert_eq!(amount(&got, "IB", Kind::LotRebate), d("40.00"));
    assert_eq!(amount(&got, "A", Kind::Cpa), d("50.00"));
    assert_eq!(one.snapshot(), two.snapshot(), "the same state after July");
    let expected = run(&mut one, "2026-08", &aug, &aug_trades);
    let got = in_parallel(&mut two, "2026-08", &aug, &aug_trades).expect("August");
    assert_eq!(got, expected);
    assert_eq!(
        one.snapshot(),
        two.snapshot(),
        "the same state after August"
    );
}

#[test]
fn an_error_on_either_thread_is_the_runs_error() {
    let s = both();
    let good = [s.play("C1", "2026-07-02", "60", "100", "400")];
    let trades = [hour_trade(&s, "X1", "2", "2026-07-10")];
    let mut unknown_player = s.play("C1", "2026-07-03", "1", "1", "1");
    unknown_player.customer_id = id("NOBODY");
    let mut unknown_trader = trades[0].clone();
    unknown_trader.customer_id = id("NOBODY-FX");
    for (activity, trades, who) in [
        (
            vec![good[0].clone(), unknown_player],
            trades.to_vec(),
            "NOBODY",
        ),
        (good.to_vec(), vec![unknown_trader], "NOBODY-FX"),
    ] {
        let mut e = s.engine();
        match in_parallel(&mut e, "2026-07", &activity, &trades) {
            Err(EngineError::UnknownCustomer { customer, .. }) => assert_eq!(customer, who),
            other => panic!("expected an unknown customer, got {other:?}"),
        }
    }
}

#[test]
fn a_run_dropped_unfinished_leaves_an_engine_that_goes_on() {
    let s = both();
    let mut e = s.engine();
    {
        let mut run = e.period(period("2026-07")).expect("July");
        run.add_activity(&s.play("C1", "2026-07-02", "60", "100", "400"))
            .expect("a row");
        // Dropped without finishing.
    }
    let mut fresh = s.engine();
    let jul = [s.play("C2", "2026-07-03", "150", "600", "50")];
    assert_eq!(
        run(&mut e, "2026-07", &jul, &[]).len(),
        run(&mut fresh, "2026-07", &jul, &[]).len(),
        "the engine still computes July (its customers' carried state is back in place)"
    );
}
