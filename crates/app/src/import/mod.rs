//! `partnerdesk import DIR`: the import folder of RULES.md, in one transaction.
//!
//! Small files are read and checked first (references may point into the same
//! import or to stored rows); activity, trades and purchases then stream in
//! batches. Any bad row is reported as `file:line: reason` and the whole
//! import is rolled back. Importing the same folder twice changes nothing.

mod csvfile;
mod files;
mod large;
mod rows;

use crate::{AppError, Context, Result};
use csvfile::{Problems, Source};
use large::*;
use partnerdesk_domain::data::Assignment;
use partnerdesk_domain::partner::Brand;
use partnerdesk_domain::plan::{parse_plans_document, Plan};
use partnerdesk_domain::{Id, Period};
use partnerdesk_store::data as sd;
use partnerdesk_store::{Batch, Bound, StoreError, Tx, Val};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hash};
use std::path::Path;

/// What an import did, per file.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct ImportReport {
    pub files: Vec<(String, u64)>,
    pub new_plan_versions: Vec<(String, i64)>,
    /// The first period whose results may have changed (None: only reference data).
    pub first_period: Option<String>,
    /// Seconds spent bringing the reporting roll-ups up to date afterwards.
    pub rollup_seconds: f64,
}

impl ImportReport {
    pub fn rows(&self) -> u64 {
        self.files.iter().map(|(_, n)| n).sum()
    }
}

/// The names RULES.md gives the files of an import folder.
pub const FILES: [&str; 11] = [
    "brands.csv",
    "brand_geo_blocks.csv",
    "partners.csv",
    "plans.json",
    "assignments.csv",
    "tracking_codes.csv",
    "customers.csv",
    "igaming_activity.csv",
    "trades.csv",
    "purchases.csv",
    "fx_rates.csv",
];

/// Refuses a second row with the same key in one import. Keys are kept as
/// 64-bit hashes (hundreds of MB less at scale L than the keys themselves):
/// the odds that two of 10 million different keys share one are about 1 in
/// 370,000, and such a clash would refuse the import, never lose a row.
struct Keys(HashSet<u64, foldhash::fast::RandomState>);

impl Keys {
    fn new() -> Self {
        Keys(HashSet::default())
    }
    fn first<T: Hash>(&mut self, key: &T) -> bool {
        self.0.insert(KEY_HASHER.hash_one(key))
    }
}

static KEY_HASHER: foldhash::quality::FixedState =
    foldhash::quality::FixedState::with_seed(0x7061_7274_6e65_7264);

#[tracing::instrument(name = "import::import_folder", skip_all, fields(user = %ctx.actor.user))]
pub async fn import_folder(ctx: &Context, dir: &Path) -> Result<ImportReport> {
    import_with(ctx, dir, true).await
}

/// The import without keeping the roll-ups current (they are only marked
/// stale, and rebuilt before the next report): what `bench reports`
/// compares the import with.
#[doc(hidden)]
pub async fn import_folder_without_rollups(ctx: &Context, dir: &Path) -> Result<ImportReport> {
    import_with(ctx, dir, false).await
}

