//! Postbacks in taken as a group in one transaction (group commit): each
//! event is answered as it would be alone, in the group's order, against
//! what the events before it in the group did; duplicates within the
//! group and replays of taken events change nothing; a refused event keeps
//! nothing but its log row (its id may be sent again).

use crate::on_both_backends;
use crate::postbacks::{deposit, registration, setup};
use crate::support::TestDb;
use chrono::Utc;
use partnerdesk_app::tracking::postbacks_in::{self, Answer, Delivery};
use partnerdesk_app::tracking::postbacks_out;
use partnerdesk_app::{customers, AppError, Context};
use partnerdesk_secrets::MemoryStore;
use rust_decimal::Decimal;

/// Sends `bodies` signed with `secret` as ONE group.
async fn group(
    ctx: &Context,
    secrets: &MemoryStore,
    secret: &str,
    bodies: &[String],
) -> Vec<Answer> {
    let sigs: Vec<String> = bodies
        .iter()
        .map(|b| postbacks_in::sign(secret, b.as_bytes()))
        .collect();
    let deliveries: Vec<Delivery<'_>> = bodies
        .iter()
        .zip(&sigs)
        .map(|(b, s)| Delivery {
            brand_id: "casino",
            signature: Some(s),
            bearer: None,
            body: b.as_bytes(),
        })
        .collect();
    postbacks_in::receive_group(&ctx.store, secrets, Utc::now(), &deliveries)
        .await
        .unwrap()
}

fn by_code(event: &str, customer: &str, code: &str) -> String {
    serde_json::json!({
        "event_id": event, "type": "registration", "time": Utc::now().to_rfc3339(),
        "code": code, "customer_id": customer,
    })
    .to_string()
}

async fn exists(ctx: &Context, id: &str) -> bool {
    match customers::get(ctx, id).await {
        Ok(_) => true,
        Err(AppError::NotFound { .. }) => false,
        Err(e) => panic!("{e}"),
    }
}

async fn deposits_today(ctx: &Context, id: &str) -> Decimal {
    let today = Utc::now().date_naive().to_string();
    let detail = customers::get(ctx, id).await.unwrap();
    let day = detail
        .activity
        .iter()
        .find(|d| d.date == today)
        .expect("today's activity");
    Decimal::from_str_exact(&day.deposits).unwrap()
}

fn outcomes(answers: &[Answer]) -> Vec<(u16, &str)> {
    answers.iter().map(|a| (a.status, a.outcome)).collect()
}

