//! E-mail to partners over real SMTP (STARTTLS, a login) to a sink on
//! loopback: statements go out with their PDF attached, a refused login
//! stops the batch and changes nothing, a refused recipient fails its
//! message, a deferred one is retried later, announcements reach exactly
//! their segment, and every message is in the partner's communication log.

use crate::on_both_backends;
use crate::support::{example_folders, TestDb};
use base64::Engine;
use partnerdesk_app::mail::{
    self, AnnouncementInput, OutboxQuery, SegmentInput, SmtpSettingsInput, TemplateInput,
};
use partnerdesk_app::wire::PartnerInput;
use partnerdesk_app::{commissions, import, partners, Context};
use partnerdesk_domain::Period;
use partnerdesk_secrets::MemoryStore;
use partnerdesk_sim::smtp::{start_sink, SinkConfig};
use std::sync::Arc;

const PASSWORD: &str = "s3cret-Pässwörd";

fn settings(port: u16, ca: &std::path::Path, password: Option<&str>) -> SmtpSettingsInput {
    SmtpSettingsInput {
        host: "localhost".into(),
        port,
        security: "starttls".into(),
        username: "mailer".into(),
        from_address: "partners@operator.example".into(),
        from_name: "Operator Ltd".into(),
        reply_to: Some("help@operator.example".into()),
        extra_ca_pem_path: Some(ca.display().to_string()),
        password: password.map(str::to_string),
    }
}

fn partner(id: &str, email: Option<&str>, kind: &str) -> PartnerInput {
    PartnerInput {
        row_version: None,
        partner_id: id.into(),
        name: format!("Zoë Šťastná {id}"),
        kind: kind.into(),
        parent_id: None,
        email: email.map(str::to_string),
        country: Some("DE".into()),
        currency: "EUR".into(),
        status: "applied".into(),
        tags: vec!["vip".into()],
        notes: String::new(),
        contact_name: None,
        phone: None,
    }
}

