//! Running a sync: one connection at a time per database in this process
//! (cancellable), every stream from its stored cursor to the end, the
//! stream's waiting records tried again first, and the run recorded with
//! its counts, status, error (without credentials) and report.

use super::retry;
use super::views::{RunReport, SyncRunView};
use super::write::{write_page, Prepared};
use super::{check_brand, connection, credentials, redact, stored_config, sync_err};
use crate::{AppError, Context, Result};
use partnerdesk_domain::sync_run::SyncRunStatus;
use partnerdesk_store::sync::{self as ss, Counts};
use partnerdesk_store::StoreError;
use partnerdesk_sync::{Cancel, ConnectorConfig, Http, Page, RetryPolicy, SyncError};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

/// What a run found besides its counts, added up page by page.
#[derive(Debug, Default)]
pub(super) struct Report {
    pub unmapped: BTreeMap<String, u64>,
    pub notes: BTreeMap<String, u64>,
}

impl Report {
    pub fn add(&mut self, page: &Page) {
        for u in &page.unmapped_countries {
            *self.unmapped.entry(u.text.clone()).or_default() += 1;
        }
        for (n, c) in &page.notes {
            *self.notes.entry(n.clone()).or_default() += c;
        }
    }

    pub fn view(&self) -> RunReport {
        RunReport::from_counts(&self.unmapped, &self.notes)
    }
}

/// How a run behaves (tests shorten the waits).
#[derive(Clone, Default)]
pub struct RunOptions {
    pub policy: RetryPolicy,
    pub cancel: Cancel,
}

/// Runs under way in this process, by database and connection, for [`cancel`].
pub(super) fn running() -> &'static Mutex<HashMap<String, Cancel>> {
    static RUNNING: OnceLock<Mutex<HashMap<String, Cancel>>> = OnceLock::new();
    RUNNING.get_or_init(|| Mutex::new(HashMap::new()))
}

pub(super) fn run_key(ctx: &Context, name: &str) -> String {
    format!("{}\n{name}", ctx.store.location())
}

/// Unregisters a run however it ends (also when its task is dropped).
pub(super) struct Registered(pub(super) String);

impl Drop for Registered {
    fn drop(&mut self) {
        if let Ok(mut map) = running().lock() {
            map.remove(&self.0);
        }
    }
}

/// Asks a run under way to stop after the request in flight; true when one was.
#[tracing::instrument(name = "sync::cancel", skip_all, fields(user = %ctx.actor.user))]
pub async fn cancel(ctx: &Context, name: &str) -> Result<bool> {
    ctx.authorize(&crate::access::SYNC_RUN).await?;
    Ok(running()
        .lock()
        .ok()
        .and_then(|m| m.get(&run_key(ctx, name)).cloned())
        .map(|c| c.cancel())
        .is_some())
}

/// Connects and signs in without syncing; says what it reached.
#[tracing::instrument(name = "sync::test", skip_all, fields(user = %ctx.actor.user))]
pub async fn test(ctx: &Context, name: &str) -> Result<String> {
    ctx.authorize(&crate::access::SYNC_RUN).await?;
    let row = connection(ctx, name).await?;
    let config = stored_config(&row)?;
    if let ConnectorConfig::Csv(c) = &config {
        let dir = std::path::Path::new(&c.folder);
        let present: Vec<&str> = crate::import::FILES
            .iter()
            .copied()
            .filter(|f| dir.join(f).exists())
            .collect();
        if present.is_empty() {
            return Err(AppError::Refused(format!(
                "{} holds none of the import files ({})",
                dir.display(),
                crate::import::FILES.join(", ")
            )));
        }
        return Ok(format!("{} holds {}", dir.display(), present.join(", ")));
    }
    let creds = credentials(ctx, name, &config)?;
    let policy = RetryPolicy {
        attempts: 2,
        ..RetryPolicy::default()
    };
    let http = Http::new(policy, Cancel::new()).map_err(|e| sync_err(e, &creds))?;
    let mut conn =
        partnerdesk_sync::connector(&config, &creds, http).map_err(|e| sync_err(e, &creds))?;
    conn.test().await.map_err(|e| sync_err(e, &creds))
}

/// Syncs a connection now: every stream from its stored cursor to the end.
/// The run is recorded (counts, status, error) whatever happens; a failed or
/// cancelled run answers an error after recording it.
#[tracing::instrument(name = "sync::run", skip_all, fields(user = %ctx.actor.user))]
pub async fn run(ctx: &Context, name: &str, options: RunOptions) -> Result<SyncRunView> {
    ctx.authorize(&crate::access::SYNC_RUN).await?;
    let row = connection(ctx, name).await?;
    let config = stored_config(&row)?;
    let _registered = register(ctx, name, options.cancel.clone())?;
    run_registered(ctx, name, &config, options).await
}

