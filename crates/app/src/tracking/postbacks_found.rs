//! Postbacks out for events that become known through stored data rather
//! than a postback in: an FTD or a purchase an import or a sync wrote, a
//! qualified CPA a commission run computed. Each is queued once per
//! (event, brand, customer) — per order for a purchase — whatever path
//! brought it, and however often (the outbox's unique `source`, the key a
//! postback in queues under too).
//!
//! Batched: one query finds what an import or a sync page made known and
//! not yet queued (`partnerdesk_store::postbacks_found`), the URLs are
//! filled here and written with multi-row inserts; never a round trip per
//! row. An import queues after its own transaction commits (the import is
//! kept whatever happens here: a failure is logged, and the next import or
//! sync touching those periods finds the events again); a sync page queues
//! in the page's transaction.
//!
//! Only events of periods the writer touched are looked at: an FTD or a
//! purchase known before a partner gave its URL is not sent when the URL
//! appears (RULES.md's late data still is: a row dated in an old period
//! makes that period part of what the import touched).

use super::postbacks_out::amount_out;
use crate::Result;
use chrono::Utc;
use partnerdesk_domain::commission::{Kind, Line};
use partnerdesk_domain::engine::FxTable;
use partnerdesk_domain::postback::{fill_out, OutEvent, OutFill};
use partnerdesk_domain::Period;
use partnerdesk_store::postbacks_found::{Found, Scope, Target};
use partnerdesk_store::postbacks_out::stamp;
use partnerdesk_store::{Batch, Store, StoreError, Tx, Val};
use std::collections::{HashMap, HashSet};

/// The outbox's columns as [`row`] fills them.
const COLUMNS: [&str; 8] = [
    "partner_id",
    "event",
    "source",
    "url",
    "state",
    "attempts",
    "next_at",
    "created_at",
];

pub(crate) fn batch() -> Batch {
    Batch::new(
        "postback_outbox",
        &COLUMNS,
        " ON CONFLICT (source) DO NOTHING",
    )
}

/// The outbox row of one event for one target.
pub(crate) async fn row(
    tx: &mut Tx<'_>,
    fx: &mut Option<FxTable>,
    event: OutEvent,
    t: &Target,
    f: &Found,
    now: &str,
) -> Result<Vec<Val>> {
    let (amount, currency) = amount_out(
        tx,
        fx,
        t.send_amount,
        &f.amount,
        &f.brand_currency,
        &t.partner_currency,
        &f.day,
    )
    .await?;
    let url = fill_out(
        &t.url_template,
        &OutFill {
            click_id: f.click_id.as_deref(),
            subs: f.subs.each_ref().map(|s| s.as_deref()),
            customer_id: &f.customer_id,
            event: event.as_str(),
            code: f.code.as_deref(),
            amount: amount.as_deref(),
            currency: currency.as_deref(),
        },
    );
    Ok(vec![
        t.partner_id.as_str().into(),
        event.as_str().into(),
        format!("{}:{}:{}", event.as_str(), f.brand_id, f.key).into(),
        url.into(),
        "pending".into(),
        Val::Int(0),
        now.into(),
        now.into(),
    ])
}

/// Queues what was found for the partners' targets of `event`, in the
/// caller's transaction; answers how many rows were written.
async fn write(
    tx: &mut Tx<'_>,
    event: OutEvent,
    targets: &HashMap<String, Target>,
    found: &[Found],
    now: &str,
) -> Result<u64> {
    let mut fx = None;
    let mut b = batch();
    let mut seen = HashSet::new();
    for f in found {
        let Some(t) = targets.get(&f.partner_id) else {
            continue;
        };
        if !seen.insert((f.brand_id.as_str(), f.key.as_str())) {
            continue; // a customer found twice (two codes of one partner cannot, but cheap)
        }
        let values = row(tx, &mut fx, event, t, f, now).await?;
        b.push(tx, values).await?;
    }
    b.flush(tx).await?;
    Ok(b.written)
}

async fn targets(tx: &mut Tx<'_>, event: OutEvent) -> Result<HashMap<String, Target>> {
    Ok(tx
        .postback_targets(event.as_str())
        .await?
        .into_iter()
        .map(|t| (t.partner_id.clone(), t))
        .collect())
}

/// Queues the FTD and purchase postbacks the rows of `scope` made known,
/// in the caller's transaction (a sync's page). Answers how many were queued.
pub(crate) async fn queue_found(tx: &mut Tx<'_>, scope: &Scope<'_>) -> Result<u64> {
    if scope.customers.is_some_and(|c| c.is_empty()) {
        return Ok(0);
    }
    let now = stamp(&Utc::now());
    let mut queued = 0;
    let ftd = targets(tx, OutEvent::Ftd).await?;
    if !ftd.is_empty() {
        let found = tx.found_ftds(scope).await?;
        queued += write(tx, OutEvent::Ftd, &ftd, &found, &now).await?;
    }
    let purchase = targets(tx, OutEvent::Purchase).await?;
    if !purchase.is_empty() {
        let found = tx.found_purchases(scope).await?;
        queued += write(tx, OutEvent::Purchase, &purchase, &found, &now).await?;
    }
    Ok(queued)
}

