//! `partnerdesk serve` (the tracking server) and `partnerdesk links …`
//! (tracking links, landing templates, the fallback URL, click counts).

use clap::{Args, Subcommand};
use partnerdesk_app::tracking::{self, postbacks_in, postbacks_out, TrackingSettings};
use partnerdesk_app::{database, AppError, Context};
use partnerdesk_secrets::{Cached, SecretStore, SecretsFile};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on, e.g. 0.0.0.0:8080
    #[arg(long)]
    listen: SocketAddr,
    /// The address visitors use, e.g. https://go.example.com
    #[arg(long)]
    public_url: String,
    /// Where unknown links go while the database names no fallback (`links settings --fallback`)
    #[arg(long)]
    fallback_url: Option<String>,
    /// A reverse proxy whose X-Forwarded-For (and country header) is believed (repeat for several)
    #[arg(long = "trusted-proxy")]
    trusted_proxies: Vec<IpAddr>,
    /// The header a trusted proxy gives the visitor's country in, e.g. CF-IPCountry
    #[arg(long)]
    country_header: Option<String>,
    /// Seconds a link is cached: an edited link takes effect within this time
    #[arg(long, default_value_t = 5)]
    link_ttl_secs: u64,
    /// Write clicks at least every this many milliseconds…
    #[arg(long, default_value_t = 200)]
    flush_ms: u64,
    /// …or as soon as this many wait
    #[arg(long, default_value_t = 1000)]
    flush_max: usize,
    /// Clicks kept in memory while the database is down (then the oldest are dropped)
    #[arg(long, default_value_t = 1_000_000)]
    buffer_max: usize,
    /// Attempts to send a partner's postback before it is given up
    #[arg(long, default_value_t = 5)]
    postback_max_attempts: u32,
    /// Seconds before a failed postback is tried again (doubling each time, at most an hour)
    #[arg(long, default_value_t = 30)]
    postback_backoff_secs: u64,
    /// This instance sends no postbacks out (another one does)
    #[arg(long)]
    no_postbacks_out: bool,
    /// Postbacks in are taken in groups of at most this many events, one transaction each…
    #[arg(long, default_value_t = 256)]
    postback_group_max: usize,
    /// …collected for at most this many milliseconds once the first has arrived…
    #[arg(long, default_value_t = 2)]
    postback_group_wait_ms: u64,
    /// …by this many batchers (one collects while the others commit)
    #[arg(long, default_value_t = 2)]
    postback_batchers: usize,
    /// Serve HTTPS with this certificate chain (PEM, leaf first); needs --tls-key
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM)
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Append the access log (one JSON line per request) to this file instead of standard output
    #[arg(long, conflicts_with = "no_access_log")]
    access_log: Option<PathBuf>,
    /// No access log
    #[arg(long)]
    no_access_log: bool,
    /// The access log names each visitor's IP address (personal data: off by default)
    #[arg(long)]
    log_visitor_ip: bool,
    /// This instance's name in the access log (default: a random one per start)
    #[arg(long)]
    instance_id: Option<String>,
}

