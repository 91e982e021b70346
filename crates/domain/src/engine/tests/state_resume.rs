//! Stored engine state: a period computed by an engine restored from the
//! state after the period before it gives the lines of an engine that
//! computed every period; unusable states are refused without changing anything.

use super::builder::*;
use crate::commission::Kind;
use crate::engine::bytes::{put_dec, put_id_after, put_str, put_varint};
use crate::engine::EngineError;

const CARRY_CPA: &str = r#"[{"type": "revshare", "rate": "0.30", "negative_carryover": true},
    {"type": "cpa", "amount": "50", "min_deposits": "100", "min_bets": "500"}]"#;

#[test]
fn a_restored_engine_continues_exactly_like_the_one_that_ran() {
    let s = casino(CARRY_CPA)
        .player("C1", "DE", "2026-07-01")
        .player("C2", "DE", "2026-07-01");
    let jul = [
        s.play("C1", "2026-07-02", "60", "100", "400"),
        s.play("C2", "2026-07-03", "40", "200", "50"),
    ];
    let aug = [
        s.play("C1", "2026-08-02", "60", "1000", "100"),
        s.play("C2", "2026-08-05", "80", "400", "100"),
    ];
    let mut all = s.engine();
    run(&mut all, "2026-07", &jul, &[]);
    let state = all.snapshot().expect("a state after July");
    let expected = run(&mut all, "2026-08", &aug, &[]);

    let mut resumed = s.engine();
    assert_eq!(resumed.restore(&state), Ok(period("2026-07")));
    assert_eq!(resumed.last_period(), Some(period("2026-07")));
    let got = run(&mut resumed, "2026-08", &aug, &[]);
    assert_eq!(got, expected);
    assert_eq!(
        explained(&got, "A", Kind::Revshare, "/carry_in"),
        "-150",
        "July's loss (C1: 100 − 400, C2: 200 − 50) is carried into August"
    );
    assert_eq!(
        resumed.snapshot(),
        all.snapshot(),
        "the same state after August"
    );
}

/// A state in the stored layout, record by record (see `state.rs`), so that
/// each can be made wrong on its own.
struct Raw(Vec<u8>);

impl Raw {
    fn new(version: u32, period: &str) -> Self {
        let mut out = b"PDES".to_vec();
        out.extend_from_slice(&version.to_le_bytes());
        put_str(&mut out, period);
        Self(out)
    }

    /// Customers given as (id, deposits, bets, flags, FTD days).
    fn customers(mut self, records: &[(&str, &str, &str, u8, Option<i32>)]) -> Self {
        put_varint(&mut self.0, records.len() as u64);
        let mut prev = "";
        for (id, dep, bets, flags, ftd) in records {
            put_id_after(&mut self.0, prev, id);
            prev = id;
            put_dec(&mut self.0, dec(dep));
            put_dec(&mut self.0, dec(bets));
            self.0.push(*flags);
            if let Some(days) = ftd {
                self.0.extend_from_slice(&days.to_le_bytes());
            }
        }
        self
    }

    fn purchases(mut self, records: &[(&str, &str)]) -> Self {
        put_varint(&mut self.0, records.len() as u64);
        let mut prev = "";
        for (order, earned) in records {
            put_id_after(&mut self.0, prev, order);
            prev = order;
            put_dec(&mut self.0, dec(earned));
        }
        self
    }

    fn carry(mut self, records: &[(&str, &str, &str)]) -> Self {
        put_varint(&mut self.0, records.len() as u64);
        for (partner, brand, v) in records {
            put_str(&mut self.0, partner);
            put_str(&mut self.0, brand);
            put_dec(&mut self.0, dec(v));
        }
        self
    }

    fn bytes(self, extra: &[u8]) -> Vec<u8> {
        let mut out = self.0;
        out.extend_from_slice(extra);
        out
    }
}

/// A whole state: customers, purchases and carry-over, nothing after them.
fn state(
    version: u32,
    period: &str,
    customers: &[(&str, &str, &str, u8, Option<i32>)],
    purchases: &[(&str, &str)],
    carry: &[(&str, &str, &str)],
) -> Vec<u8> {
    Raw::new(version, period)
        .customers(customers)
        .purchases(purchases)
        .carry(carry)
        .bytes(&[])
}

