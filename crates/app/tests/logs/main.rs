//! Never a secret in a log. The use cases that handle passwords and API keys
//! (a user's password and sign-in, the SMTP password, a platform
//! connection's secrets, a database URL with a password) run with every log
//! at TRACE — ours, sqlx's (also from its SQLite worker threads), and the
//! libraries that log through `log` — captured in memory, on SQLite and on
//! PostgreSQL; then none of the secrets may appear in what was logged.
//!
//! A test binary of its own: the capture is the process's global logger,
//! which in the app's test binary would take every other test's logs too.

#[allow(dead_code)]
#[path = "../app/support.rs"]
mod support;

use base64::Engine;
use partnerdesk_app::access::Role;
use partnerdesk_app::mail::{self, SmtpSettingsInput};
use partnerdesk_app::sync::{self, ConnectionInput, RunOptions};
use partnerdesk_app::users::{self, UserInput};
use partnerdesk_app::wire::{ApiError, BrandView};
use partnerdesk_app::{brands, database, Context};
use partnerdesk_secrets::MemoryStore;
use partnerdesk_sim::smtp::{start_sink, SinkConfig};
use partnerdesk_sim::{Sim, SimAuth, SimData};
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use support::TestDb;
use tracing_subscriber::fmt::format::FmtSpan;

const USER_PASSWORD: &str = "user-pw-Zq81xK";
const WRONG_PASSWORD: &str = "wrong-pw-Hy27vB";
const SMTP_PASSWORD: &str = "smtp-pw-Jk55sD";
const WRONG_SMTP_PASSWORD: &str = "smtp-wrong-Pf40aE";
const MT5_PASSWORD: &str = "mt5-pw-Rt63nC";
const CLIENT_SECRET: &str = "oauth-secret-Wm49pL";
const CONSUMER_KEY: &str = "ck-Lb31tY";
const CONSUMER_SECRET: &str = "cs-Qe84uF";
const DATABASE_PASSWORD: &str = "db-pw-Vx18kM";

/// Everything logged by this process since the first call, as text.
fn logged() -> String {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    let logs = LOGS.get_or_init(|| {
        let logs: Arc<Mutex<Vec<u8>>> = Arc::default();
        let sink = logs.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            // Span openings and closings too, with their fields: a use case's
            // span is written even when nothing inside it logs.
            .with_span_events(FmtSpan::NEW | FmtSpan::CLOSE)
            .with_ansi(false)
            .with_writer(move || Capture(sink.clone()))
            .try_init()
            .expect("the first and only global logger of this test binary");
        logs
    });
    let bytes = logs.lock().unwrap_or_else(|e| e.into_inner());
    String::from_utf8_lossy(&bytes).into_owned()
}

struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What leaves the core as an error is logged there too (`From<AppError>`).
fn to_ui<T>(r: partnerdesk_app::Result<T>) -> Result<T, ApiError> {
    r.map_err(ApiError::from)
}

async fn sign_in_with_a_password(ctx: &Context) {
    to_ui(
        users::save(
            ctx,
            UserInput {
                user_id: "alice".into(),
                display_name: "Alice".into(),
                roles: vec![Role::Admin],
                disabled: false,
                password: USER_PASSWORD.into(),
                row_version: None,
            },
        )
        .await,
    )
    .expect("the first user, an admin");
    let refused = to_ui(users::sign_in(&ctx.store, "alice", WRONG_PASSWORD).await)
        .expect_err("a wrong password is refused");
    assert_eq!(refused.code, "forbidden", "{}", refused.message);
    let actor = to_ui(users::sign_in(&ctx.store, "alice", USER_PASSWORD).await)
        .expect("the right password signs in");
    assert_eq!(actor.user, "alice");
}

async fn smtp_password(ctx: &Context) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let sink = start_sink(
        SinkConfig {
            user: Some("mailer".into()),
            password: Some(SMTP_PASSWORD.into()),
            starttls: true,
            ..Default::default()
        },
        0,
    )
    .await
    .expect("the SMTP sink starts");
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &sink.ca_pem).expect("the sink's CA written");
    for (password, ok) in [(WRONG_SMTP_PASSWORD, false), (SMTP_PASSWORD, true)] {
        let input = SmtpSettingsInput {
            host: "localhost".into(),
            port: sink.addr.port(),
            security: "starttls".into(),
            username: "mailer".into(),
            from_address: "partners@operator.example".into(),
            from_name: "Operator Ltd".into(),
            reply_to: None,
            extra_ca_pem_path: Some(ca.display().to_string()),
            password: Some(password.into()),
        };
        to_ui(mail::smtp_set(ctx, input).await).expect("SMTP settings saved");
        let tested = to_ui(mail::smtp_test(ctx, None).await).expect("the test runs");
        assert_eq!(tested.ok, ok, "{}", tested.message);
    }
}

