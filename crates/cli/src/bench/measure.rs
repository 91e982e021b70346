//! What the benchmarks measure besides time: the process's peak memory, and
//! the median of repeated timings; and the generated scale they start from.

use partnerdesk_app::AppError;
use std::time::Instant;

/// Generates `scale` (S, M, L, …) as an import folder `tmp/import`, saying
/// how many rows it wrote and how long it took: what the money and reports
/// benches start from.
pub fn generate_scale(
    scale: &str,
    tmp: &std::path::Path,
) -> Result<
    (
        partnerdesk_gen::GenOptions,
        std::path::PathBuf,
        partnerdesk_gen::GenReport,
    ),
    AppError,
> {
    let scale: partnerdesk_gen::Scale = scale
        .parse()
        .map_err(|e: partnerdesk_gen::GenError| AppError::invalid("--scale", e.to_string()))?;
    let opts = partnerdesk_gen::GenOptions {
        scale,
        ..Default::default()
    };
    let folder = tmp.join("import");
    let t = Instant::now();
    let gen = partnerdesk_gen::generate(&opts, &folder, &mut |_, _, _| {})
        .map_err(|e| AppError::Refused(e.to_string()))?;
    errln!(
        "generated {} rows in {:.1} s",
        gen.total_rows(),
        t.elapsed().as_secs_f64()
    );
    Ok((opts, folder, gen))
}

/// Peak resident memory since the last reset, in MiB (Linux; 0 elsewhere).
pub fn peak_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<u64>().ok())
        })
        .map(|kb| kb / 1024)
        .unwrap_or(0)
}

/// Starts a new peak (Linux: clears the high-water mark; elsewhere nothing).
pub fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}