fn dec(s: &str) -> rust_decimal::Decimal {
    s.parse().expect("a decimal")
}

#[test]
fn a_state_written_record_by_record_is_restored() {
    let s = casino(CARRY_CPA).player("C1", "DE", "2026-07-01");
    let mut e = s.engine();
    // 2026-07-01 is day 739,798 from 0001-01-01.
    let good = state(
        2,
        "2026-07",
        &[("C1", "100", "500", 3, Some(739_798))],
        &[],
        &[("A", "CAS", "-5")],
    );
    assert_eq!(e.restore(&good), Ok(period("2026-07")));
    assert_eq!(e.snapshot(), Some(good), "written back byte for byte");
}

#[test]
fn unusable_states_are_refused_and_change_nothing() {
    let s = casino(CARRY_CPA).player("C1", "DE", "2026-07-01");
    let mut e = s.engine();
    assert!(e.snapshot().is_none(), "no state before a period");
    let c1 = ("C1", "1", "1", 0, None);
    // One customer whose deposits have scale 29: count 1, id "C1" (sharing
    // 0 bytes, 2 more), deposits (scale 29, mantissa 1), bets 1, no flags,
    // no purchases, no carry-over.
    let mut bad_scale = Raw::new(2, "2026-07").0;
    bad_scale.extend_from_slice(&[1, 0, 2, b'C', b'1', 29, 1, 0, 1, 0, 0, 0]);
    for (why, bad) in [
        ("empty", Vec::new()),
        ("not a state", b"something else".to_vec()),
        (
            "the text format of earlier versions",
            b"partnerdesk-engine-state 1\nperiod\t2026-07\n".to_vec(),
        ),
        ("another version", state(1, "2026-07", &[], &[], &[])),
        ("not a period", state(2, "2026-13", &[], &[], &[])),
        (
            "an unknown customer",
            state(2, "2026-07", &[("NOBODY", "1", "1", 0, None)], &[], &[]),
        ),
        ("a decimal with 29 places", bad_scale),
        (
            "an unknown brand",
            state(2, "2026-07", &[], &[], &[("A", "NOBRAND", "-5")]),
        ),
        (
            "an unknown partner",
            state(2, "2026-07", &[], &[], &[("NOBODY", "CAS", "-5")]),
        ),
        (
            "an unknown flag",
            state(2, "2026-07", &[("C1", "1", "1", 4, None)], &[], &[]),
        ),
        (
            "an FTD that is no date",
            state(
                2,
                "2026-07",
                &[("C1", "1", "1", 2, Some(i32::MAX))],
                &[],
                &[],
            ),
        ),
        (
            "an unknown purchase",
            state(2, "2026-07", &[], &[("NO-ORDER", "5")], &[]),
        ),
        (
            "a byte after the end",
            Raw::new(2, "2026-07")
                .customers(&[c1])
                .purchases(&[])
                .carry(&[])
                .bytes(&[0]),
        ),
        (
            "a good record, then a bad one: nothing of the first is kept either",
            state(
                2,
                "2026-07",
                &[
                    ("C1", "1", "1", 3, Some(739_798)),
                    ("NOBODY", "1", "1", 0, None),
                ],
                &[],
                &[],
            ),
        ),
    ] {
        let refused = e.restore(&bad);
        assert!(refused.is_err(), "{why} is refused");
        assert_eq!(e.last_period(), None, "{why}");
    }
    // Still a fresh engine: July computes as usual.
    run(
        &mut e,
        "2026-07",
        &[s.play("C1", "2026-07-02", "10", "100", "400")],
        &[],
    );
    let state = e.snapshot().expect("a state");
    assert!(
        e.restore(&state).is_err(),
        "only into an engine that computed nothing"
    );
    // Cut anywhere, the state is refused and a fresh engine stays fresh.
    for len in 0..state.len() {
        let mut fresh = s.engine();
        assert!(fresh.restore(&state[..len]).is_err(), "cut at {len}");
        assert_eq!(fresh.last_period(), None);
    }
    let mut fresh = s.engine();
    assert_eq!(fresh.restore(&state), Ok(period("2026-07")));
}

