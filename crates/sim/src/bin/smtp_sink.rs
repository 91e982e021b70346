//! `partnerdesk-smtp-sink`: an SMTP server on loopback that keeps what it is
//! sent (for tests and demos; never a real mail server).

use clap::Parser;
use partnerdesk_sim::smtp::{start_sink, SinkConfig};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "partnerdesk-smtp-sink",
    about = "An SMTP sink on 127.0.0.1 that stores each message as an .eml file"
)]
struct Args {
    /// Port on 127.0.0.1 (0: any free port; the address is printed).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Folder for the received messages (NNNN.eml).
    #[arg(long)]
    store: PathBuf,
    /// Write the PEM of the CA that issued the sink's certificate here (trust it in Settings → E-mail).
    #[arg(long)]
    ca_out: Option<PathBuf>,
    /// The login accepted (none: no login needed).
    #[arg(long)]
    user: Option<String>,
    #[arg(long)]
    password: Option<String>,
    /// Offer STARTTLS.
    #[arg(long)]
    starttls: bool,
    /// TLS from the first byte (SMTPS).
    #[arg(long)]
    implicit_tls: bool,
    /// Refuse every login (535).
    #[arg(long)]
    refuse_login: bool,
    /// Refuse this recipient for good (550); repeatable.
    #[arg(long)]
    reject_rcpt: Vec<String>,
    /// Refuse this recipient for now (451); repeatable.
    #[arg(long)]
    defer_rcpt: Vec<String>,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let a = Args::parse();
    let config = SinkConfig {
        user: a.user,
        password: a.password,
        starttls: a.starttls,
        implicit_tls: a.implicit_tls,
        refuse_login: a.refuse_login,
        reject_rcpt: a.reject_rcpt,
        defer_rcpt: a.defer_rcpt,
        store: Some(a.store),
    };
    let sink = match start_sink(config, a.port).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("partnerdesk-smtp-sink: cannot start: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    if let Some(path) = a.ca_out {
        if let Err(e) = std::fs::write(&path, &sink.ca_pem) {
            eprintln!(
                "partnerdesk-smtp-sink: cannot write {}: {e}",
                path.display()
            );
            return std::process::ExitCode::FAILURE;
        }
    }
    println!("listening on {}", sink.addr);
    let _ = tokio::signal::ctrl_c().await;
    std::process::ExitCode::SUCCESS
}
