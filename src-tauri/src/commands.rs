//! Tauri commands for the app frame, settings, brands and partners: each
//! converts its arguments, calls one app function, and maps the error.

use crate::shell::Shell;
use partnerdesk_app::wire::*;
use partnerdesk_app::{brands, partners};
use tauri::State;

type Reply<T> = Result<T, ApiError>;

#[tauri::command]
#[specta::specta]
pub async fn app_info(shell: State<'_, Shell>) -> Reply<AppInfo> {
    let database = shell.info().await;
    let (user, count) = match shell.ctx().await {
        Ok(ctx) => (
            ctx.actor.user.clone(),
            match ctx.store.read().await {
                Ok(mut tx) => tx.partner_count().await.unwrap_or(0),
                Err(_) => 0,
            },
        ),
        Err(_) => (partnerdesk_app::Actor::local().user, 0),
    };
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        user,
        database,
        partners: u32::try_from(count).unwrap_or(u32::MAX),
    })
}

#[tauri::command]
#[specta::specta]
pub async fn settings_set_database(shell: State<'_, Shell>, url: String) -> Reply<DatabaseInfo> {
    shell.switch(&url).await
}

#[tauri::command]
#[specta::specta]
pub async fn brands_list(shell: State<'_, Shell>) -> Reply<Vec<BrandView>> {
    Ok(brands::list(&shell.ctx().await?).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn brands_create(shell: State<'_, Shell>, input: BrandView) -> Reply<BrandView> {
    Ok(brands::create(&shell.ctx().await?, input).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn partners_search(shell: State<'_, Shell>, query: PartnerQuery) -> Reply<PartnerPage> {
    Ok(partners::search(&shell.ctx().await?, &query).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn partners_get(shell: State<'_, Shell>, partner_id: String) -> Reply<PartnerDetail> {
    Ok(partners::get(&shell.ctx().await?, &partner_id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn partners_tree(
    shell: State<'_, Shell>,
    partner_id: String,
    max_depth: u32,
) -> Reply<Vec<SubtreeRow>> {
    Ok(partners::tree(&shell.ctx().await?, &partner_id, max_depth).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn partners_create(shell: State<'_, Shell>, input: PartnerInput) -> Reply<PartnerRow> {
    Ok(partners::create(&shell.ctx().await?, input).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn partners_edit(
    shell: State<'_, Shell>,
    partner_id: String,
    input: PartnerInput,
) -> Reply<PartnerRow> {
    Ok(partners::edit(&shell.ctx().await?, &partner_id, input).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn partners_move(
    shell: State<'_, Shell>,
    partner_id: String,
    new_parent_id: Option<String>,
) -> Reply<PartnerRow> {
    Ok(partners::move_partner(&shell.ctx().await?, &partner_id, new_parent_id.as_deref()).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn partners_archive(
    shell: State<'_, Shell>,
    partner_id: String,
    archived: bool,
) -> Reply<PartnerRow> {
    Ok(partners::archive(&shell.ctx().await?, &partner_id, archived).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn tracking_codes_add(
    shell: State<'_, Shell>,
    input: TrackingCodeView,
) -> Reply<TrackingCodeView> {
    Ok(partners::add_tracking_code(&shell.ctx().await?, input).await?)
}
