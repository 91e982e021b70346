//! Every input that ever crashed a target (`regressions/<target>/`) runs
//! again on every `cargo test`, and each target takes a few thousand
//! mutated inputs without a crash.

use std::path::PathBuf;

#[test]
fn kept_crashes_stay_fixed() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("regressions");
    let mut replayed = 0;
    for target in partnerdesk_fuzz::all() {
        let Ok(entries) = std::fs::read_dir(root.join(target.name)) else {
            continue;
        };
        for e in entries.flatten() {
            let input = std::fs::read(e.path()).unwrap();
            if let Err(message) = partnerdesk_fuzz::try_one(&target, &input) {
                panic!("{} {}: {message}", target.name, e.path().display());
            }
            replayed += 1;
        }
    }
    eprintln!("{replayed} kept inputs replayed");
}

#[test]
fn every_target_takes_mutated_inputs_without_a_crash() {
    partnerdesk_fuzz::quiet_panics();
    for target in partnerdesk_fuzz::all() {
        let tally = partnerdesk_fuzz::fuzz(&target, 42, |n| n >= 2_000, |_| {});
        assert!(
            tally.crashes.is_empty(),
            "{}: {:?}",
            target.name,
            tally
                .crashes
                .iter()
                .map(|(i, m)| (
                    String::from_utf8_lossy(i)
                        .chars()
                        .take(200)
                        .collect::<String>(),
                    m
                ))
                .collect::<Vec<_>>()
        );
        assert_eq!(tally.inputs, 2_000);
    }
}
