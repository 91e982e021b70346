//! `partnerdesk bench partners`: bulk-create partners in trees, then time
//! search pages and subtree loads.

use super::measure::{median, peak_mib, reset_peak};
use partnerdesk_app::wire::{PartnerInput, PartnerQuery, PartnerSortKey};
use partnerdesk_app::{partners, AppError};
use std::time::Instant;

pub async fn bench_partners(url: &str, count: usize) -> Result<(), AppError> {
    let ctx = crate::open::context(&Some(url.to_string())).await?;
    let kinds = [
        "affiliate",
        "ib",
        "referral",
        "media_buyer",
        "influencer",
        "strategic",
    ];
    let words = [
        "alpha", "bravo", "casino", "delta", "echo", "forex", "gamma", "hotel", "india", "juliet",
    ];
    let mut depth = Vec::with_capacity(count);
    let mut inputs = Vec::with_capacity(count);
    let mut seed: u64 = 7;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % n.max(1)
    };
    for i in 0..count {
        // Roots every ~20 partners; others under a random recent partner of depth < 4 (5 levels).
        let parent = if i % 20 == 0 {
            None
        } else {
            let j = i - 1 - next(i.min(200));
            (depth[j] < 4).then_some(j)
        };
        depth.push(parent.map(|j| depth[j] + 1).unwrap_or(0));
        inputs.push(PartnerInput {
            partner_id: format!("B{i:07}"),
            name: format!(
                "{} {} {i}",
                words[next(words.len())],
                words[next(words.len())]
            ),
            kind: kinds[next(kinds.len())].into(),
            parent_id: parent.map(|j| format!("B{j:07}")),
            email: Some(format!("p{i}@example.com")),
            country: Some(["DE", "GB", "SE", "BR"][next(4)].into()),
            currency: "EUR".into(),
            status: ["active", "active", "suspended", "pending_review"][next(4)].into(),
            tags: Vec::new(),
            notes: String::new(),
            contact_name: None,
            phone: None,
            row_version: None,
        });
    }
    reset_peak();
    let t = Instant::now();
    for chunk in inputs.chunks(10_000) {
        partners::create_many(&ctx, chunk).await?;
    }
    let create_s = t.elapsed().as_secs_f64();
    let create_mem = peak_mib();

    let mut search_ms = Vec::new();
    for i in 0..100 {
        let q = PartnerQuery {
            text: Some(words[i % words.len()].to_string()),
            kind: (i % 3 == 0).then(|| kinds[i % kinds.len()].to_string()),
            status: (i % 2 == 0).then(|| "active".to_string()),
            parent_id: None,
            tag: None,
            include_archived: false,
            sort: if i % 2 == 0 {
                PartnerSortKey::Name
            } else {
                PartnerSortKey::CreatedAt
            },
            desc: i % 4 == 0,
            offset: (i as u32 % 5) * 50,
            limit: 50,
        };
        let t = Instant::now();
        partners::search(&ctx, &q).await?;
        search_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let mut tree_ms = Vec::new();
    for i in 0..50 {
        let root = format!("B{:07}", (i * 20) % count.max(1));
        let t = Instant::now();
        partners::tree(&ctx, &root, 5).await?;
        tree_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    outln!("| step | rows | time | rate | peak memory |");
    outln!("|---|---:|---:|---:|---:|");
    outln!("| bulk create partners ({}) | {count} | {create_s:.2} s | {:.0} rows/s | {create_mem} MiB |", ctx.store.backend().as_str(), count as f64 / create_s.max(1e-9));
    outln!(
        "| search page (50 rows, filtered, sorted), median of 100 | 50 | {:.2} ms | | |",
        median(search_ms)
    );
    outln!(
        "| load a 5-level subtree, median of 50 | | {:.2} ms | | |",
        median(tree_ms)
    );
    Ok(())
}
