//! `qualified_cpas` read from the rows the run writes beside the lines
//! (`commission_qualifiers`), never from explanations: grouped by tracking
//! code after a customer's code is corrected, filled by the migration for
//! lines stored before it, and replaced (not doubled) when a period is
//! computed again.

use super::reference::Reference;
use super::{assert_reports_match, p, spec, Case};
use crate::support::{example_folders, TestDb};
use partnerdesk_app::{commissions, import, reports, Context};
use partnerdesk_domain::commission::Kind;
use std::collections::BTreeMap;
use std::path::Path;

/// (customer, country) of every customer the period's own CPA lines paid,
/// from the explanations (what the report used to parse), with its line's
/// partner and brand.
async fn paid_in(ctx: &Context, period: &str) -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    for s in commissions::computed_lines(ctx, p(period)).await.unwrap() {
        if s.line.kind != Kind::Cpa || s.origin_period.is_some() {
            continue;
        }
        let v = s.line.explanation.value();
        for c in v["customers"].as_array().cloned().unwrap_or_default() {
            out.push((
                s.line.partner_id.to_string(),
                s.line.brand_id.to_string(),
                c["customer_id"].as_str().unwrap().to_string(),
                c["country"].as_str().unwrap_or("").to_string(),
            ));
        }
    }
    out.sort();
    out
}

/// The stored qualifier rows per period.
async fn rows_per_period(ctx: &Context) -> BTreeMap<String, i64> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT period, COUNT(*) FROM commission_qualifiers GROUP BY period ORDER BY period",
    )
    .fetch_all(ctx.store.pool())
    .await
    .unwrap();
    rows.into_iter().collect()
}

/// The rows the explanations of `periods` name, per period.
async fn paid_per_period(ctx: &Context, periods: &[&str]) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for per in periods {
        let n = paid_in(ctx, per).await.len() as i64;
        if n > 0 {
            out.insert(per.to_string(), n);
        }
    }
    out
}

fn copy_folder(from: &Path, to: &Path) {
    for f in std::fs::read_dir(from).unwrap().flatten() {
        if f.path().is_file() {
            std::fs::copy(f.path(), to.join(f.file_name())).unwrap();
        }
    }
}

fn append(dir: &Path, file: &str, rows: &str) {
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    let text = if text.ends_with('\n') {
        text
    } else {
        text + "\n"
    };
    std::fs::write(dir.join(file), text + rows).unwrap();
}

const QUALIFIER_CASES: [(&str, &str); 5] = [
    ("2026-07-01", "2026-08-31"),
    ("2026-07-01", "2026-07-31"),
    ("2026-08-01", "2026-08-31"),
    ("2026-07-01", "2026-09-30"),
    ("2026-07-10", "2026-09-30"),
];

fn qualifier_cases() -> Vec<Case<'static>> {
    let mut cases = Vec::new();
    for (from, to) in QUALIFIER_CASES {
        for by in [
            "tracking_code",
            "partner,tracking_code",
            "country,tracking_code",
            "brand,period",
            "",
        ] {
            cases.push((from, to, by, "qualified_cpas", None, None, None, None));
        }
        cases.push((
            from,
            to,
            "tracking_code",
            "qualified_cpas",
            Some("CAS"),
            None,
            None,
            None,
        ));
    }
    cases
}

