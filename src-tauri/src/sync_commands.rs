//! Tauri commands for Settings → Connections (thin, like commands.rs), and
//! the scheduler that runs connections whose schedule is due.

use crate::shell::Shell;
use partnerdesk_app::sync::{
    self, ConnectionInput, ConnectionView, PendingView, RetryOutcome, RunOptions, SyncErrorView,
    SyncRunView, UnmappedCountryView,
};
use partnerdesk_app::wire::ApiError;
use tauri::{AppHandle, Manager, State};

type Reply<T> = Result<T, ApiError>;

#[tauri::command]
#[specta::specta]
pub async fn connections_list(shell: State<'_, Shell>) -> Reply<Vec<ConnectionView>> {
    Ok(sync::list(&shell.ctx().await?).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn connections_add(
    shell: State<'_, Shell>,
    input: ConnectionInput,
) -> Reply<ConnectionView> {
    Ok(sync::add(&shell.ctx().await?, input).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn connections_edit(
    shell: State<'_, Shell>,
    input: ConnectionInput,
) -> Reply<ConnectionView> {
    Ok(sync::edit(&shell.ctx().await?, input).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn connections_delete(shell: State<'_, Shell>, name: String) -> Reply<()> {
    Ok(sync::delete(&shell.ctx().await?, &name).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn connections_test(shell: State<'_, Shell>, name: String) -> Reply<String> {
    Ok(sync::test(&shell.ctx().await?, &name).await?)
}

/// Runs a sync; progress arrives as `progress` events with task `sync`.
#[tauri::command]
#[specta::specta]
pub async fn sync_run(shell: State<'_, Shell>, name: String) -> Reply<SyncRunView> {
    Ok(sync::run(&shell.ctx().await?, &name, RunOptions::default()).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn sync_cancel(shell: State<'_, Shell>, name: String) -> Reply<bool> {
    Ok(sync::cancel(&shell.ctx().await?, &name).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn sync_runs(
    shell: State<'_, Shell>,
    name: String,
    limit: i64,
) -> Reply<Vec<SyncRunView>> {
    Ok(sync::runs(&shell.ctx().await?, &name, limit).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn sync_run_errors(
    shell: State<'_, Shell>,
    run_id: i64,
    limit: i64,
) -> Reply<Vec<SyncErrorView>> {
    Ok(sync::run_errors(&shell.ctx().await?, run_id, limit).await?)
}

/// The records of a connection waiting in the retry list.
#[tauri::command]
#[specta::specta]
pub async fn sync_pending(
    shell: State<'_, Shell>,
    name: String,
    limit: i64,
) -> Reply<Vec<PendingView>> {
    Ok(sync::pending(&shell.ctx().await?, &name, limit).await?)
}

/// Tries a connection's waiting records again now.
#[tauri::command]
#[specta::specta]
pub async fn sync_retry(shell: State<'_, Shell>, name: String) -> Reply<RetryOutcome> {
    Ok(sync::retry(&shell.ctx().await?, &name).await?)
}

/// The country texts of a connection that named no country.
#[tauri::command]
#[specta::specta]
pub async fn sync_unmapped_countries(
    shell: State<'_, Shell>,
    name: String,
) -> Reply<Vec<UnmappedCountryView>> {
    Ok(sync::unmapped_countries(&shell.ctx().await?, &name).await?)
}

/// Every minute: runs the connections whose schedule is due (one at a time).
pub fn start_scheduler(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
            let shell = app.state::<Shell>();
            let Ok(ctx) = shell.background_ctx().await else {
                continue;
            };
            let Ok(names) = sync::due(&ctx).await else {
                continue;
            };
            for name in names {
                // The outcome is in the run history; a failure also goes to the log.
                if let Err(e) = sync::run(&ctx, &name, RunOptions::default()).await {
                    tracing::warn!(connection = %name, "the scheduled sync failed: {e}");
                }
            }
        }
    });
}
