//! Tauri commands for the dashboard and the reports page (thin, like
//! commands.rs): REPORTS.md's report by name, its choices, its file.

use crate::shell::Shell;
use partnerdesk_app::exports::{self, ExportFile};
use partnerdesk_app::reports::dashboard::{self, Dashboard, DashboardQuery};
use partnerdesk_app::reports::view::{self, ReportChoices, ReportQuery, ReportView};
use partnerdesk_app::wire::ApiError;
use tauri::State;

type Reply<T> = Result<T, ApiError>;

#[tauri::command]
#[specta::specta]
pub async fn reports_dashboard(shell: State<'_, Shell>, query: DashboardQuery) -> Reply<Dashboard> {
    Ok(dashboard::dashboard(&shell.ctx().await?, &query).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn reports_choices() -> Reply<ReportChoices> {
    Ok(view::choices())
}

#[tauri::command]
#[specta::specta]
pub async fn reports_view(shell: State<'_, Shell>, query: ReportQuery) -> Reply<ReportView> {
    Ok(view::view(&shell.ctx().await?, &query).await?)
}

/// The report into Downloads as `report-FROM-TO.csv|xlsx`.
#[tauri::command]
#[specta::specta]
pub async fn reports_export(
    shell: State<'_, Shell>,
    query: ReportQuery,
    format: String,
) -> Reply<ExportFile> {
    let f = exports::Format::parse(&format)?;
    let out = exports::default_path(
        &format!("report-{}-{}", query.from, query.to),
        f.extension(),
    )?;
    Ok(view::export(&shell.ctx().await?, &query, f, &out).await?)
}
