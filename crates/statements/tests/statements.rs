//! Statements read back with `pdftotext` (poppler-utils): names with
//! accents render, totals are printed as computed, long detail breaks over
//! pages with repeated headers and "Page n of m", bad fonts and folders fail
//! cleanly.

use partnerdesk_statements::{
    render, write_batch, CommissionRow, DetailRow, Fonts, Party, SimpleRow, Statement,
    StatementError,
};
use rust_decimal::Decimal;
use std::path::Path;
use std::process::Command;

fn statement(details: usize) -> Statement {
    // opening 100.00 + commissions (1234.56 + 10.05) + adjustment -4.61 + payout -1000.00 = 340.00
    let mut balance = Decimal::new(10000, 2);
    let mut rows = Vec::new();
    for i in 0..details {
        let amount = if i + 1 == details {
            Decimal::new(34000, 2) - balance
        } else {
            Decimal::new(i as i64 % 7 - 3, 0)
        };
        balance += amount;
        rows.push(DetailRow {
            date: format!("2026-07-{:02}", i % 28 + 1),
            kind: "commission".into(),
            reference: format!("line {i} Müller brand"),
            amount,
            balance,
        });
    }
    Statement {
        title: "Statement 2026-07".into(),
        file_stem: "statement-P1-2026-07".into(),
        partner_id: "P1".into(),
        currency: "EUR".into(),
        covers: "2026-07-01 – 2026-07-31".into(),
        issued: "2026-08-02".into(),
        operator: Party {
            name: "Operator Ltd".into(),
            lines: vec!["1 Main Street".into(), "Valletta, MT".into()],
        },
        partner: Party {
            name: "Zoë Šťastná".into(),
            lines: vec!["Müllerstraße 5".into(), "zoe@example.com".into()],
        },
        opening_balance: Decimal::new(10000, 2),
        commissions: vec![
            CommissionRow {
                brand: "Casino Ω".into(),
                kind: "revshare".into(),
                basis: "NGR 4938.24".into(),
                rate: "25%".into(),
                amount: Decimal::new(123456, 2),
            },
            CommissionRow {
                brand: "FX One".into(),
                kind: "spread_share".into(),
                basis: "201.00".into(),
                rate: "5%".into(),
                amount: Decimal::new(1005, 2),
            },
        ],
        adjustments: vec![SimpleRow {
            date: "2026-07-31".into(),
            description: "late data for 2026-06".into(),
            amount: Decimal::new(-461, 2),
        }],
        payouts: vec![SimpleRow {
            date: "2026-07-15".into(),
            description: "payout run 3".into(),
            amount: Decimal::new(-100000, 2),
        }],
        closing_balance: Decimal::new(34000, 2),
        details: rows,
    }
}

