//! `partnerdesk connections add|list|test|delete` and `partnerdesk sync
//! run|runs|errors`: platform sync headless. Secrets are read from standard
//! input (never the command line) and go to the OS keyring.

use clap::Subcommand;
use partnerdesk_app::sync::{self, ConnectionInput, RunOptions};
use partnerdesk_app::{AppError, Context};
use std::io::BufRead;
use std::sync::Arc;

#[derive(Subcommand)]
pub enum ConnectionsCmd {
    /// Add a connection. CONFIG is JSON with its kind, e.g.
    /// '{"kind":"mt5","base_url":"https://mt5.example","login":"1000","brand_id":"FX"}';
    /// kinds: mt5, gaming, woocommerce, csv. Each --secret NAME reads one line of
    /// standard input (password, token, api_key, client_secret, consumer_key, consumer_secret).
    Add {
        name: String,
        #[arg(long)]
        config: String,
        #[arg(long = "secret")]
        secrets: Vec<String>,
        /// Run every N minutes in the desktop app
        #[arg(long)]
        schedule_minutes: Option<i64>,
    },
    /// List connections with their last run
    List,
    /// Connect and sign in without syncing
    Test { name: String },
    /// Remove a connection, its history and its secrets (synced data stays)
    Delete { name: String },
}

#[derive(Subcommand)]
pub enum SyncCmd {
    /// Sync a connection now; progress on standard error
    Run { name: String },
    /// A connection's run history, newest first
    Runs {
        name: String,
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// The records a run could not take
    Errors {
        run_id: i64,
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
    /// The records waiting in a connection's retry list, with their reason
    Pending {
        name: String,
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
    /// Try a connection's waiting records again now (without reading the platform)
    Retry { name: String },
    /// Country texts of a connection that named no country (customers kept with an unknown country)
    Countries { name: String },
}

/// Sync progress as lines on standard error.
struct Lines;

impl partnerdesk_app::Progress for Lines {
    fn report(&self, _task: &str, _done: u64, _total: u64, message: &str) {
        errln!("{message}");
    }
}

fn read_secrets(names: &[String]) -> Result<Vec<(String, String)>, AppError> {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let mut out = Vec::new();
    for n in names {
        errln!("{n}: (one line on standard input)");
        let v = lines
            .next()
            .transpose()
            .map_err(|e| AppError::Io {
                context: "cannot read a secret from standard input".into(),
                source: e,
            })?
            .unwrap_or_default();
        out.push((n.clone(), v.trim_end_matches(['\r', '\n']).to_string()));
    }
    Ok(out)
}

pub async fn connections(ctx: &Context, cmd: ConnectionsCmd) -> Result<(), AppError> {
    match cmd {
        ConnectionsCmd::Add {
            name,
            config,
            secrets,
            schedule_minutes,
        } => {
            let config: serde_json::Value = serde_json::from_str(&config)
                .map_err(|e| AppError::invalid("config", format!("not JSON: {e}")))?;
            let secrets = read_secrets(&secrets)?.into_iter().collect();
            let v = sync::add(
                ctx,
                ConnectionInput {
                    name,
                    config,
                    secrets,
                    schedule_minutes,
                },
            )
            .await?;
            outln!("added {} ({})", v.name, v.kind);
        }
        ConnectionsCmd::List => {
            outln!("name\tkind\tschedule\tsecrets\tlast run");
            for c in sync::list(ctx).await? {
                let secrets: Vec<String> = c
                    .secrets
                    .iter()
                    .map(|s| format!("{}:{}", s.name, if s.stored { "set" } else { "MISSING" }))
                    .collect();
                let last = c
                    .last_run
                    .map(|r| {
                        format!(
                            "{} {} fetched {} inserted {} updated {} skipped {} errors {}",
                            r.started_at,
                            r.status,
                            r.fetched,
                            r.inserted,
                            r.updated,
                            r.skipped,
                            r.errors
                        )
                    })
                    .unwrap_or_else(|| "never".into());
                outln!(
                    "{}\t{}\t{}\t{}\t{}",
                    c.name,
                    c.kind,
                    c.schedule_minutes
                        .map(|m| format!("every {m} min"))
                        .unwrap_or_else(|| "on demand".into()),
                    secrets.join(","),
                    last
                );
            }
        }
        ConnectionsCmd::Test { name } => outln!("{}", sync::test(ctx, &name).await?),
        ConnectionsCmd::Delete { name } => {
            sync::delete(ctx, &name).await?;
            outln!("deleted {name}");
        }
    }
    Ok(())
}

pub async fn sync_cmd(ctx: &Context, cmd: SyncCmd) -> Result<(), AppError> {
    match cmd {
        SyncCmd::Run { name } => {
            let ctx = ctx.clone().with_progress(Arc::new(Lines));
            let r = sync::run(&ctx, &name, RunOptions::default()).await?;
            outln!(
                "run {}: {}; fetched {}, inserted {}, updated {}, skipped {}, errors {}",
                r.run_id,
                r.status,
                r.fetched,
                r.inserted,
                r.updated,
                r.skipped,
                r.errors
            );
            if let Some(report) = &r.report {
                for u in &report.unmapped_countries {
                    outln!(
                        "country not recognised: '{}' ({} customers kept with an unknown country)",
                        u.text,
                        u.count
                    );
                }
                for n in report.notes.iter().filter(|n| n.count > 0) {
                    outln!("{}: {}", n.text, n.count);
                }
            }
            if r.errors > 0 {
                outln!(
                    "see them with: partnerdesk sync errors {}; those that wait: partnerdesk sync pending {name}",
                    r.run_id
                );
            }
        }
        SyncCmd::Runs { name, limit } => {
            outln!("run\tstarted\tfinished\tstatus\tfetched\tinserted\tupdated\tskipped\terrors\terror");
            for r in sync::runs(ctx, &name, limit).await? {
                outln!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    r.run_id,
                    r.started_at,
                    r.finished_at.unwrap_or_default(),
                    r.status,
                    r.fetched,
                    r.inserted,
                    r.updated,
                    r.skipped,
                    r.errors,
                    r.error.unwrap_or_default()
                );
            }
        }
        SyncCmd::Errors { run_id, limit } => {
            for e in sync::run_errors(ctx, run_id, limit).await? {
                outln!("{}\t{}\t{}", e.stream, e.external_id, e.message);
            }
        }
        SyncCmd::Pending { name, limit } => {
            outln!("stream\trecord\ttries\tsince\treason");
            for p in sync::pending(ctx, &name, limit).await? {
                outln!(
                    "{}\t{}\t{}\t{}\t{}",
                    p.stream,
                    p.label,
                    p.attempts,
                    p.first_seen,
                    p.reason
                );
            }
        }
        SyncCmd::Retry { name } => {
            let o = sync::retry(ctx, &name).await?;
            outln!(
                "tried {}: {} stored, {} still waiting",
                o.tried,
                o.stored,
                o.waiting
            );
        }
        SyncCmd::Countries { name } => {
            outln!("text\tcustomers");
            for u in sync::unmapped_countries(ctx, &name).await? {
                outln!("{}\t{}", u.text, u.customers);
            }
        }
    }
    Ok(())
}
