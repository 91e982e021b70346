//! `partnerdesk bench sync`: MT5 deals and gaming activity from
//! `partnerdesk-sim` (a separate process on loopback, as a real platform
//! would be) into SQLite, end to end through the connectors and the sync
//! engine; prints rows, seconds, rows/s and peak memory of this process.

use super::measure::{peak_mib, reset_peak};
use partnerdesk_app::brands;
use partnerdesk_app::sync::{self, ConnectionInput, RunOptions};
use partnerdesk_app::wire::BrandView;
use partnerdesk_app::AppError;
use std::io::BufRead;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

/// The simulator binary next to this one (same cargo target folder).
fn sim_binary() -> Result<std::path::PathBuf, AppError> {
    let me = std::env::current_exe().map_err(|e| AppError::Io {
        context: "cannot find this program".into(),
        source: e,
    })?;
    let name = format!("partnerdesk-sim{}", std::env::consts::EXE_SUFFIX);
    let sim = me.with_file_name(name);
    if sim.exists() {
        Ok(sim)
    } else {
        Err(AppError::Refused(format!(
            "{} is missing: build it first (cargo build --release -p partnerdesk-sim)",
            sim.display()
        )))
    }
}

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub async fn bench_sync(url: &str, deals: usize, activity: usize) -> Result<(), AppError> {
    let mut child = Command::new(sim_binary()?)
        .args([
            "--port",
            "0",
            "--synthetic-deals",
            &deals.to_string(),
            "--synthetic-activity",
            &activity.to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| AppError::Io {
            context: "cannot start partnerdesk-sim".into(),
            source: e,
        })?;
    let stdout = child.stdout.take();
    let child = Child(child);
    let mut line = String::new();
    if let Some(out) = stdout {
        std::io::BufReader::new(out)
            .read_line(&mut line)
            .map_err(|e| AppError::Io {
                context: "cannot read partnerdesk-sim's address".into(),
                source: e,
            })?;
    }
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .ok_or_else(|| AppError::Refused(format!("partnerdesk-sim did not start: {line}")))?
        .to_string();

    let ctx = crate::open::context(&Some(url.to_string()))
        .await?
        .with_secrets(Arc::new(partnerdesk_secrets::MemoryStore::new()));
    for (id, vertical) in [("FX", "forex"), ("CAS", "igaming")] {
        brands::create(
            &ctx,
            BrandView {
                brand_id: id.into(),
                name: format!("Bench {id}"),
                vertical: vertical.into(),
                currency: "USD".into(),
            },
        )
        .await?;
    }
    sync::add(
        &ctx,
        ConnectionInput {
            name: "bench-mt5".into(),
            config: serde_json::json!({"kind": "mt5", "base_url": base, "login": "1000", "brand_id": "FX",
                "from": "2026-06-30", "window_hours": 24}),
            secrets: [("password".to_string(), "manager-pass".to_string())].into(),
            schedule_minutes: None,
        },
    )
    .await?;
    sync::add(
        &ctx,
        ConnectionInput {
            name: "bench-feed".into(),
            config: serde_json::json!({"kind": "gaming", "base_url": base, "brand_id": "CAS",
                "auth": {"type": "bearer"}, "page_size_param": "limit", "page_size": 10000}),
            secrets: [("token".to_string(), "feed-token".to_string())].into(),
            schedule_minutes: None,
        },
    )
    .await?;
    reset_peak();
    outln!("stream\trows\tseconds\trows/s\tpeak MiB");
    let mut total_rows = 0i64;
    let mut signins = None;
    let all = Instant::now();
    for name in ["bench-mt5", "bench-feed"] {
        let t = Instant::now();
        let r = sync::run(&ctx, name, RunOptions::default()).await?;
        if name == "bench-mt5" {
            signins = r
                .report
                .as_ref()
                .and_then(|rep| rep.notes.iter().find(|n| n.text == "MT5 sign-ins"))
                .map(|n| n.count);
        }
        let secs = t.elapsed().as_secs_f64();
        total_rows += r.fetched;
        outln!(
            "{name}\t{}\t{secs:.2}\t{:.0}\t{}",
            r.fetched,
            r.fetched as f64 / secs.max(1e-9),
            peak_mib()
        );
        if r.errors > 0 {
            return Err(AppError::Refused(format!(
                "{name}: {} records failed",
                r.errors
            )));
        }
    }
    let secs = all.elapsed().as_secs_f64();
    outln!(
        "total\t{total_rows}\t{secs:.2}\t{:.0}\t{}",
        total_rows as f64 / secs.max(1e-9),
        peak_mib()
    );
    // One sign-in per connection: what the sync counted and what the
    // simulator saw.
    if let Some(n) = signins {
        outln!("MT5 sign-ins (sync)\t{n}");
    }
    if let Some(stats) = sim_stats(&base) {
        outln!(
            "MT5 sign-ins (simulator)\t{}\tconnections\t{}",
            stats.0,
            stats.1
        );
    }
    drop(child);
    Ok(())
}

/// `GET /__sim/stats` of the simulator at `base`: (sign-ins, connections).
fn sim_stats(base: &str) -> Option<(u64, u64)> {
    use std::io::{Read, Write};
    let addr = base.strip_prefix("http://")?.trim_end_matches('/');
    let mut s = std::net::TcpStream::connect(addr).ok()?;
    write!(
        s,
        "GET /__sim/stats HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    let body = text.split("\r\n\r\n").nth(1)?;
    let v: serde_json::Value = serde_json::from_str(body.trim()).ok()?;
    Some((v["sign_ins"].as_u64()?, v["connections"].as_u64()?))
}
