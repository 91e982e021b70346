use super::*;
use chrono::NaiveDate;

fn spec(by: &[&str], measures: &[&str], currency: Option<&str>) -> ReportSpec {
    ReportSpec {
        from: NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(),
        to: NaiveDate::from_ymd_opt(2026, 7, 31).unwrap(),
        by: by.iter().map(|d| Dim::parse(d).unwrap()).collect(),
        measures: measures
            .iter()
            .map(|m| Measure::parse(m).unwrap())
            .collect(),
        brand: None,
        partner: None,
        tree: None,
        currency: currency.map(|c| crate::CurrencyCode::parse("currency", c).unwrap()),
    }
}

#[test]
fn every_measure_name_parses_back() {
    for n in measure_names() {
        assert_eq!(Measure::parse(&n).unwrap().name(), n);
    }
    assert!(Measure::parse("commission_bogus").is_err());
}

#[test]
fn money_by_day_country_or_code_is_refused_naming_both() {
    let e = spec(&["day"], &["commission"], None).check().unwrap_err();
    assert!(
        e.message.contains("'commission'") && e.message.contains("'day'"),
        "{e}"
    );
    let e = spec(&["country"], &["paid"], None).check().unwrap_err();
    assert!(
        e.message.contains("'paid'") && e.message.contains("'country'"),
        "{e}"
    );
    let e = spec(&["day"], &["qualified_cpas"], None)
        .check()
        .unwrap_err();
    assert!(e.message.contains("'qualified_cpas'"), "{e}");
    assert!(
        spec(&["country"], &["qualified_cpas"], None)
            .check()
            .is_ok(),
        "qualified_cpas is refused by day only"
    );
}

#[test]
fn mixing_activity_amounts_with_money_needs_a_currency() {
    assert!(spec(&["partner"], &["deposits", "commission"], None)
        .check()
        .is_err());
    assert!(spec(&["partner"], &["deposits", "commission"], Some("EUR"))
        .check()
        .is_ok());
    assert!(spec(&["partner"], &["cost_per_ftd"], None).check().is_err());
    assert!(
        spec(&["partner"], &["registrations", "commission"], None)
            .check()
            .is_ok(),
        "counts are not activity amounts"
    );
    assert!(!spec(&["partner"], &["registrations", "lots"], Some("EUR")).has_currency_column());
    assert!(spec(&["partner"], &["deposits"], None).has_currency_column());
}
