//! A commission run in named steps: read what changed (here) and load the
//! engine (`load.rs`), compute each period from where the stored state
//! allows, write the lines that changed, the engine states, the customer
//! image and the audit entry.

use super::*;
use crate::{Context, Result};
use partnerdesk_domain::commission::{Line, PeriodState};
use partnerdesk_domain::engine::Engine;
use partnerdesk_domain::Period;
use partnerdesk_store::commissions::{
    save_engine_state, set_periods_current, take_dirty_from, PeriodRecord, PeriodWrite, StoredLine,
    UnparsedLine,
};
use partnerdesk_store::{Store, StoreError};
use std::collections::HashMap;

/// `partnerdesk commissions run --period P`: read what changed
/// ([`read_plan`], [`load_engine`]), compute each period from where the
/// stored state allows ([`keep_resumed`], then [`book_closed_period`] or
/// [`write_open_period`] per period), write what is left ([`finish`]).
#[tracing::instrument(name = "commissions::run", skip_all, fields(user = %ctx.actor.user))]
pub async fn run(ctx: &Context, through: Period) -> Result<RunReport> {
    ctx.authorize(&crate::access::COMMISSIONS_RUN).await?;
    let store = &ctx.store;
    let Some(plan) = read_plan(ctx, through).await? else {
        return Ok(RunReport {
            up_to_date: true,
            ..Default::default()
        });
    };
    let total = plan.range.len() as u64;
    let mut loaded = load_engine(store, &plan).await?;
    let mut report = RunReport::default();
    // Adjustments for closed periods, waiting for the next open period.
    let mut pending: Vec<StoredLine> = Vec::new();
    if loaded.start > 0 {
        keep_resumed(store, &plan, loaded.start, &mut report, &mut pending).await?;
    }
    // Customers the run's CPA lines pay that the stored lines did not:
    // their qualified-CPA postbacks out (only for partners with a URL).
    let cpa_targets = crate::tracking::postbacks_found::qualified_targets(store).await?;
    let mut qualified = Vec::new();
    for (i, period) in plan.range.iter().copied().enumerate().skip(loaded.start) {
        ctx.progress.report(
            "commissions",
            i as u64,
            total,
            &format!("computing {period}"),
        );
        let lines = match loaded.engine.as_mut() {
            Some(e) => compute_period(store, e, period, loaded.ahead.take()).await?,
            None => Vec::new(),
        };
        if !cpa_targets.is_empty() {
            qualified.extend(
                crate::tracking::postbacks_found::newly_qualified(
                    store,
                    period,
                    &lines,
                    &cpa_targets,
                )
                .await?,
            );
        }
        let outcome = if plan.closed(period) {
            book_closed_period(
                store,
                &plan,
                period,
                &lines,
                loaded.engine.as_ref(),
                &mut pending,
            )
            .await?
        } else {
            write_open_period(
                store,
                &plan,
                period,
                lines,
                &mut loaded.engine,
                &mut pending,
                &mut report.adjustments,
            )
            .await?
        };
        report.periods.push(outcome);
    }
    report.pending_adjustments = pending.len();
    let report = finish(ctx, &plan, loaded, report).await?;
    crate::tracking::postbacks_found::after_run(store, &qualified).await;
    Ok(report)
}

/// What a run's first transaction read: the data version it computes, the
/// periods' records, the range from the first period with data, and where a
/// stored engine state lets it resume.
pub(super) struct RunPlan {
    pub(super) through: Period,
    pub(super) version: String,
    pub(super) records: HashMap<Period, PeriodRecord>,
    pub(super) first: Option<Period>,
    pub(super) range: Vec<Period>,
    pub(super) resume_at: Option<Period>,
    pub(super) now: String,
}

impl RunPlan {
    fn closed(&self, period: Period) -> bool {
        self.records
            .get(&period)
            .is_some_and(|r| r.state == PeriodState::Closed)
    }
}

/// Read, 1: the data version, the periods' records and the changes since
/// the last run, in one transaction; None when every period is current. A
/// change counted after it is left for the next run (it moves the version
/// on, so the periods written here are out of date, and it marks where the
/// next run starts).
pub(super) async fn read_plan(ctx: &Context, through: Period) -> Result<Option<RunPlan>> {
    let mut tx = ctx.store.begin().await?;
    let version = tx.data_version_for_run().await?;
    let records: HashMap<Period, PeriodRecord> = tx
        .periods()
        .await?
        .into_iter()
        .map(|r| (r.period, r))
        .collect();
    let first = tx.first_data_period().await?.filter(|f| *f <= through);
    let range: Vec<Period> = match first {
        Some(f) => f.through(through).collect(),
        None => vec![through],
    };
    let fresh = |p: &Period| {
        records
            .get(p)
            .is_some_and(|r| r.state == PeriodState::Closed || r.inputs == version)
    };
    if range.iter().all(fresh) {
        tx.rollback().await?;
        return Ok(None);
    }
    ctx.progress.report(
        "commissions",
        0,
        range.len() as u64,
        "loading partners, plans and customers",
    );
    // Engine states from the earliest period changed since the last run on are stale.
    take_dirty_from(&mut tx).await?;
    let resume_at = match first {
        Some(f) => resume_point(&mut tx, &range, f).await?,
        None => None,
    };
    tx.commit().await?;
    Ok(Some(RunPlan {
        through,
        version,
        records,
        first,
        range,
        resume_at,
        now: ctx.now(),
    }))
}

