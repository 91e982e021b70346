//! `partnerdesk`: Partnerdesk's use cases from the command line.

// First: its macros (`outln!` and kin) are used by every module below.
#[macro_use]
mod output;
mod bench;
mod compliance_cmd;
mod exports_cmd;
mod fraud_cmd;
mod logging;
mod mail_cmd;
mod open;
mod partners_cmd;
mod payouts_cmd;
mod report_cmd;
mod serve_cmd;
mod sync_cmd;

use clap::{Parser, Subcommand};
use open::context;
use partnerdesk_app::{commissions, import, AppError};
use partnerdesk_domain::Period;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

// The bulk paths (statements, import, sync, runs) allocate and free many small
// buffers; mimalloc does that with far less CPU than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "partnerdesk",
    version,
    about = "Partnerdesk: partners, deals, commissions — from the command line"
)]
struct Cli {
    /// Database URL: sqlite:PATH or postgres://user@host:port/db (default: the desktop app's embedded database)
    #[arg(long, global = true, env = "PARTNERDESK_DATABASE_URL")]
    db: Option<String>,
    /// Keep secrets in this file (mode 0600) instead of the OS keyring: for a headless server
    #[arg(long, global = true, env = "PARTNERDESK_SECRETS_FILE")]
    secrets_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create (or upgrade) the database and say where it is
    Init,
    /// Brands
    #[command(subcommand)]
    Brands(partners_cmd::BrandsCmd),
    /// Partners: list, show, add, edit, move, archive, tree, codes
    #[command(subcommand)]
    Partners(partners_cmd::PartnersCmd),
    /// Fill an empty database with demo data (three brands, a few hundred partners)
    Demo,
    /// Import a folder in the format of RULES.md (one transaction; bad rows are reported as file:line)
    Import { dir: PathBuf },
    /// Commission runs, exports and closing
    #[command(subcommand)]
    Commissions(CommissionsCmd),
    /// Write a generated import folder at a named scale (S, M or L)
    Gen {
        #[arg(long, default_value = "S")]
        scale: String,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[arg(long, default_value_t = 1)]
        months: u32,
        /// Instead of the whole world: only the activity, trades and
        /// purchases of this one day (YYYY-MM-DD) for the same scale and seed,
        /// as a folder to import after the generated one
        #[arg(long)]
        day: Option<String>,
    },
    /// A performance report of REPORTS.md (CSV or XLSX)
    Report(report_cmd::ReportArgs),
    /// Benchmarks that print a table
    #[command(subcommand)]
    Bench(bench::BenchCmd),
    /// Users and roles (sign in with PARTNERDESK_USER and PARTNERDESK_PASSWORD once users exist)
    #[command(subcommand)]
    Users(compliance_cmd::UsersCmd),
    /// The four-eyes approvals queue
    #[command(subcommand)]
    Approvals(compliance_cmd::ApprovalsCmd),
    /// The tamper-evident audit log: verify, head, export
    #[command(subcommand)]
    Audit(compliance_cmd::AuditCmd),
    /// Partner KYC documents and their review
    #[command(subcommand)]
    Kyc(compliance_cmd::KycCmd),
    /// Geo and traffic rules: allowed countries, report, traffic sources, customer exclusion
    #[command(subcommand)]
    Geo(compliance_cmd::GeoCmd),
    /// The partner ledger: balances, entries, manual adjustments and reversals (four eyes), check
    #[command(subcommand)]
    Ledger(payouts_cmd::LedgerCmd),
    /// Payout runs: payment details, thresholds, holds, create → submit → approve → export → settle
    #[command(subcommand)]
    Payouts(payouts_cmd::PayoutsCmd),
    /// PDF statements per period or payout run, into a folder
    #[command(subcommand)]
    Statements(payouts_cmd::StatementsCmd),
    /// CSV or XLSX exports: a period's lines, balances at a date, a payout run's payments
    #[command(subcommand)]
    Export(exports_cmd::ExportCmd),
    /// Connections to platforms (MT5, gaming feeds, WooCommerce, import folders)
    #[command(subcommand)]
    Connections(sync_cmd::ConnectionsCmd),
    /// Sync a connection now, and its run history
    #[command(subcommand)]
    Sync(sync_cmd::SyncCmd),
    /// E-mail to partners: SMTP settings, templates, the outbox, sending, announcements, a partner's log
    #[command(subcommand)]
    Mail(mail_cmd::MailCmd),
    /// The tracking server: redirects tracking links and records clicks (stop with SIGTERM or Ctrl-C)
    Serve(serve_cmd::ServeArgs),
    /// Tracking links: list, add, edit, remove, brand landing templates, settings, click counts
    #[command(subcommand)]
    Links(serve_cmd::LinksCmd),
    /// Fraud flags for review (click floods, registrations without a click, self-referral), link-only partners
    #[command(subcommand)]
    Compliance(fraud_cmd::ComplianceCmd),
}

