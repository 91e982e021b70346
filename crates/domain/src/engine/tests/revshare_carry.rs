//! Negative carry-over: carried across months, dropped (not netted) by a plan
//! without `negative_carryover` or without revshare, kept through idle months.

use super::builder::*;
use crate::commission::Kind;

const CARRY: &str = r#"[{"type": "revshare", "rate": "0.30", "negative_carryover": true}]"#;

#[test]
fn a_loss_carries_over_two_months_into_a_win() {
    let s = casino(CARRY).player("C1", "DE", "2026-07-01");
    let mut e = s.engine();
    // July:   NGR = 100 − 400 = −300; effective = −300 → 0, carry_out −300.
    let jul = run(
        &mut e,
        "2026-07",
        &[s.play("C1", "2026-07-02", "10", "100", "400")],
        &[],
    );
    assert_eq!(
        amount(&jul, "A", Kind::Revshare),
        d("0"),
        "a loss pays nothing"
    );
    assert_eq!(explained(&jul, "A", Kind::Revshare, "/carry_out"), "-300");
    // August: NGR = 300 − 400 = −100; effective = −100 − 300 = −400 → 0, carry_out −400.
    let aug = run(
        &mut e,
        "2026-08",
        &[s.play("C1", "2026-08-02", "10", "300", "400")],
        &[],
    );
    assert_eq!(amount(&aug, "A", Kind::Revshare), d("0"), "still a loss");
    assert_eq!(
        explained(&aug, "A", Kind::Revshare, "/carry_in"),
        "-300",
        "July's carry_out is August's carry_in"
    );
    assert_eq!(explained(&aug, "A", Kind::Revshare, "/carry_out"), "-400");
    // September: NGR = 1000 − 100 = 900; effective = 900 − 400 = 500; 500 × 0.30 = 150.00.
    let sep = run(
        &mut e,
        "2026-09",
        &[s.play("C1", "2026-09-02", "10", "1000", "100")],
        &[],
    );
    assert_eq!(
        amount(&sep, "A", Kind::Revshare),
        d("150.00"),
        "30% of NGR net of the carried loss"
    );
    // October: carry was used up (carry_out 0 after a positive effective): 200 × 0.30 = 60.00.
    let oct = run(
        &mut e,
        "2026-10",
        &[s.play("C1", "2026-10-02", "10", "200", "0")],
        &[],
    );
    assert_eq!(
        amount(&oct, "A", Kind::Revshare),
        d("60.00"),
        "nothing left to carry"
    );
}

