//! The retry list: records a sync could not take wait here with their
//! reason (issue 25, "nothing refused is ever lost"). Every run tries a
//! stream's waiting records again before it reads the stream on (a trade
//! whose account arrived since is stored now); the desktop's "retry" does
//! the same without a run. Records of ours are written again as they are;
//! the platform's records are converted again with the connection's
//! settings as they are now (a country alias added, a mapping fixed). MT5
//! deals cannot be read one by one: they wait until the deals are read
//! again (the run's overlap, or a sync from an earlier date), and leave the
//! list once their trade is stored.
//!
//! Also here: the customers kept with an unknown country, and their
//! re-mapping when the operator adds country aliases.

use super::run::{register, Report};
use super::views::{PendingView, RetryOutcome, UnmappedCountryView};
use super::write::{write_page, Prepared, StreamState};
use super::{connection, credentials, stored_config};
use crate::{AppError, Context, Result};
use partnerdesk_domain::data::{ActivityDay, Customer, Purchase, Trade};
use partnerdesk_domain::sync_run::PendingKind;
use partnerdesk_domain::Period;
use partnerdesk_store::sync_retry::{self as sr, PendingRow};
use partnerdesk_store::{StoreError, Tx};
use partnerdesk_sync::country::{Aliases, Country};
use partnerdesk_sync::{Cancel, Connector, ConnectorConfig, Http, Page, RetryPolicy};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Waiting records per try (a retry goes on until none is left to try).
const CHUNK: i64 = 5_000;

/// A connection's waiting records, oldest first.
#[tracing::instrument(name = "sync::pending", skip_all, fields(user = %ctx.actor.user))]
pub async fn pending(ctx: &Context, name: &str, limit: i64) -> Result<Vec<PendingView>> {
    ctx.authorize(&crate::access::READ).await?;
    connection(ctx, name).await?;
    let mut tx = ctx.store.begin().await?;
    let rows = sr::pending(&mut tx, name, None, limit.clamp(1, 10_000)).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(rows
        .into_iter()
        .map(|r| PendingView {
            stream: r.stream,
            record_key: r.record_key,
            label: r.label,
            reason: r.reason,
            first_seen: r.first_seen,
            last_tried: r.last_tried,
            attempts: r.attempts,
        })
        .collect())
}

/// The country texts that named no country, with their customers.
#[tracing::instrument(name = "sync::unmapped_countries", skip_all, fields(user = %ctx.actor.user))]
pub async fn unmapped_countries(ctx: &Context, name: &str) -> Result<Vec<UnmappedCountryView>> {
    ctx.authorize(&crate::access::READ).await?;
    connection(ctx, name).await?;
    let mut tx = ctx.store.begin().await?;
    let rows = sr::unmapped(&mut tx, name).await?;
    tx.commit().await.map_err(StoreError::from)?;
    let mut by_text: BTreeMap<String, i64> = BTreeMap::new();
    for (_, text) in rows {
        *by_text.entry(text).or_default() += 1;
    }
    Ok(by_text
        .into_iter()
        .map(|(text, customers)| UnmappedCountryView { text, customers })
        .collect())
}

/// Tries a connection's waiting records again now, without reading the
/// platform: those that can be stored are, the rest wait on (with the new
/// reason). Audited.
#[tracing::instrument(name = "sync::retry", skip_all, fields(user = %ctx.actor.user))]
pub async fn retry(ctx: &Context, name: &str) -> Result<RetryOutcome> {
    ctx.authorize(&crate::access::SYNC_RUN).await?;
    let row = connection(ctx, name).await?;
    let config = stored_config(&row)?;
    let _registered = register(ctx, name, Cancel::new())?;
    // The connector converts the platform's records (no network is used);
    // without its secrets only our own records can be tried.
    let conn: Option<Box<dyn Connector>> = match &config {
        ConnectorConfig::Csv(_) => None,
        c => credentials(ctx, name, c).ok().and_then(|creds| {
            let http = Http::new(RetryPolicy::default(), Cancel::new()).ok()?;
            partnerdesk_sync::connector(c, &creds, http).ok()
        }),
    };
    let streams: Vec<&'static str> = match &conn {
        Some(c) => c.streams(),
        None => vec!["users", "deals", "registrations", "activity", "orders"],
    };
    let mut total = RetryOutcome::default();
    let mut report = Report::default();
    for stream in streams {
        let state = Arc::new(Mutex::new(stream_state(ctx, name, stream).await?));
        let o = retry_waiting(
            ctx,
            None,
            name,
            stream,
            conn.as_deref(),
            &state,
            &mut report,
        )
        .await?;
        total.tried += o.tried;
        total.stored += o.stored;
        total.waiting += o.waiting;
    }
    let now = ctx.now();
    let mut tx = ctx.store.begin().await?;
    let summary =
        serde_json::json!({"tried": total.tried, "stored": total.stored, "waiting": total.waiting});
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "sync.retry",
        "connection",
        name,
        None,
        Some(&summary.to_string()),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(total)
}

/// What a stream's pages need to know of the retry list and the unmapped
/// countries.
pub(super) async fn stream_state(ctx: &Context, name: &str, stream: &str) -> Result<StreamState> {
    let mut tx = ctx.store.begin().await?;
    let pending = sr::pending_keys(&mut tx, name, stream).await?;
    let unmapped = sr::unmapped(&mut tx, name)
        .await?
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    tx.commit().await.map_err(StoreError::from)?;
    Ok(StreamState { pending, unmapped })
}