/// A qualified customer's tracking code corrected (to another code of the
/// same partner) after its period was closed: the closed period's lines
/// never change, yet a report by tracking code shows the customer under the
/// code it has now (REPORTS.md: the customer's, as imported), as the
/// reference does on the folder corrected the same way.
pub(super) async fn qualifiers_follow_a_corrected_tracking_code(db: &TestDb) {
    let ctx = &db.ctx;
    let copy = tempfile::tempdir().unwrap();
    copy_folder(&example_folders()[0], copy.path());
    import::import_folder(ctx, copy.path()).await.unwrap();
    commissions::run(ctx, p("2026-09")).await.unwrap();
    commissions::close(ctx, p("2026-07")).await.unwrap();
    let july = paid_in(ctx, "2026-07").await;
    let (partner, brand, customer, _) = july
        .iter()
        .find(|(_, b, _, _)| b == "CAS")
        .cloned()
        .expect("scenario A pays a CPA for a CAS customer in July");
    let by_code = |from: &'static str, to: &'static str| {
        let s = spec(
            from,
            to,
            &["tracking_code"],
            &["qualified_cpas"],
            None,
            None,
            None,
            None,
        );
        async move { reports::report(ctx, &s).await.unwrap().to_csv() }
    };
    let new_code = format!("fixed-{brand}-{partner}");
    let before = by_code("2026-07-01", "2026-07-31").await;
    assert!(!before.contains(&new_code), "the code is new: {before}");

    // The partner's new code, then the customer's code corrected to it.
    let code_row = format!("{new_code},{partner},{brand},btag\n");
    let codes = tempfile::tempdir().unwrap();
    std::fs::write(
        codes.path().join("tracking_codes.csv"),
        format!("code,partner_id,brand_id,kind\n{code_row}"),
    )
    .unwrap();
    import::import_folder(ctx, codes.path()).await.unwrap();
    append(copy.path(), "tracking_codes.csv", &code_row);
    let customers = std::fs::read_to_string(copy.path().join("customers.csv")).unwrap();
    let line = customers
        .lines()
        .find(|l| l.starts_with(&format!("{customer},")))
        .unwrap()
        .to_string();
    let mut fields: Vec<String> = line.split(',').map(str::to_string).collect();
    let old_code = fields[2].clone();
    assert_ne!(old_code, new_code);
    fields[2] = new_code.clone();
    let changed = fields.join(",");
    let fix = tempfile::tempdir().unwrap();
    std::fs::write(
        fix.path().join("customers.csv"),
        format!("customer_id,brand_id,tracking_code,country,registered_at,status\n{changed}\n"),
    )
    .unwrap();
    import::import_folder(ctx, fix.path()).await.unwrap();
    let edited: Vec<String> = customers
        .lines()
        .map(|l| {
            if l == line {
                changed.clone()
            } else {
                l.to_string()
            }
        })
        .collect();
    std::fs::write(copy.path().join("customers.csv"), edited.join("\n") + "\n").unwrap();
    commissions::run(ctx, p("2026-09")).await.unwrap();

    // July is closed: its lines and qualifier rows are the ones written
    // before the correction, and the customer now counts under its new code.
    assert_eq!(
        paid_in(ctx, "2026-07").await,
        july,
        "a closed period keeps its lines"
    );
    let after = by_code("2026-07-01", "2026-07-31").await;
    assert!(
        after.contains(&format!("{new_code},1\n")),
        "July's qualifier counted under the corrected code:\n{after}"
    );
    let count = |csv: &str, code: &str| -> i64 {
        csv.lines()
            .find_map(|l| l.strip_prefix(&format!("{code},")))
            .map(|n| n.parse().unwrap())
            .unwrap_or(0)
    };
    assert_eq!(count(&after, &old_code), count(&before, &old_code) - 1);
    let r = Reference::new(copy.path(), &[]);
    let n = assert_reports_match(ctx, &r, &qualifier_cases()).await;
    assert!(n >= 30, "{n} reports compared");
}

