//! Platform sync (issue 4): connections to the platforms an operator runs
//! (MT5, a gaming feed, a WooCommerce shop, an import folder), tested and
//! synced on demand or on a schedule.
//!
//! A sync pulls pages from a connector of `partnerdesk-sync` and stores each
//! page with its cursor in one transaction, through the import writers of
//! the store (upserts by external id, unchanged rows skipped), marking the
//! periods it touched for recomputation. A bad record is reported with the
//! run and the good ones are kept; a failure of the whole run (credentials,
//! HTML instead of JSON, an unreachable host) stops it with a clear error,
//! keeping the pages stored before it, from which the next run resumes.
//! Secrets live in the OS keyring (`Context::secrets`) under
//! `connection:<name>:<secret>`, never in the database.

use crate::{AppError, Context, Result};
use partnerdesk_domain::data::Customer;
use partnerdesk_domain::{Id, Period};
use partnerdesk_store::data as sd;
use partnerdesk_store::sync::{self as ss, ConnectionRow, Counts, RunRow};
use partnerdesk_store::{Batch, StoreError, Tx, Val};
use partnerdesk_sync::{Cancel, ConnectorConfig, Credentials, Http, Page, RetryPolicy, SyncError};
use serde::{Deserialize, Serialize};
use specta::Type;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

