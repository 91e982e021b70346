//! One period through the engine: its activity and trades read in the
//! background and fed as they come, the lines it yields, and the adjustments
//! late data books for closed periods.

use crate::Result;
use partnerdesk_domain::commission::{Explanation, Kind, Line};
use partnerdesk_domain::engine::{ActivityFeed, Engine, EngineError, TradeFeed};
use partnerdesk_domain::{CurrencyCode, Id, Period};
use partnerdesk_store::commissions::StoredLine;
use partnerdesk_store::data::{ActivityChunk, TradeChunk};
use partnerdesk_store::PeriodChunks;
use partnerdesk_store::Store;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// A period's activity and trades being read in the background.
pub(super) struct PeriodRows {
    period: Period,
    activity: PeriodChunks<ActivityChunk>,
    trades: PeriodChunks<TradeChunk>,
}

impl PeriodRows {
    /// Starts reading; activity and trades are read at the same time, each
    /// on its own connection and threads.
    pub(super) fn read(store: &Store, period: Period) -> Self {
        Self {
            period,
            activity: store.activity_chunks(period),
            trades: store.trade_chunks(period),
        }
    }
}

/// Computes one period from the store's rows (`rows`, when they are already
/// being read for it). The engine takes the chunks of activity and trades as
/// they come, since no rule depends on row order.
pub(super) async fn compute_period(
    store: &Store,
    engine: &mut Engine,
    period: Period,
    rows: Option<PeriodRows>,
) -> Result<Vec<Line>> {
    let mut run = engine.period(period)?;
    let PeriodRows {
        mut activity,
        mut trades,
        ..
    } = rows
        .filter(|r| r.period == period)
        .unwrap_or_else(|| PeriodRows::read(store, period));
    let add_days = |feed: &mut ActivityFeed<'_>, chunk: &ActivityChunk| {
        chunk
            .iter()
            .try_for_each(|(customer, day)| feed.add_day(customer, day))
    };
    let add_trades = |feed: &mut TradeFeed<'_>, chunk: &TradeChunk| {
        chunk
            .iter()
            .try_for_each(|(customer, trade)| feed.add_trade_figures(customer, &trade))
    };
    if activity.read_on_own_thread() && trades.read_on_own_thread() {
        // Each table's chunks are added as they come, each on a plain
        // thread of its own, neither waiting for the other's (nothing here
        // needs the async runtime: the rows are read by threads of their own).
        let (activity, trades) = (&mut activity, &mut trades);
        let added = std::thread::scope(|s| {
            s.spawn(|| {
                run.add_in_parallel(
                    |feed| each_chunk(activity, |chunk| add_days(feed, chunk)),
                    |feed| each_chunk(trades, |chunk| add_trades(feed, chunk)),
                )
            })
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p))
        });
        added?;
        return Ok(run.finish()?);
    }
    let (mut activity_open, mut trades_open) = (true, true);
    while activity_open || trades_open {
        // A chunk of each (while both still come), added at the same time:
        // the activity on this thread, the trades on another.
        let (days, deals) = tokio::join!(
            async {
                match activity_open {
                    true => activity.next().await.transpose(),
                    false => Ok(None),
                }
            },
            async {
                match trades_open {
                    true => trades.next().await.transpose(),
                    false => Ok(None),
                }
            },
        );
        let (days, deals) = (days?, deals?);
        activity_open = days.is_some();
        trades_open = deals.is_some();
        match (&days, &deals) {
            (Some(a), Some(t)) => run.add_in_parallel(|f| add_days(f, a), |f| add_trades(f, t))?,
            (Some(a), None) => a.iter().try_for_each(|(c, day)| run.add_day(c, day))?,
            (None, Some(t)) => t
                .iter()
                .try_for_each(|(c, trade)| run.add_trade_figures(c, &trade))?,
            (None, None) => {}
        }
        if let Some(chunk) = days {
            activity.recycle(chunk);
        }
        if let Some(chunk) = deals {
            trades.recycle(chunk);
        }
    }
    Ok(run.finish()?)
}

/// Adds every chunk of `chunks` with `add` as it comes, each handed back
/// once added; on a plain thread only (see [`PeriodChunks::next_blocking`]).
pub(super) fn each_chunk<T>(
    chunks: &mut PeriodChunks<T>,
    mut add: impl FnMut(&T) -> std::result::Result<(), EngineError>,
) -> Result<()> {
    while let Some(chunk) = chunks.next_blocking() {
        let chunk = chunk?;
        add(&chunk)?;
        chunks.recycle(chunk);
    }
    Ok(())
}

pub(super) fn own(lines: Vec<Line>) -> Vec<StoredLine> {
    lines
        .into_iter()
        .map(|line| StoredLine {
            line,
            origin_period: None,
        })
        .collect()
}

/// What late data changes in a closed period, per (partner, brand), as adjustment lines for `book_in`.
pub(super) fn adjustments(
    origin: Period,
    book_in: Period,
    recomputed: &[Line],
    closed: &[StoredLine],
    booked: &[StoredLine],
) -> Vec<StoredLine> {
    // (partner, brand) → kind → (recomputed − closed − already booked)
    let mut diff: BTreeMap<(Id, Id), (CurrencyCode, BTreeMap<&'static str, Decimal>)> =
        BTreeMap::new();
    for l in recomputed {
        let e = diff
            .entry((l.partner_id.clone(), l.brand_id.clone()))
            .or_insert((l.currency, BTreeMap::new()));
        *e.1.entry(l.kind.as_str()).or_default() += l.amount;
    }
    for s in closed.iter().filter(|s| s.line.kind != Kind::Adjustment) {
        let l = &s.line;
        let e = diff
            .entry((l.partner_id.clone(), l.brand_id.clone()))
            .or_insert((l.currency, BTreeMap::new()));
        *e.1.entry(l.kind.as_str()).or_default() -= l.amount;
    }
    for s in booked {
        let l = &s.line;
        let e = diff
            .entry((l.partner_id.clone(), l.brand_id.clone()))
            .or_insert((l.currency, BTreeMap::new()));
        *e.1.entry("already_booked").or_default() -= l.amount;
    }
    let mut out = Vec::new();
    for ((partner_id, brand_id), (currency, kinds)) in diff {
        let total: Decimal = kinds.values().copied().sum();
        if total.is_zero() {
            continue;
        }
        let by_kind: serde_json::Map<String, serde_json::Value> = kinds
            .iter()
            .filter(|(_, v)| !v.is_zero())
            .map(|(k, v)| (k.to_string(), serde_json::json!(v.normalize().to_string())))
            .collect();
        out.push(StoredLine {
            line: Line {
                partner_id,
                brand_id,
                period: book_in,
                kind: Kind::Adjustment,
                amount: total,
                currency,
                amount_brand: Decimal::ZERO,
                brand_currency: currency,
                fx_rate: Decimal::ONE,
                explanation: Explanation::of(&serde_json::json!({"reason": format!("late data for closed period {origin}"), "origin_period": origin.to_string(), "difference_by_kind": by_kind})),
            },
            origin_period: Some(origin),
        });
    }
    out
}
