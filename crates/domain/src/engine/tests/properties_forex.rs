//! Property: under `split: difference` the whole chain is paid exactly
//! lots × the highest rate up to the first IB without a lot rebate.

use super::builder::*;
use crate::commission::Kind;
use proptest::prelude::*;
use rust_decimal::Decimal;

/// One IB of the chain: no lot_rebate component, a lot_rebate without the
/// traded group, or a lot_rebate with this rate in cents.
#[derive(Debug, Clone)]
enum Link {
    NoRebate,
    GroupMissing,
    Rate(u32),
}

fn link() -> impl Strategy<Value = Link> {
    prop_oneof![
        1 => Just(Link::NoRebate),
        1 => Just(Link::GroupMissing),
        4 => (0u32..2_000).prop_map(Link::Rate),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn the_chain_is_paid_lots_times_the_highest_rate(
        chain in prop::collection::vec(link(), 1..7),
        lots in prop::collection::vec(1i64..100_000, 1..4),
    ) {
        // IB0 is the direct IB, IB1 its parent, and so on up to the root.
        let mut s = broker();
        for (i, l) in chain.iter().enumerate().rev() {
            let parent = (i + 1 < chain.len()).then(|| format!("IB{}", i + 1));
            let plan = match l {
                Link::NoRebate => r#"[{"type": "spread_share", "rate": "0.1"}]"#.to_string(),
                Link::GroupMissing => r#"[{"type": "lot_rebate", "rates": {"metals": "3"}}]"#.to_string(),
                Link::Rate(c) => format!(
                    r#"[{{"type": "lot_rebate", "rates": {{"fx_major": "{}"}}}}]"#,
                    Decimal::new(i64::from(*c), 2)
                ),
            };
            s = s.ib(&format!("IB{i}"), parent.as_deref(), Some(&plan));
        }
        let s = s.client("T1", "IB0");
        let trades: Vec<_> = lots
            .iter()
            .enumerate()
            .map(|(n, l)| {
                let lots = Decimal::new(*l, 2).to_string();
                s.held(&format!("X{n}"), "T1", "fx_major", &lots, "2026-07-10T12:00:00Z", 600)
            })
            .collect();
        let total_lots: Decimal = lots.iter().map(|l| Decimal::new(*l, 2)).sum();
        // The highest rate met before the first IB without a lot rebate (0 if the direct IB has none).
        let highest = chain
            .iter()
            .take_while(|l| !matches!(l, Link::NoRebate))
            .map(|l| match l {
                Link::Rate(c) => Decimal::new(i64::from(*c), 2),
                _ => Decimal::ZERO,
            })
            .max()
            .unwrap_or_default();

        let mut e = s.engine();
        let jul = run(&mut e, "2026-07", &[], &trades);
        let paid: Decimal = jul.iter().filter(|l| l.kind == Kind::LotRebate).map(|l| l.amount_brand).sum();
        prop_assert_eq!(paid, total_lots * highest, "the whole trade pays the highest rate in the chain");
        prop_assert!(
            jul.iter().filter(|l| l.kind == Kind::LotRebate).all(|l| l.amount_brand > Decimal::ZERO),
            "no IB earns a negative difference"
        );
    }
}
