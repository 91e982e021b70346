//! Exports beside the canonical CSV: a period's commission lines, the
//! balances at a date and a payout run's payments, each as CSV or XLSX; and a
//! run's payment files (CSV + SEPA pain.001) written into a folder.
//!
//! Money in XLSX: a numeric cell whose value is parsed from the Decimal's own
//! text (`"1234.50"` → 1234.5), never computed with floats, formatted `0.00`
//! so a spreadsheet can sum it. A double holds every amount of up to 15
//! significant digits exactly as that text reads back; an amount with more
//! digits is written as exact decimal text instead, so no cent is ever lost.

use crate::ledger::money;
use crate::{AppError, Context, Result};
use partnerdesk_domain::commission::Kind;
use partnerdesk_domain::Period;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format as XlsxFormat, Workbook};
use serde::{Deserialize, Serialize};
use specta::Type;
use std::path::{Path, PathBuf};

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn parse(text: &str) -> Result<Format> {
        match text.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(Format::Csv),
            "xlsx" => Ok(Format::Xlsx),
            other => Err(AppError::invalid(
                "format",
                format!("'{other}' is not an export format; allowed: csv, xlsx"),
            )),
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

/// A file an export wrote.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct ExportFile {
    pub path: String,
    /// `csv` or `xlsx`
    pub format: String,
    /// Data rows (the header not counted).
    pub rows: u32,
}

/// Files written into a folder (a run's payment files).
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct SavedFiles {
    pub folder: String,
    pub files: Vec<String>,
    /// EUR bank transfers in the SEPA file (0: no SEPA file).
    pub sepa_payments: u32,
}

/// A cell of an export row.
enum Cell {
    Text(String),
    Money(Decimal),
    Count(u32),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Money(d) => money(*d),
            Cell::Count(n) => n.to_string(),
        }
    }
}

