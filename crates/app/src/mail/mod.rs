//! E-mail to partners: SMTP settings (the password in the OS keyring),
//! templates with variables and a preview, announcements to a segment, the
//! outbox that sends and retries, and each partner's communication log.
//!
//! Nothing is sent inline: use cases queue messages (in the same transaction
//! as what caused them, so a message exists exactly when its cause was
//! saved) and [`outbox_send_due`] sends what is due. Problems with our own
//! server (a refused login, no connection, TLS) stop a batch and leave its
//! messages queued without using an attempt; problems with one message (the
//! server refuses the recipient or the content) are that message's: a
//! permanent refusal fails it, a temporary one retries on a schedule.

mod announcements;
mod communication;
mod outbox;
mod smtp;
mod templates;
mod triggers;

pub use announcements::*;
pub use communication::*;
pub use outbox::*;
pub use smtp::*;
pub use templates::*;
pub use triggers::*;

const SMTP_META: &str = "mail.smtp";
/// The keyring entry of the SMTP password.
pub const SMTP_PASSWORD_KEY: &str = "smtp:password";
const SECURITIES: [&str; 3] = ["starttls", "tls", "none"];
/// How long a sender holds a message before another may take it over.
const LEASE_SECS: i64 = 10 * 60;
