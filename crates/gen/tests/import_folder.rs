//! The generated folder follows RULES.md "The import folder".

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::time::Instant;

use chrono::{DateTime, Datelike, NaiveDate};
use partnerdesk_gen::{generate, generate_extra_day, GenOptions, Scale};

const HEADERS: [(&str, &str); 10] = [
    ("brands.csv", "brand_id,name,vertical,currency"),
    ("brand_geo_blocks.csv", "brand_id,country"),
    (
        "partners.csv",
        "partner_id,name,kind,parent_id,email,country,currency,status",
    ),
    (
        "assignments.csv",
        "partner_id,brand_id,plan_id,valid_from,valid_to",
    ),
    ("tracking_codes.csv", "code,partner_id,brand_id,kind"),
    (
        "customers.csv",
        "customer_id,brand_id,tracking_code,country,registered_at,status",
    ),
    (
        "igaming_activity.csv",
        "customer_id,brand_id,date,deposits,withdrawals,bets,wins,bonuses,chargebacks,taxes",
    ),
    (
        "trades.csv",
        "trade_id,customer_id,brand_id,symbol,instrument_group,lots,open_time,close_time,commission,spread_revenue",
    ),
    (
        "purchases.csv",
        "order_id,customer_id,brand_id,product,amount,coupon_code,purchased_at,refunded_at",
    ),
    ("fx_rates.csv", "date,base,quote,rate"),
];

fn tiny() -> GenOptions {
    GenOptions {
        scale: Scale::Custom {
            partners: 240,
            customers: 1500,
            days: 62,
        },
        seed: 7,
        start: NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(),
        months: 1,
    }
}

fn gen(opts: &GenOptions, dir: &Path) -> partnerdesk_gen::GenReport {
    let mut calls = 0u64;
    let report = generate(opts, dir, &mut |_, done, total| {
        assert!(done <= total);
        calls += 1;
    })
    .unwrap();
    assert!(calls >= 11);
    report
}

/// Rows of a CSV file as maps column → value (after checking the header).
fn read(dir: &Path, file: &str) -> Vec<BTreeMap<String, String>> {
    let text = fs::read_to_string(dir.join(file)).unwrap();
    assert!(text.ends_with('\n'), "{file} ends with a newline");
    assert!(!text.contains('\r'));
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

fn unique<'a>(
    rows: &'a [BTreeMap<String, String>],
    key: &[&str],
    file: &str,
) -> BTreeSet<Vec<&'a str>> {
    let mut seen = BTreeSet::new();
    for r in rows {
        let k: Vec<&str> = key.iter().map(|c| r[*c].as_str()).collect();
        assert!(seen.insert(k.clone()), "{file}: duplicate key {k:?}");
    }
    seen
}

fn is_amount(s: &str) -> bool {
    let Some((int, frac)) = s.split_once('.') else {
        return false;
    };
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.len() == 2
        && frac.bytes().all(|b| b.is_ascii_digit())
}

