//! The world and random inputs of the input properties: two iGaming
//! partners, two IBs and a prop brand over July and August 2026, and
//! generators of activity days, trades and purchases for them.

use super::builder::*;
use crate::commission::Line;
use crate::data::{ActivityDay, Trade};
use crate::engine::Engine;
use crate::partner::{TrackingKind, Vertical};
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

pub(super) const MONTHS: [&str; 2] = ["2026-07", "2026-08"];
pub(super) const PLAYERS: [&str; 4] = ["C1", "C2", "C3", "C4"];
pub(super) const ACCOUNTS: [&str; 3] = ["T1", "T2", "T3"];

/// Two iGaming partners (A over B), two IBs (I1 over I2) and a prop brand,
/// with every component that reads activity, trades or purchases.
pub(super) fn world() -> Scenario {
    Scenario::new()
        .brand("CAS", Vertical::Igaming, "EUR")
        .brand("FX", Vertical::Forex, "USD")
        .brand("PROP", Vertical::Prop, "USD")
        .fx("2026-07-01", "EUR", "USD", "1.1")
        .fx("2026-08-15", "USD", "EUR", "0.95")
        .geo_block("CAS", "RU")
        .geo_block("FX", "RU")
        .geo_block("PROP", "RU")
        .partner("A", None, "EUR")
        .partner("B", Some("A"), "USD")
        .partner("I1", None, "USD")
        .partner("I2", Some("I1"), "EUR")
        .plan(
            "a-cas",
            r#"[{"type": "revshare", "negative_carryover": true, "admin_fee_rate": "0.1",
                 "tiers": [{"from": "0", "rate": "0.2"}, {"from": "2", "rate": "0.35"}]},
                {"type": "cpa", "amount": "40", "cap_per_period": 1, "geo_amounts": {"AT": "55"}},
                {"type": "sub_override", "levels": ["0.1"]}]"#,
        )
        .plan(
            "b-cas",
            r#"[{"type": "revshare", "rate": "0.3", "negative_carryover": true, "payment_fee_rate": "0.02"},
                {"type": "cpa", "amount": "25", "min_deposits": "20", "min_bets": "10", "window_days": 30}]"#,
        )
        .plan(
            "i1",
            r#"[{"type": "lot_rebate", "rates": {"fx_major": "10", "metals": "5"}, "min_hold_seconds": 60},
                {"type": "spread_share", "rate": "0.1"}]"#,
        )
        .plan("i2", r#"[{"type": "lot_rebate", "rates": {"fx_major": "6"}, "min_hold_seconds": 30}]"#)
        .plan("shop", r#"[{"type": "purchase_share", "first_rate": "0.15", "repeat_rate": "0.1", "first_purchase_cpa": "3"}]"#)
        .assign("A", "CAS", "a-cas", "2026-07", None)
        .assign("B", "CAS", "b-cas", "2026-07", None)
        .assign("I1", "FX", "i1", "2026-07", None)
        .assign("I2", "FX", "i2", "2026-07", None)
        .assign("A", "PROP", "shop", "2026-07", None)
        .code("CAS", "a-btag", "A", TrackingKind::Btag)
        .code("CAS", "b-btag", "B", TrackingKind::Btag)
        .code("FX", "i1-code", "I1", TrackingKind::Agent)
        .code("FX", "i2-code", "I2", TrackingKind::Agent)
        .code("PROP", "a-link", "A", TrackingKind::Btag)
        .code("PROP", "A10", "A", TrackingKind::Coupon)
        .customer("C1", "CAS", Some("a-btag"), "DE", "2026-07-01")
        .customer("C2", "CAS", Some("a-btag"), "AT", "2026-07-03")
        .customer("C3", "CAS", Some("b-btag"), "DE", "2026-07-01")
        .customer("C4", "CAS", Some("b-btag"), "FR", "2026-07-10")
        .customer("T1", "FX", Some("i2-code"), "DE", "2026-07-01")
        .customer("T2", "FX", Some("i2-code"), "DE", "2026-07-01")
        .customer("T3", "FX", Some("i1-code"), "DE", "2026-07-01")
        .customer("P1", "PROP", Some("a-link"), "DE", "2026-07-01")
}

/// Amounts in cents: deposits, bets, wins, bonuses.
pub(super) type RawDay = (i64, i64, i64, i64);
/// (day of month, group index, lots in cents, hold seconds, commission cents).
pub(super) type RawTrade = (u32, usize, i64, i64, i64);
/// (month index, day, amount in cents, with A's coupon, refunded on 2026-08-28).
pub(super) type RawPurchase = (u32, u32, i64, bool, bool);

#[derive(Debug, Clone)]
pub(super) struct Month {
    pub activity: Vec<ActivityDay>,
    pub trades: Vec<Trade>,
}

pub(super) fn money(cents: i64) -> String {
    Decimal::new(cents, 2).to_string()
}

pub(super) fn days() -> impl Strategy<Value = BTreeMap<u32, RawDay>> {
    prop::collection::btree_map(
        1u32..=28,
        (0i64..10_000, 0i64..50_000, 0i64..60_000, 0i64..2_000),
        0..4,
    )
}

pub(super) fn activity_of(
    s: &Scenario,
    customer: &str,
    month: &str,
    days: &BTreeMap<u32, RawDay>,
) -> Vec<ActivityDay> {
    days.iter()
        .map(|(day, (dep, bets, wins, bonus))| ActivityDay {
            deposits: Decimal::new(*dep, 2),
            bets: Decimal::new(*bets, 2),
            wins: Decimal::new(*wins, 2),
            bonuses: Decimal::new(*bonus, 2),
            withdrawals: Decimal::new(*wins / 3, 2),
            ..s.act(customer, &format!("{month}-{day:02}"))
        })
        .collect()
}

pub(super) fn trade_of(
    s: &Scenario,
    id: &str,
    customer: &str,
    month: &str,
    raw: &RawTrade,
) -> Trade {
    let (day, group, lots, hold, commission) = *raw;
    let group = ["fx_major", "metals", "crypto"][group];
    Trade {
        commission: Decimal::new(commission, 2),
        spread_revenue: Decimal::new(commission / 2, 2),
        ..s.held(
            id,
            customer,
            group,
            &money(lots),
            &format!("{month}-{day:02}T12:00:00Z"),
            hold,
        )
    }
}

pub(super) fn raw_trades() -> impl Strategy<Value = Vec<RawTrade>> {
    prop::collection::vec(
        (1u32..=28, 0usize..3, 1i64..500, 0i64..120, 0i64..3_000),
        0..4,
    )
}

/// Per month: each player's days and each account's trades.
pub(super) type RawMonth = (Vec<BTreeMap<u32, RawDay>>, Vec<Vec<RawTrade>>);

pub(super) fn raw_month() -> impl Strategy<Value = RawMonth> {
    (
        prop::collection::vec(days(), PLAYERS.len()),
        prop::collection::vec(raw_trades(), ACCOUNTS.len()),
    )
}

pub(super) fn months_of(s: &Scenario, raw: &[RawMonth]) -> Vec<Month> {
    raw.iter()
        .zip(MONTHS)
        .map(|((players, accounts), month)| Month {
            activity: players
                .iter()
                .zip(PLAYERS)
                .flat_map(|(days, c)| activity_of(s, c, month, days))
                .collect(),
            trades: accounts
                .iter()
                .zip(ACCOUNTS)
                .flat_map(|(trades, c)| {
                    trades
                        .iter()
                        .enumerate()
                        .map(move |(n, t)| (format!("{c}-{month}-{n}"), c, t))
                })
                .map(|(id, c, t)| trade_of(s, &id, c, month, t))
                .collect(),
        })
        .collect()
}

pub(super) fn purchases(s: Scenario, customer: &str, raw: &[RawPurchase]) -> Scenario {
    raw.iter()
        .enumerate()
        .fold(s, |s, (n, (month, day, cents, coupon, refund))| {
            let at = format!("2026-0{}-{day:02}T10:00:00Z", 7 + month);
            s.purchase(
                &format!("{customer}-O{n}"),
                customer,
                &money(*cents),
                coupon.then_some("A10"),
                &at,
                // Every purchase is on day 27 or before: a refund on 08-28 comes after it.
                refund.then_some("2026-08-28T10:00:00Z"),
            )
        })
}

pub(super) fn purchase_list() -> impl Strategy<Value = Vec<RawPurchase>> {
    prop::collection::vec(
        (
            0u32..2,
            1u32..=27,
            100i64..100_000,
            any::<bool>(),
            any::<bool>(),
        ),
        0..4,
    )
}

pub(super) fn compute(engine: &mut Engine, months: &[Month]) -> Vec<Vec<Line>> {
    months
        .iter()
        .zip(MONTHS)
        .map(|(m, p)| run(engine, p, &m.activity, &m.trades))
        .collect()
}
