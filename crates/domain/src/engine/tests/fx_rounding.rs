//! Conversion at the rate in force on the period's last day (latest wins,
//! inverse pair divides, a tie goes to the direct pair, a missing rate is an
//! error), and one rounding per line, half away from zero.

use super::builder::*;
use crate::commission::Kind;
use crate::engine::EngineError;
use crate::partner::{TrackingKind, Vertical};

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

#[test]
fn the_latest_rate_on_or_before_the_last_day_applies() {
    let s = casino_paying("USD")
        .fx("2026-07-01", "EUR", "USD", "1.10")
        .fx("2026-07-31", "EUR", "USD", "1.20")
        .fx("2026-08-01", "EUR", "USD", "1.50");
    let mut e = s.engine();
    // July: 0.50 × 200 = 100 EUR; rate of 07-31 (1.20; 08-01 is not yet in force) → 120.00 USD.
    let jul = run(
        &mut e,
        "2026-07",
        &[s.play("C1", "2026-07-02", "10", "200", "0")],
        &[],
    );
    let l = line(&jul, "A", Kind::Revshare).expect("a revshare line");
    assert_eq!(
        (l.amount_brand, l.fx_rate),
        (d("100"), d("1.20")),
        "brand amount and the 07-31 rate"
    );
    assert_eq!(l.amount, d("120.00"), "100 EUR × 1.20");
}

#[test]
fn the_inverse_pair_divides_and_a_tie_goes_to_the_direct_pair() {
    let s = casino_paying("GBP")
        .fx("2026-07-01", "EUR", "GBP", "0.50")
        .fx("2026-07-15", "GBP", "EUR", "1.25")
        .fx("2026-08-31", "EUR", "GBP", "0.90")
        .fx("2026-08-31", "GBP", "EUR", "2");
    let mut e = s.engine();
    // July: the inverse GBP/EUR of 07-15 is later than the direct of 07-01:
    // 100 EUR / 1.25 = 80.00 GBP.
    let jul = run(
        &mut e,
        "2026-07",
        &[s.play("C1", "2026-07-02", "10", "200", "0")],
        &[],
    );
    assert_eq!(
        amount(&jul, "A", Kind::Revshare),
        d("80.00"),
        "the later inverse rate, divided"
    );
    // August: both pairs dated 08-31; the direct one wins: 100 × 0.90 = 90.00 GBP
    // (the inverse would give 100 / 2 = 50).
    let aug = run(
        &mut e,
        "2026-08",
        &[s.play("C1", "2026-08-02", "10", "200", "0")],
        &[],
    );
    assert_eq!(
        amount(&aug, "A", Kind::Revshare),
        d("90.00"),
        "a tie goes to the direct pair"
    );
}

/// The error of a July without a EUR → `to` rate on or before its last day.
fn no_july_rate_to(to: &str) -> EngineError {
    EngineError::MissingFxRate {
        from: cur("EUR"),
        to: cur(to),
        date: date("2026-07-31"),
    }
}

#[test]
fn a_missing_rate_is_an_error_naming_pair_and_date() {
    // A rate dated after the period's last day does not help.
    let s = casino_paying("CHF").fx("2026-08-01", "EUR", "CHF", "0.95");
    let mut e = s.engine();
    let err = try_run(
        &mut e,
        "2026-07",
        &[s.play("C1", "2026-07-02", "10", "200", "0")],
        &[],
    )
    .expect_err("no EUR/CHF rate on or before 2026-07-31");
    assert_eq!(err, no_july_rate_to("CHF"));
    let msg = err.to_string();
    assert!(
        msg.contains("EUR/CHF") && msg.contains("2026-07-31"),
        "the message names pair and date: {msg}"
    );
}

