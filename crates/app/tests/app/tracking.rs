//! Tracking links and clicks (issue 29): the operator's use cases with
//! their roles, checks and audit entries, and the server's click writer
//! (unique clicks per visitor, link and UTC day; bots and prefetches apart;
//! no click doubled by a retried batch or lost between two instances).

use crate::on_both_backends;
use crate::support::TestDb;
use chrono::{TimeZone, Utc};
use partnerdesk_app::access::Role;
use partnerdesk_app::audit::{self, AuditQuery};
use partnerdesk_app::tracking::clicks::{new_click_id, ClickWriter, Visit};
use partnerdesk_app::tracking::{self, TrackingSettings};
use partnerdesk_app::{import, Actor, AppError, Context};
use partnerdesk_domain::tracking::ClickKind;

/// A brand `casino` with partner `P1` holding codes `AF1` and `AF2`: the
/// import folder the server's and `partnerdesk serve`'s tests import too.
pub async fn setup(ctx: &Context) {
    let folder =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/tracking");
    import::import_folder(ctx, &folder).await.unwrap();
}

fn as_role(ctx: &Context, role: Role) -> Context {
    let mut c = ctx.clone();
    c.actor = Actor::with_roles(format!("someone-{role}"), &[role]);
    c
}

async fn links_story(db: &TestDb) {
    let ctx = &db.ctx;
    setup(ctx).await;
    let t = "https://casino.example/land?cid={click_id}&btag={code}&s1={sub1}&c={campaign}";
    tracking::set_landing(ctx, "casino", t).await.unwrap();
    assert_eq!(
        tracking::landing(ctx, "casino").await.unwrap().as_deref(),
        Some(t)
    );
    // Bad templates and unknown brands change nothing.
    for bad in [
        "casino.example/{click_id}",
        "https://casino.example/{clickid}",
        "https://casino.example/{click_id",
        "https://casino example/",
    ] {
        let e = tracking::set_landing(ctx, "casino", bad).await.unwrap_err();
        assert_eq!(e.field(), Some("url_template"), "{bad}: {e}");
    }
    assert!(matches!(
        tracking::set_landing(ctx, "nope", t).await,
        Err(AppError::NotFound { .. })
    ));
    assert_eq!(
        tracking::landing(ctx, "casino").await.unwrap().as_deref(),
        Some(t)
    );

    // Scheme `code` (the default): /AF1.
    let l = tracking::create_link(ctx, "casino", "AF1", None)
        .await
        .unwrap();
    assert_eq!((l.path.as_str(), l.partner_id.as_str()), ("AF1", "P1"));
    let e = tracking::create_link(ctx, "casino", "AF1", None)
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("code"), "{e}");
    let e = tracking::create_link(ctx, "casino", "NOPE", None)
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("code"), "{e}");
    let e = tracking::create_link(ctx, "casino", "AF2", Some("ftp://x"))
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("landing_url"), "{e}");

    // The operator switches to /{brand}/{code}; new links follow it.
    let e = tracking::set_settings(
        ctx,
        TrackingSettings {
            fallback_url: Some("not a url".into()),
            path_scheme: "brand/code".into(),
            public_url: None,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(e.field(), Some("fallback_url"));
    assert_eq!(tracking::settings(ctx).await.unwrap().path_scheme, "code");
    tracking::set_settings(
        ctx,
        TrackingSettings {
            fallback_url: Some("https://casino.example/".into()),
            path_scheme: "brand/code".into(),
            public_url: None,
        },
    )
    .await
    .unwrap();
    let l2 = tracking::create_link(ctx, "casino", "AF2", Some("https://promo.example/{sub2}"))
        .await
        .unwrap();
    assert_eq!(l2.path, "casino/AF2");
    let r = partnerdesk_app::tracking::clicks::resolve(&ctx.store, "casino/AF2")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.template.as_deref(), Some("https://promo.example/{sub2}"));
    // Clearing the override falls back to the brand's template.
    tracking::set_link_landing(ctx, "casino/AF2", None)
        .await
        .unwrap();
    let r = partnerdesk_app::tracking::clicks::resolve(&ctx.store, "casino/AF2")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.template.as_deref(), Some(t));
    assert_eq!(
        partnerdesk_app::tracking::clicks::fallback_url(&ctx.store)
            .await
            .unwrap()
            .as_deref(),
        Some("https://casino.example/")
    );
    let paths: Vec<String> = tracking::links(ctx, Some("casino"))
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.path)
        .collect();
    assert_eq!(paths, ["AF1", "casino/AF2"]);

    // Roles: viewers read, managers edit links, only admins change settings.
    let viewer = as_role(ctx, Role::Viewer);
    assert_eq!(tracking::links(&viewer, None).await.unwrap().len(), 2);
    assert!(matches!(
        tracking::delete_link(&viewer, "AF1").await,
        Err(AppError::Forbidden { .. })
    ));
    let manager = as_role(ctx, Role::PartnerManager);
    assert!(matches!(
        tracking::set_settings(&manager, tracking::settings(ctx).await.unwrap()).await,
        Err(AppError::Forbidden { .. })
    ));
    tracking::delete_link(&manager, "AF1").await.unwrap();
    assert!(
        partnerdesk_app::tracking::clicks::resolve(&ctx.store, "AF1")
            .await
            .unwrap()
            .is_none()
    );

    // Every change is in the audit log.
    let page = audit::entries(
        ctx,
        &AuditQuery {
            object_type: Some("link".into()),
            limit: 50,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let actions: Vec<&str> = page.entries.iter().map(|e| e.action.as_str()).collect();
    for a in ["link.create", "link.edit", "link.delete"] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    for (t, a) in [
        ("brand", "brand.landing.set"),
        ("settings", "tracking.settings"),
    ] {
        let page = audit::entries(
            ctx,
            &AuditQuery {
                object_type: Some(t.into()),
                action: Some(a.into()),
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(page.total >= 1, "{a} missing");
    }
}

fn visit(path: &str, code: &str, ip: &str, ua: &str, kind: ClickKind, day: u32, sec: u32) -> Visit {
    Visit {
        click_id: new_click_id(),
        at: Utc.with_ymd_and_hms(2026, 12, day, 10, 0, sec).unwrap(),
        path: path.into(),
        brand_id: "casino".into(),
        code: code.into(),
        subs: [Some("s1".into()), None, None, None, Some("s5".into())],
        campaign: Some("winter".into()),
        referrer_host: Some("news.example".into()),
        country: Some("DE".into()),
        ip: ip.parse().unwrap(),
        user_agent: ua.into(),
        kind,
    }
}

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/120 Safari/537.36";

async fn clicks_story(db: &TestDb) {
    let ctx = &db.ctx;
    setup(ctx).await;
    tracking::create_link(ctx, "casino", "AF1", None)
        .await
        .unwrap();
    tracking::create_link(ctx, "casino", "AF2", None)
        .await
        .unwrap();
    let h = ClickKind::Human;
    let batch = vec![
        // Visitor A twice on AF1 the same day: one unique.
        visit("AF1", "AF1", "203.0.113.1", FIREFOX, h, 1, 0),
        visit("AF1", "AF1", "203.0.113.1", FIREFOX, h, 1, 5),
        // The same address with another browser is another visitor.
        visit("AF1", "AF1", "203.0.113.1", CHROME, h, 1, 6),
        // Visitor A on another link: unique there too.
        visit("AF2", "AF2", "203.0.113.1", FIREFOX, h, 1, 7),
        // A bot and a prefetch: stored, counted apart, never unique.
        visit(
            "AF1",
            "AF1",
            "66.249.66.1",
            "Googlebot/2.1",
            ClickKind::Bot,
            1,
            8,
        ),
        visit(
            "AF1",
            "AF1",
            "203.0.113.9",
            CHROME,
            ClickKind::Prefetch,
            1,
            9,
        ),
    ];
    let mut w = ClickWriter::new(ctx.store.clone());
    assert_eq!(w.write(&batch).await.unwrap(), 6);
    // The same batch again (a retry after a commit in doubt): nothing doubled.
    assert_eq!(w.write(&batch).await.unwrap(), 0);
    // A later batch, by another writer (another instance): visitor A on
    // AF1 again that day is not unique; the next day it is.
    let mut other = ClickWriter::new(ctx.store.clone());
    other
        .write(&[
            visit("AF1", "AF1", "203.0.113.1", FIREFOX, h, 1, 30),
            visit("AF1", "AF1", "203.0.113.1", FIREFOX, h, 2, 0),
        ])
        .await
        .unwrap();

    let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
    let counts = tracking::click_counts(ctx, day(1), day(1)).await.unwrap();
    let af1 = counts.iter().find(|c| c.path == "AF1").unwrap();
    assert_eq!(
        (af1.clicks, af1.unique_clicks, af1.bots, af1.prefetches),
        (4, 2, 1, 1)
    );
    let af2 = counts.iter().find(|c| c.path == "AF2").unwrap();
    assert_eq!((af2.clicks, af2.unique_clicks), (1, 1));
    let counts = tracking::click_counts(ctx, day(2), day(2)).await.unwrap();
    assert_eq!((counts[0].clicks, counts[0].unique_clicks), (1, 1));

    // The partner's page: its links with their clicks, whole URLs once the
    // public URL is set (a trailing '/' is dropped), the landing in force.
    let links = tracking::partner_links(ctx, "P1", "2026-12-01", "2026-12-02")
        .await
        .unwrap();
    assert_eq!(links.len(), 2);
    assert_eq!(links[0].url, None, "no public URL yet");
    assert_eq!(links[0].effective_landing, None, "no landing yet");
    let mut s = tracking::settings(ctx).await.unwrap();
    s.public_url = Some("https://go.example.com/".into());
    tracking::set_settings(ctx, s.clone()).await.unwrap();
    tracking::set_landing(ctx, "casino", "https://casino.example/?c={click_id}")
        .await
        .unwrap();
    let links = tracking::partner_links(ctx, "P1", "2026-12-01", "2026-12-02")
        .await
        .unwrap();
    let af1 = &links[0];
    assert_eq!(af1.url.as_deref(), Some("https://go.example.com/AF1"));
    assert_eq!(
        af1.effective_landing.as_deref(),
        Some("https://casino.example/?c={click_id}")
    );
    assert_eq!(
        (af1.clicks, af1.unique_clicks, af1.bots, af1.prefetches),
        (5, 3, 1, 1)
    );
    assert_eq!((links[1].path.as_str(), links[1].clicks), ("AF2", 1));
    // A day with no clicks still lists the links, at zero.
    let quiet = tracking::partner_links(ctx, "P1", "2026-12-20", "2026-12-20")
        .await
        .unwrap();
    assert_eq!((quiet.len(), quiet[0].clicks), (2, 0));
    s.public_url = Some("go.example.com".into());
    let e = tracking::set_settings(ctx, s).await.unwrap_err();
    assert_eq!(e.field(), Some("public_url"), "{e}");
    let e = tracking::partner_links(ctx, "P1", "2026-13-01", "2026-12-02")
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("from"), "{e}");
    assert!(matches!(
        tracking::partner_links(ctx, "NOPE", "2026-12-01", "2026-12-02").await,
        Err(AppError::NotFound { .. })
    ));

    // What is stored: no raw address, the hash agrees across writers, the
    // first click of the day is the unique one.
    let mut tx = ctx.store.read().await.unwrap();
    let rows = tx.clicks_of("AF1").await.unwrap();
    drop(tx);
    assert_eq!(rows.len(), 7);
    for r in &rows {
        assert!(!r.visitor.contains("203.0.113"), "{r:?}");
        assert_eq!(r.visitor.len(), 64);
        assert_eq!(r.subs[0].as_deref(), Some("s1"));
        assert_eq!(r.subs[4].as_deref(), Some("s5"));
        assert_eq!(r.campaign.as_deref(), Some("winter"));
        assert_eq!(r.country.as_deref(), Some("DE"));
        assert_eq!(r.referrer_host.as_deref(), Some("news.example"));
    }
    let a_day1: Vec<_> = rows
        .iter()
        .filter(|r| r.day == "2026-12-01" && r.visitor == rows[0].visitor)
        .collect();
    assert_eq!(a_day1.len(), 3);
    assert!(a_day1[0].is_unique && !a_day1[1].is_unique && !a_day1[2].is_unique);
    let a_day2 = rows.iter().find(|r| r.day == "2026-12-02").unwrap();
    assert_ne!(a_day2.visitor, rows[0].visitor, "a new day, a new salt");
}

/// Two writers (two server instances) write the same visitor's clicks at
/// once, many times over: exactly one of them is unique, none is lost.
async fn two_writers_story(db: &TestDb) {
    let ctx = &db.ctx;
    setup(ctx).await;
    tracking::create_link(ctx, "casino", "AF1", None)
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for w in 0..2 {
        let store = ctx.store.clone();
        tasks.push(tokio::spawn(async move {
            let mut writer = ClickWriter::new(store);
            for round in 0..10u32 {
                let batch: Vec<Visit> = (0..20u32)
                    .map(|i| {
                        // Visitors 0..20, each seen by both writers every round.
                        let ip = format!("198.51.100.{i}");
                        visit(
                            "AF1",
                            "AF1",
                            &ip,
                            FIREFOX,
                            ClickKind::Human,
                            3,
                            (round + w) % 60,
                        )
                    })
                    .collect();
                writer.write(&batch).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let d = chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
    let c = tracking::click_counts(ctx, d, d).await.unwrap();
    assert_eq!((c[0].clicks, c[0].unique_clicks), (400, 20));
}

on_both_backends!(links_story, clicks_story, two_writers_story);
