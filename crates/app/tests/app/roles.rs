//! The role matrix: every use case declared in `access::ALL`, called for real
//! as a user holding each single role. A role the table allows is never
//! refused for its role; every other role is refused with `forbidden`, and
//! the refusal is in the audit log. A use case without a row here fails the
//! test, so a new one cannot skip the matrix.

use crate::approvals::{about_nothing, pending};
use crate::on_both_backends;
use crate::support::{example_folders, TestDb};
use partnerdesk_app::access::{self, Role};
use partnerdesk_app::approvals::Kind;
use partnerdesk_app::wire::{AssignmentView, BrandView, PartnerInput, TrackingCodeView};
use partnerdesk_app::{
    approvals, audit, brands, commissions, compliance, demo, import, partners, plans, users,
    AppError, Context,
};
use partnerdesk_domain::Period;

fn p(s: &str) -> Period {
    Period::parse("period", s).unwrap()
}

/// Calls the use case named `name` with plausible arguments; None: no row.
async fn invoke(name: &str, ctx: &Context, n: usize) -> Option<Result<(), AppError>> {
    let pid = format!("MX-{n}");
    let partner = |id: &str| PartnerInput {
        partner_id: id.into(),
        name: format!("Matrix {id}"),
        kind: "affiliate".into(),
        currency: "EUR".into(),
        status: "applied".into(),
        ..Default::default()
    };
    let r: Result<(), AppError> = match name {
        "read" => brands::list(ctx).await.map(drop),
        "brand.create" => brands::create(
            ctx,
            BrandView {
                brand_id: format!("MXB{n}"),
                name: "Matrix brand".into(),
                vertical: "igaming".into(),
                currency: "EUR".into(),
            },
        )
        .await
        .map(drop),
        "database.switch" => {
            partnerdesk_app::database::authorize_switch(ctx, "sqlite:/tmp/elsewhere.db").await
        }
        "partner.create" => partners::create(ctx, partner(&pid)).await.map(drop),
        "partner.edit" => partners::edit(ctx, "MX-BASE", partner("MX-BASE"))
            .await
            .map(drop),
        "partner.move" => partners::move_partner(ctx, "MX-BASE", None).await.map(drop),
        "partner.archive" => partners::archive(ctx, "MX-BASE", false).await.map(drop),
        "partner.tracking_code.add" => partners::add_tracking_code(
            ctx,
            TrackingCodeView {
                code: format!("mx-code-{n}"),
                partner_id: "MX-BASE".into(),
                brand_id: "CAS".into(),
                kind: "btag".into(),
            },
        )
        .await
        .map(drop),
        "plan.save" => plans::save(
            ctx,
            r#"{"plan_id":"mx-plan","name":"Matrix","components":[{"type":"cpa","amount":"10"}]}"#,
        )
        .await
        .map(drop),
        "plan.assign" => plans::assign(
            ctx,
            AssignmentView {
                partner_id: "MX-BASE".into(),
                brand_id: "CAS".into(),
                plan_id: "mx-plan".into(),
                valid_from: format!("{}-01-01", 2040 + n),
                valid_to: Some(format!("{}-12-31", 2040 + n)),
            },
        )
        .await
        .map(drop),
        "import.folder" => import::import_folder(ctx, &example_folders()[0])
            .await
            .map(drop),
        "demo.fill" => demo::fill(ctx).await.map(drop),
        "commissions.run" => commissions::run(ctx, p("2026-07")).await.map(drop),
        "commissions.close" => commissions::close(ctx, p("2030-01")).await.map(drop),
        "commissions.export" => commissions::export_csv(ctx, p("2026-07")).await.map(drop),
        "approvals.list" => approvals::list(ctx, None).await.map(drop),
        "approvals.decide" => approvals::decide(ctx, 999_999, true, "matrix")
            .await
            .map(drop),
        "approvals.settings" => approvals::set_threshold(ctx, "10000").await.map(drop),
        // Deciding a request of each kind that only the queue decides (the
        // requests wait from the setup below, made by someone else).
        "partner.activation.approve" => decide_waiting(ctx, Kind::PartnerActivate).await,
        "plan.assign.approve" => decide_waiting(ctx, Kind::PlanAssign).await,
        "traffic_source.review" => decide_waiting(ctx, Kind::TrafficSource).await,
        "payment_details.approve" => decide_waiting(ctx, Kind::PaymentDetails).await,
        "users.list" => users::list(ctx).await.map(drop),
        "users.manage" => users::save(
            ctx,
            users::UserInput {
                row_version: None,
                user_id: "matrix user".into(),
                display_name: "x".into(),
                roles: vec![Role::Viewer],
                disabled: false,
                password: "short".into(),
            },
        )
        .await
        .map(drop),
        "audit.read" => audit::entries(ctx, &Default::default()).await.map(drop),
        "audit.verify" => audit::verify(ctx, None).await.map(drop),
        "kyc.document.upload" => {
            compliance::upload_document(ctx, "MX-BASE", "id", "a.pdf", b"%PDF-1.4 matrix")
                .await
                .map(drop)
        }
        "kyc.document.review" => compliance::review(ctx, "DOC-none", true, "x")
            .await
            .map(drop),
        "traffic_source.declare" => compliance::declare_traffic_source(
            ctx,
            "MX-BASE",
            "website",
            &format!("https://mx{n}.example"),
        )
        .await
        .map(drop),
        "geo.allowed_countries.set" => compliance::set_partner_countries(ctx, "MX-BASE", &[])
            .await
            .map(drop),
        "geo.report" => compliance::geo_report(ctx).await.map(drop),
        "customer.status.set" => {
            compliance::set_customer_status_checked(ctx, "no-such-customer", "excluded", "x")
                .await
                .map(drop)
        }
        "ledger.adjust" => partnerdesk_app::ledger::request_adjustment(ctx, "MX-BASE", "0", "")
            .await
            .map(drop),
        "ledger.adjust.approve" => partnerdesk_app::ledger::decide(ctx, 999_999, true, "matrix")
            .await
            .map(drop),
        "payment_details.set" => {
            partnerdesk_app::payouts::set_payment_details(ctx, "MX-BASE", "bank", "", "bad", None)
                .await
                .map(drop)
        }
        "payout.settings" => partnerdesk_app::payouts::set_threshold(ctx, "EUR", Some("x"))
            .await
            .map(drop),
        "payout.hold" => {
            partnerdesk_app::payouts::set_partner_payout(ctx, "no-such-partner", None, None)
                .await
                .map(drop)
        }
        "payout.create" => partnerdesk_app::payouts::create_run(ctx, Some("not a date"), None)
            .await
            .map(drop),
        "payout.approve" => partnerdesk_app::payouts::approve(ctx, 999_999, "checked")
            .await
            .map(drop),
        "payout.export" => partnerdesk_app::payouts::export(ctx, 999_999)
            .await
            .map(drop),
        "payout.settle" => partnerdesk_app::payouts::settle(ctx, 999_999, &[])
            .await
            .map(drop),
        "statements.write" => partnerdesk_app::statements::for_period(
            ctx,
            p("2030-01"),
            Some("MX-BASE"),
            &std::env::temp_dir().join("partnerdesk-matrix-statements"),
        )
        .await
        .map(drop),
        "exports.write" => partnerdesk_app::exports::run(
            ctx,
            999_999,
            partnerdesk_app::exports::Format::Csv,
            &std::env::temp_dir().join(format!("partnerdesk-matrix-run-{n}.csv")),
        )
        .await
        .map(drop),
        "connection.manage" => partnerdesk_app::sync::delete(ctx, "no-such-connection")
            .await
            .map(drop),
        "sync.run" => partnerdesk_app::sync::test(ctx, "no-such-connection")
            .await
            .map(drop),
        "mail.settings" => partnerdesk_app::mail::smtp_test(ctx, None).await.map(drop),
        "mail.templates" => partnerdesk_app::mail::template_reset(ctx, "welcome")
            .await
            .map(drop),
        "mail.announce" => partnerdesk_app::mail::announce(
            ctx,
            partnerdesk_app::mail::AnnouncementInput {
                segment: Default::default(),
                subject: "Matrix".into(),
                body: "Hello {{ partner.name }}".into(),
            },
        )
        .await
        .map(drop),
        "mail.send" => partnerdesk_app::mail::outbox_send_due(ctx, 1)
            .await
            .map(drop),
        "link.edit" => partnerdesk_app::tracking::create_link(ctx, "no-brand", "no-code", None)
            .await
            .map(drop),
        "tracking.settings" => partnerdesk_app::tracking::set_settings(
            ctx,
            partnerdesk_app::tracking::TrackingSettings {
                fallback_url: Some("https://example.com/".into()),
                path_scheme: "code".into(),
                public_url: None,
            },
        )
        .await
        .map(drop),
        "fraud.flag.review" => partnerdesk_app::tracking::fraud::review(ctx, 999_999, false, None)
            .await
            .map(drop),
        _ => return None,
    };
    Some(r)
}

