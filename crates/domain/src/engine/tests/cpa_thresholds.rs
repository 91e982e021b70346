//! CPA thresholds: cumulative deposits and bets, the "any deposit" default,
//! countries, geo amounts, once per customer ever, sums from registration on.

use super::builder::*;
use crate::commission::Kind;
use crate::data::ActivityDay;

#[test]
fn min_deposits_is_cumulative_and_inclusive() {
    let s = casino(r#"[{"type": "cpa", "amount": "100", "min_deposits": "50"}]"#)
        .player("C1", "DE", "2026-07-01")
        .player("C2", "DE", "2026-07-01");
    let mut e = s.engine();
    // C1: 20 then 30 → cumulative 50 ≥ 50 on 07-03 → qualifies.
    // C2: 20 then 29 → 49 < 50 → does not.
    let jul = run(
        &mut e,
        "2026-07",
        &[
            s.play("C1", "2026-07-02", "20", "0", "0"),
            s.play("C1", "2026-07-03", "30", "0", "0"),
            s.play("C2", "2026-07-02", "20", "0", "0"),
            s.play("C2", "2026-07-03", "29", "0", "0"),
        ],
        &[],
    );
    assert_eq!(
        amount(&jul, "A", Kind::Cpa),
        d("100.00"),
        "one qualifier × 100"
    );
    assert_eq!(
        explained(&jul, "A", Kind::Cpa, "/customers/0/qualified_on"),
        "2026-07-03",
        "the day the running sum reached exactly 50"
    );
}

#[test]
fn without_min_deposits_any_deposit_qualifies() {
    let s = casino(r#"[{"type": "cpa", "amount": "100"}]"#)
        .player("C1", "DE", "2026-07-01")
        .player("C2", "DE", "2026-07-01");
    let mut e = s.engine();
    // C1 only bets (deposits 0): not > 0 → no CPA. C2 deposits 0.01 → CPA 100.
    let jul = run(
        &mut e,
        "2026-07",
        &[
            s.play("C1", "2026-07-02", "0", "500", "0"),
            s.play("C2", "2026-07-02", "0.01", "0", "0"),
        ],
        &[],
    );
    assert_eq!(
        amount(&jul, "A", Kind::Cpa),
        d("100.00"),
        "only the depositing customer"
    );
    // August: C1 deposits 5 → qualifies now.
    let aug = run(
        &mut e,
        "2026-08",
        &[s.play("C1", "2026-08-02", "5", "0", "0")],
        &[],
    );
    assert_eq!(
        amount(&aug, "A", Kind::Cpa),
        d("100.00"),
        "C1's first deposit qualifies it"
    );
}

#[test]
fn min_bets_is_cumulative_and_inclusive() {
    let s = casino(r#"[{"type": "cpa", "amount": "100", "min_bets": "100"}]"#)
        .player("C1", "DE", "2026-07-01")
        .player("C2", "DE", "2026-07-01");
    let mut e = s.engine();
    // C1: deposit 10; bets 60 + 40 = 100 ≥ 100 → qualifies on 07-03.
    // C2: deposit 10; bets 99.99 < 100 → does not.
    let jul = run(
        &mut e,
        "2026-07",
        &[
            s.play("C1", "2026-07-02", "10", "60", "0"),
            s.play("C1", "2026-07-03", "0", "40", "0"),
            s.play("C2", "2026-07-02", "10", "99.99", "0"),
        ],
        &[],
    );
    assert_eq!(
        amount(&jul, "A", Kind::Cpa),
        d("100.00"),
        "C1 reaches 100 bets, C2 does not"
    );
    assert_eq!(
        explained(&jul, "A", Kind::Cpa, "/customers/0/customer_id"),
        "C1"
    );
}

#[test]
fn sums_start_at_the_registration_date() {
    let s = casino(r#"[{"type": "cpa", "amount": "100", "min_deposits": "100"}]"#)
        .player("C1", "DE", "2026-07-10")
        .player("C2", "DE", "2026-07-10");
    let mut e = s.engine();
    // C1: 100 on 07-05 (before registration: ignored) + 50 on 07-12 → 50 < 100.
    // C2: 60 on 07-05 (ignored) + 40 on 07-11 + 60 on 07-12 → 100 on 07-12 → qualifies.
    let jul = run(
        &mut e,
        "2026-07",
        &[
            s.play("C1", "2026-07-05", "100", "0", "0"),
            s.play("C1", "2026-07-12", "50", "0", "0"),
            s.play("C2", "2026-07-05", "60", "0", "0"),
            s.play("C2", "2026-07-11", "40", "0", "0"),
            s.play("C2", "2026-07-12", "60", "0", "0"),
        ],
        &[],
    );
    assert_eq!(
        amount(&jul, "A", Kind::Cpa),
        d("100.00"),
        "activity before registration does not count"
    );
    assert_eq!(
        explained(&jul, "A", Kind::Cpa, "/customers/0/customer_id"),
        "C2"
    );
    assert_eq!(
        explained(&jul, "A", Kind::Cpa, "/customers/0/qualified_on"),
        "2026-07-12"
    );
}

#[test]
fn countries_limit_who_qualifies() {
    let s = casino(r#"[{"type": "cpa", "amount": "100", "countries": ["DE", "AT"]}]"#)
        .player("C1", "AT", "2026-07-01")
        .player("C2", "FR", "2026-07-01");
    let mut e = s.engine();
    // AT is listed → 100; FR is not → nothing.
    let jul = run(
        &mut e,
        "2026-07",
        &[
            s.play("C1", "2026-07-02", "10", "0", "0"),
            s.play("C2", "2026-07-02", "10", "0", "0"),
        ],
        &[],
    );
    assert_eq!(
        amount(&jul, "A", Kind::Cpa),
        d("100.00"),
        "only the listed country qualifies"
    );
}

#[test]
fn geo_amounts_override_the_amount_for_their_country() {
    let s = casino(r#"[{"type": "cpa", "amount": "100", "geo_amounts": {"DE": "150"}}]"#)
        .player("C1", "DE", "2026-07-01")
        .player("C2", "FR", "2026-07-01");
    let mut e = s.engine();
    // DE → geo amount 150; FR → amount 100; total 250.00.
    let jul = run(
        &mut e,
        "2026-07",
        &[
            s.play("C1", "2026-07-02", "10", "0", "0"),
            s.play("C2", "2026-07-02", "10", "0", "0"),
        ],
        &[],
    );
    assert_eq!(
        amount(&jul, "A", Kind::Cpa),
        d("250.00"),
        "150 for DE plus 100 for FR"
    );
}

#[test]
fn a_customer_pays_cpa_at_most_once() {
    let s = casino(r#"[{"type": "cpa", "amount": "100"}]"#).player("C1", "DE", "2026-07-01");
    let mut e = s.engine();
    // July: two qualifying days, paid once: 100.00.
    let jul = run(
        &mut e,
        "2026-07",
        &[
            s.play("C1", "2026-07-02", "10", "0", "0"),
            s.play("C1", "2026-07-03", "10", "0", "0"),
        ],
        &[],
    );
    assert_eq!(
        amount(&jul, "A", Kind::Cpa),
        d("100.00"),
        "one CPA for one customer"
    );
    // August: more deposits, no second CPA.
    let aug = run(
        &mut e,
        "2026-08",
        &[ActivityDay {
            deposits: d("1000"),
            ..s.act("C1", "2026-08-02")
        }],
        &[],
    );
    assert!(
        line(&aug, "A", Kind::Cpa).is_none(),
        "CPA is paid once per customer, ever"
    );
}
