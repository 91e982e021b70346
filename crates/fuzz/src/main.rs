//! `partnerdesk-fuzz [--seconds N | --inputs N] [--seed S] [TARGET…]`: runs
//! the fuzz targets and prints, per target, the inputs tried and what went
//! wrong. Each target runs in a worker process (this program with
//! `--worker`), which writes every input down before running it: a panic
//! is caught in the worker, while an abort, a stack overflow or a hang (no
//! progress for 20 s) ends the worker and the supervisor keeps the input it
//! was on. Crashing inputs are written to `target/fuzz-crashes/<target>/`;
//! copied to `crates/fuzz/regressions/<target>/` they become tests.
//! Exit status 1 when anything crashed.

use partnerdesk_fuzz as fuzz;
use std::io::{BufRead, BufReader, Seek, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

const USAGE: &str =
    "usage: partnerdesk-fuzz [--seconds N | --inputs N] [--seed S] [--list] [TARGET…]";

/// How long a worker may go without finishing an input.
const HANG: Duration = Duration::from_secs(20);

struct Budget {
    seconds: Option<f64>,
    inputs: Option<u64>,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("partnerdesk-fuzz: {e}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<bool, String> {
    let mut budget = Budget {
        seconds: None,
        inputs: None,
    };
    let mut seed: u64 = 1;
    let mut names: Vec<String> = Vec::new();
    let mut worker: Option<(String, PathBuf)> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--seconds" => budget.seconds = Some(number(value()?)?),
            "--inputs" => budget.inputs = Some(number(value()?)? as u64),
            "--seed" => seed = number(value()?)? as u64,
            "--worker" => {
                let target = value()?.clone();
                worker = Some((target, PathBuf::from(value()?)));
            }
            "--list" => {
                for t in fuzz::all() {
                    println!("{:<18} {}", t.name, t.about);
                }
                return Ok(true);
            }
            other if other.starts_with('-') => return Err(format!("unknown option {other}")),
            name => names.push(name.to_string()),
        }
    }
    if budget.seconds.is_none() && budget.inputs.is_none() {
        budget.seconds = Some(10.0);
    }
    if let Some((target, current)) = worker {
        return work(&target, &current, seed, &budget);
    }
    let targets: Vec<fuzz::Target> = if names.is_empty() {
        fuzz::all()
    } else {
        names
            .iter()
            .map(|n| fuzz::find(n).ok_or_else(|| format!("no target {n} (see --list)")))
            .collect::<Result<_, _>>()?
    };
    supervise(&targets, seed, &budget)
}

fn number(raw: &str) -> Result<f64, String> {
    raw.parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n >= 0.0)
        .ok_or_else(|| format!("{raw} is not a number"))
}

/// The worker: fuzzes one target, writing each input to `current` first,
/// and reports `progress N` lines, then `crash HEX MESSAGE` lines and `done N`.
fn work(target: &str, current: &Path, seed: u64, budget: &Budget) -> Result<bool, String> {
    let t = fuzz::find(target).ok_or_else(|| format!("no target {target}"))?;
    let mut file = std::fs::File::create(current).map_err(|e| e.to_string())?;
    fuzz::quiet_panics();
    let started = Instant::now();
    let mut said = started;
    let stdout = std::io::stdout();
    let tally = fuzz::fuzz(
        &t,
        seed,
        |n| {
            // Between any two inputs: the supervisor hears at least once a
            // second that this worker is alive.
            let now = Instant::now();
            if now.duration_since(said) >= Duration::from_secs(1) {
                said = now;
                let _ = writeln!(stdout.lock(), "progress {n}");
            }
            budget.inputs.is_some_and(|max| n >= max)
                || budget
                    .seconds
                    .is_some_and(|s| now.duration_since(started).as_secs_f64() >= s)
        },
        |input| {
            // Rewritten in place (no new file per input): it is what a
            // crash that ends the process leaves behind.
            let _ = file.set_len(0);
            let _ = file.rewind();
            let _ = file.write_all(input);
        },
    );
    let mut out = stdout.lock();
    for (input, message) in &tally.crashes {
        let hex: String = input.iter().map(|b| format!("{b:02x}")).collect();
        let message = message.replace('\n', " ");
        let _ = writeln!(out, "crash {hex} {message}");
    }
    let _ = writeln!(out, "done {}", tally.inputs);
    Ok(true)
}

