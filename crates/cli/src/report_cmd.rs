//! `partnerdesk report`: the performance report of REPORTS.md as CSV or XLSX.

use clap::Args;
use partnerdesk_app::exports::Format;
use partnerdesk_app::{AppError, Context};
use partnerdesk_domain::report::{split_list, Dim, Measure, ReportSpec};
use partnerdesk_domain::CurrencyCode;
use std::io::Write;
use std::path::PathBuf;

#[derive(Args)]
#[command(
    about = "A performance report (REPORTS.md): measures grouped by dimensions over a range of days",
    after_help = "--from and --to are inclusive UTC days. An activity measure counts the rows of those days; \
a money measure (commission, commission_<kind>, qualified_cpas, paid) counts a period when the \
period's first day lies in the range: --from 2026-07-10 keeps July's activity from the 10th and \
drops July's commission.\n\nDimensions: day, period, brand, vertical, partner, tree, partner_kind, \
country, tracking_code."
)]
pub struct ReportArgs {
    /// First day, YYYY-MM-DD (inclusive, UTC)
    #[arg(long)]
    from: String,
    /// Last day, YYYY-MM-DD (inclusive, UTC)
    #[arg(long)]
    to: String,
    /// Dimensions to group by, comma-separated, in the order of the columns
    #[arg(long, default_value = "")]
    by: String,
    /// Measures, comma-separated, in the order of the columns
    #[arg(long)]
    measures: String,
    /// Only this brand's figures
    #[arg(long)]
    brand: Option<String>,
    /// Only figures that count for this partner
    #[arg(long)]
    partner: Option<String>,
    /// Only figures of this partner and its descendants
    #[arg(long)]
    tree: Option<String>,
    /// Convert every amount to this currency (RULES.md's rate rule)
    #[arg(long)]
    currency: Option<String>,
    /// csv or xlsx
    #[arg(long, default_value = "csv")]
    format: String,
    /// Write to this file instead of standard output
    #[arg(long)]
    out: Option<PathBuf>,
}

pub fn spec(a: &ReportArgs) -> Result<ReportSpec, AppError> {
    let day = |field: &str, raw: &str| partnerdesk_domain::data::parse_date(field, raw);
    let by = if a.by.trim().is_empty() {
        Vec::new()
    } else {
        split_list("--by", &a.by)?
            .into_iter()
            .map(Dim::parse)
            .collect::<Result<Vec<_>, _>>()?
    };
    Ok(ReportSpec {
        from: day("--from", &a.from)?,
        to: day("--to", &a.to)?,
        by,
        measures: split_list("--measures", &a.measures)?
            .into_iter()
            .map(Measure::parse)
            .collect::<Result<Vec<_>, _>>()?,
        brand: a.brand.clone(),
        partner: a.partner.clone(),
        tree: a.tree.clone(),
        currency: a
            .currency
            .as_deref()
            .map(|c| CurrencyCode::parse("--currency", c))
            .transpose()?,
    })
}

pub async fn report(ctx: &Context, a: ReportArgs) -> Result<(), AppError> {
    let format = Format::parse(&a.format)?;
    let spec = spec(&a)?;
    let table = partnerdesk_app::reports::report(ctx, &spec).await?;
    let bytes = table.file_bytes(format)?;
    match a.out {
        Some(path) => std::fs::write(&path, bytes).map_err(|e| AppError::Io {
            context: format!("cannot write {}", path.display()),
            source: e,
        })?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(&bytes)
                .and_then(|_| stdout.flush())
                .map_err(|e| AppError::Io {
                    context: "cannot write to standard output".into(),
                    source: e,
                })?;
        }
    }
    Ok(())
}
