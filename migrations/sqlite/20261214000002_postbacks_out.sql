-- Postbacks out (issue 29): partners' own trackers told of their
-- customers' events. A URL per partner and event (with macros), an outbox
-- filled in the transaction that records the event, and a log of every
-- attempt. See docs/decisions.md §21.

CREATE TABLE partner_postbacks (
    partner_id    TEXT NOT NULL REFERENCES partners (partner_id),
    event         TEXT NOT NULL CHECK (event IN ('registration', 'ftd', 'qualified_cpa', 'purchase')),
    url_template  TEXT NOT NULL,
    -- Whether {amount} and {currency} are filled (the operator allows it).
    send_amount   INTEGER NOT NULL CHECK (send_amount IN (0, 1)),
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (partner_id, event)
);

-- One postback to send. state: pending (due at next_at), sending (claimed
-- by a sender until claimed_until), sent, failed (after the last attempt).
-- source says what caused it, once: an event is never queued twice.
CREATE TABLE postback_outbox (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    partner_id    TEXT NOT NULL,
    event         TEXT NOT NULL,
    source        TEXT NOT NULL UNIQUE,
    url           TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_at       TEXT NOT NULL,
    claimed_until TEXT,
    created_at    TEXT NOT NULL,
    last_error    TEXT
);
CREATE INDEX postback_outbox_due ON postback_outbox (state, next_at);
CREATE INDEX postback_outbox_partner ON postback_outbox (partner_id, id);

-- Every attempt: the answer's status, or the error.
CREATE TABLE postback_sends (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    outbox_id   BIGINT NOT NULL,
    partner_id  TEXT NOT NULL,
    at          TEXT NOT NULL,
    attempt     INTEGER NOT NULL,
    status_code INTEGER,
    error       TEXT
);
CREATE INDEX postback_sends_partner ON postback_sends (partner_id, id);