async fn a_group_answers_each_event_as_alone(db: &TestDb) {
    let (ctx, secrets, secret, click) = setup(db).await;
    let ctx = &ctx;
    let hook = "https://t.example/pb?e={event}&c={customer_id}&cid={click_id}";
    postbacks_out::set_url(ctx, "P1", "registration", hook, false)
        .await
        .unwrap();
    postbacks_out::set_url(ctx, "P1", "ftd", hook, false)
        .await
        .unwrap();
    // An earlier group: C0 registered (and its event taken).
    let first = group(ctx, &secrets, &secret, &[by_code("r0", "C0", "AF1")]).await;
    assert_eq!(outcomes(&first), [(200, "accepted")]);

    let unknown_click = "00000000-0000-4000-8000-000000000000";
    let bodies = [
        registration("r1", "C1", &click, Utc::now()), // new, with the click
        by_code("r2", "C2", "AF1"),                   // new, by code
        registration("r1", "C1", &click, Utc::now()), // the same event again in the group
        by_code("r0", "C0", "AF1"),                   // a replay of an event taken before
        registration("r3", "C9", unknown_click, Utc::now()), // refused
        by_code("r4", "C3", "AF1"),                   // registered, then…
        deposit("d1", "C3", "20.00", "EUR"),          // …its first deposit in the same group
        deposit("d2", "C0", "5.00", "EUR"),           // registered in an earlier group
        deposit("d3", "C404", "5.00", "EUR"),         // unknown customer: refused
    ];
    let answers = group(ctx, &secrets, &secret, &bodies).await;
    assert_eq!(
        outcomes(&answers),
        [
            (200, "accepted"),
            (200, "accepted"),
            (200, "duplicate"),
            (200, "duplicate"),
            (422, "refused"),
            (200, "accepted"),
            (200, "accepted"),
            (200, "accepted"),
            (422, "refused"),
        ],
        "{answers:?}"
    );
    assert!(
        answers[4].reason.contains("unknown click id"),
        "{}",
        answers[4].reason
    );
    assert!(answers[6].reason.contains("first"), "{}", answers[6].reason);
    assert!(answers[7].reason.contains("first"), "{}", answers[7].reason);
    assert!(
        answers[8].reason.contains("is not known"),
        "{}",
        answers[8].reason
    );

    for (id, stored) in [
        ("C0", true),
        ("C1", true),
        ("C2", true),
        ("C3", true),
        ("C9", false),
    ] {
        assert_eq!(exists(ctx, id).await, stored, "{id}");
    }
    let c1 = customers::get(ctx, "C1").await.unwrap().customer;
    assert_eq!(
        (c1.tracking_code.as_deref(), c1.partner_id.as_deref()),
        (Some("AF1"), Some("P1"))
    );
    assert_eq!(deposits_today(ctx, "C3").await, Decimal::new(2000, 2));
    assert_eq!(deposits_today(ctx, "C0").await, Decimal::new(500, 2));

    // Every event has its log row, the group's in its order.
    let log = postbacks_in::log(ctx, Some("casino"), 100).await.unwrap();
    let mut ids: Vec<(&str, &str)> = log
        .iter()
        .map(|r| (r.event_id.as_str(), r.outcome.as_str()))
        .collect();
    ids.reverse();
    assert_eq!(
        ids,
        [
            ("r0", "accepted"),
            ("r1", "accepted"),
            ("r2", "accepted"),
            ("r1", "duplicate"),
            ("r0", "duplicate"),
            ("r3", "refused"),
            ("r4", "accepted"),
            ("d1", "accepted"),
            ("d2", "accepted"),
            ("d3", "refused"),
        ]
    );

    // Postbacks out: a registration per new customer, an FTD per first
    // deposit, each once; C1's carry its click.
    let outbox = postbacks_out::outbox(ctx, Some("P1"), 100).await.unwrap();
    let mut queued: Vec<String> = outbox
        .iter()
        .map(|o| format!("{} {}", o.event, &o.url[o.url.find("c=").unwrap()..]))
        .collect();
    queued.sort();
    assert_eq!(
        queued,
        [
            "ftd c=C0&cid=".to_string(),
            "ftd c=C3&cid=".to_string(),
            "registration c=C0&cid=".to_string(),
            format!("registration c=C1&cid={click}"),
            "registration c=C2&cid=".to_string(),
            "registration c=C3&cid=".to_string(),
        ]
    );

    // A refused event kept no claim: sent again (once its customer is
    // there), it is taken, not a duplicate.
    let again = group(
        ctx,
        &secrets,
        &secret,
        &[
            by_code("r5", "C404", "AF1"),
            deposit("d3", "C404", "5.00", "EUR"),
        ],
    )
    .await;
    assert_eq!(
        outcomes(&again),
        [(200, "accepted"), (200, "accepted")],
        "{again:?}"
    );
    // A group of nothing but replays changes nothing.
    let replays = group(
        ctx,
        &secrets,
        &secret,
        &[
            by_code("r2", "C2", "AF1"),
            deposit("d1", "C3", "20.00", "EUR"),
        ],
    )
    .await;
    assert_eq!(outcomes(&replays), [(200, "duplicate"), (200, "duplicate")]);
    assert_eq!(deposits_today(ctx, "C3").await, Decimal::new(2000, 2));
}

/// Two events of one customer in one group are decided one after the
/// other: decided against the reads made before the group, the second
/// deposit would replace the first's day (10 instead of 25), both would
/// be the FTD, and the deposit after a registration in the same group
/// would find no customer.
async fn a_group_decides_against_its_own_changes(db: &TestDb) {
    let (ctx, secrets, secret, _) = setup(db).await;
    let ctx = &ctx;
    let answers = group(
        ctx,
        &secrets,
        &secret,
        &[
            by_code("r1", "C1", "AF1"),
            deposit("d1", "C1", "15.00", "EUR"),
            deposit("d2", "C1", "10.00", "EUR"),
            // The same customer registered again: nothing new.
            by_code("r2", "C1", "AF1"),
        ],
    )
    .await;
    assert_eq!(
        outcomes(&answers),
        [
            (200, "accepted"),
            (200, "accepted"),
            (200, "accepted"),
            (200, "accepted")
        ],
        "{answers:?}"
    );
    assert_eq!(answers[1].reason, "deposit taken (the customer's first)");
    assert_eq!(answers[2].reason, "deposit taken");
    assert_eq!(deposits_today(ctx, "C1").await, Decimal::new(2500, 2));
    // And across groups as before.
    let next = group(
        ctx,
        &secrets,
        &secret,
        &[deposit("d3", "C1", "1.50", "EUR")],
    )
    .await;
    assert_eq!(next[0].reason, "deposit taken");
    assert_eq!(deposits_today(ctx, "C1").await, Decimal::new(2650, 2));
}

on_both_backends!(
    a_group_answers_each_event_as_alone,
    a_group_decides_against_its_own_changes
);
