//! Sub-partner overrides: `r_k` for a descendant exactly k levels below, on
//! its revshare + cpa + purchase share only; a negative basis gives a negative
//! override; an ancestor without the component is skipped.

use super::builder::*;
use crate::commission::Kind;
use crate::partner::{TrackingKind, Vertical};

/// G ← P ← A on brand CAS (EUR); A earns revshare 50% and CPA 100 on C1.
fn tree(p_plan: &str, g_plan: &str) -> Scenario {
    Scenario::new()
        .brand("CAS", Vertical::Igaming, "EUR")
        .partner("G", None, "EUR")
        .partner("P", Some("G"), "EUR")
        .partner("A", Some("P"), "EUR")
        .plan(
            "a-plan",
            r#"[{"type": "revshare", "rate": "0.50"}, {"type": "cpa", "amount": "100"}]"#,
        )
        .plan("p-plan", p_plan)
        .plan("g-plan", g_plan)
        .assign("A", "CAS", "a-plan", "2026-07", None)
        .assign("P", "CAS", "p-plan", "2026-07", None)
        .assign("G", "CAS", "g-plan", "2026-07", None)
        .code("CAS", "a-btag", "A", TrackingKind::Btag)
        .player("C1", "DE", "2026-07-01")
}

#[test]
fn levels_apply_by_exact_depth_and_overrides_are_no_basis() {
    let s = tree(
        r#"[{"type": "revshare", "rate": "0.50"}, {"type": "sub_override", "levels": ["0.10", "0.05"]}]"#,
        r#"[{"type": "sub_override", "levels": ["0.20", "0.04"]}]"#,
    )
    .code("CAS", "p-btag", "P", TrackingKind::Btag)
    .customer("C2", "CAS", Some("p-btag"), "DE", "2026-07-01");
    let mut e = s.engine();
    // A:  revshare 0.50 × 1000 = 500, CPA 100 → basis(A) = 600.
    // P:  own revshare 0.50 × 200 = 100 → basis(P) = 100 (its override is not basis).
    // P's override: level 1 × A: 0.10 × 600 = 60.00.
    // G's override: level 1 × P: 0.20 × 100 = 20; level 2 × A: 0.04 × 600 = 24 → 44.00.
    let rows = [
        s.play("C1", "2026-07-02", "10", "1000", "0"),
        s.play("C2", "2026-07-02", "10", "200", "0"),
    ];
    let jul = run(&mut e, "2026-07", &rows, &[]);
    assert_eq!(
        amount(&jul, "P", Kind::SubOverride),
        d("60.00"),
        "r1 on the child"
    );
    assert_eq!(
        amount(&jul, "G", Kind::SubOverride),
        d("44.00"),
        "r1 on P's own 100 (not P's 60 override) plus r2 on the grandchild's 600"
    );
}

#[test]
fn an_ancestor_without_sub_override_is_skipped_but_deeper_ones_earn() {
    let s = tree(
        r#"[{"type": "revshare", "rate": "0.50"}]"#,
        r#"[{"type": "sub_override", "levels": ["0.10", "0.05"]}]"#,
    );
    let mut e = s.engine();
    // basis(A) = 0.50 × 1000 + 100 = 600. P has no sub_override: nothing.
    // G is 2 levels above A: 0.05 × 600 = 30.00 (not r1's 60).
    let jul = run(
        &mut e,
        "2026-07",
        &[s.play("C1", "2026-07-02", "10", "1000", "0")],
        &[],
    );
    assert!(
        line(&jul, "P", Kind::SubOverride).is_none(),
        "no component, no override"
    );
    assert_eq!(
        amount(&jul, "G", Kind::SubOverride),
        d("30.00"),
        "level 2 rate for a grandchild"
    );
}

#[test]
fn lot_rebates_and_spread_share_are_no_basis_but_purchase_share_is() {
    let s = broker()
        .brand("PROP", Vertical::Prop, "USD")
        .ib("P", None, Some(r#"[{"type": "sub_override", "levels": ["0.50"]}]"#))
        .ib(
            "A",
            Some("P"),
            Some(r#"[{"type": "lot_rebate", "rates": {"fx_major": "10"}}, {"type": "spread_share", "rate": "0.5"}]"#),
        )
        .plan("shop", PURCHASE_SHARE)
        .plan("over", r#"[{"type": "sub_override", "levels": ["0.50"]}]"#)
        .assign("A", "PROP", "shop", "2026-07", None)
        .assign("P", "PROP", "over", "2026-07", None)
        .code("PROP", "a-link", "A", TrackingKind::Btag)
        .client("T1", "A")
        .customer("C1", "PROP", Some("a-link"), "DE", "2026-07-01")
        .purchase("O1", "C1", "100", None, "2026-07-03T10:00:00Z", None);
    let mut e = s.engine();
    let trade = crate::data::Trade {
        commission: d("10"),
        ..s.held("X1", "T1", "fx_major", "1", "2026-07-10T12:00:00Z", 600)
    };
    // FX: A earns lot rebate 1 × 10 = 10 and spread 0.5 × 10 = 5 → no basis → P gets 0 on FX.
    // PROP: A earns 0.15 × 100 + 5 = 20 → P: 0.50 × 20 = 10.00 on PROP.
    let jul = run(&mut e, "2026-07", &[], &[trade]);
    assert_eq!(
        line_for(&jul, "A", "FX", Kind::LotRebate).map(|l| l.amount),
        Some(d("10.00"))
    );
    assert_eq!(
        line_for(&jul, "A", "FX", Kind::SpreadShare).map(|l| l.amount),
        Some(d("5.00"))
    );
    assert!(
        line_for(&jul, "P", "FX", Kind::SubOverride).is_none(),
        "rebates and spread are no basis"
    );
    assert_eq!(
        line_for(&jul, "P", "PROP", Kind::SubOverride).map(|l| l.amount),
        Some(d("10.00")),
        "purchase share is a basis, per brand"
    );
}

#[test]
fn a_negative_basis_gives_a_negative_override() {
    let s = Scenario::new()
        .brand("PROP", Vertical::Prop, "USD")
        .partner("P", None, "USD")
        .partner("A", Some("P"), "USD")
        .plan("shop", PURCHASE_SHARE)
        .plan("over", r#"[{"type": "sub_override", "levels": ["0.10"]}]"#)
        .assign("A", "PROP", "shop", "2026-07", None)
        .assign("P", "PROP", "over", "2026-07", None)
        .code("PROP", "a-link", "A", TrackingKind::Btag)
        .customer("C1", "PROP", Some("a-link"), "DE", "2026-07-01")
        .purchase(
            "O1",
            "C1",
            "100",
            None,
            "2026-07-03T10:00:00Z",
            Some("2026-08-03T10:00:00Z"),
        );
    let mut e = s.engine();
    // July: A 0.15 × 100 + 5 = 20 → P 0.10 × 20 = 2.00.
    let jul = run(&mut e, "2026-07", &[], &[]);
    assert_eq!(amount(&jul, "P", Kind::SubOverride), d("2.00"));
    // August: A's basis is the refund −20 → P 0.10 × −20 = −2.00.
    let aug = run(&mut e, "2026-08", &[], &[]);
    assert_eq!(
        amount(&aug, "P", Kind::SubOverride),
        d("-2.00"),
        "a negative basis is passed up"
    );
}
