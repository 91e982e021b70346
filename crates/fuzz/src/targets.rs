//! The targets: one per parser of outside data. Each takes any bytes and
//! must answer (a result or an error) without panicking; where a parser
//! promises more, the target asserts it too (messages cut and without
//! control characters, a plan's JSON form reading back as the same plan,
//! a database URL never shown with its password, records a connector
//! accepts passing the checks every stored record passes or being refused
//! by them).

use crate::Target;
use partnerdesk_app::import;
use partnerdesk_app::mail::SmtpSettingsInput;
use partnerdesk_domain::mail;
use partnerdesk_domain::plan::{parse_plans_document, Plan};
use partnerdesk_store::url::DatabaseUrl;
use partnerdesk_sync::{gaming, mt5, woo, ConnectorConfig, Credentials, Page};
use serde_json::{json, Value};
use std::path::PathBuf;

pub fn all() -> Vec<Target> {
    vec![
        Target {
            name: "import_csv",
            about: "one import CSV file (its first byte picks which) through the import's row checks",
            run: import_csv,
            seeds: csv_seeds,
            words: &["customer_id", "brand_id", "date", "deposits", "product", "\"a,b\"", "\n\n"],
        },
        Target {
            name: "plans_json",
            about: "plans.json through the import's plan checks; a plan read back from its JSON form is the same plan",
            run: plans_json,
            seeds: plan_seeds,
            words: &["plan_id", "components", "type", "revshare", "cpa", "lot_rebate", "tiers", "rates", "levels", "geo_amounts", "\"rate\":\"", "window_days"],
        },
        Target {
            name: "mt5_json",
            about: "an MT5 Web API answer as accounts (user/get_batch) and as deals of one window",
            run: mt5_json,
            seeds: mt5_seeds,
            words: &["answer", "Login", "Deal", "Action", "Entry", "Volume", "PositionID", "Commission", "TimeMsc", "Symbol", "Country", "Registration"],
        },
        Target {
            name: "gaming_json",
            about: "a gaming feed's answer as registrations and as activity, with cursor and page pagination",
            run: gaming_json,
            seeds: gaming_seeds,
            words: &["data", "player_id", "btag", "country", "registered_at", "updated_at", "deposits", "bets", "wins", "next_cursor", "total_pages"],
        },
        Target {
            name: "woo_json",
            about: "a WooCommerce orders answer",
            run: woo_json,
            seeds: woo_seeds,
            words: &["id", "customer_id", "total", "refunds", "status", "refunded", "coupon_lines", "line_items", "billing", "date_created_gmt", "date_modified_gmt"],
        },
        Target {
            name: "connection_config",
            about: "a connection's settings (JSON) as saved and checked before any request",
            run: connection_config,
            seeds: config_seeds,
            words: &["kind", "mt5", "gaming", "woocommerce", "csv", "base_url", "brand_id", "auth", "pagination", "symbol_groups", "https://"],
        },
        Target {
            name: "database_url",
            about: "a database URL as typed in Settings or --db; shown, it never holds its password",
            run: database_url,
            seeds: url_seeds,
            words: &["sqlite:", "postgres://", "postgresql://", "?password=", "user:pass@", "[::1]", ":5432", "?sslmode=require"],
        },
        Target {
            name: "smtp_settings",
            about: "the SMTP settings form (one field a line) and a CA certificate's PEM",
            run: smtp_settings,
            seeds: smtp_seeds,
            words: &["starttls", "tls", "none", "-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----", "smtp.example.com"],
        },
        Target {
            name: "template",
            about: "an e-mail template's text: checked, then rendered with example values",
            run: template,
            seeds: template_seeds,
            words: &["{{ partner.name }}", "{% for x in range(100000) %}", "{% endfor %}", "{% if %}", "{% set x = ", "|upper", "|join", "~", " * ", "{# ", " #}", "{% macro m() %}", "{% endmacro %}", "range("],
        },
    ]
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// What every message shown for outside data must be: bounded, and free of
/// anything that drives a terminal.
fn assert_clean(message: &str) {
    assert!(
        message.len() <= 4_000,
        "a message of {} bytes: {}",
        message.len(),
        message.chars().take(300).collect::<String>()
    );
    assert!(
        !message
            .chars()
            .any(|c| c != '\n' && partnerdesk_domain::limits::is_forbidden_char(c)),
        "a control character in {message:?}"
    );
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/scenario-a")
}

const CSV_FILES: [&str; 10] = [
    "brands.csv",
    "brand_geo_blocks.csv",
    "partners.csv",
    "assignments.csv",
    "tracking_codes.csv",
    "customers.csv",
    "igaming_activity.csv",
    "trades.csv",
    "purchases.csv",
    "fx_rates.csv",
];

fn csv_seeds() -> Vec<Vec<u8>> {
    CSV_FILES
        .iter()
        .enumerate()
        .map(|(i, f)| {
            // A few rows of each real file: mutations reach every cell.
            let body = std::fs::read_to_string(fixtures().join(f)).unwrap_or_default();
            let head: String = body.lines().take(6).map(|l| format!("{l}\n")).collect();
            let mut seed = vec![i as u8];
            seed.extend_from_slice(head.as_bytes());
            seed
        })
        .collect()
}

fn import_csv(input: &[u8]) {
    let Some((&which, bytes)) = input.split_first() else {
        return;
    };
    let file = CSV_FILES[usize::from(which) % CSV_FILES.len()];
    let problems = import::check_file(file, bytes);
    assert!(problems.len() <= 101, "{} problems listed", problems.len());
    for p in &problems {
        assert_clean(p);
    }
}

fn plan_seeds() -> Vec<Vec<u8>> {
    vec![
        std::fs::read(fixtures().join("plans.json")).unwrap_or_default(),
        br#"[{"plan_id":"p","name":"P","components":[{"type":"revshare","rate":"0.3","tiers":[{"from":"0","rate":"0.2"},{"from":"10","rate":"0.3"}],"tier_mode":"progressive"},{"type":"cpa","amount":"100","geo_amounts":{"DE":"150"},"window_days":30,"countries":["DE"],"cap_per_period":5},{"type":"lot_rebate","rates":{"fx":"5"},"split":"levels","level_shares":["0.5","0.3"]},{"type":"sub_override","levels":["0.05"]}]}]"#.to_vec(),
    ]
}

fn plans_json(input: &[u8]) {
    for p in import::check_file("plans.json", input) {
        assert_clean(&p);
    }
    let Ok(text) = std::str::from_utf8(input) else {
        return;
    };
    if let Ok(plans) = parse_plans_document(text) {
        for plan in plans {
            // The canonical form versions compare must read back as the plan.
            let again = Plan::from_json(&plan.to_json()).expect("a plan's own JSON reads back");
            assert_eq!(again, plan, "a plan changed through its JSON form");
        }
    }
}

fn credentials(names: &[&str]) -> Credentials {
    names
        .iter()
        .map(|n| (n.to_string(), "secret".to_string()))
        .collect()
}

fn http() -> partnerdesk_sync::Http {
    partnerdesk_sync::Http::new(
        partnerdesk_sync::RetryPolicy::default(),
        partnerdesk_sync::Cancel::new(),
    )
    .expect("an HTTP client (no request is made)")
}

/// What every record of a page must allow: the checks stored records pass
/// (they may refuse it, never panic), and messages that are shown.
fn check_page(page: &Page) {
    for c in page.customers.iter().chain(&page.customers_if_new) {
        let _ = c.check();
        let _ = partnerdesk_store::data::customer_values(c);
    }
    for a in &page.activity {
        let _ = a.check();
        let _ = partnerdesk_store::data::activity_values(a);
    }
    for t in &page.trades {
        let _ = t.check();
        let _ = partnerdesk_store::data::trade_values(t);
    }
    for p in &page.purchases {
        let _ = p.check();
        let _ = partnerdesk_store::data::purchase_values(p);
    }
    for e in &page.errors {
        assert_clean(&e.external_id);
        assert_clean(&e.message);
    }
}

fn mt5_seeds() -> Vec<Vec<u8>> {
    vec![
        br#"{"retcode":"0 Done","answer":[{"Login":"1001","Agent":"2001","Country":"Germany","Registration":"1751328000"},{"Login":"1002","Agent":"0","Country":"DE","Registration":"2026-07-01T10:00:00"}]}"#.to_vec(),
        br#"{"retcode":"0 Done","answer":[{"Deal":"1","Action":"0","Entry":"0","Login":"1001","Symbol":"EURUSD","Volume":"10000","PositionID":"77","Commission":"-3.50","TimeMsc":"1751328000000"},{"Deal":"2","Action":"1","Entry":"1","Login":"1001","Symbol":"EURUSD","Volume":"4000","PositionID":"77","Commission":"-1.2","TimeMsc":"1751331600000"},{"Deal":"3","Action":"0","Entry":"2","Login":"1001","Symbol":"XAUUSD.m","Volume":"9000","PositionID":"77","Commission":"0","Time":"2026-07-01T12:00:00"}]}"#.to_vec(),
    ]
}

fn mt5_json(input: &[u8]) {
    let Ok(v) = serde_json::from_slice::<Value>(input) else {
        return;
    };
    let cfg = json!({"kind": "mt5", "base_url": "https://mt5.example", "login": "1000", "brand_id": "FX",
        "spread_per_lot": {"fx_major": "7.5", "metals": "12"}});
    let Ok(ConnectorConfig::Mt5(cfg)) = serde_json::from_value(cfg) else {
        panic!("the MT5 settings of the target");
    };
    let c = mt5::Mt5::new(cfg, &credentials(&["password"]), http()).expect("an MT5 connector");
    if let Ok(page) = c.read_users(&v) {
        check_page(&page);
    }
    let list: Vec<Value> = match v.get("answer") {
        Some(Value::Array(a)) => a.clone(),
        _ => match v {
            Value::Array(a) => a,
            _ => return,
        },
    };
    let mut cursor = mt5::DealCursor::default();
    // The same deals twice: positions opened by the first pass stay open.
    for _ in 0..2 {
        if let Ok(page) = c.read_deals(&mut cursor, list.clone()) {
            check_page(&page);
        }
    }
}

fn gaming_seeds() -> Vec<Vec<u8>> {
    vec![
        br#"{"data":[{"player_id":"p1","btag":"bt-CAS-P0009","country":"DE","registered_at":"2026-07-01T10:00:00Z","status":"active","updated_at":"2026-07-02T00:00:00Z"},{"player_id":2,"btag":null,"country":"germany","registered_at":"1751328000","status":"self_excluded"}],"next_cursor":"abc","total_pages":3}"#.to_vec(),
        br#"{"data":[{"player_id":"p1","date":"2026-07-01","deposits":"100.50","withdrawals":0,"bets":"250","wins":"120.25","bonuses":"5","chargebacks":"0","taxes":"1.2","updated_at":"2026-07-02T00:00:00Z"}],"next_cursor":null}"#.to_vec(),
    ]
}

fn gaming_json(input: &[u8]) {
    let Ok(v) = serde_json::from_slice::<Value>(input) else {
        return;
    };
    for pagination in [
        json!({"type": "cursor", "param": "cursor", "next_field": "next_cursor"}),
        json!({"type": "page", "param": "page", "total_pages_field": "total_pages"}),
    ] {
        let cfg = json!({"kind": "gaming", "base_url": "https://feed.example", "brand_id": "CAS",
            "auth": {"type": "bearer"}, "pagination": pagination});
        let Ok(ConnectorConfig::Gaming(cfg)) = serde_json::from_value(cfg) else {
            panic!("the gaming settings of the target");
        };
        let g =
            gaming::Gaming::new(cfg, &credentials(&["token"]), http()).expect("a gaming connector");
        for stream in ["registrations", "activity"] {
            let cursor = gaming::FeedCursor {
                page: Some("2".into()),
                ..Default::default()
            };
            for cur in [gaming::FeedCursor::default(), cursor] {
                if let Ok(page) = g.read_page(stream, cur, "/v1/players", &v) {
                    check_page(&page);
                }
            }
        }
    }
}

fn woo_seeds() -> Vec<Vec<u8>> {
    vec![
        br#"[{"id":1,"customer_id":5,"date_created_gmt":"2026-07-01T10:00:00","date_modified_gmt":"2026-07-03T10:00:00","total":"299.00","refunds":[{"total":"-10.00"}],"status":"completed","coupon_lines":[{"code":"CPN0052"}],"line_items":[{"name":"100k Challenge"}],"billing":{"country":"DE"}},{"id":"2","customer_id":"6","date_created":"2026-07-02T10:00:00","total":49,"status":"refunded","billing":{"country":""}}]"#.to_vec(),
    ]
}

fn woo_json(input: &[u8]) {
    let Ok(v) = serde_json::from_slice::<Value>(input) else {
        return;
    };
    let cfg =
        json!({"kind": "woocommerce", "base_url": "https://shop.example", "brand_id": "PROP"});
    let Ok(ConnectorConfig::Woocommerce(cfg)) = serde_json::from_value(cfg) else {
        panic!("the shop settings of the target");
    };
    let w = woo::Woo::new(
        cfg,
        &credentials(&["consumer_key", "consumer_secret"]),
        http(),
    )
    .expect("a shop connector");
    // Each order as the shop sends it (what a page's orders go through).
    let orders = match v {
        Value::Array(a) => a,
        other => vec![other],
    };
    for o in &orders {
        if let Some(page) = partnerdesk_sync::Connector::convert(&w, "orders", o) {
            check_page(&page);
        }
    }
}

fn config_seeds() -> Vec<Vec<u8>> {
    vec![
        br#"{"kind":"mt5","base_url":"https://mt5.example:443","login":"1000","brand_id":"FX","groups":"real*,!real\\test","symbol_groups":[["XAU*","metals"],["*","fx_major"]],"window_hours":24}"#.to_vec(),
        br#"{"kind":"gaming","base_url":"https://feed.example/api","brand_id":"CAS","auth":{"type":"oauth2","token_url":"https://feed.example/token","client_id":"pd"},"pagination":{"type":"page","param":"page"}}"#.to_vec(),
        br#"{"kind":"woocommerce","base_url":"https://shop.example","brand_id":"PROP","per_page":50}"#.to_vec(),
        br#"{"kind":"csv","folder":"/srv/imports"}"#.to_vec(),
    ]
}

fn connection_config(input: &[u8]) {
    if let Ok(cfg) = serde_json::from_slice::<ConnectorConfig>(input) {
        if let Err(e) = cfg.validate() {
            let _ = e.to_string();
        }
        let _ = (cfg.kind(), cfg.secret_names(), cfg.brand_id());
        if let ConnectorConfig::Mt5(m) = &cfg {
            for (pattern, _) in &m.symbol_groups {
                let _ = partnerdesk_sync::config::symbol_matches(pattern, "XAUUSD.m");
            }
        }
    }
}

fn url_seeds() -> Vec<Vec<u8>> {
    [
        "sqlite:/home/anna/partnerdesk.db",
        "sqlite://C:/Users/anna/pd.db?mode=rwc",
        "postgres://pd@db.example:5432/partnerdesk",
        "postgres://pd:s3cret-pass@db.example/partnerdesk?sslmode=require",
        "postgresql://[::1]:5432/pd",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

fn database_url(input: &[u8]) {
    let raw = text(input);
    let redacted = partnerdesk_store::url::redact(&raw);
    match DatabaseUrl::parse(&raw) {
        Ok(url) => {
            let shown = url.display();
            let _ = (url.connect_string(), url.connect_string_for_saving());
            if let Some(password) = url.password().filter(|p| p.len() >= 6) {
                let without = url.with_password(None).display();
                assert!(
                    !shown.contains(&password) || without.contains(&password),
                    "{shown} shows the password"
                );
                assert!(
                    !redacted.contains(&password) || without.contains(&password),
                    "{redacted} shows the password"
                );
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

fn smtp_seeds() -> Vec<Vec<u8>> {
    vec![
        b"smtp.example.com\n587\nstarttls\nmailer@example.com\npartners@example.com\nExample Ltd\nreply@example.com\n-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n".to_vec(),
        b"127.0.0.1\n2525\nnone\n\nfrom@example.com\n\n\n".to_vec(),
    ]
}

fn smtp_settings(input: &[u8]) {
    let raw = text(input);
    let mut fields = raw.splitn(8, '\n');
    let mut next = || fields.next().unwrap_or("").to_string();
    let host = next();
    let port = next();
    let input = SmtpSettingsInput {
        host,
        port: port.trim().parse().unwrap_or(u16::from(port.len() as u8)),
        security: next(),
        username: next(),
        from_address: next(),
        from_name: next(),
        reply_to: Some(next()),
        extra_ca_pem_path: None,
        password: None,
    };
    let pem = next();
    if let Err(e) = partnerdesk_app::mail::check_smtp_settings(&input, Some(pem.as_bytes())) {
        assert_clean(&e.to_string());
    }
}

fn template_seeds() -> Vec<Vec<u8>> {
    mail::BUILT_IN
        .iter()
        .flat_map(|b| [b.subject.as_bytes().to_vec(), b.body.as_bytes().to_vec()])
        .chain([b"{% if partner.status == 'active' %}Hi {{ partner.name|upper }}{% else %}{{ partner.id ~ '!' }}{% endif %}{% for c in partner.name %}{{ loop.index }}{% endfor %}".to_vec()])
        .collect()
}

fn template(input: &[u8]) {
    let body = text(input);
    let vars = mail::variables(Some(mail::PAYOUT_SENT));
    for field in ["subject", "body"] {
        match mail::check(field, &body, &vars) {
            Ok(()) => {
                let _ = mail::render(field, &body, &mail::examples(&vars));
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
}