async fn all(ctx: &Context) -> Vec<mail::OutboxRow> {
    mail::outbox_list(
        ctx,
        OutboxQuery {
            limit: 1000,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .rows
}

/// The base64 body of the attachment part of a raw message.
fn attachment_bytes(raw: &str) -> Vec<u8> {
    let start = raw
        .find("Content-Disposition: attachment")
        .expect("an attachment part");
    let part = &raw[start..];
    let body_start = part.find("\r\n\r\n").expect("the part's body") + 4;
    let body: String = part[body_start..]
        .lines()
        .take_while(|l| !l.starts_with("--"))
        .collect::<Vec<_>>()
        .concat();
    base64::engine::general_purpose::STANDARD
        .decode(body.trim())
        .expect("base64 attachment")
}

async fn statements_and_announcements_over_smtp(db: &TestDb) {
    let ctx = &db.ctx.clone().with_secrets(Arc::new(MemoryStore::new()));
    let dir = tempfile::tempdir().unwrap();
    let sink = start_sink(
        SinkConfig {
            user: Some("mailer".into()),
            password: Some(PASSWORD.into()),
            starttls: true,
            reject_rcpt: vec!["bounce@example.com".into()],
            defer_rcpt: vec!["later@example.com".into()],
            store: Some(dir.path().join("sink")),
            ..Default::default()
        },
        0,
    )
    .await
    .unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &sink.ca_pem).unwrap();
    let port = sink.addr.port();

    // Not set up yet: sending says where to set it up.
    let e = mail::smtp_test(ctx, None).await.unwrap();
    assert!(
        !e.ok && e.message.contains("Settings → E-mail"),
        "{}",
        e.message
    );

    // Bad settings are refused and change nothing.
    let mut bad = settings(port, &ca, Some("x"));
    bad.host = "https://smtp.example.com".into();
    let e = mail::smtp_set(ctx, bad).await.unwrap_err();
    assert_eq!(e.field(), Some("host"));
    let mut bad = settings(port, &ca, Some("x"));
    bad.security = "ssl3".into();
    assert_eq!(
        mail::smtp_set(ctx, bad).await.unwrap_err().field(),
        Some("security")
    );
    assert!(!mail::smtp_get(ctx).await.unwrap().configured);
    assert_eq!(ctx.secrets.get(mail::SMTP_PASSWORD_KEY).unwrap(), None);

    // A wrong password: the server refuses the login, said plainly.
    let v = mail::smtp_set(ctx, settings(port, &ca, Some("wrong-password")))
        .await
        .unwrap();
    assert!(v.configured && v.has_password);
    let t = mail::smtp_test(ctx, None).await.unwrap();
    assert!(!t.ok, "{}", t.message);
    assert!(
        t.message.contains("refused the login") && t.message.contains("535"),
        "{}",
        t.message
    );

    // Statements for July queue "statement ready" with the PDF attached.
    import::import_folder(ctx, &example_folders()[0])
        .await
        .unwrap();
    let july = Period::parse("period", "2026-07").unwrap();
    commissions::run(ctx, Period::parse("period", "2026-08").unwrap())
        .await
        .unwrap();
    commissions::close(ctx, july).await.unwrap();
    let out = dir.path().join("statements");
    let batch = partnerdesk_app::statements::for_period(ctx, july, None, &out)
        .await
        .unwrap();
    let queued = all(ctx).await;
    let statements: Vec<&mail::OutboxRow> = queued
        .iter()
        .filter(|r| r.template_key.as_deref() == Some("statement_ready"))
        .collect();
    let mut expected = 0;
    for f in &batch.files {
        let name = std::path::Path::new(f)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        let partner_id = name
            .trim_start_matches("statement-")
            .split('-')
            .next()
            .unwrap()
            .to_string();
        let p = ctx
            .store
            .read()
            .await
            .unwrap()
            .partner(&partner_id)
            .await
            .unwrap()
            .unwrap();
        if p.email.is_some() {
            expected += 1;
            let m = statements
                .iter()
                .find(|r| r.attachment_name.as_deref() == Some(name.as_str()))
                .unwrap_or_else(|| panic!("statement_ready for {name}"));
            assert_eq!(m.subject, "Your statement for 2026-07");
            assert_eq!(m.to_address, p.email.clone().unwrap());
        }
    }
    assert!(expected > 0);
    assert_eq!(
        statements.len(),
        expected,
        "one message per statement of a partner with e-mail"
    );

    // New partners get a welcome; the segment "vip" has three, two with e-mail.
    partners::create(ctx, partner("X1", Some("bounce@example.com"), "affiliate"))
        .await
        .unwrap();
    partners::create(ctx, partner("X2", Some("later@example.com"), "ib"))
        .await
        .unwrap();
    partners::create(ctx, partner("X3", None, "affiliate"))
        .await
        .unwrap();
    let vip = SegmentInput {
        tags: vec!["vip".into()],
        ..Default::default()
    };
    let seg = mail::segment_preview(ctx, vip.clone()).await.unwrap();
    assert_eq!((seg.partners, seg.with_email, seg.without_email), (3, 2, 1));
    let ib_vip = SegmentInput {
        kinds: vec!["ib".into()],
        ..vip.clone()
    };
    assert_eq!(
        mail::segment_preview(ctx, ib_vip).await.unwrap().partners,
        1
    );
    let e = mail::segment_preview(
        ctx,
        SegmentInput {
            kinds: vec!["whale".into()],
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(e.field(), Some("kinds"));

    // A template with an unknown variable is refused, naming it.
    let e = mail::template_save(
        ctx,
        TemplateInput {
            key: "monthly_news".into(),
            name: "Monthly news".into(),
            subject: "News".into(),
            body: "Hi {{ partner.nmae }}".into(),
            auto_send: false,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(e.field(), Some("body"));
    assert!(e.to_string().contains("partner.nmae"), "{e}");
    let preview = mail::template_preview(
        ctx,
        mail::TemplatePreviewInput {
            subject: "News for {{ partner.name }}".into(),
            body: "Dear {{ partner.name }} ({{ partner.kind }})".into(),
            partner_id: Some("X3".into()),
            template_key: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(preview.subject, "News for Zoë Šťastná X3");
    assert_eq!(preview.warnings.len(), 1, "X3 has no e-mail address");

    let a = mail::announce(
        ctx,
        AnnouncementInput {
            segment: vip,
            subject: "News for {{ partner.name }}".into(),
            body: "Dear {{ partner.name }},\n\nnew brands are live.\n".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!((a.queued, a.skipped_without_email), (2, 1));
    let before = all(ctx).await;
    assert_eq!(
        before.len(),
        expected + 2 + 2,
        "statements, two welcomes, two announcements"
    );
    assert!(before
        .iter()
        .all(|r| r.status.as_str() == "queued" && r.attempts == 0));

    // Sending with the wrong password stops at once: nothing sent, nothing failed.
    let o = mail::outbox_send_due(ctx, 1000).await.unwrap();
    assert_eq!((o.sent, o.failed, o.retry_later), (0, 0, 0));
    let why = o.stopped.expect("the batch stops");
    assert!(
        why.contains("refused the login") && why.contains("Settings → E-mail"),
        "{why}"
    );
    let after = all(ctx).await;
    assert!(
        after
            .iter()
            .all(|r| r.status.as_str() == "queued" && r.attempts == 0),
        "{after:?}"
    );
    assert!(sink.messages().is_empty());

    // The right password (kept in the keyring, never in the database).
    let mut right = settings(port, &ca, Some(PASSWORD));
    right.password = Some(PASSWORD.into());
    mail::smtp_set(ctx, right).await.unwrap();
    assert_eq!(
        ctx.secrets.get(mail::SMTP_PASSWORD_KEY).unwrap().as_deref(),
        Some(PASSWORD)
    );
    let saved = ctx
        .store
        .read()
        .await
        .unwrap()
        .meta_get("mail.smtp")
        .await
        .unwrap()
        .unwrap();
    assert!(
        !saved.contains(PASSWORD) && !saved.contains("wrong-password"),
        "{saved}"
    );
    if let Some(path) = db.url.strip_prefix("sqlite:") {
        for file in [path.to_string(), format!("{path}-wal")] {
            if let Ok(bytes) = std::fs::read(&file) {
                let text = String::from_utf8_lossy(&bytes);
                assert!(
                    !text.contains(PASSWORD) && !text.contains("wrong-password"),
                    "a password in {file}"
                );
            }
        }
    }
    assert!(mail::smtp_test(ctx, None).await.unwrap().ok);

    let o = mail::outbox_send_due(ctx, 1000).await.unwrap();
    assert_eq!(o.stopped, None);
    assert_eq!(
        (o.sent, o.failed, o.retry_later),
        (expected as u64, 2, 2),
        "{o:?}"
    );
    let got = sink.messages();
    assert_eq!(got.len(), expected);
    assert!(got
        .iter()
        .all(|m| m.tls && m.login.as_deref() == Some("mailer")));

    // A statement as the partner receives it: headers and the PDF, byte for byte.
    let m = statements[0];
    let raw = got
        .iter()
        .find(|g| g.to == vec![m.to_address.clone()])
        .map(|g| String::from_utf8_lossy(&g.data).to_string())
        .expect("the statement message in the sink");
    assert!(raw.contains("Subject: Your statement for 2026-07"), "{raw}");
    assert!(
        raw.contains("From: \"Operator Ltd\" <partners@operator.example>")
            || raw.contains("From: Operator Ltd <partners@operator.example>"),
        "{raw}"
    );
    assert!(raw.contains("Reply-To: help@operator.example"), "{raw}");
    assert!(raw.contains("Content-Type: application/pdf"), "{raw}");
    let file = batch
        .files
        .iter()
        .find(|f| f.ends_with(m.attachment_name.as_deref().unwrap()))
        .unwrap();
    assert_eq!(
        attachment_bytes(&raw),
        std::fs::read(file).unwrap(),
        "the PDF attached as written"
    );
    let stored = std::fs::read_dir(dir.path().join("sink")).unwrap().count();
    assert_eq!(stored, expected, "the sink kept each message as a file");

    // The refused recipient failed with the server's reason; the deferred one waits.
    let log = mail::communication_log(ctx, "X1").await.unwrap();
    assert_eq!(log.len(), 2, "welcome and the announcement");
    assert!(
        log.iter().all(|e| e.status.as_str() == "failed"
            && e.last_error.as_deref().unwrap_or("").contains("550")),
        "{log:?}"
    );
    let later = mail::communication_log(ctx, "X2").await.unwrap();
    assert!(later.iter().all(|e| e.status.as_str() == "queued"));
    let rows = all(ctx).await;
    let waiting: Vec<_> = rows
        .iter()
        .filter(|r| r.to_address == "later@example.com")
        .collect();
    assert!(waiting.iter().all(|r| r.attempts == 1
        && r.next_attempt_at.is_some()
        && r.last_error.as_deref().unwrap_or("").contains("451")));
    // Not due yet: a second round sends nothing.
    let o = mail::outbox_send_due(ctx, 1000).await.unwrap();
    assert_eq!((o.sent, o.failed, o.retry_later), (0, 0, 0));
    assert_eq!(mail::communication_log(ctx, "X3").await.unwrap().len(), 0);
    let one = &log[0];
    let sent_one = rows.iter().find(|r| r.status.as_str() == "sent").unwrap();

    // Retry and cancel, and the transitions they refuse.
    let e = mail::outbox_retry(ctx, sent_one.id)
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("is sent"), "{e}");
    let r = mail::outbox_retry(ctx, one.id).await.unwrap();
    assert_eq!((r.status.as_str(), r.attempts), ("queued", 0));
    let r = mail::outbox_cancel(ctx, one.id).await.unwrap();
    assert_eq!(r.status.as_str(), "cancelled");
    assert!(mail::outbox_cancel(ctx, one.id).await.is_err());
    let page = mail::outbox_list(
        ctx,
        OutboxQuery {
            status: Some("failed".into()),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        (page.total, page.counts.failed, page.counts.cancelled),
        (1, 1, 1)
    );
    assert_eq!(page.counts.sent as usize, expected);

    // Approving an application tells the partner (auto-send on by default).
    let mut x2 = partner("X2", Some("later@example.com"), "ib");
    x2.status = "active".into();
    partners::edit(ctx, "X2", x2).await.unwrap();
    let log = mail::communication_log(ctx, "X2").await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.template_key.as_deref() == Some("application_approved")),
        "{log:?}"
    );

    // With auto-send off, writing the statements again queues nothing.
    let t = mail::templates_list(ctx)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.key == "statement_ready")
        .unwrap();
    mail::template_save(
        ctx,
        TemplateInput {
            key: t.key,
            name: t.name,
            subject: t.subject,
            body: t.body,
            auto_send: false,
        },
    )
    .await
    .unwrap();
    let before = all(ctx).await.len();
    partnerdesk_app::statements::for_period(ctx, july, None, &dir.path().join("again"))
        .await
        .unwrap();
    assert_eq!(
        all(ctx).await.len(),
        before,
        "auto-send off: no statement_ready queued"
    );
}

on_both_backends!(statements_and_announcements_over_smtp);