async fn connection_secrets(ctx: &Context) {
    let auth = SimAuth {
        mt5_password: MT5_PASSWORD.into(),
        client_secret: CLIENT_SECRET.into(),
        consumer_key: CONSUMER_KEY.into(),
        consumer_secret: CONSUMER_SECRET.into(),
        ..SimAuth::default()
    };
    let sim = partnerdesk_sim::start(Sim::new(SimData::synthetic(40, 40), auth), 0)
        .await
        .expect("the simulator starts");
    let url = sim.url();
    for (id, vertical) in [("FX", "forex"), ("CAS", "igaming"), ("PROP", "prop")] {
        to_ui(
            brands::create(
                ctx,
                BrandView {
                    brand_id: id.into(),
                    name: format!("Brand {id}"),
                    vertical: vertical.into(),
                    currency: "USD".into(),
                },
            )
            .await,
        )
        .expect("a brand");
    }
    let connections = [
        ConnectionInput {
            name: "mt5".into(),
            config: json!({"kind": "mt5", "base_url": url, "login": "1000", "brand_id": "FX",
                            "from": "2026-06-01", "window_hours": 24 * 7}),
            secrets: [("password".to_string(), MT5_PASSWORD.to_string())].into(),
            schedule_minutes: None,
        },
        ConnectionInput {
            name: "casino".into(),
            config: json!({"kind": "gaming", "base_url": url, "brand_id": "CAS",
                            "auth": {"type": "oauth2", "token_url": format!("{url}/oauth/token"), "client_id": "partnerdesk"},
                            "page_size_param": "limit", "page_size": 150}),
            secrets: [("client_secret".to_string(), CLIENT_SECRET.to_string())].into(),
            schedule_minutes: None,
        },
        ConnectionInput {
            name: "shop".into(),
            config: json!({"kind": "woocommerce", "base_url": url, "brand_id": "PROP", "per_page": 25}),
            secrets: [
                ("consumer_key".to_string(), CONSUMER_KEY.to_string()),
                ("consumer_secret".to_string(), CONSUMER_SECRET.to_string()),
            ]
            .into(),
            schedule_minutes: None,
        },
    ];
    for input in connections {
        let name = input.name.clone();
        to_ui(sync::add(ctx, input).await).expect("the connection is added");
        to_ui(sync::test(ctx, &name).await).expect("the platform accepts the secrets");
        to_ui(sync::run(ctx, &name, RunOptions::default()).await).expect("a sync runs");
    }
    // A wrong password too: refused, and said so.
    to_ui(
        sync::edit(
            ctx,
            ConnectionInput {
                name: "mt5".into(),
                config: json!({"kind": "mt5", "base_url": url, "login": "1000", "brand_id": "FX",
                                "from": "2026-06-01", "window_hours": 24 * 7}),
                secrets: [("password".to_string(), WRONG_PASSWORD.to_string())].into(),
                schedule_minutes: None,
            },
        )
        .await,
    )
    .expect("the connection is changed");
    assert!(
        to_ui(sync::test(ctx, "mt5").await).is_err(),
        "a wrong MT5 password is refused"
    );
}

/// A PostgreSQL URL with a password (the test server trusts every login, so
/// the password is accepted and ignored).
async fn database_url_with_a_password(db: &TestDb) {
    let Some(rest) = db.url.strip_prefix("postgres://postgres@") else {
        return; // SQLite: a file has no password
    };
    let url = format!("postgres://postgres:{DATABASE_PASSWORD}@{rest}");
    let store = database::open(&url)
        .await
        .expect("the database opens with a password in its URL");
    assert!(
        !store.location().contains(DATABASE_PASSWORD),
        "the location is shown without the password"
    );
    store.close().await;
}

async fn secrets_stay_out_of_the_logs(db: &TestDb) {
    logged(); // capturing from here on
    let ctx = db.ctx.clone().with_secrets(Arc::new(MemoryStore::new()));
    connection_secrets(&ctx).await;
    smtp_password(&ctx).await;
    database_url_with_a_password(db).await;
    sign_in_with_a_password(&ctx).await;

    let logs = logged();
    for span in [
        "users::save",
        "users::sign_in",
        "mail::smtp_set",
        "mail::smtp_test",
        "sync::add",
        "sync::test",
        "sync::run",
    ] {
        assert!(
            logs.contains(span),
            "the use case {span} was logged (so the check below means something)"
        );
    }
    assert!(
        logs.contains("user=alice") && logs.contains("user=tester"),
        "a use case's span names who called it"
    );
    assert!(
        logs.contains("sqlx::query"),
        "sqlx's statements were captured too"
    );
    let basic = base64::engine::general_purpose::STANDARD
        .encode(format!("{CONSUMER_KEY}:{CONSUMER_SECRET}"));
    for secret in [
        USER_PASSWORD,
        WRONG_PASSWORD,
        SMTP_PASSWORD,
        WRONG_SMTP_PASSWORD,
        MT5_PASSWORD,
        CLIENT_SECRET,
        CONSUMER_KEY,
        CONSUMER_SECRET,
        &basic,
        DATABASE_PASSWORD,
    ] {
        assert!(
            !logs.contains(secret),
            "a secret ({secret}) reached the log; the lines with it:\n{}",
            logs.lines()
                .filter(|l| l.contains(secret))
                .take(5)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

on_both_backends!(secrets_stay_out_of_the_logs);
