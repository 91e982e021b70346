//! CSV and XLSX exports on both backends, the XLSX read back with calamine:
//! a period's lines equal the computed lines (and the canonical CSV), the
//! balances at a date equal the sum of each partner's ledger entries, a
//! run's payments equal the run; a run's payment files go into a folder that
//! is checked before anything changes.

use crate::on_both_backends;
use crate::support::{as_user, example_folders, TestDb};
use calamine::{open_workbook, Data, Reader, Xlsx};
use partnerdesk_app::access::Role;
use partnerdesk_app::exports::{self, Format};
use partnerdesk_app::{commissions, import, ledger, payouts, Context};
use partnerdesk_domain::payout::RunState;
use partnerdesk_domain::Period;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

fn p(s: &str) -> Period {
    Period::parse("period", s).unwrap()
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// Every row of the first sheet as text; money cells (numbers) as exact
/// two-decimal text, counts as integers.
fn read_xlsx(path: &Path) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = open_workbook(path).expect("the XLSX opens");
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).expect("the first sheet");
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    Data::Float(f) => format!("{f:.2}"),
                    Data::Int(i) => i.to_string(),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .expect("the CSV opens");
    r.records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// Imports scenario A, computes through August and closes July.
async fn closed_july(ctx: &Context) {
    import::import_folder(ctx, &example_folders()[0])
        .await
        .unwrap();
    commissions::run(ctx, p("2026-08")).await.unwrap();
    commissions::close(ctx, p("2026-07")).await.unwrap();
}

