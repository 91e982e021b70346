//! Partnerdesk's desktop shell: a Tauri 2 window hosting the UI in ui/, with
//! thin commands over the `partnerdesk_app` use cases.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod compliance_commands;
mod mail_commands;
mod money_commands;
mod payout_commands;
mod settings;
mod shell;
mod sync_commands;

use tauri::Manager;

// Statement batches, imports and runs allocate many small buffers: mimalloc
// does that with far less CPU than the system allocator (as the CLI).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let result = tauri::Builder::default()
        .setup(|app| {
            app.manage(shell::Shell::start(
                app.handle().clone(),
                std::sync::Arc::new(partnerdesk_secrets::OsKeyring),
            ));
            sync_commands::start_scheduler(app.handle().clone());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::settings_set_database,
            commands::brands_list,
            commands::brands_create,
            commands::partners_search,
            commands::partners_get,
            commands::partners_tree,
            commands::partners_create,
            commands::partners_edit,
            commands::partners_move,
            commands::partners_archive,
            commands::tracking_codes_add,
            money_commands::plans_list,
            money_commands::plans_get,
            money_commands::plans_preview,
            money_commands::plans_save,
            money_commands::assignments_of,
            money_commands::assignments_add,
            money_commands::customers_search,
            money_commands::customers_get,
            money_commands::periods_list,
            money_commands::commissions_run,
            money_commands::commissions_close,
            money_commands::commissions_lines,
            money_commands::commissions_totals,
            money_commands::commissions_line_detail,
            money_commands::commissions_export_file,
            sync_commands::connections_list,
            sync_commands::connections_add,
            sync_commands::connections_edit,
            sync_commands::connections_delete,
            sync_commands::connections_test,
            sync_commands::sync_run,
            sync_commands::sync_cancel,
            sync_commands::sync_runs,
            sync_commands::sync_run_errors,
            sync_commands::sync_pending,
            sync_commands::sync_retry,
            sync_commands::sync_unmapped_countries,
            compliance_commands::session_get,
            compliance_commands::session_sign_in,
            compliance_commands::session_sign_out,
            compliance_commands::users_list,
            compliance_commands::users_save,
            compliance_commands::approvals_list,
            compliance_commands::approvals_decide,
            compliance_commands::approvals_threshold_get,
            compliance_commands::approvals_threshold_set,
            compliance_commands::audit_entries,
            compliance_commands::audit_verify,
            compliance_commands::audit_head,
            compliance_commands::audit_export,
            compliance_commands::partner_timeline,
            compliance_commands::partner_compliance,
            compliance_commands::documents_upload,
            compliance_commands::documents_review,
            compliance_commands::traffic_sources_declare,
            compliance_commands::allowed_countries_set,
            compliance_commands::geo_report,
            compliance_commands::customers_set_status,
            mail_commands::mail_smtp_get,
            mail_commands::mail_smtp_set,
            mail_commands::mail_smtp_test,
            mail_commands::mail_templates_list,
            mail_commands::mail_template_save,
            mail_commands::mail_template_reset,
            mail_commands::mail_template_preview,
            mail_commands::mail_segment_preview,
            mail_commands::mail_announce,
            mail_commands::mail_outbox_list,
            mail_commands::mail_outbox_message,
            mail_commands::mail_outbox_retry,
            mail_commands::mail_outbox_cancel,
            mail_commands::mail_send_due,
            mail_commands::mail_communication_log,
            payout_commands::folders_default,
            payout_commands::ledger_entries,
            payout_commands::ledger_balances,
            payout_commands::ledger_adjust,
            payout_commands::ledger_adjustments,
            payout_commands::payment_details_get,
            payout_commands::payment_details_set,
            payout_commands::partner_payout_get,
            payout_commands::partner_payout_set,
            payout_commands::payout_thresholds,
            payout_commands::payout_threshold_set,
            payout_commands::operator_account_get,
            payout_commands::operator_account_set,
            payout_commands::payout_runs,
            payout_commands::payout_run_get,
            payout_commands::payout_run_create,
            payout_commands::payout_run_submit,
            payout_commands::payout_run_approve,
            payout_commands::payout_run_reject,
            payout_commands::payout_run_cancel,
            payout_commands::payout_run_export,
            payout_commands::payout_run_settle,
            payout_commands::statements_for_run,
            payout_commands::statements_for_period,
            payout_commands::export_lines,
            payout_commands::export_balances,
            payout_commands::export_run,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("Partnerdesk could not start: {e}");
        std::process::exit(1);
    }
}