/// A connection to add or change. `config` is the connector's settings with
/// its `kind` (`mt5`, `gaming`, `woocommerce`, `csv`); secrets go to the OS
/// keyring, never to the database.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Type)]
pub struct ConnectionInput {
    pub name: String,
    pub config: serde_json::Value,
    /// By name (`password`, `token`, `api_key`, `client_secret`,
    /// `consumer_key`, `consumer_secret`); empty values keep what is stored.
    #[serde(default)]
    pub secrets: BTreeMap<String, String>,
    /// Run every this many minutes in the desktop app (None: on demand only).
    #[serde(default)]
    pub schedule_minutes: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct ConnectionView {
    pub name: String,
    pub kind: String,
    /// Settings with defaults filled in; never a secret.
    pub config: serde_json::Value,
    pub schedule_minutes: Option<i64>,
    /// The secrets the connection needs and whether the keyring holds each.
    pub secrets: Vec<SecretState>,
    pub last_run: Option<SyncRunView>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct SecretState {
    pub name: String,
    pub stored: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct SyncRunView {
    pub run_id: i64,
    pub connection: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// `running`, `ok`, `ok_with_errors`, `failed`, `cancelled`, `interrupted`
    pub status: String,
    pub fetched: i64,
    pub inserted: i64,
    pub updated: i64,
    pub skipped: i64,
    pub errors: i64,
    pub error: Option<String>,
}

impl From<RunRow> for SyncRunView {
    fn from(r: RunRow) -> Self {
        Self {
            run_id: r.run_id,
            connection: r.connection,
            started_at: r.started_at,
            finished_at: r.finished_at,
            status: r.status,
            fetched: r.fetched,
            inserted: r.inserted,
            updated: r.updated,
            skipped: r.skipped,
            errors: r.errors,
            error: r.error,
        }
    }
}

/// A record a run could not take.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct SyncErrorView {
    pub stream: String,
    pub external_id: String,
    pub message: String,
}

fn secret_key(connection: &str, secret: &str) -> String {
    format!("connection:{connection}:{secret}")
}

fn sync_err(e: SyncError) -> AppError {
    AppError::Refused(e.to_string())
}

fn parse_config(v: &serde_json::Value) -> Result<ConnectorConfig> {
    let c: ConnectorConfig = serde_json::from_value(v.clone()).map_err(|e| {
        AppError::invalid(
            "config",
            format!("{e} (kind is one of mt5, gaming, woocommerce, csv)"),
        )
    })?;
    c.validate()
        .map_err(|e| AppError::invalid("config", e.to_string()))?;
    Ok(c)
}

fn stored_config(row: &ConnectionRow) -> Result<ConnectorConfig> {
    serde_json::from_str(&row.config).map_err(|e| {
        AppError::Store(StoreError::Corrupt(format!(
            "connection '{}' has unreadable settings: {e}",
            row.name
        )))
    })
}

fn check_schedule(m: Option<i64>) -> Result<()> {
    match m {
        Some(m) if !(5..=10_080).contains(&m) => Err(AppError::invalid(
            "schedule_minutes",
            "a schedule runs every 5 to 10080 minutes (a week); leave it empty to run on demand",
        )),
        _ => Ok(()),
    }
}

async fn view(ctx: &Context, tx: &mut Tx<'_>, row: ConnectionRow) -> Result<ConnectionView> {
    let config = stored_config(&row)?;
    let mut secrets = Vec::new();
    for s in config.secret_names() {
        let stored = ctx
            .secrets
            .get(&secret_key(&row.name, s))
            .map_err(AppError::Refused)?
            .is_some();
        secrets.push(SecretState {
            name: s.to_string(),
            stored,
        });
    }
    let last_run = tx
        .sync_runs(&row.name, 1)
        .await?
        .into_iter()
        .next()
        .map(SyncRunView::from);
    Ok(ConnectionView {
        name: row.name,
        kind: row.kind,
        config: serde_json::to_value(&config).unwrap_or_default(),
        schedule_minutes: row.schedule_minutes,
        secrets,
        last_run,
    })
}

async fn check_brand(tx: &mut Tx<'_>, config: &ConnectorConfig) -> Result<()> {
    if let Some(b) = config.brand_id() {
        if tx.brand(b).await?.is_none() {
            return Err(AppError::invalid(
                "config.brand_id",
                format!("brand '{b}' does not exist; add it under Brands first"),
            ));
        }
    }
    Ok(())
}

/// Adds a connection; its secrets go to the keyring.
#[tracing::instrument(name = "sync::add", skip_all, fields(user = %ctx.actor.user))]
pub async fn add(ctx: &Context, input: ConnectionInput) -> Result<ConnectionView> {
    ctx.authorize(&crate::access::CONNECTION_MANAGE).await?;
    let name = Id::parse("name", input.name.trim())?.into_string();
    let config = parse_config(&input.config)?;
    check_schedule(input.schedule_minutes)?;
    let mut tx = ctx.store.begin().await?;
    check_brand(&mut tx, &config).await?;
    for s in config.secret_names() {
        if input.secrets.get(s).is_none_or(|v| v.is_empty()) {
            return Err(AppError::invalid(
                &format!("secrets.{s}"),
                format!("the {s} is required for a {} connection", config.kind()),
            ));
        }
    }
    if tx.connection(&name).await?.is_some() {
        return Err(AppError::invalid(
            "name",
            format!("a connection named '{name}' exists; choose another name"),
        ));
    }
    let now = ctx.now();
    let row = ConnectionRow {
        name: name.clone(),
        kind: config.kind().to_string(),
        config: serde_json::to_string(&config).unwrap_or_default(),
        schedule_minutes: input.schedule_minutes,
        created_at: now.clone(),
        updated_at: now.clone(),
    };
    ss::insert_connection(&mut tx, &row).await?;
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "connection.add",
        "connection",
        &name,
        None,
        Some(&row.config),
    )
    .await?;
    // Secrets first, then the row: a keyring that refuses leaves no connection behind.
    for s in config.secret_names() {
        if let Some(v) = input.secrets.get(s) {
            ctx.secrets
                .set(&secret_key(&name, s), v)
                .map_err(AppError::Refused)?;
        }
    }
    let view = view(ctx, &mut tx, row).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(view)
}

/// Changes a connection's settings, schedule or secrets (empty secrets keep the stored ones).
#[tracing::instrument(name = "sync::edit", skip_all, fields(user = %ctx.actor.user))]
pub async fn edit(ctx: &Context, input: ConnectionInput) -> Result<ConnectionView> {
    ctx.authorize(&crate::access::CONNECTION_MANAGE).await?;
    let mut tx = ctx.store.begin().await?;
    let old = tx
        .connection(input.name.trim())
        .await?
        .ok_or_else(|| AppError::NotFound {
            what: "connection",
            id: input.name.clone(),
        })?;
    let config = parse_config(&input.config)?;
    if config.kind() != old.kind {
        return Err(AppError::invalid(
            "config.kind",
            "a connection's kind cannot change; add a new connection instead",
        ));
    }
    check_schedule(input.schedule_minutes)?;
    check_brand(&mut tx, &config).await?;
    let now = ctx.now();
    let row = ConnectionRow {
        config: serde_json::to_string(&config).unwrap_or_default(),
        schedule_minutes: input.schedule_minutes,
        updated_at: now.clone(),
        ..old.clone()
    };
    ss::update_connection(&mut tx, &row).await?;
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "connection.edit",
        "connection",
        &row.name,
        Some(&old.config),
        Some(&row.config),
    )
    .await?;
    for s in config.secret_names() {
        if let Some(v) = input.secrets.get(s).filter(|v| !v.is_empty()) {
            ctx.secrets
                .set(&secret_key(&row.name, s), v)
                .map_err(AppError::Refused)?;
        }
    }
    let view = view(ctx, &mut tx, row).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(view)
}

