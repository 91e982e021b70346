//! Partnerdesk's desktop shell: a Tauri 2 window hosting the UI in ui/, with
//! thin commands over the `partnerdesk_app` use cases.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod compliance_commands;
mod contract;
mod idle;
mod logging;
mod mail_commands;
mod money_commands;
mod payout_commands;
mod postback_commands;
mod report_commands;
mod settings;
mod shell;
mod sync_commands;
mod tracking_commands;

use tauri::Manager;

// Statement batches, imports and runs allocate many small buffers: mimalloc
// does that with far less CPU than the system allocator (as the CLI).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let result = tauri::Builder::default()
        .setup(|app| {
            logging::start(logging::folder(app.handle()).as_deref());
            app.manage(shell::Shell::start(
                app.handle().clone(),
                std::sync::Arc::new(partnerdesk_secrets::OsKeyring),
            ));
            sync_commands::start_scheduler(app.handle().clone());
            Ok(())
        })
        .invoke_handler(contract::builder().invoke_handler())
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("Partnerdesk could not start: {e}");
        std::process::exit(1);
    }
}
