//! Platform sync (issues 4 and 25): connections to the platforms an
//! operator runs (MT5, a gaming feed, a WooCommerce shop, an import folder),
//! tested and synced on demand or on a schedule.
//!
//! A sync pulls pages from a connector of `partnerdesk-sync` and stores each
//! page with its cursor in one transaction ([`write`]), through the import
//! writers of the store (upserts by external id, unchanged rows skipped),
//! marking the periods it touched for recomputation. Nothing refused is
//! lost: a record that cannot be taken waits in the retry list ([`retry`])
//! with its reason, and every run (or a retry from the desktop) tries the
//! waiting ones again first. A failure of the whole run (credentials, HTML
//! instead of JSON, an unreachable host) stops it with a clear error,
//! keeping the pages stored before it, from which the next run resumes.
//! Secrets live in the OS keyring (`Context::secrets`) under
//! `connection:<name>:<secret>`, never in the database, and never in an
//! error that is stored, audited or shown ([`redact`]).

mod retry;
mod run;
mod views;
pub(crate) mod write;

pub use retry::{pending, retry, unmapped_countries};
pub use run::{cancel, run, test, RunOptions};
pub use views::*;

use crate::{AppError, Context, Result};
use partnerdesk_domain::sync_run::SyncRunStatus;
use partnerdesk_domain::Id;
use partnerdesk_store::sync::{self as ss, ConnectionRow};
use partnerdesk_store::{StoreError, Tx};
use partnerdesk_sync::{ConnectorConfig, Credentials, SyncError};

fn secret_key(connection: &str, secret: &str) -> String {
    format!("connection:{connection}:{secret}")
}

/// A connector's error as the app reports it, without credentials.
pub(crate) fn sync_err(e: SyncError, creds: &Credentials) -> AppError {
    AppError::Refused(redact(&e.to_string(), creds))
}

/// `text` without query strings and without the values of `creds`.
pub(crate) fn redact(text: &str, creds: &Credentials) -> String {
    partnerdesk_sync::redact::text(text, creds.values().map(String::as_str))
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

/// The stored connection named `name`, read in a transaction of its own;
/// one that does not exist is `NotFound`.
pub(super) async fn connection(ctx: &Context, name: &str) -> Result<ConnectionRow> {
    ctx.store
        .read()
        .await?
        .connection(name)
        .await?
        .ok_or_else(|| AppError::NotFound {
            what: "connection",
            id: name.to_string(),
        })
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
    let waiting = partnerdesk_store::sync_retry::pending_count(tx, &row.name).await?;
    let unmapped_countries = partnerdesk_store::sync_retry::unmapped(tx, &row.name)
        .await?
        .len() as i64;
    Ok(ConnectionView {
        name: row.name,
        kind: row.kind,
        config: serde_json::to_value(&config).unwrap_or_default(),
        schedule_minutes: row.schedule_minutes,
        secrets,
        last_run,
        waiting,
        unmapped_countries,
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
        kind: config.kind(),
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
    // Customers kept with an unknown country whose text the new aliases name.
    retry::remap_countries(ctx, &mut tx, &row.name, &config, &now).await?;
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
            Some(r) if r.status == SyncRunStatus::Running => false,
            Some(r) => partnerdesk_domain::data::parse_time("started_at", &r.started_at)
                .map(|t| now - t >= chrono::Duration::minutes(minutes))
                .unwrap_or(true),
        };
        if due
            && run::running()
                .lock()
                .map(|m| !m.contains_key(&run::run_key(ctx, &c.name)))
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
