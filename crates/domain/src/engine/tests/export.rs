//! The canonical export: byte-order sorting, zero lines left out, header
//! always, LF endings, two decimals, negatives with '-'.

use super::builder::*;
use crate::commission::{canonical_csv, Kind, Line};

fn line_of(partner: &str, brand: &str, kind: Kind, amount: &str) -> Line {
    Line {
        partner_id: id(partner),
        brand_id: id(brand),
        period: period("2026-07"),
        kind,
        amount: d(amount),
        currency: cur("EUR"),
        amount_brand: d(amount),
        brand_currency: cur("EUR"),
        fx_rate: d("1"),
        explanation: crate::commission::Explanation::of(&serde_json::json!({})),
    }
}

#[test]
fn rows_sort_by_partner_brand_and_kind_name_in_byte_order() {
    let lines = [
        line_of("b", "X", Kind::Cpa, "1"),
        line_of("a_1", "X", Kind::Cpa, "1"),
        line_of("a-1", "X", Kind::Cpa, "1"),
        line_of("a", "x", Kind::Cpa, "1"),
        line_of("a", "X", Kind::Revshare, "12.5"),
        line_of("a", "X", Kind::LotRebate, "-3.1"),
        line_of("a", "X", Kind::SubOverride, "0"),
        line_of("a", "X", Kind::Adjustment, "9"),
        line_of("B", "X", Kind::PurchaseShare, "5"),
    ];
    // Byte order: 'B' (0x42) < 'a' (0x61); "a" < "a-1" ('-' 0x2D) < "a_1" ('_' 0x5F) < "b";
    // brand "X" < "x"; kinds by name: lot_rebate < revshare (not enum order).
    // The zero sub_override and the adjustment are left out.
    let expected = "partner_id,brand_id,period,kind,amount,currency\n\
        B,X,2026-07,purchase_share,5.00,EUR\n\
        a,X,2026-07,lot_rebate,-3.10,EUR\n\
        a,X,2026-07,revshare,12.50,EUR\n\
        a,x,2026-07,cpa,1.00,EUR\n\
        a-1,X,2026-07,cpa,1.00,EUR\n\
        a_1,X,2026-07,cpa,1.00,EUR\n\
        b,X,2026-07,cpa,1.00,EUR\n";
    assert_eq!(
        canonical_csv(&lines),
        expected,
        "byte order, two decimals, LF after every row"
    );
}

#[test]
fn the_header_is_printed_even_without_rows() {
    assert_eq!(
        canonical_csv(&[line_of("a", "X", Kind::Cpa, "0")]),
        "partner_id,brand_id,period,kind,amount,currency\n",
        "zero lines are left out but the header stays"
    );
}

#[test]
fn an_engine_period_exports_without_its_zero_carry_line() {
    let s = casino(
        r#"[{"type": "revshare", "rate": "0.30", "negative_carryover": true},
                      {"type": "cpa", "amount": "25"}]"#,
    )
    .player("C1", "DE", "2026-07-01");
    let mut e = s.engine();
    // NGR −300: a revshare line of 0 explaining the carry, and a CPA of 25.
    let jul = run(
        &mut e,
        "2026-07",
        &[s.play("C1", "2026-07-02", "10", "100", "400")],
        &[],
    );
    assert!(
        line(&jul, "A", Kind::Revshare).is_some(),
        "the engine keeps the zero line for its carry"
    );
    let csv = canonical_csv(&jul);
    assert_eq!(
        csv, "partner_id,brand_id,period,kind,amount,currency\nA,CAS,2026-07,cpa,25.00,EUR\n",
        "the export leaves the zero revshare line out"
    );
    assert!(!csv.contains('\r'), "LF line ends only");
}
