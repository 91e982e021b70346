//! The partner ledger: entries posted when a period closes, manual
//! adjustments and reversals (requested by one user, approved by another),
//! balances at any date, and the check that balances equal their entries and
//! the entries their sources.

use crate::change::{applied_note, Applied, Apply, Change, LedgerAdjustment};
use crate::{AppError, Context, Result};
use partnerdesk_domain::commission::{Kind, PeriodState};
use partnerdesk_domain::ledger::{check_amount, AdjustmentState, EntryKind};
use partnerdesk_domain::money::parse_decimal;
use partnerdesk_domain::payout::{ItemState, RunState};
use partnerdesk_domain::{CurrencyCode, Period};
use partnerdesk_store::ledger::{
    decide_adjustment, insert_adjustment, line_kind_text, post_entries, post_entry,
    AdjustmentRecord, EntryRecord, NewEntry,
};
use partnerdesk_store::payouts::period_text;
use partnerdesk_store::Tx;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use specta::Type;
use std::collections::BTreeMap;

mod adjustments;

pub use adjustments::{adjustments, decide, request_adjustment, request_reversal};

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct LedgerEntryView {
    pub entry_id: i64,
    pub partner_id: String,
    pub currency: CurrencyCode,
    pub kind: EntryKind,
    pub amount: String,
    /// The balance after this entry (entries in date order).
    pub balance: String,
    pub effective_date: String,
    /// `YYYY-MM`, or '' for an entry of no period (a manual adjustment).
    pub period: String,
    pub brand_id: String,
    /// For commission entries, the line's kind (cpa, revshare, …).
    pub line_kind: String,
    pub reverses: Option<i64>,
    pub run_id: Option<i64>,
    /// The payout run holding this entry, if any.
    pub claimed_by_run: Option<i64>,
    pub reason: String,
    pub posted_at: String,
    pub posted_by: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct BalanceView {
    pub partner_id: String,
    pub name: String,
    pub currency: CurrencyCode,
    pub balance: String,
    /// Not yet taken by a payout run.
    pub unclaimed: String,
    pub entries: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct AdjustmentView {
    pub adjustment_id: i64,
    pub partner_id: String,
    pub currency: CurrencyCode,
    pub amount: String,
    pub reverses: Option<i64>,
    pub reason: String,
    pub state: AdjustmentState,
    pub requested_by: String,
    pub requested_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub entry_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct LedgerCheck {
    pub entries: u32,
    pub balances: u32,
    /// Sum of every entry per currency.
    pub totals: Vec<CurrencyTotal>,
    /// Empty when everything adds up.
    pub problems: Vec<String>,
    pub ok: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct CurrencyTotal {
    pub currency: CurrencyCode,
    pub amount: String,
    pub count: u32,
}

pub(crate) fn money(d: Decimal) -> String {
    let mut a = d;
    a.rescale(2);
    a.to_string()
}

fn today(ctx: &Context) -> String {
    ctx.now().chars().take(10).collect()
}

/// Posts a closing period's lines (adjustments included) to the ledger, in
/// the closing transaction. Zero lines post nothing.
pub(crate) async fn post_closed_period(
    tx: &mut Tx<'_>,
    period: Period,
    at: &str,
    by: &str,
) -> Result<u64> {
    let lines = tx.period_lines(period).await?;
    let effective = period.last_day().format("%Y-%m-%d").to_string();
    let entries: Vec<NewEntry> = lines
        .iter()
        .filter(|s| !s.line.amount.is_zero())
        .map(|s| {
            let l = &s.line;
            let kind = if l.kind == Kind::Adjustment {
                EntryKind::Adjustment
            } else {
                EntryKind::Commission
            };
            NewEntry {
                partner_id: l.partner_id.to_string(),
                amount: partnerdesk_domain::money::round_cents(l.amount),
                effective_date: effective.clone(),
                period: Some(period),
                brand_id: l.brand_id.to_string(),
                line_kind: Some(l.kind),
                origin_period: s.origin_period,
                source: line_source(period, s),
                ..NewEntry::of(kind, l.currency)
            }
        })
        .collect();
    Ok(post_entries(tx, &entries, at, by).await?)
}

/// The source a closed line's entry is posted with (unique in the ledger):
/// `line:PERIOD:PARTNER:BRAND:KIND:ORIGIN`, ORIGIN '' for a period's own line.
fn line_source(period: Period, s: &partnerdesk_store::commissions::StoredLine) -> String {
    let l = &s.line;
    format!(
        "line:{period}:{}:{}:{}:{}",
        l.partner_id,
        l.brand_id,
        l.kind.as_str(),
        period_text(s.origin_period)
    )
}

fn view(e: &EntryRecord, balance: Decimal) -> LedgerEntryView {
    LedgerEntryView {
        entry_id: e.entry_id,
        partner_id: e.partner_id.clone(),
        currency: e.currency,
        kind: e.kind,
        amount: money(e.amount),
        balance: money(balance),
        effective_date: e.effective_date.clone(),
        period: period_text(e.period),
        brand_id: e.brand_id.clone(),
        line_kind: line_kind_text(e.line_kind).to_string(),
        reverses: e.reverses,
        run_id: e.run_id,
        claimed_by_run: e.claimed_by_run,
        reason: e.reason.clone(),
        posted_at: e.posted_at.clone(),
        posted_by: e.posted_by.clone(),
    }
}

/// A partner's entries in date order, each with the running balance of its currency.
#[tracing::instrument(name = "ledger::entries", skip_all, fields(user = %ctx.actor.user))]
pub async fn entries(ctx: &Context, partner_id: &str) -> Result<Vec<LedgerEntryView>> {
    ctx.authorize(&crate::access::READ).await?;
    let mut tx = ctx.store.read().await?;
    if tx.partner(partner_id).await?.is_none() {
        return Err(AppError::NotFound {
            what: "partner",
            id: partner_id.into(),
        });
    }
    let mut running: BTreeMap<CurrencyCode, Decimal> = BTreeMap::new();
    Ok(tx
        .ledger_entries(partner_id)
        .await?
        .iter()
        .map(|e| {
            let b = running.entry(e.currency).or_default();
            *b += e.amount;
            view(e, *b)
        })
        .collect())
}

/// Every non-empty balance at a date (inclusive; None: everything posted).
#[tracing::instrument(name = "ledger::balances", skip_all, fields(user = %ctx.actor.user))]
pub async fn balances(ctx: &Context, at: Option<&str>) -> Result<Vec<BalanceView>> {
    ctx.authorize(&crate::access::READ).await?;
    if let Some(d) = at {
        chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| AppError::invalid("at", format!("'{d}' is not a date (YYYY-MM-DD)")))?;
    }
    let mut tx = ctx.store.read().await?;
    let names = tx.payees().await?;
    let mut sums: BTreeMap<(String, CurrencyCode), (Decimal, Decimal, u32)> = BTreeMap::new();
    for e in tx.all_ledger_entries().await? {
        if at.is_some_and(|d| e.effective_date.as_str() > d) {
            continue;
        }
        let s = sums.entry((e.partner_id.clone(), e.currency)).or_default();
        s.0 += e.amount;
        if e.claimed_by_run.is_none() {
            s.1 += e.amount;
        }
        s.2 += 1;
    }
    Ok(sums
        .into_iter()
        .map(|((p, c), (b, u, n))| BalanceView {
            name: names.get(&p).map(|x| x.name.clone()).unwrap_or_default(),
            partner_id: p,
            currency: c,
            balance: money(b),
            unclaimed: money(u),
            entries: n,
        })
        .collect())
}

/// Proves the ledger adds up: every balance is the sum of its entries, every
/// closed line is posted exactly once with its amount, every reversal mirrors
/// its entry, every payout item is backed by exactly its claimed entries.
#[tracing::instrument(name = "ledger::check", skip_all, fields(user = %ctx.actor.user))]
pub async fn check(ctx: &Context) -> Result<LedgerCheck> {
    ctx.authorize(&crate::access::READ).await?;
    // One read transaction: every figure compared comes from the same moment.
    let mut tx = ctx.store.read().await?;
    let entries = tx.all_ledger_entries().await?;
    let mut problems = Vec::new();
    let by_id: BTreeMap<i64, &EntryRecord> = entries.iter().map(|e| (e.entry_id, e)).collect();

    // 1. Balances two ways: summed entry by entry, and from the sources.
    let mut summed: BTreeMap<(String, CurrencyCode), Decimal> = BTreeMap::new();
    let mut totals: BTreeMap<CurrencyCode, (Decimal, u32)> = BTreeMap::new();
    for e in &entries {
        *summed
            .entry((e.partner_id.clone(), e.currency))
            .or_default() += e.amount;
        let t = totals.entry(e.currency).or_default();
        t.0 += e.amount;
        t.1 += 1;
    }
    let mut from_sources: BTreeMap<(String, CurrencyCode), Decimal> = BTreeMap::new();

    // 2. Closed periods' lines against commission and adjustment entries.
    let mut posted: BTreeMap<String, &EntryRecord> = BTreeMap::new();
    for e in entries
        .iter()
        .filter(|e| matches!(e.kind, EntryKind::Commission | EntryKind::Adjustment))
    {
        posted.insert(e.source.clone(), e);
    }
    let mut expected_sources = 0usize;
    for p in tx
        .periods()
        .await?
        .iter()
        .filter(|p| p.state == PeriodState::Closed)
    {
        let period = p.period;
        for s in tx.period_lines(period).await? {
            let l = &s.line;
            if l.amount.is_zero() {
                continue;
            }
            let amount = partnerdesk_domain::money::round_cents(l.amount);
            *from_sources
                .entry((l.partner_id.to_string(), l.currency))
                .or_default() += amount;
            let source = line_source(period, &s);
            expected_sources += 1;
            match posted.get(&source) {
                None => problems.push(format!(
                    "closed line {source} ({amount}) was never posted to the ledger"
                )),
                Some(e) if e.amount != amount => problems.push(format!(
                    "entry {} posts {} for closed line {source} of {amount}",
                    e.entry_id, e.amount
                )),
                Some(_) => {}
            }
        }
    }
    if posted.len() != expected_sources {
        problems.push(format!(
            "{} commission/adjustment entries, but closed periods hold {expected_sources} non-zero lines",
            posted.len()
        ));
    }

    // 3. Manual adjustments, reversals and payouts against their records.
    for a in tx
        .manual_adjustments(Some(AdjustmentState::Approved))
        .await?
    {
        // Reversals are counted from their entries below.
        if a.reverses.is_none() {
            *from_sources
                .entry((a.partner_id.clone(), a.currency))
                .or_default() += a.amount;
        }
        match a.entry_id.and_then(|id| by_id.get(&id)) {
            Some(e) if e.amount == a.amount && e.partner_id == a.partner_id => {}
            _ => problems.push(format!(
                "approved adjustment {} has no matching entry",
                a.adjustment_id
            )),
        }
    }
    for e in entries.iter().filter(|e| e.kind == EntryKind::Reversal) {
        match e.reverses.and_then(|id| by_id.get(&id)) {
            Some(t)
                if t.amount == -e.amount
                    && t.partner_id == e.partner_id
                    && t.currency == e.currency => {}
            _ => problems.push(format!(
                "reversal {} does not mirror the entry it reverses",
                e.entry_id
            )),
        }
    }
    for run in tx.payout_runs().await? {
        for item in tx.payout_items(run.run_id).await? {
            let key = (item.partner_id.clone(), item.currency);
            let claimed = tx
                .claimed_entries(run.run_id, &item.partner_id, item.currency.as_str())
                .await?;
            let earned: Decimal = claimed
                .iter()
                .filter_map(|id| by_id.get(id))
                .filter(|e| e.kind != EntryKind::Payout)
                .map(|e| e.amount)
                .sum();
            let cancelled = run.state == RunState::Cancelled;
            if !cancelled && earned != item.amount {
                problems.push(format!(
                    "run {} pays {} {} to {} but its claimed entries sum to {}",
                    run.run_id, item.amount, item.currency, item.partner_id, earned
                ));
            }
            if let Some(pe) = item.payout_entry {
                *from_sources.entry(key.clone()).or_default() -= item.amount;
                match by_id.get(&pe) {
                    Some(e) if e.amount == -item.amount && e.kind == EntryKind::Payout => {}
                    _ => problems.push(format!(
                        "run {} item {} has no matching payout entry",
                        run.run_id, item.partner_id
                    )),
                }
            }
            if item.state == ItemState::Failed {
                *from_sources.entry(key).or_default() += item.amount;
                let src = format!(
                    "payout_failed:{}:{}:{}",
                    run.run_id, item.partner_id, item.currency
                );
                if !entries
                    .iter()
                    .any(|e| e.source == src && e.amount == item.amount)
                {
                    problems.push(format!(
                        "failed payment {src} did not return {} to the balance",
                        item.amount
                    ));
                }
            }
        }
    }
    for e in entries.iter().filter(|e| e.kind == EntryKind::Reversal) {
        *from_sources
            .entry((e.partner_id.clone(), e.currency))
            .or_default() += e.amount;
    }
    for key in summed.keys().chain(from_sources.keys()) {
        let a = summed.get(key).copied().unwrap_or_default();
        let b = from_sources.get(key).copied().unwrap_or_default();
        if a != b {
            problems.push(format!(
                "{} {}: the entries sum to {a}, its commissions, adjustments and payouts to {b}",
                key.0, key.1
            ));
        }
    }
    problems.dedup();
    Ok(LedgerCheck {
        entries: u32::try_from(entries.len()).unwrap_or(u32::MAX),
        balances: u32::try_from(summed.len()).unwrap_or(u32::MAX),
        totals: totals
            .into_iter()
            .map(|(currency, (amount, count))| CurrencyTotal {
                currency,
                amount: money(amount),
                count,
            })
            .collect(),
        ok: problems.is_empty(),
        problems,
    })
}
