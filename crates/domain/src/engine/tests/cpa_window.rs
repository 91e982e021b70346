//! CPA windows and candidate days: day 1 is the UTC registration date, the
//! window's last day passes and the next fails, days under a plan without
//! CPA keep the sums running, and one plan's window does not end the search.

use super::builder::*;
use crate::commission::Kind;

#[test]
fn window_includes_its_last_day_and_counts_registration_as_day_one() {
    let s = casino(r#"[{"type": "cpa", "amount": "100", "window_days": 7}]"#)
        .player("C1", "DE", "2026-07-01T08:00:00Z")
        .player("C2", "DE", "2026-07-01T08:00:00Z")
        // 23:30 at UTC−2 is 01:30 UTC on 07-02: day 1 is 07-02, day 7 is 07-08.
        .player("C3", "DE", "2026-07-01T23:30:00-02:00");
    let mut e = s.engine();
    // C1: first deposit 07-07 = day 7 (07-01 is day 1) → qualifies.
    // C2: first deposit 07-08 = day 8 → outside the window.
    // C3: first deposit 07-08 = day 7 of a 07-02 registration → qualifies.
    let jul = run(
        &mut e,
        "2026-07",
        &[
            s.play("C1", "2026-07-07", "10", "0", "0"),
            s.play("C2", "2026-07-08", "10", "0", "0"),
            s.play("C3", "2026-07-08", "10", "0", "0"),
        ],
        &[],
    );
    assert_eq!(
        amount(&jul, "A", Kind::Cpa),
        d("200.00"),
        "C1 and C3 on day 7; C2 on day 8 is late"
    );
    assert_eq!(
        explained(&jul, "A", Kind::Cpa, "/customers/0/customer_id"),
        "C1"
    );
    assert_eq!(
        explained(&jul, "A", Kind::Cpa, "/customers/1/customer_id"),
        "C3"
    );
}

#[test]
fn days_under_a_plan_without_cpa_keep_the_sums_running() {
    let s = casino("[]")
        .plan(
            "cpa",
            r#"[{"type": "cpa", "amount": "100", "min_deposits": "100"}]"#,
        )
        .player("C1", "DE", "2026-07-01")
        .player("C2", "DE", "2026-07-01")
        .without_assignments()
        .assign("A", "CAS", "deal", "2026-07", Some("2026-07"))
        .assign("A", "CAS", "cpa", "2026-08", None);
    let mut e = s.engine();
    // July's plan has no CPA: its days are not candidates (C2's 150 would have qualified),
    // but they add to the running sums: C1 80, C2 150.
    let jul = run(
        &mut e,
        "2026-07",
        &[
            s.play("C1", "2026-07-05", "80", "0", "0"),
            s.play("C2", "2026-07-05", "150", "0", "0"),
        ],
        &[],
    );
    assert!(
        line(&jul, "A", Kind::Cpa).is_none(),
        "no cpa component in July"
    );
    // August: C1 80 + 20 = 100 ≥ 100; C2 already 150 on its first August day
    // (deposits 0). Both qualify under August's plan: 2 × 100 = 200.00.
    let aug = run(
        &mut e,
        "2026-08",
        &[
            s.play("C1", "2026-08-02", "20", "0", "0"),
            s.play("C2", "2026-08-03", "0", "10", "0"),
        ],
        &[],
    );
    assert_eq!(
        amount(&aug, "A", Kind::Cpa),
        d("200.00"),
        "July's deposits count toward August's CPA"
    );
}

#[test]
fn a_day_outside_one_plans_window_does_not_end_the_search() {
    let s =
        casino(r#"[{"type": "cpa", "amount": "100", "min_deposits": "100", "window_days": 10}]"#)
            .plan(
                "long",
                r#"[{"type": "cpa", "amount": "200", "min_deposits": "100", "window_days": 60}]"#,
            )
            .player("C1", "DE", "2026-07-01")
            .without_assignments()
            .assign("A", "CAS", "deal", "2026-07", Some("2026-07"))
            .assign("A", "CAS", "long", "2026-08", None);
    let mut e = s.engine();
    // July (window 10): 50 on day 5, 50 on day 20 → 100 reached outside the window.
    let jul = run(
        &mut e,
        "2026-07",
        &[
            s.play("C1", "2026-07-05", "50", "0", "0"),
            s.play("C1", "2026-07-20", "50", "0", "0"),
        ],
        &[],
    );
    assert!(
        line(&jul, "A", Kind::Cpa).is_none(),
        "day 20 is outside July's 10-day window"
    );
    // August (window 60): 08-05 is day 36 ≤ 60 with cumulative 100 → qualifies at
    // August's amount: 200.00.
    let aug = run(
        &mut e,
        "2026-08",
        &[s.play("C1", "2026-08-05", "0", "10", "0")],
        &[],
    );
    assert_eq!(
        amount(&aug, "A", Kind::Cpa),
        d("200.00"),
        "the longer window of August's plan applies"
    );
}