fn pdftotext(file: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(file)
        .arg("-")
        .output()
        .expect("pdftotext (Debian package poppler-utils) must be installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_statement_reads_back_with_its_names_totals_and_page_numbers() {
    let fonts = Fonts::bundled().unwrap();
    let s = statement(130);
    let bytes = render(&s, &fonts).unwrap();
    assert!(
        bytes.len() < 60_000,
        "subset fonts keep a statement small: {} bytes",
        bytes.len()
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.pdf");
    std::fs::write(&file, &bytes).unwrap();
    let text = pdftotext(&file);
    for want in [
        "Zoë Šťastná",
        "Müllerstraße 5",
        "Casino Ω",
        "Opening balance",
        "100.00",
        "1234.56",
        "Total commissions",
        "1244.61",
        "-4.61",
        "-1000.00",
        "Closing balance",
        "340.00",
    ] {
        assert!(text.contains(want), "'{want}' missing from:\n{text}");
    }
    let pages = text.matches("Page ").count();
    assert!(
        pages >= 3,
        "130 detail rows need at least 2 detail pages after the summary"
    );
    assert!(
        text.contains(&format!("Page 1 of {pages}"))
            && text.contains(&format!("Page {pages} of {pages}")),
        "{text}"
    );
    // The detail header is repeated on every detail page.
    assert_eq!(
        text.matches("Reference").count(),
        pages - 1,
        "one detail header per detail page"
    );
}

#[test]
fn a_statement_that_does_not_add_up_is_refused() {
    let mut s = statement(3);
    s.closing_balance += Decimal::new(1, 2);
    assert!(matches!(
        render(&s, &Fonts::bundled().unwrap()),
        Err(StatementError::Unbalanced { .. })
    ));
}

#[test]
fn a_missing_font_says_which_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let e = Fonts::from_dir(dir.path())
        .err()
        .expect("no fonts there")
        .to_string();
    assert!(
        e.contains("DejaVuSans.ttf") && e.contains("cannot be read"),
        "{e}"
    );
    std::fs::write(dir.path().join("DejaVuSans.ttf"), b"not a font").unwrap();
    let e = Fonts::from_dir(dir.path()).err().unwrap().to_string();
    assert!(e.contains("not a TrueType font"), "{e}");
}

#[test]
fn a_batch_is_all_or_nothing() {
    let fonts = Fonts::bundled().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut batch: Vec<Statement> = (0..5)
        .map(|i| Statement {
            file_stem: format!("statement-{i}"),
            ..statement(40)
        })
        .collect();
    let seen = std::sync::atomic::AtomicUsize::new(0);
    let files = write_batch(&batch, &fonts, dir.path(), &|done, total| {
        assert!(done <= total);
        seen.fetch_max(done, std::sync::atomic::Ordering::Relaxed);
    })
    .unwrap();
    assert_eq!(files.len(), 5);
    assert_eq!(
        seen.load(std::sync::atomic::Ordering::Relaxed),
        5,
        "progress reaches the total"
    );

    // One bad statement: nothing is written.
    let out = dir.path().join("second");
    batch[3].closing_balance += Decimal::ONE;
    assert!(write_batch(&batch, &fonts, &out, &|_, _| {}).is_err());
    assert!(
        !out.exists() || std::fs::read_dir(&out).unwrap().next().is_none(),
        "nothing partial"
    );

    // A folder that cannot be written.
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"x").unwrap();
    let e = write_batch(&batch[..1], &fonts, &file.join("sub"), &|_, _| {})
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("cannot write statements into") && e.contains("choose a folder"),
        "{e}"
    );
}

#[test]
fn a_batch_shares_one_font_subset_and_every_file_reads_back() {
    // The batch cuts the fonts once to the glyphs all of its statements show:
    // each file must still read back whole, whichever names the others hold.
    let fonts = Fonts::bundled().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let names = ["Zoë Šťastná", "Jörg Müller", "Ωμέγα Ελένη", "Дмитрий Орлов"];
    let batch: Vec<Statement> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let mut s = statement(130);
            s.file_stem = format!("statement-{i}");
            s.partner.name = (*name).into();
            s
        })
        .collect();
    let files = write_batch(&batch, &fonts, dir.path(), &|_, _| {}).unwrap();
    assert_eq!(files.len(), names.len());
    for (file, name) in files.iter().zip(names) {
        let size = std::fs::metadata(file).unwrap().len();
        assert!(size < 60_000, "{}: {size} bytes", file.display());
        let text = pdftotext(file);
        for want in [
            name,
            "Müllerstraße 5",
            "Casino Ω",
            "Total commissions",
            "1244.61",
            "Closing balance",
            "340.00",
            "Page 1 of",
        ] {
            assert!(text.contains(want), "'{want}' missing from:\n{text}");
        }
        let out = Command::new("pdffonts").arg(file).output().unwrap();
        let listing = String::from_utf8_lossy(&out.stdout);
        let embedded = listing
            .lines()
            .skip(2)
            .filter(|l| l.contains("DejaVu") && l.split_whitespace().any(|w| w == "yes"))
            .count();
        assert_eq!(embedded, 2, "both faces embedded:\n{listing}");
    }
}
