//! Properties of import and runs over generated folders: importing twice
//! changes nothing, and the order of rows in the files does not matter.

use crate::support::{Kind, TestDb};
use partnerdesk_app::{commissions, import};
use partnerdesk_domain::Period;
use proptest::prelude::*;
use std::path::Path;

fn generate(seed: u64, dir: &Path) {
    let opts = partnerdesk_gen::GenOptions {
        scale: partnerdesk_gen::Scale::Custom {
            partners: 60,
            customers: 400,
            days: 45,
        },
        seed,
        ..Default::default()
    };
    partnerdesk_gen::generate(&opts, dir, &mut |_, _, _| {}).expect("generate a small folder");
}

/// Rewrites every CSV of the folder with its data rows in another order.
fn shuffle_rows(dir: &Path, seed: u64) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let path = e.path();
        if path.extension().and_then(|x| x.to_str()) != Some("csv") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines: Vec<&str> = text.lines().collect();
        let header = lines.remove(0);
        // A deterministic permutation: sort by a hash of (seed, line).
        lines.sort_by_key(|l| {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            (seed, l).hash(&mut h);
            h.finish()
        });
        // Partners must still name parents that exist somewhere in the file: order does not matter.
        std::fs::write(&path, format!("{header}\n{}\n", lines.join("\n"))).unwrap();
    }
}

async fn exports(db: &TestDb, dir: &Path) -> (String, String) {
    import::import_folder(&db.ctx, dir).await.expect("import");
    commissions::run(&db.ctx, Period::parse("p", "2026-08").unwrap())
        .await
        .expect("run");
    (
        commissions::export_csv(&db.ctx, Period::parse("p", "2026-07").unwrap())
            .await
            .unwrap(),
        commissions::export_csv(&db.ctx, Period::parse("p", "2026-08").unwrap())
            .await
            .unwrap(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, .. ProptestConfig::default() })]

    #[test]
    fn import_is_idempotent_and_row_order_does_not_matter(seed in 0u64..1_000_000) {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let dir = tempfile::tempdir().unwrap();
            generate(seed, dir.path());
            let a = TestDb::new(Kind::Sqlite, "prop").await.unwrap();
            let first = exports(&a, dir.path()).await;
            let again = import::import_folder(&a.ctx, dir.path()).await.unwrap();
            assert!(again.new_plan_versions.is_empty(), "the same plans make no new versions");
            let rerun = commissions::run(&a.ctx, Period::parse("p", "2026-08").unwrap()).await.unwrap();
            assert!(rerun.periods.iter().all(|p| !p.changed), "a second import of the same folder changes no line");
            a.finish().await;

            shuffle_rows(dir.path(), seed);
            let b = TestDb::new(Kind::Sqlite, "prop").await.unwrap();
            let shuffled = exports(&b, dir.path()).await;
            b.finish().await;
            assert_eq!(first, shuffled, "rows in another order give the same exports");
        });
    }
}
