//! Stored engine state: a period computed by an engine restored from the
//! state after the period before it gives the lines of an engine that
//! computed every period; unusable states are refused without changing anything.

use super::builder::*;
use crate::commission::Kind;

const CARRY_CPA: &str = r#"[{"type": "revshare", "rate": "0.30", "negative_carryover": true},
    {"type": "cpa", "amount": "50", "min_deposits": "100", "min_bets": "500"}]"#;

#[test]
fn a_restored_engine_continues_exactly_like_the_one_that_ran() {
    let s = casino(CARRY_CPA)
        .player("C1", "DE", "2026-07-01")
        .player("C2", "DE", "2026-07-01");
    let jul = [
        s.play("C1", "2026-07-02", "60", "100", "400"),
        s.play("C2", "2026-07-03", "40", "200", "50"),
    ];
    let aug = [
        s.play("C1", "2026-08-02", "60", "1000", "100"),
        s.play("C2", "2026-08-05", "80", "400", "100"),
    ];
    let mut all = s.engine();
    run(&mut all, "2026-07", &jul, &[]);
    let state = all.snapshot().expect("a state after July");
    let expected = run(&mut all, "2026-08", &aug, &[]);

    let mut resumed = s.engine();
    assert_eq!(resumed.restore(&state), Ok(period("2026-07")));
    assert_eq!(resumed.last_period(), Some(period("2026-07")));
    let got = run(&mut resumed, "2026-08", &aug, &[]);
    assert_eq!(got, expected);
    assert_eq!(
        explained(&got, "A", Kind::Revshare, "/carry_in"),
        "-150",
        "July's loss (C1: 100 − 400, C2: 200 − 50) is carried into August"
    );
    assert_eq!(
        resumed.snapshot(),
        all.snapshot(),
        "the same state after August"
    );
}

#[test]
fn unusable_states_are_refused_and_change_nothing() {
    let s = casino(CARRY_CPA).player("C1", "DE", "2026-07-01");
    let mut e = s.engine();
    assert!(e.snapshot().is_none(), "no state before a period");
    for bad in [
        "",
        "something else\nperiod\t2026-07\n",
        "partnerdesk-engine-state 1\nperiod\t2026-07\nc\tNOBODY\t1\t1\t0\t-\n",
        "partnerdesk-engine-state 1\nperiod\t2026-07\nc\tC1\tx\t1\t0\t-\n",
        "partnerdesk-engine-state 1\nperiod\t2026-07\nk\tA\tNOBRAND\t-5\n",
        "partnerdesk-engine-state 1\nperiod\t2026-07\nz\n",
        "partnerdesk-engine-state 1\nperiod\t2026-07\nc\tC1\t1\t1\t0\t-\textra\n",
        "partnerdesk-engine-state 1\nperiod\t2026-07\nc\tC1\t1\t1\t0\n",
        "partnerdesk-engine-state 1\nperiod\t2026-07\nc\tC1\t1\t1\t2\t-\n",
        "partnerdesk-engine-state 1\nperiod\t2026-07\nc\tC1\t1\t1\t0\t2026-02-30\n",
        "partnerdesk-engine-state 1\nperiod\t2026-07\np\tNO-ORDER\t5\n",
        "partnerdesk-engine-state 1\nperiod\t2026-07\nk\tA\n",
        // a good record, then a bad one: nothing of the first is kept either
        "partnerdesk-engine-state 1\nperiod\t2026-07\nc\tC1\t1\t1\t1\t2026-07-01\nc\tNOBODY\t1\t1\t0\t-\n",
    ] {
        assert!(e.restore(bad).is_err(), "{bad:?} is refused");
        assert_eq!(e.last_period(), None);
    }
    // Still a fresh engine: July computes as usual.
    run(
        &mut e,
        "2026-07",
        &[s.play("C1", "2026-07-02", "10", "100", "400")],
        &[],
    );
    let state = e.snapshot().expect("a state");
    assert!(
        e.restore(&state).is_err(),
        "only into an engine that computed nothing"
    );
}
