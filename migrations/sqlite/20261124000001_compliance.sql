-- Compliance (capability 8): users and roles, four-eyes approvals, KYC
-- documents, traffic sources, allowed countries, the hash-chained audit log.

CREATE TABLE users (
    user_id         TEXT PRIMARY KEY,
    display_name    TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    roles           TEXT NOT NULL,
    disabled        BIGINT NOT NULL DEFAULT 0,
    failed_attempts BIGINT NOT NULL DEFAULT 0,
    locked_until    TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

-- Four-eyes: a change waits here until approved (or rejected).
CREATE TABLE approval_decisions (
    approval_id BIGINT NOT NULL,
    approver    TEXT NOT NULL,
    decision    TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),
    reason      TEXT NOT NULL,
    at          TEXT NOT NULL,
    PRIMARY KEY (approval_id, approver)
);

CREATE TABLE partner_documents (
    document_id  TEXT PRIMARY KEY,
    partner_id   TEXT NOT NULL REFERENCES partners (partner_id),
    doc_type     TEXT NOT NULL CHECK (doc_type IN ('id', 'company_registration', 'proof_of_address')),
    file_name    TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    media_type   TEXT NOT NULL,
    size_bytes   BIGINT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('submitted', 'approved', 'rejected')),
    uploaded_by  TEXT NOT NULL,
    uploaded_at  TEXT NOT NULL,
    reviewed_by  TEXT,
    reviewed_at  TEXT,
    review_note  TEXT
);
CREATE INDEX partner_documents_partner ON partner_documents (partner_id);

CREATE TABLE traffic_sources (
    source_id   TEXT PRIMARY KEY,
    partner_id  TEXT NOT NULL REFERENCES partners (partner_id),
    kind        TEXT NOT NULL CHECK (kind IN ('website', 'social', 'paid', 'email', 'other')),
    value       TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    declared_by TEXT NOT NULL,
    declared_at TEXT NOT NULL,
    decided_by  TEXT,
    decided_at  TEXT,
    UNIQUE (partner_id, kind, value)
);

-- Countries a partner may send customers from (none: any).
CREATE TABLE partner_allowed_countries (
    partner_id TEXT NOT NULL REFERENCES partners (partner_id),
    country    TEXT NOT NULL,
    PRIMARY KEY (partner_id, country)
);

CREATE TABLE approvals (
    approval_id        INTEGER PRIMARY KEY AUTOINCREMENT,
    kind               TEXT NOT NULL,
    object_type        TEXT NOT NULL,
    object_id          TEXT NOT NULL,
    summary            TEXT NOT NULL,
    payload            TEXT NOT NULL,
    amount             TEXT,
    currency           TEXT,
    required_approvals BIGINT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    maker              TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    decided_at         TEXT
);
CREATE INDEX approvals_status ON approvals (status);

-- The audit log becomes a hash chain: each entry holds its position, the hash
-- of the entry before it and the SHA-256 of its own canonical content.
ALTER TABLE audit_log ADD COLUMN seq BIGINT;
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_log_seq ON audit_log (seq);

-- Entries are never changed or removed (an entry written before the chain
-- existed is sealed once, by the store, when the database opens).
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN OLD.hash IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only');
END;
