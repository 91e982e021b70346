//! Fuzz targets for every parser of outside data — the import's CSV rows and
//! `plans.json`, the MT5, gaming-feed and WooCommerce answers, connection
//! settings, database URLs, SMTP settings and e-mail templates — and a
//! runner for them on stable Rust: seeded random mutations of real inputs,
//! each run under `catch_unwind`, a panic (or a broken invariant the target
//! asserts) being a crash.
//!
//! `partnerdesk-fuzz` (src/main.rs) runs the targets, each in a worker
//! process of its own so that an abort, a stack overflow or a hang is
//! caught too; `cargo xtask fuzz --seconds N` runs it, and `cargo xtask
//! test` runs every target for a few seconds. An input that crashed is
//! kept under `regressions/<target>/`, where `tests/regressions.rs`
//! replays it on every `cargo test`.

pub mod mutate;
pub mod targets;

use std::panic::AssertUnwindSafe;

/// One fuzz target.
pub struct Target {
    pub name: &'static str,
    /// What it feeds, and to what.
    pub about: &'static str,
    /// Runs one input; returns normally for any input (a panic is a crash).
    pub run: fn(&[u8]),
    /// Real inputs to start mutating from.
    pub seeds: fn() -> Vec<Vec<u8>>,
    /// Words worth inserting (field names, keywords) besides the shared ones.
    pub words: &'static [&'static str],
}

/// Every target, in the order they run.
pub fn all() -> Vec<Target> {
    targets::all()
}

/// The target named `name`.
pub fn find(name: &str) -> Option<Target> {
    all().into_iter().find(|t| t.name == name)
}

/// Runs `input` through `target`, catching a panic: its message.
pub fn try_one(target: &Target, input: &[u8]) -> Result<(), String> {
    std::panic::catch_unwind(AssertUnwindSafe(|| (target.run)(input))).map_err(|p| {
        p.downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "a panic without a message".into())
    })
}

/// What a run of one target did.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    pub inputs: u64,
    pub crashes: Vec<(Vec<u8>, String)>,
}

/// Runs `target` on mutated inputs until `stop(inputs so far)` says so;
/// `before` is called with each input before it runs (the worker writes it
/// down, so that an input that kills the process is not lost). Crashing
/// inputs are kept (at most 20, each once).
pub fn fuzz(
    target: &Target,
    seed: u64,
    mut stop: impl FnMut(u64) -> bool,
    mut before: impl FnMut(&[u8]),
) -> Tally {
    let corpus = (target.seeds)();
    let mut m = mutate::Mutator::new(seed, target.words);
    let mut tally = Tally::default();
    while !stop(tally.inputs) {
        let input = m.next_input(&corpus);
        before(&input);
        if let Err(message) = try_one(target, &input) {
            if tally.crashes.len() < 20 && !tally.crashes.iter().any(|(i, _)| *i == input) {
                tally.crashes.push((input, message));
            }
        }
        tally.inputs += 1;
    }
    tally
}

/// Keeps panics quiet while fuzzing (each one is reported with its input
/// instead); the message still reaches [`try_one`] through the payload.
pub fn quiet_panics() {
    std::panic::set_hook(Box::new(|_| {}));
}

/// A stable 64-bit hash (FNV-1a): names a crashing input's file.
pub fn hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