/// Removes a connection, its cursors and history, and its secrets. The data
/// it synced stays.
#[tracing::instrument(name = "sync::delete", skip_all, fields(user = %ctx.actor.user))]
pub async fn delete(ctx: &Context, name: &str) -> Result<()> {
    ctx.authorize(&crate::access::CONNECTION_MANAGE).await?;
    let mut tx = ctx.store.begin().await?;
    let old = tx
        .connection(name)
        .await?
        .ok_or_else(|| AppError::NotFound {
            what: "connection",
            id: name.to_string(),
        })?;
    let config = stored_config(&old)?;
    let now = ctx.now();
    ss::delete_connection(&mut tx, name).await?;
    partnerdesk_store::audit(
        &mut tx,
        &now,
        &ctx.actor.user,
        "connection.delete",
        "connection",
        name,
        Some(&old.config),
        None,
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    for s in config.secret_names() {
        let _ = ctx.secrets.delete(&secret_key(name, s));
    }
    Ok(())
}

#[tracing::instrument(name = "sync::list", skip_all, fields(user = %ctx.actor.user))]
pub async fn list(ctx: &Context) -> Result<Vec<ConnectionView>> {
    ctx.authorize(&crate::access::READ).await?;
    let mut tx = ctx.store.read().await?;
    let mut out = Vec::new();
    for row in tx.connections().await? {
        out.push(view(ctx, &mut tx, row).await?);
    }
    Ok(out)
}

/// The newest runs of a connection first.
#[tracing::instrument(name = "sync::runs", skip_all, fields(user = %ctx.actor.user))]
pub async fn runs(ctx: &Context, name: &str, limit: i64) -> Result<Vec<SyncRunView>> {
    ctx.authorize(&crate::access::READ).await?;
    Ok(ctx
        .store
        .read()
        .await?
        .sync_runs(name, limit.clamp(1, 1000))
        .await?
        .into_iter()
        .map(SyncRunView::from)
        .collect())
}

/// The records a run could not take.
#[tracing::instrument(name = "sync::run_errors", skip_all, fields(user = %ctx.actor.user))]
pub async fn run_errors(ctx: &Context, run_id: i64, limit: i64) -> Result<Vec<SyncErrorView>> {
    ctx.authorize(&crate::access::READ).await?;
    Ok(ctx
        .store
        .read()
        .await?
        .sync_errors(run_id, limit.clamp(1, 10_000))
        .await?
        .into_iter()
        .map(|(stream, external_id, message)| SyncErrorView {
            stream,
            external_id,
            message,
        })
        .collect())
}

/// Connections whose schedule says they should run now (the desktop app's
/// scheduler asks every minute).
#[tracing::instrument(name = "sync::due", skip_all, fields(user = %ctx.actor.user))]
pub async fn due(ctx: &Context) -> Result<Vec<String>> {
    ctx.authorize(&crate::access::READ).await?;
    let now = chrono::Utc::now();
    let mut out = Vec::new();
    let mut tx = ctx.store.read().await?;
    for c in tx.connections().await? {
        let Some(minutes) = c.schedule_minutes else {
            continue;
        };
        let last = tx.sync_runs(&c.name, 1).await?.into_iter().next();
        let due = match last {
            None => true,
            Some(r) if r.status == "running" => false,
            Some(r) => partnerdesk_domain::data::parse_time("started_at", &r.started_at)
                .map(|t| now - t >= chrono::Duration::minutes(minutes))
                .unwrap_or(true),
        };
        if due
            && running()
                .lock()
                .map(|m| !m.contains_key(&run_key(ctx, &c.name)))
                .unwrap_or(true)
        {
            out.push(c.name);
        }
    }
    Ok(out)
}

fn credentials(ctx: &Context, name: &str, config: &ConnectorConfig) -> Result<Credentials> {
    let mut creds = Credentials::new();
    for s in config.secret_names() {
        match ctx
            .secrets
            .get(&secret_key(name, s))
            .map_err(AppError::Refused)?
        {
            Some(v) => {
                creds.insert(s.to_string(), v);
            }
            None => {
                return Err(AppError::Refused(format!(
                    "the {s} of connection '{name}' is not in the OS keyring: edit the connection and enter it"
                )))
            }
        }
    }
    Ok(creds)
}

/// How a run behaves (tests shorten the waits).
#[derive(Clone, Default)]
pub struct RunOptions {
    pub policy: RetryPolicy,
    pub cancel: Cancel,
}

/// Runs under way in this process, by database and connection, for [`cancel`].
fn running() -> &'static Mutex<HashMap<String, Cancel>> {
    static RUNNING: OnceLock<Mutex<HashMap<String, Cancel>>> = OnceLock::new();
    RUNNING.get_or_init(|| Mutex::new(HashMap::new()))
}

