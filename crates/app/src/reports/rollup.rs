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

use crate::Result;
use chrono::NaiveDate;
use partnerdesk_domain::data::{Customer, CustomerStatus};
use partnerdesk_domain::report::figures::{Figures, C, S};
use partnerdesk_domain::Period;
use partnerdesk_store::reports::{self as sr, RollupRow, RollupSlice};
use partnerdesk_store::{Store, StoreError};
use std::collections::HashMap;

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

/// What a customer's slices are keyed by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    brand: String,
    code: String,
    country: String,
    excluded: bool,
}

/// Rebuilds the stale roll-ups, if any. Returns whether it rebuilt.
#[tracing::instrument(name = "reports::refresh", skip_all)]
pub async fn refresh(store: &Store) -> Result<bool> {
    let (version, stale, first_data, last_data, codes) = {
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
    let customers = store.customers().await?;
    let mut keys: HashMap<Key, u32> = HashMap::new();
    let mut key_list: Vec<Key> = Vec::new();
    // customer id → (its index in `customers`, its key's index)
    let mut customer_key: HashMap<&str, (u32, u32)> = HashMap::with_capacity(customers.len());
    for (i, c) in customers.iter().enumerate() {
        let k = key_of(c);
        let ix = *keys.entry(k.clone()).or_insert_with(|| {
            key_list.push(k);
            (key_list.len() - 1) as u32
        });
        customer_key.insert(c.customer_id.as_str(), (i as u32, ix));
    }

    let mut acc: HashMap<(NaiveDate, u32), Figures> = HashMap::new();
    for c in &customers {
        let day = c.registered_at.date_naive();
        if day.to_string() >= from_day {
            let k = customer_key[c.customer_id.as_str()].1;
            acc.entry((day, k)).or_default().count(C::Registrations, 1);
        }
    }

    // Who had an FTD before the rebuilt periods: they have none in them.
    let mut had_ftd = vec![false; customers.len()];
    for c in store.ftd_customers_before(&from_day).await? {
        if let Some((i, _)) = customer_key.get(c.as_str()) {
            had_ftd[*i as usize] = true;
        }
    }
    let mut new_ftds: Vec<(String, String)> = Vec::new();
    let start = match (from, first_data) {
        (Some(f), Some(d)) => Some(f.max(d)),
        (None, d) => d,
        (Some(_), None) => None,
    };
    if let (Some(start), Some(last)) = (start, last_data) {
        for period in start.through(last) {
            // customer → (first day with deposits > 0 in the period, its deposits)
            let mut firsts: HashMap<u32, (NaiveDate, rust_decimal::Decimal)> = HashMap::new();
            let mut chunks = store.activity_chunks(period);
            while let Some(chunk) = chunks.next().await {
                let chunk = chunk?;
                for (customer, d) in chunk.iter() {
                    let Some(&(ci, k)) = customer_key.get(customer) else {
                        continue;
                    };
                    let f = acc.entry((d.date, k)).or_default();
                    f.add(S::Deposits, d.deposits);
                    f.add(S::Withdrawals, d.withdrawals);
                    f.add(S::Bets, d.bets);
                    f.add(S::Wins, d.wins);
                    f.add(S::Bonuses, d.bonuses);
                    f.add(S::Chargebacks, d.chargebacks);
                    f.add(S::Taxes, d.taxes);
                    if d.deposits > rust_decimal::Decimal::ZERO && !had_ftd[ci as usize] {
                        let e = firsts.entry(ci).or_insert((d.date, d.deposits));
                        if d.date < e.0 {
                            *e = (d.date, d.deposits);
                        }
                    }
                }
                chunks.recycle(chunk);
            }
            for (ci, (day, deposits)) in firsts {
                let c = &customers[ci as usize];
                let k = customer_key[c.customer_id.as_str()].1;
                let f = acc.entry((day, k)).or_default();
                f.count(C::Ftds, 1);
                f.add(S::FtdAmount, deposits);
                had_ftd[ci as usize] = true;
                new_ftds.push((c.customer_id.to_string(), day.to_string()));
            }
            for t in store.trade_days(period).await? {
                let Some(&(_, k)) = customer_key.get(t.customer_id.as_str()) else {
                    continue;
                };
                let day = parse_day(&t.day)?;
                let f = acc.entry((day, k)).or_default();
                f.count(C::Trades, 1);
                f.add(S::Lots, t.lots);
                f.add(S::TradingRevenue, t.revenue);
            }
        }
    }
    tracing::info!(
        seconds = clock.elapsed().as_secs_f64(),
        "roll-ups: activity read"
    );
    let mut slices = slices_of(
        'a',
        acc.into_iter()
            .map(|((day, k), f)| ((day, k, String::new()), f)),
        &key_list,
    );

    // Purchases, whole.
    let owner: HashMap<(&str, &str), (&str, &str)> = codes
        .iter()
        .map(|t| {
            (
                (t.brand_id.as_str(), t.code.as_str()),
                (t.partner_id.as_str(), t.kind.as_str()),
            )
        })
        .collect();
    let by_id: HashMap<&str, &Customer> = customers
        .iter()
        .map(|c| (c.customer_id.as_str(), c))
        .collect();
    let mut purchases = store.purchases().await?;
    purchases.sort_by(|a, b| {
        (
            a.customer_id.as_str(),
            a.purchased_at,
            a.order_id.as_str().as_bytes(),
        )
            .cmp(&(
                b.customer_id.as_str(),
                b.purchased_at,
                b.order_id.as_str().as_bytes(),
            ))
    });
    let mut pacc: HashMap<(NaiveDate, u32, String), Figures> = HashMap::new();
    let mut previous: Option<&str> = None;
    let mut adopted: Option<String> = None;
    for p in &purchases {
        let Some(c) = by_id.get(p.customer_id.as_str()) else {
            continue;
        };
        let first = previous != Some(p.customer_id.as_str());
        if first {
            adopted = None;
        }
        previous = Some(p.customer_id.as_str());
        let brand = c.brand_id.as_str();
        let own = c
            .tracking_code
            .as_deref()
            .filter(|s| !s.is_empty())
            .and_then(|code| owner.get(&(brand, code)))
            .map(|(p, _)| p.to_string());
        let coupon = p
            .coupon_code
            .as_deref()
            .filter(|s| !s.is_empty())
            .and_then(|code| owner.get(&(brand, code)))
            .filter(|(_, kind)| *kind == "coupon")
            .map(|(p, _)| p.to_string());
        let partner = match (coupon, own) {
            (Some(cp), own) => {
                if own.is_none() && adopted.is_none() {
                    adopted = Some(cp.clone());
                }
                Some(cp)
            }
            (None, Some(own)) => Some(own),
            (None, None) => adopted.clone(),
        }
        .unwrap_or_default();
        let k = customer_key[p.customer_id.as_str()].1;
        let f = pacc
            .entry((p.purchased_at.date_naive(), k, partner.clone()))
            .or_default();
        f.count(C::Purchases, 1);
        if first {
            f.count(C::FirstPurchases, 1);
        }
        f.add(S::PurchaseAmount, p.amount);
        if let Some(r) = p.refunded_at {
            let f = pacc.entry((r.date_naive(), k, partner)).or_default();
            f.count(C::Refunds, 1);
            f.add(S::RefundAmount, p.amount);
        }
    }
    slices.extend(slices_of('p', pacc.into_iter(), &key_list));

    tracing::info!(
        seconds = clock.elapsed().as_secs_f64(),
        slices = slices.len(),
        "roll-ups: purchases read"
    );
    let mut tx = store.begin().await?;
    sr::delete_from(&mut tx, 'a', &from_day).await?;
    sr::delete_from(&mut tx, 'p', "0000-00-00").await?;
    sr::write_slices(&mut tx, &slices).await?;
    sr::write_ftds(&mut tx, &new_ftds).await?;
    sr::clear_stale(&mut tx, &version).await?;
    tx.commit().await.map_err(StoreError::from)?;
    tracing::info!(seconds = clock.elapsed().as_secs_f64(), "roll-ups: written");
    Ok(true)
}

fn key_of(c: &Customer) -> Key {
    Key {
        brand: c.brand_id.to_string(),
        code: c.tracking_code.clone().unwrap_or_default(),
        country: c.country.as_ref().map_or("", |c| c.as_str()).to_string(),
        excluded: c.status == CustomerStatus::Excluded,
    }
}

fn parse_day(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| StoreError::Corrupt(format!("day '{s}': {e}")).into())
}

