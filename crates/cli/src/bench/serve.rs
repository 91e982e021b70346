//! `partnerdesk bench serve`: the tracking server as operators run it —
//! `partnerdesk serve` child processes on loopback over the given database
//! — under keep-alive clients for a few seconds each: one instance, two
//! instances (the clients alternate), two with one stopped by SIGTERM
//! half-way (its clients go on with the other), then signed postbacks
//! with replays. Afterwards every answered redirect's click is looked up
//! by its tag (`sub1`), so lost and doubled clicks are counted, not guessed;
//! likewise every accepted postback's event.

use super::serve_load::{self, Instance, Seen};
use partnerdesk_app::tracking::{self, postbacks_in, TrackingSettings};
use partnerdesk_app::{import, AppError, Context};
use partnerdesk_secrets::SecretsFile;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The bench's brand and how many tracking codes (links) it has.
const BRAND: &str = "bench";
const CODES: usize = 50;

pub struct Options {
    pub seconds: u64,
    pub clients: usize,
    pub postback_seconds: u64,
    /// Every how many postbacks one is a replay of the client's previous.
    pub replay_every: u64,
}

fn io(context: String) -> impl FnOnce(std::io::Error) -> AppError {
    move |source| AppError::Io { context, source }
}

/// The bench's brand, partners, codes and links (made once per database),
/// the landing and the fallback; returns the links' paths.
async fn fixture(ctx: &Context, tmp: &Path) -> Result<Vec<String>, AppError> {
    let existing = tracking::links(ctx, Some(BRAND)).await?;
    if existing.is_empty() {
        let dir = tmp.join("fixture");
        std::fs::create_dir_all(&dir).map_err(io(format!("cannot create {}", dir.display())))?;
        let mut partners =
            String::from("partner_id,name,kind,parent_id,email,country,currency,status\n");
        let mut codes = String::from("code,partner_id,brand_id,kind\n");
        for p in 1..=10 {
            partners.push_str(&format!(
                "BP{p},Bench partner {p},affiliate,,,,EUR,active\n"
            ));
        }
        for c in 1..=CODES {
            codes.push_str(&format!("BC{c:03},BP{},{BRAND},btag\n", c % 10 + 1));
        }
        for (name, text) in [
            (
                "brands.csv",
                format!("brand_id,name,vertical,currency\n{BRAND},Bench casino,igaming,EUR\n"),
            ),
            ("partners.csv", partners),
            ("tracking_codes.csv", codes),
        ] {
            let path = dir.join(name);
            std::fs::write(&path, text).map_err(io(format!("cannot write {}", path.display())))?;
        }
        import::import_folder(ctx, &dir).await?;
        for c in 1..=CODES {
            tracking::create_link(ctx, BRAND, &format!("BC{c:03}"), None).await?;
        }
    }
    tracking::set_landing(
        ctx,
        BRAND,
        "https://bench.example/land?cid={click_id}&s1={sub1}",
    )
    .await?;
    let s = tracking::settings(ctx).await?;
    if s.fallback_url.is_none() {
        tracking::set_settings(
            ctx,
            TrackingSettings {
                fallback_url: Some("https://bench.example/".into()),
                ..s
            },
        )
        .await?;
    }
    Ok(tracking::links(ctx, Some(BRAND))
        .await?
        .into_iter()
        .map(|l| l.path)
        .collect())
}

/// Runs `clients` redirect clients against `addrs` for `seconds`; with
/// `term`, SIGTERMs that instance half-way.
async fn drive(
    run: &str,
    addrs: Vec<std::net::SocketAddr>,
    paths: &Arc<Vec<String>>,
    opts: &Options,
    term: Option<&Instance>,
) -> (Seen, f64) {
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for id in 0..opts.clients {
        tasks.push(tokio::spawn(serve_load::redirects(
            id,
            run.to_string(),
            addrs.clone(),
            paths.clone(),
            stop.clone(),
        )));
    }
    let total = Duration::from_secs(opts.seconds.max(1));
    if let Some(victim) = term {
        tokio::time::sleep(total / 2).await;
        victim.terminate();
        tokio::time::sleep(total - total / 2).await;
    } else {
        tokio::time::sleep(total).await;
    }
    stop.store(true, Ordering::Relaxed);
    let mut seen = Seen::default();
    for t in tasks {
        if let Ok(s) = t.await {
            seen.merge(s);
        }
    }
    (seen, started.elapsed().as_secs_f64())
}