fn run_key(ctx: &Context, name: &str) -> String {
    format!("{}\n{name}", ctx.store.location())
}

/// Unregisters a run however it ends (also when its task is dropped).
struct Registered(String);

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
    let row = ctx
        .store
        .read()
        .await?
        .connection(name)
        .await?
        .ok_or_else(|| AppError::NotFound {
            what: "connection",
            id: name.to_string(),
        })?;
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
    let http = Http::new(policy, Cancel::new()).map_err(sync_err)?;
    let mut conn = partnerdesk_sync::connector(&config, &creds, http).map_err(sync_err)?;
    conn.test().await.map_err(sync_err)
}

/// Syncs a connection now: every stream from its stored cursor to the end.
/// The run is recorded (counts, status, error) whatever happens; a failed or
/// cancelled run answers an error after recording it.
#[tracing::instrument(name = "sync::run", skip_all, fields(user = %ctx.actor.user))]
pub async fn run(ctx: &Context, name: &str, options: RunOptions) -> Result<SyncRunView> {
    ctx.authorize(&crate::access::SYNC_RUN).await?;
    let row = ctx
        .store
        .read()
        .await?
        .connection(name)
        .await?
        .ok_or_else(|| AppError::NotFound {
            what: "connection",
            id: name.to_string(),
        })?;
    let config = stored_config(&row)?;
    let key = run_key(ctx, name);
    let _registered = {
        let mut map = running()
            .lock()
            .map_err(|_| AppError::Refused("sync state poisoned".into()))?;
        if map.contains_key(&key) {
            return Err(AppError::Refused(format!(
                "connection '{name}' is already syncing; wait for it or cancel it"
            )));
        }
        map.insert(key.clone(), options.cancel.clone());
        Registered(key)
    };
    run_registered(ctx, name, &config, options).await
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
    let outcome = match config {
        ConnectorConfig::Csv(c) => run_csv(ctx, run_id, &c.folder).await,
        other => run_http(ctx, run_id, name, other, &options).await,
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
            (if errors > 0 { "ok_with_errors" } else { "ok" }, None)
        }
        Err(AppError::Refused(m)) if m == "cancelled" => (
            "cancelled",
            Some(
                "cancelled; the pages stored so far are kept and the next run resumes after them"
                    .to_string(),
            ),
        ),
        Err(e) => ("failed", Some(e.to_string())),
    };
    let now = ctx.now();
    let mut tx = ctx.store.begin().await?;
    ss::finish_run(&mut tx, run_id, status, error.as_deref(), &now).await?;
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
) -> Result<()> {
    check_brand(&mut ctx.store.read().await?, config)
        .await
        .map_err(|e| AppError::Refused(e.to_string()))?;
    let creds = credentials(ctx, name, config)?;
    let progress = ctx.progress.clone();
    let label = name.to_string();
    let notice: partnerdesk_sync::http::Notice =
        Arc::new(move |text: &str| progress.report("sync", 0, 0, &format!("{label}: {text}")));
    let http = Http::new(options.policy.clone(), options.cancel.clone())
        .map_err(sync_err)?
        .with_notice(notice);
    let mut conn = partnerdesk_sync::connector(config, &creds, http).map_err(sync_err)?;
    let mut fetched_total = 0u64;
    for stream in conn.streams() {
        let mut cursor = ctx.store.read().await?.sync_cursor(name, stream).await?;
        let mut same = 0;
        if options.cancel.is_cancelled() {
            return Err(sync_err(SyncError::Cancelled));
        }
        let mut page = conn
            .fetch(stream, cursor.as_deref())
            .await
            .map(Prepared::new)
            .map_err(sync_err)?;
        loop {
            // While page N is written, page N+1 is fetched and its rows made
            // ready (its cursor is known already); it is stored only after
            // page N committed.
            let more = !page.page.done && page.page.cursor != cursor;
            let next_cursor = page.page.cursor.clone();
            let (written, next) = if more && !options.cancel.is_cancelled() {
                // The write runs as a task of its own, so fetching and
                // preparing the next page here does not hold up its statements.
                let (c, n, st) = (ctx.clone(), name.to_string(), stream.to_string());
                let writing = AbortOnDrop(tokio::spawn(async move {
                    let r = write_page(&c, run_id, &n, &st, &mut page).await;
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
                (write_page(ctx, run_id, name, stream, &mut page).await, None)
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
                return Err(sync_err(SyncError::Cancelled));
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
                Some(n) => n.map_err(sync_err)?,
                None => conn
                    .fetch(stream, cursor.as_deref())
                    .await
                    .map(Prepared::new)
                    .map_err(sync_err)?,
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

/// A fetched page with its rows in the store's form, made ready before the
/// page's turn to be written (outside the writer's critical path).
struct Prepared {
    page: Page,
    customers: Vec<Vec<Val>>,
    customers_if_new: Vec<Vec<Val>>,
    activity: Vec<Vec<Val>>,
    trades: Vec<Vec<Val>>,
    purchases: Vec<Vec<Val>>,
}

impl Prepared {
    fn new(page: Page) -> Self {
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
            page,
        }
    }
}

/// The customers of a page that pass the domain's checks, with their
/// prepared rows; the others become the page's record errors.
fn checked<'a>(
    customers: &'a [Customer],
    rows: Vec<Vec<Val>>,
    errors: &mut Vec<(String, String)>,
) -> Vec<(&'a Customer, Vec<Val>)> {
    let mut out = Vec::with_capacity(rows.len());
    for (c, row) in customers.iter().zip(rows) {
        match c.check() {
            Ok(()) => out.push((c, row)),
            Err(e) => errors.push((c.customer_id.to_string(), e.to_string())),
        }
    }
    out
}

/// Stores one page and its cursor in one transaction.
async fn write_page(
    ctx: &Context,
    run_id: i64,
    name: &str,
    stream: &str,
    prepared: &mut Prepared,
) -> Result<()> {
    let page = &prepared.page;
    let mut tx = ctx.store.begin().await?;
    let mut counts = Counts::default();
    let mut errors: Vec<(String, String)> = page
        .errors
        .iter()
        .map(|e| (e.external_id.clone(), e.message.clone()))
        .collect();
    let mut first: Option<Period> = None;
    let mut touch = |p: Period| first = Some(first.map_or(p, |f: Period| f.min(p)));
    let period_of_customer = |c: &Customer| Period::of(c.registered_at.date_naive());

    // Records the domain refuses (dates it cannot compute, amounts beyond
    // its limits, text with control characters) are reported, not stored,
    // exactly as the import refuses them.
    let customers = checked(
        &page.customers,
        std::mem::take(&mut prepared.customers),
        &mut errors,
    );
    if !customers.is_empty() {
        customers
            .iter()
            .for_each(|(c, _)| touch(period_of_customer(c)));
        let rows = customers.into_iter().map(|(_, row)| row).collect();
        counts +=
            ss::upsert_counted(&mut tx, &ss::CUSTOMERS, sd::customers_batch(), rows, false).await?;
    }
    let customers_if_new = checked(
        &page.customers_if_new,
        std::mem::take(&mut prepared.customers_if_new),
        &mut errors,
    );
    if !customers_if_new.is_empty() {
        customers_if_new
            .iter()
            .for_each(|(c, _)| touch(period_of_customer(c)));
        let rows = customers_if_new.into_iter().map(|(_, row)| row).collect();
        let batch = Batch::new(
            ss::CUSTOMERS.table,
            ss::CUSTOMERS.columns,
            " ON CONFLICT (customer_id) DO NOTHING",
        );
        counts += ss::upsert_counted(&mut tx, &ss::CUSTOMERS, batch, rows, true).await?;
    }

    // Activity, trades and purchases must belong to a stored customer of their brand.
    let mut ids: HashSet<&str> = HashSet::new();
    ids.extend(page.activity.iter().map(|a| a.customer_id.as_str()));
    ids.extend(page.trades.iter().map(|t| t.customer_id.as_str()));
    ids.extend(page.purchases.iter().map(|p| p.customer_id.as_str()));
    let ids: Vec<&str> = ids.into_iter().collect();
    let known = ss::customer_brands_of(&mut tx, &ids).await?;
    // The record's label is written out only for an error.
    let check = |customer: &Id,
                 brand: &Id,
                 what: &dyn Fn() -> String,
                 errors: &mut Vec<(String, String)>|
     -> bool {
        match known.get(customer.as_str()) {
            None => {
                errors.push((what(), format!("customer '{customer}' is not known: it is not among the platform's accounts synced so far (check the connection's group filter)")));
                false
            }
            Some(b) if b != brand.as_str() => {
                errors.push((
                    what(),
                    format!("customer '{customer}' belongs to brand '{b}', not '{brand}'"),
                ));
                false
            }
            Some(_) => true,
        }
    };
    let mut rows = Vec::with_capacity(page.activity.len());
    for (a, row) in page
        .activity
        .iter()
        .zip(std::mem::take(&mut prepared.activity))
    {
        if let Err(e) = a.check() {
            errors.push((format!("{} {}", a.customer_id, a.date), e.to_string()));
            continue;
        }
        if check(
            &a.customer_id,
            &a.brand_id,
            &|| format!("{} {}", a.customer_id, a.date),
            &mut errors,
        ) {
            touch(Period::of(a.date));
            rows.push(row);
        }
    }
    if !rows.is_empty() {
        counts +=
            ss::upsert_counted(&mut tx, &ss::ACTIVITY, sd::activity_batch(), rows, false).await?;
    }
    let mut rows = Vec::with_capacity(page.trades.len());
    for (t, row) in page.trades.iter().zip(std::mem::take(&mut prepared.trades)) {
        if let Err(e) = t.check() {
            errors.push((t.trade_id.to_string(), e.to_string()));
            continue;
        }
        if check(
            &t.customer_id,
            &t.brand_id,
            &|| t.trade_id.to_string(),
            &mut errors,
        ) {
            touch(Period::of(t.close_time.date_naive()));
            rows.push(row);
        }
    }
    if !rows.is_empty() {
        counts += ss::upsert_counted(&mut tx, &ss::TRADES, sd::trades_batch(), rows, false).await?;
    }
    let mut rows = Vec::with_capacity(page.purchases.len());
    for (p, row) in page
        .purchases
        .iter()
        .zip(std::mem::take(&mut prepared.purchases))
    {
        if let Err(e) = p.check() {
            errors.push((p.order_id.to_string(), e.to_string()));
            continue;
        }
        if check(
            &p.customer_id,
            &p.brand_id,
            &|| p.order_id.to_string(),
            &mut errors,
        ) {
            touch(Period::of(p.purchased_at.date_naive()));
            if let Some(r) = p.refunded_at {
                touch(Period::of(r.date_naive()));
            }
            rows.push(row);
        }
    }
    if !rows.is_empty() {
        counts +=
            ss::upsert_counted(&mut tx, &ss::PURCHASES, sd::purchases_batch(), rows, false).await?;
    }

    let now = ctx.now();
    if let Some(c) = &page.cursor {
        ss::set_cursor(&mut tx, name, stream, c, &now).await?;
    }
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
    if counts.inserted + counts.updated > 0 {
        if let Some(f) = first {
            crate::commissions::mark_dirty(&mut tx, &f.to_string()).await?;
        }
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}
