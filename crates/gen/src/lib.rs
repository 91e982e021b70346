//! Generator of realistic Partnerdesk import folders.
//!
//! [`generate`] writes every file of the import folder defined in RULES.md
//! ("The import folder"): brands, geo blocks, partner trees, plans, plan
//! assignments, tracking codes, customers, iGaming daily activity, forex
//! trades, prop purchases and FX rates, for all three verticals. Output is a
//! pure function of [`GenOptions`]: the same options and seed give
//! byte-identical files.
//!
//! The high-volume files are streamed to disk while they are generated (one
//! thread per file), so memory stays bounded by the customer table (about 40
//! bytes per customer) at every scale.
//!
//! [`generate_extra_day`] writes one more day of activity, trades and
//! purchases for the same world, as a separate import folder, for incremental
//! run benchmarks.

mod catalog;
mod out;
mod stream;
mod world;

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::mpsc;

use chrono::{Datelike, Months, NaiveDate};
use rand::Rng;

use catalog::BRANDS;
use out::{push_date, push_fixed, push_padded, push_time, CsvOut};
use stream::push_customer_id;
use world::{Dims, World, NONE};

pub(crate) const FILE_BRANDS: &str = "brands.csv";
pub(crate) const FILE_GEO_BLOCKS: &str = "brand_geo_blocks.csv";
pub(crate) const FILE_PARTNERS: &str = "partners.csv";
pub(crate) const FILE_PLANS: &str = "plans.json";
pub(crate) const FILE_ASSIGNMENTS: &str = "assignments.csv";
pub(crate) const FILE_CODES: &str = "tracking_codes.csv";
pub(crate) const FILE_CUSTOMERS: &str = "customers.csv";
pub(crate) const FILE_ACTIVITY: &str = "igaming_activity.csv";
pub(crate) const FILE_TRADES: &str = "trades.csv";
pub(crate) const FILE_PURCHASES: &str = "purchases.csv";
pub(crate) const FILE_FX: &str = "fx_rates.csv";

/// The files [`generate`] writes, in RULES.md order (also the order of
/// [`GenReport::files`]).
pub const IMPORT_FILES: [&str; 11] = [
    FILE_BRANDS,
    FILE_GEO_BLOCKS,
    FILE_PARTNERS,
    FILE_PLANS,
    FILE_ASSIGNMENTS,
    FILE_CODES,
    FILE_CUSTOMERS,
    FILE_ACTIVITY,
    FILE_TRADES,
    FILE_PURCHASES,
    FILE_FX,
];

/// Errors of the generator.
#[derive(Debug, thiserror::Error)]
pub enum GenError {
    /// Creating or writing a file or directory failed.
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A scale name other than S, M or L.
    #[error("unknown scale {0:?}: expected S, M or L")]
    UnknownScale(String),
    /// Options that cannot describe a data range.
    #[error("invalid generator options: {0}")]
    InvalidOptions(String),
    /// A writer thread panicked (a bug).
    #[error("generator thread for {0} panicked")]
    WorkerPanicked(&'static str),
}

impl GenError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        GenError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// How much data to generate.
///
/// Named scales are per month of data: `S` = 1 000 partners and 10 000
/// customers a month (about 100 000 activity rows, 50 000 trades and 2 000
/// purchases a month), `M` = 10 000 partners and 200 000 customers a month
/// (about 2 000 000 activity rows), `L` = 50 000 partners and 1 000 000
/// customers a month (about 10 000 000 activity rows, 5 000 000 trades and
/// 200 000 purchases). The partner count does not grow with the months; the
/// customer count does (customers register throughout the range, about a
/// third shortly before it, so later months carry more activity than earlier
/// ones while the total stays months × the monthly figure).
///
/// `Custom` gives totals: `partners` and `customers` over a range of `days`
/// days from `GenOptions::start` (`GenOptions::months` is then ignored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    S,
    M,
    L,
    Custom {
        partners: usize,
        customers: usize,
        days: u32,
    },
}

