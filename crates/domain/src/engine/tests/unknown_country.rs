//! A customer whose country is unknown (empty), as RULES.md has it: no geo
//! block applies to it, it matches no CPA `countries` list, and its CPA is
//! the plan's `amount`; the customer image keeps the unknown country.

use super::builder::*;
use crate::commission::{Kind, Line};
use crate::engine::Engine;

/// The casino with `plan`: C1 from `known`, C2 of unknown country (empty),
/// both registered on 2026-07-01.
fn known_and_unknown(plan: &str, known: &str) -> Scenario {
    casino(plan)
        .player("C1", known, "2026-07-01")
        .player("C2", "", "2026-07-01")
}

/// July's lines when C1 and C2 each deposit 10 with NGR `ngr` on 2026-07-02.
fn july(s: &Scenario, ngr: &str) -> Vec<Line> {
    run(
        &mut s.engine(),
        "2026-07",
        &[
            s.play("C1", "2026-07-02", "10", ngr, "0"),
            s.play("C2", "2026-07-02", "10", ngr, "0"),
        ],
        &[],
    )
}

#[test]
fn an_unknown_country_matches_no_cpa_country_list() {
    let s = known_and_unknown(
        r#"[{"type": "cpa", "amount": "100", "countries": ["DE", "AT"]}]"#,
        "DE",
    );
    // C1 (DE, listed) → 100; C2 (unknown) is in no list → nothing: 100.00.
    let jul = july(&s, "0");
    assert_eq!(
        amount(&jul, "A", Kind::Cpa),
        d("100.00"),
        "only the listed country qualifies; unknown is not listed"
    );
}

#[test]
fn an_unknown_country_without_a_list_earns_the_plans_amount_not_a_geo_amount() {
    let s = known_and_unknown(
        r#"[{"type": "cpa", "amount": "100", "geo_amounts": {"DE": "150"}}]"#,
        "DE",
    );
    // C1 (DE) → geo amount 150; C2 (unknown) → amount 100; total 250.00.
    let jul = july(&s, "0");
    assert_eq!(amount(&jul, "A", Kind::Cpa), d("250.00"), "150 + 100");
    assert_eq!(
        explained(&jul, "A", Kind::Cpa, "/customers/1/country"),
        "",
        "the explanation shows the unknown country as empty"
    );
}

#[test]
fn no_geo_block_applies_to_an_unknown_country() {
    let s = known_and_unknown(
        r#"[{"type": "revshare", "rate": "0.50"}, {"type": "cpa", "amount": "100"}]"#,
        "RU",
    )
    .geo_block("CAS", "RU");
    // C1 is blocked (RU) and earns nothing; C2 (unknown) is not blocked:
    // NGR 100 × 0.50 = 50.00 of revshare and one CPA of 100.00.
    let jul = july(&s, "100");
    assert_eq!(
        amount(&jul, "A", Kind::Revshare),
        d("50.00"),
        "only C2's NGR"
    );
    assert_eq!(amount(&jul, "A", Kind::Cpa), d("100.00"), "only C2's CPA");
    assert_eq!(
        explained(&jul, "A", Kind::Revshare, "/basis/ftds"),
        1,
        "the unknown-country customer is an FTD"
    );
}

#[test]
fn the_customer_image_keeps_an_unknown_country() {
    let s = known_and_unknown(r#"[{"type": "cpa", "amount": "100"}]"#, "DE");
    let e = s.engine();
    let image = e.customer_image().expect("an image");
    let mut w = s.world.clone();
    w.customers.clear();
    let again = Engine::with_customer_image(w, &image).expect("the image is read");
    let countries: Vec<Option<&str>> = again
        .customers
        .iter()
        .map(|(_, c)| c.country.as_ref().map(|k| k.as_str()))
        .collect();
    assert_eq!(countries, [Some("DE"), None]);
}
