//! Purchase share: first vs repeat purchases, and who a purchase is
//! attributed to (coupon first, then the customer's partner, then adoption).

use super::builder::*;
use crate::commission::Kind;

#[test]
fn first_purchase_earns_first_rate_plus_cpa_and_later_ones_repeat_rate() {
    let s = prop_shop(PURCHASE_SHARE)
        .customer("C1", "PROP", Some("a-link"), "DE", "2026-07-01")
        .purchase("O1", "C1", "100", None, "2026-07-03T10:00:00Z", None)
        .purchase("O2", "C1", "200", None, "2026-07-10T10:00:00Z", None);
    let mut e = s.engine();
    // O1 first: 0.15 × 100 + 5 = 20; O2 repeat: 0.10 × 200 = 20; total 40.00.
    let jul = run(&mut e, "2026-07", &[], &[]);
    assert_eq!(
        amount(&jul, "A", Kind::PurchaseShare),
        d("40.00"),
        "20 for the first, 20 for the repeat"
    );
}

#[test]
fn the_first_purchase_is_the_earliest_then_the_lowest_order_id() {
    let s = prop_shop(PURCHASE_SHARE)
        .customer("C1", "PROP", Some("a-link"), "DE", "2026-07-01")
        .customer("C2", "PROP", Some("b-link"), "DE", "2026-07-01")
        // C1: Z1 is earlier than A1 although its id sorts later.
        .purchase("A1", "C1", "200", None, "2026-07-02T10:00:00Z", None)
        .purchase("Z1", "C1", "100", None, "2026-07-01T10:00:00Z", None)
        // C2: the same time; O-a sorts before O-b.
        .purchase("O-b", "C2", "80", None, "2026-07-05T10:00:00Z", None)
        .purchase("O-a", "C2", "50", None, "2026-07-05T10:00:00Z", None);
    let mut e = s.engine();
    // A: Z1 first 0.15 × 100 + 5 = 20; A1 repeat 0.10 × 200 = 20 → 40.00
    //    (A1 first would give 35 + 10 = 45).
    // B: O-a first 0.15 × 50 + 5 = 12.5; O-b repeat 0.10 × 80 = 8 → 20.50
    //    (O-b first would give 17 + 5 = 22).
    let jul = run(&mut e, "2026-07", &[], &[]);
    assert_eq!(
        amount(&jul, "A", Kind::PurchaseShare),
        d("40.00"),
        "earliest purchased_at is first"
    );
    assert_eq!(
        amount(&jul, "B", Kind::PurchaseShare),
        d("20.50"),
        "same time: order_id decides"
    );
}

#[test]
fn the_first_purchase_counts_whoever_it_went_to_and_even_if_refunded() {
    let s = prop_shop(PURCHASE_SHARE)
        .customer("C1", "PROP", Some("a-link"), "DE", "2026-07-01")
        .purchase(
            "O1",
            "C1",
            "100",
            Some("B10"),
            "2026-07-02T10:00:00Z",
            Some("2026-07-05T10:00:00Z"),
        )
        .purchase("O2", "C1", "100", None, "2026-07-10T10:00:00Z", None);
    let mut e = s.engine();
    // O1 (B's coupon) is C1's first: B earns 0.15 × 100 + 5 = 20, refunded in July → 0.
    // O2 is a repeat for A even though A never had a first: 0.10 × 100 = 10.00.
    let jul = run(&mut e, "2026-07", &[], &[]);
    assert_eq!(
        amount(&jul, "A", Kind::PurchaseShare),
        d("10.00"),
        "O2 is a repeat purchase"
    );
    assert!(
        line(&jul, "B", Kind::PurchaseShare).is_none(),
        "B's first purchase was refunded the same month"
    );
}

#[test]
fn a_coupon_wins_and_other_codes_go_to_the_customers_partner() {
    let s = prop_shop(PURCHASE_SHARE)
        .customer("C1", "PROP", Some("a-link"), "DE", "2026-07-01")
        .purchase("O1", "C1", "100", Some("B10"), "2026-07-01T10:00:00Z", None)
        .purchase(
            "O2",
            "C1",
            "100",
            Some("NOPE"),
            "2026-07-02T10:00:00Z",
            None,
        )
        // b-link is B's, but a btag, not a coupon.
        .purchase(
            "O3",
            "C1",
            "100",
            Some("b-link"),
            "2026-07-03T10:00:00Z",
            None,
        )
        .purchase("O4", "C1", "100", Some(""), "2026-07-04T10:00:00Z", None);
    let mut e = s.engine();
    // O1 → B by coupon: first: 0.15 × 100 + 5 = 20.00.
    // O2 (unknown), O3 (not a coupon), O4 (empty) → A, repeats: 3 × 10 = 30.00.
    let jul = run(&mut e, "2026-07", &[], &[]);
    assert_eq!(
        amount(&jul, "B", Kind::PurchaseShare),
        d("20.00"),
        "the coupon wins over A"
    );
    assert_eq!(
        amount(&jul, "A", Kind::PurchaseShare),
        d("30.00"),
        "non-coupon codes fall back to A"
    );
}

#[test]
fn an_unattributed_customer_is_adopted_by_its_first_coupon_purchase() {
    let s = prop_shop(PURCHASE_SHARE)
        .customer("C9", "PROP", None, "DE", "2026-07-01")
        .purchase("O1", "C9", "100", None, "2026-07-01T10:00:00Z", None)
        .purchase(
            "O2",
            "C9",
            "100",
            Some("NOPE"),
            "2026-07-02T10:00:00Z",
            None,
        )
        .purchase("O3", "C9", "100", Some("B10"), "2026-07-03T10:00:00Z", None)
        .purchase("O4", "C9", "100", None, "2026-07-04T10:00:00Z", None)
        .purchase("O5", "C9", "100", Some("A10"), "2026-08-01T10:00:00Z", None)
        .purchase("O6", "C9", "100", None, "2026-08-02T10:00:00Z", None);
    let mut e = s.engine();
    // O1 (first) and O2 stay unattributed: nobody earns the first-purchase 20.
    // O3 (B's coupon) adopts C9 for B: repeat 10; O4 → B: 10. July B = 20.00.
    let jul = run(&mut e, "2026-07", &[], &[]);
    assert_eq!(
        amount(&jul, "B", Kind::PurchaseShare),
        d("20.00"),
        "two repeats from the adoption on"
    );
    assert!(line(&jul, "A", Kind::PurchaseShare).is_none());
    // August: O5 with A's coupon → A (coupon wins): 10.00; O6 → B (adopted): 10.00.
    let aug = run(&mut e, "2026-08", &[], &[]);
    assert_eq!(
        amount(&aug, "A", Kind::PurchaseShare),
        d("10.00"),
        "a coupon still wins after adoption"
    );
    assert_eq!(
        amount(&aug, "B", Kind::PurchaseShare),
        d("10.00"),
        "the adopting partner keeps the customer"
    );
}