/// Our record kept in the retry list, back into a page.
fn into_page(payload: &str, page: &mut Page) -> bool {
    let Ok(serde_json::Value::Object(m)) = serde_json::from_str::<serde_json::Value>(payload)
    else {
        return false;
    };
    let Some((kind, value)) = m.into_iter().next() else {
        return false;
    };
    match kind.as_str() {
        "customer" => serde_json::from_value::<Customer>(value).map(|c| page.customers.push(c)),
        "activity" => serde_json::from_value::<ActivityDay>(value).map(|a| page.activity.push(a)),
        "trade" => serde_json::from_value::<Trade>(value).map(|t| page.trades.push(t)),
        "purchase" => serde_json::from_value::<Purchase>(value).map(|p| page.purchases.push(p)),
        "refund" => {
            serde_json::from_value::<Purchase>(value).map(|p| page.refunds_if_stored.push(p))
        }
        _ => return false,
    }
    .is_ok()
}

/// Tries the stream's waiting records again (`run_id`: inside that run).
pub(super) async fn retry_waiting(
    ctx: &Context,
    run_id: Option<i64>,
    name: &str,
    stream: &str,
    conn: Option<&dyn Connector>,
    state: &Mutex<StreamState>,
    report: &mut Report,
) -> Result<RetryOutcome> {
    let mut outcome = RetryOutcome::default();
    let mut tx = ctx.store.begin().await?;
    let rows: Vec<PendingRow> = sr::pending(&mut tx, name, Some(stream), i64::MAX).await?;
    tx.commit().await.map_err(StoreError::from)?;
    for chunk in rows.chunks(CHUNK as usize) {
        let mut page = Page::default();
        let mut tried = 0;
        for r in chunk {
            let taken = match r.kind {
                PendingKind::Record => into_page(&r.payload, &mut page),
                PendingKind::Raw => {
                    match (conn, serde_json::from_str::<serde_json::Value>(&r.payload)) {
                        (Some(c), Ok(raw)) if !raw.is_null() => match c.convert(stream, &raw) {
                            Some(p) => {
                                merge(&mut page, p);
                                true
                            }
                            None => false,
                        },
                        _ => false,
                    }
                }
            };
            if taken {
                tried += 1;
            }
        }
        if tried == 0 {
            outcome.waiting += chunk.len() as i64;
            continue;
        }
        outcome.tried += tried;
        // A retry counts no fetched records and moves no cursor.
        page.fetched = 0;
        page.cursor = None;
        report.add(&page);
        let mut prepared = Prepared::new(page);
        let w = write_page(ctx, run_id, name, stream, &mut prepared, state).await?;
        outcome.stored += w.stored;
        outcome.waiting += w.waiting + (chunk.len() as i64 - tried);
    }
    Ok(outcome)
}

fn merge(into: &mut Page, p: Page) {
    into.customers.extend(p.customers);
    into.customers_if_new.extend(p.customers_if_new);
    into.activity.extend(p.activity);
    into.trades.extend(p.trades);
    into.purchases.extend(p.purchases);
    into.refunds_if_stored.extend(p.refunds_if_stored);
    into.errors.extend(p.errors);
    into.unmapped_countries.extend(p.unmapped_countries);
    for (n, c) in p.notes {
        *into.notes.entry(n).or_default() += c;
    }
}

/// Customers kept with an unknown country whose text `config`'s aliases
/// (or the built-in table) now name get that country; the periods from
/// their registration on are marked for recomputation. Audited.
pub(super) async fn remap_countries(
    ctx: &Context,
    tx: &mut Tx<'_>,
    name: &str,
    config: &ConnectorConfig,
    now: &str,
) -> Result<()> {
    let Some(aliases) = config.country_aliases() else {
        return Ok(());
    };
    let aliases =
        Aliases::parse(aliases).map_err(|e| AppError::invalid("config", e.to_string()))?;
    let mut named: Vec<(String, String)> = Vec::new();
    for (customer, text) in sr::unmapped(tx, name).await? {
        if let Country::Known(code) = aliases.read(&text) {
            named.push((customer, code.to_string()));
        }
    }
    if named.is_empty() {
        return Ok(());
    }
    let changed = sr::set_unknown_countries(tx, &named).await?;
    let ids: Vec<&str> = named.iter().map(|(c, _)| c.as_str()).collect();
    sr::clear_unmapped(tx, name, &ids).await?;
    if let Some(first) = sr::earliest_registration(tx, &changed).await? {
        if let Ok(t) = partnerdesk_domain::data::parse_time("registered_at", &first) {
            let period = Period::of(t.date_naive()).to_string();
            crate::commissions::mark_dirty(tx, &period).await?;
            crate::reports::mark_stale(tx, &period).await?;
        }
    }
    let after = serde_json::json!({"customers": changed.len(), "mapped": named.iter().map(|(c, k)| format!("{c}={k}")).collect::<Vec<_>>()});
    partnerdesk_store::audit(
        tx,
        now,
        &ctx.actor.user,
        "sync.countries",
        "connection",
        name,
        None,
        Some(&after.to_string()),
    )
    .await?;
    Ok(())
}
