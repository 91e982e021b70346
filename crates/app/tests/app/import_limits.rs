//! What an import may not bring in (issue 27): dates the system cannot
//! compute, amounts and FX rates beyond the documented limits, text with
//! control characters or of any length, files that are not regular files
//! in the folder; and how the refusals read (cut, escaped, bounded).

use crate::import::{broken_copy, replace_line, set_cell};
use crate::on_both_backends;
use crate::support::TestDb;
use partnerdesk_app::{commissions, import};
use partnerdesk_domain::Period;
use std::path::Path;

/// `file`'s cell of `column` on line `line` set to `value`.
fn with_cell(dir: &Path, file: &str, line: usize, column: &str, value: &str) {
    broken_copy(dir, file, |t| {
        let header = t.lines().next().unwrap().to_string();
        replace_line(t, line, |l| set_cell(l, &header, column, value))
    });
}

async fn assert_refused_keeping_nothing(db: &TestDb, dir: &Path, want: &str) -> String {
    let ctx = &db.ctx;
    let msg = import::import_folder(ctx, dir)
        .await
        .expect_err(want)
        .to_string();
    assert!(msg.contains(want), "expected '{want}' in:\n{msg}");
    assert!(msg.contains("nothing of it was kept"), "{msg}");
    let mut tx = ctx.store.read().await.unwrap();
    assert_eq!(tx.partner_count().await.unwrap(), 0, "{want}");
    assert!(tx.first_data_period().await.unwrap().is_none(), "{want}");
    msg
}