struct Outcome {
    inputs: u64,
    crashes: Vec<(Vec<u8>, String)>,
    seconds: f64,
}

fn supervise(targets: &[fuzz::Target], seed: u64, budget: &Budget) -> Result<bool, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let crash_dir = crash_folder();
    println!(
        "{:<18} {:>10} {:>8} {:>9}  {}",
        "target", "inputs", "crashes", "seconds", "inputs/s"
    );
    let mut clean = true;
    for t in targets {
        let o = run_target(&exe, t.name, seed, budget)?;
        println!(
            "{:<18} {:>10} {:>8} {:>9.1}  {:.0}",
            t.name,
            o.inputs,
            o.crashes.len(),
            o.seconds,
            o.inputs as f64 / o.seconds.max(0.001)
        );
        for (input, message) in &o.crashes {
            clean = false;
            let dir = crash_dir.join(t.name);
            let _ = std::fs::create_dir_all(&dir);
            let file = dir.join(format!("{:016x}", fuzz::hash(input)));
            let _ = std::fs::write(&file, input);
            println!("  crash: {message}\n    input: {}", file.display());
        }
    }
    if !clean {
        println!(
            "\nkeep a crash as a regression test: fix it, then copy its input to crates/fuzz/regressions/<target>/"
        );
    }
    Ok(clean)
}

fn crash_folder() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("fuzz-crashes")
}

/// Runs `target` in workers until the budget is spent; a worker that dies
/// or hangs is replaced (with the next seed) after its input is kept.
fn run_target(exe: &Path, target: &str, seed: u64, budget: &Budget) -> Result<Outcome, String> {
    let started = Instant::now();
    let mut o = Outcome {
        inputs: 0,
        crashes: Vec::new(),
        seconds: 0.0,
    };
    let current = std::env::temp_dir().join(format!(
        "partnerdesk-fuzz-{}-{target}.input",
        std::process::id()
    ));
    let mut seed = seed;
    loop {
        let left_inputs = budget.inputs.map(|n| n.saturating_sub(o.inputs));
        let left_seconds = budget.seconds.map(|s| s - started.elapsed().as_secs_f64());
        if left_inputs == Some(0) || left_seconds.is_some_and(|s| s <= 0.0) {
            break;
        }
        let mut cmd = Command::new(exe);
        cmd.args(["--worker", target])
            .arg(&current)
            .args(["--seed", &seed.to_string()]);
        if let Some(n) = left_inputs {
            cmd.args(["--inputs", &n.to_string()]);
        }
        if let Some(s) = left_seconds {
            cmd.args(["--seconds", &format!("{s:.3}")]);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start a worker: {e}"))?;
        let lines = child.stdout.take().ok_or("no worker output")?;
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in BufReader::new(lines).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut done_inputs: Option<u64> = None;
        let mut seen = 0u64;
        let mut hung = false;
        loop {
            match rx.recv_timeout(HANG) {
                Ok(line) => {
                    if let Some(n) = line.strip_prefix("progress ") {
                        seen = n.parse().unwrap_or(seen);
                    } else if let Some(n) = line.strip_prefix("done ") {
                        done_inputs = n.parse().ok();
                    } else if let Some(rest) = line.strip_prefix("crash ") {
                        let (hex, message) = rest.split_once(' ').unwrap_or((rest, ""));
                        o.crashes.push((unhex(hex), message.to_string()));
                    }
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    hung = true;
                    let _ = child.kill();
                    break;
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        let status = child.wait().map_err(|e| e.to_string())?;
        match done_inputs {
            Some(n) if status.success() => o.inputs += n,
            _ => {
                // The worker died (or hung) on the input it wrote down last.
                o.inputs += seen + 1;
                let input = std::fs::read(&current).unwrap_or_default();
                let what = if hung {
                    format!("no answer for {} s (a hang)", HANG.as_secs())
                } else {
                    format!("the worker ended with {status} (an abort, a stack overflow or out of memory)")
                };
                o.crashes.push((input, what));
                seed = seed.wrapping_add(1_000_003);
                if o.crashes.len() >= 20 {
                    break;
                }
            }
        }
        if done_inputs.is_some() && status.success() {
            break;
        }
    }
    let _ = std::fs::remove_file(&current);
    o.seconds = started.elapsed().as_secs_f64();
    Ok(o)
}

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len() / 2)
        .filter_map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok())
        .collect()
}
