//! Tauri commands for postbacks and fraud flags (issue 29): a partner's
//! postback URLs, its outbox in pages and a test call; a brand's postbacks
//! in (authentication, replay window, the secret, which goes to the OS
//! keyring and is shown once); compliance's fraud flags in pages and their
//! review. Each converts its arguments, calls one app function, and maps
//! the error; roles are checked in the app.

use crate::shell::Shell;
use partnerdesk_app::tracking::fraud::{self, FlagPage, FlagQuery, FraudFlagView};
use partnerdesk_app::tracking::postbacks_desk::{self, PostbackOutboxPage, PostbackTestView};
use partnerdesk_app::tracking::postbacks_in::{self, PostbackSettingsView};
use partnerdesk_app::tracking::postbacks_out::{self, PartnerPostbackView};
use partnerdesk_app::wire::ApiError;
use tauri::State;

type Reply<T> = Result<T, ApiError>;

/// A partner's postback URLs, one per event it set.
#[tauri::command]
#[specta::specta]
pub async fn partner_postbacks_get(
    shell: State<'_, Shell>,
    partner_id: String,
) -> Reply<Vec<PartnerPostbackView>> {
    Ok(postbacks_out::urls(&shell.ctx().await?, &partner_id).await?)
}

/// Sets a partner's URL for an event (`send_amount`: an admin's decision).
#[tauri::command]
#[specta::specta]
pub async fn partner_postback_set(
    shell: State<'_, Shell>,
    partner_id: String,
    event: String,
    url: String,
    send_amount: bool,
) -> Reply<PartnerPostbackView> {
    let ctx = shell.ctx().await?;
    Ok(postbacks_out::set_url(&ctx, &partner_id, &event, &url, send_amount).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn partner_postback_delete(
    shell: State<'_, Shell>,
    partner_id: String,
    event: String,
) -> Reply<()> {
    Ok(postbacks_out::delete_url(&shell.ctx().await?, &partner_id, &event).await?)
}

/// Calls a partner's URL for an event once with sample values.
#[tauri::command]
#[specta::specta]
pub async fn partner_postback_test(
    shell: State<'_, Shell>,
    partner_id: String,
    event: String,
) -> Reply<PostbackTestView> {
    Ok(postbacks_desk::send_test(&shell.ctx().await?, &partner_id, &event).await?)
}

/// A page of a partner's postbacks out, newest first.
#[tauri::command]
#[specta::specta]
pub async fn partner_postbacks_log(
    shell: State<'_, Shell>,
    partner_id: String,
    offset: u32,
    limit: u32,
) -> Reply<PostbackOutboxPage> {
    let ctx = shell.ctx().await?;
    Ok(postbacks_desk::outbox_page(&ctx, &partner_id, offset, limit).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn postback_settings_get(
    shell: State<'_, Shell>,
    brand_id: String,
) -> Reply<PostbackSettingsView> {
    Ok(postbacks_in::settings(&shell.ctx().await?, &brand_id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn postback_settings_set(
    shell: State<'_, Shell>,
    brand_id: String,
    auth: String,
    window_secs: u32,
) -> Reply<PostbackSettingsView> {
    let ctx = shell.ctx().await?;
    Ok(postbacks_in::set_settings(&ctx, &brand_id, &auth, window_secs).await?)
}

/// Makes a brand's new postback secret (kept in the OS keyring) and
/// returns it: the only time it is shown.
#[tauri::command]
#[specta::specta]
pub async fn postback_secret_rotate(shell: State<'_, Shell>, brand_id: String) -> Reply<String> {
    Ok(postbacks_in::rotate_secret(&shell.ctx().await?, &brand_id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn fraud_flags_page(shell: State<'_, Shell>, query: FlagQuery) -> Reply<FlagPage> {
    Ok(fraud::flag_page(&shell.ctx().await?, &query).await?)
}

/// Confirms or dismisses an open flag, with a note (compliance).
#[tauri::command]
#[specta::specta]
pub async fn fraud_flag_review(
    shell: State<'_, Shell>,
    id: i64,
    confirm: bool,
    note: Option<String>,
) -> Reply<FraudFlagView> {
    let ctx = shell.ctx().await?;
    Ok(fraud::review(&ctx, id, confirm, note.as_deref()).await?)
}
