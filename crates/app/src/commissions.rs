//! Commission runs, closing and the canonical export.
//!
//! A run computes the periods from the first one holding data up to the
//! asked one, in order (carry-over and CPA state chain through them). After
//! each period the engine's carried state is stored, so a later run resumes
//! at the first period whose data changed since (`mark_dirty`) from the
//! stored state of the period before it: one more day of data recomputes one
//! period, not all of them. Lines
//! are written only where they changed; a run with no new data since the last
//! one does nothing. Closed periods never change: what late data would change
//! in them is booked as `adjustment` lines in the first open period.

use crate::change::{Applied, Apply, Change, PeriodClose};
use crate::{AppError, Context, Result};
use partnerdesk_domain::commission::{canonical_csv, Explanation, Kind, Line};
use partnerdesk_domain::engine::{
    ActivityFeed, CustomerImage, Engine, EngineError, ParsedState, PartnerNode, StateError,
    TradeFeed, World,
};
use partnerdesk_domain::partner::{TrackingCode, TrackingKind};
use partnerdesk_domain::plan::Plan;
use partnerdesk_domain::{CountryCode, CurrencyCode, Id, Period};
use partnerdesk_store::commissions::{
    close_period, save_engine_state, set_periods_current, take_dirty_from, PeriodRecord,
    PeriodWrite, StoredLine, UnparsedLine,
};
use partnerdesk_store::data::{ActivityChunk, TradeChunk};
use partnerdesk_store::PeriodChunks;
use partnerdesk_store::{Store, StoreError, Tx};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Records that data changed from `first` on, in the transaction that
/// changes it: the data version moves on and the earliest changed period
/// since the last run is kept, both in SQL (two changes at once both count).
pub async fn mark_dirty(tx: &mut Tx<'_>, first: &str) -> Result<()> {
    // The version first: every writer of the two takes its row first (see
    // `Tx::data_version_for_run`).
    partnerdesk_store::commissions::count_change(tx).await?;
    // The earliest changed period since the last run: that run drops the
    // engine states from there on and recomputes from there.
    partnerdesk_store::commissions::note_dirty_from(tx, first).await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct PeriodOutcome {
    pub period: String,
    pub lines: usize,
    /// Whether stored lines changed.
    pub changed: bool,
    pub closed: bool,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct RunReport {
    pub periods: Vec<PeriodOutcome>,
    /// Nothing changed since the last run: nothing was computed.
    pub up_to_date: bool,
    pub adjustments: usize,
    /// Late data for closed periods that waits for an open period to be run.
    pub pending_adjustments: usize,
    /// The period this run resumed at from the engine state stored after the
    /// period before it (earlier periods were current); None when it computed
    /// from the first period with data.
    pub resumed_at: Option<String>,
    /// The customers came from the image stored by an earlier run (nothing
    /// they are resolved from changed since) instead of being read again.
    pub customers_from_image: bool,
    /// The purchases read: a resumed run reads only those of the customers
    /// with a purchase or a refund from its first period on.
    pub purchases_read: usize,
}

fn corrupt(e: impl std::fmt::Display) -> AppError {
    AppError::Store(StoreError::Corrupt(e.to_string()))
}

fn parse_plan(content: &str) -> Result<Plan> {
    let v: serde_json::Value = serde_json::from_str(content).map_err(corrupt)?;
    Plan::from_json(&v).map_err(corrupt)
}

/// Loads everything but the per-period rows.
pub(crate) async fn load_world(store: &Store) -> Result<World> {
    load_world_parts(store, true, None).await
}

/// [`load_world`], leaving out the customers unless `customers`, and with
/// only the purchases a run from `purchases_from` needs when that is set
/// (see [`World::purchases_from`]).
async fn load_world_parts(
    store: &Store,
    customers: bool,
    purchases_from: Option<Period>,
) -> Result<World> {
    let all_customers = async {
        match customers {
            true => store.customers().await,
            false => Ok(Vec::new()),
        }
    };
    let purchases = async {
        match purchases_from {
            Some(from) => store.purchases_touching(from).await,
            None => store.purchases().await,
        }
    };
    // Independent reads, each on its own pooled connection (SQLite reads
    // them in parallel in WAL mode, each connection on its own thread).
    // The reads of a few rows each go through a read transaction of their
    // own; the customers and purchases are the store's bulk reads.
    let (
        versions,
        pinned,
        parents,
        geo,
        codes,
        brands,
        assignments,
        customers,
        purchases,
        fx_rates,
    ) = tokio::try_join!(
        async { store.read().await?.plan_versions().await },
        async { store.read().await?.pinned_plan_versions().await },
        async { store.read().await?.partner_parents().await },
        async { store.read().await?.geo_blocks().await },
        async { store.read().await?.all_tracking_codes().await },
        async { store.read().await?.brand_list().await },
        async { store.read().await?.assignments().await },
        all_customers,
        purchases,
        async { store.read().await?.fx_rates().await },
    )?;
    let mut latest: BTreeMap<&str, &str> = BTreeMap::new();
    for v in &versions {
        latest.insert(&v.plan_id, &v.content);
    }
    let plans = latest
        .values()
        .map(|c| parse_plan(c))
        .collect::<Result<Vec<_>>>()?;
    let by_version: HashMap<(&str, i64), &str> = versions
        .iter()
        .map(|v| ((v.plan_id.as_str(), v.version), v.content.as_str()))
        .collect();
    let mut pinned_plans: HashMap<Period, Vec<Plan>> = HashMap::new();
    for (period, plan_id, version) in pinned {
        let period = Period::parse("period", &period).map_err(corrupt)?;
        if let Some(content) = by_version.get(&(plan_id.as_str(), version)) {
            pinned_plans
                .entry(period)
                .or_default()
                .push(parse_plan(content)?);
        }
    }
    let partners = parents
        .into_iter()
        .map(|(id, parent, currency)| {
            Ok(PartnerNode {
                partner_id: Id::parse("partner_id", &id).map_err(corrupt)?,
                parent_id: parent
                    .map(|p| Id::parse("parent_id", &p))
                    .transpose()
                    .map_err(corrupt)?,
                currency: CurrencyCode::parse("currency", &currency).map_err(corrupt)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let geo_blocks = geo
        .into_iter()
        .map(|(b, c)| {
            Ok((
                Id::parse("brand_id", &b).map_err(corrupt)?,
                CountryCode::parse("country", &c).map_err(corrupt)?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let tracking_codes = codes
        .into_iter()
        .map(|t| {
            Ok(TrackingCode {
                brand_id: Id::parse("brand_id", &t.brand_id).map_err(corrupt)?,
                code: t.code,
                partner_id: Id::parse("partner_id", &t.partner_id).map_err(corrupt)?,
                kind: TrackingKind::parse("kind", &t.kind).map_err(corrupt)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(World {
        brands,
        partners,
        plans,
        pinned_plans,
        assignments,
        geo_blocks,
        tracking_codes,
        customers,
        purchases,
        purchases_from,
        fx_rates,
    })
}

/// A period's activity and trades being read in the background.
struct PeriodRows {
    period: Period,
    activity: PeriodChunks<ActivityChunk>,
    trades: PeriodChunks<TradeChunk>,
}

impl PeriodRows {
    /// Starts reading; activity and trades are read at the same time, each
    /// on its own connection and threads.
    fn read(store: &Store, period: Period) -> Self {
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
async fn compute_period(
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
fn each_chunk<T>(
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

fn own(lines: Vec<Line>) -> Vec<StoredLine> {
    lines
        .into_iter()
        .map(|line| StoredLine {
            line,
            origin_period: String::new(),
        })
        .collect()
}

/// What late data changes in a closed period, per (partner, brand), as adjustment lines for `book_in`.
fn adjustments(
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
            origin_period: origin.to_string(),
        });
    }
    out
}

/// The last period of the longest prefix of `range` with a stored engine
/// state (states of periods whose data changed are dropped at the start of a
/// run): a run can resume after it. None when there is none.
async fn resume_point(tx: &mut Tx<'_>, range: &[Period], first: Period) -> Result<Option<Period>> {
    let stored: std::collections::HashSet<String> =
        tx.engine_state_periods().await?.into_iter().collect();
    let prefix = range
        .iter()
        .take_while(|p| stored.contains(&p.to_string()))
        .count();
    // Always compute at least the last period asked for when something is stale.
    let prefix = prefix.min(range.len().saturating_sub(1));
    if prefix == 0 || range.first() != Some(&first) {
        return Ok(None);
    }
    Ok(Some(range[prefix - 1]))
}

/// Restores the state stored for `last` (see [`resume_point`]) into
/// `engine`: how many periods at the start of `range` need no computing. 0
/// when the state cannot be restored (the run then starts from the first).
fn resume(
    engine: &mut Engine,
    range: &[Period],
    last: Period,
    state: std::result::Result<ParsedState, StateError>,
) -> Result<usize> {
    match state.and_then(|s| engine.restore_parsed(s)) {
        Ok(p) if p == last => Ok(range.iter().take_while(|p| **p <= last).count()),
        Ok(p) => Err(corrupt(format!(
            "the engine state stored for {last} is for {p}"
        ))),
        // A state that cannot be used (nothing was restored): compute from the first period.
        Err(_) => Ok(0),
    }
}

/// `partnerdesk commissions run --period P`.
#[tracing::instrument(name = "commissions::run", skip_all, fields(user = %ctx.actor.user))]
pub async fn run(ctx: &Context, through: Period) -> Result<RunReport> {
    ctx.authorize(&crate::access::COMMISSIONS_RUN).await?;
    let store = &ctx.store;
    // The data version, the periods' records and the changes since the last
    // run are taken in one transaction: a change counted after it is left
    // for the next run (it moves the version on, so the periods written
    // here are out of date, and it marks where the next run starts).
    let mut tx = store.begin().await?;
    let version = tx.data_version_for_run().await?;
    let records: HashMap<String, PeriodRecord> = tx
        .periods()
        .await?
        .into_iter()
        .map(|r| (r.period.clone(), r))
        .collect();
    let first = tx.first_data_period().await?.filter(|f| *f <= through);
    let range: Vec<Period> = match first {
        Some(f) => f.through(through).collect(),
        None => vec![through],
    };
    let fresh = |p: &Period| {
        records
            .get(&p.to_string())
            .is_some_and(|r| r.state == "closed" || r.inputs == version)
    };
    if range.iter().all(fresh) {
        tx.rollback().await?;
        return Ok(RunReport {
            up_to_date: true,
            ..Default::default()
        });
    }
    let now = ctx.now();
    let total = range.len() as u64;
    ctx.progress.report(
        "commissions",
        0,
        total,
        "loading partners, plans and customers",
    );
    // Engine states from the earliest period changed since the last run on are stale.
    take_dirty_from(&mut tx).await?;
    let resume_at = match first {
        Some(f) => resume_point(&mut tx, &range, f).await?,
        None => None,
    };
    tx.commit().await?;
    // The first period to compute is known now unless the stored state turns
    // out unusable: its rows start coming while the world loads and the
    // engine is built (single-threaded work that leaves a core free).
    // Resuming, only the purchases of customers with a purchase or a
    // refund from the first period to compute on are read (a run from the
    // first period needs them all).
    let purchases_from = resume_at.map(|last| last.next());
    let ahead = first.and_then(|f| match resume_at {
        Some(last) => range.iter().copied().find(|p| *p > last),
        None => Some(f),
    });
    let mut ahead = ahead.map(|p| PeriodRows::read(store, p));
    // The stored state and the customer image are each read into the
    // engine's form on a thread of their own as soon as their bytes are in,
    // while the rest of the world is still being read (each takes a few
    // tenths of a second at a million customers); their bytes go then.
    let state = async {
        let Some(bytes) = (match resume_at {
            Some(last) => store.engine_state(last).await?,
            None => None,
        }) else {
            return Ok::<_, AppError>(None);
        };
        let parsed = tokio::task::spawn_blocking(move || ParsedState::parse(&bytes))
            .await
            .map_err(|e| corrupt(format!("reading the engine state stopped: {e}")))?;
        Ok(Some(parsed))
    };
    // The customers come from their stored image while no customer, tracking
    // code, brand or geo block changed since it was written (the stamp is
    // read first: a change made while the world is read leaves the image
    // written below out of date, never wrong). The image is read at the
    // same time as the rest of the world, and the customers right after it
    // when there is none at the current stamp.
    let stamp = store.read().await?.world_stamp().await?;
    let image_or_customers = async {
        let image = match stamp {
            Some(stamp) => store.customer_image(stamp).await?,
            None => None,
        };
        let Some(bytes) = image else {
            return Ok::<_, AppError>((None, store.customers().await?));
        };
        let image = tokio::task::spawn_blocking(move || CustomerImage::decode(&bytes))
            .await
            .map_err(|e| corrupt(format!("reading the customer image stopped: {e}")))?;
        Ok((Some(image), Vec::new()))
    };
    let (world, image, state) = match first {
        Some(_) => {
            // The two large values first: they take pooled connections
            // before the many smaller reads of the world queue for them.
            let ((image, customers), state, mut world) = tokio::try_join!(
                image_or_customers,
                state,
                load_world_parts(store, false, purchases_from)
            )?;
            world.customers = customers;
            (Some(world), image, state)
        }
        None => (None, None, None),
    };
    let mut from_image = image.is_some();
    let engine = world
        .map(|w| match image {
            Some(image) => Engine::with_image(w, image?),
            None => Engine::new(w),
        })
        .transpose();
    let mut engine = match engine {
        // An image that cannot be used: the customers are read instead.
        Err(EngineError::CustomerImage(_)) => {
            from_image = false;
            Some(Engine::new(load_world(store).await?)?)
        }
        other => other?,
    };
    let mut report = RunReport::default();
    let mut pending: Vec<StoredLine> = Vec::new();
    // Resume after the last period of an unbroken prefix of the range whose
    // stored lines and engine state are still current.
    let start = match (resume_at, state, engine.as_mut()) {
        (Some(last), Some(state), Some(e)) => resume(e, &range, last, state)?,
        _ => 0,
    };
    // A state that could not be restored: every period is computed, from
    // a world read whole (the one read holds only the resumed run's purchases).
    if start == 0 && engine.is_some() && purchases_from.is_some() {
        from_image = false;
        engine = Some(Engine::new(load_world(store).await?)?);
    }
    let purchases_read = engine.as_ref().map_or(0, Engine::purchase_count);
    if start > 0 {
        report.resumed_at = Some(range[start].to_string());
        let (from, to) = (range[0], range[start - 1]);
        let mut tx = store.begin().await?;
        set_periods_current(&mut tx, from, to, &version).await?;
        tx.commit().await.map_err(StoreError::from)?;
        let counts: HashMap<String, i64> = store
            .read()
            .await?
            .own_line_counts(from, to)
            .await?
            .into_iter()
            .collect();
        for period in &range[..start] {
            let p = period.to_string();
            report.periods.push(PeriodOutcome {
                lines: counts.get(&p).copied().unwrap_or(0) as usize,
                changed: false,
                closed: records.get(&p).is_some_and(|r| r.state == "closed"),
                period: p,
            });
        }
        // Adjustments already booked in the first open period for closed
        // periods before the resumed one stay as they are (their data did not
        // change); those of recomputed closed periods are added below.
        let resumed = range[start];
        if let Some(open) = range[start..].iter().find(|p| {
            records
                .get(&p.to_string())
                .is_none_or(|r| r.state != "closed")
        }) {
            if range[..start].iter().any(|p| {
                records
                    .get(&p.to_string())
                    .is_some_and(|r| r.state == "closed")
            }) {
                let kept = store.read().await?.period_lines(*open).await?;
                pending.extend(kept.into_iter().filter(|s| {
                    !s.origin_period.is_empty() && s.origin_period < resumed.to_string()
                }));
            }
        }
    }
    for (i, period) in range.iter().copied().enumerate().skip(start) {
        ctx.progress.report(
            "commissions",
            i as u64,
            total,
            &format!("computing {period}"),
        );
        let lines = match engine.as_mut() {
            Some(e) => compute_period(store, e, period, ahead.take()).await?,
            None => Vec::new(),
        };
        let record = records.get(&period.to_string());
        let closed = record.is_some_and(|r| r.state == "closed");
        if closed {
            let mut read = store.read().await?;
            let stored = read.period_lines(period).await?;
            let closed_own: Vec<StoredLine> = stored
                .into_iter()
                .filter(|s| s.origin_period.is_empty())
                .collect();
            let booked_closed: Vec<StoredLine> = {
                let all = read.adjustments_for(period).await?;
                let closed_periods: Vec<&String> = records
                    .values()
                    .filter(|r| r.state == "closed")
                    .map(|r| &r.period)
                    .collect();
                all.into_iter()
                    .filter(|s| closed_periods.contains(&&s.line.period.to_string()))
                    .collect()
            };
            pending.extend(adjustments(
                period,
                period,
                &lines,
                &closed_own,
                &booked_closed,
            ));
            drop(read);
            if let Some(state) = engine.as_ref().and_then(|e| e.snapshot()) {
                let mut tx = store.begin().await?;
                // Kept only while no change was counted since the run
                // began (see `Store::write_period`).
                if tx.data_version_for_run().await? == version {
                    save_engine_state(&mut tx, period, &state).await?;
                }
                tx.commit().await?;
            }
            report.periods.push(PeriodOutcome {
                period: period.to_string(),
                lines: closed_own.len(),
                changed: false,
                closed: true,
            });
            continue;
        }
        // Stored explanations stay text: parsed, they would double the memory
        // of a period's lines.
        let stored = store.read().await?.period_lines_unparsed(period).await?;
        let (stored_own, stored_adj): (Vec<UnparsedLine>, Vec<UnparsedLine>) = stored
            .into_iter()
            .partition(|s| s.stored.origin_period.is_empty());
        let new_own = std::sync::Arc::new(own(lines));
        let new_adj: std::sync::Arc<Vec<StoredLine>> = std::sync::Arc::new(
            pending
                .drain(..)
                .map(|mut s| {
                    s.line.period = period;
                    s
                })
                .collect(),
        );
        report.adjustments += new_adj.len();
        let same = |stored: &[UnparsedLine], new: &[StoredLine]| {
            stored.len() == new.len() && stored.iter().zip(new).all(|(s, n)| s.same_as(n))
        };
        let (own_same, adj_same) = (same(&stored_own, &new_own), same(&stored_adj, &new_adj));
        let changed = !own_same || !adj_same;
        // The state after this period is written out on a thread of its own
        // while the lines are stored (each takes a few tenths of a second at
        // a million customers).
        let shared = engine.take().map(std::sync::Arc::new);
        let snapshot = shared
            .clone()
            .map(|e| tokio::task::spawn_blocking(move || e.snapshot()));
        let write = PeriodWrite {
            period,
            own: (!own_same).then(|| std::sync::Arc::clone(&new_own)),
            adjustments: (!adj_same).then(|| std::sync::Arc::clone(&new_adj)),
            computed_at: now.clone(),
            inputs: version.clone(),
        };
        let state = async {
            match snapshot {
                Some(snapshot) => snapshot.await.map_err(|e| {
                    StoreError::Corrupt(format!("writing out the engine state stopped: {e}"))
                }),
                None => Ok(None),
            }
        };
        store.write_period(write, state).await?;
        // The thread's share ended with it.
        engine = shared
            .map(|e| {
                std::sync::Arc::into_inner(e).ok_or_else(|| {
                    corrupt("the engine is still shared after its state was written")
                })
            })
            .transpose()?;
        report.periods.push(PeriodOutcome {
            period: period.to_string(),
            lines: new_own.len(),
            changed,
            closed: false,
        });
    }
    report.pending_adjustments = pending.len();
    report.customers_from_image = from_image;
    report.purchases_read = purchases_read;
    if let (Some(e), Some(stamp), false) = (engine.as_ref(), stamp, from_image) {
        store
            .save_customer_image(stamp, &e.customer_image()?)
            .await?;
    }
    // A million customers are freed on a thread of their own.
    if let Some(e) = engine.take() {
        std::thread::spawn(move || drop(e));
    }
    ctx.progress.report("commissions", total, total, "done");
    let mut tx = store.begin().await?;
    let summary = serde_json::to_string(&report).unwrap_or_default();
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "commissions.run",
        "period",
        &through.to_string(),
        None,
        Some(&summary),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(report)
}

/// A period's lines, refusing a period that was never computed or is out of date.
#[tracing::instrument(name = "commissions::computed_lines", skip_all, fields(user = %ctx.actor.user))]
pub async fn computed_lines(ctx: &Context, period: Period) -> Result<Vec<StoredLine>> {
    ctx.authorize(&crate::access::READ).await?;
    current_lines(&mut ctx.store.read().await?, period).await
}

/// Refuses a period that was never computed or is out of date.
pub(crate) async fn check_current(tx: &mut Tx<'_>, period: Period) -> Result<()> {
    let version = tx.data_version().await?;
    let record = tx
        .periods()
        .await?
        .into_iter()
        .find(|r| r.period == period.to_string());
    match record {
        None => Err(AppError::Refused(format!(
            "period {period} has not been computed; run `partnerdesk commissions run --period {period}` first"
        ))),
        Some(r) if r.state != "closed" && r.inputs != version => Err(AppError::Refused(format!(
            "period {period} is out of date: data changed since it was computed; run `partnerdesk commissions run --period {period}` again"
        ))),
        Some(_) => Ok(()),
    }
}

/// [`computed_lines`] in the caller's transaction.
pub(crate) async fn current_lines(tx: &mut Tx<'_>, period: Period) -> Result<Vec<StoredLine>> {
    check_current(tx, period).await?;
    Ok(tx.period_lines(period).await?)
}

/// The canonical export of RULES.md for a period.
#[tracing::instrument(name = "commissions::export_csv", skip_all, fields(user = %ctx.actor.user))]
pub async fn export_csv(ctx: &Context, period: Period) -> Result<String> {
    ctx.authorize(&crate::access::COMMISSIONS_EXPORT).await?;
    let lines = current_lines(&mut ctx.store.read().await?, period).await?;
    Ok(canonical_csv(lines.iter().map(|s| &s.line)))
}

/// Closes a computed, up-to-date period; its lines never change afterwards.
/// With four eyes in force the close waits for a finance approver (returned).
#[tracing::instrument(name = "commissions::close", skip_all, fields(user = %ctx.actor.user))]
pub async fn close(
    ctx: &Context,
    period: Period,
) -> Result<Option<crate::approvals::ApprovalView>> {
    ctx.authorize(&crate::access::COMMISSIONS_CLOSE).await?;
    let mut tx = ctx.store.begin().await?;
    check_closable(&mut tx, period).await?;
    if let Some(id) = crate::approvals::queue(
        ctx,
        &mut tx,
        crate::approvals::Request {
            change: Change::PeriodClose(PeriodClose {
                period: period.to_string(),
            }),
            object_type: "period",
            object_id: &period.to_string(),
            summary: format!("close period {period}: its lines never change afterwards"),
            amount: None,
        },
    )
    .await?
    {
        tx.commit().await?;
        return crate::approvals::view_of(ctx, id).await;
    }
    write_close(ctx, &mut tx, period, None).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(None)
}

/// Closes an approved period (checked again: it must still be computed and next in line).
impl Apply for PeriodClose {
    async fn apply(&self, ctx: &Context, tx: &mut Tx<'_>, on: &Applied<'_>) -> Result<()> {
        let period = Period::parse("period", &self.period)?;
        check_closable(tx, period).await?;
        write_close(ctx, tx, period, Some(on)).await
    }
}

async fn check_closable(tx: &mut Tx<'_>, period: Period) -> Result<()> {
    check_current(tx, period).await?;
    let records = tx.periods().await?;
    if let Some(open) = records
        .iter()
        .find(|r| r.state != "closed" && r.period < period.to_string())
    {
        return Err(AppError::Refused(format!(
            "period {} is still open; close periods in order",
            open.period
        )));
    }
    if records
        .iter()
        .any(|r| r.period == period.to_string() && r.state == "closed")
    {
        return Err(AppError::Refused(format!(
            "period {period} is already closed"
        )));
    }
    Ok(())
}

async fn write_close(
    ctx: &Context,
    tx: &mut Tx<'_>,
    period: Period,
    applied: Option<&Applied<'_>>,
) -> Result<()> {
    let mut latest: BTreeMap<String, i64> = BTreeMap::new();
    for v in tx.plan_versions().await? {
        latest.insert(v.plan_id, v.version);
    }
    let versions: Vec<(String, i64)> = latest.into_iter().collect();
    let now = ctx.now();
    close_period(tx, period, &now, &ctx.actor.user, &versions).await?;
    // The closed lines (adjustments included) post to the ledger in the same transaction.
    crate::ledger::post_closed_period(tx, period, &now, &ctx.actor.user).await?;
    partnerdesk_store::audit(
        tx,
        &now,
        &ctx.actor.user,
        "period.close",
        "period",
        &period.to_string(),
        None,
        Some(&crate::approvals::applied_note(applied).to_string()),
    )
    .await?;
    Ok(())
}