/// (stored tags of `run`, lost, doubled, stored but never answered).
async fn count_clicks(
    ctx: &Context,
    paths: &[String],
    run: &str,
    answered: &[String],
) -> Result<(u64, u64, u64, u64), AppError> {
    let prefix = format!("{run}-");
    let mut stored: HashMap<String, u32> = HashMap::new();
    let mut tx = ctx.store.read().await?;
    for p in paths {
        for mut c in tx.clicks_of(p).await? {
            if let Some(tag) = c.subs[0].take().filter(|t| t.starts_with(&prefix)) {
                *stored.entry(tag).or_default() += 1;
            }
        }
    }
    drop(tx);
    let answered: HashSet<&str> = answered.iter().map(String::as_str).collect();
    let lost = answered
        .iter()
        .filter(|t| !stored.contains_key(**t))
        .count() as u64;
    let doubled = stored
        .values()
        .map(|n| u64::from(n.saturating_sub(1)))
        .sum();
    let extra = stored
        .keys()
        .filter(|t| !answered.contains(t.as_str()))
        .count() as u64;
    Ok((
        stored.values().map(|n| u64::from(*n)).sum(),
        lost,
        doubled,
        extra,
    ))
}

fn percentile(sorted: &[u32], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * q) as usize).min(sorted.len() - 1);
    f64::from(sorted[i]) / 1000.0
}

struct Row {
    scenario: &'static str,
    seconds: f64,
    seen: Seen,
    stored: u64,
    lost: u64,
    doubled: u64,
    extra: u64,
}

