//! Partner statements from the ledger: one per partner per period, or for
//! every partner of a payout run, written as PDFs into a folder the user
//! picks (all or nothing, with progress). Figures come from the ledger only,
//! so a statement's closing balance is the ledger balance at its last day.

use crate::ledger::money;
use crate::{AppError, Context, Result};
use partnerdesk_domain::file_name::file_stems;
use partnerdesk_domain::ledger::EntryKind;
use partnerdesk_domain::{CurrencyCode, Period};
use partnerdesk_statements::{
    write_batch, CommissionRow, DetailRow, Fonts, Party, SimpleRow, Statement, StatementError,
};
use partnerdesk_store::ledger::{line_kind_text, EntryRecord};
use partnerdesk_store::payouts::period_text;
use partnerdesk_store::{StoreError, Tx};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use specta::Type;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct StatementBatch {
    pub folder: String,
    pub files: Vec<String>,
}

impl From<StatementError> for AppError {
    fn from(e: StatementError) -> Self {
        AppError::Refused(e.to_string())
    }
}

fn describe(e: &EntryRecord) -> String {
    match e.kind {
        EntryKind::Adjustment => format!(
            "late data for {} ({})",
            period_text(e.origin_period),
            e.brand_id
        ),
        EntryKind::ManualAdjustment => format!("manual: {}", e.reason),
        EntryKind::Reversal => format!(
            "reversal of entry {}: {}",
            e.reverses.unwrap_or_default(),
            e.reason
        ),
        EntryKind::Payout => format!("payout run {}", e.run_id.unwrap_or_default()),
        EntryKind::PayoutFailed => format!(
            "payout run {} failed: {}",
            e.run_id.unwrap_or_default(),
            e.reason
        ),
        EntryKind::Commission => format!(
            "{} {} {}",
            e.brand_id,
            line_kind_text(e.line_kind),
            period_text(e.period)
        ),
    }
}

/// Basis and rate of a commission line, from its explanation.
fn basis_and_rate(x: &serde_json::Value) -> (String, String) {
    let s = |k: &str| x.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let basis = s("effective")
        .map(|v| format!("NGR after carry {v}"))
        .or_else(|| s("basis").map(|v| format!("revenue {v}")))
        .or_else(|| x.get("qualifiers").map(|q| format!("{q} qualifiers")))
        .or_else(|| {
            x.get("purchases")
                .and_then(|p| p.as_array())
                .map(|p| format!("{} purchases", p.len()))
        })
        .or_else(|| {
            x.get("sources")
                .and_then(|p| p.as_array())
                .map(|p| format!("{} lot groups", p.len()))
        })
        .or_else(|| {
            x.get("descendants")
                .and_then(|p| p.as_array())
                .map(|p| format!("{} sub-partners", p.len()))
        })
        .unwrap_or_default();
    let rate = s("rate")
        .or_else(|| {
            x.get("tier")
                .and_then(|t| t.get("rate"))
                .and_then(|v| v.as_str())
                .map(str::to_string)
        })
        .unwrap_or_else(|| "see detail".into());
    (basis, rate)
}

