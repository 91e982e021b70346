//! REPORTS.md's `clicks` and `unique_clicks`: clicks recorded through the
//! tracking server's click writer on scenario-a's codes, reported by every
//! dimension and compared with the reference told of each click, whose
//! uniqueness the test decides itself (the first human click of one visitor
//! on one link in a UTC day). Writing clicks marks nothing stale.

use super::reference::Reference;
use super::{assert_reports_match, Case};
use crate::support::{example_folders, TestDb};
use chrono::{Duration, TimeZone, Utc};
use partnerdesk_app::reports::dashboard::{self, DashboardQuery};
use partnerdesk_app::tracking::clicks::{new_click_id, ClickWriter, Visit};
use partnerdesk_app::{import, reports, tracking};
use partnerdesk_domain::tracking::ClickKind;
use std::collections::HashSet;

const UA: [&str; 3] = [
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/120 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1",
];

/// A small deterministic generator (no dependency, same clicks every run).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// The first code of each brand and two more of CAS (from tracking_codes.csv).
fn link_codes(dir: &std::path::Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(dir.join("tracking_codes.csv")).unwrap();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut cas = 0;
    for l in text.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        let (code, brand) = (f[0].to_string(), f[2].to_string());
        let extra_cas = brand == "CAS" && cas < 3;
        if seen.insert(brand.clone()) || extra_cas {
            if brand == "CAS" {
                cas += 1;
            }
            out.push((brand, code));
        }
    }
    out
}

pub(super) async fn clicks_match_the_reference(db: &TestDb) {
    let ctx = &db.ctx;
    let folder = &example_folders()[0];
    import::import_folder(ctx, folder).await.unwrap();
    let codes = link_codes(folder);
    assert!(codes.len() >= 5, "{codes:?}");
    let mut paths = Vec::new();
    for (brand, code) in &codes {
        let link = tracking::create_link(ctx, brand, code, None).await.unwrap();
        paths.push((link.path, brand.clone(), code.clone()));
    }

    // Clicks from July 30 to August 2 (a month boundary) and in mid
    // September, in time order: visitors come back (not unique), some are
    // bots or prefetches (never counted), the country is sometimes unknown
    // and sometimes one the brand blocks (a click is no customer).
    let mut rng = Lcg(28);
    let countries = [None, Some("DE"), Some("GB"), Some("US"), Some("FR")];
    let start = Utc.with_ymd_and_hms(2026, 7, 30, 0, 0, 0).unwrap();
    let mut visits: Vec<Visit> = Vec::new();
    for i in 0..1_200i64 {
        let at = if i < 1_000 {
            start + Duration::seconds(i * 345)
        } else {
            Utc.with_ymd_and_hms(2026, 9, 14, 8, 0, 0).unwrap() + Duration::seconds(i * 61)
        };
        let (path, brand, code) = &paths[rng.next(paths.len() as u64) as usize];
        let kind = match rng.next(20) {
            0 => ClickKind::Bot,
            1 => ClickKind::Prefetch,
            _ => ClickKind::Human,
        };
        visits.push(Visit {
            click_id: new_click_id(),
            at,
            path: path.clone(),
            brand_id: brand.clone(),
            code: code.clone(),
            subs: [None, None, None, None, None],
            campaign: None,
            referrer_host: None,
            country: countries[rng.next(5) as usize].map(str::to_string),
            ip: format!("198.51.100.{}", rng.next(12)).parse().unwrap(),
            user_agent: UA[rng.next(3) as usize].to_string(),
            kind,
        });
    }
    let mut r = Reference::new(folder, &[]);
    let mut first: HashSet<(String, String, String, String)> = HashSet::new();
    for v in &visits {
        if v.kind != ClickKind::Human {
            continue;
        }
        let day = v.at.date_naive().to_string();
        let unique = first.insert((
            v.path.clone(),
            day.clone(),
            v.ip.to_string(),
            v.user_agent.clone(),
        ));
        r.click(
            &v.brand_id,
            &v.code,
            v.country.as_deref().unwrap_or(""),
            &day,
            unique,
        );
    }
    let humans = visits.iter().filter(|v| v.kind == ClickKind::Human).count();
    assert!(first.len() < humans, "some visitors come back");

    let mut writer = ClickWriter::new(ctx.store.clone());
    for (n, batch) in visits.chunks(97).enumerate() {
        writer.write(batch).await.unwrap();
        if n == 3 {
            // A batch retried after a commit in doubt counts once.
            assert_eq!(writer.write(batch).await.unwrap(), 0);
        }
    }
    let stale = ctx
        .store
        .read()
        .await
        .unwrap()
        .report_stale_from()
        .await
        .unwrap();
    assert_eq!(stale, None, "clicks mark no roll-up stale");

    let cas = "CAS";
    let partner = super::first_parent(folder);
    let m = "clicks,unique_clicks,registrations,unique_click_to_registration";
    let mut cases: Vec<Case<'_>> = Vec::new();
    for (from, to) in [
        ("2026-07-01", "2026-09-30"),
        ("2026-07-31", "2026-08-01"),
        ("2026-08-01", "2026-09-30"),
    ] {
        for by in [
            "",
            "day",
            "brand",
            "partner",
            "tree",
            "country",
            "tracking_code,brand",
            "period,partner_kind",
            "day,brand,country",
            "vertical,period",
            "partner,country",
        ] {
            cases.push((from, to, by, m, None, None, None, None));
        }
        cases.push((from, to, "partner", "unique_clicks", None, None, None, None));
        cases.push((from, to, "brand", "clicks,deposits", None, None, None, None));
        cases.push((from, to, "day", m, Some(cas), None, None, None));
        cases.push((from, to, "tree", m, None, Some(&partner), None, None));
        cases.push((from, to, "partner", m, None, None, Some(&partner), None));
        cases.push((
            from,
            to,
            "",
            "clicks,deposits",
            None,
            None,
            None,
            Some("EUR"),
        ));
    }
    let n = assert_reports_match(ctx, &r, &cases).await;
    assert_eq!(n, cases.len());

    // The figures are not all zero, and the dashboard shows them.
    let total = reports::report(
        ctx,
        &super::spec(
            "2026-07-01",
            "2026-09-30",
            &[],
            &["clicks", "unique_clicks"],
            None,
            None,
            None,
            None,
        ),
    )
    .await
    .unwrap()
    .to_csv();
    assert_eq!(
        total,
        format!("clicks,unique_clicks\n{humans},{}\n", first.len())
    );
    let board = dashboard::dashboard(
        ctx,
        &DashboardQuery {
            from: "2026-08-01".into(),
            to: "2026-08-31".into(),
            brand: None,
            currency: "EUR".into(),
        },
    )
    .await
    .unwrap();
    let want = r.csv(
        "2026-08-01",
        "2026-08-31",
        &[],
        &["clicks", "unique_clicks"],
        None,
        None,
        None,
        None,
    );
    let kpi = |m: &str| {
        board
            .kpis
            .iter()
            .find(|k| k.measure == m)
            .unwrap()
            .current
            .clone()
    };
    assert_eq!(
        format!(
            "clicks,unique_clicks\n{},{}\n",
            kpi("clicks"),
            kpi("unique_clicks")
        ),
        want
    );
}