async fn import_with(ctx: &Context, dir: &Path, rollups: bool) -> Result<ImportReport> {
    ctx.authorize(&crate::access::IMPORT_FOLDER).await?;
    if !dir.is_dir() {
        return Err(AppError::Io {
            context: format!("{} is not a folder", dir.display()),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "expected a folder holding the import files",
            ),
        });
    }
    let present: Vec<&str> = FILES
        .iter()
        .copied()
        .filter(|f| files::present(dir, f))
        .collect();
    if present.is_empty() {
        return Err(AppError::Import(format!(
            "{} holds none of the import files ({})",
            dir.display(),
            FILES.join(", ")
        )));
    }
    let mut p = Problems::default();
    let mut report = ImportReport::default();
    let store = &ctx.store;
    let now = ctx.now();

    // One write transaction from the first read of the stored reference data
    // to the last row written: what the import checks against is what it
    // writes over (a plan's next version, a partner's parent), and no other
    // writer changes it in between.
    let mut bulk = store.bulk().await?;
    let mut tx = bulk.begin().await?;

    // Reference data, read whole and checked against the import and the database.
    let src = Source::Folder(dir);
    let brands = rows::brands(src, &mut p)?;
    let stored_brands: HashMap<String, Brand> = tx
        .brand_list()
        .await?
        .into_iter()
        .map(|b| (b.id.to_string(), b))
        .collect();
    let mut brand_ids: HashSet<String> = stored_brands.keys().cloned().collect();
    brand_ids.extend(brands.iter().map(|(_, b)| b.id.to_string()));
    let geo = rows::geo_blocks(src, &mut p, &brand_ids)?;

    let stored_parents = tx.partner_parents().await?;
    let partners = rows::partners(src, &mut p, &stored_parents)?;
    let mut partner_ids: HashSet<String> =
        stored_parents.iter().map(|(id, _, _)| id.clone()).collect();
    partner_ids.extend(partners.iter().map(|(_, r)| r.partner_id.clone()));

    let plans = read_plans(dir, &mut p)?;
    let stored_plans = tx.plan_versions().await?;
    let mut plan_ids: HashSet<String> = stored_plans.iter().map(|v| v.plan_id.clone()).collect();
    plan_ids.extend(plans.iter().map(|pl| pl.plan_id.to_string()));

    let stored_assignments = tx.assignments().await?;
    let assignments = rows::assignments(
        src,
        &mut p,
        &partner_ids,
        &brand_ids,
        &plan_ids,
        &stored_assignments,
    )?;
    let codes = rows::tracking_codes(src, &mut p, &partner_ids, &brand_ids)?;
    // A bulk read outside the transaction (a million rows through SQLite's
    // own API): it sees what the transaction sees, since nothing is written
    // yet and, on SQLite, the transaction holds the write lock. (On
    // PostgreSQL a customer stored meanwhile is unknown to this import's
    // check; customers are never deleted.)
    let mut customer_brand: CustomerBrands = store.customer_brands().await?.into_iter().collect();
    let stored_customers = customer_brand.len();
    let customers = rows::customers(src, &mut p, &brand_ids)?;
    // A stored customer with rows keeps its brand (decisions.md 16): a
    // move is refused here, by file and line, before anything is written.
    let moved: Vec<(u64, &str, &str, &str)> = customers
        .iter()
        .filter_map(|(line, c)| {
            let stored = customer_brand.get(c.customer_id.as_str())?;
            (stored != c.brand_id.as_str()).then(|| {
                (
                    *line,
                    c.customer_id.as_str(),
                    stored.as_str(),
                    c.brand_id.as_str(),
                )
            })
        })
        .collect();
    if !moved.is_empty() {
        let ids: Vec<&str> = moved.iter().map(|m| m.1).collect();
        let fixed = tx.customers_with_rows(&ids).await?;
        for (line, id, from, to) in moved.iter().filter(|m| fixed.iter().any(|f| f == m.1)) {
            p.add(
                "customers.csv",
                *line,
                format!(
                    "customer '{id}' of brand '{from}' cannot move to brand '{to}': {}",
                    partnerdesk_store::CUSTOMER_BRAND_FIXED
                ),
            );
        }
    }
    // A stored customer imported again may have changed its slices' key
    // (code, country, status): every slice is rebuilt then. New customers
    // change only the slices from their registration on.
    let restated = customers
        .iter()
        .any(|(_, c)| customer_brand.contains_key(c.customer_id.as_str()));
    let first_registered = customers
        .iter()
        .map(|(_, c)| Period::of(c.registered_at.date_naive()))
        .min();
    for (_, c) in &customers {
        customer_brand.insert(c.customer_id.to_string(), c.brand_id.to_string());
    }
    let fx = rows::fx_rates(src, &mut p)?;
    if !p.is_empty() {
        // Nothing is written: the write lock is let go before the large
        // files are checked too, so the user sees every problem at once.
        tx.rollback().await?;
        let checked = stream_large(ctx, dir, p, customer_brand, None, &mut report, None).await?;
        return Err(checked.problems.into_error());
    }

    let mut batch = sd::brands_batch();
    for (_, b) in &brands {
        batch.push(&mut tx, sd::brand_values(b, &now)).await?;
    }
    finish(&mut tx, &mut batch, &mut report, "brands.csv", brands.len()).await?;

    let mut batch = sd::geo_blocks_batch();
    for (b, c) in &geo {
        batch
            .push(&mut tx, vec![b.as_str().into(), c.as_str().into()])
            .await?;
    }
    finish(
        &mut tx,
        &mut batch,
        &mut report,
        "brand_geo_blocks.csv",
        geo.len(),
    )
    .await?;
    if !geo.is_empty() {
        // Reports by code sum blocked countries apart (reports/codes.rs).
        crate::reports::rollup::mark_codes_stale(&mut tx).await?;
    }

    let mut batch = sd::partners_import_batch();
    for (_, r) in &partners {
        let mut r = r.clone();
        r.created_at = now.clone();
        r.updated_at = now.clone();
        r.updated_by = ctx.actor.user.clone();
        // Parents come first in `partners`, so every parent is written in an
        // earlier statement or earlier in the same one.
        batch
            .push(&mut tx, partnerdesk_store::partners::partner_values(&r))
            .await
            .map_err(|e| store_err(e, "partners.csv"))?;
    }
    finish(
        &mut tx,
        &mut batch,
        &mut report,
        "partners.csv",
        partners.len(),
    )
    .await?;

    let mut latest: HashMap<&str, (i64, &str)> = HashMap::new();
    for v in &stored_plans {
        latest.insert(&v.plan_id, (v.version, &v.content));
    }
    for plan in &plans {
        let content = plan.to_json().to_string();
        match latest.get(plan.plan_id.as_str()) {
            Some((_, old)) if *old == content => {}
            other => {
                let version = other.map(|(v, _)| v + 1).unwrap_or(1);
                sd::insert_plan_version(
                    &mut tx,
                    plan.plan_id.as_str(),
                    version,
                    &plan.name,
                    &content,
                    &now,
                )
                .await?;
                report
                    .new_plan_versions
                    .push((plan.plan_id.to_string(), version));
            }
        }
    }
    if files::present(dir, "plans.json") {
        report
            .files
            .push(("plans.json".to_string(), plans.len() as u64));
    }

    let mut batch = sd::assignments_batch();
    for (_, a) in &assignments {
        batch.push(&mut tx, sd::assignment_values(a)).await?;
    }
    finish(
        &mut tx,
        &mut batch,
        &mut report,
        "assignments.csv",
        assignments.len(),
    )
    .await?;

    let mut batch = sd::tracking_codes_batch();
    for (_, t) in &codes {
        batch
            .push(
                &mut tx,
                vec![
                    t.brand_id.as_str().into(),
                    t.code.as_str().into(),
                    t.partner_id.as_str().into(),
                    t.kind.as_str().into(),
                ],
            )
            .await?;
    }
    finish(
        &mut tx,
        &mut batch,
        &mut report,
        "tracking_codes.csv",
        codes.len(),
    )
    .await?;

    let reindex =
        sd::drop_customers_code_index_for(&mut tx, customers.len(), stored_customers).await?;
    let mut batch = sd::customers_batch();
    for (_, c) in &customers {
        batch.push(&mut tx, sd::customer_values(c)).await?;
    }
    finish(
        &mut tx,
        &mut batch,
        &mut report,
        "customers.csv",
        customers.len(),
    )
    .await?;
    if reindex {
        sd::restore_customers_code_index(&mut tx).await?;
    }
    let any_customers = !customers.is_empty();
    // A first load (no customer stored before: no stored row can count in
    // a slice) sums its slices while its rows stream, instead of reading
    // them all back afterwards (docs/decisions.md §20).
    let first_load = (rollups && stored_customers == 0 && any_customers).then(|| {
        let mut b = crate::reports::slices::Builder::new(None);
        for (_, c) in &customers {
            b.customer(c);
        }
        b
    });
    let customers_written = customers.len();
    // A million parsed customers are no longer needed: not kept while the
    // large files stream.
    drop(customers);

    let mut batch = sd::fx_batch();
    for (_, r) in &fx {
        batch.push(&mut tx, sd::fx_values(r)).await?;
    }
    finish(&mut tx, &mut batch, &mut report, "fx_rates.csv", fx.len()).await?;

    let checked = stream_large(
        ctx,
        dir,
        p,
        customer_brand,
        Some(&mut tx),
        &mut report,
        first_load,
    )
    .await?;
    if !checked.problems.is_empty() {
        tx.rollback().await.map_err(StoreError::from)?;
        return Err(checked.problems.into_error());
    }
    let structural = !brands.is_empty()
        || !geo.is_empty()
        || !partners.is_empty()
        || !report.new_plan_versions.is_empty()
        || !assignments.is_empty()
        || !codes.is_empty()
        || any_customers
        || !fx.is_empty();
    let first = if structural {
        Some("0000-00".to_string())
    } else {
        report.first_period.clone()
    };
    if let Some(first) = &first {
        crate::commissions::mark_dirty(&mut tx, first).await?;
    }
    let started = std::time::Instant::now();
    if let Some(slices) = checked.slices {
        // Written in the import's transaction: the import and its roll-ups
        // are kept together or not at all.
        crate::reports::rollup::write_first_load(&mut tx, slices, customers_written).await?;
    } else {
        // The roll-ups hold customers, activity, trades and purchases (and
        // a purchase's coupon): brands, partners, plans, assignments,
        // rates and geo blocks alone leave them as they are.
        let rows_from = [first_registered, checked.first_period]
            .into_iter()
            .flatten()
            .min();
        let mark = if restated {
            Some(crate::reports::rollup::ALL.to_string())
        } else {
            match (rows_from, codes.is_empty()) {
                (Some(first), _) => Some(first.to_string()),
                // New codes change only purchases' attribution.
                (None, false) => Some(crate::reports::rollup::PURCHASES_ONLY.to_string()),
                (None, true) => None,
            }
        };
        if let Some(first) = &mark {
            crate::reports::mark_stale(&mut tx, first).await?;
        }
    }
    let in_transaction = started.elapsed().as_secs_f64();
    let summary = serde_json::json!({"folder": dir.display().to_string(), "files": report.files, "new_plan_versions": report.new_plan_versions});
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "import",
        "import",
        &dir.display().to_string(),
        None,
        Some(&summary.to_string()),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    crate::tracking::postbacks_found::after_import(store, report.first_period.as_deref()).await;
    // The import is kept whatever happens here: stale roll-ups are rebuilt
    // before the next report anyway. Before the checkpoint, so that the log
    // is emptied of their writes too.
    let started = std::time::Instant::now();
    let refreshed = match rollups {
        true => crate::reports::refresh(store).await,
        false => Ok(false),
    };
    report.rollup_seconds = in_transaction + started.elapsed().as_secs_f64();
    if let Err(e) = refreshed {
        tracing::warn!("the reporting roll-ups were not brought up to date after the import: {e}");
    }
    if report.rows() >= CHECKPOINT_ROWS {
        // The import is kept whatever happens here; an unemptied log only
        // makes later reads slower until SQLite's own checkpoint.
        let _ = bulk.checkpoint().await;
    }
    Ok(report)
}

