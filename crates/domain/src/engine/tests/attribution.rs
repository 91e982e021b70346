//! Attribution: unknown or empty codes leave a customer unattributed; excluded
//! and geo-blocked customers earn nothing and are no FTDs; partner status is
//! not an input of the engine.

use super::builder::*;
use crate::commission::Kind;
use crate::engine::PartnerNode;
use crate::partner::{TrackingKind, Vertical};

#[test]
fn unknown_or_empty_codes_earn_nobody() {
    let s = casino(r#"[{"type": "revshare", "rate": "0.50"}]"#)
        .brand("CAS2", Vertical::Igaming, "EUR")
        .code("CAS2", "cas2-only", "A", TrackingKind::Btag)
        .player("C1", "DE", "2026-07-01")
        .customer("C2", "CAS", Some("nope"), "DE", "2026-07-01")
        .customer("C3", "CAS", Some(""), "DE", "2026-07-01")
        .customer("C4", "CAS", None, "DE", "2026-07-01")
        // A's code, but for another brand: unknown among CAS's codes.
        .customer("C5", "CAS", Some("cas2-only"), "DE", "2026-07-01");
    let mut e = s.engine();
    // Only C1 is A's: NGR 100 × 0.50 = 50.00; the 4 × 1000 of the others earn nobody.
    let rows = [
        s.play("C1", "2026-07-02", "10", "100", "0"),
        s.play("C2", "2026-07-02", "10", "1000", "0"),
        s.play("C3", "2026-07-02", "10", "1000", "0"),
        s.play("C4", "2026-07-02", "10", "1000", "0"),
        s.play("C5", "2026-07-02", "10", "1000", "0"),
    ];
    let jul = run(&mut e, "2026-07", &rows, &[]);
    assert_eq!(
        amount(&jul, "A", Kind::Revshare),
        d("50.00"),
        "unattributed activity is nobody's"
    );
    assert_eq!(jul.len(), 1, "no other line: {jul:?}");
}

#[test]
fn excluded_and_geo_blocked_customers_earn_nothing_and_are_no_ftds() {
    let s = casino(
        r#"[{"type": "revshare", "tiers": [{"from": "1", "rate": "0.10"}, {"from": "2", "rate": "0.50"}]},
            {"type": "cpa", "amount": "100"}]"#,
    )
    .brand("CAS2", Vertical::Igaming, "EUR")
    .geo_block("CAS", "RU")
    // A block for another brand does not block CAS's German players.
    .geo_block("CAS2", "DE")
    .player("C1", "DE", "2026-07-01")
    .player("C2", "DE", "2026-07-01")
    .excluded("C2")
    .player("C3", "RU", "2026-07-01");
    let mut e = s.engine();
    // Only C1 counts: 1 FTD → 0.10; NGR 100 → 10.00; one CPA of 100.00.
    // (Counting C2 and C3: 3 FTDs → 0.50 on 300 = 150, and 300 of CPA.)
    let rows = [
        s.play("C1", "2026-07-02", "10", "100", "0"),
        s.play("C2", "2026-07-02", "10", "100", "0"),
        s.play("C3", "2026-07-02", "10", "100", "0"),
    ];
    let jul = run(&mut e, "2026-07", &rows, &[]);
    assert_eq!(
        explained(&jul, "A", Kind::Revshare, "/basis/ftds"),
        1,
        "excluded and blocked are no FTDs"
    );
    assert_eq!(
        amount(&jul, "A", Kind::Revshare),
        d("10.00"),
        "only C1's NGR at the 1-FTD tier"
    );
    assert_eq!(
        amount(&jul, "A", Kind::Cpa),
        d("100.00"),
        "only C1 qualifies for CPA"
    );
}

#[test]
fn partner_status_is_not_an_input_of_the_engine() {
    // RULES.md: a partner's status decides whether it is paid, not what it earns.
    // The engine sees partners only as PartnerNode; this exhaustive pattern stops
    // compiling if a status (or anything else) is ever added to it, so that this
    // test gets revisited.
    let node = PartnerNode {
        partner_id: id("A"),
        parent_id: None,
        currency: cur("EUR"),
    };
    let PartnerNode {
        partner_id,
        parent_id,
        currency,
    } = node;
    assert_eq!(
        (partner_id.as_str(), parent_id, currency.as_str()),
        ("A", None, "EUR")
    );
}

/// `Engine::new` hashes the ids and resolves the customers on two threads,
/// then indexes them by hash: each customer is found by its id at its own
/// place, with its brand and partner resolved; an id that is not there (one
/// a prefix or an extension of a known id) is not found; a customer of an
/// unknown brand is refused by name, whatever else went well.
#[test]
fn customers_are_found_by_id_and_an_unknown_brand_is_refused() {
    let mut s = Scenario::new()
        .brand("CAS", Vertical::Igaming, "EUR")
        .partner("A", None, "EUR")
        .code("CAS", "a-btag", "A", TrackingKind::Btag);
    for i in 0..500 {
        let code = (i % 2 == 0).then_some("a-btag");
        s = s.customer(&format!("C{i:03}"), "CAS", code, "DE", "2026-07-01");
    }
    let e = s.engine();
    assert_eq!(e.customers.len(), 500);
    for (i, (id, c)) in e.customers.iter().enumerate() {
        assert_eq!(id, format!("C{i:03}"));
        assert_eq!(e.customer_index(id), Some(i));
        assert_eq!(c.partner, (i % 2 == 0).then_some(0), "{id}");
        assert_eq!(c.brand, 0);
    }
    for unknown in ["C", "C00", "C0000", "C500", "c001", ""] {
        assert_eq!(e.customer_index(unknown), None, "{unknown:?}");
    }
    // Looked up near a hint (ids in the engine's order, backwards, skipping,
    // repeating, unknown): the same answers as the index, wherever the hint.
    let mut asked: Vec<String> = (0..500).map(|i| format!("C{i:03}")).collect();
    asked.extend((0..500).rev().step_by(7).map(|i| format!("C{i:03}")));
    asked.extend((0..500).step_by(40).map(|i| format!("C{i:03}")));
    asked.extend(["C250", "C250", "C00", "C500", "c001", "", "C499", "C000"].map(String::from));
    let mut hint = 0;
    for id in &asked {
        assert_eq!(
            e.customer_index_near(id, &mut hint),
            e.customer_index(id),
            "{id}"
        );
    }
    for start in [0, 1, 250, 499, 500, 10_000] {
        let mut hint = start;
        assert_eq!(e.customer_index_near("C250", &mut hint), Some(250));
        assert_eq!(hint, 251, "the hint moves past the customer found");
    }
    let bad = s.customer("X1", "NOPE", None, "DE", "2026-07-01");
    match crate::engine::Engine::new(bad.world) {
        Err(crate::engine::EngineError::UnknownReference { what, kind, id }) => {
            assert_eq!(
                (what.as_str(), kind, id.as_str()),
                ("customer X1", "brand", "NOPE")
            );
        }
        Err(other) => panic!("another error: {other}"),
        Ok(_) => panic!("a customer of an unknown brand was accepted"),
    }
}
