//! Postbacks out (issue 29): a partner's tracker is told of its customers'
//! registrations and FTDs from the outbox, against a tiny HTTP receiver on
//! 127.0.0.1: retried with backoff until it answers, given up after the
//! last attempt with every attempt logged, and never sent twice by two
//! senders at once.

use crate::on_both_backends;
use crate::postbacks::{deposit, registration, setup, signed};
use crate::support::TestDb;
use chrono::Utc;
use partnerdesk_app::tracking::postbacks_out::{self, SendOptions, SendSummary};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A partner's tracker: records each request's path and query, and answers
/// 500 to the first `failures` requests, 200 after.
async fn receiver(failures: usize) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(Mutex::new(Vec::new()));
    let seen = hits.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 1024];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&buf).to_string();
                let target = head.split(' ').nth(1).unwrap_or("").to_string();
                let n = {
                    let mut s = seen.lock().unwrap();
                    s.push(target);
                    s.len()
                };
                let status = if n <= failures {
                    "500 Internal Server Error"
                } else {
                    "200 OK"
                };
                let _ = sock
                    .write_all(
                        format!(
                            "HTTP/1.1 {status}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                        )
                        .as_bytes(),
                    )
                    .await;
            });
        }
    });
    (base, hits)
}

fn options(max_attempts: u32) -> SendOptions {
    SendOptions {
        max_attempts,
        backoff: Duration::from_millis(20),
        timeout: Duration::from_secs(5),
        ..Default::default()
    }
}

async fn pass(db: &TestDb, o: &SendOptions) -> SendSummary {
    let client = postbacks_out::client().unwrap();
    // Past the backoff of the attempt before.
    tokio::time::sleep(Duration::from_millis(200)).await;
    postbacks_out::send_due(&db.ctx.store, &client, o)
        .await
        .unwrap()
}

async fn retried_and_logged(db: &TestDb) {
    let (ctx, secrets, secret, click) = setup(db).await;
    let ctx = &ctx;
    let (base, hits) = receiver(2).await;
    let url = format!("{base}/pb?cid={{click_id}}&e={{event}}&c={{customer_id}}&a={{amount}}");
    postbacks_out::set_url(ctx, "P1", "registration", &url, false)
        .await
        .unwrap();
    // Bad URLs and events change nothing.
    assert!(postbacks_out::set_url(ctx, "P1", "login", &url, false)
        .await
        .is_err());
    assert!(
        postbacks_out::set_url(ctx, "P1", "ftd", "https://t.example/?x={landing}", false)
            .await
            .is_err()
    );
    assert!(postbacks_out::set_url(ctx, "P404", "ftd", &url, false)
        .await
        .is_err());

    let a = signed(
        ctx,
        &secrets,
        &secret,
        &registration("r1", "C1", &click, Utc::now()),
    )
    .await;
    assert_eq!(a.outcome, "accepted", "{a:?}");
    // Queued in the registration's transaction.
    let queued = postbacks_out::outbox(ctx, Some("P1"), 10).await.unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].state, "pending");
    assert_eq!(
        queued[0].url,
        format!("{base}/pb?cid={click}&e=registration&c=C1&a="),
        "macros filled; no amount without the operator's leave"
    );
    let o = options(5);
    // Fails twice (500), then is delivered: three attempts, all logged.
    assert_eq!(
        pass(db, &o).await,
        SendSummary {
            sent: 0,
            retrying: 1,
            failed: 0
        }
    );
    assert_eq!(
        pass(db, &o).await,
        SendSummary {
            sent: 0,
            retrying: 1,
            failed: 0
        }
    );
    assert_eq!(
        pass(db, &o).await,
        SendSummary {
            sent: 1,
            retrying: 0,
            failed: 0
        }
    );
    assert_eq!(
        pass(db, &o).await,
        SendSummary::default(),
        "sent once, never again"
    );
    assert_eq!(hits.lock().unwrap().len(), 3);
    let log = postbacks_out::sends(ctx, Some("P1"), 10).await.unwrap();
    let codes: Vec<(u32, Option<u16>)> = log
        .iter()
        .rev()
        .map(|s| (s.attempt, s.status_code))
        .collect();
    assert_eq!(codes, vec![(1, Some(500)), (2, Some(500)), (3, Some(200))]);
    assert!(log[2].error.as_deref().unwrap_or("").contains("500"));
    let row = &postbacks_out::outbox(ctx, Some("P1"), 10).await.unwrap()[0];
    assert_eq!((row.state.as_str(), row.attempts), ("sent", 3));
    // The registration again (a duplicate) queues nothing more.
    let a = signed(
        ctx,
        &secrets,
        &secret,
        &registration("r1", "C1", &click, Utc::now()),
    )
    .await;
    assert_eq!(a.outcome, "duplicate");
    assert_eq!(postbacks_out::outbox(ctx, None, 10).await.unwrap().len(), 1);
}

