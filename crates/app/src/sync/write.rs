//! Storing one page of a sync, with its cursor, in one transaction: the
//! records through the import writers of the store (new and changed rows
//! only), refunds of orders stored before, tracking codes for customers
//! that had none, and whatever cannot be taken into the retry list with its
//! reason (never dropped). Records stored take their entries off the retry
//! list; customers whose country text named no country are listed.

use crate::{Context, Result};
use partnerdesk_domain::data::Customer;
use partnerdesk_domain::sync_run::PendingKind;
use partnerdesk_domain::{Id, Period};
use partnerdesk_store::data as sd;
use partnerdesk_store::sync::{self as ss, Counts};
use partnerdesk_store::sync_retry::{self as sr, PendingRow};
use partnerdesk_store::{Batch, StoreError, Val};
use partnerdesk_sync::Page;
use std::collections::HashSet;
use std::sync::Mutex;

/// What a stream's pages share within a run (or a retry).
#[derive(Debug, Default)]
pub(super) struct StreamState {
    /// Keys of the stream's waiting records.
    pub pending: HashSet<String>,
    /// Customers of the connection kept with an unknown country.
    pub unmapped: HashSet<String>,
}

/// A fetched page with its rows in the store's form, made ready before the
/// page's turn to be written (outside the writer's critical path).
pub(super) struct Prepared {
    pub page: Page,
    customers: Vec<Vec<Val>>,
    customers_if_new: Vec<Vec<Val>>,
    activity: Vec<Vec<Val>>,
    trades: Vec<Vec<Val>>,
    purchases: Vec<Vec<Val>>,
    refunds: Vec<Vec<Val>>,
}

impl Prepared {
    pub fn new(page: Page) -> Self {
        Self {
            customers: page.customers.iter().map(sd::customer_values).collect(),
            customers_if_new: page
                .customers_if_new
                .iter()
                .map(sd::customer_values)
                .collect(),
            activity: page.activity.iter().map(sd::activity_values).collect(),
            trades: page.trades.iter().map(sd::trade_values).collect(),
            purchases: page.purchases.iter().map(sd::purchase_values).collect(),
            refunds: page
                .refunds_if_stored
                .iter()
                .map(sd::purchase_values)
                .collect(),
            page,
        }
    }
}

/// What a page did to the retry list.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Written {
    /// Records stored (new, changed or already so).
    pub stored: i64,
    /// Records that wait (again).
    pub waiting: i64,
}

fn record(kind: &str, value: impl serde::Serialize) -> String {
    serde_json::json!({ kind: value }).to_string()
}