pub async fn bench_serve(url: &str, opts: Options, tmp: &Path) -> Result<(), AppError> {
    let secrets_path = tmp.join("secrets");
    let secrets = Arc::new(SecretsFile::writable(&secrets_path).map_err(AppError::Refused)?);
    let ctx = crate::open::context(&Some(url.to_string()))
        .await?
        .with_secrets(secrets);
    let t = Instant::now();
    let paths = Arc::new(fixture(&ctx, tmp).await?);
    let secret = Arc::new(postbacks_in::rotate_secret(&ctx, BRAND).await?);
    postbacks_in::set_settings(&ctx, BRAND, "hmac", 600).await?;
    errln!(
        "fixture: {} links of brand {BRAND} on {} ({:.1} s)",
        paths.len(),
        ctx.store.location(),
        t.elapsed().as_secs_f64()
    );
    let access_log = tmp.join("access.log");
    let run = format!("b{}", chrono::Utc::now().timestamp());
    let start = |name: &str| Instance::start(url, &secrets_path, &access_log, name);
    let mut rows = Vec::new();

    for (k, scenario) in [
        "one instance",
        "two instances, alternating",
        "two instances, one stopped by SIGTERM half-way",
    ]
    .into_iter()
    .enumerate()
    {
        let tag = format!("{run}s{k}");
        let a = start("a")?;
        let b = if k > 0 { Some(start("b")?) } else { None };
        let mut addrs = vec![a.addr];
        addrs.extend(b.as_ref().map(|b| b.addr));
        errln!(
            "{scenario}: {} clients for {} s…",
            opts.clients,
            opts.seconds
        );
        let victim = if k == 2 { b.as_ref() } else { None };
        let (seen, seconds) = drive(&tag, addrs, &paths, &opts, victim).await;
        // Every instance stops gracefully; then what they answered is counted.
        a.stop()?;
        if let Some(b) = b {
            b.stop()?;
        }
        let (stored, lost, doubled, extra) =
            count_clicks(&ctx, &paths, &tag, &seen.answered).await?;
        rows.push(Row {
            scenario,
            seconds,
            seen,
            stored,
            lost,
            doubled,
            extra,
        });
    }

    outln!(
        "| redirects ({}, {} clients) | seconds | answered | redirects/s | p50 ms | p95 ms | p99 ms | clicks stored | lost | doubled | stored, not answered | retried | other answers |",
        ctx.store.backend().as_str(),
        opts.clients
    );
    outln!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for mut r in rows {
        r.seen.micros.sort_unstable();
        let n = r.seen.answered.len();
        outln!(
            "| {} | {:.1} | {n} | {:.0} | {:.2} | {:.2} | {:.2} | {} | {} | {} | {} | {} | {} |",
            r.scenario,
            r.seconds,
            n as f64 / r.seconds.max(1e-9),
            percentile(&r.seen.micros, 0.50),
            percentile(&r.seen.micros, 0.95),
            percentile(&r.seen.micros, 0.99),
            r.stored,
            r.lost,
            r.doubled,
            r.extra,
            r.seen.retried,
            r.seen.unexpected
        );
    }

    // Postbacks in: signed registrations by code, a share of them replays.
    let code = "BC001".to_string();
    let a = start("pb")?;
    errln!(
        "postbacks in: {} clients for {} s…",
        opts.clients,
        opts.postback_seconds
    );
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut tasks = Vec::new();
    let pb_run = format!("{run}p");
    for id in 0..opts.clients {
        tasks.push(tokio::spawn(serve_load::postbacks(
            id,
            pb_run.clone(),
            a.addr,
            BRAND.to_string(),
            code.clone(),
            secret.clone(),
            opts.replay_every,
            stop.clone(),
        )));
    }
    tokio::time::sleep(Duration::from_secs(opts.postback_seconds.max(1))).await;
    stop.store(true, Ordering::Relaxed);
    let mut seen = Seen::default();
    for t in tasks {
        if let Ok(s) = t.await {
            seen.merge(s);
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    a.stop()?;
    // Stored: the accepted entries of the postback log (an event is
    // accepted exactly when it is first stored).
    let answered = seen.accepted + seen.duplicates + seen.unexpected;
    // Read straight from the log (the app's listing stops at 10 000 rows,
    // fewer than a run of group-committed postbacks stores).
    let mut stored: HashMap<String, u32> = HashMap::new();
    let taken: Vec<(String,)> = {
        let mut tx = ctx.store.read().await?;
        sqlx::query_as(
            "SELECT event_id FROM postback_log WHERE brand_id = $1 AND outcome = 'accepted' AND event_id LIKE $2",
        )
        .bind(BRAND)
        .bind(format!("{pb_run}-%"))
        .fetch_all(&mut *tx)
        .await
        .map_err(partnerdesk_store::StoreError::from)?
    };
    for (event_id,) in taken {
        *stored.entry(event_id).or_default() += 1;
    }
    let accepted: HashSet<&str> = seen.answered.iter().map(String::as_str).collect();
    let lost = accepted
        .iter()
        .filter(|e| !stored.contains_key(**e))
        .count();
    let doubled: u32 = stored.values().map(|n| n.saturating_sub(1)).sum();
    seen.micros.sort_unstable();
    outln!();
    outln!("| postbacks in ({}) | seconds | events answered | events/s | p50 ms | p95 ms | p99 ms | accepted (unique) | duplicates (replays) | events stored | lost | doubled | other answers |", ctx.store.backend().as_str());
    outln!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    outln!(
        "| signed registrations, every {}th a replay | {seconds:.1} | {answered} | {:.0} | {:.2} | {:.2} | {:.2} | {} | {} | {} | {lost} | {doubled} | {} |",
        opts.replay_every,
        answered as f64 / seconds.max(1e-9),
        percentile(&seen.micros, 0.50),
        percentile(&seen.micros, 0.95),
        percentile(&seen.micros, 0.99),
        seen.accepted,
        seen.duplicates,
        stored.len(),
        seen.unexpected
    );
    ctx.store.close().await;
    Ok(())
}