#[test]
fn a_plan_without_negative_carryover_drops_the_carry() {
    let s = casino(CARRY)
        .plan("no-carry", r#"[{"type": "revshare", "rate": "0.30"}]"#)
        .player("C1", "DE", "2026-07-01")
        .without_assignments()
        .assign("A", "CAS", "deal", "2026-07", Some("2026-07"))
        .assign("A", "CAS", "no-carry", "2026-08", Some("2026-08"))
        .assign("A", "CAS", "deal", "2026-09", None);
    let mut e = s.engine();
    // July (carry plan): NGR −300 → carry_out −300.
    run(
        &mut e,
        "2026-07",
        &[s.play("C1", "2026-07-02", "10", "100", "400")],
        &[],
    );
    // August (negative_carryover false): carry_in = 0, so effective = NGR = 500 − 0 = 500;
    // 500 × 0.30 = 150.00 (netting July's −300 would give 60.00).
    let aug = run(
        &mut e,
        "2026-08",
        &[s.play("C1", "2026-08-02", "10", "500", "0")],
        &[],
    );
    assert_eq!(
        amount(&aug, "A", Kind::Revshare),
        d("150.00"),
        "the carry is dropped, not netted"
    );
    // September (carry plan again): the dropped carry does not come back: 100 × 0.30 = 30.00.
    let sep = run(
        &mut e,
        "2026-09",
        &[s.play("C1", "2026-09-02", "10", "100", "0")],
        &[],
    );
    assert_eq!(
        amount(&sep, "A", Kind::Revshare),
        d("30.00"),
        "a dropped carry stays dropped"
    );
}

#[test]
fn a_negative_ngr_under_a_plan_without_carryover_is_not_carried() {
    let s = casino(r#"[{"type": "revshare", "rate": "0.30", "negative_carryover": false}]"#)
        .player("C1", "DE", "2026-07-01");
    let mut e = s.engine();
    // July: NGR −300, negative_carryover false → carry_out 0.
    run(
        &mut e,
        "2026-07",
        &[s.play("C1", "2026-07-02", "10", "100", "400")],
        &[],
    );
    // August: NGR 100 → 100 × 0.30 = 30.00 (no −300 carried).
    let aug = run(
        &mut e,
        "2026-08",
        &[s.play("C1", "2026-08-02", "10", "100", "0")],
        &[],
    );
    assert_eq!(
        amount(&aug, "A", Kind::Revshare),
        d("30.00"),
        "no carry without negative_carryover"
    );
}

#[test]
fn a_plan_without_revshare_drops_the_carry() {
    let s = casino(CARRY)
        .plan("cpa-only", r#"[{"type": "cpa", "amount": "10"}]"#)
        .player("C1", "DE", "2026-07-01")
        .without_assignments()
        .assign("A", "CAS", "deal", "2026-07", Some("2026-07"))
        .assign("A", "CAS", "cpa-only", "2026-08", Some("2026-08"))
        .assign("A", "CAS", "deal", "2026-09", None);
    let mut e = s.engine();
    // July: NGR −300 → carry −300.
    run(
        &mut e,
        "2026-07",
        &[s.play("C1", "2026-07-02", "10", "100", "400")],
        &[],
    );
    // August: no revshare component: no revshare line, and the carry is dropped
    // (not netted against August's NGR of 1000).
    let aug = run(
        &mut e,
        "2026-08",
        &[s.play("C1", "2026-08-02", "10", "1000", "0")],
        &[],
    );
    assert!(
        line(&aug, "A", Kind::Revshare).is_none(),
        "no revshare component, no revshare line"
    );
    // September: carry_in 0: 500 × 0.30 = 150.00 (not (500 − 300) × 0.30 = 60.00).
    let sep = run(
        &mut e,
        "2026-09",
        &[s.play("C1", "2026-09-02", "10", "500", "0")],
        &[],
    );
    assert_eq!(
        amount(&sep, "A", Kind::Revshare),
        d("150.00"),
        "carry dropped by the revshare-less month"
    );
}

#[test]
fn a_month_without_activity_still_carries() {
    let s = casino(CARRY).player("C1", "DE", "2026-07-01");
    let mut e = s.engine();
    // July: NGR −300 → carry −300.
    run(
        &mut e,
        "2026-07",
        &[s.play("C1", "2026-07-02", "10", "100", "400")],
        &[],
    );
    // August: no rows at all; effective = 0 − 300 → the carry goes on.
    let aug = run(&mut e, "2026-08", &[], &[]);
    assert_eq!(explained(&aug, "A", Kind::Revshare, "/carry_in"), "-300");
    assert_eq!(
        explained(&aug, "A", Kind::Revshare, "/carry_out"),
        "-300",
        "an idle month passes the carry on"
    );
    // September: NGR 500 → effective 200 → 200 × 0.30 = 60.00.
    let sep = run(
        &mut e,
        "2026-09",
        &[s.play("C1", "2026-09-02", "10", "500", "0")],
        &[],
    );
    assert_eq!(
        amount(&sep, "A", Kind::Revshare),
        d("60.00"),
        "July's loss survives the idle August"
    );
}

/// Many partners at once (their RevShare is worked out in two halves): each
/// carries its own loss into the next month, none is lost or mixed up.
#[test]
fn every_partner_carries_its_own_loss() {
    use crate::partner::TrackingKind;
    // Partner P0..P4: customer Ci loses 100 × (i + 1) in July (bets 0, wins
    // 100 × (i + 1)), then wins 1000 in August (bets 1000, wins 0).
    let mut s = casino(CARRY);
    for i in 0..5 {
        let (p, code, c) = (format!("P{i}"), format!("p{i}"), format!("C{i}"));
        s = s
            .partner(&p, None, "EUR")
            .assign(&p, "CAS", "deal", "2026-07", None)
            .code("CAS", &code, &p, TrackingKind::Btag)
            .customer(&c, "CAS", Some(&code), "DE", "2026-07-01");
    }
    let mut e = s.engine();
    let loss = |i: usize| (100 * (i + 1)).to_string();
    let july: Vec<_> = (0..5)
        .map(|i| s.play(&format!("C{i}"), "2026-07-02", "10", "0", &loss(i)))
        .collect();
    run(&mut e, "2026-07", &july, &[]);
    let august: Vec<_> = (0..5)
        .map(|i| s.play(&format!("C{i}"), "2026-08-02", "10", "1000", "0"))
        .collect();
    let aug = run(&mut e, "2026-08", &august, &[]);
    for i in 0..5 {
        let p = format!("P{i}");
        // carry_in −100 × (i + 1); effective 1000 − 100 × (i + 1); × 0.30.
        let carry_in = format!("-{}", loss(i));
        assert_eq!(
            explained(&aug, &p, Kind::Revshare, "/carry_in"),
            carry_in,
            "{p}"
        );
        let effective = d("1000") - d(&loss(i));
        assert_eq!(
            amount(&aug, &p, Kind::Revshare),
            (effective * d("0.30")).round_dp(2),
            "{p}: 0.30 × {effective}"
        );
    }
}
