//! Reading for a run, step 2: the engine built from the world and the
//! customers (from their stored image when nothing they are resolved from
//! changed), with the stored engine state of the last current period
//! restored, so the run resumes after it.

use super::*;
use crate::{AppError, Result};
use partnerdesk_domain::engine::{CustomerImage, Engine, EngineError, ParsedState, StateError};
use partnerdesk_domain::Period;
use partnerdesk_store::{Store, Tx};

/// The engine a run computes with, and where it starts.
pub(super) struct Loaded {
    /// None when there is no data at all.
    pub(super) engine: Option<Engine>,
    /// How many periods at the start of the range need no computing.
    pub(super) start: usize,
    /// The rows of the first period to compute, already being read.
    pub(super) ahead: Option<PeriodRows>,
    pub(super) from_image: bool,
    /// The world stamp the customers were read at.
    pub(super) stamp: Option<i64>,
    pub(super) purchases_read: usize,
}

/// Read, 2: the world, the customers (from their stored image when nothing
/// they are resolved from changed) and the stored engine state, restored.
pub(super) async fn load_engine(store: &Store, plan: &RunPlan) -> Result<Loaded> {
    let (first, resume_at, range) = (plan.first, plan.resume_at, &plan.range);
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
    let ahead = ahead.map(|p| PeriodRows::read(store, p));
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
    // Resume after the last period of an unbroken prefix of the range whose
    // stored lines and engine state are still current.
    let start = match (resume_at, state, engine.as_mut()) {
        (Some(last), Some(state), Some(e)) => resume(e, range, last, state)?,
        _ => 0,
    };
    // A state that could not be restored: every period is computed, from
    // a world read whole (the one read holds only the resumed run's purchases).
    if start == 0 && engine.is_some() && purchases_from.is_some() {
        from_image = false;
        engine = Some(Engine::new(load_world(store).await?)?);
    }
    let purchases_read = engine.as_ref().map_or(0, Engine::purchase_count);
    Ok(Loaded {
        engine,
        start,
        ahead,
        from_image,
        stamp,
        purchases_read,
    })
}

/// The last period of the longest prefix of `range` with a stored engine
/// state (states of periods whose data changed are dropped at the start of a
/// run): a run can resume after it. None when there is none.
pub(super) async fn resume_point(
    tx: &mut Tx<'_>,
    range: &[Period],
    first: Period,
) -> Result<Option<Period>> {
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
pub(super) fn resume(
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