/// Stores one page and its cursor in one transaction. `run_id`: the run
/// whose counts and errors it adds to (None for a retry outside a run).
pub(super) async fn write_page(
    ctx: &Context,
    run_id: Option<i64>,
    name: &str,
    stream: &str,
    prepared: &mut Prepared,
    state: &Mutex<StreamState>,
) -> Result<Written> {
    let page = &prepared.page;
    let now = ctx.now();
    let mut tx = ctx.store.begin().await?;
    let mut counts = Counts::default();
    let mut errors: Vec<(String, String)> = Vec::new();
    let mut waiting: Vec<PendingRow> = Vec::new();
    let mut wait =
        |label: String, key: String, kind: PendingKind, payload: String, reason: String| {
            errors.push((label.clone(), reason.clone()));
            waiting.push(PendingRow {
                stream: stream.to_string(),
                record_key: key,
                label,
                kind,
                payload,
                reason,
                first_seen: now.clone(),
                last_tried: now.clone(),
                attempts: 1,
            });
        };
    for e in &page.errors {
        wait(
            e.external_id.clone(),
            e.retry_key().to_string(),
            PendingKind::Raw,
            e.raw
                .as_ref()
                .map(|r| r.to_string())
                .unwrap_or_else(|| "null".into()),
            partnerdesk_sync::redact::urls(&e.message),
        );
    }
    // Keys of what is stored, to take off the retry list: only needed while
    // something of this stream waits (most of the time nothing does).
    let track = state.lock().map(|s| !s.pending.is_empty()).unwrap_or(true);
    let mut stored: Vec<String> = Vec::new();
    let mut stored_count = 0i64;
    let mut keep = |key: &dyn Fn() -> String| {
        stored_count += 1;
        if track {
            stored.push(key());
        }
    };
    let mut first: Option<Period> = None;
    let mut touch = |p: Period| first = Some(first.map_or(p, |f: Period| f.min(p)));
    let period_of_customer = |c: &Customer| Period::of(c.registered_at.date_naive());

    // Records the domain refuses (dates it cannot compute, amounts beyond
    // its limits, text with control characters; decisions.md 14) are the
    // run's errors, exactly as the import refuses them; they do not wait
    // for a retry, which could not make them acceptable. A stored customer
    // with rows keeps its brand (decisions.md 16).
    let mut refused: Vec<(String, String)> = Vec::new();
    let moving = brand_moves(&mut tx, &page.customers).await?;
    let customers = std::mem::take(&mut prepared.customers);
    let (customers, rows): (Vec<&Customer>, Vec<Vec<Val>>) = page
        .customers
        .iter()
        .zip(customers)
        .filter(|(c, _)| match c.check() {
            Ok(()) if moving.contains(c.customer_id.as_str()) => {
                refused.push((
                    c.customer_id.to_string(),
                    format!(
                        "customer '{}' cannot move to brand '{}': {}",
                        c.customer_id,
                        c.brand_id,
                        partnerdesk_store::CUSTOMER_BRAND_FIXED
                    ),
                ));
                false
            }
            Ok(()) => true,
            Err(e) => {
                refused.push((c.customer_id.to_string(), e.to_string()));
                false
            }
        })
        .unzip();
    if !rows.is_empty() {
        customers.iter().for_each(|c| touch(period_of_customer(c)));
        customers
            .iter()
            .for_each(|c| keep(&|| c.customer_id.to_string()));
        counts +=
            ss::upsert_counted(&mut tx, &ss::CUSTOMERS, sd::customers_batch(), rows, false).await?;
    }
    let customers_if_new = std::mem::take(&mut prepared.customers_if_new);
    let (customers_if_new, rows): (Vec<&Customer>, Vec<Vec<Val>>) = page
        .customers_if_new
        .iter()
        .zip(customers_if_new)
        .filter(|(c, _)| match c.check() {
            Ok(()) => true,
            Err(e) => {
                refused.push((c.customer_id.to_string(), e.to_string()));
                false
            }
        })
        .unzip();
    if !rows.is_empty() {
        customers_if_new
            .iter()
            .for_each(|c| touch(period_of_customer(c)));
        customers_if_new
            .iter()
            .for_each(|c| keep(&|| c.customer_id.to_string()));
        let batch = Batch::new(
            ss::CUSTOMERS.table,
            ss::CUSTOMERS.columns,
            " ON CONFLICT (customer_id) DO NOTHING",
        );
        counts += ss::upsert_counted(&mut tx, &ss::CUSTOMERS, batch, rows, true).await?;
        // A buyer first seen without a code takes the code a later order
        // brings (a referral link followed before that order).
        let codes: Vec<(&str, &str)> = customers_if_new
            .iter()
            .filter_map(|c| Some((c.customer_id.as_str(), c.tracking_code.as_deref()?)))
            .collect();
        let filled = sr::fill_tracking_codes(&mut tx, &codes).await?;
        counts.updated += filled;
        counts.skipped -= filled.min(counts.skipped);
    }

    // Activity, trades and purchases must belong to a stored customer of their brand.
    let mut ids: HashSet<&str> = HashSet::new();
    ids.extend(page.activity.iter().map(|a| a.customer_id.as_str()));
    ids.extend(page.trades.iter().map(|t| t.customer_id.as_str()));
    ids.extend(page.purchases.iter().map(|p| p.customer_id.as_str()));
    ids.extend(
        page.refunds_if_stored
            .iter()
            .map(|p| p.customer_id.as_str()),
    );
    let ids: Vec<&str> = ids.into_iter().collect();
    let known = ss::customer_brands_of(&mut tx, &ids).await?;
    // Why a record cannot be stored (None: it can).
    let refusal = |customer: &Id, brand: &Id| -> Option<String> {
        match owner(&known, customer, brand) {
            Owner::Unknown => Some(format!("customer '{customer}' is not known: it is not among the platform's accounts synced so far (check the connection's group filter); it is stored once its customer is")),
            Owner::Other(why) => Some(why),
            Owner::Brand => None,
        }
    };
    // Customers whose stored rows may make an FTD or a purchase known
    // (their postbacks out are queued in this transaction).
    let mut postback_customers: Vec<String> = Vec::new();
    let mut rows = Vec::with_capacity(page.activity.len());
    for (a, row) in page
        .activity
        .iter()
        .zip(std::mem::take(&mut prepared.activity))
    {
        let key = || format!("{} {}", a.customer_id, a.date);
        if let Err(e) = a.check() {
            refused.push((key(), e.to_string()));
            continue;
        }
        match refusal(&a.customer_id, &a.brand_id) {
            Some(why) => wait(
                key(),
                key(),
                PendingKind::Record,
                record("activity", a),
                why,
            ),
            None => {
                touch(Period::of(a.date));
                if a.deposits > rust_decimal::Decimal::ZERO {
                    postback_customers.push(a.customer_id.to_string());
                }
                keep(&key);
                rows.push(row);
            }
        }
    }
    if !rows.is_empty() {
        counts +=
            ss::upsert_counted(&mut tx, &ss::ACTIVITY, sd::activity_batch(), rows, false).await?;
    }
    let mut rows = Vec::with_capacity(page.trades.len());
    for (t, row) in page.trades.iter().zip(std::mem::take(&mut prepared.trades)) {
        let key = || t.trade_id.to_string();
        if let Err(e) = t.check() {
            refused.push((key(), e.to_string()));
            continue;
        }
        match refusal(&t.customer_id, &t.brand_id) {
            Some(why) => wait(key(), key(), PendingKind::Record, record("trade", t), why),
            None => {
                touch(Period::of(t.close_time.date_naive()));
                keep(&key);
                rows.push(row);
            }
        }
    }
    if !rows.is_empty() {
        counts += ss::upsert_counted(&mut tx, &ss::TRADES, sd::trades_batch(), rows, false).await?;
    }
    // Refunds of orders that left the paid statuses: only where stored.
    let refund_ids: Vec<&str> = page
        .refunds_if_stored
        .iter()
        .map(|p| p.order_id.as_str())
        .collect();
    let stored_orders = sr::stored_order_ids(&mut tx, &refund_ids).await?;
    let purchases = page
        .purchases
        .iter()
        .zip(std::mem::take(&mut prepared.purchases))
        .map(|(p, row)| (p, row, "purchase"))
        .chain(
            page.refunds_if_stored
                .iter()
                .zip(std::mem::take(&mut prepared.refunds))
                .filter(|(p, _)| stored_orders.contains(p.order_id.as_str()))
                .map(|(p, row)| (p, row, "refund")),
        );
    let mut rows = Vec::with_capacity(page.purchases.len());
    for (p, row, kind) in purchases {
        let key = || p.order_id.to_string();
        if let Err(e) = p.check() {
            refused.push((key(), e.to_string()));
            continue;
        }
        match refusal(&p.customer_id, &p.brand_id) {
            Some(why) => wait(key(), key(), PendingKind::Record, record(kind, p), why),
            None => {
                touch(Period::of(p.purchased_at.date_naive()));
                postback_customers.push(p.customer_id.to_string());
                if let Some(r) = p.refunded_at {
                    touch(Period::of(r.date_naive()));
                }
                keep(&key);
                rows.push(row);
            }
        }
    }
    if !rows.is_empty() {
        counts +=
            ss::upsert_counted(&mut tx, &ss::PURCHASES, sd::purchases_batch(), rows, false).await?;
    }

    errors.extend(refused);
    if let Some(c) = &page.cursor {
        ss::set_cursor(&mut tx, name, stream, c, &now).await?;
    }
    if let Some(run_id) = run_id {
        if !errors.is_empty() {
            ss::add_errors(&mut tx, run_id, stream, &errors).await?;
        }
        ss::add_to_run(
            &mut tx,
            run_id,
            page.fetched as i64,
            counts,
            errors.len() as i64,
        )
        .await?;
    }
    // The retry list and the unmapped countries, against what this stream
    // and connection hold (kept in memory: most pages touch neither).
    let (cleared, remapped) = {
        let s = state
            .lock()
            .map_err(|_| crate::AppError::Refused("sync state poisoned".into()))?;
        let cleared: Vec<String> = stored
            .iter()
            .filter(|k| s.pending.contains(*k))
            .cloned()
            .collect();
        let remapped: Vec<String> = page
            .customers
            .iter()
            .filter(|c| c.country.is_some() && s.unmapped.contains(c.customer_id.as_str()))
            .map(|c| c.customer_id.to_string())
            .collect();
        (cleared, remapped)
    };
    let cleared_refs: Vec<&str> = cleared.iter().map(String::as_str).collect();
    sr::clear_pending(&mut tx, name, stream, &cleared_refs).await?;
    sr::put_pending(&mut tx, name, &waiting).await?;
    let unmapped: Vec<(String, String)> = page
        .unmapped_countries
        .iter()
        .map(|u| (u.customer_id.clone(), u.text.clone()))
        .collect();
    sr::put_unmapped(&mut tx, name, &unmapped, &now).await?;
    let remapped_refs: Vec<&str> = remapped.iter().map(String::as_str).collect();
    sr::clear_unmapped(&mut tx, name, &remapped_refs).await?;
    if counts.inserted + counts.updated > 0 {
        if let Some(f) = first {
            crate::commissions::mark_dirty(&mut tx, &f.to_string()).await?;
            crate::reports::mark_stale(&mut tx, &f.to_string()).await?;
            postback_customers.sort_unstable();
            postback_customers.dedup();
            let from = f.to_string();
            let scope = partnerdesk_store::postbacks_found::Scope {
                from_period: &from,
                customers: Some(&postback_customers),
            };
            crate::tracking::postbacks_found::queue_found(&mut tx, &scope).await?;
        }
    }
    tx.commit().await.map_err(StoreError::from)?;
    if let Ok(mut s) = state.lock() {
        for k in &cleared {
            s.pending.remove(k);
        }
        s.pending
            .extend(waiting.iter().map(|w| w.record_key.clone()));
        for c in &remapped {
            s.unmapped.remove(c);
        }
        s.unmapped.extend(unmapped.into_iter().map(|(c, _)| c));
    }
    Ok(Written {
        stored: stored_count,
        waiting: waiting.len() as i64,
    })
}