async fn failure_after_max_attempts(db: &TestDb) {
    let (ctx, secrets, secret, click) = setup(db).await;
    let ctx = &ctx;
    let (base, hits) = receiver(usize::MAX).await;
    postbacks_out::set_url(
        ctx,
        "P1",
        "ftd",
        &format!("{base}/ftd?c={{customer_id}}&a={{amount}}&cur={{currency}}&cid={{click_id}}"),
        true,
    )
    .await
    .unwrap();
    signed(
        ctx,
        &secrets,
        &secret,
        &registration("r1", "C1", &click, Utc::now()),
    )
    .await;
    let a = signed(ctx, &secrets, &secret, &deposit("d1", "C1", "25.50", "EUR")).await;
    assert_eq!(a.outcome, "accepted", "{a:?}");
    // A second deposit is no FTD: nothing more is queued.
    signed(ctx, &secrets, &secret, &deposit("d2", "C1", "5", "EUR")).await;
    let queued = postbacks_out::outbox(ctx, Some("P1"), 10).await.unwrap();
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert_eq!(
        queued[0].url,
        format!("{base}/ftd?c=C1&a=25.50&cur=EUR&cid={click}"),
        "the FTD's amount, allowed for this partner, and the registration's click"
    );
    let o = options(3);
    for _ in 0..2 {
        assert_eq!(pass(db, &o).await.retrying, 1);
    }
    assert_eq!(
        pass(db, &o).await,
        SendSummary {
            sent: 0,
            retrying: 0,
            failed: 1
        }
    );
    assert_eq!(pass(db, &o).await, SendSummary::default(), "given up");
    assert_eq!(hits.lock().unwrap().len(), 3);
    let row = &postbacks_out::outbox(ctx, Some("P1"), 10).await.unwrap()[0];
    assert_eq!((row.state.as_str(), row.attempts), ("failed", 3));
    assert!(row.last_error.as_deref().unwrap_or("").contains("500"));
    let log = postbacks_out::sends(ctx, Some("P1"), 10).await.unwrap();
    assert_eq!(log.len(), 3, "every attempt logged");

    // An unreachable tracker (nothing listens): the error is logged, without the URL.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead = format!(
        "http://{}/x?token=partner-secret",
        closed.local_addr().unwrap()
    );
    drop(closed);
    postbacks_out::set_url(ctx, "P1", "registration", &dead, false)
        .await
        .unwrap();
    signed(
        ctx,
        &secrets,
        &secret,
        &registration("r2", "C2", &click, Utc::now()),
    )
    .await;
    assert_eq!(pass(db, &options(1)).await.failed, 1);
    let last = &postbacks_out::sends(ctx, Some("P1"), 1).await.unwrap()[0];
    assert_eq!(last.status_code, None);
    let e = last.error.clone().unwrap_or_default();
    assert!(!e.is_empty() && !e.contains("partner-secret"), "{e}");
}

async fn two_senders_send_once(db: &TestDb) {
    let (ctx, secrets, secret, click) = setup(db).await;
    let ctx = &ctx;
    let (base, hits) = receiver(0).await;
    postbacks_out::set_url(
        ctx,
        "P1",
        "registration",
        &format!("{base}/r?c={{customer_id}}"),
        false,
    )
    .await
    .unwrap();
    for i in 0..20 {
        let a = signed(
            ctx,
            &secrets,
            &secret,
            &registration(&format!("r{i}"), &format!("C{i}"), &click, Utc::now()),
        )
        .await;
        assert_eq!(a.outcome, "accepted");
    }
    let o = SendOptions {
        batch: 4,
        ..options(5)
    };
    let (c1, c2) = (
        postbacks_out::client().unwrap(),
        postbacks_out::client().unwrap(),
    );
    let store = ctx.store.clone();
    let run = |client: reqwest::Client, store: partnerdesk_app::Store, o: SendOptions| async move {
        let mut sent = 0;
        loop {
            let s = postbacks_out::send_due(&store, &client, &o).await.unwrap();
            sent += s.sent;
            if s.sent + s.retrying + s.failed == 0 {
                return sent;
            }
        }
    };
    let (a, b) = tokio::join!(
        tokio::spawn(run(c1, store.clone(), o.clone())),
        tokio::spawn(run(c2, store.clone(), o.clone()))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(
        a + b,
        20,
        "every postback sent by one of the two ({a} + {b})"
    );
    let mut seen = hits.lock().unwrap().clone();
    assert_eq!(seen.len(), 20, "none sent twice");
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 20);
}

on_both_backends!(
    retried_and_logged,
    failure_after_max_attempts,
    two_senders_send_once
);
