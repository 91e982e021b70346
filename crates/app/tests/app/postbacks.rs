//! Postbacks in (issue 29): a brand's platform reports registrations and
//! deposits. Authenticated by an HMAC of the body or a token (the secret
//! in the secret store), replay-protected by the event's time, idempotent
//! by event id; a registration stores the customer under the click's
//! partner, a deposit adds to the day's activity, refusals change nothing
//! but the postback log.

use crate::on_both_backends;
use crate::support::TestDb;
use chrono::{Duration, Utc};
use partnerdesk_app::audit::{self, AuditQuery};
use partnerdesk_app::tracking::clicks::{new_click_id, ClickWriter, Visit};
use partnerdesk_app::tracking::postbacks_in::{self, Answer, Delivery};
use partnerdesk_app::{customers, reports, tracking, AppError, Context};
use partnerdesk_domain::report::{Dim, Measure, ReportSpec};
use partnerdesk_domain::tracking::ClickKind;
use partnerdesk_secrets::MemoryStore;
use std::sync::Arc;

/// The set-up of the tracking tests with a link on AF1, an in-memory
/// secret store, a postback secret for `casino`, and one stored click on
/// AF1 (its id returned).
pub async fn setup(db: &TestDb) -> (Context, Arc<MemoryStore>, String, String) {
    let secrets = Arc::new(MemoryStore::new());
    let ctx = db.ctx.clone().with_secrets(secrets.clone());
    crate::tracking::setup(&ctx).await;
    tracking::create_link(&ctx, "casino", "AF1", None)
        .await
        .unwrap();
    let click_id = new_click_id();
    ClickWriter::new(ctx.store.clone())
        .write(&[Visit {
            click_id: click_id.clone(),
            at: Utc::now(),
            path: "AF1".into(),
            brand_id: "casino".into(),
            code: "AF1".into(),
            subs: [None, None, None, None, None],
            campaign: None,
            referrer_host: None,
            country: None,
            ip: "203.0.113.9".parse().unwrap(),
            user_agent: "Mozilla/5.0 Firefox/128.0".into(),
            kind: ClickKind::Human,
        }])
        .await
        .unwrap();
    let secret = postbacks_in::rotate_secret(&ctx, "casino").await.unwrap();
    (ctx, secrets, secret, click_id)
}

pub fn registration(event: &str, customer: &str, click: &str, at: chrono::DateTime<Utc>) -> String {
    serde_json::json!({
        "event_id": event, "type": "registration", "time": at.to_rfc3339(),
        "click_id": click, "customer_id": customer, "country": "DE",
    })
    .to_string()
}

pub fn deposit(event: &str, customer: &str, amount: &str, currency: &str) -> String {
    serde_json::json!({
        "event_id": event, "type": "deposit", "time": Utc::now().to_rfc3339(),
        "customer_id": customer, "amount": amount, "currency": currency,
    })
    .to_string()
}

async fn send(ctx: &Context, secrets: &MemoryStore, body: &str, signature: Option<&str>) -> Answer {
    postbacks_in::receive(
        &ctx.store,
        secrets,
        Utc::now(),
        Delivery {
            brand_id: "casino",
            signature,
            bearer: None,
            body: body.as_bytes(),
        },
    )
    .await
    .unwrap()
}

pub async fn signed(ctx: &Context, secrets: &MemoryStore, secret: &str, body: &str) -> Answer {
    let sig = postbacks_in::sign(secret, body.as_bytes());
    send(ctx, secrets, body, Some(&sig)).await
}

async fn bearer(ctx: &Context, secrets: &MemoryStore, body: &str, token: &str) -> Answer {
    postbacks_in::receive(
        &ctx.store,
        secrets,
        Utc::now(),
        Delivery {
            brand_id: "casino",
            signature: None,
            bearer: Some(token),
            body: body.as_bytes(),
        },
    )
    .await
    .unwrap()
}

async fn log_len(ctx: &Context) -> usize {
    postbacks_in::log(ctx, Some("casino"), 1000)
        .await
        .unwrap()
        .len()
}

async fn customer_exists(ctx: &Context, id: &str) -> bool {
    match customers::get(ctx, id).await {
        Ok(_) => true,
        Err(AppError::NotFound { .. }) => false,
        Err(e) => panic!("{e}"),
    }
}