/// Registers a run of `name` (or refuses when one is under way here).
pub(super) fn register(ctx: &Context, name: &str, cancel: Cancel) -> Result<Registered> {
    let key = run_key(ctx, name);
    let mut map = running()
        .lock()
        .map_err(|_| AppError::Refused("sync state poisoned".into()))?;
    if map.contains_key(&key) {
        return Err(AppError::Refused(format!(
            "connection '{name}' is already syncing; wait for it or cancel it"
        )));
    }
    map.insert(key.clone(), cancel);
    Ok(Registered(key))
}

async fn run_registered(
    ctx: &Context,
    name: &str,
    config: &ConnectorConfig,
    options: RunOptions,
) -> Result<SyncRunView> {
    let mut tx = ctx.store.begin().await?;
    let run_id = ss::start_run(&mut tx, name, &ctx.now()).await?;
    tx.commit().await.map_err(StoreError::from)?;
    ctx.progress
        .report("sync", 0, 0, &format!("{name}: connecting"));
    let mut report = Report::default();
    let outcome = match config {
        ConnectorConfig::Csv(c) => run_csv(ctx, run_id, &c.folder).await,
        other => run_http(ctx, run_id, name, other, &options, &mut report).await,
    };
    let (status, error) = match &outcome {
        Ok(()) => {
            let errors = ctx
                .store
                .read()
                .await?
                .sync_run(run_id)
                .await?
                .map(|r| r.errors)
                .unwrap_or(0);
            (
                if errors > 0 {
                    SyncRunStatus::OkWithErrors
                } else {
                    SyncRunStatus::Ok
                },
                None,
            )
        }
        Err(AppError::Refused(m)) if m == "cancelled" => (
            SyncRunStatus::Cancelled,
            Some(
                "cancelled; the pages stored so far are kept and the next run resumes after them"
                    .to_string(),
            ),
        ),
        Err(e) => (SyncRunStatus::Failed, Some(e.to_string())),
    };
    // What the sync brought shows in reports at once (a failure here only
    // leaves the roll-ups to the next report).
    if let Err(e) = crate::reports::refresh(&ctx.store).await {
        tracing::warn!("the reporting roll-ups were not brought up to date after a sync: {e}");
    }
    let now = ctx.now();
    let mut tx = ctx.store.begin().await?;
    let report_json = match config {
        ConnectorConfig::Csv(_) => None,
        _ => serde_json::to_string(&report.view()).ok(),
    };
    ss::finish_run(
        &mut tx,
        run_id,
        status,
        error.as_deref(),
        report_json.as_deref(),
        &now,
    )
    .await?;
    let done = tx.sync_run(run_id).await?;
    let summary = serde_json::json!({
        "run_id": run_id, "status": status, "error": error,
        "fetched": done.as_ref().map(|r| r.fetched), "inserted": done.as_ref().map(|r| r.inserted),
        "updated": done.as_ref().map(|r| r.updated), "skipped": done.as_ref().map(|r| r.skipped),
        "errors": done.as_ref().map(|r| r.errors),
    });
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "sync.run",
        "connection",
        name,
        None,
        Some(&summary.to_string()),
    )
    .await?;
    let view: SyncRunView = tx
        .sync_run(run_id)
        .await?
        .ok_or_else(|| AppError::NotFound {
            what: "sync run",
            id: run_id.to_string(),
        })?
        .into();
    tx.commit().await.map_err(StoreError::from)?;
    ctx.progress.report(
        "sync",
        view.fetched as u64,
        view.fetched as u64,
        &format!("{name}: {status}"),
    );
    match outcome {
        Ok(()) => Ok(view),
        Err(e) => Err(e),
    }
}