fn cents(s: &str) -> u64 {
    assert!(is_amount(s), "amount {s:?}");
    s.replace('.', "").parse().unwrap()
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn time(s: &str) -> i64 {
    assert!(s.ends_with('Z') && s.len() == 20, "time {s:?}");
    DateTime::parse_from_rfc3339(s).unwrap().timestamp()
}

#[test]
fn folder_is_complete_valid_and_consistent() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let report = gen(&tiny(), dir);
    let names: Vec<&str> = report.files.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(names, partnerdesk_gen::IMPORT_FILES);

    for (file, header) in HEADERS {
        let text = fs::read_to_string(dir.join(file)).unwrap();
        assert_eq!(text.lines().next(), Some(header), "header of {file}");
        assert_eq!(
            report.rows(file),
            Some(text.lines().count() as u64 - 1),
            "row count of {file}"
        );
        assert!(report.rows(file).unwrap() > 0, "{file} has rows");
    }

    // brands & geo blocks
    let brands = read(dir, "brands.csv");
    unique(&brands, &["brand_id"], "brands");
    let brand_of: BTreeMap<&str, (&str, &str)> = brands
        .iter()
        .map(|b| {
            (
                b["brand_id"].as_str(),
                (b["vertical"].as_str(), b["currency"].as_str()),
            )
        })
        .collect();
    let verticals: BTreeSet<&str> = brand_of.values().map(|v| v.0).collect();
    assert_eq!(verticals, ["forex", "igaming", "prop"].into());
    let blocks = read(dir, "brand_geo_blocks.csv");
    let blocked: BTreeSet<Vec<&str>> = unique(&blocks, &["brand_id", "country"], "geo");
    for b in &blocks {
        assert!(brand_of.contains_key(b["brand_id"].as_str()));
    }

    // partners: parents exist and come first, trees up to 6 levels deep
    let partners = read(dir, "partners.csv");
    unique(&partners, &["partner_id"], "partners");
    let mut depth: BTreeMap<&str, usize> = BTreeMap::new();
    let mut currency_of: BTreeMap<&str, &str> = BTreeMap::new();
    let mut kinds = BTreeSet::new();
    let mut statuses = BTreeSet::new();
    for p in &partners {
        let id = p["partner_id"].as_str();
        let d = if p["parent_id"].is_empty() {
            1
        } else {
            depth[p["parent_id"].as_str()] + 1
        };
        assert!(d <= 6, "{id} is {d} levels deep");
        depth.insert(id, d);
        assert!(["EUR", "USD", "GBP"].contains(&p["currency"].as_str()));
        currency_of.insert(id, p["currency"].as_str());
        kinds.insert(p["kind"].as_str());
        statuses.insert(p["status"].as_str());
        assert!(!p["name"].is_empty());
    }
    assert_eq!(depth.values().max(), Some(&6));
    assert_eq!(
        kinds,
        [
            "affiliate",
            "ib",
            "influencer",
            "media_buyer",
            "referral",
            "strategic"
        ]
        .into()
    );
    assert!(statuses.contains("active") && statuses.contains("suspended"));
    for s in &statuses {
        assert!([
            "applied",
            "pending_review",
            "active",
            "suspended",
            "terminated"
        ]
        .contains(s));
    }

    // plans: only RULES.md fields, every component type
    let plans: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("plans.json")).unwrap()).unwrap();
    let mut plan_ids = BTreeSet::new();
    let mut types = BTreeSet::new();
    for plan in plans.as_array().unwrap() {
        let obj = plan.as_object().unwrap();
        for k in obj.keys() {
            assert!(
                ["plan_id", "name", "components"].contains(&k.as_str()),
                "{k}"
            );
        }
        assert!(plan_ids.insert(obj["plan_id"].as_str().unwrap().to_string()));
        let mut seen = BTreeSet::new();
        for c in obj["components"].as_array().unwrap() {
            let c = c.as_object().unwrap();
            let ty = c["type"].as_str().unwrap();
            assert!(seen.insert(ty), "one component of each type");
            types.insert(ty.to_string());
            let allowed: &[&str] = match ty {
                "revshare" => &[
                    "rate",
                    "admin_fee_rate",
                    "payment_fee_rate",
                    "negative_carryover",
                    "tier_metric",
                    "tier_mode",
                    "tiers",
                ],
                "cpa" => &[
                    "amount",
                    "geo_amounts",
                    "min_deposits",
                    "min_bets",
                    "window_days",
                    "countries",
                    "cap_per_period",
                ],
                "lot_rebate" => &["rates", "min_hold_seconds", "split", "level_shares"],
                "spread_share" => &["rate"],
                "purchase_share" => &["first_rate", "repeat_rate", "first_purchase_cpa"],
                "sub_override" => &["levels"],
                other => panic!("unknown component {other}"),
            };
            for (k, v) in c {
                if k == "type" {
                    continue;
                }
                assert!(allowed.contains(&k.as_str()), "{ty}.{k}");
                match k.as_str() {
                    "negative_carryover" => assert!(v.is_boolean()),
                    "window_days" | "cap_per_period" | "min_hold_seconds" => assert!(v.is_u64()),
                    "tier_metric" | "tier_mode" | "split" => assert!(v.is_string()),
                    "countries" => assert!(v.as_array().unwrap().iter().all(|x| x.is_string())),
                    "tiers" => {
                        for t in v.as_array().unwrap() {
                            assert!(t["from"].is_string() && t["rate"].is_string());
                        }
                    }
                    "geo_amounts" | "rates" => {
                        assert!(v.as_object().unwrap().values().all(|x| x.is_string()))
                    }
                    "levels" | "level_shares" => {
                        assert!(v.as_array().unwrap().iter().all(|x| x.is_string()))
                    }
                    _ => assert!(v.is_string(), "{ty}.{k} is a decimal string"),
                }
            }
        }
    }
    assert_eq!(types.len(), 6);

    // assignments: month boundaries, no overlap, references
    let assignments = read(dir, "assignments.csv");
    unique(
        &assignments,
        &["partner_id", "brand_id", "valid_from"],
        "assignments",
    );
    type Span = (NaiveDate, Option<NaiveDate>);
    let mut spans: BTreeMap<(&str, &str), Vec<Span>> = BTreeMap::new();
    let mut changes = 0;
    for a in &assignments {
        assert!(depth.contains_key(a["partner_id"].as_str()));
        assert!(brand_of.contains_key(a["brand_id"].as_str()));
        assert!(plan_ids.contains(&a["plan_id"]));
        let from = date(&a["valid_from"]);
        assert_eq!(from.day(), 1, "valid_from is a first of month");
        let to = if a["valid_to"].is_empty() {
            None
        } else {
            let to = date(&a["valid_to"]);
            assert!(
                to.succ_opt().unwrap().day() == 1,
                "valid_to is a last of month"
            );
            assert!(to > from);
            Some(to)
        };
        spans
            .entry((a["partner_id"].as_str(), a["brand_id"].as_str()))
            .or_default()
            .push((from, to));
    }
    for (key, mut s) in spans {
        s.sort();
        for w in s.windows(2) {
            let end = w[0]
                .1
                .unwrap_or_else(|| panic!("{key:?}: open span before another"));
            assert!(end < w[1].0, "{key:?} overlaps");
            if end.succ_opt() == Some(w[1].0) && end >= date("2026-07-01") {
                changes += 1;
            }
        }
    }
    assert!(changes > 0, "some partners change plan inside the range");
    let assigned: BTreeSet<&str> = assignments
        .iter()
        .map(|a| a["partner_id"].as_str())
        .collect();
    assert_eq!(assigned.len(), partners.len(), "every partner has a plan");

    // tracking codes
    let codes = read(dir, "tracking_codes.csv");
    unique(&codes, &["brand_id", "code"], "tracking_codes");
    let mut code_kinds = BTreeSet::new();
    let mut owner: BTreeMap<(&str, &str), (&str, &str)> = BTreeMap::new();
    for c in &codes {
        assert!(depth.contains_key(c["partner_id"].as_str()));
        assert!(brand_of.contains_key(c["brand_id"].as_str()));
        code_kinds.insert(c["kind"].as_str());
        owner.insert(
            (c["brand_id"].as_str(), c["code"].as_str()),
            (c["partner_id"].as_str(), c["kind"].as_str()),
        );
    }
    assert_eq!(code_kinds, ["agent", "btag", "coupon", "referral"].into());

    // customers
    let customers = read(dir, "customers.csv");
    unique(&customers, &["customer_id"], "customers");
    let mut cust: BTreeMap<&str, (&str, i64)> = BTreeMap::new();
    let (mut unattributed, mut excluded, mut in_blocked) = (0, 0, 0);
    let start_ts = time("2026-07-01T00:00:00Z");
    let end_ts = time("2026-09-01T00:00:00Z");
    for c in &customers {
        let brand = c["brand_id"].as_str();
        assert!(brand_of.contains_key(brand));
        let reg = time(&c["registered_at"]);
        assert!(reg < end_ts && reg > start_ts - 61 * 86_400);
        assert_eq!(c["country"].len(), 2);
        if !owner.contains_key(&(brand, c["tracking_code"].as_str())) {
            unattributed += 1;
        }
        match c["status"].as_str() {
            "excluded" => excluded += 1,
            "active" => {}
            s => panic!("status {s}"),
        }
        if blocked.contains(&vec![brand, c["country"].as_str()]) {
            in_blocked += 1;
        }
        cust.insert(c["customer_id"].as_str(), (brand, reg));
    }
    let n = customers.len();
    assert!(
        unattributed > n / 100 && unattributed < n / 10,
        "{unattributed}"
    );
    assert!(excluded > 0 && excluded < n / 20, "{excluded}");
    assert!(in_blocked > 0);

    // activity
    let activity = read(dir, "igaming_activity.csv");
    unique(&activity, &["customer_id", "date"], "activity");
    let (mut bets, mut wins) = (0u64, 0u64);
    for a in &activity {
        let (brand, reg) = cust[a["customer_id"].as_str()];
        assert_eq!(a["brand_id"], brand);
        assert_eq!(brand_of[brand].0, "igaming");
        let d = date(&a["date"]);
        assert!(d >= date("2026-07-01") && d <= date("2026-08-31"));
        assert!(d >= DateTime::from_timestamp(reg, 0).unwrap().date_naive());
        let mut any = 0;
        for col in [
            "deposits",
            "withdrawals",
            "bets",
            "wins",
            "bonuses",
            "chargebacks",
            "taxes",
        ] {
            any += cents(&a[col]);
        }
        assert!(any > 0, "a row has some activity");
        bets += cents(&a["bets"]);
        wins += cents(&a["wins"]);
    }
    let rtp = wins as f64 / bets as f64;
    assert!((0.85..1.05).contains(&rtp), "rtp {rtp}");

    // trades
    let trades = read(dir, "trades.csv");
    unique(&trades, &["trade_id"], "trades");
    let mut short = 0;
    for t in &trades {
        let (brand, reg) = cust[t["customer_id"].as_str()];
        assert_eq!(t["brand_id"], brand);
        assert_eq!(brand_of[brand].0, "forex");
        assert!(cents(&t["lots"]) >= 1 && cents(&t["lots"]) <= 500);
        let (open, close) = (time(&t["open_time"]), time(&t["close_time"]));
        assert!(open < close && open >= reg && close < end_ts && close >= start_ts);
        if close - open < 60 {
            short += 1;
        }
        cents(&t["commission"]);
        cents(&t["spread_revenue"]);
        assert!(
            ["fx_major", "fx_minor", "metals", "indices"].contains(&t["instrument_group"].as_str())
        );
    }
    assert!(short > 0);

    // purchases
    let purchases = read(dir, "purchases.csv");
    unique(&purchases, &["order_id"], "purchases");
    let (mut refunds, mut partner_coupons, mut other_coupons) = (0, 0, 0);
    for p in &purchases {
        let (brand, reg) = cust[p["customer_id"].as_str()];
        assert_eq!(p["brand_id"], brand);
        assert_eq!(brand_of[brand].0, "prop");
        assert!(cents(&p["amount"]) > 0);
        let at = time(&p["purchased_at"]);
        assert!(at >= reg && at < end_ts);
        if !p["refunded_at"].is_empty() {
            assert!(time(&p["refunded_at"]) > at);
            refunds += 1;
        }
        if !p["coupon_code"].is_empty() {
            match owner.get(&(brand, p["coupon_code"].as_str())) {
                Some((_, "coupon")) => partner_coupons += 1,
                _ => other_coupons += 1,
            }
        }
    }
    assert!(refunds > 0 && partner_coupons > 0 && other_coupons > 0);

    // fx: every brand → partner currency conversion exists on each month end
    let fx = read(dir, "fx_rates.csv");
    unique(&fx, &["date", "base", "quote"], "fx");
    for month_end in [date("2026-07-31"), date("2026-08-31")] {
        let pairs: BTreeSet<(&str, &str)> = fx
            .iter()
            .filter(|r| date(&r["date"]) <= month_end)
            .map(|r| (r["base"].as_str(), r["quote"].as_str()))
            .collect();
        for a in &assignments {
            let from = brand_of[a["brand_id"].as_str()].1;
            let to = currency_of[a["partner_id"].as_str()];
            assert!(
                from == to || pairs.contains(&(from, to)) || pairs.contains(&(to, from)),
                "{from}->{to} on {month_end}"
            );
        }
    }
    for r in &fx {
        let rate: f64 = r["rate"].parse().unwrap();
        assert!(rate > 0.0);
    }
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let c = tempfile::tempdir().unwrap();
    let opts = tiny();
    gen(&opts, a.path());
    gen(&opts, b.path());
    gen(&GenOptions { seed: 8, ..opts }, c.path());
    let mut differs = false;
    for (file, _) in HEADERS.iter().chain([("plans.json", "")].iter()) {
        let x = fs::read(a.path().join(file)).unwrap();
        let y = fs::read(b.path().join(file)).unwrap();
        assert!(x == y, "{file} differs between identical runs");
        differs |= x != fs::read(c.path().join(file)).unwrap();
    }
    assert!(differs);
}

