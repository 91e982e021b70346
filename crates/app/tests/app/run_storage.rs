//! What a run keeps between runs, as the store writes it: a computed
//! period written whole or not at all (lines, mark, engine state), and the
//! world stamp that tells a stored customer image is no longer current.
//! (Split from money.rs; the stories are unchanged.)

use crate::money::p;
use crate::on_both_backends;
use crate::support::TestDb;
use partnerdesk_domain::Period;

/// Whatever path writes them (here plain SQL, as no code of ours does), a
/// change to customers, tracking codes, brands or geo blocks moves the world
/// stamp, so a stored customer image is no longer used; changes elsewhere
/// (partners, activity) leave it.
async fn every_change_customers_are_resolved_from_moves_the_world_stamp(db: &TestDb) {
    let store = &db.ctx.store;
    let moved = [
        "INSERT INTO brands (brand_id, name, vertical, currency, created_at, updated_at) \
         VALUES ('B1', 'One', 'igaming', 'EUR', 't', 't')",
        "UPDATE brands SET name = 'Brand one' WHERE brand_id = 'B1'",
        "INSERT INTO brand_geo_blocks (brand_id, country) VALUES ('B1', 'FR')",
        "UPDATE brand_geo_blocks SET country = 'ES' WHERE brand_id = 'B1'",
        "DELETE FROM brand_geo_blocks WHERE brand_id = 'B1'",
        "INSERT INTO tracking_codes (brand_id, code, partner_id, kind) VALUES ('B1', 'c1', 'P1', 'btag')",
        "UPDATE tracking_codes SET kind = 'coupon' WHERE code = 'c1'",
        "INSERT INTO customers (customer_id, brand_id, tracking_code, country, registered_at, status) \
         VALUES ('K1', 'B1', 'c1', 'DE', '2026-07-01T00:00:00Z', 'active')",
        "UPDATE customers SET status = 'excluded' WHERE customer_id = 'K1'",
        "DELETE FROM customers WHERE customer_id = 'K1'",
        "DELETE FROM tracking_codes WHERE code = 'c1'",
    ];
    let unmoved = [
        "INSERT INTO partners (partner_id, name, kind, currency, status, search_text, created_at, updated_at) \
         VALUES ('P1', 'P', 'affiliate', 'EUR', 'active', 'p', 't', 't')",
        "UPDATE partners SET name = 'Partner one' WHERE partner_id = 'P1'",
    ];
    store.raw_execute(unmoved[0]).await.unwrap();
    let mut stamp = store
        .read()
        .await
        .unwrap()
        .world_stamp()
        .await
        .unwrap()
        .expect("the stamp row");
    for sql in moved {
        store.raw_execute(sql).await.unwrap();
        let now = store
            .read()
            .await
            .unwrap()
            .world_stamp()
            .await
            .unwrap()
            .expect("the stamp row");
        assert!(now > stamp, "{sql}");
        stamp = now;
    }
    for sql in &unmoved[1..] {
        store.raw_execute(sql).await.unwrap();
        assert_eq!(
            store
                .read()
                .await
                .unwrap()
                .world_stamp()
                .await
                .unwrap()
                .expect("the stamp row"),
            stamp,
            "{sql}"
        );
    }
    // An image is only returned at the stamp it was written at.
    store.save_customer_image(stamp, b"image").await.unwrap();
    assert_eq!(
        store.customer_image(stamp).await.unwrap().as_deref(),
        Some(&b"image"[..])
    );
    store
        .raw_execute("UPDATE brands SET name = 'B' WHERE brand_id = 'B1'")
        .await
        .unwrap();
    let now = store
        .read()
        .await
        .unwrap()
        .world_stamp()
        .await
        .unwrap()
        .expect("the stamp row");
    assert_eq!(store.customer_image(now).await.unwrap(), None);
    // Without its row nothing moves the stamp: there is none to trust.
    store.raw_execute("DELETE FROM world_stamp").await.unwrap();
    assert_eq!(
        store.read().await.unwrap().world_stamp().await.unwrap(),
        None
    );
}

