//! The import folder of RULES.md: the worked examples byte for byte, idempotence,
//! and bad rows reported as file:line with nothing kept (the large files
//! streamed while the database writes: `import_large.rs`).

use crate::on_both_backends;
use crate::support::{example_folders, TestDb};
use partnerdesk_app::{commissions, import};
use partnerdesk_domain::Period;
use std::path::Path;

async fn import_run_export(db: &TestDb, folder: &Path) {
    let ctx = &db.ctx;
    import::import_folder(ctx, folder)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()));
    let mut expected: Vec<_> = std::fs::read_dir(folder.join("expected"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    expected.sort();
    let last = expected
        .iter()
        .filter_map(|p| {
            p.file_stem()?
                .to_str()?
                .strip_prefix("commissions-")
                .map(str::to_string)
        })
        .max()
        .expect("expected exports");
    commissions::run(ctx, Period::parse("p", &last).unwrap())
        .await
        .unwrap();
    for file in &expected {
        let period = file
            .file_stem()
            .unwrap()
            .to_str()
            .unwrap()
            .trim_start_matches("commissions-")
            .to_string();
        let got = commissions::export_csv(ctx, Period::parse("p", &period).unwrap())
            .await
            .unwrap();
        let want = std::fs::read_to_string(file).unwrap();
        assert!(
            got == want,
            "{}: export of {period} differs from {}\n--- got\n{got}\n--- want\n{want}",
            folder.display(),
            file.display()
        );
    }
}

async fn worked_examples_match_byte_for_byte(db: &TestDb) {
    for folder in example_folders() {
        let fresh = TestDb::new(
            if db.url.starts_with("sqlite") {
                crate::support::Kind::Sqlite
            } else {
                crate::support::Kind::Postgres
            },
            "example",
        )
        .await
        .unwrap();
        import_run_export(&fresh, &folder).await;
        fresh.finish().await;
    }
}

async fn importing_twice_changes_nothing(db: &TestDb) {
    let ctx = &db.ctx;
    let folder = &example_folders()[0];
    import::import_folder(ctx, folder).await.unwrap();
    commissions::run(ctx, Period::parse("p", "2026-09").unwrap())
        .await
        .unwrap();
    let before = commissions::export_csv(ctx, Period::parse("p", "2026-08").unwrap())
        .await
        .unwrap();
    let second = import::import_folder(ctx, folder).await.unwrap();
    assert!(
        second.new_plan_versions.is_empty(),
        "identical plans make no new version"
    );
    let again = commissions::run(ctx, Period::parse("p", "2026-09").unwrap())
        .await
        .unwrap();
    assert!(
        again.periods.iter().all(|p| !p.changed),
        "a re-import of the same folder changes no line: {:?}",
        again.periods
    );
    assert_eq!(
        commissions::export_csv(ctx, Period::parse("p", "2026-08").unwrap())
            .await
            .unwrap(),
        before
    );
    let third = commissions::run(ctx, Period::parse("p", "2026-09").unwrap())
        .await
        .unwrap();
    assert!(third.up_to_date, "nothing changed since the last run");
}

/// Copies the example folder and applies `edit` to one file's text.
pub(crate) fn broken_copy(dir: &Path, file: &str, edit: impl Fn(&str) -> String) {
    let src = &example_folders()[0];
    for e in std::fs::read_dir(src).unwrap().flatten() {
        if e.path().is_file() {
            std::fs::copy(e.path(), dir.join(e.file_name())).unwrap();
        }
    }
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    std::fs::write(dir.join(file), edit(&text)).unwrap();
}

pub(crate) fn replace_line(text: &str, line: usize, f: impl Fn(&str) -> String) -> String {
    text.lines()
        .enumerate()
        .map(|(i, l)| if i + 1 == line { f(l) } else { l.to_string() })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

pub(crate) fn set_cell(line: &str, header: &str, column: &str, value: &str) -> String {
    let idx = header
        .split(',')
        .position(|h| h == column)
        .expect("column exists");
    line.split(',')
        .enumerate()
        .map(|(i, c)| {
            if i == idx {
                value.to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

async fn bad_rows_are_reported_and_nothing_is_kept(db: &TestDb) {
    let ctx = &db.ctx;
    type Edit = Box<dyn Fn(&str) -> String>;
    let cell = |file: &'static str,
                line: usize,
                column: &'static str,
                value: &'static str|
     -> (&'static str, Edit) {
        (
            file,
            Box::new(move |t: &str| {
                let header = t.lines().next().unwrap().to_string();
                replace_line(t, line, |l| set_cell(l, &header, column, value))
            }),
        )
    };
    let cases: Vec<((&str, Edit), &str)> = vec![
        (
            cell("igaming_activity.csv", 3, "deposits", "12.5x"),
            "igaming_activity.csv:3: deposits",
        ),
        (
            cell("igaming_activity.csv", 4, "bets", ""),
            "igaming_activity.csv:4: bets: is empty",
        ),
        (
            cell("igaming_activity.csv", 2, "customer_id", "NOBODY"),
            "igaming_activity.csv:2: customer_id 'NOBODY' is not a known customer",
        ),
        (
            cell("igaming_activity.csv", 2, "date", "2026-07-32"),
            "igaming_activity.csv:2: date",
        ),
        (
            cell("igaming_activity.csv", 2, "wins", "-5"),
            "igaming_activity.csv:2: wins",
        ),
        (
            cell("trades.csv", 2, "close_time", "2000-01-01T00:00:00Z"),
            "trades.csv:2: close_time",
        ),
        (cell("trades.csv", 2, "lots", "0"), "trades.csv:2: lots"),
        (
            cell("assignments.csv", 2, "valid_from", "2026-07-15"),
            "assignments.csv:2: valid_from",
        ),
        (
            cell("assignments.csv", 2, "plan_id", "no-such-plan"),
            "assignments.csv:2: plan_id",
        ),
        (
            cell("customers.csv", 2, "country", "XX"),
            "customers.csv:2: country",
        ),
        (
            cell("partners.csv", 2, "currency", "EUE"),
            "partners.csv:2: currency",
        ),
        (
            cell("partners.csv", 2, "parent_id", "ghost"),
            "partners.csv:2: parent_id 'ghost'",
        ),
        (
            cell("purchases.csv", 2, "amount", "abc"),
            "purchases.csv:2: amount",
        ),
        // Every reference an import can hold: the import checks them itself
        // (its bulk connection leaves the database's foreign keys unchecked).
        (
            cell("trades.csv", 3, "customer_id", "NOBODY"),
            "trades.csv:3: customer_id",
        ),
        (
            cell("purchases.csv", 3, "customer_id", "NOBODY"),
            "purchases.csv:3: customer_id",
        ),
        (
            cell("customers.csv", 3, "brand_id", "NOBRAND"),
            "customers.csv:3: brand_id",
        ),
        (
            cell("tracking_codes.csv", 3, "partner_id", "ghost"),
            "tracking_codes.csv:3: partner_id",
        ),
        (
            cell("tracking_codes.csv", 3, "brand_id", "NOBRAND"),
            "tracking_codes.csv:3: brand_id",
        ),
        (
            cell("assignments.csv", 3, "partner_id", "ghost"),
            "assignments.csv:3: partner_id",
        ),
        (
            cell("assignments.csv", 3, "brand_id", "NOBRAND"),
            "assignments.csv:3: brand_id",
        ),
        (
            cell("brand_geo_blocks.csv", 2, "brand_id", "NOBRAND"),
            "brand_geo_blocks.csv:2: brand_id",
        ),
        (
            (
                "plans.json",
                Box::new(|t: &str| t.replacen("\"revshare\"", "\"fixed_fee\"", 1)),
            ),
            "plans.json:1: plan [0]",
        ),
        (
            (
                "plans.json",
                Box::new(|t: &str| t.replacen("\"rate\"", "\"rte\"", 1)),
            ),
            "rte",
        ),
        (
            (
                "customers.csv",
                Box::new(|t: &str| {
                    let mut l: Vec<&str> = t.lines().collect();
                    let dup = l[1];
                    l.push(dup);
                    l.join("\n") + "\n"
                }),
            ),
            "appears twice",
        ),
        (
            (
                "brands.csv",
                Box::new(|t: &str| t.replacen("currency", "curr", 1)),
            ),
            "brands.csv:1: missing column(s) currency",
        ),
    ];
    for ((file, edit), want) in cases {
        let dir = tempfile::tempdir().unwrap();
        broken_copy(dir.path(), file, edit);
        let e = import::import_folder(ctx, dir.path())
            .await
            .expect_err(want);
        let msg = e.to_string();
        assert!(msg.contains(want), "expected '{want}' in:\n{msg}");
        assert!(msg.contains("nothing of it was kept"), "{msg}");
        assert_eq!(
            ctx.store
                .read()
                .await
                .unwrap()
                .partner_count()
                .await
                .unwrap(),
            0,
            "{want}: nothing of the failed import is kept"
        );
        assert!(
            ctx.store
                .read()
                .await
                .unwrap()
                .first_data_period()
                .await
                .unwrap()
                .is_none(),
            "{want}: no activity kept"
        );
    }
}

async fn overlapping_assignments_are_refused(db: &TestDb) {
    let ctx = &db.ctx;
    let dir = tempfile::tempdir().unwrap();
    broken_copy(dir.path(), "assignments.csv", |t| {
        let mut lines: Vec<String> = t.lines().map(str::to_string).collect();
        let header = lines[0].clone();
        // The same partner and brand from a later month, while the first row is still in force.
        let copy = set_cell(
            &set_cell(&lines[1], &header, "valid_from", "2026-08-01"),
            &header,
            "valid_to",
            "",
        );
        lines.push(copy);
        lines.join("\n") + "\n"
    });
    let msg = import::import_folder(ctx, dir.path())
        .await
        .expect_err("overlap")
        .to_string();
    assert!(msg.contains("overlaps"), "{msg}");
}

/// An assignment in a later import that overlaps a stored one of the same
/// partner and brand is refused; one that replaces it (same start) is not.
async fn assignments_overlapping_stored_ones_are_refused(db: &TestDb) {
    let ctx = &db.ctx;
    import::import_folder(ctx, &example_folders()[0])
        .await
        .unwrap();
    let stored = ctx.store.read().await.unwrap().assignments().await.unwrap();
    let open = stored
        .iter()
        .find(|a| a.valid_to.is_none())
        .expect("the example has an open-ended assignment");
    let start = open.valid_from.first_day();
    let later = open.valid_from.next().first_day();
    let dir = tempfile::tempdir().unwrap();
    let write = |rows: &[String]| {
        std::fs::write(
            dir.path().join("assignments.csv"),
            format!(
                "partner_id,brand_id,plan_id,valid_from,valid_to\n{}\n",
                rows.join("\n")
            ),
        )
        .unwrap()
    };
    let row = |from: &chrono::NaiveDate, to: &str| {
        format!(
            "{},{},{},{from},{to}",
            open.partner_id, open.brand_id, open.plan_id
        )
    };
    // Unrelated rows around it: the check is per partner and brand.
    let others: Vec<String> = stored
        .iter()
        .filter(|a| (&a.partner_id, &a.brand_id) != (&open.partner_id, &open.brand_id))
        .map(|a| {
            format!(
                "{},{},{},{},{}",
                a.partner_id,
                a.brand_id,
                a.plan_id,
                a.valid_from.first_day(),
                a.valid_to
                    .map(|t| t.last_day().to_string())
                    .unwrap_or_default()
            )
        })
        .collect();
    let mut rows = others.clone();
    rows.push(row(&later, ""));
    write(&rows);
    let msg = import::import_folder(ctx, dir.path())
        .await
        .expect_err("a later assignment over an open-ended stored one")
        .to_string();
    assert!(
        msg.contains("assignments.csv:") && msg.contains("overlaps"),
        "{msg}"
    );
    assert_eq!(
        ctx.store
            .read()
            .await
            .unwrap()
            .assignments()
            .await
            .unwrap()
            .len(),
        stored.len()
    );

    // Ending the stored one (same start) and starting the next after it is fine.
    let end = open.valid_from.last_day();
    let mut rows = others;
    rows.push(row(&start, &end.to_string()));
    rows.push(row(&later, ""));
    write(&rows);
    import::import_folder(ctx, dir.path())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        ctx.store
            .read()
            .await
            .unwrap()
            .assignments()
            .await
            .unwrap()
            .len(),
        stored.len() + 1
    );
}

on_both_backends!(
    assignments_overlapping_stored_ones_are_refused,
    worked_examples_match_byte_for_byte,
    importing_twice_changes_nothing,
    bad_rows_are_reported_and_nothing_is_kept,
    overlapping_assignments_are_refused
);
