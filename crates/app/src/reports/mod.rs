//! Performance reporting (REPORTS.md): the roll-ups kept as data arrives
//! ([`rollup`]), the report computed from them and the commission lines
//! ([`query`]), and its CSV and XLSX files.

mod acc;
mod clicks;
mod codes;
pub mod dashboard;
mod query;
pub mod rollup;
pub(crate) mod slices;
mod sums;
pub mod view;

use crate::{AppError, Context, Result};
use partnerdesk_domain::report::format::csv_field;
use partnerdesk_domain::report::{ReportSpec, Unit};

pub use query::UNATTRIBUTED;
pub use rollup::{mark_stale, refresh};

/// A column of a report: a dimension or `currency` (no unit) or a measure.
#[derive(Debug, Clone, PartialEq)]
pub struct Col {
    pub name: String,
    pub unit: Option<Unit>,
}

/// A computed report: its columns and rows as they print.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportTable {
    pub columns: Vec<Col>,
    pub rows: Vec<Vec<String>>,
}

impl ReportTable {
    /// The CSV of REPORTS.md: header, rows, LF after every line.
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        let header: Vec<String> = self.columns.iter().map(|c| csv_field(&c.name)).collect();
        out.push_str(&header.join(","));
        out.push('\n');
        for r in &self.rows {
            let fields: Vec<String> = r.iter().map(|f| csv_field(f)).collect();
            out.push_str(&fields.join(","));
            out.push('\n');
        }
        out
    }

    /// An XLSX workbook of one sheet: dimensions as text, counts as
    /// numbers, amounts and lots as numbers formatted `0.00` (parsed from
    /// their printed text, see docs/decisions.md §8), percentages `0.0`.
    pub fn to_xlsx(&self) -> Result<Vec<u8>> {
        use rust_xlsxwriter::{Format, Workbook};
        let io = |e: rust_xlsxwriter::XlsxError| AppError::Io {
            context: "cannot make the XLSX workbook".to_string(),
            source: std::io::Error::other(e),
        };
        let mut book = Workbook::new();
        let bold = Format::new().set_bold();
        let cents = Format::new().set_num_format("0.00");
        let tenths = Format::new().set_num_format("0.0");
        let ws = book.add_worksheet();
        ws.set_name("Report").map_err(io)?;
        for (c, col) in self.columns.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, &col.name, &bold)
                .map_err(io)?;
        }
        for (i, r) in self.rows.iter().enumerate() {
            let row = u32::try_from(i + 1).map_err(|_| {
                AppError::Refused("more rows than a spreadsheet holds: export CSV".into())
            })?;
            for (c, (text, col)) in r.iter().zip(&self.columns).enumerate() {
                let c = c as u16;
                let number = crate::exports::spreadsheet_number(text);
                match (col.unit, number) {
                    (_, _) if text.is_empty() => {}
                    (None, _) | (_, None) => {
                        ws.write_string(row, c, text).map_err(io)?;
                    }
                    (Some(Unit::Count), Some(n)) => {
                        ws.write_number(row, c, n).map_err(io)?;
                    }
                    (Some(Unit::Percent), Some(n)) => {
                        ws.write_number_with_format(row, c, n, &tenths)
                            .map_err(io)?;
                    }
                    (Some(_), Some(n)) => {
                        ws.write_number_with_format(row, c, n, &cents).map_err(io)?;
                    }
                }
            }
        }
        ws.autofit();
        book.save_to_buffer().map_err(io)
    }

    /// The file's bytes in `format` (`csv` or `xlsx`).
    pub fn file_bytes(&self, format: crate::exports::Format) -> Result<Vec<u8>> {
        match format {
            crate::exports::Format::Csv => Ok(self.to_csv().into_bytes()),
            crate::exports::Format::Xlsx => self.to_xlsx(),
        }
    }
}

/// A report as REPORTS.md defines it. Brings stale roll-ups up to date
/// first (data changed since they were built), then reads everything it
/// shows in one read transaction.
#[tracing::instrument(name = "reports::report", skip_all, fields(user = %ctx.actor.user))]
pub async fn report(ctx: &Context, spec: &ReportSpec) -> Result<ReportTable> {
    ctx.authorize(&crate::access::READ).await?;
    spec.check()?;
    refresh(&ctx.store).await?;
    let mut tx = ctx.store.read().await?;
    let world = query::World::load(&mut tx, query::World::needs_partners(spec)).await?;
    query::compute(&mut tx, &world, spec).await
}
