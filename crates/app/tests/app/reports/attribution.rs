//! Attribution changes after the import (a customer excluded, a country
//! blocked, a tracking code corrected or added, a day's import): each
//! report afterwards equals the reference on the folder changed the same
//! way. Split from reports/mod.rs; the story is unchanged.

use super::reference::Reference;
use super::{assert_reports_match, Case};
use crate::support::{example_folders, TestDb};
use partnerdesk_app::{compliance, import};
use std::path::Path;

/// Attribution changes after the import: a customer excluded, a country
/// blocked, a customer's tracking code corrected, a tracking code added;
/// each report afterwards equals the reference on the folder changed the
/// same way.
pub(super) async fn attribution_changes_update_the_rollups(db: &TestDb) {
    let ctx = &db.ctx;
    let folder = &example_folders()[0];
    let copy = tempfile::tempdir().unwrap();
    for f in std::fs::read_dir(folder).unwrap().flatten() {
        if f.path().is_file() {
            std::fs::copy(f.path(), copy.path().join(f.file_name())).unwrap();
        }
    }
    import::import_folder(ctx, copy.path()).await.unwrap();
    let cases: Vec<Case<'_>> = vec![
        ("2026-07-01", "2026-09-30", "partner", "registrations,excluded_registrations,ftds,deposits,net_gaming,purchases,purchase_amount,lots", None, None, None, None),
        ("2026-07-01", "2026-09-30", "tree,brand", "registrations,excluded_registrations,ftds,deposits,trades", None, None, None, None),
        ("2026-07-01", "2026-09-30", "day,brand", "registrations,ftds,deposits,bets,purchases", None, None, None, None),
        ("2026-07-01", "2026-09-30", "country", "registrations,excluded_registrations,deposits", None, None, None, None),
    ];
    let check = |label: &'static str| {
        let dir = copy.path().to_path_buf();
        let cases = cases.clone();
        async move {
            let r = Reference::new(&dir, &[]);
            assert_reports_match(ctx, &r, &cases).await;
            eprintln!("checked after: {label}");
        }
    };
    check("import").await;

    // 0. A database from before the `c` grain (its migration only sets the
    // mark): the month slices by code are summed again from the `m` slices.
    ctx.store
        .raw_execute("DELETE FROM report_rollups WHERE grain = 'c'")
        .await
        .unwrap();
    ctx.store
        .raw_execute("INSERT INTO meta (key, value) VALUES ('report_codes_stale', '1')")
        .await
        .unwrap();
    check("the c slices summed from the month slices").await;

    // 1. Compliance excludes a customer with activity (C000002, CAS).
    compliance::set_customer_status_checked(ctx, "C000002", "excluded", "fraud")
        .await
        .unwrap();
    edit_csv(copy.path(), "customers.csv", "C000002,", |l| {
        l.replace(",active", ",excluded")
    });
    check("a customer excluded").await;

    // 2. A country blocked for a brand, by importing a geo block.
    let extra = tempfile::tempdir().unwrap();
    std::fs::write(
        extra.path().join("brand_geo_blocks.csv"),
        "brand_id,country\nCAS,GB\n",
    )
    .unwrap();
    import::import_folder(ctx, extra.path()).await.unwrap();
    let blocks = std::fs::read_to_string(copy.path().join("brand_geo_blocks.csv")).unwrap();
    std::fs::write(
        copy.path().join("brand_geo_blocks.csv"),
        blocks + "CAS,GB\n",
    )
    .unwrap();
    check("a country blocked").await;

    // 3. A customer's tracking code corrected by a customers.csv import.
    let customers = std::fs::read_to_string(copy.path().join("customers.csv")).unwrap();
    let line = customers
        .lines()
        .find(|l| l.starts_with("C000001,"))
        .unwrap()
        .to_string();
    let changed = line.replacen("CAS,,", "CAS,bt-CAS-P0003,", 1);
    assert_ne!(line, changed, "C000001 had no tracking code");
    let fix = tempfile::tempdir().unwrap();
    std::fs::write(
        fix.path().join("customers.csv"),
        format!("customer_id,brand_id,tracking_code,country,registered_at,status\n{changed}\n"),
    )
    .unwrap();
    import::import_folder(ctx, fix.path()).await.unwrap();
    edit_csv(copy.path(), "customers.csv", "C000001,", |_| {
        changed.clone()
    });
    check("a tracking code corrected").await;

    // 4. A tracking code that was unknown becomes a partner's code.
    let unknown = first_unknown_code(copy.path());
    if let Some((brand, code)) = unknown {
        let add = tempfile::tempdir().unwrap();
        let row = format!("{code},P0002,{brand},btag\n");
        std::fs::write(
            add.path().join("tracking_codes.csv"),
            format!("code,partner_id,brand_id,kind\n{row}"),
        )
        .unwrap();
        import::import_folder(ctx, add.path()).await.unwrap();
        let codes = std::fs::read_to_string(copy.path().join("tracking_codes.csv")).unwrap();
        std::fs::write(copy.path().join("tracking_codes.csv"), codes + &row).unwrap();
        check("an unknown code given to a partner").await;
    }

    // 5. A day's import: a new customer with its first deposit, and a day
    // of activity of a stored one (rebuilt from September, not from the
    // first period).
    let day = tempfile::tempdir().unwrap();
    let new_customer = "C900001,CAS,bt-CAS-P0002,DE,2026-09-20T08:00:00Z,active\n";
    let activity = "C900001,CAS,2026-09-21,50.00,0.00,20.00,5.00,0.00,0.00,0.00\n\
                    C000005,CAS,2026-09-22,10.00,0.00,4.00,1.00,0.00,0.00,0.00\n";
    std::fs::write(
        day.path().join("customers.csv"),
        format!("customer_id,brand_id,tracking_code,country,registered_at,status\n{new_customer}"),
    )
    .unwrap();
    std::fs::write(
        day.path().join("igaming_activity.csv"),
        format!("customer_id,brand_id,date,deposits,withdrawals,bets,wins,bonuses,chargebacks,taxes\n{activity}"),
    )
    .unwrap();
    import::import_folder(ctx, day.path()).await.unwrap();
    let customers = std::fs::read_to_string(copy.path().join("customers.csv")).unwrap();
    std::fs::write(copy.path().join("customers.csv"), customers + new_customer).unwrap();
    let rows = std::fs::read_to_string(copy.path().join("igaming_activity.csv")).unwrap();
    let rows = rows.replace("\n\n", "\n");
    std::fs::write(copy.path().join("igaming_activity.csv"), rows + activity).unwrap();
    check("a day's import of a new customer and activity").await;
}

/// A customer's tracking code that is not a code of its brand.
fn first_unknown_code(dir: &Path) -> Option<(String, String)> {
    let codes = std::fs::read_to_string(dir.join("tracking_codes.csv")).unwrap();
    let known: std::collections::HashSet<(String, String)> = codes
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[2].to_string(), f[0].to_string())
        })
        .collect();
    let customers = std::fs::read_to_string(dir.join("customers.csv")).unwrap();
    customers.lines().skip(1).find_map(|l| {
        let f: Vec<&str> = l.split(',').collect();
        let key = (f[1].to_string(), f[2].to_string());
        (!f[2].is_empty() && !known.contains(&key)).then_some(key)
    })
}

fn edit_csv(dir: &Path, file: &str, starts: &str, edit: impl Fn(&str) -> String) {
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    let out: Vec<String> = text
        .lines()
        .map(|l| {
            if l.starts_with(starts) {
                edit(l)
            } else {
                l.to_string()
            }
        })
        .collect();
    std::fs::write(dir.join(file), out.join("\n") + "\n").unwrap();
}