#[derive(Subcommand)]
pub enum LinksCmd {
    /// List links (of one brand)
    List {
        #[arg(long)]
        brand: Option<String>,
    },
    /// Make the link of a tracking code (its path follows the path scheme)
    Add {
        #[arg(long)]
        brand: String,
        #[arg(long)]
        code: String,
        /// This link's own landing template (else the brand's)
        #[arg(long)]
        landing: Option<String>,
    },
    /// Set (or with no --landing, clear) a link's own landing template
    Edit {
        path: String,
        #[arg(long)]
        landing: Option<String>,
    },
    /// Remove a link (its clicks stay)
    Remove { path: String },
    /// Set a brand's landing template: {click_id} {code} {sub1}..{sub5} {campaign}
    Landing {
        #[arg(long)]
        brand: String,
        template: String,
    },
    /// Show or change the fallback URL, the path scheme (code or brand/code) and the public URL
    Settings {
        #[arg(long)]
        fallback: Option<String>,
        #[arg(long)]
        scheme: Option<String>,
        /// The tracking server's address as visitors reach it (whole links are shown with it)
        #[arg(long)]
        public_url: Option<String>,
    },
    /// Make (or replace) a brand's postback secret and print it once; it goes to the OS keyring (or --secrets-file)
    PostbackSecret {
        #[arg(long)]
        brand: String,
    },
    /// Show or change how a brand's postbacks authenticate (hmac or token) and the replay window
    PostbackSettings {
        #[arg(long)]
        brand: String,
        /// hmac: X-Partnerdesk-Signature (hex HMAC-SHA256 of the body); token: Authorization: Bearer
        #[arg(long)]
        auth: Option<String>,
        /// Events further than this from the server's clock are refused
        #[arg(long)]
        window_secs: Option<u32>,
    },
    /// The latest postbacks received (of one brand) and their outcomes
    PostbackLog {
        #[arg(long)]
        brand: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// A partner's postback URLs: list them, or set (--url) or remove (--remove) the one of --event
    PostbackUrl {
        #[arg(long)]
        partner: String,
        /// registration, ftd, qualified_cpa or purchase
        #[arg(long)]
        event: Option<String>,
        /// Macros: {click_id} {sub1}..{sub5} {customer_id} {event} {code} {amount} {currency}
        #[arg(long)]
        url: Option<String>,
        /// Fill {amount} and {currency} (else they stay empty)
        #[arg(long)]
        send_amount: bool,
        #[arg(long)]
        remove: bool,
    },
    /// Send the partners' postbacks that are due, once (`serve` does it continuously)
    SendPostbacks {
        #[arg(long, default_value_t = 5)]
        max_attempts: u32,
        #[arg(long, default_value_t = 30)]
        backoff_secs: u64,
    },
    /// Partners' postbacks: the outbox and every attempt (of one partner)
    PostbacksOut {
        #[arg(long)]
        partner: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Clicks per link for UTC days FROM..=TO (YYYY-MM-DD)
    Clicks {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
    },
}

pub async fn links(ctx: &Context, cmd: LinksCmd) -> Result<(), AppError> {
    match cmd {
        LinksCmd::List { brand } => {
            for l in tracking::links(ctx, brand.as_deref()).await? {
                outln!(
                    "/{}\t{}\t{}\t{}\t{}",
                    l.path,
                    l.brand_id,
                    l.code,
                    l.partner_id,
                    l.landing_url.as_deref().unwrap_or("(brand's landing)")
                );
            }
        }
        LinksCmd::Add {
            brand,
            code,
            landing,
        } => {
            let l = tracking::create_link(ctx, &brand, &code, landing.as_deref()).await?;
            outln!(
                "link /{} for code {} of partner {}",
                l.path,
                l.code,
                l.partner_id
            );
        }
        LinksCmd::Edit { path, landing } => {
            let l = tracking::set_link_landing(ctx, &path, landing.as_deref()).await?;
            outln!(
                "link /{}: {}",
                l.path,
                l.landing_url.as_deref().unwrap_or("the brand's landing")
            );
        }
        LinksCmd::Remove { path } => {
            tracking::delete_link(ctx, &path).await?;
            outln!("link /{path} removed");
        }
        LinksCmd::Landing { brand, template } => {
            tracking::set_landing(ctx, &brand, &template).await?;
            outln!("landing of {brand}: {template}");
        }
        LinksCmd::Settings {
            fallback,
            scheme,
            public_url,
        } => {
            let mut s = tracking::settings(ctx).await?;
            if fallback.is_some() || scheme.is_some() || public_url.is_some() {
                s = tracking::set_settings(
                    ctx,
                    TrackingSettings {
                        fallback_url: fallback.or(s.fallback_url),
                        path_scheme: scheme.unwrap_or(s.path_scheme),
                        public_url: public_url.or(s.public_url),
                    },
                )
                .await?;
            }
            outln!(
                "fallback: {}\npath scheme: {}\npublic URL: {}",
                s.fallback_url.as_deref().unwrap_or("(none)"),
                s.path_scheme,
                s.public_url.as_deref().unwrap_or("(none)")
            );
        }
        LinksCmd::PostbackSecret { brand } => {
            let secret = postbacks_in::rotate_secret(ctx, &brand).await?;
            errln!("the new postback secret of {brand} (shown once; the old one no longer works):");
            outln!("{secret}");
        }
        LinksCmd::PostbackSettings {
            brand,
            auth,
            window_secs,
        } => {
            let mut s = postbacks_in::settings(ctx, &brand).await?;
            if auth.is_some() || window_secs.is_some() {
                s = postbacks_in::set_settings(
                    ctx,
                    &brand,
                    auth.as_deref().unwrap_or(&s.auth),
                    window_secs.unwrap_or(s.window_secs),
                )
                .await?;
            }
            outln!(
                "brand: {}\nauth: {}\nwindow: {} s\nsecret: {}",
                s.brand_id,
                s.auth,
                s.window_secs,
                if s.secret_set {
                    "set"
                } else {
                    "none (make one with `links postback-secret`)"
                }
            );
        }
        LinksCmd::PostbackLog { brand, limit } => {
            outln!("received_at\tbrand\tevent_id\ttype\tstatus\toutcome\treason");
            for r in postbacks_in::log(ctx, brand.as_deref(), limit).await? {
                outln!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    r.received_at,
                    r.brand_id,
                    r.event_id,
                    r.event_type,
                    r.status,
                    r.outcome,
                    r.reason
                );
            }
        }
        LinksCmd::PostbackUrl {
            partner,
            event,
            url,
            send_amount,
            remove,
        } => {
            match (event, url, remove) {
                (Some(event), _, true) => {
                    postbacks_out::delete_url(ctx, &partner, &event).await?;
                    outln!("postback URL of {partner} for {event} removed");
                }
                (Some(event), Some(url), false) => {
                    postbacks_out::set_url(ctx, &partner, &event, &url, send_amount).await?;
                }
                (None, None, false) => {}
                _ => {
                    return Err(AppError::invalid(
                        "--url",
                        "give --event with --url (set) or --remove, or neither to list",
                    ))
                }
            }
            for u in postbacks_out::urls(ctx, &partner).await? {
                outln!(
                    "{}\t{}\t{}",
                    u.event,
                    u.url,
                    if u.send_amount {
                        "amounts"
                    } else {
                        "no amounts"
                    }
                );
            }
        }
        LinksCmd::SendPostbacks {
            max_attempts,
            backoff_secs,
        } => {
            let options = postbacks_out::SendOptions {
                max_attempts,
                backoff: Duration::from_secs(backoff_secs),
                ..Default::default()
            };
            let client = postbacks_out::client()?;
            let mut total = postbacks_out::SendSummary::default();
            loop {
                let s = postbacks_out::send_due(&ctx.store, &client, &options).await?;
                total.sent += s.sent;
                total.retrying += s.retrying;
                total.failed += s.failed;
                if s.sent + s.retrying + s.failed < options.batch {
                    break;
                }
            }
            outln!(
                "postbacks: {} sent, {} to retry, {} failed",
                total.sent,
                total.retrying,
                total.failed
            );
        }
        LinksCmd::PostbacksOut { partner, limit } => {
            outln!("id\tpartner\tevent\tstate\tattempts\tnext_at\tlast_error");
            for o in postbacks_out::outbox(ctx, partner.as_deref(), limit).await? {
                outln!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    o.id,
                    o.partner_id,
                    o.event,
                    o.state,
                    o.attempts,
                    o.next_at,
                    o.last_error.as_deref().unwrap_or("")
                );
            }
            outln!("\nattempts:\nat\tpartner\toutbox\tattempt\tstatus\terror");
            for a in postbacks_out::sends(ctx, partner.as_deref(), limit).await? {
                outln!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    a.at,
                    a.partner_id,
                    a.outbox_id,
                    a.attempt,
                    a.status_code.map(|c| c.to_string()).unwrap_or_default(),
                    a.error.as_deref().unwrap_or("")
                );
            }
        }
        LinksCmd::Clicks { from, to } => {
            let day = |f: &str, v: &str| partnerdesk_domain::data::parse_date(f, v);
            let rows =
                tracking::click_counts(ctx, day("--from", &from)?, day("--to", &to)?).await?;
            outln!("path\tclicks\tunique_clicks\tbots\tprefetches");
            for c in rows {
                outln!(
                    "/{}\t{}\t{}\t{}\t{}",
                    c.path,
                    c.clicks,
                    c.unique_clicks,
                    c.bots,
                    c.prefetches
                );
            }
        }
    }
    Ok(())
}