#[test]
fn extra_day_references_the_same_customers() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = GenOptions {
        scale: Scale::Custom {
            partners: 120,
            customers: 3000,
            days: 31,
        },
        ..tiny()
    };
    let main = tmp.path().join("main");
    let extra = tmp.path().join("extra");
    let report = gen(&opts, &main);
    let day = report.last_day.succ_opt().unwrap();
    assert_eq!(day, date("2026-08-01"));
    let extra_report = generate_extra_day(&opts, &extra, day).unwrap();
    assert_eq!(extra_report.files.len(), 3);
    let mut names: Vec<_> = fs::read_dir(&extra)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["igaming_activity.csv", "purchases.csv", "trades.csv"]
    );

    let customers = read(&main, "customers.csv");
    let brand: BTreeMap<&str, &str> = customers
        .iter()
        .map(|c| (c["customer_id"].as_str(), c["brand_id"].as_str()))
        .collect();
    for (file, key) in [
        ("igaming_activity.csv", vec!["customer_id", "date"]),
        ("trades.csv", vec!["trade_id"]),
        ("purchases.csv", vec!["order_id"]),
    ] {
        let rows = read(&extra, file);
        let old = read(&main, file);
        assert!(!rows.is_empty(), "{file} has rows for the extra day");
        let old_keys = unique(&old, &key, file);
        for k in unique(&rows, &key, file) {
            assert!(!old_keys.contains(&k), "{file}: {k:?} collides");
        }
        for r in &rows {
            assert_eq!(brand[r["customer_id"].as_str()], r["brand_id"]);
            for col in ["date", "close_time", "purchased_at"] {
                if let Some(v) = r.get(col) {
                    assert!(v.starts_with("2026-08-01"), "{file}.{col} = {v}");
                }
            }
        }
    }
    // deterministic too
    let again = tmp.path().join("again");
    generate_extra_day(&opts, &again, day).unwrap();
    for f in ["igaming_activity.csv", "trades.csv", "purchases.csv"] {
        assert_eq!(
            fs::read(extra.join(f)).unwrap(),
            fs::read(again.join(f)).unwrap()
        );
    }
}

