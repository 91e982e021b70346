//! The customer image: an engine built from the image of another engine's
//! customers holds the same customers and computes the same lines, even when
//! partners come in another order or new ones were added; an image that is
//! damaged, or names a partner or brand that is gone, is refused.

use super::builder::*;
use crate::engine::{Engine, EngineError, World};
use crate::partner::{TrackingKind, Vertical};

const DEAL: &str = r#"[{"type": "revshare", "rate": "0.25"},
    {"type": "cpa", "amount": "40", "min_deposits": "50"}]"#;

/// Brand CAS with A's btag, brand SLO with B's btag, a geo block on SLO for
/// FR, an excluded customer, and one customer without a code.
fn world() -> Scenario {
    casino(DEAL)
        .brand("SLO", Vertical::Igaming, "EUR")
        .partner("B", None, "EUR")
        .assign("B", "SLO", "deal", "2026-07", None)
        .code("SLO", "b-btag", "B", TrackingKind::Btag)
        .geo_block("SLO", "FR")
        .player("C1", "DE", "2026-07-01")
        .player("C2", "GB", "2026-06-15T10:00:00Z")
        .customer("C3", "SLO", Some("b-btag"), "FR", "2026-07-02")
        .customer("C4", "SLO", Some("b-btag"), "DE", "2026-07-03")
        .customer("C5", "SLO", None, "DE", "2026-07-03")
        .player("C6", "AT", "2026-07-04")
        .excluded("C6")
}

/// The world without its customers, partners reversed and one more added.
fn without_customers(s: &Scenario) -> World {
    let mut w = s.world.clone();
    w.customers.clear();
    w.partners.reverse();
    w.partners.push(crate::engine::PartnerNode {
        partner_id: id("NEW"),
        parent_id: None,
        currency: cur("EUR"),
    });
    w
}

#[test]
fn an_engine_from_the_image_holds_the_same_customers_and_computes_the_same_lines() {
    let s = world();
    let from_world = s.engine();
    let image = from_world.customer_image().expect("an image");
    let from_image =
        Engine::with_customer_image(without_customers(&s), &image).expect("the image is used");
    assert_eq!(from_image.customers.len(), 6);
    for ((a_id, a), (b_id, b)) in from_world.customers.iter().zip(from_image.customers.iter()) {
        let partner_id = |e: &Engine, p: Option<usize>| p.map(|p| e.partners[p].partner_id.clone());
        assert_eq!(a_id, b_id);
        assert_eq!(from_world.brands[a.brand].id, from_image.brands[b.brand].id);
        assert_eq!(
            partner_id(&from_world, a.partner),
            partner_id(&from_image, b.partner)
        );
        assert_eq!(
            (a.country, a.registered, a.earns),
            (b.country, b.registered, b.earns)
        );
        assert_eq!(
            from_image
                .customer_index(b_id)
                .map(|i| from_image.customers.id(i)),
            Some(b_id)
        );
    }
    // C3 is geo-blocked (SLO, FR) and C6 excluded: neither earns; C5 has no partner.
    let earns: Vec<bool> = from_image.customers.iter().map(|(_, c)| c.earns).collect();
    assert_eq!(earns, [true, true, false, true, true, false]);
    assert_eq!(from_image.customers[4].partner, None);
    assert_eq!(from_image.customer_index("C7"), None);

    let days = [
        s.play("C1", "2026-07-02", "60", "100", "20"),
        s.play("C2", "2026-07-03", "10", "50", "60"),
        s.play("C3", "2026-07-04", "90", "300", "0"),
        s.play("C4", "2026-07-05", "70", "80", "10"),
        s.play("C5", "2026-07-05", "70", "80", "10"),
        s.play("C6", "2026-07-06", "500", "900", "0"),
    ];
    let (mut a, mut b) = (from_world, from_image);
    let expected = run(&mut a, "2026-07", &days, &[]);
    assert!(!expected.is_empty());
    assert_eq!(run(&mut b, "2026-07", &days, &[]), expected);
    assert_eq!(a.snapshot(), b.snapshot(), "the same state after July");
    // An image of the image is the image (partners are written by id).
    let again = b.customer_image().expect("an image");
    let c = Engine::with_customer_image(without_customers(&s), &again).expect("usable");
    assert_eq!(c.customers.len(), 6);
}

#[test]
fn a_damaged_or_outdated_image_is_refused() {
    let s = world();
    let image = s.engine().customer_image().expect("an image");
    let refused = |world: World, image: &[u8]| match Engine::with_customer_image(world, image) {
        Err(EngineError::CustomerImage(why)) => why,
        Err(other) => panic!("another error: {other}"),
        Ok(_) => panic!("a bad image was used"),
    };
    // Cut anywhere, it is refused (never read past its end).
    for cut in 0..image.len() {
        refused(without_customers(&s), &image[..cut]);
    }
    let mut longer = image.clone();
    longer.push(0);
    refused(without_customers(&s), &longer);
    let mut other = image.clone();
    other[0] = b'X';
    assert!(refused(without_customers(&s), &other).contains("not a customer image"));
    // A partner that no longer exists.
    let mut gone = without_customers(&s);
    gone.partners.retain(|p| p.partner_id.as_str() != "B");
    gone.assignments.retain(|a| a.partner_id.as_str() != "B");
    gone.tracking_codes.retain(|t| t.partner_id.as_str() != "B");
    assert!(refused(gone, &image).contains("partner 'B' no longer exists"));
    // Customers both in the world and in the image.
    assert!(refused(s.world.clone(), &image).contains("both"));
}

#[test]
fn an_image_is_read_without_the_world_and_checked_against_it_when_joined() {
    use crate::engine::CustomerImage;
    let s = world();
    let image = s.engine().customer_image().expect("an image");
    // Reading needs no world; a damaged image is refused already there.
    let read = CustomerImage::decode(&image).expect("a good image reads");
    match CustomerImage::decode(&image[..image.len() - 1]) {
        Err(EngineError::CustomerImage(_)) => {}
        _ => panic!("a cut image was read"),
    }
    let e = Engine::with_image(without_customers(&s), read).expect("joined");
    let c5 = e.customer_index("C5").expect("C5 is there");
    assert_eq!(e.customers[c5].partner, None);
    let c3 = e.customer_index("C3").expect("C3 is there");
    let b = e.customers[c3]
        .partner
        .map(|p| e.partners[p].partner_id.as_str());
    assert_eq!(
        b,
        Some("B"),
        "B's position in the reversed, longer partner list"
    );
    // A brand gone from the world is found missing only when joined.
    let mut gone = without_customers(&s);
    gone.brands.retain(|b| b.id.as_str() != "SLO");
    gone.assignments.retain(|a| a.brand_id.as_str() != "SLO");
    gone.tracking_codes.retain(|t| t.brand_id.as_str() != "SLO");
    gone.geo_blocks.retain(|(b, _)| b.as_str() != "SLO");
    let read = CustomerImage::decode(&image).expect("still reads");
    match Engine::with_image(gone, read) {
        Err(EngineError::CustomerImage(why)) => {
            assert!(why.contains("brand 'SLO' no longer exists"), "{why}")
        }
        Err(other) => panic!("another error: {other}"),
        Ok(_) => panic!("an image naming a gone brand was used"),
    }
}
