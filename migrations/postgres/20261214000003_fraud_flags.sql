-- Fraud signals (issue 29): flags for compliance to review. A flag never
-- changes money by itself. key names what was flagged, once (a click
-- flood per link, visitor and day; a customer per signal).
-- See docs/decisions.md §21.

CREATE TABLE fraud_flags (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('click_flood', 'no_click', 'self_referral')),
    key         TEXT NOT NULL UNIQUE,
    partner_id  TEXT,
    brand_id    TEXT,
    subject     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('open', 'dismissed', 'confirmed')),
    created_at  TEXT NOT NULL,
    reviewed_by TEXT,
    reviewed_at TEXT,
    note        TEXT
);
CREATE INDEX fraud_flags_state ON fraud_flags (state, id);

-- Partners whose customers must come through a tracking link: a
-- registration without a click is flagged.
CREATE TABLE link_only_partners (
    partner_id TEXT PRIMARY KEY REFERENCES partners (partner_id),
    updated_at TEXT NOT NULL
);
