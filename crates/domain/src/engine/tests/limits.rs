//! The engine and the limits of what it is given (issue 27): amounts beyond
//! the decimal's range are a clear error naming the rows and the partner,
//! never a panic; and any row the import or a sync accepts (dates from
//! 1970-01-01 to 9998-12-31, amounts of up to 15 + 10 digits, FX rates from
//! 0.000001 to 1000000) computes.

use super::builder::*;
use crate::commission::Kind;
use crate::data::{ActivityDay, Purchase, Trade};
use crate::engine::EngineError;
use crate::limits;
use crate::partner::{TrackingKind, Vertical};
use crate::period::Period;
use chrono::{Duration, NaiveDate};
use proptest::prelude::*;
use rust_decimal::Decimal;

/// Partner A (in `currency`) earns 50% revshare on brand CAS (EUR).
fn casino_paying(currency: &str) -> Scenario {
    Scenario::new()
        .brand("CAS", Vertical::Igaming, "EUR")
        .partner("A", None, currency)
        .plan("deal", r#"[{"type": "revshare", "rate": "0.50"}]"#)
        .assign("A", "CAS", "deal", "2026-07", None)
        .code("CAS", "a-btag", "A", TrackingKind::Btag)
        .player("C1", "DE", "2026-07-01")
}

fn overflow_of(e: EngineError) -> String {
    match e {
        EngineError::Overflow { .. } => e.to_string(),
        other => panic!("expected an overflow, got: {other}"),
    }
}

#[test]
fn two_rows_at_the_decimal_maximum_are_an_error_naming_them() {
    let s = casino_paying("EUR");
    let mut e = s.engine();
    let max = Decimal::MAX.to_string();
    let rows = [
        s.play("C1", "2026-07-02", &max, "0", "0"),
        s.play("C1", "2026-07-03", &max, "0", "0"),
    ];
    let err = overflow_of(try_run(&mut e, "2026-07", &rows, &[]).unwrap_err());
    assert!(err.contains("customer 'C1' on 2026-07-03"), "{err}");
    assert!(err.contains("partner 'A' for brand 'CAS'"), "{err}");
    assert!(err.contains("correct them and run again"), "{err}");
    // The engine is still usable: the same period with sane rows computes.
    let mut e = s.engine();
    let fine = run(
        &mut e,
        "2026-07",
        &[s.play("C1", "2026-07-02", "10", "200", "0")],
        &[],
    );
    assert_eq!(amount(&fine, "A", Kind::Revshare), d("100.00"), "0.5 × 200");
}

#[test]
fn a_tiny_inverse_rate_is_an_error_naming_the_line() {
    // Only GBP/EUR is known, at 1e-28: EUR → GBP divides by it.
    let s = casino_paying("GBP").fx("2026-07-01", "GBP", "EUR", "0.0000000000000000000000000001");
    let mut e = s.engine();
    let err = overflow_of(
        try_run(
            &mut e,
            "2026-07",
            &[s.play("C1", "2026-07-02", "10", "200", "0")],
            &[],
        )
        .unwrap_err(),
    );
    assert!(
        err.contains("the revshare line of partner 'A' for brand 'CAS' in 2026-07"),
        "{err}"
    );
}

#[test]
fn huge_trades_and_purchases_are_errors_too() {
    let s = broker()
        .partner("I", None, "USD")
        .plan("ib", r#"[{"type": "lot_rebate", "rates": {"fx": "999999999999999"}}, {"type": "spread_share", "rate": "0.5"}]"#)
        .assign("I", "FX", "ib", "2026-07", None)
        .code("FX", "i-code", "I", TrackingKind::Agent)
        .customer("T1", "FX", Some("i-code"), "DE", "2026-07-01");
    let big = Trade {
        lots: Decimal::MAX,
        ..s.trade(
            "X1",
            "T1",
            "fx",
            "1",
            "2026-07-02T10:00:00Z",
            "2026-07-02T11:00:00Z",
        )
    };
    let mut e = s.engine();
    let err = overflow_of(try_run(&mut e, "2026-07", &[], &[big.clone(), big]).unwrap_err());
    assert!(err.contains("trade 'X1'"), "{err}");
    let s = Scenario::new()
        .brand("PROP", Vertical::Prop, "USD")
        .partner("A", None, "USD")
        .plan(
            "shop",
            r#"[{"type": "purchase_share", "first_rate": "0.5", "repeat_rate": "0.5"}]"#,
        )
        .assign("A", "PROP", "shop", "2026-07", None)
        .code("PROP", "a", "A", TrackingKind::Btag)
        .customer("P1", "PROP", Some("a"), "DE", "2026-07-01");
    let max = Decimal::MAX.to_string();
    let s = s
        .purchase("O1", "P1", &max, None, "2026-07-02", None)
        .purchase("O2", "P1", &max, None, "2026-07-03", None)
        .purchase("O3", "P1", &max, None, "2026-07-04", None);
    let mut e = s.engine();
    let err = overflow_of(try_run(&mut e, "2026-07", &[], &[]).unwrap_err());
    // The purchase whose amount the sums cannot take is named.
    assert!(
        err.contains("purchase 'O2'") || err.contains("purchase 'O3'"),
        "{err}"
    );
    assert!(err.contains("customer 'P1'"), "{err}");
}

/// Every vertical and component, with everything converted between
/// currencies at `rate` (direct or inverse).
fn every_component(rate: &str, inverse: bool) -> Scenario {
    let s = Scenario::new()
        .brand("CAS", Vertical::Igaming, "EUR")
        .brand("FX", Vertical::Forex, "EUR")
        .brand("PROP", Vertical::Prop, "EUR")
        .partner("A", None, "USD")
        .partner("B", Some("A"), "USD")
        .plan(
            "cas",
            r#"[{"type": "revshare", "negative_carryover": true, "admin_fee_rate": "0.1", "payment_fee_rate": "0.02",
                 "tiers": [{"from": "0", "rate": "0.2"}, {"from": "1000", "rate": "0.35"}], "tier_mode": "progressive"},
                {"type": "cpa", "amount": "40", "min_deposits": "20", "window_days": 30},
                {"type": "lot_rebate", "rates": {"fx": "10"}, "min_hold_seconds": 60},
                {"type": "spread_share", "rate": "0.1"},
                {"type": "purchase_share", "first_rate": "0.15", "repeat_rate": "0.1", "first_purchase_cpa": "3"},
                {"type": "sub_override", "levels": ["0.1"]}]"#,
        );
    let mut s = s;
    for brand in ["CAS", "FX", "PROP"] {
        s = s
            .assign("A", brand, "cas", "1970-01", None)
            .assign("B", brand, "cas", "1970-01", None)
            .code(brand, &format!("b-{brand}"), "B", TrackingKind::Btag);
    }
    if inverse {
        s.fx("1970-01-01", "USD", "EUR", rate)
    } else {
        s.fx("1970-01-01", "EUR", "USD", rate)
    }
}

