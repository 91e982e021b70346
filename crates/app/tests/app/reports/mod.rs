//! `reports::report` against a reference written from REPORTS.md's words
//! (`reference.rs`, which reads the import folder and the exported lines,
//! never the roll-ups), on scenario-a and a generated S folder; attribution
//! changes after import; the errors REPORTS.md names.

mod attribution;
mod clicks;
mod desktop;
mod qualifiers;
mod reference;

use crate::on_both_backends;
use crate::support::{example_folders, TestDb};
use attribution::attribution_changes_update_the_rollups;
use clicks::clicks_match_the_reference;
use desktop::the_desktop_report_view_and_export;
use partnerdesk_app::{commissions, import, reports, Context};
use partnerdesk_domain::report::{Dim, Measure, ReportSpec};
use partnerdesk_domain::{CurrencyCode, Period};
use qualifiers::{
    a_recomputed_period_replaces_its_qualifiers, qualifiers_follow_a_corrected_tracking_code,
    the_migration_fills_qualifiers_of_stored_lines,
};
use reference::Reference;
use std::path::Path;

fn p(s: &str) -> Period {
    Period::parse("period", s).unwrap()
}

#[allow(clippy::too_many_arguments)]
fn spec(
    from: &str,
    to: &str,
    by: &[&str],
    measures: &[&str],
    brand: Option<&str>,
    partner: Option<&str>,
    tree: Option<&str>,
    currency: Option<&str>,
) -> ReportSpec {
    ReportSpec {
        from: partnerdesk_domain::data::parse_date("from", from).unwrap(),
        to: partnerdesk_domain::data::parse_date("to", to).unwrap(),
        by: by.iter().map(|d| Dim::parse(d).unwrap()).collect(),
        measures: measures
            .iter()
            .map(|m| Measure::parse(m).unwrap())
            .collect(),
        brand: brand.map(str::to_string),
        partner: partner.map(str::to_string),
        tree: tree.map(str::to_string),
        currency: currency.map(|c| CurrencyCode::parse("currency", c).unwrap()),
    }
}

async fn exports(ctx: &Context, periods: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for per in periods {
        out.push(commissions::export_csv(ctx, p(per)).await.unwrap());
    }
    out
}

const ACTIVITY: &str = "registrations,excluded_registrations,ftds,ftd_amount,deposits,withdrawals,bets,wins,bonuses,chargebacks,taxes,ggr,net_gaming";
const FOREX: &str = "trades,lots,trading_revenue";
const PROP: &str = "purchases,first_purchases,purchase_amount,refunds,refund_amount";
const RATIOS: &str =
    "registrations,ftds,conversion,unique_click_to_registration,clicks,unique_clicks";
const MONEY: &str = "commission,commission_cpa,commission_revshare,commission_lot_rebate,commission_spread_share,commission_purchase_share,commission_sub_override,commission_adjustment";

/// Every case: (from, to, by, measures, brand, partner, tree, currency).
type Case<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
);