/// Lines are converted in two halves at once: they still come out in
/// (partner, brand, kind) order, and of several lines without a rate the
/// error is the first one's.
#[test]
fn many_lines_come_out_in_order_and_the_first_missing_rate_is_the_error() {
    // Partners P1..P6 in partner order; P2 (CHF) and P5 (SEK) have no rate.
    let currencies = ["USD", "CHF", "USD", "EUR", "SEK", "USD"];
    let mut s = Scenario::new()
        .brand("CAS", Vertical::Igaming, "EUR")
        .plan("deal", r#"[{"type": "revshare", "rate": "0.50"}]"#)
        .fx("2026-07-01", "EUR", "USD", "2");
    for (i, currency) in currencies.iter().enumerate() {
        let (p, code, c) = (format!("P{}", i + 1), format!("c{i}"), format!("C{i}"));
        s = s
            .partner(&p, None, currency)
            .assign(&p, "CAS", "deal", "2026-07", None)
            .code("CAS", &code, &p, TrackingKind::Btag)
            .customer(&c, "CAS", Some(&code), "DE", "2026-07-01");
    }
    let days: Vec<_> = (0..currencies.len())
        .map(|i| s.play(&format!("C{i}"), "2026-07-02", "10", "200", "0"))
        .collect();
    let err =
        try_run(&mut s.engine(), "2026-07", &days, &[]).expect_err("no EUR/CHF nor EUR/SEK rate");
    assert_eq!(
        err,
        no_july_rate_to("CHF"),
        "P2's rate is missing before P5's"
    );
    // With both rates there: every partner's line, in partner order.
    let s = s
        .fx("2026-07-01", "EUR", "CHF", "1")
        .fx("2026-07-01", "EUR", "SEK", "10");
    let lines = run(&mut s.engine(), "2026-07", &days, &[]);
    let got: Vec<(&str, String)> = lines
        .iter()
        .map(|l| (l.partner_id.as_str(), l.amount.to_string()))
        .collect();
    // 0.50 × 200 = 100 EUR each: × 2 (USD), × 1 (CHF), EUR, × 10 (SEK).
    assert_eq!(
        got,
        [
            ("P1", "200.00".to_string()),
            ("P2", "100.00".to_string()),
            ("P3", "200.00".to_string()),
            ("P4", "100.00".to_string()),
            ("P5", "1000.00".to_string()),
            ("P6", "200.00".to_string()),
        ]
    );
}

#[test]
fn half_cents_round_away_from_zero_both_ways() {
    let s = prop_shop(r#"[{"type": "purchase_share", "first_rate": "0.125", "repeat_rate": "0"}]"#)
        .customer("C1", "PROP", Some("a-link"), "DE", "2026-07-01")
        .purchase(
            "O1",
            "C1",
            "1",
            None,
            "2026-07-03T10:00:00Z",
            Some("2026-08-03T10:00:00Z"),
        );
    let mut e = s.engine();
    // July: 0.125 × 1 = 0.125 → 0.13 (banker's rounding would give 0.12).
    let jul = run(&mut e, "2026-07", &[], &[]);
    assert_eq!(
        amount(&jul, "A", Kind::PurchaseShare).to_string(),
        "0.13",
        "half away from zero"
    );
    // August: the refund −0.125 → −0.13 (banker's: −0.12).
    let aug = run(&mut e, "2026-08", &[], &[]);
    assert_eq!(
        amount(&aug, "A", Kind::PurchaseShare).to_string(),
        "-0.13",
        "half away from zero, negative"
    );
}

#[test]
fn contributions_are_summed_unrounded_then_rounded_once() {
    let s = prop_shop(r#"[{"type": "purchase_share", "first_rate": "0.001", "repeat_rate": "0"}]"#)
        .customer("C1", "PROP", Some("a-link"), "DE", "2026-07-01")
        .customer("C2", "PROP", Some("a-link"), "DE", "2026-07-01")
        .customer("C3", "PROP", Some("a-link"), "DE", "2026-07-01")
        .purchase("O1", "C1", "5", None, "2026-07-03T10:00:00Z", None)
        .purchase("O2", "C2", "5", None, "2026-07-03T10:00:00Z", None)
        .purchase("O3", "C3", "5", None, "2026-07-03T10:00:00Z", None);
    let mut e = s.engine();
    // Each first purchase earns 0.001 × 5 = 0.005; 3 × 0.005 = 0.015 → 0.02.
    // (Rounding each to 0.01 first would give 0.03.)
    let jul = run(&mut e, "2026-07", &[], &[]);
    assert_eq!(amount_brand(&jul, "A", Kind::PurchaseShare), d("0.015"));
    assert_eq!(
        amount(&jul, "A", Kind::PurchaseShare).to_string(),
        "0.02",
        "one rounding of the sum"
    );
}

#[test]
fn conversion_happens_before_the_one_rounding() {
    let s = casino_paying("USD").fx("2026-07-31", "EUR", "USD", "1.5");
    let mut e = s.engine();
    // 0.50 × 0.03 = 0.015 EUR × 1.5 = 0.0225 USD → 0.02.
    // (Rounding in EUR first: 0.02 × 1.5 = 0.03.)
    let jul = run(
        &mut e,
        "2026-07",
        &[s.play("C1", "2026-07-02", "10", "0.03", "0")],
        &[],
    );
    assert_eq!(
        amount(&jul, "A", Kind::Revshare).to_string(),
        "0.02",
        "converted at full precision"
    );
}