async fn registrations_story(db: &TestDb) {
    let (ctx, secrets, secret, click) = setup(db).await;
    let ctx = &ctx;
    let s = postbacks_in::settings(ctx, "casino").await.unwrap();
    assert_eq!(
        (s.auth.as_str(), s.window_secs, s.secret_set),
        ("hmac", 300, true),
        "HMAC and 5 minutes until set otherwise"
    );

    // A good signature: the customer is stored under the click's partner.
    let body = registration("r1", "C1", &click, Utc::now());
    let a = signed(ctx, &secrets, &secret, &body).await;
    assert_eq!((a.status, a.outcome), (200, "accepted"), "{a:?}");
    let c = customers::get(ctx, "C1").await.unwrap().customer;
    assert_eq!(c.tracking_code.as_deref(), Some("AF1"), "the click's code");
    assert_eq!(
        c.partner_id.as_deref(),
        Some("P1"),
        "attributed to the code's partner, as an imported customer"
    );
    assert_eq!(c.country.map(|c| c.to_string()).as_deref(), Some("DE"));
    let listed = customers::search(
        ctx,
        &partnerdesk_app::wire::CustomerQuery {
            text: None,
            brand_id: None,
            partner_id: Some("P1".into()),
            status: None,
            offset: 0,
            limit: 10,
        },
    )
    .await
    .unwrap();
    assert_eq!(listed.total, 1, "the partner's customers list it");

    // The same event again: a duplicate, nothing changes.
    let logged = log_len(ctx).await;
    let a = signed(ctx, &secrets, &secret, &body).await;
    assert_eq!((a.status, a.outcome), (200, "duplicate"), "{a:?}");
    assert_eq!(log_len(ctx).await, logged + 1, "the duplicate is logged");

    // A bad signature, a signature with another secret, none at all: 401, nothing stored, not even a log row.
    let body = registration("r2", "C2", &click, Utc::now());
    for sig in [Some("00ff"), Some("zz"), None] {
        let a = send(ctx, &secrets, &body, sig).await;
        assert_eq!(a.status, 401, "{sig:?}: {a:?}");
    }
    let other = postbacks_in::sign("another secret", body.as_bytes());
    assert_eq!(send(ctx, &secrets, &body, Some(&other)).await.status, 401);
    // The body changed after signing.
    let sig = postbacks_in::sign(&secret, body.as_bytes());
    let tampered = body.replace("C2", "C9");
    assert_eq!(send(ctx, &secrets, &tampered, Some(&sig)).await.status, 401);
    assert!(!customer_exists(ctx, "C2").await && !customer_exists(ctx, "C9").await);
    assert_eq!(
        log_len(ctx).await,
        logged + 1,
        "unauthenticated: not logged"
    );

    // A replay outside the window (10 minutes old, or from the future): refused, logged.
    for at in [
        Utc::now() - Duration::minutes(10),
        Utc::now() + Duration::minutes(10),
    ] {
        let body = registration(&format!("old-{}", at.timestamp()), "C3", &click, at);
        let a = signed(ctx, &secrets, &secret, &body).await;
        assert_eq!((a.status, a.outcome), (422, "refused"), "{a:?}");
        assert!(a.reason.contains("replay window of 300 s"), "{}", a.reason);
    }
    assert!(!customer_exists(ctx, "C3").await);

    // An unknown click id: 422 with the reason, in the log, nothing stored.
    let body = registration("r4", "C4", &new_click_id(), Utc::now());
    let a = signed(ctx, &secrets, &secret, &body).await;
    assert_eq!((a.status, a.outcome), (422, "refused"), "{a:?}");
    assert!(a.reason.contains("unknown click id"), "{}", a.reason);
    assert!(!customer_exists(ctx, "C4").await);
    let log = postbacks_in::log(ctx, Some("casino"), 1).await.unwrap();
    assert_eq!(
        (
            log[0].event_id.as_str(),
            log[0].status,
            log[0].outcome.as_str()
        ),
        ("r4", 422, "refused")
    );
    assert!(log[0].reason.contains("unknown click id"));
    // A refused event keeps no claim: sent again once it can be taken, it is.
    let body = registration("r4", "C4", &click, Utc::now());
    let a = signed(ctx, &secrets, &secret, &body).await;
    assert_eq!(a.outcome, "accepted", "{a:?}");

    // An unreadable body (authenticated) is a 400 with the field named.
    let body = r#"{"event_id":"r5","type":"registration"}"#;
    let a = signed(ctx, &secrets, &secret, body).await;
    assert_eq!(a.status, 400, "{a:?}");
    assert!(a.reason.contains("time"), "{}", a.reason);

    // The secret is never in the audit log; the rotation is.
    let page = audit::entries(
        ctx,
        &AuditQuery {
            action: Some("postback.".into()),
            limit: 50,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(page
        .entries
        .iter()
        .any(|e| e.action == "postback.secret.rotate"));
    assert!(page
        .entries
        .iter()
        .all(|e| !e.after.clone().unwrap_or_default().contains(&secret)));
}

async fn deposits_story(db: &TestDb) {
    let (ctx, secrets, secret, click) = setup(db).await;
    let ctx = &ctx;
    let a = signed(
        ctx,
        &secrets,
        &secret,
        &registration("r1", "C1", &click, Utc::now()),
    )
    .await;
    assert_eq!(a.outcome, "accepted", "{a:?}");

    // Two deposits on one day add up (a platform reports each one).
    let a = signed(ctx, &secrets, &secret, &deposit("d1", "C1", "25.50", "EUR")).await;
    assert_eq!((a.status, a.outcome), (200, "accepted"), "{a:?}");
    assert!(
        a.reason.contains("first"),
        "the first deposit is the FTD: {}",
        a.reason
    );
    let a = signed(ctx, &secrets, &secret, &deposit("d2", "C1", "10.00", "EUR")).await;
    assert_eq!(a.outcome, "accepted", "{a:?}");
    assert!(!a.reason.contains("first"), "{}", a.reason);
    // d1 again changes nothing.
    let a = signed(ctx, &secrets, &secret, &deposit("d1", "C1", "25.50", "EUR")).await;
    assert_eq!(a.outcome, "duplicate");
    let detail = customers::get(ctx, "C1").await.unwrap();
    let today = Utc::now().date_naive().to_string();
    let day = detail
        .activity
        .iter()
        .find(|d| d.date == today)
        .expect("today's activity");
    // 25.50 + 10.00 = 35.50 (the duplicate not counted)
    assert_eq!(
        rust_decimal::Decimal::from_str_exact(&day.deposits).unwrap(),
        rust_decimal::Decimal::new(3550, 2),
        "{}",
        day.deposits
    );

    // Refused: another currency, an unknown customer; nothing changes.
    for (body, why) in [
        (deposit("d3", "C1", "5", "USD"), "in USD"),
        (deposit("d4", "C404", "5", "EUR"), "is not known"),
    ] {
        let a = signed(ctx, &secrets, &secret, &body).await;
        assert_eq!((a.status, a.outcome), (422, "refused"), "{a:?}");
        assert!(a.reason.contains(why), "{}", a.reason);
    }
    let detail = customers::get(ctx, "C1").await.unwrap();
    let day = detail.activity.iter().find(|d| d.date == today).unwrap();
    assert_eq!(
        rust_decimal::Decimal::from_str_exact(&day.deposits).unwrap(),
        rust_decimal::Decimal::new(3550, 2)
    );

    // Token mode: the secret as a bearer token; a signature alone no longer does.
    let s = postbacks_in::set_settings(ctx, "casino", "token", 60)
        .await
        .unwrap();
    assert_eq!((s.auth.as_str(), s.window_secs), ("token", 60));
    let body = deposit("d5", "C1", "1", "EUR");
    let a = signed(ctx, &secrets, &secret, &body).await;
    assert_eq!(a.status, 401, "{a:?}");
    assert_eq!(bearer(ctx, &secrets, &body, "wrong").await.status, 401);
    let a = bearer(ctx, &secrets, &body, &secret).await;
    assert_eq!(a.outcome, "accepted", "{a:?}");
    // A rotated secret replaces the old one at once.
    let new = postbacks_in::rotate_secret(ctx, "casino").await.unwrap();
    assert_ne!(new, secret);
    let body = deposit("d6", "C1", "1", "EUR");
    let a = bearer(ctx, &secrets, &body, &secret).await;
    assert_eq!(a.status, 401, "the old secret no longer works");

    // Settings are checked and kept to the roles.
    assert!(postbacks_in::set_settings(ctx, "casino", "basic", 60)
        .await
        .is_err());
    assert!(postbacks_in::set_settings(ctx, "casino", "hmac", 0)
        .await
        .is_err());
    let manager = crate::support::as_user(
        db,
        "manager",
        &[partnerdesk_app::access::Role::PartnerManager],
    )
    .with_secrets(secrets.clone());
    assert!(matches!(
        postbacks_in::rotate_secret(&manager, "casino").await,
        Err(AppError::Forbidden { .. })
    ));
}

/// A keyring that refuses to store anything (locked, no session).
struct Refusing;

impl partnerdesk_secrets::SecretStore for Refusing {
    fn get(&self, _: &str) -> Result<Option<String>, String> {
        Ok(None)
    }
    fn set(&self, _: &str, _: &str) -> Result<(), String> {
        Err("the keyring is locked".into())
    }
    fn delete(&self, _: &str) -> Result<(), String> {
        Ok(())
    }
}

async fn a_refused_secret_is_no_rotation(db: &TestDb) {
    crate::tracking::setup(&db.ctx).await;
    let ctx = db.ctx.clone().with_secrets(Arc::new(Refusing));
    let e = postbacks_in::rotate_secret(&ctx, "casino")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("locked"), "{e}");
    let page = audit::entries(
        &ctx,
        &AuditQuery {
            action: Some("postback.".into()),
            limit: 50,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(page.total, 0, "no rotation is audited that did not happen");
    let s = postbacks_in::settings(&ctx, "casino").await.unwrap();
    assert!(!s.secret_set);
}

/// A report of the days around today by partner, of these measures.
fn around_today(measures: &[&str]) -> ReportSpec {
    let today = Utc::now().date_naive();
    ReportSpec {
        from: today - Duration::days(1),
        to: today + Duration::days(1),
        by: vec![Dim::parse("partner").unwrap()],
        measures: measures
            .iter()
            .map(|m| Measure::parse(m).unwrap())
            .collect(),
        brand: None,
        partner: None,
        tree: None,
        currency: None,
    }
}

async fn report_csv(ctx: &Context, measures: &[&str]) -> String {
    reports::report(ctx, &around_today(measures))
        .await
        .unwrap()
        .to_csv()
}

/// Reports read roll-ups, which a postback marks stale in its own
/// transaction as a sync does: the registration and the deposit are in the
/// next report, although the roll-ups were current before them.
async fn reports_count_what_postbacks_bring(db: &TestDb) {
    let (ctx, secrets, secret, click) = setup(db).await;
    let ctx = &ctx;
    let counts = ["registrations", "ftds"];
    // Read once: the roll-ups are built and carry no stale mark.
    assert_eq!(
        report_csv(ctx, &counts).await,
        "partner,registrations,ftds\n"
    );

    let a = signed(
        ctx,
        &secrets,
        &secret,
        &registration("r1", "C1", &click, Utc::now()),
    )
    .await;
    assert_eq!(a.outcome, "accepted", "{a:?}");
    assert_eq!(
        report_csv(ctx, &counts).await,
        "partner,registrations,ftds\nP1,1,0\n",
        "the postback's customer is a registration of the click's partner"
    );

    let a = signed(ctx, &secrets, &secret, &deposit("d1", "C1", "25.50", "EUR")).await;
    assert_eq!(a.outcome, "accepted", "{a:?}");
    assert_eq!(
        report_csv(ctx, &counts).await,
        "partner,registrations,ftds\nP1,1,1\n",
        "its first deposit is an FTD"
    );
    assert_eq!(
        report_csv(ctx, &["deposits"]).await,
        "partner,currency,deposits\nP1,EUR,25.50\n"
    );
}

on_both_backends!(
    registrations_story,
    deposits_story,
    a_refused_secret_is_no_rotation,
    reports_count_what_postbacks_bring
);
