-- E-mail to partners: templates, announcements, the outbox (which is also the
-- communication log). SMTP settings without the password live in `meta`
-- under 'mail.smtp'; the password is in the OS keyring.

CREATE TABLE mail_templates (
    template_key TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    subject      TEXT NOT NULL,
    body         TEXT NOT NULL,
    auto_send    BIGINT NOT NULL DEFAULT 1,
    updated_at   TEXT NOT NULL,
    updated_by   TEXT NOT NULL
);

CREATE TABLE mail_announcements (
    announcement_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    segment         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    queued          BIGINT NOT NULL,
    skipped         BIGINT NOT NULL,
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL
);

CREATE TABLE mail_outbox (
    outbox_id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    partner_id      TEXT REFERENCES partners (partner_id),
    to_address      TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    template_key    TEXT,
    announcement_id BIGINT REFERENCES mail_announcements (announcement_id),
    attachment_path TEXT,
    attachment_name TEXT,
    status          TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_at TEXT,
    message_id      TEXT,
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    sent_at         TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);
CREATE INDEX mail_outbox_partner ON mail_outbox (partner_id, outbox_id);
