//! `cap_per_period`: the first N qualifiers by day then customer id (byte
//! order) are paid; the rest are never paid, in that period or later.

use super::builder::*;
use crate::commission::Kind;

#[test]
fn cap_orders_by_day_then_customer_id_bytes_and_capped_are_never_paid() {
    let s = casino(r#"[{"type": "cpa", "amount": "100", "cap_per_period": 1}]"#)
        .player("C1", "DE", "2026-07-01")
        .player("C9", "DE", "2026-07-01")
        .player("C10", "DE", "2026-07-01")
        .player("C2", "DE", "2026-07-01");
    let mut e = s.engine();
    // Qualifiers: C9 and C10 on 07-05, C1 on 07-06. By day first, then byte order
    // ("C10" < "C9", since '1' < '9'): C10, C9, C1. Cap 1 → only C10: 100.00.
    let jul = run(
        &mut e,
        "2026-07",
        &[
            s.play("C1", "2026-07-06", "10", "0", "0"),
            s.play("C9", "2026-07-05", "10", "0", "0"),
            s.play("C10", "2026-07-05", "10", "0", "0"),
        ],
        &[],
    );
    assert_eq!(
        amount(&jul, "A", Kind::Cpa),
        d("100.00"),
        "cap 1 pays one qualifier"
    );
    assert_eq!(
        explained(&jul, "A", Kind::Cpa, "/customers/0/customer_id"),
        "C10",
        "same day: byte order puts C10 before C9; C1 qualified a day later"
    );
    // August: C1, C9 and C10 deposit again but were capped: never paid. C2 is a new
    // qualifier under a fresh cap: 100.00.
    let aug = run(
        &mut e,
        "2026-08",
        &[
            s.play("C1", "2026-08-02", "10", "0", "0"),
            s.play("C9", "2026-08-02", "10", "0", "0"),
            s.play("C10", "2026-08-02", "10", "0", "0"),
            s.play("C2", "2026-08-03", "10", "0", "0"),
        ],
        &[],
    );
    assert_eq!(
        amount(&aug, "A", Kind::Cpa),
        d("100.00"),
        "capped customers are not paid later"
    );
    assert_eq!(
        explained(&aug, "A", Kind::Cpa, "/customers/0/customer_id"),
        "C2"
    );
}