/// After an import committed: queues the FTD and purchase postbacks of
/// its rows (periods from `from_period` on), in a transaction of its own.
pub async fn queue_after_import(store: &Store, from_period: &str) -> Result<u64> {
    let mut tx = store.begin().await?;
    let scope = Scope {
        from_period,
        customers: None,
    };
    let queued = queue_found(&mut tx, &scope).await?;
    tx.commit().await.map_err(StoreError::from)?;
    if queued > 0 {
        tracing::info!(
            queued,
            "postbacks out queued for the import's FTDs and purchases"
        );
    }
    Ok(queued)
}

/// [`queue_after_import`] for an import whose activity, trades or
/// purchases start in `first_period` (None: no such rows, nothing to
/// queue). The import is kept whatever happens here; a failure is logged,
/// and the next import or sync of those periods finds the events again.
pub async fn after_import(store: &Store, first_period: Option<&str>) {
    let Some(from) = first_period else { return };
    if let Err(e) = queue_after_import(store, from).await {
        tracing::warn!("the import's postbacks out were not queued (the next import or sync of these periods queues them): {e}");
    }
}

/// A customer a CPA line paid (RULES.md's qualification), found in a
/// commission run's lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qualified {
    pub partner_id: String,
    pub customer_id: String,
    pub day: String,
    /// The CPA paid, in the brand's currency.
    pub amount: String,
}

/// The customers the CPA lines of a computed period paid (capped ones
/// are never paid, and are not a qualified CPA for the partner).
pub fn qualified_in(lines: &[Line]) -> Vec<Qualified> {
    let mut out = Vec::new();
    for l in lines.iter().filter(|l| l.kind == Kind::Cpa) {
        let value = l.explanation.value();
        let Some(customers) = value.get("customers").and_then(|c| c.as_array()) else {
            continue;
        };
        for c in customers {
            let text = |k: &str| c.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
            let customer_id = text("customer_id");
            if customer_id.is_empty() {
                continue;
            }
            out.push(Qualified {
                partner_id: l.partner_id.to_string(),
                customer_id,
                day: text("qualified_on"),
                amount: text("amount"),
            });
        }
    }
    out
}

/// The partners with a qualified-CPA URL (a run looks for qualifiers
/// only when there is one).
pub async fn qualified_targets(store: &Store) -> Result<HashSet<String>> {
    Ok(store
        .read()
        .await?
        .postback_targets(OutEvent::QualifiedCpa.as_str())
        .await?
        .into_iter()
        .map(|t| t.partner_id)
        .collect())
}

/// The customers `lines` (a period as a run computed it) pay a CPA to a
/// partner of `targets` whom the period's stored lines did not: a
/// qualification made known by this run. A closed period's stored lines
/// never change, so a late qualifier is found again by every later run
/// (and queued once: the outbox's key).
pub async fn newly_qualified(
    store: &Store,
    period: Period,
    lines: &[Line],
    targets: &HashSet<String>,
) -> Result<Vec<Qualified>> {
    let mut found: Vec<Qualified> = qualified_in(lines)
        .into_iter()
        .filter(|q| targets.contains(&q.partner_id))
        .collect();
    if found.is_empty() {
        return Ok(found);
    }
    let stored: Vec<Line> = store
        .read()
        .await?
        .period_lines(period)
        .await?
        .into_iter()
        .filter(|s| s.origin_period.is_none())
        .map(|s| s.line)
        .collect();
    let known: HashSet<(String, String)> = qualified_in(&stored)
        .into_iter()
        .map(|q| (q.partner_id, q.customer_id))
        .collect();
    found.retain(|q| !known.contains(&(q.partner_id.clone(), q.customer_id.clone())));
    Ok(found)
}

/// After a commission run: queues the qualified-CPA postbacks of the
/// customers its lines paid (a late qualification in a closed period
/// included: the run recomputes that period), once per customer.
pub async fn queue_qualified(store: &Store, qualified: &[Qualified]) -> Result<u64> {
    if qualified.is_empty() {
        return Ok(0);
    }
    let mut tx = store.begin().await?;
    let targets = targets(&mut tx, OutEvent::QualifiedCpa).await?;
    let wanted: Vec<&Qualified> = qualified
        .iter()
        .filter(|q| targets.contains_key(&q.partner_id))
        .collect();
    if wanted.is_empty() {
        return Ok(0);
    }
    let ids: Vec<String> = wanted
        .iter()
        .map(|q| q.customer_id.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let customers: HashMap<String, Found> = tx
        .postback_customers(&ids)
        .await?
        .into_iter()
        .map(|f| (f.customer_id.clone(), f))
        .collect();
    let found: Vec<Found> = wanted
        .iter()
        .filter_map(|q| {
            customers.get(&q.customer_id).map(|c| Found {
                partner_id: q.partner_id.clone(),
                day: q.day.clone(),
                amount: q.amount.clone(),
                ..c.clone()
            })
        })
        .collect();
    let queued = write(
        &mut tx,
        OutEvent::QualifiedCpa,
        &targets,
        &found,
        &stamp(&Utc::now()),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(queued)
}

/// [`queue_qualified`] after a run committed: the run is kept whatever
/// happens here; a failure is logged (the qualifiers of open periods are
/// then in the stored lines, and are not found again).
pub async fn after_run(store: &Store, qualified: &[Qualified]) {
    if let Err(e) = queue_qualified(store, qualified).await {
        tracing::warn!("the run's qualified-CPA postbacks out were not queued: {e}");
    }
}