/// A database whose lines were stored before `commission_qualifiers`
/// existed: the migration fills the table from the stored CPA lines (closed
/// periods included, which no run writes again), and every qualifier
/// report is what it was.
pub(super) async fn the_migration_fills_qualifiers_of_stored_lines(db: &TestDb) {
    let ctx = &db.ctx;
    let folder = &example_folders()[0];
    import::import_folder(ctx, folder).await.unwrap();
    commissions::run(ctx, p("2026-09")).await.unwrap();
    commissions::close(ctx, p("2026-07")).await.unwrap();
    let periods = ["2026-07", "2026-08", "2026-09"];
    let stored = rows_per_period(ctx).await;
    assert_eq!(stored, paid_per_period(ctx, &periods).await);
    assert!(stored.values().sum::<i64>() > 0, "scenario A pays CPAs");
    let cases = qualifier_cases();
    let mut want = Vec::new();
    for (from, to, by, measures, brand, _, _, _) in &cases {
        let by: Vec<&str> = by.split(',').filter(|s| !s.is_empty()).collect();
        let s = spec(from, to, &by, &[measures], *brand, None, None, None);
        want.push(reports::report(ctx, &s).await.unwrap().to_csv());
    }

    // The table as it was before this change: absent, its migration not
    // applied. Opening the database migrates it again.
    for sql in [
        "DROP TABLE commission_qualifiers",
        "DELETE FROM _sqlx_migrations WHERE version = 20261220002805",
    ] {
        sqlx::query(sql).execute(ctx.store.pool()).await.unwrap();
    }
    let store = partnerdesk_app::database::open(&db.url).await.unwrap();
    let reopened = Context::new(
        store,
        partnerdesk_app::Actor::with_roles("tester", &partnerdesk_app::access::Role::ALL),
    );
    assert_eq!(rows_per_period(&reopened).await, stored);
    for ((from, to, by, measures, brand, _, _, _), want) in cases.iter().zip(&want) {
        let by: Vec<&str> = by.split(',').filter(|s| !s.is_empty()).collect();
        let s = spec(from, to, &by, &[measures], *brand, None, None, None);
        assert_eq!(
            &reports::report(&reopened, &s).await.unwrap().to_csv(),
            want,
            "{from}..{to} by {by:?}"
        );
    }
    let r = Reference::new(folder, &[]);
    assert_reports_match(&reopened, &r, &cases).await;
    reopened.store.close().await;
}

/// A period computed again (late activity changes its lines) replaces its
/// qualifier rows with its new lines': no row twice, none left behind, and
/// the reports equal the reference on the folder with the late rows.
pub(super) async fn a_recomputed_period_replaces_its_qualifiers(db: &TestDb) {
    let ctx = &db.ctx;
    let copy = tempfile::tempdir().unwrap();
    copy_folder(&example_folders()[0], copy.path());
    import::import_folder(ctx, copy.path()).await.unwrap();
    commissions::run(ctx, p("2026-09")).await.unwrap();
    let periods = ["2026-07", "2026-08", "2026-09"];
    let first = rows_per_period(ctx).await;
    assert_eq!(first, paid_per_period(ctx, &periods).await);

    // A new customer of a CAS partner registered and depositing in July
    // (lines of July on change: the partner's revshare, maybe its CPA),
    // and a day of a stored customer.
    let (partner, _, _, _) = paid_in(ctx, "2026-07")
        .await
        .into_iter()
        .find(|(_, b, _, _)| b == "CAS")
        .expect("a CAS CPA in July");
    let customer = format!("C950001,CAS,bt-CAS-{partner},DE,2026-07-03T08:00:00Z,active\n");
    let activity = "C950001,CAS,2026-07-04,500.00,0.00,300.00,20.00,0.00,0.00,0.00\n";
    let day = tempfile::tempdir().unwrap();
    std::fs::write(
        day.path().join("customers.csv"),
        format!("customer_id,brand_id,tracking_code,country,registered_at,status\n{customer}"),
    )
    .unwrap();
    std::fs::write(
        day.path().join("igaming_activity.csv"),
        format!("customer_id,brand_id,date,deposits,withdrawals,bets,wins,bonuses,chargebacks,taxes\n{activity}"),
    )
    .unwrap();
    import::import_folder(ctx, day.path()).await.unwrap();
    append(copy.path(), "customers.csv", &customer);
    append(copy.path(), "igaming_activity.csv", activity);
    let run = commissions::run(ctx, p("2026-09")).await.unwrap();
    assert!(
        run.periods
            .iter()
            .any(|o| o.period == "2026-07" && o.changed),
        "July's lines were written again: {:?}",
        run.periods
    );
    let again = rows_per_period(ctx).await;
    assert_eq!(again, paid_per_period(ctx, &periods).await, "no row twice");
    let r = Reference::new(copy.path(), &[]);
    assert_reports_match(ctx, &r, &qualifier_cases()).await;
}
