//! A customer with stored rows keeps its brand (RULES.md: a row's brand is
//! its customer's brand). Moving one used to leave its activity under the
//! old brand and silently change commission; now the import refuses the
//! move by file and line, the database refuses it from any other writer,
//! and a customer without rows may still move.

use crate::on_both_backends;
use crate::support::{example_folders, TestDb};
use partnerdesk_app::import;
use std::collections::HashSet;
use std::path::Path;

fn lines(dir: &Path, file: &str) -> Vec<String> {
    std::fs::read_to_string(dir.join(file))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

fn first_cells(dir: &Path, file: &str, column: usize) -> HashSet<String> {
    lines(dir, file)
        .iter()
        .skip(1)
        .filter_map(|l| l.split(',').nth(column).map(str::to_string))
        .collect()
}

async fn brands_of(db: &TestDb) -> std::collections::HashMap<String, String> {
    db.ctx
        .store
        .customer_brands()
        .await
        .unwrap()
        .into_iter()
        .collect()
}

async fn a_customer_with_rows_keeps_its_brand(db: &TestDb) {
    let example = &example_folders()[0];
    import::import_folder(&db.ctx, example).await.unwrap();
    let customers = lines(example, "customers.csv");
    let brands: Vec<String> = first_cells(example, "brands.csv", 0).into_iter().collect();
    let with_rows: HashSet<String> = first_cells(example, "igaming_activity.csv", 0)
        .into_iter()
        .chain(first_cells(example, "trades.csv", 1))
        .chain(first_cells(example, "purchases.csv", 1))
        .collect();
    // Each customer line moved to another brand: (line, id, new brand, has rows).
    let moved_line = |l: &str| {
        let mut cells: Vec<String> = l.split(',').map(str::to_string).collect();
        let other = brands.iter().find(|b| **b != cells[1]).unwrap().clone();
        cells[1] = other.clone();
        // A tracking code belongs to a brand: the moved customer has none.
        cells[2] = String::new();
        (cells[0].clone(), other, cells.join(","))
    };
    let busy = customers[1..]
        .iter()
        .find(|l| with_rows.contains(l.split(',').next().unwrap()))
        .expect("a customer with rows");
    let (id, to, line) = moved_line(busy);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("customers.csv"),
        format!("{}\n{line}\n", customers[0]),
    )
    .unwrap();
    let before = brands_of(db).await;
    let e = import::import_folder(&db.ctx, dir.path())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("customers.csv:2:") && e.contains(&format!("customer '{id}'")),
        "{e}"
    );
    assert!(e.contains(&format!("cannot move to brand '{to}'")), "{e}");
    assert_eq!(brands_of(db).await, before, "nothing moved");

    // Any other writer meets the database's own guard.
    let raw = db
        .ctx
        .store
        .raw_execute(&format!(
            "UPDATE customers SET brand_id = '{to}' WHERE customer_id = '{id}'"
        ))
        .await
        .unwrap_err()
        .to_string();
    assert!(raw.contains("keeps its brand"), "{raw}");
    assert_eq!(brands_of(db).await, before, "nothing moved");

    // A customer without any row may still move.
    if let Some(idle) = customers[1..]
        .iter()
        .find(|l| !with_rows.contains(l.split(',').next().unwrap()))
    {
        let (id, to, line) = moved_line(idle);
        std::fs::write(
            dir.path().join("customers.csv"),
            format!("{}\n{line}\n", customers[0]),
        )
        .unwrap();
        import::import_folder(&db.ctx, dir.path()).await.unwrap();
        assert_eq!(brands_of(db).await.get(&id), Some(&to));
    }
}

on_both_backends!(a_customer_with_rows_keeps_its_brand);
