//! Tauri commands for deals, customers and commissions (thin, like commands.rs).

use crate::shell::Shell;
use partnerdesk_app::wire::*;
use partnerdesk_app::{commission_views, customers, plans};
use tauri::State;

type Reply<T> = Result<T, ApiError>;

#[tauri::command]
#[specta::specta]
pub async fn plans_list(shell: State<'_, Shell>) -> Reply<Vec<PlanView>> {
    Ok(plans::list(&shell.ctx().await?).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn plans_get(shell: State<'_, Shell>, plan_id: String) -> Reply<PlanDetail> {
    Ok(plans::get(&shell.ctx().await?, &plan_id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn plans_preview(json: String) -> Reply<PlanPreview> {
    Ok(plans::preview(&json))
}

#[tauri::command]
#[specta::specta]
pub async fn plans_save(shell: State<'_, Shell>, json: String) -> Reply<PlanView> {
    Ok(plans::save(&shell.ctx().await?, &json).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn assignments_of(
    shell: State<'_, Shell>,
    partner_id: String,
) -> Reply<Vec<AssignmentView>> {
    Ok(plans::assignments_of(&shell.ctx().await?, &partner_id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn assignments_add(
    shell: State<'_, Shell>,
    input: AssignmentView,
) -> Reply<plans::AssignOutcome> {
    Ok(plans::assign(&shell.ctx().await?, input).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn customers_search(
    shell: State<'_, Shell>,
    query: CustomerQuery,
) -> Reply<CustomerPage> {
    Ok(customers::search(&shell.ctx().await?, &query).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn customers_get(shell: State<'_, Shell>, customer_id: String) -> Reply<CustomerDetail> {
    Ok(customers::get(&shell.ctx().await?, &customer_id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn periods_list(shell: State<'_, Shell>) -> Reply<Vec<PeriodView>> {
    Ok(commission_views::periods(&shell.ctx().await?).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn commissions_run(shell: State<'_, Shell>, period: String) -> Reply<RunOutcome> {
    Ok(commission_views::run(&shell.ctx().await?, &period).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn commissions_close(
    shell: State<'_, Shell>,
    period: String,
) -> Reply<partnerdesk_app::approvals::ChangeOutcome> {
    Ok(commission_views::close(&shell.ctx().await?, &period).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn commissions_lines(shell: State<'_, Shell>, query: LineQuery) -> Reply<LinePage> {
    Ok(commission_views::lines(&shell.ctx().await?, &query).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn commissions_totals(shell: State<'_, Shell>, period: String) -> Reply<Vec<TotalRow>> {
    Ok(commission_views::totals(&shell.ctx().await?, &period).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn commissions_line_detail(
    shell: State<'_, Shell>,
    period: String,
    partner_id: String,
    brand_id: String,
    kind: String,
) -> Reply<LineDetail> {
    Ok(
        commission_views::detail(&shell.ctx().await?, &period, &partner_id, &brand_id, &kind)
            .await?,
    )
}

#[tauri::command]
#[specta::specta]
pub async fn commissions_export_file(shell: State<'_, Shell>, period: String) -> Reply<String> {
    Ok(commission_views::export_file(&shell.ctx().await?, &period, None).await?)
}