impl FromStr for Scale {
    type Err = GenError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "S" => Ok(Scale::S),
            "M" => Ok(Scale::M),
            "L" => Ok(Scale::L),
            _ => Err(GenError::UnknownScale(s.to_string())),
        }
    }
}

impl fmt::Display for Scale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scale::S => f.write_str("S"),
            Scale::M => f.write_str("M"),
            Scale::L => f.write_str("L"),
            Scale::Custom {
                partners,
                customers,
                days,
            } => write!(
                f,
                "custom({partners} partners, {customers} customers, {days} days)"
            ),
        }
    }
}

/// Options of a generation run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenOptions {
    pub scale: Scale,
    pub seed: u64,
    /// First day of data (default 2026-07-01).
    pub start: NaiveDate,
    /// Months of data for named scales (default 1); ignored by `Scale::Custom`.
    pub months: u32,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            scale: Scale::S,
            seed: 42,
            start: NaiveDate::from_ymd_opt(2026, 7, 1).unwrap_or_default(),
            months: 1,
        }
    }
}

impl GenOptions {
    /// Options for `scale` and `seed` with the default start and one month.
    pub fn new(scale: Scale, seed: u64) -> Self {
        GenOptions {
            scale,
            seed,
            ..GenOptions::default()
        }
    }

    /// The last day of data (inclusive).
    pub fn last_day(&self) -> Result<NaiveDate, GenError> {
        let end = match self.scale {
            Scale::Custom { days, .. } => {
                if days == 0 {
                    return Err(GenError::InvalidOptions("days must be at least 1".into()));
                }
                self.start
                    .checked_add_days(chrono::Days::new(days as u64 - 1))
            }
            _ => {
                if self.months == 0 || self.months > 600 {
                    return Err(GenError::InvalidOptions(format!(
                        "months must be between 1 and 600, got {}",
                        self.months
                    )));
                }
                self.start
                    .checked_add_months(Months::new(self.months))
                    .and_then(|d| d.pred_opt())
            }
        };
        end.ok_or_else(|| GenError::InvalidOptions("date range out of bounds".into()))
    }

    fn dims(&self) -> Result<Dims, GenError> {
        let last = self.last_day()?;
        let months = self.months as usize;
        let (partners, customers, cust_months) = match self.scale {
            Scale::S => (1_000, 10_000 * months, self.months),
            Scale::M => (10_000, 200_000 * months, self.months),
            Scale::L => (50_000, 1_000_000 * months, self.months),
            Scale::Custom {
                partners,
                customers,
                ..
            } => (partners, customers, 1),
        };
        if partners > 9_000_000 || customers > 2_000_000_000 {
            return Err(GenError::InvalidOptions(
                "too many partners or customers".into(),
            ));
        }
        Ok(Dims {
            partners,
            customers,
            start_day: epoch_day(self.start),
            end_day: epoch_day(last),
            cust_months,
        })
    }
}

/// What a run wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenReport {
    /// File name and number of data rows (plans for plans.json), in RULES.md order.
    pub files: Vec<(String, u64)>,
    /// The folder written.
    pub out_dir: PathBuf,
    /// First day of data.
    pub first_day: NaiveDate,
    /// Last day of data (inclusive).
    pub last_day: NaiveDate,
}

impl GenReport {
    /// Rows written to `file`, if it was written.
    pub fn rows(&self, file: &str) -> Option<u64> {
        self.files.iter().find(|(f, _)| f == file).map(|(_, n)| *n)
    }

    /// Total rows over all files.
    pub fn total_rows(&self) -> u64 {
        self.files.iter().map(|(_, n)| n).sum()
    }
}

fn epoch_day(d: NaiveDate) -> i64 {
    d.num_days_from_ce() as i64 - 719_163
}

fn date_of(day: i64) -> Result<NaiveDate, GenError> {
    i32::try_from(day + 719_163)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .ok_or_else(|| GenError::InvalidOptions("date out of range".into()))
}

