//! Tauri commands for the ledger, payout runs, statements and the CSV/XLSX
//! exports (thin, like commands.rs: convert, call one use case, map the error).
//! Statements report `progress` events with task `statements`.

use crate::shell::Shell;
use partnerdesk_app::approvals::ChangeOutcome;
use partnerdesk_app::exports::{self, ExportFile, SavedFiles};
use partnerdesk_app::ledger::{self, AdjustmentView, BalanceView, LedgerEntryView};
use partnerdesk_app::payouts::{
    self, OperatorAccount, PartnerPayoutView, PaymentDetailsView, PayoutRunDetail, PayoutRunView,
    PendingPaymentDetails, Settlement,
};
use partnerdesk_app::statements::{self, StatementBatch};
use partnerdesk_app::wire::ApiError;
use partnerdesk_app::AppError;
use std::path::PathBuf;
use tauri::State;

type Reply<T> = Result<T, ApiError>;

/// A folder typed by the user: required, absolute (`~/` is the home folder).
fn folder(text: &str) -> Result<PathBuf, AppError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(AppError::invalid("folder", "choose a folder to write into"));
    }
    let p = match t.strip_prefix("~/") {
        Some(rest) => dirs::home_dir()
            .ok_or_else(|| {
                AppError::invalid("folder", "no home folder is known: give a full path")
            })?
            .join(rest),
        None => PathBuf::from(t),
    };
    if !p.is_absolute() {
        return Err(AppError::invalid(
            "folder",
            format!("'{t}' is not a full path: start it at / (or ~/ for your home folder)"),
        ));
    }
    Ok(p)
}

/// Where files go unless the user picks another folder: `name` inside Downloads.
#[tauri::command]
#[specta::specta]
pub async fn folders_default(name: String) -> Reply<String> {
    let base = exports::default_folder()?;
    Ok(if name.trim().is_empty() {
        base
    } else {
        base.join(name.trim())
    }
    .display()
    .to_string())
}

// The ledger.