fn t(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

/// A period as the user typed it (YYYY-MM).
pub fn parse_period(text: &str) -> Result<Period> {
    Ok(Period::parse("period", text.trim())?)
}

/// The user's Downloads folder (else the home folder): where the desktop
/// writes files unless the user picks another folder.
pub fn default_folder() -> Result<PathBuf> {
    dirs::download_dir().or_else(dirs::home_dir).ok_or_else(|| {
        AppError::Refused("no Downloads folder is known on this system: choose a folder".into())
    })
}

/// `default_folder()/NAME.EXT`, with `name` (from ids or what the user
/// typed) made a file name every OS can write by the one sanitiser
/// (`partnerdesk_domain::file_name`).
pub fn default_path(name: &str, extension: &str) -> Result<PathBuf> {
    let stem = partnerdesk_domain::file_name::file_stem(name);
    Ok(default_folder()?.join(format!("{stem}.{extension}")))
}

fn io_error(path: &Path, e: std::io::Error) -> AppError {
    AppError::Io {
        context: format!(
            "cannot write {}; choose a folder you can write to",
            path.display()
        ),
        source: e,
    }
}

/// Creates `folder` when missing and proves a file can be written into it,
/// before anything changes.
pub fn check_writable(folder: &Path) -> Result<()> {
    std::fs::create_dir_all(folder).map_err(|e| io_error(folder, e))?;
    let probe = folder.join(".partnerdesk-write-test");
    std::fs::write(&probe, b"").map_err(|e| io_error(folder, e))?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

/// The numeric value of an amount for a spreadsheet cell, read from its
/// exact text (see [`spreadsheet_number`]).
fn numeric(d: Decimal) -> Option<f64> {
    spreadsheet_number(&money(d))
}

/// The one rule for a spreadsheet's number cells (exports and reports): the
/// value of a plain decimal text (`-1234.50`), read from that text, never
/// computed; None when the text is not one (it is then written as text), or
/// when a double could not hold it exactly, past 15 significant digits.
/// Leading zeros are not significant (`0.05` has one); trailing ones count,
/// which only ever keeps a number as text.
pub(crate) fn spreadsheet_number(text: &str) -> Option<f64> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((_, "")) => return None,
        Some(parts) => parts,
        None => (unsigned, ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) {
        return None;
    }
    let significant = whole
        .bytes()
        .chain(fraction.bytes())
        .skip_while(|b| *b == b'0')
        .count();
    if significant > 15 {
        return None;
    }
    text.parse::<f64>().ok()
}

fn write_table(
    path: &Path,
    format: Format,
    sheet: &str,
    header: &[&str],
    rows: &[Vec<Cell>],
) -> Result<ExportFile> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| io_error(path, e))?;
    }
    match format {
        Format::Csv => {
            let file = std::fs::File::create(path).map_err(|e| io_error(path, e))?;
            let mut w = csv::Writer::from_writer(std::io::BufWriter::new(file));
            let csv_err = |e: csv::Error| io_error(path, std::io::Error::other(e));
            w.write_record(header).map_err(csv_err)?;
            for r in rows {
                w.write_record(r.iter().map(Cell::text)).map_err(csv_err)?;
            }
            w.flush().map_err(|e| io_error(path, e))?;
        }
        Format::Xlsx => {
            let x = |e: rust_xlsxwriter::XlsxError| io_error(path, std::io::Error::other(e));
            let mut book = Workbook::new();
            let bold = XlsxFormat::new().set_bold();
            let cents = XlsxFormat::new().set_num_format("0.00");
            let ws = book.add_worksheet();
            ws.set_name(sheet).map_err(x)?;
            for (c, h) in header.iter().enumerate() {
                ws.write_string_with_format(0, c as u16, *h, &bold)
                    .map_err(x)?;
            }
            for (i, r) in rows.iter().enumerate() {
                let row = u32::try_from(i + 1).map_err(|_| {
                    AppError::Refused("more rows than a spreadsheet holds: export CSV".into())
                })?;
                for (c, cell) in r.iter().enumerate() {
                    let col = c as u16;
                    match cell {
                        Cell::Text(s) => {
                            ws.write_string(row, col, s).map_err(x)?;
                        }
                        Cell::Money(d) => match numeric(*d) {
                            Some(n) => {
                                ws.write_number_with_format(row, col, n, &cents)
                                    .map_err(x)?;
                            }
                            None => {
                                ws.write_string(row, col, money(*d)).map_err(x)?;
                            }
                        },
                        Cell::Count(n) => {
                            ws.write_number(row, col, f64::from(*n)).map_err(x)?;
                        }
                    }
                }
            }
            ws.autofit();
            book.save(path).map_err(x)?;
        }
    }
    Ok(ExportFile {
        path: path.display().to_string(),
        format: format.extension().into(),
        rows: u32::try_from(rows.len()).unwrap_or(u32::MAX),
    })
}

pub(crate) async fn audit_export(ctx: &Context, what: &str, file: &ExportFile) -> Result<()> {
    ctx.store
        .audit_alone(
            &ctx.now(),
            &ctx.actor.user,
            "export.write",
            "export",
            what,
            Some(&serde_json::to_string(file).unwrap_or_default()),
        )
        .await?;
    Ok(())
}