/// Imports of at least this many rows empty SQLite's write-ahead log when
/// they are done (see [`partnerdesk_store::Bulk::checkpoint`]).
const CHECKPOINT_ROWS: u64 = 10_000;

fn store_err(e: StoreError, file: &str) -> AppError {
    AppError::Import(format!("{file}: the database refused a row: {e}"))
}

async fn finish(
    tx: &mut Tx<'_>,
    batch: &mut Batch,
    report: &mut ImportReport,
    file: &str,
    n: usize,
) -> Result<()> {
    batch.flush(tx).await.map_err(|e| store_err(e, file))?;
    if n > 0 {
        report.files.push((file.to_string(), n as u64));
    }
    Ok(())
}

fn read_plans(dir: &Path, p: &mut Problems) -> Result<Vec<Plan>> {
    let mut file = match files::open(dir, "plans.json")? {
        files::Opened::Absent => return Ok(Vec::new()),
        files::Opened::Refused(why) => {
            p.add_file("plans.json", why);
            return Ok(Vec::new());
        }
        files::Opened::File(f) => f,
    };
    let mut text = String::new();
    if let Err(e) = std::io::Read::read_to_string(&mut file, &mut text) {
        // Not UTF-8 (or unreadable): a problem of the file, like a CSV's.
        p.add_file("plans.json", format!("cannot be read as UTF-8 text: {e}"));
        return Ok(Vec::new());
    }
    check_plans(&text, p)
}

