//! Lot rebates, `split: difference`: each IB up the chain earns the rise of
//! the running maximum rate; the walk stops at the first IB without a lot
//! rebate; only the direct IB's min_hold_seconds applies.

use super::builder::*;
use crate::commission::Kind;

fn rebate(rates: &str) -> String {
    format!(r#"[{{"type": "lot_rebate", "rates": {rates}}}]"#)
}

#[test]
fn min_hold_seconds_passes_when_exactly_equal() {
    let s = broker()
        .ib(
            "D",
            None,
            Some(r#"[{"type": "lot_rebate", "rates": {"fx_major": "8"}, "min_hold_seconds": 60}]"#),
        )
        .client("T1", "D");
    let mut e = s.engine();
    // Held exactly 60 s: eligible, 2 lots × 8 = 16.00. Held 59 s: 5 lots earn nothing.
    let trades = [
        s.held("X1", "T1", "fx_major", "2", "2026-07-10T12:00:00Z", 60),
        s.held("X2", "T1", "fx_major", "5", "2026-07-10T12:00:00Z", 59),
    ];
    let jul = run(&mut e, "2026-07", &[], &trades);
    assert_eq!(
        amount(&jul, "D", Kind::LotRebate),
        d("16.00"),
        "60 s ≥ 60 s passes, 59 s does not"
    );
    assert_eq!(
        explained(&jul, "D", Kind::LotRebate, "/trades_below_min_hold"),
        1
    );
}

#[test]
fn each_ib_earns_the_rise_of_the_running_maximum() {
    let s = broker()
        .ib("IB1", None, Some(&rebate(r#"{"fx_major": "10"}"#)))
        .ib("IB2", Some("IB1"), Some(&rebate(r#"{"fx_major": "8"}"#)))
        .ib("IB3", Some("IB2"), Some(&rebate(r#"{"fx_major": "5"}"#)))
        .client("T1", "IB3");
    let mut e = s.engine();
    // 2 lots under IB3: IB3 5 × 2 = 10; IB2 (8 − 5) × 2 = 6; IB1 (10 − 8) × 2 = 4.
    // Total 20 = 2 lots × the highest rate 10.
    let jul = run(
        &mut e,
        "2026-07",
        &[],
        &[s.held("X1", "T1", "fx_major", "2", "2026-07-10T12:00:00Z", 600)],
    );
    assert_eq!(
        amount(&jul, "IB3", Kind::LotRebate),
        d("10.00"),
        "direct IB: its own rate"
    );
    assert_eq!(
        amount(&jul, "IB2", Kind::LotRebate),
        d("6.00"),
        "parent: 8 − 5 per lot"
    );
    assert_eq!(
        amount(&jul, "IB1", Kind::LotRebate),
        d("4.00"),
        "grandparent: 10 − 8 per lot"
    );
}

#[test]
fn a_child_rate_above_its_parent_leaves_the_parent_nothing() {
    let s = broker()
        .ib("IB1", None, Some(&rebate(r#"{"fx_major": "12"}"#)))
        .ib("IB2", Some("IB1"), Some(&rebate(r#"{"fx_major": "7"}"#)))
        .ib("IB3", Some("IB2"), Some(&rebate(r#"{"fx_major": "9"}"#)))
        .client("T1", "IB3");
    let mut e = s.engine();
    // 1 lot: IB3 9; IB2 max(9, 7) − 9 = 0; IB1 12 − 9 = 3. Total 12 = the highest rate.
    let jul = run(
        &mut e,
        "2026-07",
        &[],
        &[s.held("X1", "T1", "fx_major", "1", "2026-07-10T12:00:00Z", 600)],
    );
    assert_eq!(amount(&jul, "IB3", Kind::LotRebate), d("9.00"));
    assert!(
        line(&jul, "IB2", Kind::LotRebate).is_none(),
        "7 is below the running maximum 9"
    );
    assert_eq!(
        amount(&jul, "IB1", Kind::LotRebate),
        d("3.00"),
        "12 − 9, measured from the child's 9"
    );
}

#[test]
fn the_walk_stops_at_the_first_ib_without_lot_rebate_not_at_a_zero_rate() {
    let s = broker()
        .ib("P5", None, Some(&rebate(r#"{"fx_major": "50"}"#)))
        .ib("P4", Some("P5"), Some(r#"[{"type": "spread_share", "rate": "0.1"}]"#))
        // P3's own split is `levels`; only the direct IB's split counts.
        .ib(
            "P3",
            Some("P4"),
            Some(r#"[{"type": "lot_rebate", "rates": {"fx_major": "9"}, "split": "levels", "level_shares": ["1"]}]"#),
        )
        .ib("P2", Some("P3"), Some(&rebate(r#"{"metals": "1"}"#)))
        .ib("P1", Some("P2"), Some(&rebate(r#"{"fx_major": "0"}"#)))
        .ib("D", Some("P1"), Some(&rebate(r#"{"fx_major": "5"}"#)))
        .client("T1", "D");
    let mut e = s.engine();
    // 1 lot: D 5; P1 rate 0 (walk goes on); P2 has no fx_major → 0 (goes on);
    // P3 9 − 5 = 4; P4 has no lot_rebate → stop; P5's 50 is never reached.
    let jul = run(
        &mut e,
        "2026-07",
        &[],
        &[s.held("X1", "T1", "fx_major", "1", "2026-07-10T12:00:00Z", 600)],
    );
    assert_eq!(amount(&jul, "D", Kind::LotRebate), d("5.00"));
    assert_eq!(
        amount(&jul, "P1", Kind::LotRebate),
        d("0"),
        "rate 0 earns nothing but does not stop"
    );
    assert_eq!(
        amount(&jul, "P2", Kind::LotRebate),
        d("0"),
        "a missing group is rate 0"
    );
    assert_eq!(
        amount(&jul, "P3", Kind::LotRebate),
        d("4.00"),
        "difference, whatever P3's own split"
    );
    assert_eq!(
        amount(&jul, "P5", Kind::LotRebate),
        d("0"),
        "P4 without lot_rebate ends the walk"
    );
}

#[test]
fn only_the_direct_ibs_min_hold_applies() {
    let s = broker()
        .ib("P1", None, Some(r#"[{"type": "lot_rebate", "rates": {"fx_major": "10"}, "min_hold_seconds": 3600}]"#))
        .ib("D1", Some("P1"), Some(r#"[{"type": "lot_rebate", "rates": {"fx_major": "4"}, "min_hold_seconds": 0}]"#))
        .ib("P2", None, Some(r#"[{"type": "lot_rebate", "rates": {"fx_major": "10"}, "min_hold_seconds": 0}]"#))
        .ib("D2", Some("P2"), Some(r#"[{"type": "lot_rebate", "rates": {"fx_major": "4"}, "min_hold_seconds": 3600}]"#))
        .client("T1", "D1")
        .client("T2", "D2");
    let mut e = s.engine();
    // Both trades held 10 s, 1 lot.
    // Under D1 (min hold 0): eligible; D1 4, P1 10 − 4 = 6 despite P1's own 3600 s.
    // Under D2 (min hold 3600): not eligible for anyone, P2's 0 s does not matter.
    let trades = [
        s.held("X1", "T1", "fx_major", "1", "2026-07-10T12:00:00Z", 10),
        s.held("X2", "T2", "fx_major", "1", "2026-07-10T12:00:00Z", 10),
    ];
    let jul = run(&mut e, "2026-07", &[], &trades);
    assert_eq!(amount(&jul, "D1", Kind::LotRebate), d("4.00"));
    assert_eq!(
        amount(&jul, "P1", Kind::LotRebate),
        d("6.00"),
        "the ancestor's min hold is ignored"
    );
    assert_eq!(
        amount(&jul, "D2", Kind::LotRebate),
        d("0"),
        "the direct IB's min hold rules"
    );
    assert_eq!(
        amount(&jul, "P2", Kind::LotRebate),
        d("0"),
        "an ineligible trade pays nobody"
    );
}