/// Write, resumed periods: the periods before `start` are current at this
/// run's version (reported unchanged); adjustments already booked for
/// closed periods among them stay waiting for the first open period.
pub(super) async fn keep_resumed(
    store: &Store,
    plan: &RunPlan,
    start: usize,
    report: &mut RunReport,
    pending: &mut Vec<StoredLine>,
) -> Result<()> {
    let range = &plan.range;
    report.resumed_at = Some(range[start].to_string());
    let (from, to) = (range[0], range[start - 1]);
    let mut tx = store.begin().await?;
    set_periods_current(&mut tx, from, to, &plan.version).await?;
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
            closed: plan.closed(*period),
            period: p,
        });
    }
    // Adjustments already booked in the first open period for closed
    // periods before the resumed one stay as they are (their data did not
    // change); those of recomputed closed periods are added later.
    let resumed = range[start];
    if let Some(open) = range[start..].iter().find(|p| !plan.closed(**p)) {
        if range[..start].iter().any(|p| plan.closed(*p)) {
            let kept = store.read().await?.period_lines(*open).await?;
            pending.extend(
                kept.into_iter()
                    .filter(|s| s.origin_period.is_some_and(|o| o < resumed)),
            );
        }
    }
    Ok(())
}

/// Compute, a closed period: its lines never change; what the data would
/// change in them now is booked as adjustments for the next open period.
/// Its engine state is kept while no change was counted since the run began.
pub(super) async fn book_closed_period(
    store: &Store,
    plan: &RunPlan,
    period: Period,
    lines: &[Line],
    engine: Option<&Engine>,
    pending: &mut Vec<StoredLine>,
) -> Result<PeriodOutcome> {
    let mut read = store.read().await?;
    let stored = read.period_lines(period).await?;
    let closed_own: Vec<StoredLine> = stored
        .into_iter()
        .filter(|s| s.origin_period.is_none())
        .collect();
    let booked_closed: Vec<StoredLine> = {
        let all = read.adjustments_for(period).await?;
        let closed_periods: Vec<Period> = plan
            .records
            .values()
            .filter(|r| r.state == PeriodState::Closed)
            .map(|r| r.period)
            .collect();
        all.into_iter()
            .filter(|s| closed_periods.contains(&s.line.period))
            .collect()
    };
    pending.extend(adjustments(
        period,
        period,
        lines,
        &closed_own,
        &booked_closed,
    ));
    drop(read);
    if let Some(state) = engine.and_then(|e| e.snapshot()) {
        let mut tx = store.begin().await?;
        // Kept only while no change was counted since the run
        // began (see `Store::write_period`).
        if tx.data_version_for_run().await? == plan.version {
            save_engine_state(&mut tx, period, &state).await?;
        }
        tx.commit().await?;
    }
    Ok(PeriodOutcome {
        period: period.to_string(),
        lines: closed_own.len(),
        changed: false,
        closed: true,
    })
}

/// Write, an open period: its own lines and the adjustments waiting for it
/// are stored where they differ from what is stored, with the engine's
/// state after the period (written out on a thread of its own meanwhile).
pub(super) async fn write_open_period(
    store: &Store,
    plan: &RunPlan,
    period: Period,
    lines: Vec<Line>,
    engine: &mut Option<Engine>,
    pending: &mut Vec<StoredLine>,
    adjustments_written: &mut usize,
) -> Result<PeriodOutcome> {
    // Stored explanations stay text: parsed, they would double the memory
    // of a period's lines.
    let stored = store.read().await?.period_lines_unparsed(period).await?;
    let (stored_own, stored_adj): (Vec<UnparsedLine>, Vec<UnparsedLine>) = stored
        .into_iter()
        .partition(|s| s.stored.origin_period.is_none());
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
    *adjustments_written += new_adj.len();
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
        computed_at: plan.now.clone(),
        inputs: plan.version.clone(),
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
    *engine = shared
        .map(|e| {
            std::sync::Arc::into_inner(e)
                .ok_or_else(|| corrupt("the engine is still shared after its state was written"))
        })
        .transpose()?;
    Ok(PeriodOutcome {
        period: period.to_string(),
        lines: new_own.len(),
        changed,
        closed: false,
    })
}

/// Write, last: the customer image for the next run (when the customers
/// were read this time) and the run's audit entry.
pub(super) async fn finish(
    ctx: &Context,
    plan: &RunPlan,
    loaded: Loaded,
    mut report: RunReport,
) -> Result<RunReport> {
    let store = &ctx.store;
    let Loaded {
        mut engine,
        from_image,
        stamp,
        purchases_read,
        ..
    } = loaded;
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
    let total = plan.range.len() as u64;
    ctx.progress.report("commissions", total, total, "done");
    let mut tx = store.begin().await?;
    let summary = serde_json::to_string(&report).unwrap_or_default();
    partnerdesk_store::audit(
        &mut tx,
        &plan.now,
        &ctx.actor.user,
        "commissions.run",
        "period",
        &plan.through.to_string(),
        None,
        Some(&summary),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(report)
}
