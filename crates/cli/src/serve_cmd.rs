//! `partnerdesk serve` (the tracking server) and `partnerdesk links …`
//! (tracking links, landing templates, the fallback URL, click counts).

use clap::{Args, Subcommand};
use partnerdesk_app::tracking::{self, TrackingSettings};
use partnerdesk_app::{database, AppError, Context};
use std::net::{IpAddr, SocketAddr};
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
    let refused = |e: partnerdesk_server::ServerError| AppError::Refused(e.to_string());
    let running = partnerdesk_server::start(store.clone(), config)
        .await
        .map_err(refused)?;
    errln!(
        "serving tracking links on http://{} ({}); stop with Ctrl-C or SIGTERM",
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