/// Serves until SIGTERM or Ctrl-C, then stops gracefully: no new
/// connections, requests in flight finish, every queued click is written.
pub async fn serve(db: &Option<String>, a: ServeArgs) -> Result<(), AppError> {
    let url = match db {
        Some(u) if !u.trim().is_empty() => u.clone(),
        _ => database::default_url()?,
    };
    // The server acts for anonymous visitors: it opens the database, signs nobody in.
    let store = database::open(&url).await?;
    let mut config = partnerdesk_server::Config::new(a.listen, a.public_url);
    config.fallback_url = a.fallback_url;
    config.trusted_proxies = a.trusted_proxies;
    config.country_header = a.country_header;
    config.link_ttl = Duration::from_secs(a.link_ttl_secs);
    config.flush_every = Duration::from_millis(a.flush_ms);
    config.flush_max = a.flush_max;
    config.buffer_max = a.buffer_max;
    config.postback_group_max = a.postback_group_max.clamp(1, 10_000);
    config.postback_group_wait = Duration::from_millis(a.postback_group_wait_ms.min(1_000));
    config.postback_batchers = a.postback_batchers.clamp(1, 64);
    config.tls = match (a.tls_cert, a.tls_key) {
        (Some(cert), Some(key)) => Some(partnerdesk_server::TlsFiles { cert, key }),
        _ => None,
    };
    config.access_log = match (a.no_access_log, a.access_log) {
        (true, _) => partnerdesk_server::AccessLogTo::Off,
        (false, Some(path)) => partnerdesk_server::AccessLogTo::File(path),
        (false, None) => partnerdesk_server::AccessLogTo::Stdout,
    };
    config.log_visitor_ip = a.log_visitor_ip;
    if let Some(id) = a.instance_id {
        config.instance_id = id;
    }
    let scheme = if config.tls.is_some() {
        "https"
    } else {
        "http"
    };
    // A headless server reads its secrets file (read-only); a rotation by
    // the CLI is seen within the cache's time.
    let secrets: Arc<dyn SecretStore> = match crate::open::secrets_file() {
        Some(path) => Arc::new(SecretsFile::read_only(path).map_err(AppError::Refused)?),
        None => Arc::new(partnerdesk_secrets::OsKeyring),
    };
    config.secrets = partnerdesk_server::Secrets(Arc::new(Cached::new(
        secrets,
        partnerdesk_secrets::DEFAULT_TTL,
    )));
    config.postbacks_out = (!a.no_postbacks_out).then(|| {
        (
            postbacks_out::SendOptions {
                max_attempts: a.postback_max_attempts.max(1),
                backoff: Duration::from_secs(a.postback_backoff_secs),
                ..Default::default()
            },
            Duration::from_secs(1),
        )
    });
    let refused = |e: partnerdesk_server::ServerError| AppError::Refused(e.to_string());
    let running = partnerdesk_server::start(store.clone(), config)
        .await
        .map_err(refused)?;
    errln!(
        "serving tracking links on {scheme}://{} ({}); stop with Ctrl-C or SIGTERM",
        running.local_addr(),
        store.location()
    );
    stopped().await;
    errln!("stopping: finishing requests and writing queued clicks");
    let summary = running.shutdown().await.map_err(refused)?;
    store.close().await;
    errln!(
        "stopped: {} clicks written, {} dropped",
        summary.written,
        summary.dropped
    );
    if summary.dropped > 0 {
        return Err(AppError::Refused(format!(
            "{} clicks were dropped (see the log above)",
            summary.dropped
        )));
    }
    Ok(())
}

/// Resolves on SIGTERM or Ctrl-C (SIGINT).
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