#[derive(Subcommand)]
enum CommissionsCmd {
    /// Compute every period up to PERIOD that needs it
    Run {
        #[arg(long)]
        period: String,
    },
    /// Print the canonical export of a computed period
    Export {
        #[arg(long)]
        period: String,
        #[arg(long, default_value = "csv")]
        format: String,
        /// Write to this file instead of standard output
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Close a computed period: its lines never change again
    Close {
        #[arg(long)]
        period: String,
    },
}

fn period(raw: &str) -> Result<Period, AppError> {
    Ok(Period::parse("--period", raw)?)
}

async fn run(cli: Cli) -> Result<(), AppError> {
    open::set_secrets_file(cli.secrets_file);
    match cli.command {
        Command::Init => {
            let ctx = context(&cli.db).await?;
            outln!("database ready: {}", ctx.store.location());
        }
        Command::Brands(cmd) => partners_cmd::brands(&context(&cli.db).await?, cmd).await?,
        Command::Partners(cmd) => partners_cmd::partners(&context(&cli.db).await?, cmd).await?,
        Command::Demo => {
            let ctx = context(&cli.db).await?;
            let r = partnerdesk_app::demo::fill(&ctx).await?;
            outln!(
                "demo data added to {}: {} brands, {} partners, {} tracking codes",
                ctx.store.location(),
                r.brands,
                r.partners,
                r.tracking_codes
            );
        }
        Command::Import { dir } => {
            let ctx = context(&cli.db).await?;
            let r = import::import_folder(&ctx, &dir).await?;
            for (file, n) in &r.files {
                outln!("{file}: {n} rows");
            }
            for (plan, v) in &r.new_plan_versions {
                outln!("plan {plan}: version {v}");
            }
            outln!("imported {} rows from {}", r.rows(), dir.display());
        }
        Command::Commissions(CommissionsCmd::Run { period: p }) => {
            let p = period(&p)?;
            let ctx = context(&cli.db).await?;
            let r = commissions::run(&ctx, p).await?;
            if r.up_to_date {
                outln!("up to date: no data changed since the last run through {p}");
            }
            for o in &r.periods {
                let what = if o.closed {
                    "closed (kept)"
                } else if o.changed {
                    "computed"
                } else {
                    "unchanged"
                };
                outln!("{}: {} lines, {what}", o.period, o.lines);
            }
            if r.adjustments > 0 {
                outln!(
                    "{} adjustment lines booked for late data of closed periods",
                    r.adjustments
                );
            }
            if r.pending_adjustments > 0 {
                outln!(
                    "{} adjustments wait for an open period: run a later period to book them",
                    r.pending_adjustments
                );
            }
        }
        Command::Commissions(CommissionsCmd::Export {
            period: p,
            format,
            out,
        }) => {
            if format != "csv" {
                return Err(AppError::invalid(
                    "--format",
                    format!("'{format}' is not supported; use csv"),
                ));
            }
            let ctx = context(&cli.db).await?;
            let csv = commissions::export_csv(&ctx, period(&p)?).await?;
            match out {
                Some(path) => std::fs::write(&path, csv).map_err(|e| AppError::Io {
                    context: format!("cannot write {}", path.display()),
                    source: e,
                })?,
                None => output::stdout_bytes(csv.as_bytes()),
            }
        }
        Command::Commissions(CommissionsCmd::Close { period: p }) => {
            let ctx = context(&cli.db).await?;
            let p = period(&p)?;
            match commissions::close(&ctx, p).await? {
                None => outln!("{p} closed"),
                Some(a) => outln!(
                    "request #{} waits for approval: {}",
                    a.approval_id,
                    a.summary
                ),
            }
        }
        Command::Gen {
            scale,
            out,
            seed,
            months,
            day,
        } => {
            let scale: partnerdesk_gen::Scale =
                scale.parse().map_err(|e: partnerdesk_gen::GenError| {
                    AppError::invalid("--scale", e.to_string())
                })?;
            let opts = partnerdesk_gen::GenOptions {
                scale,
                seed,
                months,
                ..Default::default()
            };
            let show = std::io::stderr().is_terminal();
            let r = match day {
                Some(day) => {
                    let day = partnerdesk_domain::data::parse_date("--day", &day)?;
                    partnerdesk_gen::generate_extra_day(&opts, &out, day)
                }
                None => partnerdesk_gen::generate(&opts, &out, &mut |task, done, total| {
                    if show {
                        err!("\rgen {task}: {done}/{total}\x1b[K");
                    }
                }),
            }
            .map_err(|e| AppError::Refused(e.to_string()))?;
            if show {
                errln!();
            }
            for (file, n) in &r.files {
                outln!("{file}: {n} rows");
            }
            outln!("wrote {} rows to {}", r.total_rows(), out.display());
        }
        Command::Bench(cmd) => bench::run(&cli.db, cmd).await?,
        Command::Report(args) => report_cmd::report(&context(&cli.db).await?, args).await?,
        Command::Users(cmd) => compliance_cmd::users_cmd(&context(&cli.db).await?, cmd).await?,
        Command::Approvals(cmd) => {
            compliance_cmd::approvals_cmd(&context(&cli.db).await?, cmd).await?
        }
        Command::Audit(cmd) => {
            if !compliance_cmd::audit_cmd(&context(&cli.db).await?, cmd).await? {
                return Err(AppError::Refused(
                    "the audit log failed verification".into(),
                ));
            }
        }
        Command::Kyc(cmd) => compliance_cmd::kyc_cmd(&context(&cli.db).await?, cmd).await?,
        Command::Geo(cmd) => compliance_cmd::geo_cmd(&context(&cli.db).await?, cmd).await?,
        Command::Ledger(cmd) => {
            if !payouts_cmd::ledger_cmd(&context(&cli.db).await?, cmd).await? {
                return Err(AppError::Refused(
                    "the ledger check found problems (listed above)".into(),
                ));
            }
        }
        Command::Payouts(cmd) => payouts_cmd::payouts_cmd(&context(&cli.db).await?, cmd).await?,
        Command::Statements(cmd) => {
            payouts_cmd::statements_cmd(&context(&cli.db).await?, cmd).await?
        }
        Command::Export(cmd) => exports_cmd::export_cmd(&context(&cli.db).await?, cmd).await?,
        Command::Connections(cmd) => sync_cmd::connections(&context(&cli.db).await?, cmd).await?,
        Command::Sync(cmd) => sync_cmd::sync_cmd(&context(&cli.db).await?, cmd).await?,
        Command::Mail(cmd) => mail_cmd::mail_cmd(&context(&cli.db).await?, cmd).await?,
        Command::Serve(args) => serve_cmd::serve(&cli.db, args).await?,
        Command::Links(cmd) => serve_cmd::links(&context(&cli.db).await?, cmd).await?,
        Command::Compliance(cmd) => {
            fraud_cmd::compliance_cmd(&context(&cli.db).await?, cmd).await?
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    logging::start();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            errln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