/// Every case's report equals the reference's CSV for it, byte for byte
/// (the one compare-every-report loop of these tests); how many were compared.
async fn assert_reports_match(ctx: &Context, r: &Reference, cases: &[Case<'_>]) -> usize {
    let mut checked = 0;
    for (from, to, by, measures, brand, partner, tree, currency) in cases {
        let by: Vec<&str> = by.split(',').filter(|s| !s.is_empty()).collect();
        let ms: Vec<&str> = measures.split(',').collect();
        let s = spec(from, to, &by, &ms, *brand, *partner, *tree, *currency);
        let got = reports::report(ctx, &s)
            .await
            .unwrap_or_else(|e| panic!("report {by:?} {ms:?}: {e}"))
            .to_csv();
        let want = r.csv(from, to, &by, &ms, *brand, *partner, *tree, *currency);
        assert_eq!(
            got, want,
            "report --from {from} --to {to} --by {by:?} --measures {measures} brand {brand:?} partner {partner:?} tree {tree:?} currency {currency:?}: the roll-ups disagree with the folder recomputed by REPORTS.md's words"
        );
        assert!(want.ends_with('\n'));
        checked += 1;
    }
    checked
}

fn cases_for<'a>(
    from: &'a str,
    to: &'a str,
    some_partner: &'a str,
    some_brand: &'a str,
) -> Vec<Case<'a>> {
    let mut cases: Vec<Case<'a>> = Vec::new();
    let dims = [
        "",
        "brand",
        "partner",
        "tree",
        "day,brand",
        "period,partner_kind",
        "country",
        "tracking_code,brand",
        "vertical,period",
        "partner,country",
        "brand,tracking_code,day",
    ];
    for by in dims {
        for m in [ACTIVITY, FOREX, PROP, RATIOS] {
            cases.push((from, to, by, m, None, None, None, None));
        }
    }
    for by in [
        "",
        "partner",
        "tree",
        "brand,period",
        "partner_kind",
        "vertical",
    ] {
        cases.push((from, to, by, MONEY, None, None, None, None));
        cases.push((
            from,
            to,
            by,
            "commission,registrations,ftds",
            None,
            None,
            None,
            None,
        ));
        cases.push((
            from,
            to,
            by,
            "deposits,net_gaming,commission,cost_per_ftd,lots",
            None,
            None,
            None,
            Some("EUR"),
        ));
        cases.push((
            from,
            to,
            by,
            "purchase_amount,trading_revenue,commission",
            None,
            None,
            None,
            Some("GBP"),
        ));
    }
    // CPA qualifiers: by every dimension but day, alone, with the CPA
    // commission (split by the partner's currency) and converted.
    for by in [
        "",
        "partner",
        "tree",
        "brand,period",
        "country",
        "tracking_code",
        "partner_kind,vertical",
        "partner,country",
    ] {
        cases.push((from, to, by, "qualified_cpas", None, None, None, None));
        if by.contains("country") || by.contains("tracking_code") {
            continue; // commission is refused by those
        }
        cases.push((
            from,
            to,
            by,
            "qualified_cpas,commission_cpa",
            None,
            None,
            None,
            None,
        ));
    }
    cases.push((
        from,
        to,
        "partner",
        "qualified_cpas,commission,ftds",
        None,
        None,
        None,
        Some("EUR"),
    ));
    cases.push((
        from,
        to,
        "tree,country",
        "qualified_cpas",
        Some(some_brand),
        None,
        Some(some_partner),
        None,
    ));
    for by in ["partner", "tree", "day", "country,brand"] {
        cases.push((
            from,
            to,
            by,
            "registrations,ftds,deposits,trades,lots,purchases",
            None,
            Some(some_partner),
            None,
            None,
        ));
        cases.push((
            from,
            to,
            by,
            "registrations,ftds,deposits,trades,purchase_amount",
            None,
            None,
            Some(some_partner),
            None,
        ));
        cases.push((
            from,
            to,
            by,
            "registrations,deposits,refund_amount",
            Some(some_brand),
            None,
            None,
            Some("USD"),
        ));
    }
    cases.push((
        from,
        to,
        "tree",
        "registrations,deposits",
        None,
        Some(some_partner),
        Some(some_partner),
        None,
    ));
    cases.push((
        from,
        to,
        "partner",
        "registrations,lots",
        None,
        None,
        None,
        Some("EUR"),
    ));
    cases
}

async fn scenario_a_matches_the_reference(db: &TestDb) {
    let ctx = &db.ctx;
    let folder = &example_folders()[0];
    import::import_folder(ctx, folder).await.unwrap();
    commissions::run(ctx, p("2026-09")).await.unwrap();
    let r = Reference::new(
        folder,
        &exports(ctx, &["2026-07", "2026-08", "2026-09"]).await,
    );
    let mut n = 0;
    for (from, to) in [
        ("2026-07-01", "2026-09-30"),
        ("2026-07-10", "2026-08-20"),
        ("2026-08-01", "2026-08-01"),
    ] {
        n += assert_reports_match(ctx, &r, &cases_for(from, to, "P0001", "CAS")).await;
    }
    assert!(n > 100, "{n} reports compared");
}