fn create_dir(dir: &Path) -> Result<(), GenError> {
    fs::create_dir_all(dir).map_err(|e| GenError::io(dir, e))
}

/// Generates a complete import folder into `out_dir` (created if missing;
/// existing files of the same names are overwritten).
///
/// `progress(file, done, total)` is called from the calling thread as files
/// are written; for the streamed files the units are customers processed,
/// for the others rows.
pub fn generate(
    opts: &GenOptions,
    out_dir: &Path,
    progress: &mut dyn FnMut(&str, u64, u64),
) -> Result<GenReport, GenError> {
    let dims = opts.dims()?;
    create_dir(out_dir)?;
    let world = World::build(opts.seed, dims);

    let mut files: Vec<(String, u64)> = Vec::with_capacity(11);
    let mut done = |files: &mut Vec<(String, u64)>, name: &str, rows: u64| {
        progress(name, rows, rows);
        files.push((name.to_string(), rows));
    };
    done(&mut files, FILE_BRANDS, write_brands(out_dir)?);
    done(&mut files, FILE_GEO_BLOCKS, write_geo_blocks(out_dir)?);
    done(&mut files, FILE_PARTNERS, write_partners(&world, out_dir)?);
    done(&mut files, FILE_PLANS, write_plans(out_dir)?);
    done(
        &mut files,
        FILE_ASSIGNMENTS,
        write_assignments(&world, out_dir)?,
    );
    done(&mut files, FILE_CODES, write_codes(&world, out_dir)?);
    done(
        &mut files,
        FILE_CUSTOMERS,
        write_customers(&world, out_dir)?,
    );

    type Writer = fn(&World, &Path, stream::Progress) -> Result<u64, GenError>;
    let jobs: [(&'static str, Writer); 3] = [
        (FILE_ACTIVITY, stream::write_activity),
        (FILE_TRADES, stream::write_trades),
        (FILE_PURCHASES, stream::write_purchases),
    ];
    let (tx, rx) = mpsc::channel::<(&'static str, u64, u64)>();
    let results: Vec<(&'static str, Result<u64, GenError>)> = std::thread::scope(|s| {
        let world = &world;
        let handles: Vec<_> = jobs
            .iter()
            .map(|&(name, job)| {
                let tx = tx.clone();
                let path = out_dir.join(name);
                let handle = s.spawn(move || {
                    let mut report = |f: &'static str, d: u64, t: u64| {
                        // The receiver lives until every worker is done.
                        let _ = tx.send((f, d, t));
                    };
                    job(world, &path, &mut report)
                });
                (name, handle)
            })
            .collect();
        drop(tx);
        for (f, d, t) in rx {
            progress(f, d, t);
        }
        handles
            .into_iter()
            .map(|(name, h)| {
                let r = h.join().unwrap_or(Err(GenError::WorkerPanicked(name)));
                (name, r)
            })
            .collect()
    });
    for (name, r) in results {
        let rows = r?;
        files.push((name.to_string(), rows));
    }
    let fx = write_fx(&world, out_dir)?;
    progress(FILE_FX, fx, fx);
    files.push((FILE_FX.to_string(), fx));

    Ok(GenReport {
        files,
        out_dir: out_dir.to_path_buf(),
        first_day: opts.start,
        last_day: date_of(dims.end_day)?,
    })
}

/// Writes one more day of iGaming activity (and some trades/purchases) after the generated range, as a separate import folder containing only the activity/trade/purchase files, for incremental-run benchmarks.
///
/// The customers are those of [`generate`] with the same options (ids and
/// brands match); trade and order ids embed the date (`T20260801-0000001`,
/// `O20260801-000001`) so they never collide with the main range. `day` is
/// normally the day after [`GenOptions::last_day`]; purchases refunded that
/// same day carry a `refunded_at`.
pub fn generate_extra_day(
    opts: &GenOptions,
    out_dir: &Path,
    day: NaiveDate,
) -> Result<GenReport, GenError> {
    let dims = opts.dims()?;
    if day < opts.start {
        return Err(GenError::InvalidOptions(format!(
            "extra day {day} is before the first day {}",
            opts.start
        )));
    }
    create_dir(out_dir)?;
    let world = World::build(opts.seed, dims);
    let files = stream::write_extra_day(&world, out_dir, epoch_day(day))?;
    Ok(GenReport {
        files,
        out_dir: out_dir.to_path_buf(),
        first_day: day,
        last_day: day,
    })
}