/// A date before 1970 (or after 9998) is refused where it stands, so that
/// every later run can compute what was imported (a 1899 row used to break
/// every run for good).
async fn dates_outside_the_range_are_refused_with_file_and_line(db: &TestDb) {
    let range = "outside the dates Partnerdesk accepts (1970-01-01 to 9998-12-31";
    for (file, line, column, value) in [
        ("igaming_activity.csv", 2, "date", "1899-12-31"),
        ("trades.csv", 3, "open_time", "1899-12-31T23:00:00Z"),
        ("trades.csv", 2, "close_time", "9999-01-01T00:00:00Z"),
        ("purchases.csv", 2, "purchased_at", "1850-01-01T00:00:00Z"),
        ("purchases.csv", 3, "refunded_at", "9999-06-01T00:00:00Z"),
        ("customers.csv", 4, "registered_at", "1969-12-31T23:59:59Z"),
        ("fx_rates.csv", 2, "date", "1899-07-01"),
        ("assignments.csv", 2, "valid_from", "1899-12-01"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        with_cell(dir.path(), file, line, column, value);
        let want = format!("{file}:{line}: {column}: ");
        let msg = assert_refused_keeping_nothing(db, dir.path(), &want).await;
        assert!(msg.contains(range), "{file} {column} {value}: {msg}");
    }
}

/// Amounts up to 15 digits before the point and 10 after, FX rates from
/// 0.000001 to 1000000: the decimal maximum and a 1e-28 rate (which made
/// every run panic) are refused at the import, saying the limit.
async fn amounts_and_rates_beyond_the_limits_are_refused(db: &TestDb) {
    let max = "79228162514264337593543950335";
    for (file, line, column, value, want) in [
        (
            "igaming_activity.csv",
            2,
            "deposits",
            max,
            "at most 15 digits before the point and 10 after it",
        ),
        (
            "igaming_activity.csv",
            3,
            "bets",
            "1000000000000000",
            "at most 15 digits",
        ),
        (
            "trades.csv",
            2,
            "lots",
            "0.00000000001",
            "at most 15 digits before the point and 10 after it",
        ),
        ("purchases.csv", 2, "amount", max, "at most 15 digits"),
        (
            "fx_rates.csv",
            2,
            "rate",
            "0.0000000000000000000000000001",
            "from 0.000001 to 1000000",
        ),
        (
            "fx_rates.csv",
            3,
            "rate",
            "1000001",
            "from 0.000001 to 1000000",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        with_cell(dir.path(), file, line, column, value);
        let msg =
            assert_refused_keeping_nothing(db, dir.path(), &format!("{file}:{line}: {column}: "))
                .await;
        assert!(msg.contains(want), "{file} {column}: {msg}");
    }
    // At the limit itself, the import is kept and every period computes.
    let ctx = &db.ctx;
    let dir = tempfile::tempdir().unwrap();
    broken_copy(dir.path(), "igaming_activity.csv", |t| {
        let header = t.lines().next().unwrap().to_string();
        let t = replace_line(t, 2, |l| {
            set_cell(l, &header, "deposits", "999999999999999.9999999999")
        });
        replace_line(&t, 3, |l| {
            set_cell(l, &header, "bets", "999999999999999.9999999999")
        })
    });
    import::import_folder(ctx, dir.path()).await.unwrap();
    commissions::run(ctx, Period::parse("p", "2026-09").unwrap())
        .await
        .expect("amounts at the limit compute");
}

/// Free text is at most 200 characters with no control character (NUL,
/// terminal escapes); an error shows at most 80 characters of a cell,
/// escaped, and the whole error stays small however large the cells.
async fn text_is_bounded_and_errors_are_cut_and_escaped(db: &TestDb) {
    let long = "x".repeat(1_000_000);
    for (file, column, value, want) in [
        (
            "purchases.csv",
            "product",
            long.as_str(),
            "product: is longer than 200 characters",
        ),
        (
            "purchases.csv",
            "product",
            "Challenge\u{0}100k",
            "control character",
        ),
        (
            "purchases.csv",
            "coupon_code",
            "\u{1b}[2J\u{1b}[H",
            "control character",
        ),
        (
            "trades.csv",
            "symbol",
            "EUR\u{1b}]0;pwned\u{7}USD",
            "control character",
        ),
        (
            "trades.csv",
            "instrument_group",
            long.as_str(),
            "longer than 200",
        ),
        (
            "customers.csv",
            "tracking_code",
            "bt\u{9b}31m",
            "control character",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        // Quoted, so that the cell holds the bytes as they are.
        with_cell(dir.path(), file, 2, column, &format!("\"{value}\""));
        let msg =
            assert_refused_keeping_nothing(db, dir.path(), &format!("{file}:2: {column}")).await;
        assert!(msg.contains(want), "{file} {column}: {msg}");
        assert!(
            !msg.chars().any(|c| c.is_control() && c != '\n'),
            "no control character reaches the message: {msg:?}"
        );
        assert!(msg.len() < 1_000, "{} bytes", msg.len());
    }
    // 20 rows with a megabyte-long bad amount each: a short message.
    let dir = tempfile::tempdir().unwrap();
    broken_copy(dir.path(), "igaming_activity.csv", |t| {
        let header = t.lines().next().unwrap().to_string();
        let mut t = t.to_string();
        for line in 2..22 {
            t = replace_line(&t, line, |l| {
                set_cell(l, &header, "wins", &format!("9{long}x"))
            });
        }
        t
    });
    let msg = assert_refused_keeping_nothing(db, dir.path(), "igaming_activity.csv:21: wins").await;
    assert!(msg.len() < 20 * 300, "{} bytes for 20 bad cells", msg.len());
    assert!(
        msg.contains("… (1000002 characters)"),
        "{}",
        msg.chars().take(500).collect::<String>()
    );
}

/// A UTF-8 byte-order mark at the start of plans.json is read like the
/// CSV files' one.
async fn plans_json_with_a_byte_order_mark_is_read(db: &TestDb) {
    let ctx = &db.ctx;
    let dir = tempfile::tempdir().unwrap();
    broken_copy(dir.path(), "plans.json", |t| format!("\u{feff}{t}"));
    let report = import::import_folder(ctx, dir.path()).await.unwrap();
    assert!(!report.new_plan_versions.is_empty(), "the plans were read");
}

/// Only regular files inside the folder are read: a link out of it, a
/// dangling link and a FIFO are each refused with their reason (none
/// skipped in silence, and the FIFO is not waited on).
#[cfg(unix)]
async fn only_regular_files_inside_the_folder_are_read(db: &TestDb) {
    let outside = tempfile::tempdir().unwrap();
    broken_copy(outside.path(), "purchases.csv", |t| t.to_string());
    let dir = tempfile::tempdir().unwrap();
    broken_copy(dir.path(), "brands.csv", |t| t.to_string());
    let d = dir.path();
    // fx_rates.csv is a link to nothing …
    std::fs::remove_file(d.join("fx_rates.csv")).unwrap();
    std::os::unix::fs::symlink(d.join("no-such-file.csv"), d.join("fx_rates.csv")).unwrap();
    // … trades.csv a FIFO nobody writes to …
    std::fs::remove_file(d.join("trades.csv")).unwrap();
    assert!(std::process::Command::new("mkfifo")
        .arg(d.join("trades.csv"))
        .status()
        .unwrap()
        .success());
    // … and purchases.csv a link to a copy outside the folder.
    std::fs::remove_file(d.join("purchases.csv")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("purchases.csv"),
        d.join("purchases.csv"),
    )
    .unwrap();
    let msg = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        assert_refused_keeping_nothing(
            db,
            d,
            "fx_rates.csv: is a symbolic link to nothing that exists",
        ),
    )
    .await
    .expect("a FIFO is not waited on");
    assert!(
        msg.contains("trades.csv: is a FIFO (named pipe), not a regular file"),
        "{msg}"
    );
    assert!(
        msg.contains("purchases.csv: is a symbolic link to a file outside the import folder"),
        "{msg}"
    );
    // A link to a file inside the folder is read.
    let dir = tempfile::tempdir().unwrap();
    broken_copy(dir.path(), "brands.csv", |t| t.to_string());
    let d = dir.path();
    std::fs::rename(d.join("brands.csv"), d.join("brands-2026.csv")).unwrap();
    std::os::unix::fs::symlink(d.join("brands-2026.csv"), d.join("brands.csv")).unwrap();
    let report = import::import_folder(&db.ctx, d).await.unwrap();
    assert!(
        report
            .files
            .iter()
            .any(|(f, n)| f == "brands.csv" && *n > 0),
        "{:?}",
        report.files
    );
}

on_both_backends!(
    dates_outside_the_range_are_refused_with_file_and_line,
    amounts_and_rates_beyond_the_limits_are_refused,
    text_is_bounded_and_errors_are_cut_and_escaped,
    plans_json_with_a_byte_order_mark_is_read,
);

#[cfg(unix)]
on_both_backends!(only_regular_files_inside_the_folder_are_read);
