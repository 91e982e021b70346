//! Fraud flags (issue 29): click floods, registrations without a click for
//! link-only partners, self-referral; reviewed (confirmed or dismissed) by
//! compliance, audited, and never a change to money.

use crate::on_both_backends;
use crate::postbacks::{setup, signed};
use crate::support::{as_user, TestDb};
use chrono::Utc;
use partnerdesk_app::access::Role;
use partnerdesk_app::approvals::OutcomeState;
use partnerdesk_app::audit::{self, AuditQuery};
use partnerdesk_app::tracking::clicks::{new_click_id, ClickWriter, Visit};
use partnerdesk_app::tracking::fraud;
use partnerdesk_app::wire::PartnerInput;
use partnerdesk_app::{customers, partners, payouts, AppError};
use partnerdesk_domain::tracking::ClickKind;

fn click(ip: &str, kind: ClickKind) -> Visit {
    Visit {
        click_id: new_click_id(),
        at: Utc::now(),
        path: "AF1".into(),
        brand_id: "casino".into(),
        code: "AF1".into(),
        subs: Default::default(),
        campaign: None,
        referrer_host: None,
        country: None,
        ip: ip.parse().unwrap(),
        user_agent: "Mozilla/5.0 Firefox/128.0".into(),
        kind,
    }
}

fn reg(event: &str, customer: &str, extra: serde_json::Value) -> String {
    let mut v = serde_json::json!({
        "event_id": event, "type": "registration", "time": Utc::now().to_rfc3339(),
        "customer_id": customer,
    });
    if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    v.to_string()
}

async fn click_floods(db: &TestDb) {
    let (ctx, _, _, _) = setup(db).await;
    let ctx = &ctx;
    assert_eq!(
        fraud::flood_setting(ctx).await.unwrap(),
        fraud::FLOOD_DEFAULT
    );
    assert!(fraud::set_flood_setting(ctx, 0).await.is_err());
    fraud::set_flood_setting(ctx, 3).await.unwrap();
    // One visitor clicks 5 times within the hour (one click is the set-up's,
    // from another address); another visitor 3 times (not more than 3);
    // bots do not count.
    let mut batch: Vec<Visit> = (0..5)
        .map(|_| click("198.51.100.1", ClickKind::Human))
        .collect();
    batch.extend((0..3).map(|_| click("198.51.100.2", ClickKind::Human)));
    batch.extend((0..9).map(|_| click("198.51.100.3", ClickKind::Bot)));
    ClickWriter::new(ctx.store.clone())
        .write(&batch)
        .await
        .unwrap();
    assert_eq!(
        fraud::scan_click_floods(&ctx.store, Utc::now())
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        fraud::scan_click_floods(&ctx.store, Utc::now())
            .await
            .unwrap(),
        0,
        "flagged once per link, visitor and day"
    );
    // An hour later the clicks are out of the window.
    let later = Utc::now() + chrono::Duration::minutes(61);
    assert_eq!(
        fraud::scan_click_floods(&ctx.store, later).await.unwrap(),
        0
    );
    let flags = fraud::flags(ctx, Some("open"), 10).await.unwrap();
    assert_eq!(flags.len(), 1, "{flags:?}");
    assert_eq!(flags[0].kind, "click_flood");
    assert_eq!(flags[0].partner_id.as_deref(), Some("P1"));
    assert!(
        flags[0].reason.contains("5 human clicks"),
        "{}",
        flags[0].reason
    );
}

