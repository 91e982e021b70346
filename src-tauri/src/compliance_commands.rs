//! Tauri commands for sign-in, users, approvals, the audit log, KYC and geo
//! rules (thin: convert, call one use case, map the error).

use crate::shell::Shell;
use partnerdesk_app::approvals::{ApprovalView, ChangeOutcome};
use partnerdesk_app::audit::{AuditEntryView, AuditPage, AuditQuery, ChainCheck};
use partnerdesk_app::compliance::{DocumentView, GeoReportRow, PartnerCompliance};
use partnerdesk_app::users::{SessionView, UserInput, UserView};
use partnerdesk_app::wire::ApiError;
use partnerdesk_app::{approvals, audit, compliance, users};
use tauri::State;

type Reply<T> = Result<T, ApiError>;

#[tauri::command]
#[specta::specta]
pub async fn session_get(shell: State<'_, Shell>) -> Reply<SessionView> {
    Ok(users::session(&shell.ctx().await?).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn session_sign_in(
    shell: State<'_, Shell>,
    user: String,
    password: String,
) -> Reply<SessionView> {
    let ctx = shell.sign_in(&user, &password).await?;
    Ok(users::session(&ctx).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn session_sign_out(shell: State<'_, Shell>) -> Reply<()> {
    shell.sign_out().await;
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn users_list(shell: State<'_, Shell>) -> Reply<Vec<UserView>> {
    Ok(users::list(&shell.ctx().await?).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn users_save(shell: State<'_, Shell>, input: UserInput) -> Reply<ChangeOutcome> {
    Ok(users::save(&shell.ctx().await?, input).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn approvals_list(
    shell: State<'_, Shell>,
    status: Option<String>,
) -> Reply<Vec<ApprovalView>> {
    Ok(approvals::list(&shell.ctx().await?, status).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn approvals_decide(
    shell: State<'_, Shell>,
    approval_id: i64,
    approve: bool,
    reason: String,
) -> Reply<ApprovalView> {
    Ok(approvals::decide(&shell.ctx().await?, approval_id, approve, &reason).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn approvals_threshold_get(shell: State<'_, Shell>) -> Reply<String> {
    Ok(approvals::get_threshold(&shell.ctx().await?).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn approvals_threshold_set(shell: State<'_, Shell>, amount: String) -> Reply<String> {
    Ok(approvals::set_threshold(&shell.ctx().await?, &amount).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn audit_entries(shell: State<'_, Shell>, query: AuditQuery) -> Reply<AuditPage> {
    Ok(audit::entries(&shell.ctx().await?, &query).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn audit_verify(shell: State<'_, Shell>, head: Option<String>) -> Reply<ChainCheck> {
    Ok(audit::verify(&shell.ctx().await?, head.as_deref()).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn audit_head(shell: State<'_, Shell>) -> Reply<String> {
    Ok(audit::head(&shell.ctx().await?).await?)
}

/// Writes the filtered log as CSV to the Downloads folder; returns the path.
#[tauri::command]
#[specta::specta]
pub async fn audit_export(shell: State<'_, Shell>, query: AuditQuery) -> Reply<String> {
    let ctx = shell.ctx().await?;
    let folder = dirs::download_dir()
        .or_else(dirs::home_dir)
        .ok_or_else(|| ApiError {
            code: "io".into(),
            message: "no Downloads folder is known on this system".into(),
            field: None,
        })?;
    let stamp = chrono_stamp();
    let path = folder.join(format!("partnerdesk-audit-{stamp}.csv"));
    audit::export_csv(&ctx, &query, &path).await?;
    Ok(path.display().to_string())
}

fn chrono_stamp() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    secs.to_string()
}

#[tauri::command]
#[specta::specta]
pub async fn partner_timeline(
    shell: State<'_, Shell>,
    partner_id: String,
) -> Reply<Vec<AuditEntryView>> {
    Ok(audit::partner_timeline(&shell.ctx().await?, &partner_id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn partner_compliance(
    shell: State<'_, Shell>,
    partner_id: String,
) -> Reply<PartnerCompliance> {
    Ok(compliance::partner_compliance(&shell.ctx().await?, &partner_id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn documents_upload(
    shell: State<'_, Shell>,
    partner_id: String,
    doc_type: String,
    file_name: String,
    content_base64: String,
) -> Reply<DocumentView> {
    Ok(compliance::upload_document_base64(
        &shell.ctx().await?,
        &partner_id,
        &doc_type,
        &file_name,
        &content_base64,
    )
    .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn documents_review(
    shell: State<'_, Shell>,
    document_id: String,
    approve: bool,
    note: String,
) -> Reply<ChangeOutcome> {
    Ok(compliance::review(&shell.ctx().await?, &document_id, approve, &note).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn traffic_sources_declare(
    shell: State<'_, Shell>,
    partner_id: String,
    kind: String,
    value: String,
) -> Reply<ChangeOutcome> {
    Ok(compliance::declare_traffic_source(&shell.ctx().await?, &partner_id, &kind, &value).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn allowed_countries_set(
    shell: State<'_, Shell>,
    partner_id: String,
    countries: Vec<String>,
) -> Reply<Vec<partnerdesk_app::wire::CountryCode>> {
    Ok(compliance::set_partner_countries(&shell.ctx().await?, &partner_id, &countries).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn geo_report(shell: State<'_, Shell>) -> Reply<Vec<GeoReportRow>> {
    Ok(compliance::geo_report(&shell.ctx().await?).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn customers_set_status(
    shell: State<'_, Shell>,
    customer_id: String,
    status: String,
    reason: String,
) -> Reply<()> {
    Ok(
        compliance::set_customer_status_checked(
            &shell.ctx().await?,
            &customer_id,
            &status,
            &reason,
        )
        .await?,
    )
}