fn day_in_range() -> impl Strategy<Value = NaiveDate> {
    let days = (limits::LAST_DATE - limits::FIRST_DATE).num_days();
    (0..=days).prop_map(|n| limits::FIRST_DATE + Duration::days(n))
}

/// An amount within the limits: up to 15 digits before the point and 10
/// after, the limit itself often.
fn an_amount() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        Just(limits::amount_max()),
        Just(Decimal::ZERO),
        (0i64..=999_999_999_999_999, 0u32..=10).prop_map(|(n, scale)| Decimal::new(n, scale)),
        (0u64..=u64::MAX)
            .prop_map(|n| Decimal::from_i128_with_scale(i128::from(n) % 10i128.pow(25), 10)),
    ]
}

fn fx_rate() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        Just(limits::FX_RATE_MIN),
        Just(limits::FX_RATE_MAX),
        (1i64..=999_999, 0u32..=10).prop_map(|(n, scale)| Decimal::new(n, scale)),
    ]
    .prop_filter("within the accepted range", |r| {
        limits::check_fx_rate("rate", *r).is_ok()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Whatever dates and amounts the checks accept, a run computes the
    /// period of the rows and the one after it (no panic, no overflow).
    #[test]
    fn any_accepted_row_computes(
        registered in day_in_range(),
        day in day_in_range(),
        amounts in prop::collection::vec(an_amount(), 12),
        rate in fx_rate(),
        inverse in any::<bool>(),
        held in 0i64..1_000_000,
    ) {
        let s = every_component(&rate.to_string(), inverse)
            .customer("C1", "CAS", Some("b-CAS"), "DE", &registered.to_string())
            .customer("T1", "FX", Some("b-FX"), "DE", &registered.to_string())
            .customer("P1", "PROP", Some("b-PROP"), "DE", &registered.to_string());
        let at = day.and_hms_opt(12, 0, 0).unwrap().and_utc();
        let close = (at + Duration::seconds(held)).min(limits::LAST_DATE.and_hms_opt(23, 59, 59).unwrap().and_utc());
        let activity = ActivityDay {
            deposits: amounts[0],
            withdrawals: amounts[1],
            bets: amounts[2],
            wins: amounts[3],
            bonuses: amounts[4],
            chargebacks: amounts[5],
            taxes: amounts[6],
            ..s.act("C1", &day.to_string())
        };
        let trade = Trade {
            lots: amounts[7].max(Decimal::new(1, 10)),
            commission: amounts[8],
            spread_revenue: amounts[9],
            open_time: at,
            close_time: close,
            ..s.trade("X1", "T1", "fx", "1", "2026-07-02T10:00:00Z", "2026-07-02T11:00:00Z")
        };
        let mut s = s;
        s.world.purchases.push(Purchase {
            order_id: id("O1"),
            customer_id: id("P1"),
            brand_id: id("PROP"),
            product: "challenge".into(),
            amount: amounts[10],
            coupon_code: None,
            purchased_at: at,
            refunded_at: Some(close),
        });
        prop_assert!(activity.check().is_ok() && trade.check().is_ok(), "the rows are accepted");
        prop_assert!(s.world.purchases[0].check().is_ok() && s.world.customers[0].check().is_ok());
        // Each row in its own period (a trade in that of its close), every
        // period between computed in order.
        let first = Period::of(day);
        let last = Period::of(close.date_naive());
        let mut e = s.engine();
        let mut p = first;
        loop {
            let activity: &[ActivityDay] = if p == first { std::slice::from_ref(&activity) } else { &[] };
            let trades: &[Trade] = if p == last { std::slice::from_ref(&trade) } else { &[] };
            let lines = try_run(&mut e, &p.to_string(), activity, trades);
            prop_assert!(lines.is_ok(), "{p}: {:?}", lines.err());
            if p == last {
                break;
            }
            p = p.next();
        }
        let after = try_run(&mut e, &p.next().to_string(), &[], &[]);
        prop_assert!(after.is_ok(), "the period after {p}: {:?}", after.err());
    }
}