async fn a_generated_folder_matches_the_reference(db: &TestDb) {
    let ctx = &db.ctx;
    let dir = tempfile::tempdir().unwrap();
    let opts = partnerdesk_gen::GenOptions {
        scale: partnerdesk_gen::Scale::S,
        ..Default::default()
    };
    partnerdesk_gen::generate(&opts, dir.path(), &mut |_, _, _| {}).unwrap();
    import::import_folder(ctx, dir.path()).await.unwrap();
    commissions::run(ctx, p("2026-07")).await.unwrap();
    let r = Reference::new(dir.path(), &exports(ctx, &["2026-07"]).await);
    let partner = first_parent(dir.path());
    let brand = first_brand(dir.path());
    let mut cases = cases_for("2026-07-01", "2026-07-31", &partner, &brand);
    cases.extend(cases_for("2026-07-05", "2026-07-19", &partner, &brand));
    // Fewer cases keep the S test short: every dimension and measure still appears.
    let cases: Vec<Case<'_>> = cases.into_iter().step_by(3).collect();
    assert_reports_match(ctx, &r, &cases).await;
}

/// A partner with children (the first parent named in partners.csv).
fn first_parent(dir: &Path) -> String {
    let text = std::fs::read_to_string(dir.join("partners.csv")).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let h = r.headers().unwrap().clone();
    let parent = h.iter().position(|c| c == "parent_id").unwrap();
    r.records()
        .map(|x| x.unwrap()[parent].to_string())
        .find(|s| !s.is_empty())
        .unwrap()
}

fn first_brand(dir: &Path) -> String {
    let text = std::fs::read_to_string(dir.join("brands.csv")).unwrap();
    text.lines()
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_string()
}

async fn the_errors_reports_md_names(db: &TestDb) {
    let ctx = &db.ctx;
    import::import_folder(ctx, &example_folders()[0])
        .await
        .unwrap();
    let err =
        |s: ReportSpec| async move { reports::report(ctx, &s).await.unwrap_err().to_string() };
    let e = err(spec(
        "2026-07-01",
        "2026-07-31",
        &["day"],
        &["commission"],
        None,
        None,
        None,
        None,
    ))
    .await;
    assert!(e.contains("'commission'") && e.contains("'day'"), "{e}");
    let e = err(spec(
        "2026-07-01",
        "2026-07-31",
        &["tracking_code"],
        &["paid"],
        None,
        None,
        None,
        None,
    ))
    .await;
    assert!(e.contains("'paid'") && e.contains("'tracking_code'"), "{e}");
    let e = err(spec(
        "2026-07-01",
        "2026-07-31",
        &["partner"],
        &["deposits", "commission"],
        None,
        None,
        None,
        None,
    ))
    .await;
    assert!(e.contains("--currency"), "{e}");
    let e = err(spec(
        "2026-07-01",
        "2026-07-31",
        &["partner"],
        &["cost_per_ftd"],
        None,
        None,
        None,
        None,
    ))
    .await;
    assert!(e.contains("--currency"), "{e}");
    // Nothing computed yet: July has data, so it must be run first.
    let e = err(spec(
        "2026-07-01",
        "2026-07-31",
        &["partner"],
        &["commission"],
        None,
        None,
        None,
        None,
    ))
    .await;
    assert!(
        e.contains("2026-07") && e.contains("commissions run --period 2026-07"),
        "{e}"
    );
    // Periods before the first one with data count as zero, no error.
    let t = reports::report(
        ctx,
        &spec(
            "2026-05-01",
            "2026-06-30",
            &["partner"],
            &["commission", "paid"],
            None,
            None,
            None,
            None,
        ),
    )
    .await
    .unwrap();
    assert_eq!(t.to_csv(), "partner,currency,commission,paid\n");
    // July computed; a range reaching October (not computed) is refused.
    commissions::run(ctx, p("2026-09")).await.unwrap();
    let e = err(spec(
        "2026-07-01",
        "2026-10-31",
        &["partner"],
        &["commission"],
        None,
        None,
        None,
        None,
    ))
    .await;
    assert!(e.contains("2026-10") && e.contains("run"), "{e}");
    // A missing rate names the pair and the date.
    let e = err(spec(
        "2026-07-01",
        "2026-07-31",
        &["brand"],
        &["deposits"],
        None,
        None,
        None,
        Some("CHF"),
    ))
    .await;
    assert!(e.contains("CHF") && e.contains("2026-07-31"), "{e}");
    // --from after --to.
    let e = err(spec(
        "2026-07-31",
        "2026-07-01",
        &["brand"],
        &["deposits"],
        None,
        None,
        None,
        None,
    ))
    .await;
    assert!(e.contains("--to"), "{e}");
}

