//! Property: a refund gives back exactly what its purchase earned, whatever
//! the plans, rates and months: over all periods, in brand currency, the
//! purchase nets to zero for its partner and for the override above it.

use super::builder::*;
use crate::commission::{Kind, Line};
use crate::partner::{TrackingKind, Vertical};
use proptest::prelude::*;
use rust_decimal::Decimal;

const MONTHS: [&str; 3] = ["2026-07", "2026-08", "2026-09"];

/// (first_rate, repeat_rate, first_purchase_cpa) in hundredths.
fn rates() -> impl Strategy<Value = (i64, i64, i64)> {
    (1i64..100, 1i64..100, 0i64..5_000)
}

fn sum(months: &[Vec<Line>], partner: &str, kind: Kind) -> Decimal {
    months
        .iter()
        .map(|lines| amount_brand(lines, partner, kind))
        .sum()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_refund_gives_back_exactly_what_was_earned(
        plans in prop::collection::vec(rates(), 3),
        fx in prop::collection::vec(50i64..200, 3),
        (bought, refunded) in (0usize..3).prop_flat_map(|m| (Just(m), m..3)),
        day in 1u32..=14,
        cents in 1i64..1_000_000,
        by_coupon in any::<bool>(),
        earlier_for_b in any::<bool>(),
    ) {
        let mut s = Scenario::new()
            .brand("PROP", Vertical::Prop, "USD")
            .partner("P", None, "EUR")
            .partner("A", Some("P"), "EUR")
            .partner("B", None, "USD")
            .plan("over", r#"[{"type": "sub_override", "levels": ["0.1"]}]"#)
            .assign("P", "PROP", "over", "2026-07", None)
            .plan("b", r#"[{"type": "purchase_share", "first_rate": "0.5", "repeat_rate": "0.5"}]"#)
            .assign("B", "PROP", "b", "2026-07", None)
            .code("PROP", "a-link", "A", TrackingKind::Btag)
            .code("PROP", "A10", "A", TrackingKind::Coupon)
            .code("PROP", "B10", "B", TrackingKind::Coupon);
        // A's plan and the USD→EUR rate change every month.
        for (n, ((first, repeat, cpa), rate)) in plans.iter().zip(&fx).enumerate() {
            let plan = format!("a-{n}");
            s = s
                .plan(&plan, &format!(
                    r#"[{{"type": "purchase_share", "first_rate": "{}", "repeat_rate": "{}", "first_purchase_cpa": "{}"}}]"#,
                    Decimal::new(*first, 2), Decimal::new(*repeat, 2), Decimal::new(*cpa, 2)))
                .assign("A", "PROP", &plan, MONTHS[n], Some(MONTHS[n]))
                .fx(&format!("{}-01", MONTHS[n]), "USD", "EUR", &Decimal::new(*rate, 2).to_string());
        }
        // The customer is A's; with `earlier_for_b` its first purchase went to B by coupon,
        // so the refunded one is a repeat.
        let s = s.customer("C1", "PROP", if by_coupon { None } else { Some("a-link") }, "DE", "2026-07-01");
        let s = if earlier_for_b {
            s.purchase("O0", "C1", "50", Some("B10"), "2026-07-01T00:00:00Z", None)
        } else {
            s
        };
        let s = s.purchase(
            "O1",
            "C1",
            &Decimal::new(cents, 2).to_string(),
            by_coupon.then_some("A10"),
            &format!("{}-{day:02}T10:00:00Z", MONTHS[bought]),
            Some(&format!("{}-{:02}T10:00:00Z", MONTHS[refunded], day + 14)),
        );
        let mut e = s.engine();
        let months: Vec<Vec<Line>> = MONTHS.iter().map(|p| run(&mut e, p, &[], &[])).collect();

        prop_assert_eq!(sum(&months, "A", Kind::PurchaseShare), Decimal::ZERO, "A's purchase share nets to 0");
        prop_assert_eq!(sum(&months, "P", Kind::SubOverride), Decimal::ZERO, "P's override on it nets to 0");
        let earned = amount_brand(&months[bought], "A", Kind::PurchaseShare);
        if bought == refunded {
            prop_assert_eq!(earned, Decimal::ZERO, "a refund in the purchase month nets within it");
        } else {
            prop_assert!(earned > Decimal::ZERO, "the purchase earned something");
            prop_assert_eq!(
                amount_brand(&months[refunded], "A", Kind::PurchaseShare),
                -earned,
                "the refund period gives back exactly the earned amount"
            );
        }
    }
}
