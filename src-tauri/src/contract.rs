//! The one list of the desktop's commands, and the typed contract generated
//! from it: tauri-specta registers these commands with Tauri and writes
//! `ui/src/bindings/index.ts` (every command as a typed function, every wire
//! type, the progress event's name) when this package's tests run. A command
//! missing here cannot be called; a misspelt command or argument in the UI is
//! a TypeScript error.

use crate::{
    commands, compliance_commands, mail_commands, money_commands, payout_commands,
    postback_commands, report_commands, shell, sync_commands, tracking_commands,
};
use partnerdesk_app::wire::{ApiError, ProgressEvent};
use tauri_specta::{collect_commands, Builder, ErrorHandlingMode};

/// Every command, with how the bindings are written.
pub fn builder() -> Builder<tauri::Wry> {
    Builder::<tauri::Wry>::new()
        .commands(collect_commands![
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
            payout_commands::payment_details_pending,
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
            report_commands::reports_dashboard,
            report_commands::reports_choices,
            report_commands::reports_view,
            report_commands::reports_export,
            tracking_commands::tracking_settings_get,
            tracking_commands::tracking_settings_set,
            tracking_commands::tracking_landing_get,
            tracking_commands::tracking_landing_set,
            tracking_commands::links_of_partner,
            tracking_commands::links_create,
            tracking_commands::links_set_landing,
            tracking_commands::links_delete,
            postback_commands::partner_postbacks_get,
            postback_commands::partner_postback_set,
            postback_commands::partner_postback_delete,
            postback_commands::partner_postback_test,
            postback_commands::partner_postbacks_log,
            postback_commands::postback_settings_get,
            postback_commands::postback_settings_set,
            postback_commands::postback_secret_rotate,
            postback_commands::fraud_flags_page,
            postback_commands::fraud_flag_review,
        ])
        // Not in any command's signature: the error every command rejects
        // with, and the payload of the progress event.
        .typ::<ApiError>()
        .typ::<ProgressEvent>()
        // Vocabularies the forms offer whose inputs are still typed text
        // (parsed by the core, which names the field): the UI's option lists
        // are checked against them.
        .typ::<partnerdesk_app::wire::Vertical>()
        .typ::<partnerdesk_app::wire::TrackingKind>()
        .constant("PROGRESS_EVENT", shell::PROGRESS_EVENT)
        // A command rejects (the promise throws an ApiError), as `invoke` does:
        // api.ts catches in one place.
        .error_handling(ErrorHandlingMode::Throw)
        // Ids, counts and sequence numbers are i64 in Rust and far below 2^53:
        // numbers, as before. Money is never a number (decimal strings).
        .dangerously_cast_bigints_to_number()
        // One shape per type, as serde writes it: an `Option` field is always
        // present (null when empty), both ways.
        .disable_serde_phases()
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    /// Writes the bindings where the UI imports them (like any generated file,
    /// committed; `cargo xtask test` fails when the committed copy is stale).
    /// The file is only rewritten when its text changes, so Vite does not
    /// reload for nothing.
    #[test]
    fn typescript_bindings_are_written() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let fresh = dir.path().join("index.ts");
        super::builder()
            .export(
                specta_typescript::Typescript::default().header(
                    "// Generated from the Rust commands and wire types by tauri-specta\n\
                     // (src-tauri/src/contract.rs; `cargo test` writes it). Do not edit.",
                ),
                &fresh,
            )
            .expect("the bindings export");
        let text = std::fs::read_to_string(&fresh).expect("the exported bindings");
        assert!(
            text.contains("appInfo") && text.contains("export type ApiError"),
            "the bindings should hold the commands and the error type"
        );
        let target = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("ui/src/bindings/index.ts");
        if std::fs::read_to_string(&target).ok().as_deref() != Some(text.as_str()) {
            std::fs::create_dir_all(target.parent().expect("a parent folder"))
                .expect("ui/src/bindings");
            std::fs::write(&target, &text).expect("ui/src/bindings/index.ts is writable");
        }
    }
}