// ---------------------------------------------------------------------------
// The structure files.

fn write_brands(dir: &Path) -> Result<u64, GenError> {
    let mut out = CsvOut::create(&dir.join(FILE_BRANDS), "brand_id,name,vertical,currency")?;
    let mut line = Vec::new();
    for b in &BRANDS {
        for (k, f) in [b.id, b.name, b.vertical.as_str(), b.currency]
            .iter()
            .enumerate()
        {
            if k > 0 {
                line.push(b',');
            }
            line.extend_from_slice(f.as_bytes());
        }
        out.row(&mut line)?;
    }
    out.finish()
}

fn write_geo_blocks(dir: &Path) -> Result<u64, GenError> {
    let mut out = CsvOut::create(&dir.join(FILE_GEO_BLOCKS), "brand_id,country")?;
    let mut line = Vec::new();
    for b in &BRANDS {
        for c in b.blocked {
            line.extend_from_slice(b.id.as_bytes());
            line.push(b',');
            line.extend_from_slice(c.as_bytes());
            out.row(&mut line)?;
        }
    }
    out.finish()
}

fn push_partner_id(buf: &mut Vec<u8>, idx: u32) {
    buf.push(b'P');
    push_padded(buf, idx as u64 + 1, 6);
}

fn write_partners(world: &World, dir: &Path) -> Result<u64, GenError> {
    let mut out = CsvOut::create(
        &dir.join(FILE_PARTNERS),
        "partner_id,name,kind,parent_id,email,country,currency,status",
    )?;
    let mut line = Vec::with_capacity(160);
    for (i, p) in world.partners.iter().enumerate() {
        let vertical = BRANDS[p.group as usize].vertical;
        let adj = catalog::NAME_ADJ[p.name[0] as usize];
        let noun = catalog::name_nouns(vertical)[p.name[1] as usize];
        let suffix = catalog::name_suffixes(p.kind)[p.name[2] as usize];
        push_partner_id(&mut line, i as u32);
        line.push(b',');
        for (k, w) in [adj, noun, suffix].iter().enumerate() {
            if k > 0 {
                line.push(b' ');
            }
            line.extend_from_slice(w.as_bytes());
        }
        line.push(b',');
        line.extend_from_slice(p.kind.as_str().as_bytes());
        line.push(b',');
        if p.parent != NONE {
            push_partner_id(&mut line, p.parent);
        }
        line.push(b',');
        if p.email {
            line.extend_from_slice(adj.to_ascii_lowercase().as_bytes());
            line.push(b'.');
            line.extend_from_slice(noun.to_ascii_lowercase().as_bytes());
            push_padded(&mut line, i as u64 + 1, 6);
            line.extend_from_slice(b"@example.com");
        }
        line.push(b',');
        line.extend_from_slice(p.country.as_bytes());
        line.push(b',');
        line.extend_from_slice(p.currency.as_bytes());
        line.push(b',');
        line.extend_from_slice(p.status.as_bytes());
        out.row(&mut line)?;
    }
    out.finish()
}

fn write_plans(dir: &Path) -> Result<u64, GenError> {
    let plans = catalog::plans();
    let array = catalog::J::A(plans.into_iter().map(|p| p.json).collect());
    let mut text = String::new();
    catalog::write_json(&array, 0, &mut text);
    text.push('\n');
    let path = dir.join(FILE_PLANS);
    fs::write(&path, text).map_err(|e| GenError::io(&path, e))?;
    Ok(match array {
        catalog::J::A(items) => items.len() as u64,
        _ => 0,
    })
}

