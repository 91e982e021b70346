//! Secrets stay out of what is kept and shown: a pending user's password
//! hash never enters the append-only audit log, and SMTP settings that send
//! the password in clear text carry a warning for every face to show.

use crate::on_both_backends;
use crate::support::{as_user, TestDb};
use partnerdesk_app::access::Role;
use partnerdesk_app::mail::{self, SmtpSettingsInput};
use partnerdesk_app::{approvals, audit, users};
use partnerdesk_secrets::MemoryStore;
use std::sync::Arc;

fn input(id: &str, roles: &[Role]) -> users::UserInput {
    users::UserInput {
        row_version: None,
        user_id: id.into(),
        display_name: format!("User {id}"),
        roles: roles.to_vec(),
        disabled: false,
        password: format!("{id}-password-123"),
    }
}

async fn a_pending_users_password_hash_stays_out_of_the_audit_log(db: &TestDb) {
    let local = as_user(db, "local:tester", &Role::ALL);
    users::save(&local, input("ada", &[Role::Admin]))
        .await
        .unwrap();
    let ada = as_user(db, "ada", &[Role::Admin]);
    users::save(&ada, input("dee", &[Role::Admin]))
        .await
        .unwrap();
    // Two admins: a new user waits for the second one, hash and all.
    let o = users::save(&ada, input("eve", &[Role::Viewer]))
        .await
        .unwrap();
    assert_eq!(o.state.as_str(), "awaiting_approval");
    let dee = as_user(db, "dee", &[Role::Admin]);
    approvals::decide(&dee, o.approval.unwrap().approval_id, true, "welcome")
        .await
        .unwrap();
    users::sign_in(&db.ctx.store, "eve", "eve-password-123")
        .await
        .expect("the request kept the hash until it was applied");
    let page = audit::entries(
        &ada,
        &audit::AuditQuery {
            limit: 1000,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let all = serde_json::to_string(&page.entries).unwrap();
    assert!(
        !all.contains("$argon2"),
        "no password hash in the log: {all}"
    );
    let request = page
        .entries
        .iter()
        .find(|e| e.action == "approval.request")
        .expect("the request is audited");
    assert!(
        request
            .after
            .as_deref()
            .is_some_and(|a| a.contains("kept out of the log")),
        "{:?}",
        request.after
    );
}

fn smtp(host: &str, security: &str, username: &str) -> SmtpSettingsInput {
    SmtpSettingsInput {
        host: host.into(),
        port: 25,
        security: security.into(),
        username: username.into(),
        from_address: "partners@operator.example".into(),
        from_name: "Operator Ltd".into(),
        reply_to: None,
        extra_ca_pem_path: None,
        password: None,
    }
}

async fn clear_text_smtp_authentication_is_warned_about(db: &TestDb) {
    let ctx = db
        .ctx
        .clone()
        .with_secrets(Arc::new(MemoryStore::default()));
    let v = mail::smtp_set(&ctx, smtp("mail.example.com", "none", "mailer"))
        .await
        .unwrap();
    let w = v.warning.expect("a warning");
    assert!(w.contains("clear text") && w.contains("starttls"), "{w}");
    // Shown again whenever the settings are read (the desktop's form).
    assert!(mail::smtp_get(&ctx).await.unwrap().warning.is_some());
    for (host, security, user) in [
        ("mail.example.com", "starttls", "mailer"),
        ("mail.example.com", "tls", "mailer"),
        ("mail.example.com", "none", ""),
        ("localhost", "none", "mailer"),
        ("127.0.0.1", "none", "mailer"),
    ] {
        let v = mail::smtp_set(&ctx, smtp(host, security, user))
            .await
            .unwrap();
        assert_eq!(v.warning, None, "{host} {security} {user:?}");
    }
}

on_both_backends!(
    a_pending_users_password_hash_stays_out_of_the_audit_log,
    clear_text_smtp_authentication_is_warned_about,
);