async fn registrations_flagged(db: &TestDb) {
    let (ctx, secrets, secret, click_id) = setup(db).await;
    let ctx = &ctx;
    partners::edit(
        ctx,
        "P1",
        PartnerInput {
            partner_id: "P1".into(),
            name: "Partner one".into(),
            kind: "affiliate".into(),
            currency: "EUR".into(),
            status: "active".into(),
            email: Some("owner@partner.example".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    fraud::set_link_only(ctx, "P1", true).await.unwrap();

    // With a click: no flag. With only the code: flagged (P1 is link-only).
    let body = reg("r1", "C1", serde_json::json!({ "click_id": click_id }));
    assert_eq!(
        signed(ctx, &secrets, &secret, &body).await.outcome,
        "accepted"
    );
    assert!(fraud::flags(ctx, None, 10).await.unwrap().is_empty());
    let body = reg("r2", "C2", serde_json::json!({ "code": "AF2" }));
    assert_eq!(
        signed(ctx, &secrets, &secret, &body).await.outcome,
        "accepted"
    );
    // The partner's own e-mail (another letter case) on a customer.
    let body = reg(
        "r3",
        "C3",
        serde_json::json!({ "click_id": click_id, "email": "Owner@Partner.example" }),
    );
    assert_eq!(
        signed(ctx, &secrets, &secret, &body).await.outcome,
        "accepted"
    );
    // Not link-only any more: a code alone is no flag.
    fraud::set_link_only(ctx, "P1", false).await.unwrap();
    let body = reg("r4", "C4", serde_json::json!({ "code": "AF2" }));
    assert_eq!(
        signed(ctx, &secrets, &secret, &body).await.outcome,
        "accepted"
    );

    let mut flags = fraud::flags(ctx, Some("open"), 10).await.unwrap();
    flags.sort_by_key(|f| f.id);
    let got: Vec<(&str, &str)> = flags
        .iter()
        .map(|f| (f.kind.as_str(), f.subject.as_str()))
        .collect();
    assert_eq!(got, vec![("no_click", "C2"), ("self_referral", "C3")]);
    assert!(flags[1].reason.contains("e-mail"), "{}", flags[1].reason);

    // Compliance reviews; others may not. A flag changes no money.
    let manager = as_user(db, "manager", &[Role::PartnerManager]);
    assert!(matches!(
        fraud::review(&manager, flags[0].id, true, None).await,
        Err(AppError::Forbidden { .. })
    ));
    let reviewer = as_user(db, "reviewer", &[Role::Compliance]);
    let f = fraud::review(
        &reviewer,
        flags[0].id,
        false,
        Some("a partner's offline campaign"),
    )
    .await
    .unwrap();
    assert_eq!(
        (f.state.as_str(), f.reviewed_by.as_deref()),
        ("dismissed", Some("reviewer"))
    );
    assert!(matches!(
        fraud::review(&reviewer, flags[0].id, true, None).await,
        Err(AppError::Refused(_))
    ));
    let f = fraud::review(&reviewer, flags[1].id, true, None)
        .await
        .unwrap();
    assert_eq!(f.state, "confirmed");
    assert!(fraud::flags(ctx, Some("open"), 10)
        .await
        .unwrap()
        .is_empty());
    for c in ["C2", "C3"] {
        let row = customers::get(ctx, c).await.unwrap().customer;
        assert_eq!(
            (row.status.to_string().as_str(), row.partner_id.as_deref()),
            ("active", Some("P1")),
            "{c}: still active and attributed: flags never change money"
        );
    }
    let page = audit::entries(
        ctx,
        &AuditQuery {
            action: Some("fraud.".into()),
            limit: 50,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let actions: Vec<&str> = page.entries.iter().map(|e| e.action.as_str()).collect();
    for a in ["fraud.flag.dismiss", "fraud.flag.confirm"] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
}

/// Self-referral by payment details: a registration carrying the partner's
/// own payment account (spaces, dashes and letter case aside) is flagged,
/// once per customer; another account is not.
async fn self_referral_by_payment_details(db: &TestDb) {
    let (ctx, secrets, secret, click_id) = setup(db).await;
    let ctx = &ctx;
    // No users yet: the change applies at once (single-user mode).
    let o = payouts::set_payment_details(
        ctx,
        "P1",
        "bank_transfer",
        "Partner One",
        "DE89 3704 0044 0532 0130 00",
        None,
    )
    .await
    .unwrap();
    assert_eq!(o.state, OutcomeState::Done, "{}", o.message);

    let own = reg(
        "r1",
        "C1",
        serde_json::json!({ "click_id": click_id, "payment_details": "de89-3704-0044-0532-0130-00" }),
    );
    assert_eq!(
        signed(ctx, &secrets, &secret, &own).await.outcome,
        "accepted"
    );
    let other = reg(
        "r2",
        "C2",
        serde_json::json!({ "click_id": click_id, "payment_details": "DE02 1203 0000 0000 2020 51" }),
    );
    assert_eq!(
        signed(ctx, &secrets, &secret, &other).await.outcome,
        "accepted"
    );
    // The same customer registered again (another event id): no second flag.
    let again = reg(
        "r3",
        "C1",
        serde_json::json!({ "click_id": click_id, "payment_details": "DE89370400440532013000" }),
    );
    assert_eq!(
        signed(ctx, &secrets, &secret, &again).await.outcome,
        "accepted"
    );

    let flags = fraud::flags(ctx, None, 10).await.unwrap();
    let got: Vec<(&str, &str)> = flags
        .iter()
        .map(|f| (f.kind.as_str(), f.subject.as_str()))
        .collect();
    assert_eq!(got, vec![("self_referral", "C1")]);
    assert!(
        flags[0].reason.contains("payment details") && !flags[0].reason.contains("e-mail"),
        "{}",
        flags[0].reason
    );
    assert_eq!(flags[0].state, "open");
}

on_both_backends!(
    click_floods,
    registrations_flagged,
    self_referral_by_payment_details
);
