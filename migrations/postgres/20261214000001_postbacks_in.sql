-- Postbacks in (issue 29): how each brand's platform authenticates its
-- events (the secret itself is in the OS keyring, never here), the events
-- taken (one row per brand and event id: a second is a duplicate), and a
-- log of every authenticated postback with its outcome. See docs/decisions.md §21.

CREATE TABLE postback_brands (
    brand_id    TEXT PRIMARY KEY REFERENCES brands (brand_id),
    auth        TEXT NOT NULL CHECK (auth IN ('hmac', 'token')),
    window_secs BIGINT NOT NULL CHECK (window_secs > 0),
    updated_at  TEXT NOT NULL
);

CREATE TABLE postback_events (
    brand_id    TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    event_type  TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    -- A registration's click (its sub-ids go to the partner's postbacks).
    click_id    TEXT,
    received_at TEXT NOT NULL,
    PRIMARY KEY (brand_id, event_id)
);

CREATE TABLE postback_log (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    brand_id    TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    event_type  TEXT NOT NULL,
    received_at TEXT NOT NULL,
    status      BIGINT NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('accepted', 'duplicate', 'refused')),
    reason      TEXT NOT NULL
);
CREATE INDEX postback_events_customer ON postback_events (customer_id, event_type);

CREATE INDEX postback_log_brand ON postback_log (brand_id, id);
