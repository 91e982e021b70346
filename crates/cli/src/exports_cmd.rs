//! `partnerdesk export lines|balances|run … --format csv|xlsx --out FILE`.

use clap::Subcommand;
use partnerdesk_app::exports::{self, ExportFile, Format};
use partnerdesk_app::{AppError, Context};
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum ExportCmd {
    /// A period's commission lines (the rows of the canonical CSV)
    Lines {
        #[arg(long)]
        period: String,
        /// csv or xlsx
        #[arg(long, default_value = "csv")]
        format: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Every balance per partner and currency, optionally at a date (YYYY-MM-DD)
    Balances {
        #[arg(long)]
        at: Option<String>,
        #[arg(long, default_value = "csv")]
        format: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// A payout run's payments
    Run {
        #[arg(long)]
        run: i64,
        #[arg(long, default_value = "csv")]
        format: String,
        #[arg(long)]
        out: PathBuf,
    },
}

pub async fn export_cmd(ctx: &Context, cmd: ExportCmd) -> Result<(), AppError> {
    let file: ExportFile = match cmd {
        ExportCmd::Lines {
            period,
            format,
            out,
        } => {
            let p = exports::parse_period(&period)?;
            exports::lines(ctx, p, Format::parse(&format)?, &out).await?
        }
        ExportCmd::Balances { at, format, out } => {
            exports::balances(ctx, at.as_deref(), Format::parse(&format)?, &out).await?
        }
        ExportCmd::Run { run, format, out } => {
            exports::run(ctx, run, Format::parse(&format)?, &out).await?
        }
    };
    outln!(
        "wrote {} rows as {} to {}",
        file.rows,
        file.format.to_uppercase(),
        file.path
    );
    Ok(())
}