/// A period's commission lines (the rows of the canonical CSV: adjustments
/// and zero amounts left out, sorted by partner, brand, kind) into `out`.
#[tracing::instrument(name = "exports::lines", skip_all, fields(user = %ctx.actor.user))]
pub async fn lines(
    ctx: &Context,
    period: Period,
    format: Format,
    out: &Path,
) -> Result<ExportFile> {
    ctx.authorize(&crate::access::COMMISSIONS_EXPORT).await?;
    let stored = crate::commissions::computed_lines(ctx, period).await?;
    let mut lines: Vec<_> = stored
        .iter()
        .map(|s| &s.line)
        .filter(|l| l.kind != Kind::Adjustment && !l.amount.is_zero())
        .collect();
    lines.sort_by(|a, b| {
        (
            a.partner_id.as_str().as_bytes(),
            a.brand_id.as_str().as_bytes(),
            a.kind.as_str().as_bytes(),
        )
            .cmp(&(
                b.partner_id.as_str().as_bytes(),
                b.brand_id.as_str().as_bytes(),
                b.kind.as_str().as_bytes(),
            ))
    });
    let rows: Vec<Vec<Cell>> = lines
        .iter()
        .map(|l| {
            vec![
                t(l.partner_id.as_str()),
                t(l.brand_id.as_str()),
                t(l.period.to_string()),
                t(l.kind.as_str()),
                Cell::Money(partnerdesk_domain::money::round_cents(l.amount)),
                t(l.currency.as_str()),
            ]
        })
        .collect();
    let file = write_table(
        out,
        format,
        "Lines",
        &[
            "partner_id",
            "brand_id",
            "period",
            "kind",
            "amount",
            "currency",
        ],
        &rows,
    )?;
    audit_export(ctx, &format!("lines {period}"), &file).await?;
    Ok(file)
}

/// Every non-empty balance at a date (None: everything posted) into `out`.
#[tracing::instrument(name = "exports::balances", skip_all, fields(user = %ctx.actor.user))]
pub async fn balances(
    ctx: &Context,
    at: Option<&str>,
    format: Format,
    out: &Path,
) -> Result<ExportFile> {
    ctx.authorize(&crate::access::EXPORTS_WRITE).await?;
    let views = crate::ledger::balances(ctx, at).await?;
    let mut rows = Vec::with_capacity(views.len());
    for b in &views {
        rows.push(vec![
            t(&b.partner_id),
            t(&b.name),
            t(b.currency.as_str()),
            Cell::Money(parse_money(&b.balance)?),
            Cell::Money(parse_money(&b.unclaimed)?),
            Cell::Count(b.entries),
        ]);
    }
    let file = write_table(
        out,
        format,
        "Balances",
        &[
            "partner_id",
            "name",
            "currency",
            "balance",
            "unclaimed",
            "entries",
        ],
        &rows,
    )?;
    audit_export(
        ctx,
        &format!("balances at {}", at.unwrap_or("today")),
        &file,
    )
    .await?;
    Ok(file)
}

fn parse_money(text: &str) -> Result<Decimal> {
    text.parse::<Decimal>()
        .map_err(|e| partnerdesk_store::StoreError::Corrupt(format!("amount '{text}': {e}")).into())
}

/// A payout run's payments (one row per partner and currency) into `out`.
#[tracing::instrument(name = "exports::run", skip_all, fields(user = %ctx.actor.user))]
pub async fn run(ctx: &Context, run_id: i64, format: Format, out: &Path) -> Result<ExportFile> {
    ctx.authorize(&crate::access::EXPORTS_WRITE).await?;
    let d = crate::payouts::run_detail(ctx, run_id).await?;
    let mut rows = Vec::with_capacity(d.items.len());
    for i in &d.items {
        rows.push(vec![
            t(d.run.run_id.to_string()),
            t(&d.run.pay_date),
            t(d.run.state.as_str()),
            t(&i.partner_id),
            t(&i.name),
            t(i.currency.as_str()),
            Cell::Money(parse_money(&i.amount)?),
            t(i.method.as_str()),
            t(&i.holder),
            t(&i.account),
            t(i.bic.clone().unwrap_or_default()),
            t(i.state.as_str()),
            t(i.reference.clone().unwrap_or_default()),
            t(i.failure_reason.clone().unwrap_or_default()),
        ]);
    }
    let file = write_table(
        out,
        format,
        "Payments",
        &[
            "run_id",
            "pay_date",
            "run_state",
            "partner_id",
            "name",
            "currency",
            "amount",
            "method",
            "holder",
            "account",
            "bic",
            "state",
            "reference",
            "failure_reason",
        ],
        &rows,
    )?;
    audit_export(ctx, &format!("payout run {run_id}"), &file).await?;
    Ok(file)
}

