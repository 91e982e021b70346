//! FTD postbacks out by sync (issue 29): a gaming sync queues each FTD of
//! a partner with an FTD URL once, in the page's transaction; importing the
//! same data afterwards queues none again.

use super::{count, csv_rows, ctx_of, data, fast, folder, gaming_input, sim_with};
use crate::on_both_backends;
use crate::support::TestDb;
use partnerdesk_app::tracking::postbacks_out;
use partnerdesk_app::{import, sync};
use rust_decimal::Decimal;
use std::collections::HashSet;
use std::str::FromStr;

/// The customers of CAS whose FTD RULES.md counts: attributed (a code of
/// CAS), not excluded, not of a blocked country, with a deposit > 0.
fn expected_ftds() -> usize {
    let codes: HashSet<String> = csv_rows("tracking_codes.csv")
        .into_iter()
        .filter(|r| r["brand_id"] == "CAS")
        .map(|r| r["code"].clone())
        .collect();
    let blocked: HashSet<String> = csv_rows("brand_geo_blocks.csv")
        .into_iter()
        .filter(|r| r["brand_id"] == "CAS")
        .map(|r| r["country"].clone())
        .collect();
    let counted: HashSet<String> = csv_rows("customers.csv")
        .into_iter()
        .filter(|r| {
            r["brand_id"] == "CAS"
                && codes.contains(&r["tracking_code"])
                && r["status"] != "excluded"
                && !blocked.contains(&r["country"])
        })
        .map(|r| r["customer_id"].clone())
        .collect();
    csv_rows("igaming_activity.csv")
        .into_iter()
        .filter(|r| {
            counted.contains(&r["customer_id"])
                && Decimal::from_str(&r["deposits"]).unwrap() > Decimal::ZERO
        })
        .map(|r| r["customer_id"].clone())
        .collect::<HashSet<_>>()
        .len()
}

async fn ftds_by_sync_queued_once(db: &TestDb) {
    let ctx = ctx_of(db);
    // Reference data only: brands, partners, codes, geo blocks.
    let dir = tempfile::tempdir().unwrap();
    for f in [
        "brands.csv",
        "partners.csv",
        "tracking_codes.csv",
        "brand_geo_blocks.csv",
    ] {
        std::fs::copy(folder().join(f), dir.path().join(f)).unwrap();
    }
    import::import_folder(&ctx, dir.path()).await.unwrap();
    let partners: HashSet<String> = csv_rows("tracking_codes.csv")
        .into_iter()
        .filter(|r| r["brand_id"] == "CAS")
        .map(|r| r["partner_id"].clone())
        .collect();
    for p in &partners {
        postbacks_out::set_url(&ctx, p, "ftd", "https://t.example/f?c={customer_id}", false)
            .await
            .unwrap();
    }
    let sim = sim_with(data()).await;
    sync::add(&ctx, gaming_input(&sim.url())).await.unwrap();
    let run = sync::run(&ctx, "casino", fast()).await.unwrap();
    assert_eq!(run.status.as_str(), "ok", "{run:?}");
    let expected = expected_ftds() as i64;
    assert!(expected > 20, "the folder has FTDs to find: {expected}");
    let queued =
        "SELECT COUNT(*) FROM postback_outbox WHERE event = 'ftd' AND source LIKE 'ftd:CAS:%'";
    assert_eq!(count(&ctx, queued).await, expected);
    // Synced again (nothing new), then the same data by import: none again.
    sync::run(&ctx, "casino", fast()).await.unwrap();
    import::import_folder(&ctx, folder()).await.unwrap();
    assert_eq!(count(&ctx, queued).await, expected);
}

on_both_backends!(ftds_by_sync_queued_once);
