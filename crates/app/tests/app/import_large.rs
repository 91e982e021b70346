//! The import's large files on both backends: read on their own thread
//! while the database writes, a row the database refuses mid-file keeps
//! nothing, and a run reads every stored row back exactly once in chunks of
//! any size.

use crate::on_both_backends;
use crate::support::TestDb;
use partnerdesk_app::import;
use partnerdesk_domain::Period;
use std::path::Path;

/// The large files are read on their own thread while the database writes:
/// when the database refuses a row in the middle of a file, the import stops
/// with the file named, keeps nothing, and the same folder imports whole once
/// the cause is gone (and reads back the same in chunks of any size).
async fn a_row_the_database_refuses_mid_file_keeps_nothing(db: &TestDb) {
    let ctx = &db.ctx;
    let dir = tempfile::tempdir().unwrap();
    let opts = partnerdesk_gen::GenOptions {
        scale: partnerdesk_gen::Scale::S,
        ..Default::default()
    };
    partnerdesk_gen::generate(&opts, dir.path(), &mut |_, _, _| {}).unwrap();
    let activity = std::fs::read_to_string(dir.path().join("igaming_activity.csv")).unwrap();
    // Data rows of a generated file (its header not counted).
    let lines = |f: &str| {
        std::fs::read_to_string(dir.path().join(f))
            .unwrap()
            .lines()
            .count()
            - 1
    };
    // Far past what the reader hands over before the first writes.
    let line = activity
        .lines()
        .nth(30_000)
        .expect("scale S has 30,000 activity rows");
    let mut cells = line.split(',');
    let (customer, _, date) = (cells.next().unwrap(), cells.next(), cells.next().unwrap());
    let when = format!("NEW.customer_id = '{customer}' AND NEW.date = '{date}'");
    let setup: Vec<String> = if db.url.starts_with("sqlite") {
        vec![format!(
            "CREATE TRIGGER pd_refuse BEFORE INSERT ON igaming_activity WHEN {when} \
             BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END"
        )]
    } else {
        vec![
            format!(
                "CREATE FUNCTION pd_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN IF {when} THEN RAISE EXCEPTION 'refused by a test trigger'; END IF; \
                 RETURN NEW; END $$"
            ),
            "CREATE TRIGGER pd_refuse BEFORE INSERT ON igaming_activity \
             FOR EACH ROW EXECUTE FUNCTION pd_refuse()"
                .to_string(),
        ]
    };
    for s in &setup {
        ctx.store.raw_execute(s).await.unwrap();
    }
    let msg = import::import_folder(ctx, dir.path())
        .await
        .expect_err("the trigger refuses one row")
        .to_string();
    assert!(
        msg.contains("igaming_activity.csv") && msg.contains("refused by a test trigger"),
        "{msg}"
    );
    assert!(ctx
        .store
        .read()
        .await
        .unwrap()
        .first_data_period()
        .await
        .unwrap()
        .is_none());
    assert!(ctx.store.customer_brands().await.unwrap().is_empty());
    assert!(ctx
        .store
        .read()
        .await
        .unwrap()
        .assignments()
        .await
        .unwrap()
        .is_empty());
    // Its 10,000 customers were written without their index by tracking code
    // on SQLite (built again after them): the failed import gives it back.
    assert!(
        has_customers_code_index(db).await,
        "kept after a failed import"
    );

    let drop = if db.url.starts_with("sqlite") {
        "DROP TRIGGER pd_refuse"
    } else {
        "DROP TRIGGER pd_refuse ON igaming_activity"
    };
    ctx.store.raw_execute(drop).await.unwrap();
    let report = import::import_folder(ctx, dir.path()).await.unwrap();
    let imported = |f: &str| {
        report
            .files
            .iter()
            .find(|(name, _)| name == f)
            .map(|(_, n)| *n)
    };
    assert_eq!(
        imported("igaming_activity.csv"),
        Some(lines("igaming_activity.csv") as u64)
    );
    assert_eq!(imported("trades.csv"), Some(lines("trades.csv") as u64));
    assert!(
        has_customers_code_index(db).await,
        "built again after the customers"
    );
    if let Some(path) = db.url.strip_prefix("sqlite:") {
        // A large import leaves SQLite's write-ahead log emptied.
        let wal = std::fs::metadata(format!("{path}-wal")).unwrap().len();
        assert_eq!(wal, 0, "the log after importing {} rows", report.rows());
    }
    // … and it serves: a partner's customers (found by their codes) are all there.
    let owner: std::collections::HashMap<(String, String), String> = ctx
        .store
        .read()
        .await
        .unwrap()
        .all_tracking_codes()
        .await
        .unwrap()
        .into_iter()
        .map(|c| ((c.brand_id, c.code), c.partner_id))
        .collect();
    let partner_of = |c: &partnerdesk_domain::data::Customer| {
        let code = c.tracking_code.clone()?;
        owner.get(&(c.brand_id.to_string(), code)).cloned()
    };
    let customers = ctx.store.customers().await.unwrap();
    let busy = customers.iter().find_map(partner_of).unwrap();
    let want = customers
        .iter()
        .filter(|c| partner_of(c).as_ref() == Some(&busy))
        .count();
    let (n, _) = ctx
        .store
        .read()
        .await
        .unwrap()
        .search_customers(&partnerdesk_store::views::CustomerFilter {
            partner_id: Some(busy.clone()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(n as usize, want, "customers of partner {busy}");

    // On PostgreSQL a commission run reads customers and purchases in chunks
    // of 50,000: small chunks give the same rows, in id order, nulls
    // included. (SQLite steps through each table whatever the chunk size;
    // there the id order and the nulls are what is checked.)
    let customers = ctx.store.customers().await.unwrap();
    assert_eq!(customers.len(), lines("customers.csv"));
    // What a later import checks its rows' customers against: every one.
    let pairs: Vec<(String, String)> = customers
        .iter()
        .map(|c| (c.customer_id.to_string(), c.brand_id.to_string()))
        .collect();
    assert_eq!(ctx.store.customer_brands().await.unwrap(), pairs);
    assert!(customers
        .windows(2)
        .all(|w| w[0].customer_id < w[1].customer_id));
    assert_eq!(
        format!("{:?}", ctx.store.customers_in_chunks(997).await.unwrap()),
        format!("{customers:?}")
    );
    assert!(customers.iter().any(|c| c.tracking_code.is_none()));
    let purchases = ctx.store.purchases().await.unwrap();
    assert_eq!(purchases.len(), lines("purchases.csv"));
    assert!(purchases.windows(2).all(|w| w[0].order_id < w[1].order_id));
    assert_eq!(
        format!("{:?}", ctx.store.purchases_in_chunks(97).await.unwrap()),
        format!("{purchases:?}")
    );
    assert!(purchases.iter().any(|p| p.refunded_at.is_some()));
    assert!(purchases.iter().any(|p| p.coupon_code.is_some()));
    assert!(purchases.iter().any(|p| p.coupon_code.is_none()));
    // What a run resuming at a period reads: every purchase of each customer
    // with a purchase or a refund in that period or later, in id order.
    let month = |t: &chrono::DateTime<chrono::Utc>| Period::of(t.date_naive());
    let last = purchases
        .iter()
        .map(|p| month(&p.purchased_at))
        .max()
        .expect("purchases");
    // From the last month of purchases (all of them: the folder holds one
    // month) and from the one after it (none: no refunds come that late
    // here). Subsets are checked by the incremental runs' test.
    for (from, all) in [(last, true), (last.next(), false)] {
        let touching: std::collections::HashSet<&str> = purchases
            .iter()
            .filter(|p| {
                month(&p.purchased_at) >= from || p.refunded_at.is_some_and(|r| month(&r) >= from)
            })
            .map(|p| p.customer_id.as_str())
            .collect();
        let want: Vec<_> = purchases
            .iter()
            .filter(|p| touching.contains(p.customer_id.as_str()))
            .collect();
        let got = ctx.store.purchases_touching(from).await.unwrap();
        assert_eq!(
            got.len() == purchases.len(),
            all,
            "from {from}: {}",
            got.len()
        );
        assert_eq!(format!("{got:?}"), format!("{want:?}"), "from {from}");
    }

    period_reads_give_every_row_once(ctx, dir.path()).await;
}

async fn has_customers_code_index(db: &TestDb) -> bool {
    let sql = if db.url.starts_with("sqlite") {
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'customers_code'"
    } else {
        "SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'customers_code'"
    };
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(db.ctx.store.pool())
        .await
        .unwrap()
        == 1
}

/// A run reads each period's activity and trades in chunks of 20,000 rows
/// (on SQLite through its own API, in the background): with that size and with
/// small ones that split the periods many times, every stored row of the
/// files arrives exactly once, with its exact amounts. The small chunks are
/// handed back as a run does (`recycle`): a chunk filled again holds only
/// its new rows.
async fn period_reads_give_every_row_once(ctx: &partnerdesk_app::Context, dir: &Path) {
    use partnerdesk_domain::data::{parse_date, parse_time};
    use rust_decimal::Decimal;
    use std::collections::BTreeMap;
    use std::str::FromStr;
    // A generated file as rows of cells named by its header (no quoted cells).
    let table = |f: &str| -> Vec<BTreeMap<String, String>> {
        let text = std::fs::read_to_string(dir.join(f)).unwrap();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        lines
            .map(|l| {
                assert!(!l.contains('"'), "{l}");
                header
                    .iter()
                    .map(|h| h.to_string())
                    .zip(l.split(',').map(str::to_string))
                    .collect()
            })
            .collect()
    };
    let dec = |s: &str| Decimal::from_str(s).unwrap().normalize().to_string();
    let amounts = |d: &partnerdesk_domain::data::DayAmounts| {
        [
            d.deposits,
            d.withdrawals,
            d.bets,
            d.wins,
            d.bonuses,
            d.chargebacks,
            d.taxes,
        ]
        .map(|a| a.normalize().to_string())
        .join(" ")
    };

    let mut activity: BTreeMap<Period, Vec<String>> = BTreeMap::new();
    for r in table("igaming_activity.csv") {
        let date = parse_date("date", &r["date"]).unwrap();
        let cells = [
            "deposits",
            "withdrawals",
            "bets",
            "wins",
            "bonuses",
            "chargebacks",
            "taxes",
        ]
        .map(|c| dec(&r[c]))
        .join(" ");
        activity
            .entry(Period::of(date))
            .or_default()
            .push(format!("{} {date} {cells}", r["customer_id"]));
    }
    let mut trades: BTreeMap<Period, Vec<String>> = BTreeMap::new();
    for r in table("trades.csv") {
        let open = parse_time("open_time", &r["open_time"]).unwrap();
        let close = parse_time("close_time", &r["close_time"]).unwrap();
        trades
            .entry(Period::of(close.date_naive()))
            .or_default()
            .push(format!(
                "{} {} {} {} {} {} {}",
                r["customer_id"],
                r["trade_id"],
                r["instrument_group"],
                dec(&r["lots"]),
                (close - open).num_nanoseconds().unwrap(),
                dec(&r["commission"]),
                dec(&r["spread_revenue"])
            ));
    }
    assert!(activity.values().map(Vec::len).sum::<usize>() > 30_000);
    assert!(trades.values().map(Vec::len).sum::<usize>() > 1_000);

    for chunk in [20_000, 4_999, 997] {
        for (period, expected) in &activity {
            let mut got = Vec::new();
            let mut rx = ctx.store.activity_chunks_of(*period, chunk);
            while let Some(c) = rx.next().await {
                let c = c.unwrap();
                assert!(c.len() as i64 <= chunk);
                got.extend(
                    c.iter()
                        .map(|(customer, d)| format!("{customer} {} {}", d.date, amounts(d))),
                );
                if chunk < 20_000 {
                    rx.recycle(c);
                }
            }
            got.sort();
            let mut expected = expected.clone();
            expected.sort();
            assert_eq!(
                got.len(),
                expected.len(),
                "activity of {period} in chunks of {chunk}"
            );
            assert!(got == expected, "activity of {period} in chunks of {chunk}");
        }
        for (period, expected) in &trades {
            let mut got = Vec::new();
            let mut rx = ctx.store.trade_chunks_of(*period, chunk);
            while let Some(c) = rx.next().await {
                let c = c.unwrap();
                got.extend(c.iter().map(|(customer, t)| {
                    format!(
                        "{customer} {} {} {} {} {} {}",
                        t.trade_id,
                        t.instrument_group,
                        t.lots.normalize(),
                        t.held.num_nanoseconds().unwrap(),
                        t.commission.normalize(),
                        t.spread_revenue.normalize()
                    )
                }));
                if chunk < 20_000 {
                    rx.recycle(c);
                }
            }
            got.sort();
            let mut expected = expected.clone();
            expected.sort();
            assert_eq!(
                got.len(),
                expected.len(),
                "trades of {period} in chunks of {chunk}"
            );
            assert!(got == expected, "trades of {period} in chunks of {chunk}");
        }
    }
    // Waited for on a plain thread, as a run adds the rows SQLite's own
    // threads read: the same rows. On a thread that runs async tasks, or for
    // rows read by async tasks (PostgreSQL), waiting is refused with an
    // error instead of a hang.
    for (period, expected) in &activity {
        let mut rx = ctx.store.activity_chunks_of(*period, 997);
        let mut on_runtime = ctx.store.activity_chunks_of(*period, 997);
        let refused = on_runtime.next_blocking();
        assert!(matches!(refused, Some(Err(_))), "{period}");
        assert!(on_runtime.next_blocking().is_none(), "{period}: ended");
        if !rx.read_on_own_thread() {
            let refused = std::thread::scope(|s| s.spawn(|| rx.next_blocking()).join().unwrap());
            assert!(matches!(refused, Some(Err(_))), "{period}");
            continue;
        }
        let mut got = std::thread::scope(|s| {
            s.spawn(|| {
                let mut got = Vec::new();
                while let Some(c) = rx.next_blocking() {
                    let c = c.unwrap();
                    got.extend(
                        c.iter()
                            .map(|(customer, d)| format!("{customer} {} {}", d.date, amounts(d))),
                    );
                    rx.recycle(c);
                }
                got
            })
            .join()
            .unwrap()
        });
        got.sort();
        let mut expected = expected.clone();
        expected.sort();
        assert!(
            got == expected,
            "activity of {period} waited for on a thread"
        );
    }
}

on_both_backends!(a_row_the_database_refuses_mid_file_keeps_nothing);
