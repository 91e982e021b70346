//! Lot rebates with `split: levels`, spread share, and which period a trade
//! belongs to.

use super::builder::*;
use crate::commission::Kind;
use crate::data::Trade;

#[test]
fn levels_follow_the_direct_ibs_plan_alone() {
    let levels = r#"[{"type": "lot_rebate", "rates": {"fx_major": "10"}, "split": "levels",
                      "level_shares": ["0.5", "0.3", "0.2"]}]"#;
    let s = broker()
        // P2 has no plan at all, P1 has its own (ignored) rate of 100.
        .ib("P2", None, None)
        .ib(
            "P1",
            Some("P2"),
            Some(r#"[{"type": "lot_rebate", "rates": {"fx_major": "100"}}]"#),
        )
        .ib("D", Some("P1"), Some(levels))
        // A second chain with only one ancestor above the direct IB.
        .ib("Q1", None, None)
        .ib("D2", Some("Q1"), Some(levels))
        .client("T1", "D")
        .client("T2", "D2");
    let mut e = s.engine();
    // 2 lots under D at rate 10: D 0.5 × 10 × 2 = 10; P1 0.3 × 10 × 2 = 6; P2 0.2 × 10 × 2 = 4.
    // 2 lots under D2: D2 10; Q1 6; the 0.2 share has no ancestor and is not paid (16, not 20).
    let trades = [
        s.held("X1", "T1", "fx_major", "2", "2026-07-10T12:00:00Z", 600),
        s.held("X2", "T2", "fx_major", "2", "2026-07-10T12:00:00Z", 600),
    ];
    let jul = run(&mut e, "2026-07", &[], &trades);
    assert_eq!(
        amount(&jul, "D", Kind::LotRebate),
        d("10.00"),
        "level 0 share"
    );
    assert_eq!(
        amount(&jul, "P1", Kind::LotRebate),
        d("6.00"),
        "level 1 share; P1's own rate ignored"
    );
    assert_eq!(
        amount(&jul, "P2", Kind::LotRebate),
        d("4.00"),
        "level 2 share, though P2 has no plan"
    );
    assert_eq!(amount(&jul, "D2", Kind::LotRebate), d("10.00"));
    assert_eq!(amount(&jul, "Q1", Kind::LotRebate), d("6.00"));
    let chain2: rust_decimal::Decimal = jul
        .iter()
        .filter(|l| ["D2", "Q1"].contains(&l.partner_id.as_str()))
        .map(|l| l.amount_brand)
        .sum();
    assert_eq!(
        chain2,
        d("16"),
        "the share of a missing ancestor is not paid"
    );
}

#[test]
fn spread_share_pays_the_direct_ib_on_all_revenue_without_hold_rule() {
    let s = broker()
        .ib(
            "P",
            None,
            Some(r#"[{"type": "spread_share", "rate": "0.5"}]"#),
        )
        .ib(
            "D",
            Some("P"),
            Some(
                r#"[{"type": "spread_share", "rate": "0.20"},
                     {"type": "lot_rebate", "rates": {"fx_major": "8"}, "min_hold_seconds": 60}]"#,
            ),
        )
        .client("T1", "D");
    let mut e = s.engine();
    // X1 held 1 s (no lot rebate), X2 held 600 s (1 lot × 8 = 8).
    // Spread share: 0.20 × ((10 + 15) + (3 + 2)) = 0.20 × 30 = 6.00, both trades.
    // P's spread share does not reach its sub-IB's trades.
    let trades = [
        Trade {
            commission: d("10"),
            spread_revenue: d("15"),
            ..s.held("X1", "T1", "fx_major", "1", "2026-07-10T12:00:00Z", 1)
        },
        Trade {
            commission: d("3"),
            spread_revenue: d("2"),
            ..s.held("X2", "T1", "fx_major", "1", "2026-07-10T12:00:00Z", 600)
        },
    ];
    let jul = run(&mut e, "2026-07", &[], &trades);
    assert_eq!(
        amount(&jul, "D", Kind::SpreadShare),
        d("6.00"),
        "20% of commission + spread, any hold"
    );
    assert_eq!(
        amount(&jul, "D", Kind::LotRebate),
        d("8.00"),
        "only the 600 s trade earns a rebate"
    );
    assert!(
        line(&jul, "P", Kind::SpreadShare).is_none(),
        "spread share is for the direct IB only"
    );
}

#[test]
fn a_trade_counts_in_the_period_of_its_close_time() {
    // The store hands the engine each period's trades by close time; a trade opened
    // in July and closed in August is computed with August's plan and FX rate.
    let s = broker()
        .partner("D", None, "EUR")
        .code("FX", "d-code", "D", crate::partner::TrackingKind::Agent)
        .plan(
            "jul",
            r#"[{"type": "lot_rebate", "rates": {"fx_major": "5"}}]"#,
        )
        .plan(
            "aug",
            r#"[{"type": "lot_rebate", "rates": {"fx_major": "8"}}]"#,
        )
        .assign("D", "FX", "jul", "2026-07", Some("2026-07"))
        .assign("D", "FX", "aug", "2026-08", None)
        .fx("2026-07-31", "USD", "EUR", "0.90")
        .fx("2026-08-31", "USD", "EUR", "0.80")
        .customer("T1", "FX", Some("d-code"), "DE", "2026-07-01");
    let mut e = s.engine();
    let overnight = s.trade(
        "X1",
        "T1",
        "fx_major",
        "1",
        "2026-07-31T23:59:30Z",
        "2026-08-01T00:00:30Z",
    );
    let jul = run(&mut e, "2026-07", &[], &[]);
    assert!(jul.is_empty(), "nothing closed in July");
    // August: 1 lot × 8 (August's plan) = 8 USD × 0.80 (August's rate) = 6.40 EUR.
    let aug = run(&mut e, "2026-08", &[], &[overnight]);
    assert_eq!(
        amount(&aug, "D", Kind::LotRebate),
        d("6.40"),
        "August's plan and rate apply"
    );
}