async fn run_csv(ctx: &Context, run_id: i64, folder: &str) -> Result<()> {
    let report = crate::import::import_folder(ctx, std::path::Path::new(folder)).await?;
    let mut tx = ctx.store.begin().await?;
    let rows = report.rows() as i64;
    ss::add_to_run(
        &mut tx,
        run_id,
        rows,
        Counts {
            // The import upserts every row; it does not tell new from changed.
            updated: rows,
            ..Counts::default()
        },
        0,
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

async fn run_http(
    ctx: &Context,
    run_id: i64,
    name: &str,
    config: &ConnectorConfig,
    options: &RunOptions,
    report: &mut Report,
) -> Result<()> {
    check_brand(&mut ctx.store.read().await?, config)
        .await
        .map_err(|e| AppError::Refused(e.to_string()))?;
    let creds = credentials(ctx, name, config)?;
    let err = |e: SyncError| sync_err(e, &creds);
    let progress = ctx.progress.clone();
    let label = name.to_string();
    let secrets = creds.clone();
    let notice: partnerdesk_sync::http::Notice = Arc::new(move |text: &str| {
        progress.report(
            "sync",
            0,
            0,
            &format!("{label}: {}", redact(text, &secrets)),
        )
    });
    let http = Http::new(options.policy.clone(), options.cancel.clone())
        .map_err(err)?
        .with_notice(notice);
    let mut conn = partnerdesk_sync::connector(config, &creds, http).map_err(err)?;
    let result = run_streams(ctx, run_id, name, conn.as_mut(), options, report, &err).await;
    for (n, c) in conn.notes() {
        *report.notes.entry(n).or_default() += c;
    }
    result
}

async fn run_streams(
    ctx: &Context,
    run_id: i64,
    name: &str,
    conn: &mut dyn partnerdesk_sync::Connector,
    options: &RunOptions,
    report: &mut Report,
    err: &(dyn Fn(SyncError) -> AppError + Sync),
) -> Result<()> {
    let mut fetched_total = 0u64;
    for stream in conn.streams() {
        let state = Arc::new(Mutex::new(retry::stream_state(ctx, name, stream).await?));
        // What waits from earlier runs first (its customers may be here now).
        retry::retry_waiting(
            ctx,
            Some(run_id),
            name,
            stream,
            Some(&*conn),
            &state,
            report,
        )
        .await?;
        let mut cursor = ctx.store.read().await?.sync_cursor(name, stream).await?;
        let mut same = 0;
        if options.cancel.is_cancelled() {
            return Err(err(SyncError::Cancelled));
        }
        let mut page = conn
            .fetch(stream, cursor.as_deref())
            .await
            .map(Prepared::new)
            .map_err(err)?;
        loop {
            // While page N is written, page N+1 is fetched and its rows made
            // ready (its cursor is known already); it is stored only after
            // page N committed.
            let more = !page.page.done && page.page.cursor != cursor;
            let next_cursor = page.page.cursor.clone();
            report.add(&page.page);
            let (written, next) = if more && !options.cancel.is_cancelled() {
                // The write runs as a task of its own, so fetching and
                // preparing the next page here does not hold up its statements.
                let (c, n, st, s) = (
                    ctx.clone(),
                    name.to_string(),
                    stream.to_string(),
                    state.clone(),
                );
                let writing = AbortOnDrop(tokio::spawn(async move {
                    let r = write_page(&c, Some(run_id), &n, &st, &mut page, &s).await;
                    (r, page)
                }));
                let next = conn
                    .fetch(stream, next_cursor.as_deref())
                    .await
                    .map(Prepared::new);
                let (w, p) = writing.join().await?;
                page = p;
                (w, Some(next))
            } else {
                (
                    write_page(ctx, Some(run_id), name, stream, &mut page, &state).await,
                    None,
                )
            };
            written?;
            fetched_total += page.page.fetched;
            ctx.progress.report(
                "sync",
                fetched_total,
                0,
                &format!("{name}: {stream}: {fetched_total} records fetched"),
            );
            if page.page.done {
                break;
            }
            if options.cancel.is_cancelled() {
                return Err(err(SyncError::Cancelled));
            }
            if page.page.cursor == cursor {
                same += 1;
                if same >= 3 {
                    return Err(AppError::Refused(format!(
                        "the platform keeps answering the same page of {stream}; stopped (the pages stored so far are kept)"
                    )));
                }
            } else {
                same = 0;
            }
            cursor = next_cursor;
            page = match next {
                Some(n) => n.map_err(err)?,
                None => conn
                    .fetch(stream, cursor.as_deref())
                    .await
                    .map(Prepared::new)
                    .map_err(err)?,
            };
        }
    }
    Ok(())
}

/// A spawned task that ends with its owner: a run dropped mid-way (killed,
/// aborted) rolls back the page being written instead of finishing it.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> AbortOnDrop<T> {
    async fn join(mut self) -> Result<T> {
        let r = (&mut self.0).await;
        r.map_err(|e| AppError::Refused(format!("writing a page of the sync failed: {e}")))
    }
}

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}
