//! Payout runs: payment details, thresholds and holds, creating a run for a
//! date or closed period (payable balances are claimed, the others held or
//! carried over), submit → approve (another finance user) → export (payout
//! entries posted; CSV and SEPA files) → each payment paid or failed.

use crate::change::{applied_note, Applied, Apply, Change, Kind as RequestKind, PayoutRunDecision};
use crate::ledger::money;
use crate::{AppError, Context, Result};
use partnerdesk_domain::ledger::EntryKind;
use partnerdesk_domain::money::parse_non_negative;
use partnerdesk_domain::partner::PartnerStatus;
use partnerdesk_domain::payment::{Bic, Iban, PaymentDetails};
use partnerdesk_domain::payout::{decide, transition, Candidate, Decision, RunAction, RunState};
use partnerdesk_domain::sepa::{pain_001_001_03, CreditTransfer, Debtor, Transfer};
use partnerdesk_domain::{CurrencyCode, Period};
use partnerdesk_store::ledger::{post_entry, NewEntry};
use partnerdesk_store::payouts::{
    insert_run, post_run_payouts, release_claims, set_partner_settings,
    set_payment_details as store_set_details, set_run_state, set_threshold as store_set_threshold,
    settle_item, DetailsRecord, HeldRecord, ItemRecord, ItemSum, NewRun, RunRecord,
};
use partnerdesk_store::{StoreError, Tx};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use specta::Type;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct PaymentDetailsView {
    pub partner_id: String,
    /// `bank_transfer`, `e_wallet` or `crypto`
    pub method: String,
    /// The account holder (bank), the wallet type (e-wallet) or the network (crypto).
    pub holder: String,
    /// IBAN, wallet account or address.
    pub account: String,
    pub bic: Option<String>,
    pub updated_at: String,
    pub updated_by: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct PayoutItemView {
    pub partner_id: String,
    pub name: String,
    pub currency: String,
    pub amount: String,
    pub method: String,
    pub holder: String,
    pub account: String,
    pub bic: Option<String>,
    /// `pending`, `paid` or `failed`
    pub state: String,
    pub reference: Option<String>,
    pub failure_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct HeldView {
    pub partner_id: String,
    pub name: String,
    pub currency: String,
    pub amount: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct RunTotal {
    pub currency: String,
    pub amount: String,
    pub payments: u32,
    pub paid: String,
    pub failed: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct PayoutRunView {
    pub run_id: i64,
    pub pay_date: String,
    pub period: String,
    /// `draft`, `submitted`, `approved`, `exported`, `paid`, `failed`, `cancelled`
    pub state: String,
    pub created_at: String,
    pub created_by: String,
    pub submitted_by: Option<String>,
    pub approved_by: Option<String>,
    pub exported_at: Option<String>,
    /// The request in the approvals queue while the run is submitted.
    pub approval_id: Option<i64>,
    pub totals: Vec<RunTotal>,
    pub held_count: u32,
    /// Actions the state allows now (`submit`, `approve`, `reject`, `export`, `settle`, `cancel`).
    pub actions: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct PayoutRunDetail {
    pub run: PayoutRunView,
    pub items: Vec<PayoutItemView>,
    pub held: Vec<HeldView>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct PaymentFiles {
    /// Every payment of the run (any currency, any method).
    pub csv: String,
    /// The SEPA credit transfer for the EUR bank transfers, when there are any.
    pub sepa_xml: Option<String>,
    pub sepa_payments: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct Settlement {
    pub partner_id: String,
    pub currency: String,
    /// `paid` or `failed`
    pub outcome: String,
    /// The bank's or provider's payment reference (paid), or why it failed (failed).
    pub note: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct OperatorAccount {
    pub name: String,
    pub iban: String,
    pub bic: Option<String>,
}

fn details_view(d: &DetailsRecord) -> PaymentDetailsView {
    PaymentDetailsView {
        partner_id: d.partner_id.clone(),
        method: d.method.clone(),
        holder: d.holder.clone(),
        account: d.account.clone(),
        bic: d.bic.clone(),
        updated_at: d.updated_at.clone(),
        updated_by: d.updated_by.clone(),
    }
}

async fn require_partner(
    tx: &mut Tx<'_>,
    partner_id: &str,
) -> Result<partnerdesk_store::partners::PartnerRecord> {
    tx.partner(partner_id)
        .await?
        .ok_or_else(|| AppError::NotFound {
            what: "partner",
            id: partner_id.into(),
        })
}

/// Sets how a partner is paid (IBAN and BIC are checked).
#[tracing::instrument(name = "payouts::set_payment_details", skip_all, fields(user = %ctx.actor.user))]
pub async fn set_payment_details(
    ctx: &Context,
    partner_id: &str,
    method: &str,
    holder: &str,
    account: &str,
    bic: Option<&str>,
) -> Result<PaymentDetailsView> {
    ctx.authorize(&crate::access::PAYMENT_DETAILS_SET).await?;
    let d = PaymentDetails::parse(method, holder, account, bic)?;
    let (holder, account, bic) = d.fields();
    let mut tx = ctx.store.begin().await?;
    require_partner(&mut tx, partner_id).await?;
    let before = tx
        .payment_details()
        .await?
        .remove(partner_id)
        .map(|d| details_view(&d));
    let now = ctx.now();
    let rec = DetailsRecord {
        partner_id: partner_id.into(),
        method: d.method().into(),
        holder,
        account,
        bic,
        updated_at: now.clone(),
        updated_by: ctx.actor.user.clone(),
    };
    store_set_details(&mut tx, &rec).await?;
    let v = details_view(&rec);
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "payment_details.set",
        "partner",
        partner_id,
        before
            .map(|b| serde_json::to_string(&b).unwrap_or_default())
            .as_deref(),
        Some(&serde_json::to_string(&v).unwrap_or_default()),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(v)
}

#[tracing::instrument(name = "payouts::payment_details", skip_all, fields(user = %ctx.actor.user))]
pub async fn payment_details(
    ctx: &Context,
    partner_id: &str,
) -> Result<Option<PaymentDetailsView>> {
    ctx.authorize(&crate::access::READ).await?;
    Ok(ctx
        .store
        .read()
        .await?
        .payment_details()
        .await?
        .get(partner_id)
        .map(details_view))
}

/// Sets (or with None removes) the minimum payout of a currency.
#[tracing::instrument(name = "payouts::set_threshold", skip_all, fields(user = %ctx.actor.user))]
pub async fn set_threshold(ctx: &Context, currency: &str, amount: Option<&str>) -> Result<()> {
    ctx.authorize(&crate::access::PAYOUT_SETTINGS).await?;
    let c = CurrencyCode::parse("currency", currency.trim())?;
    let a = amount
        .map(|a| parse_non_negative("amount", a.trim()))
        .transpose()?;
    let now = ctx.now();
    let mut tx = ctx.store.begin().await?;
    store_set_threshold(&mut tx, c.as_str(), a).await?;
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "payout.threshold.set",
        "currency",
        c.as_str(),
        None,
        a.map(money).as_deref(),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

#[tracing::instrument(name = "payouts::thresholds", skip_all, fields(user = %ctx.actor.user))]
pub async fn thresholds(ctx: &Context) -> Result<Vec<(String, String)>> {
    ctx.authorize(&crate::access::READ).await?;
    Ok(ctx
        .store
        .read()
        .await?
        .payout_thresholds()
        .await?
        .into_iter()
        .map(|(c, a)| (c, money(a)))
        .collect())
}

/// A partner's own threshold and compliance hold (None clears each).
#[tracing::instrument(name = "payouts::set_partner_payout", skip_all, fields(user = %ctx.actor.user))]
pub async fn set_partner_payout(
    ctx: &Context,
    partner_id: &str,
    threshold: Option<&str>,
    hold_reason: Option<&str>,
) -> Result<()> {
    ctx.authorize(&crate::access::PAYOUT_HOLD).await?;
    let t = threshold
        .map(|a| parse_non_negative("threshold", a.trim()))
        .transpose()?;
    let hold = hold_reason.map(str::trim).filter(|h| !h.is_empty());
    let now = ctx.now();
    let mut tx = ctx.store.begin().await?;
    require_partner(&mut tx, partner_id).await?;
    set_partner_settings(&mut tx, partner_id, t, hold, &now, &ctx.actor.user).await?;
    let after = serde_json::json!({"threshold": t.map(money), "hold_reason": hold}).to_string();
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "payout.partner.set",
        "partner",
        partner_id,
        None,
        Some(&after),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// A partner's own minimum payout and compliance hold (None: not set).
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct PartnerPayoutView {
    pub partner_id: String,
    pub threshold: Option<String>,
    pub hold_reason: Option<String>,
}

#[tracing::instrument(name = "payouts::partner_payout", skip_all, fields(user = %ctx.actor.user))]
pub async fn partner_payout(ctx: &Context, partner_id: &str) -> Result<PartnerPayoutView> {
    ctx.authorize(&crate::access::READ).await?;
    let mut tx = ctx.store.read().await?;
    require_partner(&mut tx, partner_id).await?;
    let p = tx.payees().await?.remove(partner_id);
    Ok(PartnerPayoutView {
        partner_id: partner_id.into(),
        threshold: p.as_ref().and_then(|p| p.threshold).map(money),
        hold_reason: p.and_then(|p| p.hold_reason),
    })
}

const OPERATOR_NAME: &str = "operator.name";
const OPERATOR_IBAN: &str = "operator.iban";
const OPERATOR_BIC: &str = "operator.bic";

/// The operator's own bank account, debited by the SEPA file.
#[tracing::instrument(name = "payouts::set_operator_account", skip_all, fields(user = %ctx.actor.user))]
pub async fn set_operator_account(
    ctx: &Context,
    name: &str,
    iban: &str,
    bic: Option<&str>,
) -> Result<OperatorAccount> {
    ctx.authorize(&crate::access::PAYOUT_SETTINGS).await?;
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid(
            "name",
            "must not be empty: the operator's name as the bank knows it",
        ));
    }
    let iban = Iban::parse("iban", iban)?;
    let bic = bic
        .filter(|b| !b.trim().is_empty())
        .map(|b| Bic::parse("bic", b))
        .transpose()?;
    let now = ctx.now();
    let mut tx = ctx.store.begin().await?;
    partnerdesk_store::meta_set(&mut tx, OPERATOR_NAME, name).await?;
    partnerdesk_store::meta_set(&mut tx, OPERATOR_IBAN, iban.as_str()).await?;
    partnerdesk_store::meta_set(
        &mut tx,
        OPERATOR_BIC,
        bic.as_ref().map(|b| b.as_str()).unwrap_or(""),
    )
    .await?;
    let v = OperatorAccount {
        name: name.into(),
        iban: iban.as_str().into(),
        bic: bic.map(|b| b.as_str().to_string()),
    };
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "payout.operator_account.set",
        "operator",
        "account",
        None,
        Some(&serde_json::to_string(&v).unwrap_or_default()),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(v)
}

#[tracing::instrument(name = "payouts::operator_account", skip_all, fields(user = %ctx.actor.user))]
pub async fn operator_account(ctx: &Context) -> Result<Option<OperatorAccount>> {
    ctx.authorize(&crate::access::READ).await?;
    stored_operator_account(&mut ctx.store.read().await?).await
}

async fn stored_operator_account(tx: &mut Tx<'_>) -> Result<Option<OperatorAccount>> {
    match (
        tx.meta_get(OPERATOR_NAME).await?,
        tx.meta_get(OPERATOR_IBAN).await?,
    ) {
        (Some(name), Some(iban)) => Ok(Some(OperatorAccount {
            name,
            iban,
            bic: tx.meta_get(OPERATOR_BIC).await?.filter(|b| !b.is_empty()),
        })),
        _ => Ok(None),
    }
}

/// Creates a draft run for a pay date (or a closed period: its last day).
/// Payable balances are claimed by the run; the database refuses a claim on
/// an entry another run holds, so concurrent runs never pay twice.
#[tracing::instrument(name = "payouts::create_run", skip_all, fields(user = %ctx.actor.user))]
pub async fn create_run(
    ctx: &Context,
    pay_date: Option<&str>,
    period: Option<Period>,
) -> Result<PayoutRunDetail> {
    ctx.authorize(&crate::access::PAYOUT_CREATE).await?;
    let date = match (pay_date, period) {
        (Some(d), _) => chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|_| {
            AppError::invalid("pay_date", format!("'{d}' is not a date (YYYY-MM-DD)"))
        })?,
        (None, Some(p)) => p.last_day(),
        (None, None) => {
            return Err(AppError::invalid(
                "pay_date",
                "give a pay date or a closed period",
            ))
        }
    };
    let mut tx = ctx.store.begin().await?;
    if let Some(p) = period {
        let closed = tx
            .periods()
            .await?
            .iter()
            .any(|r| r.period == p.to_string() && r.state == "closed");
        if !closed {
            return Err(AppError::Refused(format!(
                "period {p} is not closed: close it first (`partnerdesk commissions close --period {p}`) so its commissions are on the ledger"
            )));
        }
    }
    let date_text = date.format("%Y-%m-%d").to_string();
    let candidates = tx.payout_candidates(&date_text).await?;
    let thresholds: BTreeMap<CurrencyCode, Decimal> = tx
        .payout_thresholds()
        .await?
        .into_iter()
        .filter_map(|(c, a)| CurrencyCode::parse("currency", &c).ok().map(|c| (c, a)))
        .collect();
    let mut items = Vec::new();
    let mut held = Vec::new();
    for cand in candidates {
        let cur = CurrencyCode::parse("currency", &cand.currency)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let status = PartnerStatus::parse("status", &cand.status)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let available: Decimal = cand.entries.iter().map(|e| e.1).sum();
        let c = Candidate {
            currency: cur,
            available,
            status,
            has_payment_details: cand.details.is_some(),
            compliance_hold: cand.hold_reason.clone(),
            threshold_override: cand.threshold,
        };
        match decide(&c, &thresholds) {
            Decision::Pay(amount) => {
                let d = cand
                    .details
                    .ok_or_else(|| StoreError::Corrupt("payable without details".into()))?;
                items.push((
                    ItemRecord {
                        run_id: 0,
                        partner_id: cand.partner_id,
                        name: cand.name,
                        currency: cand.currency,
                        amount,
                        method: d.method,
                        holder: d.holder,
                        account: d.account,
                        bic: d.bic,
                        state: "pending".into(),
                        reference: None,
                        failure_reason: None,
                        payout_entry: None,
                    },
                    cand.entries.into_iter().map(|e| e.0).collect::<Vec<i64>>(),
                ));
            }
            Decision::Hold(reason) => held.push(HeldRecord {
                partner_id: cand.partner_id,
                name: cand.name,
                currency: cand.currency,
                amount: available,
                reason: reason.to_string(),
            }),
            Decision::CarryOver { .. } => {}
        }
    }
    if items.is_empty() {
        let held_note = if held.is_empty() {
            String::new()
        } else {
            format!(
                "; held back: {}",
                held.iter()
                    .map(|h| format!("{} ({})", h.partner_id, h.reason))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        return Err(AppError::Refused(format!(
            "nothing to pay on {date_text}: no payable balance reaches its threshold (balances below it carry over to a later run){held_note}"
        )));
    }
    let now = ctx.now();
    let period_text = period.map(|p| p.to_string()).unwrap_or_default();
    let run_id = insert_run(
        &mut tx,
        &NewRun {
            pay_date: &date_text,
            period: &period_text,
            items: &items,
            held: &held,
        },
        &now,
        &ctx.actor.user,
    )
    .await?;
    let total: Decimal = items.iter().map(|i| i.0.amount).sum();
    let summary = serde_json::json!({"pay_date": date_text, "payments": items.len(), "held": held.len(), "total_all_currencies": money(total)}).to_string();
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "payout.run.create",
        "payout_run",
        &run_id.to_string(),
        None,
        Some(&summary),
    )
    .await?;
    // The view of what was just written, without reading tens of thousands of rows back.
    let run = RunRecord {
        run_id,
        pay_date: date_text,
        period: period_text,
        state: RunState::Draft.as_str().to_string(),
        created_at: now,
        created_by: ctx.actor.user.clone(),
        submitted_at: None,
        submitted_by: None,
        approved_at: None,
        approved_by: None,
        exported_at: None,
        exported_by: None,
        settled_at: None,
    };
    let mut items: Vec<ItemRecord> = items.into_iter().map(|(i, _)| i).collect();
    for i in &mut items {
        i.run_id = run_id;
    }
    // As the store reads them back: by currency, then partner.
    items.sort_by(|a, b| (&a.currency, &a.partner_id).cmp(&(&b.currency, &b.partner_id)));
    let view = detail_view(&mut tx, &run, &items, &held).await?;
    tx.commit().await?;
    Ok(view)
}

fn actions(state: RunState) -> Vec<String> {
    let mut out: Vec<String> = [
        (RunAction::Submit, "submit"),
        (RunAction::Approve, "approve"),
        (RunAction::Reject, "reject"),
        (RunAction::Export, "export"),
        (RunAction::Cancel, "cancel"),
    ]
    .into_iter()
    .filter(|(a, _)| transition(state, *a).is_ok())
    .map(|(_, n)| n.to_string())
    .collect();
    if state == RunState::Exported {
        out.push("settle".into());
    }
    out
}

async fn run_view(
    tx: &mut Tx<'_>,
    r: &RunRecord,
    items: &[ItemSum],
    held: usize,
) -> Result<PayoutRunView> {
    let approval_id = if r.state == RunState::Submitted.as_str() {
        tx.pending_approval(RequestKind::PayoutRun.name(), &r.run_id.to_string())
            .await?
    } else {
        None
    };
    let mut totals: BTreeMap<String, (Decimal, u32, Decimal, Decimal)> = BTreeMap::new();
    for i in items {
        let t = totals.entry(i.currency.clone()).or_default();
        t.0 += i.amount;
        t.1 += i.count;
        match i.state.as_str() {
            "paid" => t.2 += i.amount,
            "failed" => t.3 += i.amount,
            _ => {}
        }
    }
    let state = RunState::parse(&r.state)
        .ok_or_else(|| StoreError::Corrupt(format!("run state '{}'", r.state)))?;
    Ok(PayoutRunView {
        run_id: r.run_id,
        pay_date: r.pay_date.clone(),
        period: r.period.clone(),
        state: r.state.clone(),
        created_at: r.created_at.clone(),
        created_by: r.created_by.clone(),
        submitted_by: r.submitted_by.clone(),
        approved_by: r.approved_by.clone(),
        exported_at: r.exported_at.clone(),
        approval_id,
        totals: totals
            .into_iter()
            .map(|(currency, (a, n, p, f))| RunTotal {
                currency,
                amount: money(a),
                payments: n,
                paid: money(p),
                failed: money(f),
            })
            .collect(),
        held_count: u32::try_from(held).unwrap_or(u32::MAX),
        actions: actions(state),
    })
}

#[tracing::instrument(name = "payouts::list_runs", skip_all, fields(user = %ctx.actor.user))]
pub async fn list_runs(ctx: &Context) -> Result<Vec<PayoutRunView>> {
    ctx.authorize(&crate::access::READ).await?;
    let mut tx = ctx.store.read().await?;
    let runs = tx.payout_runs().await?;
    let mut sums = tx.payout_run_sums().await?;
    let mut out = Vec::with_capacity(runs.len());
    for r in &runs {
        let s = sums.remove(&r.run_id).unwrap_or_default();
        out.push(run_view(&mut tx, r, &s.items, s.held).await?);
    }
    Ok(out)
}

#[tracing::instrument(name = "payouts::run_detail", skip_all, fields(user = %ctx.actor.user))]
pub async fn run_detail(ctx: &Context, run_id: i64) -> Result<PayoutRunDetail> {
    ctx.authorize(&crate::access::READ).await?;
    let mut tx = ctx.store.read().await?;
    let r = tx.payout_run(run_id).await?;
    let items = tx.payout_items(run_id).await?;
    let held = tx.payout_held(run_id).await?;
    detail_view(&mut tx, &r, &items, &held).await
}

async fn detail_view(
    tx: &mut Tx<'_>,
    r: &RunRecord,
    items: &[ItemRecord],
    held: &[HeldRecord],
) -> Result<PayoutRunDetail> {
    let sums: Vec<ItemSum> = items
        .iter()
        .map(|i| ItemSum {
            currency: i.currency.clone(),
            state: i.state.clone(),
            amount: i.amount,
            count: 1,
        })
        .collect();
    Ok(PayoutRunDetail {
        run: run_view(tx, r, &sums, held.len()).await?,
        items: items
            .iter()
            .map(|i| PayoutItemView {
                partner_id: i.partner_id.clone(),
                name: i.name.clone(),
                currency: i.currency.clone(),
                amount: money(i.amount),
                method: i.method.clone(),
                holder: i.holder.clone(),
                account: i.account.clone(),
                bic: i.bic.clone(),
                state: i.state.clone(),
                reference: i.reference.clone(),
                failure_reason: i.failure_reason.clone(),
            })
            .collect(),
        held: held
            .iter()
            .map(|h| HeldView {
                partner_id: h.partner_id.clone(),
                name: h.name.clone(),
                currency: h.currency.clone(),
                amount: money(h.amount),
                reason: h.reason.clone(),
            })
            .collect(),
    })
}

async fn current_state(tx: &mut Tx<'_>, run_id: i64) -> Result<(RunRecord, RunState)> {
    let r = tx.payout_run(run_id).await?;
    let s = RunState::parse(&r.state)
        .ok_or_else(|| StoreError::Corrupt(format!("run state '{}'", r.state)))?;
    Ok((r, s))
}

fn refused(e: partnerdesk_domain::payout::IllegalTransition, run_id: i64) -> AppError {
    AppError::Refused(format!("payout run {run_id}: {e}"))
}

/// What the approvals queue shows for a run: its payments and totals per
/// currency, and the largest total as the amount for the two-approver threshold.
fn approval_request<'a>(
    object_id: &'a str,
    r: &RunRecord,
    items: &[ItemRecord],
) -> crate::approvals::Request<'a> {
    let run_id = r.run_id;
    let mut totals: BTreeMap<&str, (Decimal, u32)> = BTreeMap::new();
    for i in items {
        let t = totals.entry(i.currency.as_str()).or_default();
        t.0 += i.amount;
        t.1 += 1;
    }
    let largest = totals
        .iter()
        .max_by(|a, b| a.1 .0.cmp(&b.1 .0))
        .map(|(c, (a, _))| (*a, c.to_string()));
    let parts: Vec<String> = totals
        .iter()
        .map(|(c, (a, n))| {
            format!(
                "{} {c} to {n} partner{}",
                money(*a),
                if *n == 1 { "" } else { "s" }
            )
        })
        .collect();
    let what = if r.period.is_empty() {
        format!("pay date {}", r.pay_date)
    } else {
        format!("period {}, pay date {}", r.period, r.pay_date)
    };
    crate::approvals::Request {
        change: Change::PayoutRun(PayoutRunDecision { run_id }),
        object_type: "payout_run",
        object_id,
        summary: format!(
            "payout run {run_id} ({what}): {}",
            if parts.is_empty() {
                "no payments".to_string()
            } else {
                parts.join(", ")
            }
        ),
        amount: largest,
    }
}

/// draft → submitted (the run waits in the approvals queue), submitted → draft
/// or cancelled by its makers; approval and rejection go through the queue.
async fn step(ctx: &Context, run_id: i64, action: RunAction) -> Result<PayoutRunDetail> {
    let mut tx = ctx.store.begin().await?;
    let (r, from) = current_state(&mut tx, run_id).await?;
    let to = transition(from, action).map_err(|e| refused(e, run_id))?;
    let stamp = match action {
        RunAction::Submit => Some("submitted"),
        _ => None,
    };
    let now = ctx.now();
    set_run_state(
        &mut tx,
        run_id,
        from.as_str(),
        to.as_str(),
        stamp,
        &now,
        &ctx.actor.user,
    )
    .await?;
    if to == RunState::Cancelled {
        release_claims(&mut tx, run_id).await?;
    }
    if action == RunAction::Submit {
        let items = tx.payout_items(run_id).await?;
        let object_id = run_id.to_string();
        crate::approvals::queue(ctx, &mut tx, approval_request(&object_id, &r, &items)).await?;
    }
    if from == RunState::Submitted && to == RunState::Cancelled {
        crate::approvals::withdraw(
            ctx,
            &mut tx,
            RequestKind::PayoutRun,
            &run_id.to_string(),
            "the payout run was cancelled",
        )
        .await?;
    }
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        &format!("payout.run.{}", action.verb().replace(' ', "_")),
        "payout_run",
        &run_id.to_string(),
        Some(from.as_str()),
        Some(to.as_str()),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    run_detail(ctx, run_id).await
}

/// Submits a draft run: it waits in the approvals queue for a finance user
/// other than the submitter (two above the approvals threshold).
#[tracing::instrument(name = "payouts::submit", skip_all, fields(user = %ctx.actor.user))]
pub async fn submit(ctx: &Context, run_id: i64) -> Result<PayoutRunDetail> {
    ctx.authorize(&crate::access::PAYOUT_CREATE).await?;
    step(ctx, run_id, RunAction::Submit).await
}

/// Approves (`approve`) or sends back a submitted run through its request in
/// the approvals queue, with a reason; the queue's rules say who may (not
/// the submitter, who made the request).
async fn decide_run(
    ctx: &Context,
    run_id: i64,
    approve: bool,
    reason: &str,
) -> Result<PayoutRunDetail> {
    // Read to refuse early with the run's own words; the decision checks
    // again in its own transaction.
    let mut tx = ctx.store.read().await?;
    let (_, from) = current_state(&mut tx, run_id).await?;
    let action = if approve {
        RunAction::Approve
    } else {
        RunAction::Reject
    };
    transition(from, action).map_err(|e| refused(e, run_id))?;
    let approval = tx.pending_approval(RequestKind::PayoutRun.name(), &run_id.to_string())
        .await?
        .ok_or_else(|| {
            AppError::Refused(format!(
                "payout run {run_id} has no request in the approvals queue; send it back to draft and submit it again"
            ))
        })?;
    drop(tx);
    crate::approvals::decide(ctx, approval, approve, reason).await?;
    run_detail(ctx, run_id).await
}

/// Approval by a finance user other than the one who submitted, with a reason.
/// Above the approvals threshold the run needs two approvers: the first
/// approval leaves it submitted.
#[tracing::instrument(name = "payouts::approve", skip_all, fields(user = %ctx.actor.user))]
pub async fn approve(ctx: &Context, run_id: i64, reason: &str) -> Result<PayoutRunDetail> {
    ctx.authorize(&crate::access::PAYOUT_APPROVE).await?;
    decide_run(ctx, run_id, true, reason).await
}

/// Sends a submitted run back to draft, with a reason.
#[tracing::instrument(name = "payouts::reject", skip_all, fields(user = %ctx.actor.user))]
pub async fn reject(ctx: &Context, run_id: i64, reason: &str) -> Result<PayoutRunDetail> {
    ctx.authorize(&crate::access::PAYOUT_APPROVE).await?;
    decide_run(ctx, run_id, false, reason).await
}

/// The approvals queue's final decision on a submitted run: approved, it may
/// be exported; rejected, it is a draft again.
impl Apply for PayoutRunDecision {
    async fn apply(&self, ctx: &Context, tx: &mut Tx<'_>, on: &Applied<'_>) -> Result<()> {
        settle_run_decision(ctx, tx, self.run_id, true, on).await
    }

    async fn on_reject(&self, ctx: &Context, tx: &mut Tx<'_>, on: &Applied<'_>) -> Result<()> {
        settle_run_decision(ctx, tx, self.run_id, false, on).await
    }
}

async fn settle_run_decision(
    ctx: &Context,
    tx: &mut Tx<'_>,
    run_id: i64,
    approve: bool,
    on: &Applied<'_>,
) -> Result<()> {
    let (_, from) = current_state(tx, run_id).await?;
    let action = if approve {
        RunAction::Approve
    } else {
        RunAction::Reject
    };
    let to = transition(from, action).map_err(|e| refused(e, run_id))?;
    let now = ctx.now();
    set_run_state(
        tx,
        run_id,
        from.as_str(),
        to.as_str(),
        approve.then_some("approved"),
        &now,
        &ctx.actor.user,
    )
    .await?;
    // The decision names the request it came from (and its maker).
    let after = serde_json::json!({"state": to.as_str(), "approval": applied_note(Some(on))});
    partnerdesk_store::audit(
        tx,
        &now,
        &ctx.actor.user,
        &format!("payout.run.{}", action.verb().replace(' ', "_")),
        "payout_run",
        &run_id.to_string(),
        Some(from.as_str()),
        Some(&after.to_string()),
    )
    .await?;
    Ok(())
}

/// Cancels a draft or submitted run (a submitted run's request is withdrawn);
/// its balances are free for another run.
#[tracing::instrument(name = "payouts::cancel", skip_all, fields(user = %ctx.actor.user))]
pub async fn cancel(ctx: &Context, run_id: i64) -> Result<PayoutRunDetail> {
    ctx.authorize(&crate::access::PAYOUT_CREATE).await?;
    step(ctx, run_id, RunAction::Cancel).await
}

/// Exports an approved run: posts each payment to the ledger (the money has
/// left) and returns the payment files. Refused without an operator account
/// when the run holds EUR bank transfers.
#[tracing::instrument(name = "payouts::export", skip_all, fields(user = %ctx.actor.user))]
pub async fn export(ctx: &Context, run_id: i64) -> Result<PaymentFiles> {
    ctx.authorize(&crate::access::PAYOUT_EXPORT).await?;
    let mut tx = ctx.store.begin().await?;
    let (r, from) = current_state(&mut tx, run_id).await?;
    let to = transition(from, RunAction::Export).map_err(|e| refused(e, run_id))?;
    let items = tx.payout_items(run_id).await?;
    // Build the files first: a missing operator account refuses before anything changes.
    let files = files(ctx, &mut tx, &r, &items).await?;
    let now = ctx.now();
    set_run_state(
        &mut tx,
        run_id,
        from.as_str(),
        to.as_str(),
        Some("exported"),
        &now,
        &ctx.actor.user,
    )
    .await?;
    post_run_payouts(
        &mut tx,
        run_id,
        &r.pay_date,
        &r.period,
        &format!("payout run {run_id}"),
        &now,
        &ctx.actor.user,
    )
    .await?;
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "payout.run.export",
        "payout_run",
        &run_id.to_string(),
        Some(from.as_str()),
        Some(to.as_str()),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(files)
}

/// The files of an exported (or settled) run again, e.g. to save them once more.
#[tracing::instrument(name = "payouts::payment_files", skip_all, fields(user = %ctx.actor.user))]
pub async fn payment_files(ctx: &Context, run_id: i64) -> Result<PaymentFiles> {
    ctx.authorize(&crate::access::PAYOUT_EXPORT).await?;
    let mut tx = ctx.store.read().await?;
    let (r, s) = current_state(&mut tx, run_id).await?;
    if !matches!(s, RunState::Exported | RunState::Paid | RunState::Failed) {
        return Err(AppError::Refused(format!(
            "payout run {run_id} is {s}: payment files exist once it is approved and exported"
        )));
    }
    let items = tx.payout_items(run_id).await?;
    files(ctx, &mut tx, &r, &items).await
}

async fn files(
    ctx: &Context,
    tx: &mut Tx<'_>,
    r: &RunRecord,
    items: &[ItemRecord],
) -> Result<PaymentFiles> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let csv_err = |e: csv::Error| AppError::Io {
        context: "writing the payment file".into(),
        source: std::io::Error::other(e),
    };
    w.write_record([
        "run_id",
        "pay_date",
        "partner_id",
        "partner_name",
        "currency",
        "amount",
        "method",
        "holder",
        "account",
        "bic",
        "reference",
    ])
    .map_err(csv_err)?;
    for i in items {
        w.write_record([
            r.run_id.to_string().as_str(),
            &r.pay_date,
            &i.partner_id,
            &i.name,
            &i.currency,
            &money(i.amount),
            &i.method,
            &i.holder,
            &i.account,
            i.bic.as_deref().unwrap_or(""),
            &format!("PD-{}-{}", r.run_id, i.partner_id),
        ])
        .map_err(csv_err)?;
    }
    let csv = String::from_utf8(w.into_inner().map_err(|e| csv_err(e.into_error().into()))?)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let sepa: Vec<&ItemRecord> = items
        .iter()
        .filter(|i| i.currency == "EUR" && i.method == "bank_transfer")
        .collect();
    let sepa_xml = if sepa.is_empty() {
        None
    } else {
        let Some(op) = stored_operator_account(tx).await? else {
            return Err(AppError::Refused(
                "the run pays EUR bank transfers but the operator's own bank account is not set: set it first (`partnerdesk payouts operator --name … --iban …`)".into(),
            ));
        };
        let created: String = ctx.now().chars().take(19).collect();
        Some(pain_001_001_03(&CreditTransfer {
            message_id: format!("PD-RUN-{}-{}", r.run_id, created.replace([':', '-'], "")),
            created_at: created,
            execution_date: r.pay_date.clone(),
            debtor: Debtor {
                name: op.name,
                iban: op.iban,
                bic: op.bic,
            },
            transfers: sepa
                .iter()
                .map(|i| Transfer {
                    end_to_end_id: format!("PD-{}-{}", r.run_id, i.partner_id),
                    amount: i.amount,
                    creditor_name: i.holder.clone(),
                    creditor_iban: i.account.clone(),
                    creditor_bic: i.bic.clone(),
                    remittance: format!("Commission payout run {} {}", r.run_id, r.period),
                })
                .collect(),
        }))
    };
    Ok(PaymentFiles {
        csv,
        sepa_xml,
        sepa_payments: u32::try_from(sepa.len()).unwrap_or(u32::MAX),
    })
}

/// Settles payments of an exported run, all or nothing: paid with the
/// payment reference, or failed with a reason (the amount returns to the
/// balance). When every payment is settled the run is paid (or failed).
#[tracing::instrument(name = "payouts::settle", skip_all, fields(user = %ctx.actor.user))]
pub async fn settle(
    ctx: &Context,
    run_id: i64,
    settlements: &[Settlement],
) -> Result<PayoutRunDetail> {
    ctx.authorize(&crate::access::PAYOUT_SETTLE).await?;
    let mut tx = ctx.store.begin().await?;
    let (r, from) = current_state(&mut tx, run_id).await?;
    if from != RunState::Exported {
        let e = transition(from, RunAction::MarkPaid).err();
        return Err(match e {
            Some(e) => refused(e, run_id),
            None => AppError::Refused(format!("payout run {run_id} is {from}")),
        });
    }
    if settlements.is_empty() {
        return Err(AppError::invalid(
            "settlements",
            "name at least one payment to mark paid or failed",
        ));
    }
    let items = tx.payout_items(run_id).await?;
    let now = ctx.now();
    let today: String = now.chars().take(10).collect();
    let sent = crate::mail::Composer::load(&mut tx, partnerdesk_domain::mail::PAYOUT_SENT).await?;
    let mut notices = Vec::new();
    let mut settled: BTreeMap<(String, String), &str> = BTreeMap::new();
    for s in settlements {
        let item = items
            .iter()
            .find(|i| i.partner_id == s.partner_id && i.currency == s.currency)
            .ok_or_else(|| {
                AppError::invalid(
                    "partner_id",
                    format!(
                        "{} in {} is not paid by run {run_id}",
                        s.partner_id, s.currency
                    ),
                )
            })?;
        let note = s.note.trim();
        if note.is_empty() {
            return Err(AppError::invalid(
                "note",
                format!(
                    "{}: give the payment reference (paid) or the reason (failed)",
                    s.partner_id
                ),
            ));
        }
        match s.outcome.as_str() {
            "paid" => {
                settle_item(
                    &mut tx,
                    run_id,
                    &item.partner_id,
                    &item.currency,
                    "paid",
                    Some(note),
                    None,
                    &now,
                    &ctx.actor.user,
                )
                .await?;
                // "Payout sent" to the partner, with this payment's figures.
                if sent.automatic() {
                    if let Some(p) = tx.partner(&item.partner_id).await? {
                        let mut values = partnerdesk_domain::mail::Values::new();
                        values.insert("amount".into(), format!("{:.2}", item.amount));
                        values.insert("currency".into(), item.currency.clone());
                        values.insert("payment_reference".into(), note.to_string());
                        values.insert("run_id".into(), run_id.to_string());
                        notices.extend(sent.message(&p, values, None)?);
                    }
                }
            }
            "failed" => {
                settle_item(
                    &mut tx,
                    run_id,
                    &item.partner_id,
                    &item.currency,
                    "failed",
                    None,
                    Some(note),
                    &now,
                    &ctx.actor.user,
                )
                .await?;
                let e = NewEntry {
                    partner_id: item.partner_id.clone(),
                    currency: item.currency.clone(),
                    kind: EntryKind::PayoutFailed.as_str().into(),
                    amount: item.amount,
                    effective_date: today.clone(),
                    period: r.period.clone(),
                    source: format!(
                        "payout_failed:{run_id}:{}:{}",
                        item.partner_id, item.currency
                    ),
                    reverses: None,
                    run_id: Some(run_id),
                    reason: note.to_string(),
                    ..Default::default()
                };
                post_entry(&mut tx, &e, &now, &ctx.actor.user).await?;
            }
            other => {
                return Err(AppError::invalid(
                    "outcome",
                    format!("'{other}' is not an outcome; allowed: paid, failed"),
                ))
            }
        }
        settled.insert(
            (item.partner_id.clone(), item.currency.clone()),
            if s.outcome == "paid" {
                "paid"
            } else {
                "failed"
            },
        );
    }
    let after: Vec<&str> = items
        .iter()
        .map(|i| {
            settled
                .get(&(i.partner_id.clone(), i.currency.clone()))
                .copied()
                .unwrap_or(i.state.as_str())
        })
        .collect();
    if after.iter().all(|s| *s != "pending") {
        let action = if after.iter().any(|s| *s == "paid") {
            RunAction::MarkPaid
        } else {
            RunAction::MarkFailed
        };
        let to = transition(from, action).map_err(|e| refused(e, run_id))?;
        set_run_state(
            &mut tx,
            run_id,
            from.as_str(),
            to.as_str(),
            Some("settled"),
            &now,
            &ctx.actor.user,
        )
        .await?;
    }
    let detail = serde_json::to_string(settlements).unwrap_or_default();
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "payout.run.settle",
        "payout_run",
        &run_id.to_string(),
        None,
        Some(&detail),
    )
    .await?;
    crate::mail::queue_all(ctx, &mut tx, &notices).await?;
    tx.commit().await.map_err(StoreError::from)?;
    run_detail(ctx, run_id).await
}
