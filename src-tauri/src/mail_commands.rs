//! Tauri commands for e-mail to partners (thin: convert, call one use case,
//! map the error). Sending reports `progress` events with task `mail.send`.

use crate::shell::Shell;
use partnerdesk_app::mail::{
    self, AnnouncementInput, AnnouncementOutcome, CommunicationEntry, OutboxMessage, OutboxPage,
    OutboxQuery, OutboxRow, SegmentInput, SegmentPreview, SendOutcome, SmtpSettingsInput,
    SmtpSettingsView, SmtpTestOutcome, TemplateInput, TemplatePreview, TemplatePreviewInput,
    TemplateView,
};
use partnerdesk_app::wire::ApiError;
use tauri::State;

type Reply<T> = Result<T, ApiError>;

#[tauri::command]
#[specta::specta]
pub async fn mail_smtp_get(shell: State<'_, Shell>) -> Reply<SmtpSettingsView> {
    Ok(mail::smtp_get(&shell.ctx().await?).await?)
}

/// `input.password`: null keeps the saved one, "" removes it; it goes to the OS keyring.
#[tauri::command]
#[specta::specta]
pub async fn mail_smtp_set(
    shell: State<'_, Shell>,
    input: SmtpSettingsInput,
) -> Reply<SmtpSettingsView> {
    Ok(mail::smtp_set(&shell.ctx().await?, input).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn mail_smtp_test(
    shell: State<'_, Shell>,
    send_to: Option<String>,
) -> Reply<SmtpTestOutcome> {
    Ok(mail::smtp_test(&shell.ctx().await?, send_to).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn mail_templates_list(shell: State<'_, Shell>) -> Reply<Vec<TemplateView>> {
    Ok(mail::templates_list(&shell.ctx().await?).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn mail_template_save(
    shell: State<'_, Shell>,
    input: TemplateInput,
) -> Reply<TemplateView> {
    Ok(mail::template_save(&shell.ctx().await?, input).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn mail_template_reset(shell: State<'_, Shell>, key: String) -> Reply<TemplateView> {
    Ok(mail::template_reset(&shell.ctx().await?, &key).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn mail_template_preview(
    shell: State<'_, Shell>,
    input: TemplatePreviewInput,
) -> Reply<TemplatePreview> {
    Ok(mail::template_preview(&shell.ctx().await?, input).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn mail_segment_preview(
    shell: State<'_, Shell>,
    segment: SegmentInput,
) -> Reply<SegmentPreview> {
    Ok(mail::segment_preview(&shell.ctx().await?, segment).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn mail_announce(
    shell: State<'_, Shell>,
    input: AnnouncementInput,
) -> Reply<AnnouncementOutcome> {
    Ok(mail::announce(&shell.ctx().await?, input).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn mail_outbox_list(shell: State<'_, Shell>, query: OutboxQuery) -> Reply<OutboxPage> {
    Ok(mail::outbox_list(&shell.ctx().await?, query).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn mail_outbox_message(shell: State<'_, Shell>, id: i64) -> Reply<OutboxMessage> {
    Ok(mail::outbox_message(&shell.ctx().await?, id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn mail_outbox_retry(shell: State<'_, Shell>, id: i64) -> Reply<OutboxRow> {
    Ok(mail::outbox_retry(&shell.ctx().await?, id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn mail_outbox_cancel(shell: State<'_, Shell>, id: i64) -> Reply<OutboxRow> {
    Ok(mail::outbox_cancel(&shell.ctx().await?, id).await?)
}

/// Sends what is due (at most `limit`); progress events with task `mail.send`.
#[tauri::command]
#[specta::specta]
pub async fn mail_send_due(shell: State<'_, Shell>, limit: u32) -> Reply<SendOutcome> {
    // Called every minute by the window: not a use of the session.
    Ok(mail::outbox_send_due(&shell.background_ctx().await?, limit).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn mail_communication_log(
    shell: State<'_, Shell>,
    partner_id: String,
) -> Reply<Vec<CommunicationEntry>> {
    Ok(mail::communication_log(&shell.ctx().await?, &partner_id).await?)
}