#[tauri::command]
#[specta::specta]
pub async fn ledger_entries(
    shell: State<'_, Shell>,
    partner_id: String,
) -> Reply<Vec<LedgerEntryView>> {
    Ok(ledger::entries(&shell.ctx().await?, &partner_id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn ledger_balances(
    shell: State<'_, Shell>,
    at: Option<String>,
) -> Reply<Vec<BalanceView>> {
    let at = at.filter(|a| !a.trim().is_empty());
    Ok(ledger::balances(&shell.ctx().await?, at.as_deref()).await?)
}

/// A manual adjustment request: it waits in the approvals queue.
#[tauri::command]
#[specta::specta]
pub async fn ledger_adjust(
    shell: State<'_, Shell>,
    partner_id: String,
    amount: String,
    reason: String,
) -> Reply<AdjustmentView> {
    Ok(ledger::request_adjustment(&shell.ctx().await?, &partner_id, &amount, &reason).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn ledger_adjustments(
    shell: State<'_, Shell>,
    state: Option<String>,
) -> Reply<Vec<AdjustmentView>> {
    Ok(ledger::adjustments(&shell.ctx().await?, state.as_deref()).await?)
}

// Payment details, thresholds, the operator's account.

#[tauri::command]
#[specta::specta]
pub async fn payment_details_get(
    shell: State<'_, Shell>,
    partner_id: String,
) -> Reply<Option<PaymentDetailsView>> {
    Ok(payouts::payment_details(&shell.ctx().await?, &partner_id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn payment_details_set(
    shell: State<'_, Shell>,
    partner_id: String,
    method: String,
    holder: String,
    account: String,
    bic: Option<String>,
) -> Reply<ChangeOutcome> {
    let bic = bic.filter(|b| !b.trim().is_empty());
    Ok(payouts::set_payment_details(
        &shell.ctx().await?,
        &partner_id,
        &method,
        &holder,
        &account,
        bic.as_deref(),
    )
    .await?)
}

/// The change of a partner's payment details waiting for approval, if any.
#[tauri::command]
#[specta::specta]
pub async fn payment_details_pending(
    shell: State<'_, Shell>,
    partner_id: String,
) -> Reply<Option<PendingPaymentDetails>> {
    Ok(payouts::pending_payment_details(&shell.ctx().await?, &partner_id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn partner_payout_get(
    shell: State<'_, Shell>,
    partner_id: String,
) -> Reply<PartnerPayoutView> {
    Ok(payouts::partner_payout(&shell.ctx().await?, &partner_id).await?)
}

/// The partner's own minimum payout and compliance hold (empty or None clears each).
#[tauri::command]
#[specta::specta]
pub async fn partner_payout_set(
    shell: State<'_, Shell>,
    partner_id: String,
    threshold: Option<String>,
    hold_reason: Option<String>,
) -> Reply<()> {
    let threshold = threshold.filter(|t| !t.trim().is_empty());
    Ok(payouts::set_partner_payout(
        &shell.ctx().await?,
        &partner_id,
        threshold.as_deref(),
        hold_reason.as_deref(),
    )
    .await?)
}

/// (currency, minimum payout) pairs.
#[tauri::command]
#[specta::specta]
pub async fn payout_thresholds(
    shell: State<'_, Shell>,
) -> Reply<Vec<(partnerdesk_app::wire::CurrencyCode, String)>> {
    Ok(payouts::thresholds(&shell.ctx().await?).await?)
}

/// `amount` None or empty removes the currency's threshold.
#[tauri::command]
#[specta::specta]
pub async fn payout_threshold_set(
    shell: State<'_, Shell>,
    currency: String,
    amount: Option<String>,
) -> Reply<()> {
    let amount = amount.filter(|a| !a.trim().is_empty());
    Ok(payouts::set_threshold(&shell.ctx().await?, &currency, amount.as_deref()).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn operator_account_get(shell: State<'_, Shell>) -> Reply<Option<OperatorAccount>> {
    Ok(payouts::operator_account(&shell.ctx().await?).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn operator_account_set(
    shell: State<'_, Shell>,
    name: String,
    iban: String,
    bic: Option<String>,
) -> Reply<OperatorAccount> {
    Ok(payouts::set_operator_account(&shell.ctx().await?, &name, &iban, bic.as_deref()).await?)
}

// Payout runs.

#[tauri::command]
#[specta::specta]
pub async fn payout_runs(shell: State<'_, Shell>) -> Reply<Vec<PayoutRunView>> {
    Ok(payouts::list_runs(&shell.ctx().await?).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn payout_run_get(shell: State<'_, Shell>, run_id: i64) -> Reply<PayoutRunDetail> {
    Ok(payouts::run_detail(&shell.ctx().await?, run_id).await?)
}

/// A run for a pay date (YYYY-MM-DD) or a closed period (YYYY-MM): one of the two.
#[tauri::command]
#[specta::specta]
pub async fn payout_run_create(
    shell: State<'_, Shell>,
    pay_date: Option<String>,
    period: Option<String>,
) -> Reply<PayoutRunDetail> {
    let pay_date = pay_date.filter(|d| !d.trim().is_empty());
    let p = match period.filter(|p| !p.trim().is_empty()) {
        Some(p) => Some(exports::parse_period(&p)?),
        None => None,
    };
    Ok(payouts::create_run(&shell.ctx().await?, pay_date.as_deref(), p).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn payout_run_submit(shell: State<'_, Shell>, run_id: i64) -> Reply<PayoutRunDetail> {
    Ok(payouts::submit(&shell.ctx().await?, run_id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn payout_run_approve(
    shell: State<'_, Shell>,
    run_id: i64,
    reason: String,
) -> Reply<PayoutRunDetail> {
    Ok(payouts::approve(&shell.ctx().await?, run_id, &reason).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn payout_run_reject(
    shell: State<'_, Shell>,
    run_id: i64,
    reason: String,
) -> Reply<PayoutRunDetail> {
    Ok(payouts::reject(&shell.ctx().await?, run_id, &reason).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn payout_run_cancel(shell: State<'_, Shell>, run_id: i64) -> Reply<PayoutRunDetail> {
    Ok(payouts::cancel(&shell.ctx().await?, run_id).await?)
}

/// Exports an approved run (`again`: writes an exported run's files once
/// more) into `folder`: the CSV payment file and the SEPA XML.
#[tauri::command]
#[specta::specta]
pub async fn payout_run_export(
    shell: State<'_, Shell>,
    run_id: i64,
    folder: String,
    again: bool,
) -> Reply<SavedFiles> {
    let dir = self::folder(&folder)?;
    Ok(exports::payment_files(&shell.ctx().await?, run_id, &dir, !again).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn payout_run_settle(
    shell: State<'_, Shell>,
    run_id: i64,
    settlements: Vec<Settlement>,
) -> Reply<PayoutRunDetail> {
    Ok(payouts::settle(&shell.ctx().await?, run_id, &settlements).await?)
}

// Statements (progress: task `statements`).

#[tauri::command]
#[specta::specta]
pub async fn statements_for_run(
    shell: State<'_, Shell>,
    run_id: i64,
    folder: String,
) -> Reply<StatementBatch> {
    let dir = self::folder(&folder)?;
    Ok(statements::for_run(&shell.ctx().await?, run_id, &dir).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn statements_for_period(
    shell: State<'_, Shell>,
    period: String,
    folder: String,
) -> Reply<StatementBatch> {
    let p = exports::parse_period(&period)?;
    let dir = self::folder(&folder)?;
    Ok(statements::for_period(&shell.ctx().await?, p, None, &dir).await?)
}

// CSV/XLSX exports into Downloads (`format`: csv or xlsx).

/// `name` holds what the user typed (a date) or an id: made a safe file
/// name (see [`exports::default_path`]).
fn export_path(name: &str, format: exports::Format) -> Result<PathBuf, AppError> {
    exports::default_path(name, format.extension())
}

#[tauri::command]
#[specta::specta]
pub async fn export_lines(
    shell: State<'_, Shell>,
    period: String,
    format: String,
) -> Reply<ExportFile> {
    let p = exports::parse_period(&period)?;
    let f = exports::Format::parse(&format)?;
    let out = export_path(&format!("commission-lines-{p}"), f)?;
    Ok(exports::lines(&shell.ctx().await?, p, f, &out).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn export_balances(
    shell: State<'_, Shell>,
    at: Option<String>,
    format: String,
) -> Reply<ExportFile> {
    let at = at.filter(|a| !a.trim().is_empty());
    let f = exports::Format::parse(&format)?;
    let out = export_path(&format!("balances-{}", at.as_deref().unwrap_or("all")), f)?;
    Ok(exports::balances(&shell.ctx().await?, at.as_deref(), f, &out).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn export_run(shell: State<'_, Shell>, run_id: i64, format: String) -> Reply<ExportFile> {
    let f = exports::Format::parse(&format)?;
    let out = export_path(&format!("payout-run-{run_id}"), f)?;
    Ok(exports::run(&shell.ctx().await?, run_id, f, &out).await?)
}