/// Builds a partner's statement over [first, last] from the ledger.
async fn build(
    ctx: &Context,
    tx: &mut Tx<'_>,
    partner_id: &str,
    first: &str,
    last: &str,
    title: String,
    file_stem: String,
    explanations: &HashMap<(String, String, String, String), serde_json::Value>,
) -> Result<Vec<Statement>> {
    let partner = tx
        .partner(partner_id)
        .await?
        .ok_or_else(|| AppError::NotFound {
            what: "partner",
            id: partner_id.into(),
        })?;
    let operator = tx
        .meta_get("operator.name")
        .await?
        .unwrap_or_else(|| "Partnerdesk operator".into());
    let entries = tx.ledger_entries(partner_id).await?;
    let mut by_currency: BTreeMap<CurrencyCode, Vec<&EntryRecord>> = BTreeMap::new();
    for e in &entries {
        by_currency.entry(e.currency).or_default().push(e);
    }
    let multi = by_currency.len() > 1;
    let mut out = Vec::new();
    for (currency, list) in by_currency {
        let opening: Decimal = list
            .iter()
            .filter(|e| e.effective_date.as_str() < first)
            .map(|e| e.amount)
            .sum();
        let inside: Vec<&&EntryRecord> = list
            .iter()
            .filter(|e| e.effective_date.as_str() >= first && e.effective_date.as_str() <= last)
            .collect();
        if inside.is_empty() && opening.is_zero() {
            continue;
        }
        let mut commissions: BTreeMap<(String, String), (Decimal, Vec<(String, String)>)> =
            BTreeMap::new();
        let mut adjustments = Vec::new();
        let mut payouts = Vec::new();
        let mut details = Vec::new();
        let mut balance = opening;
        for e in &inside {
            balance += e.amount;
            details.push(DetailRow {
                date: e.effective_date.clone(),
                kind: e.kind.as_str().replace('_', " "),
                reference: describe(e),
                amount: e.amount,
                balance,
            });
            // Keyed by the line kind's word: a statement lists its
            // commissions in the words' order, as it always has.
            let line_kind = line_kind_text(e.line_kind).to_string();
            match e.kind {
                EntryKind::Commission => {
                    let c = commissions
                        .entry((e.brand_id.clone(), line_kind.clone()))
                        .or_default();
                    c.0 += e.amount;
                    if let Some(x) = explanations.get(&(
                        period_text(e.period),
                        e.partner_id.clone(),
                        e.brand_id.clone(),
                        line_kind,
                    )) {
                        c.1.push(basis_and_rate(x));
                    }
                }
                EntryKind::Payout => payouts.push(SimpleRow {
                    date: e.effective_date.clone(),
                    description: describe(e),
                    amount: e.amount,
                }),
                EntryKind::Adjustment
                | EntryKind::ManualAdjustment
                | EntryKind::PayoutFailed
                | EntryKind::Reversal => adjustments.push(SimpleRow {
                    date: e.effective_date.clone(),
                    description: describe(e),
                    amount: e.amount,
                }),
            }
        }
        let mut lines = vec![format!("Partner {}", partner.partner_id)];
        if let Some(m) = &partner.email {
            lines.push(m.clone());
        }
        if let Some(c) = &partner.country {
            lines.push(c.to_string());
        }
        out.push(Statement {
            title: title.clone(),
            file_stem: if multi {
                format!("{file_stem}-{currency}")
            } else {
                file_stem.clone()
            },
            partner_id: partner.partner_id.clone(),
            currency: currency.to_string(),
            covers: format!("{first} to {last}"),
            issued: ctx.now().chars().take(10).collect(),
            operator: Party {
                name: operator.clone(),
                lines: Vec::new(),
            },
            partner: Party {
                name: partner.name.clone(),
                lines,
            },
            opening_balance: opening,
            commissions: commissions
                .into_iter()
                .map(|((brand, kind), (amount, br))| {
                    let (basis, rate) = match br.as_slice() {
                        [one] => one.clone(),
                        [] => (String::new(), String::new()),
                        many => (format!("{} periods", many.len()), "see detail".into()),
                    };
                    CommissionRow {
                        brand,
                        kind,
                        basis,
                        rate,
                        amount,
                    }
                })
                .collect(),
            adjustments,
            payouts,
            closing_balance: balance,
            details,
        });
    }
    Ok(out)
}

async fn explanations(
    tx: &mut Tx<'_>,
    periods: &[Period],
) -> Result<HashMap<(String, String, String, String), serde_json::Value>> {
    let mut out = HashMap::new();
    for p in periods {
        for s in tx.period_lines(*p).await? {
            if s.origin_period.is_none() {
                let l = s.line;
                out.insert(
                    (
                        p.to_string(),
                        l.partner_id.to_string(),
                        l.brand_id.to_string(),
                        l.kind.as_str().to_string(),
                    ),
                    l.explanation.value(),
                );
            }
        }
    }
    Ok(out)
}

