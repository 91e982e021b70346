//! Postbacks out for events that arrive by import or are computed by a
//! commission run (issue 29): an FTD by import is queued once, whatever
//! path brings it again (a re-import, a postback); a purchase with its
//! amount in the partner's currency only where the operator allows it; a
//! qualified CPA when a run first pays it; and an import of many rows
//! queues one postback per FTD.

use crate::on_both_backends;
use crate::postbacks::{deposit, registration, setup, signed};
use crate::support::TestDb;
use chrono::Utc;
use partnerdesk_app::tracking::postbacks_out::{self, OutboxView};
use partnerdesk_app::{commissions, import, Context};
use partnerdesk_domain::Period;
use std::path::Path;

const HEAD: &str =
    "customer_id,brand_id,date,deposits,withdrawals,bets,wins,bonuses,chargebacks,taxes\n";

/// Brands `casino` (iGaming, EUR) and `prop` (USD); partners P1 (EUR) and
/// P2 (USD) with codes AF1 (P1) and AF3 (P2) in casino, PB1 (P1, referral)
/// and CPN2 (P2, coupon) in prop; a CPA plan for P1 in casino (50 EUR once
/// deposits reach 10); EUR→USD at 1.08 from July.
fn base(dir: &Path) {
    let files = [
        (
            "brands.csv",
            "brand_id,name,vertical,currency\ncasino,Casino,igaming,EUR\nprop,Prop,prop,USD\n",
        ),
        (
            "partners.csv",
            "partner_id,name,kind,parent_id,email,country,currency,status\n\
             P1,Partner one,affiliate,,,,EUR,active\nP2,Partner two,affiliate,,,,USD,active\n",
        ),
        (
            "tracking_codes.csv",
            "code,partner_id,brand_id,kind\nAF1,P1,casino,btag\nAF3,P2,casino,btag\n\
             PB1,P1,prop,referral\nCPN2,P2,prop,coupon\n",
        ),
        (
            "plans.json",
            r#"[{"plan_id":"cpa","name":"CPA","components":[{"type":"cpa","amount":"50","min_deposits":"10"}]}]"#,
        ),
        (
            "assignments.csv",
            "partner_id,brand_id,plan_id,valid_from,valid_to\nP1,casino,cpa,2026-07-01,\n",
        ),
        (
            "fx_rates.csv",
            "date,base,quote,rate\n2026-07-01,EUR,USD,1.0800\n",
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

fn customer(id: &str, brand: &str, code: &str) -> String {
    format!("{id},{brand},{code},DE,2026-07-01T10:00:00Z,active\n")
}

fn day(customer: &str, date: &str, deposits: &str) -> String {
    format!("{customer},casino,{date},{deposits},0.00,0.00,0.00,0.00,0.00,0.00\n")
}

async fn outbox(ctx: &Context, event: &str) -> Vec<OutboxView> {
    let mut rows: Vec<OutboxView> = postbacks_out::outbox(ctx, None, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.event == event)
        .collect();
    rows.sort_by(|a, b| a.url.cmp(&b.url));
    rows
}

fn urls(rows: &[OutboxView]) -> Vec<&str> {
    rows.iter().map(|r| r.url.as_str()).collect()
}

/// FTDs by import: the first day with deposits > 0, once per customer,
/// with the amount in the partner's currency where allowed; a re-import,
/// a later deposit postback and a postback FTD imported again queue
/// nothing more.
async fn ftd_by_import_once(db: &TestDb) {
    let (ctx, secrets, secret, click) = setup(db).await;
    let ctx = &ctx;
    let dir = tempfile::tempdir().unwrap();
    base(dir.path());
    import::import_folder(ctx, dir.path()).await.unwrap();
    postbacks_out::set_url(
        ctx,
        "P1",
        "ftd",
        "https://t.example/p1?c={customer_id}&a={amount}&cur={currency}&cid={click_id}",
        true,
    )
    .await
    .unwrap();
    postbacks_out::set_url(
        ctx,
        "P2",
        "ftd",
        "https://t.example/p2?c={customer_id}&a={amount}&cur={currency}",
        true,
    )
    .await
    .unwrap();
    // C0 registers by postback (with the click) and deposits by postback:
    // its FTD is queued then.
    let a = signed(
        ctx,
        &secrets,
        &secret,
        &registration("r0", "C0", &click, Utc::now()),
    )
    .await;
    assert_eq!(a.outcome, "accepted", "{a:?}");
    let a = signed(ctx, &secrets, &secret, &deposit("d0", "C0", "7", "EUR")).await;
    assert_eq!(a.reason, "deposit taken (the customer's first)");
    assert_eq!(outbox(ctx, "ftd").await.len(), 1);

    // The import: C1 (P1) deposits nothing, then 10, then 20: its FTD is
    // the 10; C2 (P2, USD) 100 EUR is 108.00 USD; C3 (P2) no deposit yet; C4
    // has no code (nobody's); C0's day again (its FTD was queued already).
    write(
        dir.path(),
        "customers.csv",
        &format!(
            "customer_id,brand_id,tracking_code,country,registered_at,status\n{}{}{}{}",
            customer("C1", "casino", "AF1"),
            customer("C2", "casino", "AF3"),
            customer("C3", "casino", "AF3"),
            customer("C4", "casino", ""),
        ),
    );
    let today = Utc::now().date_naive().to_string();
    write(
        dir.path(),
        "igaming_activity.csv",
        &format!(
            "{HEAD}{}{}{}{}{}{}{}",
            day("C1", "2026-07-02", "0.00"),
            day("C1", "2026-07-03", "10.00"),
            day("C1", "2026-07-04", "20.00"),
            day("C2", "2026-07-05", "100.00"),
            day("C3", "2026-07-05", "0.00"),
            day("C4", "2026-07-05", "50.00"),
            day("C0", &today, "7"),
        ),
    );
    import::import_folder(ctx, dir.path()).await.unwrap();
    let rows = outbox(ctx, "ftd").await;
    assert_eq!(
        urls(&rows),
        vec![
            format!("https://t.example/p1?c=C0&a=7&cur=EUR&cid={click}").as_str(),
            "https://t.example/p1?c=C1&a=10&cur=EUR&cid=",
            "https://t.example/p2?c=C2&a=108.00&cur=USD",
        ],
        "one FTD per customer: the first day with deposits, in the partner's currency"
    );
    assert!(rows.iter().all(|r| r.state == "pending"));

    // The same folder again, and a later deposit of C1 by postback: nothing more.
    import::import_folder(ctx, dir.path()).await.unwrap();
    let a = signed(ctx, &secrets, &secret, &deposit("d1", "C1", "5", "EUR")).await;
    assert_eq!(a.reason, "deposit taken", "{a:?}");
    assert_eq!(outbox(ctx, "ftd").await.len(), 3);

    // Amounts not allowed for P2 any more: a new FTD goes without them.
    postbacks_out::set_url(
        ctx,
        "P2",
        "ftd",
        "https://t.example/p2?c={customer_id}&a={amount}&cur={currency}",
        false,
    )
    .await
    .unwrap();
    write(
        dir.path(),
        "igaming_activity.csv",
        &format!("{HEAD}{}", day("C3", "2026-07-20", "15.00")),
    );
    import::import_folder(ctx, dir.path()).await.unwrap();
    let rows = outbox(ctx, "ftd").await;
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert!(
        urls(&rows).contains(&"https://t.example/p2?c=C3&a=&cur="),
        "{rows:?}"
    );
}

/// Purchases: attributed as RULES.md says (the coupon wins, else the
/// customer's partner); the amount only where the operator allows it.
async fn purchases_queued(db: &TestDb) {
    let ctx = &db.ctx;
    let dir = tempfile::tempdir().unwrap();
    base(dir.path());
    import::import_folder(ctx, dir.path()).await.unwrap();
    postbacks_out::set_url(
        ctx,
        "P1",
        "purchase",
        "https://t.example/p1?c={customer_id}&code={code}&a={amount}&cur={currency}",
        false,
    )
    .await
    .unwrap();
    postbacks_out::set_url(
        ctx,
        "P2",
        "purchase",
        "https://t.example/p2?c={customer_id}&code={code}&a={amount}&cur={currency}",
        true,
    )
    .await
    .unwrap();
    write(
        dir.path(),
        "customers.csv",
        &format!(
            "customer_id,brand_id,tracking_code,country,registered_at,status\n{}{}{}",
            customer("K1", "prop", "PB1"),
            customer("K2", "prop", ""),
            customer("K3", "prop", ""),
        ),
    );
    write(
        dir.path(),
        "purchases.csv",
        "order_id,customer_id,brand_id,product,amount,coupon_code,purchased_at,refunded_at\n\
         O1,K1,prop,10k,99.00,,2026-07-03T10:00:00Z,\n\
         O2,K1,prop,50k,299.00,CPN2,2026-07-04T10:00:00Z,\n\
         O3,K2,prop,10k,99.00,,2026-07-05T10:00:00Z,\n\
         O4,K3,prop,10k,99.00,CPN2,2026-07-05T10:00:00Z,\n\
         O5,K3,prop,10k,49.50,,2026-07-06T10:00:00Z,\n",
    );
    import::import_folder(ctx, dir.path()).await.unwrap();
    import::import_folder(ctx, dir.path()).await.unwrap();
    let rows = outbox(ctx, "purchase").await;
    assert_eq!(
        urls(&rows),
        vec![
            // K1's own partner, no amount allowed.
            "https://t.example/p1?c=K1&code=PB1&a=&cur=",
            // The coupon wins over K1's partner; K3's later purchase follows its first coupon.
            "https://t.example/p2?c=K1&code=CPN2&a=299&cur=USD",
            "https://t.example/p2?c=K3&code=&a=49.5&cur=USD",
            "https://t.example/p2?c=K3&code=CPN2&a=99&cur=USD",
        ],
        "K2 has no partner; each order once, after two imports"
    );
}

/// A qualified CPA is queued when the run that first pays it commits:
/// once, and a later qualifier by a later run.
async fn qualified_cpa_queued(db: &TestDb) {
    let ctx = &db.ctx;
    let dir = tempfile::tempdir().unwrap();
    base(dir.path());
    write(
        dir.path(),
        "customers.csv",
        &format!(
            "customer_id,brand_id,tracking_code,country,registered_at,status\n{}{}",
            customer("C1", "casino", "AF1"),
            customer("C2", "casino", "AF1"),
        ),
    );
    write(
        dir.path(),
        "igaming_activity.csv",
        &format!(
            "{HEAD}{}{}",
            day("C1", "2026-07-03", "12.00"),
            day("C2", "2026-07-03", "4.00"),
        ),
    );
    import::import_folder(ctx, dir.path()).await.unwrap();
    postbacks_out::set_url(
        ctx,
        "P1",
        "qualified_cpa",
        "https://t.example/q?c={customer_id}&a={amount}&cur={currency}",
        true,
    )
    .await
    .unwrap();
    let july = Period::parse("period", "2026-07").unwrap();
    commissions::run(ctx, july).await.unwrap();
    assert_eq!(
        urls(&outbox(ctx, "qualified_cpa").await),
        vec!["https://t.example/q?c=C1&a=50&cur=EUR"]
    );
    // Run again: nothing new. C2 reaches 10 later in July: the next run.
    commissions::run(ctx, july).await.unwrap();
    assert_eq!(outbox(ctx, "qualified_cpa").await.len(), 1);
    write(
        dir.path(),
        "igaming_activity.csv",
        &format!("{HEAD}{}", day("C2", "2026-07-09", "8.00")),
    );
    std::fs::remove_file(dir.path().join("customers.csv")).unwrap();
    import::import_folder(ctx, dir.path()).await.unwrap();
    commissions::run(ctx, july).await.unwrap();
    commissions::run(ctx, july).await.unwrap();
    assert_eq!(
        urls(&outbox(ctx, "qualified_cpa").await),
        vec![
            "https://t.example/q?c=C1&a=50&cur=EUR",
            "https://t.example/q?c=C2&a=50&cur=EUR",
        ]
    );
}

/// An import of many customers' first deposits queues one FTD postback
/// each (found and written in batches, not per row).
async fn many_rows_queue_the_right_count(db: &TestDb) {
    let ctx = &db.ctx;
    let dir = tempfile::tempdir().unwrap();
    base(dir.path());
    import::import_folder(ctx, dir.path()).await.unwrap();
    postbacks_out::set_url(
        ctx,
        "P1",
        "ftd",
        "https://t.example/f?c={customer_id}",
        false,
    )
    .await
    .unwrap();
    const N: usize = 3_000;
    let mut customers =
        String::from("customer_id,brand_id,tracking_code,country,registered_at,status\n");
    let mut activity = String::from(HEAD);
    for i in 0..N {
        let id = format!("M{i:05}");
        // Every third is P2's (no URL); the others are P1's, two days each.
        let code = if i % 3 == 0 { "AF3" } else { "AF1" };
        customers.push_str(&customer(&id, "casino", code));
        activity.push_str(&day(&id, "2026-07-10", "25.00"));
        activity.push_str(&day(&id, "2026-07-11", "5.00"));
    }
    write(dir.path(), "customers.csv", &customers);
    write(dir.path(), "igaming_activity.csv", &activity);
    import::import_folder(ctx, dir.path()).await.unwrap();
    let rows = outbox(ctx, "ftd").await;
    assert_eq!(rows.len(), N - N.div_ceil(3));
    assert!(rows.iter().all(|r| r.partner_id == "P1"));
    import::import_folder(ctx, dir.path()).await.unwrap();
    assert_eq!(outbox(ctx, "ftd").await.len(), N - N.div_ceil(3));
}

on_both_backends!(
    ftd_by_import_once,
    purchases_queued,
    qualified_cpa_queued,
    many_rows_queue_the_right_count
);
