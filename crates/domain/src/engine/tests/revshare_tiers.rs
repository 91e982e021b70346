//! RevShare tiers: flat by FTDs or by NGR, progressive slices, `rate` ignored
//! when tiers are present, and what counts as an FTD.

use super::builder::*;
use crate::commission::Kind;

#[test]
fn flat_tiers_by_ftds_pay_the_highest_tier_reached() {
    // `rate` 0.99 must be ignored because tiers are present.
    let s = casino(
        r#"[{"type": "revshare", "rate": "0.99",
             "tiers": [{"from": "3", "rate": "0.35"}, {"from": "2", "rate": "0.25"}]}]"#,
    )
    .player("C1", "DE", "2026-07-01")
    .player("C2", "DE", "2026-07-01")
    .player("C3", "DE", "2026-07-01")
    .player("C4", "DE", "2026-08-01")
    .player("C5", "DE", "2026-09-01")
    .player("C6", "DE", "2026-09-01");
    let mut e = s.engine();
    // July: C1, C2, C3 first deposit → 3 FTDs → tier from 3 (0.35).
    // NGR = 3 × 100 = 300 → 300 × 0.35 = 105.00.
    let jul = run(
        &mut e,
        "2026-07",
        &[
            s.play("C1", "2026-07-02", "10", "100", "0"),
            s.play("C2", "2026-07-02", "10", "100", "0"),
            s.play("C3", "2026-07-03", "10", "100", "0"),
        ],
        &[],
    );
    assert_eq!(
        amount(&jul, "A", Kind::Revshare),
        d("105.00"),
        "3 FTDs reach the 0.35 tier"
    );
    // August: only C4 is new (C1 deposits again, not an FTD) → 1 FTD < 2 = lowest
    // `from` → rate 0, not the ignored flat `rate`: 200 × 0 = 0.
    let aug = run(
        &mut e,
        "2026-08",
        &[
            s.play("C1", "2026-08-02", "10", "100", "0"),
            s.play("C4", "2026-08-02", "10", "100", "0"),
        ],
        &[],
    );
    assert_eq!(explained(&aug, "A", Kind::Revshare, "/basis/ftds"), 1);
    assert_eq!(
        amount(&aug, "A", Kind::Revshare),
        d("0"),
        "no tier reached pays 0"
    );
    // September: C5, C6 → 2 FTDs → tier from 2 (0.25); NGR 400 → 100.00.
    let sep = run(
        &mut e,
        "2026-09",
        &[
            s.play("C5", "2026-09-02", "10", "200", "0"),
            s.play("C6", "2026-09-02", "10", "200", "0"),
        ],
        &[],
    );
    assert_eq!(
        amount(&sep, "A", Kind::Revshare),
        d("100.00"),
        "2 FTDs reach the 0.25 tier only"
    );
}

#[test]
fn flat_rate_is_ignored_when_tiers_are_present() {
    let s = casino(
        r#"[{"type": "revshare", "rate": "0.50", "tiers": [{"from": "0", "rate": "0.10"}]}]"#,
    )
    .player("C1", "DE", "2026-07-01");
    let mut e = s.engine();
    // NGR 1000; tier from 0 applies: 1000 × 0.10 = 100.00 (not 1000 × 0.50).
    let jul = run(
        &mut e,
        "2026-07",
        &[s.play("C1", "2026-07-02", "10", "1000", "0")],
        &[],
    );
    assert_eq!(
        amount(&jul, "A", Kind::Revshare),
        d("100.00"),
        "the tier rate, not `rate`"
    );
}