async fn exports_read_back_equal_the_ledger(db: &TestDb) {
    let ctx = &db.ctx;
    closed_july(ctx).await;
    let dir = tempfile::tempdir().unwrap();

    // Lines: the rows of the canonical CSV, in both formats.
    let canonical = commissions::export_csv(ctx, p("2026-07")).await.unwrap();
    let want: Vec<Vec<String>> = canonical
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    assert!(want.len() > 5, "scenario A has July lines");
    let x = exports::lines(
        ctx,
        p("2026-07"),
        Format::Xlsx,
        &dir.path().join("lines.xlsx"),
    )
    .await
    .unwrap();
    let c = exports::lines(
        ctx,
        p("2026-07"),
        Format::Csv,
        &dir.path().join("lines.csv"),
    )
    .await
    .unwrap();
    assert_eq!(x.rows as usize, want.len() - 1);
    assert_eq!(c.rows, x.rows);
    let xlsx = read_xlsx(Path::new(&x.path));
    assert_eq!(xlsx, want, "the XLSX lines are the canonical CSV's rows");
    assert_eq!(read_csv(Path::new(&c.path)), want);
    let computed: Decimal = commissions::computed_lines(ctx, p("2026-07"))
        .await
        .unwrap()
        .iter()
        .filter(|s| s.line.kind.as_str() != "adjustment")
        .map(|s| partnerdesk_domain::money::round_cents(s.line.amount))
        .sum();
    let summed: Decimal = xlsx[1..].iter().map(|r| d(&r[4])).sum();
    assert_eq!(summed, computed, "every cent of the lines is in the XLSX");

    // Balances at a date: each equals the sum of the partner's entries up to it.
    let at = "2026-07-31";
    let b = exports::balances(ctx, Some(at), Format::Xlsx, &dir.path().join("b.xlsx"))
        .await
        .unwrap();
    let rows = read_xlsx(Path::new(&b.path));
    assert_eq!(
        rows[0],
        [
            "partner_id",
            "name",
            "currency",
            "balance",
            "unclaimed",
            "entries"
        ]
    );
    assert_eq!(rows.len() - 1, b.rows as usize);
    assert!(b.rows >= 4);
    for r in &rows[1..] {
        let entries = ledger::entries(ctx, &r[0]).await.unwrap();
        let mine: Vec<_> = entries
            .iter()
            .filter(|e| e.currency.as_str() == r[2] && e.effective_date.as_str() <= at)
            .collect();
        let sum: Decimal = mine.iter().map(|e| d(&e.amount)).sum();
        assert_eq!(
            d(&r[3]),
            sum,
            "{}: the exported balance is its entries' sum",
            r[0]
        );
        // Counts are numeric cells too (read back as "N.00").
        assert_eq!(r[5], format!("{}.00", mine.len()), "{}: entry count", r[0]);
    }
    let bc = exports::balances(ctx, Some(at), Format::Csv, &dir.path().join("b.csv"))
        .await
        .unwrap();
    let csv_rows = read_csv(Path::new(&bc.path));
    assert_eq!(csv_rows.len(), rows.len());
    for (a, b) in csv_rows.iter().zip(&rows).skip(1) {
        assert_eq!(a[..5], b[..5], "CSV and XLSX hold the same balances");
    }

    // A run's payments: the run's items and its totals per currency.
    for (n, bal) in ledger::balances(ctx, None)
        .await
        .unwrap()
        .iter()
        .enumerate()
    {
        payouts::set_payment_details(
            ctx,
            &bal.partner_id,
            "e_wallet",
            "skrill",
            &format!("payee{n}@example.com"),
            None,
        )
        .await
        .unwrap();
    }
    let alice = as_user(db, "alice", &[Role::Finance]);
    let run = payouts::create_run(&alice, Some("2026-07-31"), None)
        .await
        .unwrap();
    let id = run.run.run_id;
    let f = exports::run(ctx, id, Format::Xlsx, &dir.path().join("run.xlsx"))
        .await
        .unwrap();
    let rows = read_xlsx(Path::new(&f.path));
    assert_eq!(rows.len() - 1, run.items.len());
    let mut totals: BTreeMap<String, Decimal> = BTreeMap::new();
    for (r, i) in rows[1..].iter().zip(&run.items) {
        assert_eq!(r[3], i.partner_id);
        assert_eq!(r[5], i.currency.as_str());
        assert_eq!(d(&r[6]), d(&i.amount), "{}: the amount paid", i.partner_id);
        assert_eq!(r[9], i.account);
        *totals.entry(r[5].clone()).or_default() += d(&r[6]);
    }
    for t in &run.run.totals {
        assert_eq!(
            totals[t.currency.as_str()],
            d(&t.amount),
            "{} total",
            t.currency
        );
    }

    // The payment files: an unwritable folder refuses before the run is exported.
    payouts::submit(&alice, id).await.unwrap();
    let bob = as_user(db, "bob", &[Role::Finance]);
    let carol = as_user(db, "carol", &[Role::Finance]);
    let mut state = payouts::approve(&bob, id, "checked against the ledger")
        .await
        .unwrap()
        .run
        .state;
    if state == RunState::Submitted {
        state = payouts::approve(&carol, id, "second approval")
            .await
            .unwrap()
            .run
            .state;
    }
    assert_eq!(state, RunState::Approved);
    let not_a_folder = dir.path().join("plain-file");
    std::fs::write(&not_a_folder, b"x").unwrap();
    let e = exports::payment_files(&bob, id, &not_a_folder.join("sub"), true)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "io");
    assert!(
        e.to_string().contains("choose a folder you can write to"),
        "{e}"
    );
    assert_eq!(
        payouts::run_detail(ctx, id)
            .await
            .unwrap()
            .run
            .state
            .as_str(),
        "approved",
        "nothing changed"
    );
    let out = dir.path().join("payments");
    let saved = exports::payment_files(&bob, id, &out, true).await.unwrap();
    assert_eq!(saved.files.len(), 1, "e-wallets only: no SEPA file");
    let csv_text = std::fs::read_to_string(out.join(format!("payments-run-{id}.csv"))).unwrap();
    assert_eq!(csv_text.lines().count(), run.items.len() + 1);
    assert_eq!(
        payouts::run_detail(ctx, id)
            .await
            .unwrap()
            .run
            .state
            .as_str(),
        "exported"
    );

    // Bad input: an unknown format, an unwritable file.
    assert!(Format::parse("pdf")
        .unwrap_err()
        .to_string()
        .contains("csv, xlsx"));
    let e = exports::balances(ctx, None, Format::Xlsx, &not_a_folder.join("b.xlsx"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "io", "{e}");
}

on_both_backends!(exports_read_back_equal_the_ledger);