/// The plans of a `plans.json` text, with its problems.
fn check_plans(text: &str, p: &mut Problems) -> Result<Vec<Plan>> {
    match parse_plans_document(text) {
        Ok(plans) => {
            let mut seen = HashSet::new();
            for pl in &plans {
                if !seen.insert(pl.plan_id.clone()) {
                    p.add(
                        "plans.json",
                        1,
                        format!("plan_id '{}' appears twice", pl.plan_id),
                    );
                }
            }
            Ok(plans)
        }
        Err(e) => {
            p.add("plans.json", 1, e);
            Ok(Vec::new())
        }
    }
}

/// What the import would report about the rows of one file (`name`, one
/// of [`FILES`]) on their own, read from `bytes`: no database, so every
/// reference to another row is unknown. For the fuzz targets, which feed
/// it anything: whatever the bytes, it answers and never panics.
#[doc(hidden)]
pub fn check_file(name: &str, bytes: &[u8]) -> Vec<String> {
    let src = Source::Bytes { name, bytes };
    let mut p = Problems::default();
    let none = HashSet::new();
    let checked = match name {
        "brands.csv" => rows::brands(src, &mut p).map(drop),
        "brand_geo_blocks.csv" => rows::geo_blocks(src, &mut p, &none).map(drop),
        "partners.csv" => rows::partners(src, &mut p, &[]).map(drop),
        "assignments.csv" => rows::assignments(src, &mut p, &none, &none, &none, &[]).map(drop),
        "tracking_codes.csv" => rows::tracking_codes(src, &mut p, &none, &none).map(drop),
        "customers.csv" => rows::customers(src, &mut p, &none).map(drop),
        "fx_rates.csv" => rows::fx_rates(src, &mut p).map(drop),
        "plans.json" => match std::str::from_utf8(bytes) {
            Ok(text) => check_plans(text, &mut p).map(drop),
            Err(e) => {
                p.add_file(name, format!("cannot be read as UTF-8 text: {e}"));
                Ok(())
            }
        },
        _ => {
            let mut out = Out {
                sink: None,
                batches: [
                    sd::activity_batch(),
                    sd::trades_batch(),
                    sd::purchases_batch(),
                ],
                buf: Vec::new(),
                stopped: false,
                slices: None,
            };
            let customers = CustomerBrands::default();
            let so_far = std::mem::take(&mut p);
            check_large(
                src,
                so_far,
                &customers,
                &mut out,
                &crate::context::NoProgress,
            )
            .map(|c| {
                p = c.problems;
            })
        }
    };
    if let Err(e) = checked {
        p.add_file(name, e);
    }
    let mut list = p.list;
    if p.more > 0 {
        list.push(format!("… and {} more", p.more));
    }
    list
}

/// Does a new assignment overlap a stored one it does not replace?
pub(crate) fn overlapping<'a>(
    a: &Assignment,
    others: impl Iterator<Item = &'a Assignment>,
) -> Option<&'a Assignment> {
    others
        .into_iter()
        .find(|o| o.valid_from != a.valid_from && a.overlaps(o))
}