/// The day slices of `acc` and, summed from them, the month slices and the
/// (day, brand, country) slices.
fn slices_of(
    source: char,
    acc: impl Iterator<Item = ((NaiveDate, u32, String), Figures)>,
    keys: &[Key],
) -> Vec<RollupSlice> {
    let mut out = Vec::new();
    let mut months: HashMap<(NaiveDate, u32, String), Figures> = HashMap::new();
    let mut brands: HashMap<(NaiveDate, &str, &str, bool), Figures> = HashMap::new();
    for ((day, k, partner), f) in acc {
        if f.is_zero() {
            continue;
        }
        let key = &keys[k as usize];
        let first = Period::of(day).first_day();
        months
            .entry((first, k, partner.clone()))
            .or_default()
            .merge(&f);
        brands
            .entry((day, &key.brand, &key.country, key.excluded))
            .or_default()
            .merge(&f);
        out.push(('d', source, row(day, key, partner, f)));
    }
    for ((day, k, partner), f) in months {
        out.push(('m', source, row(day, &keys[k as usize], partner, f)));
    }
    for ((day, brand, country, excluded), f) in brands {
        out.push((
            'b',
            source,
            RollupRow {
                day: day.to_string(),
                brand_id: brand.to_string(),
                tracking_code: String::new(),
                country: country.to_string(),
                excluded,
                partner_id: String::new(),
                figures: f,
            },
        ));
    }
    out
}

fn row(day: NaiveDate, key: &Key, partner: String, figures: Figures) -> RollupRow {
    RollupRow {
        day: day.to_string(),
        brand_id: key.brand.clone(),
        tracking_code: key.code.clone(),
        country: key.country.clone(),
        excluded: key.excluded,
        partner_id: partner,
        figures,
    }
}