/// Whether a record of `customer` in `brand` (activity, a trade, a
/// purchase) may be stored, given the stored customers' brands `known`:
/// the rule a sync and a postback share.
pub(crate) enum Owner {
    /// The customer is stored under this brand.
    Brand,
    /// No such customer is stored.
    Unknown,
    /// It is stored under another brand (the reason says which).
    Other(String),
}

pub(crate) fn owner(
    known: &std::collections::HashMap<String, String>,
    customer: &Id,
    brand: &Id,
) -> Owner {
    match known.get(customer.as_str()) {
        None => Owner::Unknown,
        Some(b) if b != brand.as_str() => Owner::Other(format!(
            "customer '{customer}' belongs to brand '{b}', not '{brand}'"
        )),
        Some(_) => Owner::Brand,
    }
}

/// The customers of `customers` that are stored under another brand and
/// have rows: they may not move (the database would refuse the whole page).
async fn brand_moves(
    tx: &mut partnerdesk_store::Tx<'_>,
    customers: &[Customer],
) -> Result<HashSet<String>> {
    if customers.is_empty() {
        return Ok(HashSet::new());
    }
    let ids: Vec<&str> = customers.iter().map(|c| c.customer_id.as_str()).collect();
    let stored = ss::customer_brands_of(tx, &ids).await?;
    let moved: Vec<&str> = customers
        .iter()
        .filter(|c| {
            stored
                .get(c.customer_id.as_str())
                .is_some_and(|b| b != c.brand_id.as_str())
        })
        .map(|c| c.customer_id.as_str())
        .collect();
    if moved.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(tx.customers_with_rows(&moved).await?.into_iter().collect())
}
