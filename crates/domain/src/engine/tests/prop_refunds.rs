//! Refunds give back exactly what the purchase earned, in the refund's period
//! (its FX rate, its override basis), or net out within the same period.

use super::builder::*;
use crate::commission::Kind;
use crate::partner::{TrackingKind, Vertical};

#[test]
fn a_later_refund_gives_back_what_was_earned_at_the_refund_periods_rate() {
    let s = Scenario::new()
        .brand("PROP", Vertical::Prop, "USD")
        .partner("P", None, "EUR")
        .partner("A", Some("P"), "EUR")
        .plan("jul", PURCHASE_SHARE)
        // August pays more on first purchases; the refund still gives back July's 35.
        .plan(
            "aug",
            r#"[{"type": "purchase_share", "first_rate": "0.50", "repeat_rate": "0.50"}]"#,
        )
        .plan("over", r#"[{"type": "sub_override", "levels": ["0.10"]}]"#)
        .assign("A", "PROP", "jul", "2026-07", Some("2026-07"))
        .assign("A", "PROP", "aug", "2026-08", None)
        .assign("P", "PROP", "over", "2026-07", None)
        .code("PROP", "a-link", "A", TrackingKind::Btag)
        .fx("2026-07-31", "USD", "EUR", "0.90")
        .fx("2026-08-31", "EUR", "USD", "1.25")
        .customer("C1", "PROP", Some("a-link"), "DE", "2026-07-01")
        .purchase(
            "O1",
            "C1",
            "200",
            None,
            "2026-07-05T10:00:00Z",
            Some("2026-08-10T10:00:00Z"),
        );
    let mut e = s.engine();
    // July: 0.15 × 200 + 5 = 35 USD × 0.90 = 31.50 EUR; P: 0.10 × 35 = 3.5 USD → 3.15 EUR.
    let jul = run(&mut e, "2026-07", &[], &[]);
    assert_eq!(amount(&jul, "A", Kind::PurchaseShare), d("31.50"));
    assert_eq!(amount(&jul, "P", Kind::SubOverride), d("3.15"));
    // August: −35 USD at August's rate 1 / 1.25 = 0.8 → −28.00 EUR;
    // P's basis is −35: 0.10 × −35 = −3.5 USD → −2.80 EUR.
    let aug = run(&mut e, "2026-08", &[], &[]);
    assert_eq!(
        amount_brand(&aug, "A", Kind::PurchaseShare),
        d("-35"),
        "exactly what July earned"
    );
    assert_eq!(
        amount(&aug, "A", Kind::PurchaseShare),
        d("-28.00"),
        "converted at August's rate"
    );
    assert_eq!(
        amount(&aug, "P", Kind::SubOverride),
        d("-2.80"),
        "the refund is part of August's basis"
    );
}

#[test]
fn a_refund_in_the_same_month_nets_out() {
    let s = prop_shop(PURCHASE_SHARE)
        .customer("C1", "PROP", Some("a-link"), "DE", "2026-07-01")
        .purchase("O1", "C1", "100", None, "2026-07-05T10:00:00Z", None)
        .purchase(
            "O2",
            "C1",
            "100",
            None,
            "2026-07-06T10:00:00Z",
            Some("2026-07-20T10:00:00Z"),
        );
    let mut e = s.engine();
    // O1 first: 20; O2 repeat: 10, refunded the same month: −10 → 20.00.
    let jul = run(&mut e, "2026-07", &[], &[]);
    assert_eq!(
        amount(&jul, "A", Kind::PurchaseShare),
        d("20.00"),
        "the refund nets against its purchase"
    );
    let aug = run(&mut e, "2026-08", &[], &[]);
    assert!(aug.is_empty(), "nothing is left for August: {aug:?}");
}
