//! `partnerdesk mail …`: SMTP settings, templates, the outbox, sending,
//! announcements and a partner's communication log (thin over app::mail).

use clap::Subcommand;
use partnerdesk_app::mail::{
    self, AnnouncementInput, OutboxQuery, SegmentInput, SmtpSettingsInput, TemplateInput,
};
use partnerdesk_app::{AppError, Context};
use std::io::BufRead;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum MailCmd {
    /// The SMTP server: show, set (the password is read from standard input into the OS keyring), test
    #[command(subcommand)]
    Smtp(SmtpCmd),
    /// Message templates: list, show, set, reset
    #[command(subcommand)]
    Templates(TemplatesCmd),
    /// The outbox, newest first
    Outbox {
        /// queued, sending, sent, failed or cancelled
        #[arg(long)]
        status: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Send the messages that are due now
    Send {
        #[arg(long, default_value_t = 1000)]
        limit: u32,
    },
    /// Queue a failed or cancelled message again
    Retry { id: i64 },
    /// Do not send a queued message
    Cancel { id: i64 },
    /// Queue one message to every partner of a segment that has an e-mail address
    Announce {
        #[arg(long)]
        subject: String,
        /// The message body (variables such as {{ partner.name }} allowed)
        #[arg(long)]
        body_file: PathBuf,
        #[arg(long)]
        kind: Vec<String>,
        #[arg(long)]
        brand: Vec<String>,
        #[arg(long)]
        status: Vec<String>,
        #[arg(long)]
        tag: Vec<String>,
    },
    /// Every message to a partner
    Log { partner: String },
}

#[derive(Subcommand)]
pub enum SmtpCmd {
    Show,
    /// Set the server; with --password, one line of standard input is the password
    Set {
        #[arg(long)]
        host: String,
        #[arg(long, default_value_t = 587)]
        port: u16,
        /// starttls, tls or none
        #[arg(long, default_value = "starttls")]
        security: String,
        #[arg(long, default_value = "")]
        user: String,
        #[arg(long)]
        from: String,
        #[arg(long, default_value = "")]
        from_name: String,
        #[arg(long)]
        reply_to: Option<String>,
        /// A PEM file of a CA to trust (a mail server with a private certificate)
        #[arg(long)]
        ca: Option<PathBuf>,
        /// Read the password from standard input (never from an argument)
        #[arg(long)]
        password: bool,
    },
    /// Connect, secure and log in; with --to, also send a test message
    Test {
        #[arg(long)]
        to: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum TemplatesCmd {
    List,
    Show {
        key: String,
    },
    /// Save a template (a built-in key edits it; another key makes a custom template)
    Set {
        key: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        subject: String,
        #[arg(long)]
        body_file: PathBuf,
        /// Send automatically when its event happens (built-in templates)
        #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
        auto_send: bool,
    },
    /// Put a built-in template back to its default text
    Reset {
        key: String,
    },
}

fn read(path: &PathBuf) -> Result<String, AppError> {
    std::fs::read_to_string(path).map_err(|e| AppError::Io {
        context: format!("cannot read {}", path.display()),
        source: e,
    })
}

fn password_from_stdin() -> Result<String, AppError> {
    errln!("SMTP password: (one line on standard input)");
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| AppError::Io {
            context: "cannot read the password from standard input".into(),
            source: e,
        })?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

pub async fn mail_cmd(ctx: &Context, cmd: MailCmd) -> Result<(), AppError> {
    match cmd {
        MailCmd::Smtp(SmtpCmd::Show) => {
            let s = mail::smtp_get(ctx).await?;
            if !s.configured {
                outln!("e-mail is not set up: partnerdesk mail smtp set --host … --from …");
            } else {
                outln!(
                    "{}:{} ({}) user '{}' from {} <{}>; password {}",
                    s.host,
                    s.port,
                    s.security,
                    s.username,
                    s.from_name,
                    s.from_address,
                    if s.has_password {
                        "in the OS keyring"
                    } else {
                        "not saved"
                    }
                );
                if let Some(w) = &s.warning {
                    errln!("WARNING: {w}");
                }
            }
        }
        MailCmd::Smtp(SmtpCmd::Set {
            host,
            port,
            security,
            user,
            from,
            from_name,
            reply_to,
            ca,
            password,
        }) => {
            let password = if password {
                Some(password_from_stdin()?)
            } else {
                None
            };
            let s = mail::smtp_set(
                ctx,
                SmtpSettingsInput {
                    host,
                    port,
                    security,
                    username: user,
                    from_address: from,
                    from_name,
                    reply_to,
                    extra_ca_pem_path: ca.map(|c| c.display().to_string()),
                    password,
                },
            )
            .await?;
            outln!(
                "saved: {}:{} ({}), password {}",
                s.host,
                s.port,
                s.security,
                if s.has_password {
                    "in the OS keyring"
                } else {
                    "not saved"
                }
            );
            if let Some(w) = &s.warning {
                errln!("WARNING: {w}");
            }
        }
        MailCmd::Smtp(SmtpCmd::Test { to }) => {
            let o = mail::smtp_test(ctx, to).await?;
            if !o.ok {
                return Err(AppError::Refused(o.message));
            }
            outln!("{}", o.message);
        }
        MailCmd::Templates(TemplatesCmd::List) => {
            for t in mail::templates_list(ctx).await? {
                let kind = if t.built_in {
                    if t.auto_send {
                        "built-in, automatic"
                    } else {
                        "built-in, manual"
                    }
                } else {
                    "custom"
                };
                outln!("{:<22} {:<24} {kind}: {}", t.key, t.name, t.subject);
            }
        }
        MailCmd::Templates(TemplatesCmd::Show { key }) => {
            let t = mail::template_get(ctx, &key).await?;
            outln!("Subject: {}\n\n{}", t.subject, t.body);
            outln!(
                "\nvariables: {}",
                t.variables
                    .iter()
                    .map(|v| v.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        MailCmd::Templates(TemplatesCmd::Set {
            key,
            name,
            subject,
            body_file,
            auto_send,
        }) => {
            let body = read(&body_file)?;
            let name = match name {
                Some(n) => n,
                None => mail::template_get(ctx, &key)
                    .await
                    .map(|t| t.name)
                    .unwrap_or_else(|_| key.clone()),
            };
            let t = mail::template_save(
                ctx,
                TemplateInput {
                    key,
                    name,
                    subject,
                    body,
                    auto_send,
                },
            )
            .await?;
            outln!("saved template {}", t.key);
        }
        MailCmd::Templates(TemplatesCmd::Reset { key }) => {
            let t = mail::template_reset(ctx, &key).await?;
            outln!("template {} is back to its default text", t.key);
        }
        MailCmd::Outbox { status, limit } => {
            let page = mail::outbox_list(
                ctx,
                OutboxQuery {
                    status,
                    limit,
                    ..Default::default()
                },
            )
            .await?;
            let c = &page.counts;
            outln!(
                "queued {}, sending {}, sent {}, failed {}, cancelled {}",
                c.queued,
                c.sending,
                c.sent,
                c.failed,
                c.cancelled
            );
            for r in page.rows {
                outln!(
                    "{:>6} {:<9} {:<30} {}{}",
                    r.id,
                    r.status,
                    r.to_address,
                    r.subject,
                    r.last_error.map(|e| format!(" — {e}")).unwrap_or_default()
                );
            }
        }
        MailCmd::Send { limit } => {
            let o = mail::outbox_send_due(ctx, limit).await?;
            outln!(
                "sent {}, failed {}, to retry later {}",
                o.sent,
                o.failed,
                o.retry_later
            );
            if let Some(why) = o.stopped {
                return Err(AppError::Refused(format!("sending stopped: {why}")));
            }
        }
        MailCmd::Retry { id } => {
            let r = mail::outbox_retry(ctx, id).await?;
            outln!("message {} is {}", r.id, r.status);
        }
        MailCmd::Cancel { id } => {
            let r = mail::outbox_cancel(ctx, id).await?;
            outln!("message {} is {}", r.id, r.status);
        }
        MailCmd::Announce {
            subject,
            body_file,
            kind,
            brand,
            status,
            tag,
        } => {
            let body = read(&body_file)?;
            let o = mail::announce(
                ctx,
                AnnouncementInput {
                    segment: SegmentInput {
                        kinds: kind,
                        brands: brand,
                        statuses: status,
                        tags: tag,
                    },
                    subject,
                    body,
                },
            )
            .await?;
            outln!(
                "announcement {}: queued {}, {} partners without an e-mail address skipped",
                o.announcement_id,
                o.queued,
                o.skipped_without_email
            );
        }
        MailCmd::Log { partner } => {
            for e in mail::communication_log(ctx, &partner).await? {
                outln!(
                    "{} {:<9} {} ({})",
                    e.at,
                    e.status,
                    e.subject,
                    e.template_key.unwrap_or_else(|| "announcement".into())
                );
            }
        }
    }
    Ok(())
}
