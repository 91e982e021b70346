//! Keeping the roll-ups current: a change to data marks them stale from its
//! first period (in the writer's transaction, through
//! `commissions::mark_dirty`); [`refresh`] rebuilds the stale slices from
//! the stored rows, after an import or a sync and before any report.
//!
//! Registrations, activity and trades are rebuilt from the stale period on
//! (a slice keeps the customer's brand, tracking code, country and
//! exclusion; the partner and geo blocks are looked up when read, so moving
//! a code or blocking a country changes no slice). Purchases, whose
//! attribution follows coupons and a customer's first coupon, are rebuilt
//! whole (they are few).

use super::slices::{Builder, Geo, Owners};
use crate::Result;
use chrono::NaiveDate;
use partnerdesk_domain::Period;
use partnerdesk_store::reports as sr;
use partnerdesk_store::{Store, StoreError};

/// Records, in the transaction that changes them, that the roll-ups are
/// stale from period `first` on (`"0000-00"`: all of them). Only writers of
/// what slices hold call it: customers, activity, trades, purchases and
/// tracking codes (a purchase's coupon). A partner, plan, assignment, rate
/// or geo block changes no slice (partners and blocks are looked up when a
/// report reads the slices), so editing one rebuilds nothing.
pub async fn mark_stale(tx: &mut partnerdesk_store::Tx<'_>, first: &str) -> Result<()> {
    sr::note_stale_from(tx, first).await?;
    Ok(())
}

/// A stale mark that rebuilds every slice.
pub const ALL: &str = "0000-00";

/// A stale mark past any data: activity slices stay, purchases (rebuilt
/// whole at every refresh) are rebuilt. For a new tracking code, which
/// may be a coupon; activity slices look a code's partner up when read.
pub const PURCHASES_ONLY: &str = "9999-12";

/// Writes the slices an import summed while its rows streamed, in its
/// transaction, in place of any there were (a first load: no customer was
/// stored before it). The stale mark (the migration sets one) is cleared
/// only while the import's customers are the only ones stored: a customer
/// another writer committed meanwhile keeps the mark (and its writer's).
pub(crate) async fn write_first_load(
    tx: &mut partnerdesk_store::Tx<'_>,
    slices: Builder,
    customers: usize,
) -> Result<()> {
    let owners = owners(&tx.all_tracking_codes().await?);
    let geo = geo(tx).await?;
    let done = slices.finish(&owners, &geo);
    sr::delete_from(tx, 'a', "0000-00-00").await?;
    sr::delete_from(tx, 'p', "0000-00-00").await?;
    sr::write_packed(tx, done.rows).await?;
    sr::write_ftds(tx, &done.ftds).await?;
    sr::clear_stale_if_customers(tx, customers as i64).await?;
    // The `c` slices were summed under the blocks of this transaction.
    sr::clear_codes_stale(tx, None).await?;
    Ok(())
}

/// The geo blocks, by brand.
pub(super) async fn geo(tx: &mut partnerdesk_store::Tx<'_>) -> Result<Geo> {
    let mut geo = Geo::new();
    for (brand, country) in tx.geo_blocks().await? {
        geo.entry(brand).or_default().insert(country);
    }
    Ok(geo)
}

/// Records, in the transaction that changes the geo blocks, that the `c`
/// slices (months by tracking code, blocked countries apart) must be
/// summed again: from the `m` slices, which keep countries.
pub async fn mark_codes_stale(tx: &mut partnerdesk_store::Tx<'_>) -> Result<()> {
    sr::note_codes_stale(tx).await?;
    Ok(())
}

/// Rebuilds the stale roll-ups, if any, then the `c` slices if the geo
/// blocks changed. Returns whether it rebuilt.
#[tracing::instrument(name = "reports::refresh", skip_all)]
pub async fn refresh(store: &Store) -> Result<bool> {
    let slices = refresh_slices(store).await?;
    let codes = super::codes::refresh(store).await?;
    Ok(slices || codes)
}

/// The owner of each tracking code, and whether it is a coupon.
pub(crate) fn owners(codes: &[partnerdesk_store::partners::TrackingCodeRecord]) -> Owners {
    codes
        .iter()
        .map(|t| {
            (
                (t.brand_id.clone(), t.code.clone()),
                (t.partner_id.clone(), t.kind.as_str() == "coupon"),
            )
        })
        .collect()
}

/// Rebuilds the stale roll-ups, if any. Returns whether it rebuilt.
async fn refresh_slices(store: &Store) -> Result<bool> {
    let (version, stale, first_data, last_data, codes, geo) = {
        let mut tx = store.read().await?;
        let stale = tx.report_stale_from().await?;
        if stale.is_none() {
            return Ok(false);
        }
        (
            tx.data_version().await?,
            stale,
            tx.first_data_period().await?,
            tx.last_activity_period().await?,
            tx.all_tracking_codes().await?,
            geo(&mut tx).await?,
        )
    };
    // "0000-00" (or anything that is not a period) rebuilds everything.
    let from: Option<Period> = stale
        .as_deref()
        .and_then(|s| Period::parse("period", s).ok());
    let from_day = from
        .map(|p| p.first_day().to_string())
        .unwrap_or_else(|| "0000-00-00".to_string());

    let clock = std::time::Instant::now();
    let mut b = Builder::new(from.map(|p| p.first_day()));
    for c in &store.customers().await? {
        b.customer(c);
    }
    // Who had an FTD before the rebuilt periods: they have none in them.
    for c in store.ftd_customers_before(&from_day).await? {
        b.had_ftd(&c);
    }
    let start = match (from, first_data) {
        (Some(f), Some(d)) => Some(f.max(d)),
        (None, d) => d,
        (Some(_), None) => None,
    };
    if let (Some(start), Some(last)) = (start, last_data) {
        for period in start.through(last) {
            let mut chunks = store.activity_chunks(period);
            while let Some(chunk) = chunks.next().await {
                let chunk = chunk?;
                for (customer, d) in chunk.iter() {
                    b.activity(customer, d);
                }
                chunks.recycle(chunk);
            }
            for t in store.trade_days(period).await? {
                b.trade(&t.customer_id, parse_day(&t.day)?, t.lots, t.revenue);
            }
        }
    }
    tracing::info!(
        seconds = clock.elapsed().as_secs_f64(),
        "roll-ups: activity read"
    );
    for p in &store.purchases().await? {
        b.purchase(p);
    }
    let done = b.finish(&owners(&codes), &geo);
    tracing::info!(
        seconds = clock.elapsed().as_secs_f64(),
        slices = done.slices,
        "roll-ups: purchases read"
    );
    let mut tx = store.begin().await?;
    sr::delete_from(&mut tx, 'a', &from_day).await?;
    sr::delete_from(&mut tx, 'p', "0000-00-00").await?;
    sr::write_packed(&mut tx, done.rows).await?;
    sr::write_ftds(&mut tx, &done.ftds).await?;
    sr::clear_stale(&mut tx, &version).await?;
    tx.commit().await.map_err(StoreError::from)?;
    tracing::info!(seconds = clock.elapsed().as_secs_f64(), "roll-ups: written");
    Ok(true)
}

fn parse_day(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| StoreError::Corrupt(format!("day '{s}': {e}")).into())
}
