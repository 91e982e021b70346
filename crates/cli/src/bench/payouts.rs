//! `partnerdesk bench payouts`: statements for many partners (two detail
//! pages each) and a payout run over many balances, created and exported.

use partnerdesk_app::access::Role;
use partnerdesk_app::wire::PartnerInput;
use partnerdesk_app::{partners, payouts, Actor, AppError};
use partnerdesk_domain::ledger::EntryKind;
use partnerdesk_statements::{
    write_batch, CommissionRow, DetailRow, Fonts, Party, SimpleRow, Statement, PAGE_ROWS,
};
use partnerdesk_store::ledger::{post_entries, NewEntry};
use partnerdesk_store::payouts::{set_payment_details, DetailsRecord};
use partnerdesk_store::StoreError;
use rust_decimal::Decimal;
use std::path::Path;
use std::time::Instant;

fn statement(i: usize) -> Statement {
    // Two full detail pages: the detail table starts on page 2.
    let rows = PAGE_ROWS * 2 - 4;
    let mut balance = Decimal::new(10_000, 2);
    let opening = balance;
    let mut details = Vec::with_capacity(rows);
    let mut total = Decimal::ZERO;
    for r in 0..rows {
        let amount = Decimal::new(((i * 31 + r * 17) % 20_000) as i64 + 1, 2);
        balance += amount;
        total += amount;
        details.push(DetailRow {
            date: format!("2026-07-{:02}", r % 28 + 1),
            kind: "commission".into(),
            reference: format!("Brand {} revshare 2026-07", r % 5),
            amount,
            balance,
        });
    }
    Statement {
        title: "Statement 2026-07".into(),
        file_stem: format!("statement-B{i:06}-2026-07"),
        partner_id: format!("B{i:06}"),
        currency: "EUR".into(),
        covers: "2026-07-01 to 2026-07-31".into(),
        issued: "2026-08-01".into(),
        operator: Party {
            name: "Bench Operator Ltd".into(),
            lines: Vec::new(),
        },
        partner: Party {
            name: format!("Zoë Šťastná Müller {i}"),
            lines: vec![format!("Partner B{i:06}"), "DE".into()],
        },
        opening_balance: opening,
        commissions: vec![CommissionRow {
            brand: "Bench Casino".into(),
            kind: "revshare".into(),
            basis: "NGR after carry 1000".into(),
            rate: "0.25".into(),
            amount: total,
        }],
        adjustments: Vec::<SimpleRow>::new(),
        payouts: Vec::new(),
        closing_balance: balance,
        details,
    }
}

fn bench_statements(count: usize, tmp: &Path) -> Result<(f64, u64, u64), AppError> {
    let fonts = Fonts::bundled()?;
    let statements: Vec<Statement> = (0..count).map(statement).collect();
    let out = tmp.join("statements");
    let t = Instant::now();
    let files = write_batch(&statements, &fonts, &out, &|_, _| {})?;
    let secs = t.elapsed().as_secs_f64();
    let mut max = 0;
    let mut sum = 0;
    for f in &files {
        let n = std::fs::metadata(f).map(|m| m.len()).unwrap_or(0);
        max = max.max(n);
        sum += n;
    }
    Ok((secs, sum / files.len().max(1) as u64, max))
}

async fn bench_run(url: &str, count: usize) -> Result<(f64, f64, usize), AppError> {
    let ctx = crate::open::context(&Some(url.to_string())).await?;
    let inputs: Vec<PartnerInput> = (0..count)
        .map(|i| PartnerInput {
            partner_id: format!("PB{i:06}"),
            name: format!("Payee {i}"),
            kind: "affiliate".into(),
            currency: "EUR".into(),
            status: "active".into(),
            ..Default::default()
        })
        .collect();
    for chunk in inputs.chunks(10_000) {
        partners::create_many(&ctx, chunk).await?;
    }
    let now = ctx.now();
    let mut tx = ctx.store.begin().await?;
    let mut entries = Vec::with_capacity(count * 2);
    let eur = partnerdesk_domain::CurrencyCode::parse("currency", "EUR")?;
    let july = partnerdesk_domain::Period::parse("period", "2026-07")?;
    for i in 0..count {
        for (k, kind) in [EntryKind::Commission, EntryKind::Adjustment]
            .into_iter()
            .enumerate()
        {
            entries.push(NewEntry {
                partner_id: format!("PB{i:06}"),
                amount: Decimal::new(5_000 + (i % 997) as i64 - k as i64 * 100, 2),
                effective_date: "2026-07-31".into(),
                period: Some(july),
                brand_id: "BENCH".into(),
                line_kind: Some(partnerdesk_domain::commission::Kind::Revshare),
                source: format!("bench:{i}:{k}"),
                ..NewEntry::of(kind, eur)
            });
        }
        set_payment_details(
            &mut tx,
            &DetailsRecord {
                partner_id: format!("PB{i:06}"),
                method: partnerdesk_domain::payment::PaymentMethod::BankTransfer,
                holder: format!("Payee {i}"),
                account: "DE89370400440532013000".into(),
                bic: Some("COBADEFFXXX".into()),
                updated_at: now.clone(),
                updated_by: "bench".into(),
            },
        )
        .await?;
    }
    post_entries(&mut tx, &entries, &now, "bench").await?;
    tx.commit().await.map_err(StoreError::from)?;
    payouts::set_operator_account(&ctx, "Bench Operator Ltd", "DE89370400440532013000", None)
        .await?;
    let approver = partnerdesk_app::Context {
        actor: Actor::with_roles("bench-approver", &[Role::Finance]),
        ..ctx.clone()
    };
    let t = Instant::now();
    let run = payouts::create_run(&ctx, Some("2026-07-31"), None).await?;
    let create_s = t.elapsed().as_secs_f64();
    payouts::submit(&ctx, run.run.run_id).await?;
    // Above the approvals threshold a run needs two approvers.
    let detail = payouts::approve(&approver, run.run.run_id, "bench").await?;
    if detail.run.state == partnerdesk_domain::payout::RunState::Submitted {
        let second = partnerdesk_app::Context {
            actor: Actor::with_roles("bench-approver-2", &[Role::Finance]),
            ..ctx.clone()
        };
        payouts::approve(&second, run.run.run_id, "bench").await?;
    }
    let t = Instant::now();
    let files = payouts::export(&ctx, run.run.run_id).await?;
    let export_s = t.elapsed().as_secs_f64();
    if files.sepa_payments as usize != count {
        return Err(AppError::Refused(format!(
            "the SEPA file holds {} payments, expected {count}",
            files.sepa_payments
        )));
    }
    Ok((create_s, export_s, run.items.len()))
}

pub async fn bench_payouts(
    url: &str,
    statements: usize,
    balances: usize,
    tmp: &Path,
) -> Result<(), AppError> {
    let (st_s, avg, max) = bench_statements(statements, tmp)?;
    let (create_s, export_s, paid) = bench_run(url, balances).await?;
    outln!("| step | size | time | target |");
    outln!("|---|---|---|---|");
    outln!(
        "| statements (2 detail pages each) | {statements} PDFs, avg {:.1} KB, max {:.1} KB | {st_s:.2} s | < 20 s, < 60 KB each |",
        avg as f64 / 1024.0,
        max as f64 / 1024.0
    );
    outln!("| payout run created | {paid} of {balances} balances | {create_s:.2} s | |");
    outln!("| payout run exported (CSV + SEPA) | {paid} payments | {export_s:.2} s | |");
    outln!(
        "| run created + exported | | {:.2} s | < 2 s |",
        create_s + export_s
    );
    Ok(())
}