#[test]
fn scale_parses_case_insensitively() {
    assert_eq!("s".parse::<Scale>().unwrap(), Scale::S);
    assert_eq!("M".parse::<Scale>().unwrap(), Scale::M);
    assert_eq!(" l ".parse::<Scale>().unwrap(), Scale::L);
    let err = "XL".parse::<Scale>().unwrap_err().to_string();
    assert!(err.contains("XL") && err.contains("S, M or L"), "{err}");
}

#[test]
fn named_scale_covers_whole_months() {
    let opts = GenOptions {
        months: 3,
        ..GenOptions::new(Scale::S, 1)
    };
    assert_eq!(opts.last_day().unwrap(), date("2026-09-30"));
    let bad = GenOptions {
        months: 0,
        ..GenOptions::default()
    };
    assert!(bad.last_day().is_err());
}

/// `cargo test -p partnerdesk-gen --release -- --ignored --nocapture`
///
/// Environment: `PD_GEN_SCALE` (S, M or L; default S), `PD_GEN_MONTHS`
/// (default 1), `PD_GEN_OUT` (keep the folder there instead of a temp dir).
#[test]
#[ignore]
fn timing_scale_s() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = std::env::var("PD_GEN_OUT")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| tmp.path().to_path_buf());
    let scale: Scale = std::env::var("PD_GEN_SCALE")
        .unwrap_or_else(|_| "S".into())
        .parse()
        .unwrap();
    let months = std::env::var("PD_GEN_MONTHS")
        .ok()
        .map_or(1, |m| m.parse().unwrap());
    let opts = GenOptions {
        months,
        ..GenOptions::new(scale, 42)
    };
    let t = Instant::now();
    let report = generate(&opts, &dir, &mut |_, _, _| {}).unwrap();
    let elapsed = t.elapsed();
    for (file, rows) in &report.files {
        let bytes = fs::metadata(dir.join(file)).unwrap().len();
        println!("{file:24} {rows:>10} rows {bytes:>12} bytes");
    }
    println!(
        "scale {scale} x {months} month(s): {} rows in {:.3} s",
        report.total_rows(),
        elapsed.as_secs_f64()
    );
    let t = Instant::now();
    let extra = dir.join("extra-day");
    let day = report.last_day.succ_opt().unwrap();
    let r = generate_extra_day(&opts, &extra, day).unwrap();
    println!(
        "extra day {day}: {:?} in {:.3} s",
        r.files,
        t.elapsed().as_secs_f64()
    );
}
