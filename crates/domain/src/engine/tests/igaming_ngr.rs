//! GGR and NGR: bonuses, chargebacks, taxes, the payment fee on deposits and
//! withdrawals, and the admin fee only on a positive NGR_pre.

use super::builder::*;
use crate::commission::Kind;
use crate::data::ActivityDay;

#[test]
fn ngr_subtracts_every_cost_and_the_admin_fee_applies_when_positive() {
    let s = casino(
        r#"[{"type": "revshare", "rate": "0.25", "admin_fee_rate": "0.10", "payment_fee_rate": "0.02"}]"#,
    )
    .player("C1", "DE", "2026-07-01")
    .player("C2", "DE", "2026-07-01");
    // Summed over both customers' days:
    //   deposits 1000, withdrawals 200, bets 5000, wins 3800,
    //   bonuses 100, chargebacks 50, taxes 30.
    let rows = [
        ActivityDay {
            deposits: d("600"),
            withdrawals: d("200"),
            bets: d("3000"),
            wins: d("2000"),
            bonuses: d("100"),
            ..s.act("C1", "2026-07-05")
        },
        ActivityDay {
            deposits: d("400"),
            bets: d("2000"),
            wins: d("1800"),
            chargebacks: d("50"),
            taxes: d("30"),
            ..s.act("C2", "2026-07-06")
        },
    ];
    let mut e = s.engine();
    let jul = run(&mut e, "2026-07", &rows, &[]);
    // GGR     = 5000 − 3800 = 1200
    // NGR_pre = 1200 − 100 − 50 − 30 − 0.02 × (1000 + 200) = 1020 − 24 = 996
    // NGR     = 996 × (1 − 0.10) = 896.4
    // revshare = 896.4 × 0.25 = 224.10
    assert_eq!(
        explained(&jul, "A", Kind::Revshare, "/basis/ggr"),
        "1200",
        "GGR is bets minus wins"
    );
    assert_eq!(
        explained(&jul, "A", Kind::Revshare, "/basis/ngr_before_admin_fee"),
        "996",
        "NGR_pre takes bonuses, chargebacks, taxes and 2% of deposits+withdrawals"
    );
    assert_eq!(
        amount_brand(&jul, "A", Kind::Revshare),
        d("224.1"),
        "25% of NGR after the 10% admin fee"
    );
    assert_eq!(amount(&jul, "A", Kind::Revshare), d("224.10"));
}

#[test]
fn admin_fee_is_not_applied_to_a_negative_ngr_pre() {
    let s = casino(
        r#"[{"type": "revshare", "rate": "0.25", "admin_fee_rate": "0.10", "negative_carryover": true}]"#,
    )
    .player("C1", "DE", "2026-07-01");
    let mut e = s.engine();
    // July: GGR = 100 − 300 = −200 = NGR_pre ≤ 0, so NGR = −200 (not −200 × 0.9 = −180).
    let jul = run(
        &mut e,
        "2026-07",
        &[s.play("C1", "2026-07-03", "50", "100", "300")],
        &[],
    );
    assert_eq!(
        amount(&jul, "A", Kind::Revshare),
        d("0"),
        "nothing paid on a loss"
    );
    assert_eq!(
        explained(&jul, "A", Kind::Revshare, "/carry_out"),
        "-200",
        "the whole negative NGR_pre is carried, without admin fee"
    );
    // August: GGR = NGR_pre = 1000 − 500 = 500; NGR = 500 × 0.9 = 450;
    // effective = 450 − 200 = 250; revshare = 250 × 0.25 = 62.50
    // (67.50 if the admin fee had shrunk July's loss to −180).
    let aug = run(
        &mut e,
        "2026-08",
        &[s.play("C1", "2026-08-03", "0", "1000", "500")],
        &[],
    );
    assert_eq!(amount(&aug, "A", Kind::Revshare), d("62.50"));
}
