//! `partnerdesk mail` as a script runs it: the SMTP password typed on
//! standard input into a real Secret Service keyring (never the database),
//! an announcement to a segment sent over STARTTLS to a sink on loopback,
//! and a refused login that stops sending with a clear message and loses
//! nothing.

use super::root;
use super::sync::Keyring;
use partnerdesk_sim::smtp::{start_sink, SinkConfig};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn pd(k: &Keyring, db: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_partnerdesk"));
    c.args(args)
        .env(
            "PARTNERDESK_DATABASE_URL",
            format!("sqlite:{}", db.display()),
        )
        .env_remove("PARTNERDESK_DATA_DIR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    k.env(&mut c);
    let mut child = c.spawn().expect("the partnerdesk binary runs");
    if let Some(mut i) = child.stdin.take() {
        if let Some(text) = stdin {
            i.write_all(text.as_bytes()).expect("stdin");
        }
    }
    child.wait_with_output().expect("partnerdesk ends")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn an_announcement_goes_out_over_smtp_and_a_refused_login_keeps_it_queued() {
    let keyring = Keyring::start();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().unwrap();
    let sink = rt
        .block_on(start_sink(
            SinkConfig {
                user: Some("mailer".into()),
                password: Some("smtp-pass-42".into()),
                starttls: true,
                ..Default::default()
            },
            0,
        ))
        .expect("the SMTP sink starts");
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &sink.ca_pem).unwrap();
    let db = dir.path().join("pd.db");
    let folder = root().join("tests/fixtures/scenario-a");
    let o = pd(&keyring, &db, &["import", folder.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", text(&o));
    let port = sink.addr.port().to_string();
    let set = |password: &str| {
        pd(
            &keyring,
            &db,
            &[
                "mail",
                "smtp",
                "set",
                "--host",
                "localhost",
                "--port",
                &port,
                "--user",
                "mailer",
                "--from",
                "partners@operator.example",
                "--from-name",
                "Operator Ltd",
                "--ca",
                ca.to_str().unwrap(),
                "--password",
            ],
            Some(&format!("{password}\n")),
        )
    };
    let o = set("wrong-pass");
    assert!(o.status.success(), "{}", text(&o));
    let body = dir.path().join("body.txt");
    std::fs::write(
        &body,
        "Dear {{ partner.name }},\n\nour new brand is live.\n",
    )
    .unwrap();
    let o = pd(
        &keyring,
        &db,
        &[
            "mail",
            "announce",
            "--subject",
            "News for {{ partner.name }}",
            "--body-file",
            body.to_str().unwrap(),
            "--status",
            "active",
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let queued: u64 = text(&o)
        .split("queued ")
        .nth(1)
        .and_then(|t| t.split(',').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("a count in {}", text(&o)));
    assert!(queued > 0);

    // The wrong password: sending stops, says what to do, nothing is lost.
    let o = pd(&keyring, &db, &["mail", "send"], None);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("refused the login") && text(&o).contains("Settings → E-mail"),
        "{}",
        text(&o)
    );
    let o = pd(
        &keyring,
        &db,
        &["mail", "outbox", "--status", "queued"],
        None,
    );
    assert!(
        text(&o).starts_with(&format!("queued {queued},")),
        "{}",
        text(&o)
    );
    assert!(sink.messages().is_empty());

    let o = set("smtp-pass-42");
    assert!(o.status.success(), "{}", text(&o));
    let o = pd(&keyring, &db, &["mail", "smtp", "test"], None);
    assert!(o.status.success(), "{}", text(&o));
    let o = pd(&keyring, &db, &["mail", "send"], None);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains(&format!("sent {queued}, failed 0")),
        "{}",
        text(&o)
    );
    let got = sink.messages();
    assert_eq!(got.len() as u64, queued);
    let first = String::from_utf8_lossy(&got[0].data).to_string();
    assert!(first.contains("Subject: News for "), "{first}");
    assert!(got
        .iter()
        .all(|m| m.tls && m.login.as_deref() == Some("mailer")));

    // The password is in the keyring, not in the database file.
    for file in [db.clone(), dir.path().join("pd.db-wal")] {
        if let Ok(bytes) = std::fs::read(&file) {
            let t = String::from_utf8_lossy(&bytes);
            assert!(
                !t.contains("smtp-pass-42") && !t.contains("wrong-pass"),
                "a password in {}",
                file.display()
            );
        }
    }
    let o = pd(&keyring, &db, &["mail", "log", "P0001"], None);
    assert!(o.status.success(), "{}", text(&o));
}
