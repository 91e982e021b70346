//! Deals in force: the plan of each period comes from the assignments, and a
//! component the plan in force lacks earns nothing that period.

use super::builder::*;
use crate::commission::Kind;

#[test]
fn each_period_uses_the_plan_assigned_for_it() {
    let s = casino(r#"[{"type": "revshare", "rate": "0.10"}]"#)
        .plan("high", r#"[{"type": "revshare", "rate": "0.30"}]"#)
        .partner("B", None, "EUR")
        .code("CAS", "b-btag", "B", crate::partner::TrackingKind::Btag)
        .player("C1", "DE", "2026-07-01")
        .customer("C2", "CAS", Some("b-btag"), "DE", "2026-07-01")
        .without_assignments()
        .assign("A", "CAS", "deal", "2026-07", Some("2026-07"))
        .assign("A", "CAS", "high", "2026-08", None)
        // B's deal ends with July.
        .assign("B", "CAS", "deal", "2026-07", Some("2026-07"));
    let mut e = s.engine();
    let month = |p: &str| {
        let on = format!("{p}-02");
        [
            s.play("C1", &on, "10", "100", "0"),
            s.play("C2", &on, "10", "100", "0"),
        ]
    };
    // NGR 100 each month for each partner.
    // July: A 0.10 × 100 = 10.00; B 10.00.
    let jul = run(&mut e, "2026-07", &month("2026-07"), &[]);
    assert_eq!(amount(&jul, "A", Kind::Revshare), d("10.00"), "July's plan");
    assert_eq!(amount(&jul, "B", Kind::Revshare), d("10.00"));
    // August and September: A 0.30 × 100 = 30.00; B has no deal: nothing.
    for p in ["2026-08", "2026-09"] {
        let lines = run(&mut e, p, &month(p), &[]);
        assert_eq!(
            amount(&lines, "A", Kind::Revshare),
            d("30.00"),
            "{p}: the open-ended plan from August"
        );
        assert!(
            line(&lines, "B", Kind::Revshare).is_none(),
            "{p}: B has no plan in force"
        );
    }
}

#[test]
fn a_component_the_plan_in_force_lacks_earns_nothing() {
    let s = casino(r#"[{"type": "cpa", "amount": "100"}]"#)
        .plan("rs", r#"[{"type": "revshare", "rate": "0.50"}]"#)
        .player("C1", "DE", "2026-07-01")
        .player("C2", "DE", "2026-08-01")
        .without_assignments()
        .assign("A", "CAS", "deal", "2026-07", Some("2026-07"))
        .assign("A", "CAS", "rs", "2026-08", None);
    let mut e = s.engine();
    // July (CPA only): C1 qualifies → 100.00; NGR 1000 earns no revshare.
    let jul = run(
        &mut e,
        "2026-07",
        &[s.play("C1", "2026-07-02", "10", "1000", "0")],
        &[],
    );
    assert_eq!(amount(&jul, "A", Kind::Cpa), d("100.00"));
    assert!(
        line(&jul, "A", Kind::Revshare).is_none(),
        "no revshare component in July"
    );
    // August (revshare only): C2's first deposit earns no CPA; 0.50 × 100 = 50.00.
    let aug = run(
        &mut e,
        "2026-08",
        &[s.play("C2", "2026-08-02", "10", "100", "0")],
        &[],
    );
    assert!(
        line(&aug, "A", Kind::Cpa).is_none(),
        "no cpa component in August"
    );
    assert_eq!(amount(&aug, "A", Kind::Revshare), d("50.00"));
}