/// An engine for `s` holding only the purchases `orders`, as a run resumed
/// at `from` reads them (`World::purchases_from`).
fn with_purchases_from(s: &Scenario, from: &str, orders: &[&str]) -> crate::engine::Engine {
    let mut world = s.world.clone();
    world
        .purchases
        .retain(|p| orders.contains(&p.order_id.as_str()));
    world.purchases_from = Some(period(from));
    crate::engine::Engine::new(world).expect("an engine")
}

/// A resumed run reads only the purchases of customers with a purchase or a
/// refund from the resumed period on; what the others earned comes from
/// the stored state and goes on into the next one, so that a refund that
/// arrives months later still gives back what the purchase earned.
#[test]
fn a_resumed_run_with_only_its_customers_purchases_computes_like_a_full_one() {
    // C1 (A's) buys in July: first purchase, 0.15 × 200 + 5 = 35. C2 (B's)
    // buys in August: 0.15 × 100 + 5 = 20. O1's refund is only known once
    // September's data arrives: −35 for A in September.
    let before_refund = prop_shop(PURCHASE_SHARE)
        .customer("C1", "PROP", Some("a-link"), "DE", "2026-07-01")
        .customer("C2", "PROP", Some("b-link"), "DE", "2026-07-01")
        .purchase("O1", "C1", "200", None, "2026-07-05T10:00:00Z", None)
        .purchase("O2", "C2", "100", None, "2026-08-05T10:00:00Z", None);
    let mut refunded = before_refund.clone();
    refunded.world.purchases[0].refunded_at = Some(time("2026-09-10T10:00:00Z"));

    // One engine with every purchase, the refund known from the start.
    let mut all = refunded.engine();
    let jul = run(&mut all, "2026-07", &[], &[]);
    let aug = run(&mut all, "2026-08", &[], &[]);
    let sep = run(&mut all, "2026-09", &[], &[]);
    assert_eq!(amount(&jul, "A", Kind::PurchaseShare), d("35"));
    assert_eq!(amount(&aug, "B", Kind::PurchaseShare), d("20"));
    assert_eq!(amount(&sep, "A", Kind::PurchaseShare), d("-35"));

    // July with every purchase, before the refund is known.
    let mut july = before_refund.engine();
    assert_eq!(run(&mut july, "2026-07", &[], &[]), jul);
    let after_july = july.snapshot().expect("a state after July");
    // August resumed: only C2 has a purchase from August on.
    let mut august = with_purchases_from(&before_refund, "2026-08", &["O2"]);
    let refused = august.period(period("2026-08")).err();
    assert_eq!(
        refused,
        Some(EngineError::PartialPurchases {
            from: period("2026-08")
        }),
        "nothing is computed before the state is restored"
    );
    assert_eq!(august.restore(&after_july), Ok(period("2026-07")));
    assert_eq!(run(&mut august, "2026-08", &[], &[]), aug);
    let after_august = august.snapshot().expect("a state after August");
    // September resumed once the refund is known: only C1 has a refund from
    // September on; O1's 35 comes through August's state.
    let mut september = with_purchases_from(&refunded, "2026-09", &["O1"]);
    let wrong = september.restore(&after_july);
    assert!(
        wrong.is_err(),
        "a state for another period than the one before the first to compute: {wrong:?}"
    );
    assert_eq!(september.restore(&after_august), Ok(period("2026-08")));
    assert_eq!(run(&mut september, "2026-09", &[], &[]), sep);
    // The state after September names both purchases: an engine with every
    // purchase restores it and goes on like the one that ran every period.
    let mut full = refunded.engine();
    let after_september = september.snapshot().expect("a state after September");
    assert_eq!(full.restore(&after_september), Ok(period("2026-09")));
    assert_eq!(
        run(&mut full, "2026-10", &[], &[]),
        run(&mut all, "2026-10", &[], &[])
    );
    assert_eq!(full.snapshot(), all.snapshot());
}