#[test]
fn an_ftd_is_the_first_day_ever_with_a_deposit() {
    let s = casino(
        r#"[{"type": "revshare",
             "tiers": [{"from": "1", "rate": "0.10"}, {"from": "2", "rate": "0.50"}]}]"#,
    )
    .player("C1", "DE", "2026-07-01")
    .player("C2", "DE", "2026-07-01");
    let mut e = s.engine();
    // July: C1 deposits (FTD); C2 plays without depositing (no FTD) → 1 FTD → 0.10.
    // NGR = 100 + 100 = 200 → 20.00.
    let jul = run(
        &mut e,
        "2026-07",
        &[
            s.play("C1", "2026-07-02", "0", "0", "0"),
            s.play("C1", "2026-07-03", "25", "100", "0"),
            s.play("C2", "2026-07-03", "0", "100", "0"),
        ],
        &[],
    );
    assert_eq!(
        explained(&jul, "A", Kind::Revshare, "/basis/ftds"),
        1,
        "C2 has not deposited yet"
    );
    assert_eq!(amount(&jul, "A", Kind::Revshare), d("20.00"));
    // August: C2's first deposit → FTD; C1 deposits again but its FTD was in July.
    // 1 FTD (not 2) → 0.10; NGR 500 → 50.00 (0.50 would give 250.00).
    let aug = run(
        &mut e,
        "2026-08",
        &[
            s.play("C1", "2026-08-02", "40", "250", "0"),
            s.play("C2", "2026-08-02", "30", "250", "0"),
        ],
        &[],
    );
    assert_eq!(
        explained(&aug, "A", Kind::Revshare, "/basis/ftds"),
        1,
        "a customer who first deposited in an earlier month is not an FTD now"
    );
    assert_eq!(amount(&aug, "A", Kind::Revshare), d("50.00"));
}

#[test]
fn flat_tiers_by_ngr_use_the_ngr_before_carry() {
    let s = casino(
        r#"[{"type": "revshare", "negative_carryover": true, "tier_metric": "ngr",
             "tiers": [{"from": "0", "rate": "0.20"}, {"from": "1000", "rate": "0.30"}]}]"#,
    )
    .player("C1", "DE", "2026-07-01");
    let mut e = s.engine();
    // July: NGR −500 → carry −500.
    run(
        &mut e,
        "2026-07",
        &[s.play("C1", "2026-07-02", "10", "0", "500")],
        &[],
    );
    // August: NGR 1200 (metric, before carry) ≥ 1000 → 0.30 on effective 1200 − 500 = 700
    // → 210.00 (the effective 700 as metric would give the 0.20 tier: 140.00).
    let aug = run(
        &mut e,
        "2026-08",
        &[s.play("C1", "2026-08-02", "10", "1200", "0")],
        &[],
    );
    assert_eq!(
        amount(&aug, "A", Kind::Revshare),
        d("210.00"),
        "tier chosen by the period's NGR"
    );
}

#[test]
fn progressive_tiers_pay_each_slice_at_its_rate() {
    // tier_metric is set but not used by progressive mode.
    let s = casino(
        r#"[{"type": "revshare", "tier_mode": "progressive", "tier_metric": "ftds",
             "tiers": [{"from": "100", "rate": "0.10"}, {"from": "500", "rate": "0.20"},
                       {"from": "1000", "rate": "0.30"}]}]"#,
    )
    .player("C1", "DE", "2026-07-01");
    let mut e = s.engine();
    // July: effective 1500 (1 FTD, which would reach no flat tier):
    //   0–100 pays 0; 100–500: 400 × 0.10 = 40; 500–1000: 500 × 0.20 = 100;
    //   1000–1500: 500 × 0.30 = 150; total 290.00.
    let jul = run(
        &mut e,
        "2026-07",
        &[s.play("C1", "2026-07-02", "10", "1500", "0")],
        &[],
    );
    assert_eq!(
        amount(&jul, "A", Kind::Revshare),
        d("290.00"),
        "sum of the slices"
    );
    // August: effective 300: (300 − 100) × 0.10 = 20.00.
    let aug = run(
        &mut e,
        "2026-08",
        &[s.play("C1", "2026-08-02", "0", "300", "0")],
        &[],
    );
    assert_eq!(
        amount(&aug, "A", Kind::Revshare),
        d("20.00"),
        "only the first slice is reached"
    );
    // September: effective 80 lies below the lowest `from`: 0.
    let sep = run(
        &mut e,
        "2026-09",
        &[s.play("C1", "2026-09-02", "0", "80", "0")],
        &[],
    );
    assert_eq!(
        amount(&sep, "A", Kind::Revshare),
        d("0"),
        "the part below the lowest from pays 0"
    );
}