/// Exports an approved run (`first`: its payouts are posted) or writes an
/// exported run's files again, into `folder`: `payments-run-N.csv` and, for
/// EUR bank transfers, `sepa-run-N.xml`. The folder is checked before
/// anything changes.
#[tracing::instrument(name = "exports::payment_files", skip_all, fields(user = %ctx.actor.user))]
pub async fn payment_files(
    ctx: &Context,
    run_id: i64,
    folder: &Path,
    first: bool,
) -> Result<SavedFiles> {
    ctx.authorize(&crate::access::PAYOUT_EXPORT).await?;
    check_writable(folder)?;
    let f = if first {
        crate::payouts::export(ctx, run_id).await?
    } else {
        crate::payouts::payment_files(ctx, run_id).await?
    };
    let mut files = Vec::new();
    let mut write = |name: String, body: &str| -> Result<()> {
        let path = folder.join(name);
        std::fs::write(&path, body).map_err(|e| io_error(&path, e))?;
        files.push(path.display().to_string());
        Ok(())
    };
    write(format!("payments-run-{run_id}.csv"), &f.csv)?;
    if let Some(x) = &f.sepa_xml {
        write(format!("sepa-run-{run_id}.xml"), x)?;
    }
    Ok(SavedFiles {
        folder: folder.display().to_string(),
        files,
        sepa_payments: f.sepa_payments,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_paths_stay_in_the_folder_with_safe_names() {
        let Ok(folder) = default_folder() else { return };
        for name in ["balances-../../etc/passwd", "payout-run-CON", "a:b*c?"] {
            let p = default_path(name, "csv").unwrap();
            assert_eq!(
                p.parent(),
                Some(folder.as_path()),
                "{name}: {}",
                p.display()
            );
            let file = p.file_name().unwrap().to_string_lossy();
            assert!(!file.contains(['/', '\\', ':', '*', '?']), "{file}");
        }
    }
    use std::str::FromStr;

    #[test]
    fn amounts_become_numbers_only_when_a_double_holds_them_exactly() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert_eq!(numeric(d("1234.5")), Some(1234.5));
        assert_eq!(numeric(d("-0.10")), Some(-0.1));
        // 15 significant digits: exact as a double.
        let n = numeric(d("1234567890123.45")).unwrap();
        assert_eq!(format!("{n:.2}"), "1234567890123.45");
        // 16 digits: written as exact text instead.
        assert_eq!(numeric(d("12345678901234.56")), None);
    }

    #[test]
    fn a_number_cell_counts_significant_digits_of_a_plain_decimal() {
        assert_eq!(spreadsheet_number("0"), Some(0.0));
        assert_eq!(spreadsheet_number("-12.5"), Some(-12.5));
        // Leading zeros are not significant: 15 digits after them still fit.
        assert_eq!(
            spreadsheet_number("0.000123456789012345"),
            Some(0.000123456789012345)
        );
        assert_eq!(spreadsheet_number("0.0001234567890123456"), None);
        assert_eq!(
            spreadsheet_number("123456789012345"),
            Some(123456789012345.0)
        );
        assert_eq!(spreadsheet_number("1234567890123456"), None);
        // Not a plain decimal: kept as text.
        for text in [
            "", "-", "1.", ".5", "1e5", "inf", "NaN", "12,5", "+1", "1 000", "--1",
        ] {
            assert_eq!(spreadsheet_number(text), None, "{text:?}");
        }
    }

    #[test]
    fn formats() {
        assert_eq!(Format::parse(" XLSX ").unwrap(), Format::Xlsx);
        assert!(Format::parse("pdf").is_err());
    }
}
