//! Properties of a period's inputs: the result does not depend on the order
//! rows and trades are fed, a customer without activity changes nothing, and
//! an excluded or geo-blocked customer never changes any line.

use super::input_world::*;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn the_result_is_deterministic_and_independent_of_row_order(
        raw in prop::collection::vec(raw_month(), 2),
        bought in purchase_list(),
        seeds in prop::collection::vec(any::<u64>(), 4),
    ) {
        let s = purchases(world(), "P1", &bought);
        let months = months_of(&s, &raw);
        let reference = compute(&mut s.engine(), &months);
        prop_assert_eq!(&compute(&mut s.engine(), &months), &reference, "the same input gives the same lines");
        let mut shuffled = months.clone();
        for (n, m) in shuffled.iter_mut().enumerate() {
            shuffle(&mut m.activity, seeds[2 * n]);
            shuffle(&mut m.trades, seeds[2 * n + 1]);
        }
        prop_assert_eq!(&compute(&mut s.engine(), &shuffled), &reference, "the order of rows and trades does not matter");
    }

    #[test]
    fn a_customer_without_activity_changes_no_line(
        raw in prop::collection::vec(raw_month(), 2),
        bought in purchase_list(),
    ) {
        let s = purchases(world(), "P1", &bought);
        let months = months_of(&s, &raw);
        let before = compute(&mut s.engine(), &months);
        let with_idle = s
            .customer("C-idle", "CAS", Some("a-btag"), "DE", "2026-07-01")
            .customer("T-idle", "FX", Some("i2-code"), "DE", "2026-07-01")
            .customer("P-idle", "PROP", Some("a-link"), "DE", "2026-07-01");
        prop_assert_eq!(compute(&mut with_idle.engine(), &months), before, "an idle customer is invisible");
    }

    #[test]
    fn an_excluded_or_geo_blocked_customer_changes_no_line(
        raw in prop::collection::vec(raw_month(), 2),
        bought in purchase_list(),
        outsider in prop::collection::vec((days(), raw_trades()), 2),
        outsider_bought in purchase_list(),
        blocked in any::<bool>(),
    ) {
        let s = purchases(world(), "P1", &bought);
        let months = months_of(&s, &raw);
        let before = compute(&mut s.engine(), &months);
        // The outsider has an account on every brand, with partners' codes.
        let country = if blocked { "RU" } else { "DE" };
        let mut o = s
            .customer("X-cas", "CAS", Some("b-btag"), country, "2026-07-01")
            .customer("X-fx", "FX", Some("i2-code"), country, "2026-07-01")
            .customer("X-prop", "PROP", Some("a-link"), country, "2026-07-01");
        if !blocked {
            o = o.excluded("X-cas").excluded("X-fx").excluded("X-prop");
        }
        let o = purchases(o, "X-prop", &outsider_bought);
        let mut with_outsider = months.clone();
        for ((m, (days, trades)), month) in with_outsider.iter_mut().zip(&outsider).zip(MONTHS) {
            m.activity.extend(activity_of(&o, "X-cas", month, days));
            m.trades.extend(trades.iter().enumerate().map(|(n, t)| trade_of(&o, &format!("X-{month}-{n}"), "X-fx", month, t)));
        }
        prop_assert_eq!(compute(&mut o.engine(), &with_outsider), before, "the outsider earns nobody anything");
    }
}

/// A Fisher–Yates shuffle driven by a small LCG, so proptest controls the order.
fn shuffle<T>(v: &mut [T], mut seed: u64) {
    for i in (1..v.len()).rev() {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let j = usize::try_from((seed >> 33) % (i as u64 + 1)).unwrap_or(0);
        v.swap(i, j);
    }
}