/// The XLSX holds the CSV's cells: text as text, figures as numbers that
/// print the same.
async fn the_xlsx_holds_the_csv_cells(db: &TestDb) {
    use calamine::{Data, Reader, Xlsx};
    let ctx = &db.ctx;
    import::import_folder(ctx, &example_folders()[0])
        .await
        .unwrap();
    let t = reports::report(
        ctx,
        &spec(
            "2026-07-01",
            "2026-09-30",
            &["partner", "brand"],
            &["registrations", "deposits", "lots", "conversion"],
            None,
            None,
            None,
            None,
        ),
    )
    .await
    .unwrap();
    let bytes = t.to_xlsx().unwrap();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range("Report").unwrap();
    let csv = t.to_csv();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(range.height(), lines.len(), "a row per CSV line");
    for (row, line) in range.rows().zip(&lines) {
        let fields: Vec<&str> = line.split(',').collect();
        for (cell, field) in row.iter().zip(&fields) {
            let same = match cell {
                Data::String(s) => s == field,
                Data::Float(f) => rust_decimal::Decimal::from_str_exact(field)
                    .map(|d| (f - d.to_string().parse::<f64>().unwrap()).abs() < 1e-9)
                    .unwrap_or(false),
                Data::Int(i) => i.to_string() == *field,
                Data::Empty => field.is_empty(),
                other => panic!("unexpected cell {other:?}"),
            };
            assert!(same, "cell {cell:?} holds CSV field '{field}'");
        }
    }
}

/// `paid`: payments marked paid, by the period of the day they were marked,
/// against the reference told of each payment the test settled (a failed
/// one is not paid).
async fn paid_counts_the_payments_marked_paid(db: &TestDb) {
    use partnerdesk_app::payouts::{self, Settlement};
    let ctx = &db.ctx;
    crate::payouts::closed_july(ctx).await;
    crate::payouts::pay_details(ctx, &[]).await;
    let alice = crate::support::as_user(db, "alice", &[partnerdesk_app::access::Role::Finance]);
    let bob = crate::support::as_user(db, "bob", &[partnerdesk_app::access::Role::Finance]);
    let run = payouts::create_run(&alice, None, Some(p("2026-07")))
        .await
        .unwrap();
    let id = run.run.run_id;
    assert!(run.items.len() >= 2, "scenario A pays partners for July");
    payouts::submit(&alice, id).await.unwrap();
    payouts::approve(&bob, id, "figures checked").await.unwrap();
    payouts::set_operator_account(
        ctx,
        "Partnerdesk Operator GmbH",
        "DE89 3704 0044 0532 0130 00",
        Some("COBADEFFXXX"),
    )
    .await
    .unwrap();
    payouts::export(&alice, id).await.unwrap();
    let settlements: Vec<Settlement> = run
        .items
        .iter()
        .enumerate()
        .map(|(n, i)| Settlement {
            partner_id: i.partner_id.clone(),
            currency: i.currency.to_string(),
            outcome: if n == 0 { "failed" } else { "paid" }.into(),
            note: format!("REF-{}", i.partner_id),
        })
        .collect();
    let today = chrono::Utc::now().date_naive();
    payouts::settle(&alice, id, &settlements).await.unwrap();
    let folder = &example_folders()[0];
    let mut r = Reference::new(folder, &exports(ctx, &["2026-07", "2026-08"]).await);
    for i in run.items.iter().skip(1) {
        let amount = rust_decimal::Decimal::from_str_exact(&i.amount).unwrap();
        r.paid(
            &i.partner_id,
            i.currency.as_str(),
            amount,
            &today.to_string(),
        );
    }
    // Paid in today's month: a range to its end (no commission asked, so
    // the months after the last run need no run).
    use chrono::Datelike;
    let from = "2026-07-01";
    let to = format!("{}", today + chrono::Duration::days(40));
    let to = to.as_str();
    let parent = first_parent(folder);
    let late = format!("{}", today.with_day(2).unwrap_or(today));
    let mut cases: Vec<Case<'_>> = Vec::new();
    for by in [
        "",
        "partner",
        "tree",
        "period",
        "partner_kind",
        "brand",
        "vertical,partner",
        "period,partner",
    ] {
        cases.push((from, to, by, "paid", None, None, None, None));
        cases.push((from, to, by, "paid", None, None, None, Some("EUR")));
    }
    cases.push((from, to, "tree", "paid", None, None, Some(&parent), None));
    cases.push((from, to, "partner", "paid", None, Some(&parent), None, None));
    // A range that starts after the first day of the payments' month drops them.
    cases.push((&late, to, "partner", "paid", None, None, None, None));
    let n = assert_reports_match(ctx, &r, &cases).await;
    let total = reports::report(ctx, &spec(from, to, &[], &["paid"], None, None, None, None))
        .await
        .unwrap()
        .to_csv();
    assert!(total.lines().count() >= 2, "something was paid: {total}");
    assert!(n > 10);
}

