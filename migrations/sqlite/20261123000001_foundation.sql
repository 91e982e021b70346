-- Partnerdesk foundation schema (SQLite). Money is exact decimal text;
-- times are fixed-width UTC text, so text order is time order.

CREATE TABLE brands (
    brand_id   TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    vertical   TEXT NOT NULL CHECK (vertical IN ('igaming', 'forex', 'prop')),
    currency   TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE brand_geo_blocks (
    brand_id TEXT NOT NULL REFERENCES brands (brand_id),
    country  TEXT NOT NULL,
    PRIMARY KEY (brand_id, country)
);

CREATE TABLE partners (
    partner_id   TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    parent_id    TEXT REFERENCES partners (partner_id),
    email        TEXT,
    country      TEXT,
    currency     TEXT NOT NULL,
    status       TEXT NOT NULL,
    tags         TEXT NOT NULL DEFAULT '',
    notes        TEXT NOT NULL DEFAULT '',
    contact_name TEXT,
    phone        TEXT,
    archived     INTEGER NOT NULL DEFAULT 0,
    search_text  TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX partners_parent ON partners (parent_id);
CREATE INDEX partners_name ON partners (name);

CREATE TABLE tracking_codes (
    brand_id   TEXT NOT NULL REFERENCES brands (brand_id),
    code       TEXT NOT NULL,
    partner_id TEXT NOT NULL REFERENCES partners (partner_id),
    kind       TEXT NOT NULL,
    PRIMARY KEY (brand_id, code)
);
CREATE INDEX tracking_codes_partner ON tracking_codes (partner_id);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    before      TEXT,
    after       TEXT
);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