fn write_assignments(world: &World, dir: &Path) -> Result<u64, GenError> {
    let plans = catalog::plans();
    let mut out = CsvOut::create(
        &dir.join(FILE_ASSIGNMENTS),
        "partner_id,brand_id,plan_id,valid_from,valid_to",
    )?;
    let mut line = Vec::with_capacity(80);
    for a in &world.assignments {
        push_partner_id(&mut line, a.partner);
        line.push(b',');
        line.extend_from_slice(BRANDS[a.brand as usize].id.as_bytes());
        line.push(b',');
        line.extend_from_slice(plans[a.plan].id.as_bytes());
        line.push(b',');
        push_date(&mut line, a.from_day);
        line.push(b',');
        if let Some(to) = a.to_day {
            push_date(&mut line, to);
        }
        out.row(&mut line)?;
    }
    out.finish()
}

fn write_codes(world: &World, dir: &Path) -> Result<u64, GenError> {
    let mut out = CsvOut::create(&dir.join(FILE_CODES), "code,partner_id,brand_id,kind")?;
    let mut line = Vec::with_capacity(80);
    for (i, c) in world.codes.iter().enumerate() {
        world.push_code(&mut line, i as u32);
        line.push(b',');
        push_partner_id(&mut line, c.partner);
        line.push(b',');
        line.extend_from_slice(BRANDS[c.brand as usize].id.as_bytes());
        line.push(b',');
        line.extend_from_slice(c.kind.as_str().as_bytes());
        out.row(&mut line)?;
    }
    out.finish()
}

fn write_customers(world: &World, dir: &Path) -> Result<u64, GenError> {
    let mut out = CsvOut::create(
        &dir.join(FILE_CUSTOMERS),
        "customer_id,brand_id,tracking_code,country,registered_at,status",
    )?;
    let mut line = Vec::with_capacity(100);
    for (i, c) in world.customers.iter().enumerate() {
        let brand = &BRANDS[c.brand as usize];
        push_customer_id(&mut line, i);
        line.push(b',');
        line.extend_from_slice(brand.id.as_bytes());
        line.push(b',');
        world.push_customer_code(&mut line, c);
        line.push(b',');
        line.extend_from_slice(brand.countries[c.country as usize].0.as_bytes());
        line.push(b',');
        push_time(&mut line, c.reg);
        line.push(b',');
        line.extend_from_slice(if c.excluded { b"excluded" } else { b"active" });
        out.row(&mut line)?;
    }
    out.finish()
}

/// Daily EUR/USD and GBP/USD rates plus GBP/EUR: USD→EUR, USD→GBP and EUR→GBP
/// exist only as inverse pairs, so conversions exercise both directions.
fn write_fx(world: &World, dir: &Path) -> Result<u64, GenError> {
    let mut rng = world::rng_for(world.seed, world::STREAM_FX);
    let mut out = CsvOut::create(&dir.join(FILE_FX), "date,base,quote,rate")?;
    let mut line = Vec::with_capacity(40);
    // Rates in 1/10 000.
    let mut eur_usd: i64 = 10_850;
    let mut gbp_usd: i64 = 12_700;
    for day in world.dims.start_day..=world.dims.end_day {
        let gbp_eur = (gbp_usd * 10_000 + eur_usd / 2) / eur_usd;
        for (base, quote, rate) in [
            ("EUR", "USD", eur_usd),
            ("GBP", "USD", gbp_usd),
            ("GBP", "EUR", gbp_eur),
        ] {
            push_date(&mut line, day);
            line.push(b',');
            line.extend_from_slice(base.as_bytes());
            line.push(b',');
            line.extend_from_slice(quote.as_bytes());
            line.push(b',');
            push_fixed(&mut line, rate as u64, 4);
            out.row(&mut line)?;
        }
        eur_usd = (eur_usd + rng.gen_range(-40..=40)).clamp(9_500, 12_500);
        gbp_usd = (gbp_usd + rng.gen_range(-50..=50)).clamp(11_000, 14_500);
    }
    out.finish()
}
