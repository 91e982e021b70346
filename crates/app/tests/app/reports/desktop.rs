//! The desktop's report view and export, against the report and the CLI's
//! bytes. Split from reports/mod.rs; the story is unchanged.

use super::{p, spec};
use crate::support::{example_folders, TestDb};
use partnerdesk_app::{commissions, import, reports};
use partnerdesk_domain::report::ReportSpec;

/// The desktop's report: the table is the report's, the totals are the
/// report without dimensions; the export writes the CLI's bytes and is
/// audited; a viewer sees money measures but only finance, compliance and
/// admins export them.
pub(super) async fn the_desktop_report_view_and_export(db: &TestDb) {
    use partnerdesk_app::access::Role;
    use partnerdesk_app::exports::Format;
    use partnerdesk_app::reports::view::{self, ReportQuery};
    let ctx = &db.ctx;
    import::import_folder(ctx, &example_folders()[0])
        .await
        .unwrap();
    commissions::run(ctx, p("2026-09")).await.unwrap();
    let q = ReportQuery {
        from: "2026-07-01".into(),
        to: "2026-09-30".into(),
        by: vec!["partner".into(), "brand".into()],
        measures: vec![
            "registrations".into(),
            "deposits".into(),
            "conversion".into(),
        ],
        brand: None,
        partner: Some(" ".into()),
        tree: None,
        currency: None,
    };
    let v = view::view(ctx, &q).await.unwrap();
    let s = spec(
        "2026-07-01",
        "2026-09-30",
        &["partner", "brand"],
        &["registrations", "deposits", "conversion"],
        None,
        None,
        None,
        None,
    );
    let table = reports::report(ctx, &s).await.unwrap();
    assert_eq!(
        v.table,
        table.clone().into(),
        "a blank partner filter is no filter"
    );
    let totals = reports::report(
        ctx,
        &ReportSpec {
            by: vec![],
            ..s.clone()
        },
    )
    .await
    .unwrap();
    assert_eq!(v.totals, totals.into());
    assert_eq!(
        v.table.units,
        ["text", "text", "text", "count", "amount", "percent"]
    );
    assert!(v.totals.rows.len() >= 2, "one totals row per currency");

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.csv");
    let file = view::export(ctx, &q, Format::Csv, &out).await.unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), table.to_csv());
    assert_eq!(file.rows as usize, table.rows.len());
    let audit = partnerdesk_app::audit::entries(
        ctx,
        &partnerdesk_app::audit::AuditQuery {
            limit: 100,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(
        audit.entries.iter().any(|e| e.action == "export.write"
            && e.object_id.starts_with("report 2026-07-01..2026-09-30")),
        "the export is audited"
    );

    // Bad input names its field and writes nothing.
    let bad = ReportQuery {
        measures: vec!["ftd".into()],
        ..q.clone()
    };
    let e = view::export(ctx, &bad, Format::Csv, &dir.path().join("bad.csv"))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("'ftd' is not a measure"), "{e}");
    assert!(!dir.path().join("bad.csv").exists());

    let viewer = partnerdesk_app::Context {
        actor: partnerdesk_app::Actor::with_roles("val", &[Role::Viewer]),
        ..ctx.clone()
    };
    let money = ReportQuery {
        by: vec!["partner".into()],
        measures: vec!["commission".into(), "qualified_cpas".into()],
        ..q.clone()
    };
    view::view(&viewer, &money)
        .await
        .expect("a viewer sees money measures");
    let e = view::export(&viewer, &money, Format::Xlsx, &dir.path().join("m.xlsx"))
        .await
        .unwrap_err();
    assert!(
        matches!(e, partnerdesk_app::AppError::Forbidden { .. }),
        "{e}"
    );
    view::export(&viewer, &q, Format::Xlsx, &dir.path().join("a.xlsx"))
        .await
        .expect("activity measures are exported by anyone who reads");
    let choices = view::choices();
    assert_eq!(choices.dimensions.len(), 9);
    let q_cpa = choices
        .measures
        .iter()
        .find(|m| m.name == "qualified_cpas")
        .unwrap();
    assert!(q_cpa.money && q_cpa.refused_dims == ["day"]);
}
