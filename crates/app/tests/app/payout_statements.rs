//! Statements read back from their PDFs match the ledger (on both
//! backends).

use crate::on_both_backends;
use crate::payouts::{closed_july, d, p, pay_details};
use crate::support::TestDb;
use partnerdesk_app::ledger;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// The whole-run batch and a period statement, read back with pdftotext: the
/// closing balance printed is the ledger's balance at the statement's last day.
async fn statements_read_back_match_the_ledger(db: &TestDb) {
    let ctx = &db.ctx;
    closed_july(ctx).await;
    pay_details(ctx, &[]).await;
    let dir = tempfile::tempdir().unwrap();
    let batch = partnerdesk_app::statements::for_period(ctx, p("2026-07"), None, dir.path())
        .await
        .unwrap();
    let july: BTreeMap<(String, partnerdesk_domain::CurrencyCode), Decimal> =
        ledger::balances(ctx, Some("2026-07-31"))
            .await
            .unwrap()
            .into_iter()
            .map(|b| ((b.partner_id, b.currency), d(&b.balance)))
            .collect();
    assert_eq!(
        batch.files.len(),
        july.len(),
        "one statement per partner and currency"
    );
    for ((partner, currency), balance) in july.iter().take(6) {
        let file = batch
            .files
            .iter()
            .find(|f| {
                f.ends_with(&format!("statement-{partner}-2026-07.pdf"))
                    || f.ends_with(&format!("statement-{partner}-2026-07-{currency}.pdf"))
            })
            .unwrap_or_else(|| panic!("a statement for {partner}"));
        let out = std::process::Command::new("pdftotext")
            .args(["-layout", file, "-"])
            .output()
            .expect("pdftotext (poppler-utils)");
        let text = String::from_utf8(out.stdout).unwrap();
        let closing = text
            .lines()
            .find(|l| l.trim_start().starts_with("Closing balance"))
            .and_then(|l| l.split_whitespace().last())
            .unwrap_or_else(|| panic!("a closing balance in {text}"));
        assert_eq!(
            d(closing),
            *balance,
            "{partner}: the statement's closing balance is the ledger's"
        );
        assert!(text.contains("Page 1 of"), "{text}");
    }
    // A folder that cannot be written: a clear error, nothing written.
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, b"x").unwrap();
    let e = partnerdesk_app::statements::for_period(ctx, p("2026-07"), None, &file.join("sub"))
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("cannot write statements into"), "{e}");
}

on_both_backends!(statements_read_back_match_the_ledger);