/// Only writers of what slices hold mark the roll-ups stale: a partner's
/// edit or a plan's change rebuilds nothing; a tracking code does.
async fn edits_that_change_no_slice_rebuild_nothing(db: &TestDb) {
    use partnerdesk_app::{partners, plans};
    let ctx = &db.ctx;
    import::import_folder(ctx, &example_folders()[0])
        .await
        .unwrap();
    let stale = || async {
        ctx.store
            .read()
            .await
            .unwrap()
            .report_stale_from()
            .await
            .unwrap()
    };
    assert_eq!(stale().await, None, "the import brought them up to date");
    assert!(
        !reports::refresh(&ctx.store).await.unwrap(),
        "nothing to rebuild"
    );
    // A partner renamed, a plan changed (a new version): no slice changes.
    let p3 = partners::get(ctx, "P0003").await.unwrap().partner;
    let input = partnerdesk_app::wire::PartnerInput {
        partner_id: p3.partner_id.clone(),
        name: "Renamed partner".into(),
        kind: p3.kind.to_string(),
        parent_id: p3.parent_id.clone(),
        email: p3.email.clone(),
        country: p3.country.map(|c| c.to_string()),
        currency: p3.currency.to_string(),
        status: p3.status.to_string(),
        tags: p3.tags.clone(),
        ..Default::default()
    };
    partners::edit(ctx, "P0003", input).await.unwrap();
    let plan = plans::get(ctx, "hybrid").await.unwrap().plan;
    let changed = plan
        .json
        .replace("\"amount\": \"60\"", "\"amount\": \"61\"");
    assert_ne!(plan.json, changed, "the plan's CPA amount is edited");
    plans::save(ctx, &changed).await.unwrap();
    assert_eq!(
        stale().await,
        None,
        "partner and plan edits leave the roll-ups current"
    );
    // A coupon code: purchases' attribution may change.
    partners::add_tracking_code(
        ctx,
        partnerdesk_app::wire::TrackingCodeView {
            brand_id: "CAS".into(),
            code: "new-coupon".into(),
            partner_id: "P0003".into(),
            kind: "coupon".into(),
        },
    )
    .await
    .unwrap();
    assert!(stale().await.is_some(), "a tracking code marks them");
    assert!(reports::refresh(&ctx.store).await.unwrap());
}

on_both_backends!(
    clicks_match_the_reference,
    edits_that_change_no_slice_rebuild_nothing,
    the_desktop_report_view_and_export,
    paid_counts_the_payments_marked_paid,
    the_xlsx_holds_the_csv_cells,
    scenario_a_matches_the_reference,
    a_generated_folder_matches_the_reference,
    attribution_changes_update_the_rollups,
    the_errors_reports_md_names,
    qualifiers_follow_a_corrected_tracking_code,
    the_migration_fills_qualifiers_of_stored_lines,
    a_recomputed_period_replaces_its_qualifiers,
);
