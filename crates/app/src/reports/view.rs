//! The desktop's report builder: a report asked for with names (as the UI
//! holds them), its table with a totals row computed the same way (never
//! summed in the UI: ratios and currencies would be wrong), the choices the
//! builder offers, and the report written as a CSV/XLSX file.

use super::dashboard::TableView;
use super::query::{compute, World};
use crate::exports::{ExportFile, Format};
use crate::{AppError, Context, Result};
use partnerdesk_domain::report::{measure_names, split_list, Dim, Measure, ReportSpec, Unit};
use partnerdesk_domain::CurrencyCode;
use serde::{Deserialize, Serialize};
use specta::Type;
use std::path::Path;

/// A report as the desktop asks for it (REPORTS.md's CLI options by name).
#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq)]
pub struct ReportQuery {
    /// First day, YYYY-MM-DD.
    pub from: String,
    /// Last day, YYYY-MM-DD (inclusive).
    pub to: String,
    /// Dimensions in order (`day`, `period`, `brand`, …); empty: one row.
    pub by: Vec<String>,
    pub measures: Vec<String>,
    pub brand: Option<String>,
    pub partner: Option<String>,
    pub tree: Option<String>,
    pub currency: Option<String>,
}

impl ReportQuery {
    /// The spec it names, or the field that is wrong and why.
    pub fn spec(&self) -> Result<ReportSpec> {
        let day = |field: &str, raw: &str| partnerdesk_domain::data::parse_date(field, raw.trim());
        let some = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let joined = self.measures.join(",");
        let measures: Vec<&str> = if self.measures.is_empty() {
            Vec::new()
        } else {
            split_list("measures", &joined)?
        };
        Ok(ReportSpec {
            from: day("from", &self.from)?,
            to: day("to", &self.to)?,
            by: self
                .by
                .iter()
                .map(|d| Dim::parse(d.trim()))
                .collect::<std::result::Result<Vec<_>, _>>()?,
            measures: measures
                .into_iter()
                .map(Measure::parse)
                .collect::<std::result::Result<Vec<_>, _>>()?,
            brand: some(&self.brand),
            partner: some(&self.partner),
            tree: some(&self.tree),
            currency: some(&self.currency)
                .map(|c| CurrencyCode::parse("currency", &c))
                .transpose()?,
        })
    }
}

/// A report's rows and its totals (the same report without dimensions:
/// one row, or one per currency).
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct ReportView {
    pub table: TableView,
    pub totals: TableView,
}

/// A measure the builder offers.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct MeasureChoice {
    pub name: String,
    /// `count`, `amount`, `lots` or `percent`.
    pub unit: String,
    /// A money measure (a period and the partner's currency).
    pub money: bool,
    /// Dimensions it cannot be grouped by.
    pub refused_dims: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct ReportChoices {
    pub dimensions: Vec<String>,
    pub measures: Vec<MeasureChoice>,
}

fn unit(u: Unit) -> String {
    match u {
        Unit::Count => "count",
        Unit::Amount => "amount",
        Unit::Lots => "lots",
        Unit::Percent => "percent",
    }
    .to_string()
}

/// What a report may hold (REPORTS.md's dimensions and measures).
pub fn choices() -> ReportChoices {
    ReportChoices {
        dimensions: Dim::ALL.iter().map(|d| d.as_str().to_string()).collect(),
        measures: measure_names()
            .into_iter()
            .filter_map(|n| Measure::parse(&n).ok())
            .map(|m| MeasureChoice {
                name: m.name(),
                unit: unit(m.unit()),
                money: m.is_money() || m == Measure::CostPerFtd,
                refused_dims: m
                    .refused_dims()
                    .iter()
                    .map(|d| d.as_str().to_string())
                    .collect(),
            })
            .collect(),
    }
}

/// The report and its totals, read in one transaction after the roll-ups
/// are brought up to date.
#[tracing::instrument(name = "reports::view", skip_all, fields(user = %ctx.actor.user))]
pub async fn view(ctx: &Context, q: &ReportQuery) -> Result<ReportView> {
    ctx.authorize(&crate::access::READ).await?;
    let spec = q.spec()?;
    spec.check()?;
    super::refresh(&ctx.store).await?;
    let mut tx = ctx.store.read().await?;
    let world = World::load(&mut tx, true).await?;
    let table = compute(&mut tx, &world, &spec).await?;
    let totals = compute(
        &mut tx,
        &world,
        &ReportSpec {
            by: Vec::new(),
            ..spec
        },
    )
    .await?;
    Ok(ReportView {
        table: table.into(),
        totals: totals.into(),
    })
}

/// The report written to `out` as CSV or XLSX (the bytes `partnerdesk
/// report` prints). Money measures are exported by whoever may export
/// commission lines; the export is audited like every other.
#[tracing::instrument(name = "reports::export", skip_all, fields(user = %ctx.actor.user))]
pub async fn export(
    ctx: &Context,
    q: &ReportQuery,
    format: Format,
    out: &Path,
) -> Result<ExportFile> {
    let spec = q.spec()?;
    let money = spec
        .measures
        .iter()
        .any(|m| m.is_money() || *m == Measure::CostPerFtd);
    ctx.authorize(if money {
        &crate::access::COMMISSIONS_EXPORT
    } else {
        &crate::access::READ
    })
    .await?;
    let table = super::report(ctx, &spec).await?;
    let bytes = table.file_bytes(format)?;
    std::fs::write(out, bytes).map_err(|e| AppError::Io {
        context: format!(
            "cannot write {}; choose a folder you can write to",
            out.display()
        ),
        source: e,
    })?;
    let file = ExportFile {
        path: out.display().to_string(),
        format: format.extension().to_string(),
        rows: u32::try_from(table.rows.len()).unwrap_or(u32::MAX),
    };
    crate::exports::audit_export(ctx, &format!("report {}", describe(&spec)), &file).await?;
    Ok(file)
}

/// `from..to by dims: measures`, for the audit entry and the file name.
pub fn describe(spec: &ReportSpec) -> String {
    let by: Vec<&str> = spec.by.iter().map(|d| d.as_str()).collect();
    let ms: Vec<String> = spec.measures.iter().map(Measure::name).collect();
    format!(
        "{}..{} by {}: {}",
        spec.from,
        spec.to,
        if by.is_empty() {
            "-".to_string()
        } else {
            by.join(",")
        },
        ms.join(",")
    )
}
