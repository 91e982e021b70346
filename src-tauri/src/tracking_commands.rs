//! Tauri commands for tracking links (issue 29): the operator's settings,
//! brands' landing templates, a partner's links with their clicks. Each
//! converts its arguments, calls one app function, and maps the error.

use crate::shell::Shell;
use partnerdesk_app::tracking::{self, LinkView, PartnerLinkView, TrackingSettings};
use partnerdesk_app::wire::ApiError;
use tauri::State;

type Reply<T> = Result<T, ApiError>;

#[tauri::command]
#[specta::specta]
pub async fn tracking_settings_get(shell: State<'_, Shell>) -> Reply<TrackingSettings> {
    Ok(tracking::settings(&shell.ctx().await?).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn tracking_settings_set(
    shell: State<'_, Shell>,
    input: TrackingSettings,
) -> Reply<TrackingSettings> {
    Ok(tracking::set_settings(&shell.ctx().await?, input).await?)
}

/// A brand's landing template (None until one is set).
#[tauri::command]
#[specta::specta]
pub async fn tracking_landing_get(
    shell: State<'_, Shell>,
    brand_id: String,
) -> Reply<Option<String>> {
    Ok(tracking::landing(&shell.ctx().await?, &brand_id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn tracking_landing_set(
    shell: State<'_, Shell>,
    brand_id: String,
    template: String,
) -> Reply<()> {
    Ok(tracking::set_landing(&shell.ctx().await?, &brand_id, &template).await?)
}

/// A partner's links with their clicks over the UTC days `from..=to`
/// (`YYYY-MM-DD`).
#[tauri::command]
#[specta::specta]
pub async fn links_of_partner(
    shell: State<'_, Shell>,
    partner_id: String,
    from: String,
    to: String,
) -> Reply<Vec<PartnerLinkView>> {
    let ctx = shell.ctx().await?;
    Ok(tracking::partner_links(&ctx, &partner_id, &from, &to).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn links_create(
    shell: State<'_, Shell>,
    brand_id: String,
    code: String,
    landing_url: Option<String>,
) -> Reply<LinkView> {
    let ctx = shell.ctx().await?;
    Ok(tracking::create_link(&ctx, &brand_id, &code, landing_url.as_deref()).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn links_set_landing(
    shell: State<'_, Shell>,
    path: String,
    landing_url: Option<String>,
) -> Reply<LinkView> {
    let ctx = shell.ctx().await?;
    Ok(tracking::set_link_landing(&ctx, &path, landing_url.as_deref()).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn links_delete(shell: State<'_, Shell>, path: String) -> Reply<()> {
    Ok(tracking::delete_link(&shell.ctx().await?, &path).await?)
}
