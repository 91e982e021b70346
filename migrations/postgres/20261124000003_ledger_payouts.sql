-- The partner ledger (append-only), payment details, payout thresholds and
-- holds, payout runs with their items, and the claims that make sure an
-- entry is paid by at most one run.

CREATE TABLE ledger_entries (
    entry_id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    partner_id     TEXT NOT NULL REFERENCES partners (partner_id),
    currency       TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('commission', 'adjustment', 'manual_adjustment', 'payout', 'payout_failed', 'reversal')),
    amount         TEXT NOT NULL,
    effective_date TEXT NOT NULL,
    period         TEXT NOT NULL DEFAULT '',
    brand_id       TEXT NOT NULL DEFAULT '',
    line_kind      TEXT NOT NULL DEFAULT '',
    origin_period  TEXT NOT NULL DEFAULT '',
    -- What posted it, unique: one closed line, one payout item, one reversal … posts once.
    source         TEXT NOT NULL UNIQUE,
    -- A reversal names the entry it cancels; an entry is reversed at most once.
    reverses       BIGINT UNIQUE REFERENCES ledger_entries (entry_id),
    run_id         BIGINT,
    reason         TEXT NOT NULL DEFAULT '',
    posted_at      TEXT NOT NULL,
    posted_by      TEXT NOT NULL
);
CREATE INDEX ledger_entries_partner ON ledger_entries (partner_id, currency, effective_date);
CREATE FUNCTION ledger_entries_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are append-only: post a reversing entry instead';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only();

CREATE TABLE manual_adjustments (
    adjustment_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    partner_id    TEXT NOT NULL REFERENCES partners (partner_id),
    currency      TEXT NOT NULL,
    amount        TEXT NOT NULL,
    -- A correction that reverses an earlier entry exactly (amount is then its negative).
    reverses      BIGINT REFERENCES ledger_entries (entry_id),
    reason        TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
    requested_by  TEXT NOT NULL,
    requested_at  TEXT NOT NULL,
    decided_by    TEXT,
    decided_at    TEXT,
    entry_id      BIGINT REFERENCES ledger_entries (entry_id)
);

CREATE TABLE payment_details (
    partner_id  TEXT PRIMARY KEY REFERENCES partners (partner_id),
    method      TEXT NOT NULL CHECK (method IN ('bank_transfer', 'e_wallet', 'crypto')),
    holder      TEXT NOT NULL,
    account     TEXT NOT NULL,
    bic         TEXT,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL
);

CREATE TABLE payout_thresholds (
    currency TEXT PRIMARY KEY,
    amount   TEXT NOT NULL
);

CREATE TABLE partner_payout_settings (
    partner_id  TEXT PRIMARY KEY REFERENCES partners (partner_id),
    threshold   TEXT,
    hold_reason TEXT,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL
);

CREATE TABLE payout_runs (
    run_id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pay_date     TEXT NOT NULL,
    period       TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    submitted_at TEXT,
    submitted_by TEXT,
    approved_at  TEXT,
    approved_by  TEXT,
    exported_at  TEXT,
    exported_by  TEXT,
    settled_at   TEXT
);

CREATE TABLE payout_items (
    run_id         BIGINT NOT NULL REFERENCES payout_runs (run_id),
    partner_id     TEXT NOT NULL REFERENCES partners (partner_id),
    currency       TEXT NOT NULL,
    amount         TEXT NOT NULL,
    method         TEXT NOT NULL,
    holder         TEXT NOT NULL,
    account        TEXT NOT NULL,
    bic            TEXT,
    state          TEXT NOT NULL CHECK (state IN ('pending', 'paid', 'failed')),
    reference      TEXT,
    failure_reason TEXT,
    payout_entry   BIGINT REFERENCES ledger_entries (entry_id),
    settled_at     TEXT,
    settled_by     TEXT,
    PRIMARY KEY (run_id, partner_id, currency)
);

-- The guarantee: an entry is claimed by at most one payout item, ever
-- (a cancelled run releases its claims; a failed payment posts the amount
-- back as a new, unclaimed entry).
CREATE TABLE payout_claims (
    entry_id   BIGINT PRIMARY KEY REFERENCES ledger_entries (entry_id),
    run_id     BIGINT NOT NULL,
    partner_id TEXT NOT NULL,
    currency   TEXT NOT NULL,
    FOREIGN KEY (run_id, partner_id, currency) REFERENCES payout_items (run_id, partner_id, currency)
);
CREATE INDEX payout_claims_item ON payout_claims (run_id, partner_id, currency);

CREATE TABLE payout_held (
    run_id     BIGINT NOT NULL REFERENCES payout_runs (run_id),
    partner_id TEXT NOT NULL REFERENCES partners (partner_id),
    currency   TEXT NOT NULL,
    amount     TEXT NOT NULL,
    reason     TEXT NOT NULL,
    PRIMARY KEY (run_id, partner_id, currency)
);