/// A computed period is written whole or not at all: its lines (own and
/// adjustments, more than one chunk of explanations), the period marked
/// computed and the engine state after it, in one transaction; a state that
/// fails to come leaves everything as it was; a part left out (None) keeps
/// what is stored; a state computed from data changed since is not kept.
async fn a_period_is_written_whole_or_not_at_all(db: &TestDb) {
    use partnerdesk_domain::commission::{Kind, Line};
    use partnerdesk_domain::{CurrencyCode, Id};
    use partnerdesk_store::commissions::{PeriodWrite, StoredLine};
    use partnerdesk_store::StoreError;
    use std::sync::Arc;
    let store = &db.ctx.store;
    let period = p("2026-07");
    let eur = CurrencyCode::parse("currency", "EUR").unwrap();
    let line = |n: usize, origin: &str| StoredLine {
        line: Line {
            partner_id: Id::parse("id", &format!("P{n:05}")).unwrap(),
            brand_id: Id::parse("id", "CAS").unwrap(),
            period,
            kind: Kind::Revshare,
            amount: rust_decimal::Decimal::new(n as i64 - 7, 2),
            currency: eur,
            amount_brand: rust_decimal::Decimal::new(n as i64, 2),
            brand_currency: eur,
            fx_rate: rust_decimal::Decimal::ONE,
            explanation: partnerdesk_domain::commission::Explanation::of(
                &serde_json::json!({"n": n, "note": "Zürich \"€\"", "customers": [format!("C{n}")]}),
            ),
        },
        origin_period: (!origin.is_empty()).then(|| p(origin)),
    };
    let lines = |range: std::ops::Range<usize>, origin: &str| {
        Some(Arc::new(range.map(|n| line(n, origin)).collect::<Vec<_>>()))
    };
    let write = |own, adjustments, at: &str| PeriodWrite {
        period,
        own,
        adjustments,
        computed_at: at.to_string(),
        // The data version of a new database: the state is kept (see below).
        inputs: "0".to_string(),
    };
    let stored = || async {
        let mut lines = store
            .read()
            .await
            .unwrap()
            .period_lines(period)
            .await
            .unwrap();
        lines.sort_by(|a, b| {
            (&a.origin_period, a.line.partner_id.as_str())
                .cmp(&(&b.origin_period, b.line.partner_id.as_str()))
        });
        let record = store
            .read()
            .await
            .unwrap()
            .periods()
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.period == Period::parse("period", "2026-07").unwrap());
        let state = store.engine_state(period).await.unwrap();
        (lines, record.map(|r| (r.computed_at, r.inputs)), state)
    };
    let want = |own: &[usize], adjustments: &[usize]| -> Vec<StoredLine> {
        let mut all: Vec<StoredLine> = own.iter().map(|n| line(*n, "")).collect();
        all.extend(adjustments.iter().map(|n| line(*n, "2026-06")));
        all
    };

    // Everything, with 4,500 own lines (the explanations come in chunks).
    store
        .write_period(
            write(lines(0..4_500, ""), lines(0..3, "2026-06"), "t1"),
            async { Ok(Some(b"state one".to_vec())) },
        )
        .await
        .unwrap();
    let (got, record, state) = stored().await;
    let own: Vec<usize> = (0..4_500).collect();
    assert_eq!(got, want(&own, &[0, 1, 2]));
    assert_eq!(record, Some(("t1".into(), "0".into())));
    assert_eq!(state.as_deref(), Some(&b"state one"[..]));

    // The state fails: nothing of this write is kept.
    let e = store
        .write_period(
            write(lines(0..10, ""), lines(5..6, "2026-06"), "t2"),
            async { Err(StoreError::Corrupt("the snapshot broke".into())) },
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("the snapshot broke"), "{e}");
    assert_eq!(
        stored().await,
        (
            want(&own, &[0, 1, 2]),
            Some(("t1".into(), "0".into())),
            Some(b"state one".to_vec())
        )
    );

    // Own lines only, no state: the adjustments and the state stay.
    store
        .write_period(write(lines(10..12, ""), None, "t3"), async { Ok(None) })
        .await
        .unwrap();
    assert_eq!(
        stored().await,
        (
            want(&[10, 11], &[0, 1, 2]),
            Some(("t3".into(), "0".into())),
            Some(b"state one".to_vec())
        )
    );

    // Two lines with the same key: refused by the database, nothing kept.
    let twice = Some(Arc::new(vec![line(20, ""), line(20, "")]));
    assert!(store
        .write_period(write(twice, None, "t4"), async {
            Ok(Some(b"state two".to_vec()))
        })
        .await
        .is_err());
    assert_eq!(
        stored().await,
        (
            want(&[10, 11], &[0, 1, 2]),
            Some(("t3".into(), "0".into())),
            Some(b"state one".to_vec())
        )
    );

    // Computed from data that changed since (a change was counted while the
    // run went on): the lines are written, marked with the old version (the
    // next run recomputes them), but the state is not kept: a run resuming
    // from it would carry the old data past the change.
    let mut tx = store.begin().await.unwrap();
    partnerdesk_store::commissions::count_change(&mut tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    store
        .write_period(write(lines(30..31, ""), None, "t5"), async {
            Ok(Some(b"state of old data".to_vec()))
        })
        .await
        .unwrap();
    assert_eq!(
        stored().await,
        (
            want(&[30], &[0, 1, 2]),
            Some(("t5".into(), "0".into())),
            Some(b"state one".to_vec())
        ),
        "a state computed from data version 0 is not kept at version 1"
    );
}

on_both_backends!(
    a_period_is_written_whole_or_not_at_all,
    every_change_customers_are_resolved_from_moves_the_world_stamp
);