fn writable(folder: &Path) -> Result<()> {
    let err = |e: std::io::Error| {
        AppError::Refused(format!(
            "cannot write statements into {}: {e}; choose a folder you may write to",
            folder.display()
        ))
    };
    std::fs::create_dir_all(folder).map_err(err)?;
    let probe = folder.join(".partnerdesk-write-test");
    std::fs::write(&probe, b"").map_err(err)?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

async fn write(
    ctx: &Context,
    mut statements: Vec<Statement>,
    folder: &Path,
    what: &str,
    period_label: &str,
) -> Result<StatementBatch> {
    if statements.is_empty() {
        return Err(AppError::Refused(format!(
            "no partner has ledger entries for {what}: nothing to write"
        )));
    }
    // Partner ids become file names: made safe on every OS, one file each.
    let raw: Vec<String> = statements.iter().map(|s| s.file_stem.clone()).collect();
    for (s, stem) in statements.iter_mut().zip(file_stems(&raw)) {
        s.file_stem = stem;
    }
    let fonts = Fonts::bundled()?;
    let written: Vec<(String, String)> = statements
        .iter()
        .map(|s| (s.partner_id.clone(), format!("{}.pdf", s.file_stem)))
        .collect();
    let total = statements.len() as u64;
    let progress = ctx.progress.clone();
    progress.report("statements", 0, total, what);
    let folder_owned = folder.to_path_buf();
    let files = tokio::task::spawn_blocking(move || {
        write_batch(&statements, &fonts, &folder_owned, &|done, total| {
            progress.report("statements", done as u64, total as u64, "")
        })
    })
    .await
    .map_err(|e| StoreError::Corrupt(format!("statement writer: {e}")))??;
    let now = ctx.now();
    let mut tx = ctx.store.begin().await?;
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "statements.write",
        "statements",
        what,
        None,
        Some(&format!("{} files in {}", files.len(), folder.display())),
    )
    .await?;
    // "Statement ready" to each partner, the PDF attached (queued with this
    // batch's record; the outbox sends it).
    let ready =
        crate::mail::Composer::load(&mut tx, partnerdesk_domain::mail::STATEMENT_READY).await?;
    if ready.automatic() {
        let mut partners: HashMap<String, Option<partnerdesk_store::partners::PartnerRecord>> =
            HashMap::new();
        let mut messages = Vec::with_capacity(written.len());
        for (partner_id, file) in &written {
            if !partners.contains_key(partner_id) {
                partners.insert(partner_id.clone(), tx.partner(partner_id).await?);
            }
            let Some(Some(p)) = partners.get(partner_id) else {
                continue;
            };
            let mut values = partnerdesk_domain::mail::Values::new();
            values.insert("period".into(), period_label.to_string());
            values.insert("statement_file".into(), file.clone());
            messages.extend(ready.message(p, values, Some(&folder.join(file)))?);
        }
        crate::mail::queue_all(ctx, &mut tx, &messages).await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(StatementBatch {
        folder: folder.display().to_string(),
        files: files.iter().map(|f| f.display().to_string()).collect(),
    })
}

/// Statements of a closed period for one partner (or every partner with entries), into `folder`.
#[tracing::instrument(name = "statements::for_period", skip_all, fields(user = %ctx.actor.user))]
pub async fn for_period(
    ctx: &Context,
    period: Period,
    partner_id: Option<&str>,
    folder: &Path,
) -> Result<StatementBatch> {
    ctx.authorize(&crate::access::STATEMENTS_WRITE).await?;
    writable(folder)?;
    let first = period.first_day().format("%Y-%m-%d").to_string();
    let last = period.last_day().format("%Y-%m-%d").to_string();
    // Everything the statements show is read at one moment; the PDFs are
    // written after the read transaction ends.
    let mut tx = ctx.store.read().await?;
    let partners: Vec<String> = match partner_id {
        Some(p) => vec![p.to_string()],
        None => {
            let mut ids: Vec<String> = tx
                .all_ledger_entries()
                .await?
                .into_iter()
                .filter(|e| e.effective_date <= last)
                .map(|e| e.partner_id)
                .collect();
            ids.dedup();
            ids
        }
    };
    let x = explanations(&mut tx, &[period]).await?;
    let mut all = Vec::new();
    for p in &partners {
        all.extend(
            build(
                ctx,
                &mut tx,
                p,
                &first,
                &last,
                format!("Statement {period}"),
                format!("statement-{p}-{period}"),
                &x,
            )
            .await?,
        );
    }
    drop(tx);
    write(
        ctx,
        all,
        folder,
        &format!("period {period}"),
        &period.to_string(),
    )
    .await
}

/// One statement per partner paid by a run, covering the run's month, into `folder`.
#[tracing::instrument(name = "statements::for_run", skip_all, fields(user = %ctx.actor.user))]
pub async fn for_run(ctx: &Context, run_id: i64, folder: &Path) -> Result<StatementBatch> {
    ctx.authorize(&crate::access::STATEMENTS_WRITE).await?;
    writable(folder)?;
    let mut tx = ctx.store.read().await?;
    let run = tx.payout_run(run_id).await?;
    let period = match run.period {
        Some(p) => p,
        None => Period::parse("pay_date", run.pay_date.get(..7).unwrap_or(""))
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
    };
    let first = period.first_day().format("%Y-%m-%d").to_string();
    let last = std::cmp::max(
        period.last_day().format("%Y-%m-%d").to_string(),
        run.pay_date.clone(),
    );
    let x = explanations(&mut tx, &[period]).await?;
    let mut all = Vec::new();
    for item in tx.payout_items(run_id).await? {
        let mut s = build(
            ctx,
            &mut tx,
            &item.partner_id,
            &first,
            &last,
            format!("Statement {period} · payout run {run_id}"),
            format!("statement-{}-run-{run_id}", item.partner_id),
            &x,
        )
        .await?;
        s.retain(|s| s.currency == item.currency.as_str());
        all.extend(s);
    }
    drop(tx);
    write(
        ctx,
        all,
        folder,
        &format!("payout run {run_id}"),
        &format!("{period} (payout run {run_id})"),
    )
    .await
}

/// The figures a statement prints, for tests and the UI: (currency, opening, closing).
#[tracing::instrument(name = "statements::totals", skip_all, fields(user = %ctx.actor.user))]
pub async fn totals(
    ctx: &Context,
    partner_id: &str,
    period: Period,
) -> Result<Vec<(String, String, String)>> {
    ctx.authorize(&crate::access::READ).await?;
    let first = period.first_day().format("%Y-%m-%d").to_string();
    let last = period.last_day().format("%Y-%m-%d").to_string();
    let s = build(
        ctx,
        &mut ctx.store.read().await?,
        partner_id,
        &first,
        &last,
        String::new(),
        String::new(),
        &HashMap::new(),
    )
    .await?;
    Ok(s.into_iter()
        .map(|s| {
            (
                s.currency,
                money(s.opening_balance),
                money(s.closing_balance),
            )
        })
        .collect())
}