/// Approves the request of `kind` waiting since the setup (applying it
/// fails: it is about nothing, so it keeps waiting for the next role).
async fn decide_waiting(ctx: &Context, kind: Kind) -> Result<(), AppError> {
    let id = ctx
        .store
        .read()
        .await?
        .pending_approval(kind, &format!("{kind}-object"))
        .await?
        .expect("the setup's request waits");
    approvals::decide(ctx, id, true, "matrix").await.map(drop)
}

async fn every_use_case_refuses_every_role_it_does_not_allow(db: &TestDb) {
    import::import_folder(&db.ctx, &example_folders()[0])
        .await
        .unwrap();
    commissions::run(&db.ctx, p("2026-07")).await.unwrap();
    partners::create(
        &db.ctx,
        PartnerInput {
            partner_id: "MX-BASE".into(),
            name: "Matrix base".into(),
            kind: "affiliate".into(),
            currency: "EUR".into(),
            status: "applied".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    for kind in [
        Kind::PartnerActivate,
        Kind::PlanAssign,
        Kind::TrafficSource,
        Kind::PaymentDetails,
    ] {
        pending(db, &about_nothing(kind), "matrix-maker").await;
    }
    let mut missing = Vec::new();
    let mut n = 0;
    for uc in access::ALL {
        for &role in Role::ALL {
            n += 1;
            let mut ctx = db.ctx.clone();
            ctx.actor = partnerdesk_app::Actor::with_roles(format!("matrix-{role}"), &[role]);
            let Some(result) = invoke(uc.name, &ctx, n).await else {
                missing.push(uc.name);
                break;
            };
            let forbidden = matches!(&result, Err(e) if e.code() == "forbidden");
            if access::allows(uc, &[role]) {
                assert!(
                    !forbidden,
                    "{} refused {role}, which the table allows: {:?}",
                    uc.name,
                    result.err().map(|e| e.to_string())
                );
            } else {
                assert!(
                    forbidden,
                    "{} let {role} through: {:?}",
                    uc.name,
                    result.map_err(|e| e.to_string())
                );
            }
        }
    }
    assert!(
        missing.is_empty(),
        "use cases without a row in the matrix: {missing:?}"
    );
    // Refusals are in the audit log, with who tried what.
    let admin = {
        let mut c = db.ctx.clone();
        c.actor = partnerdesk_app::Actor::with_roles("matrix-admin", &[Role::Admin]);
        c
    };
    let denied = audit::entries(
        &admin,
        &audit::AuditQuery {
            action: Some("denied".into()),
            actor: Some("matrix-viewer".into()),
            limit: 1000,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let viewer_refusals = access::ALL
        .iter()
        .filter(|u| !access::allows(u, &[Role::Viewer]))
        .count();
    assert_eq!(denied.total as usize, viewer_refusals);
    assert!(audit::verify(&admin, None).await.unwrap().ok);
}

on_both_backends!(every_use_case_refuses_every_role_it_does_not_allow);
