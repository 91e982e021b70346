-- Sync that loses nothing (issue 25): records a sync could not take wait in
-- a retry list until a later run (or a retry) stores them; customers whose
-- country text named no country are listed with that text; a run keeps its
-- report (unmapped countries, notes such as commissions paid to clients).

CREATE TABLE sync_pending (
    connection  TEXT NOT NULL REFERENCES connections (name) ON DELETE CASCADE,
    stream      TEXT NOT NULL,
    -- Our record's id (trade, order, customer …): stored under it, it is done.
    record_key  TEXT NOT NULL,
    -- The platform's id as people read it (`deal 1234`).
    label       TEXT NOT NULL,
    -- 'raw': the platform's record, not converted; 'record': ours, waiting
    -- for what it refers to (its customer).
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    first_seen  TEXT NOT NULL,
    last_tried  TEXT NOT NULL,
    attempts    BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (connection, stream, record_key)
);

CREATE TABLE sync_unmapped_countries (
    connection  TEXT NOT NULL REFERENCES connections (name) ON DELETE CASCADE,
    customer_id TEXT NOT NULL,
    text        TEXT NOT NULL,
    seen_at     TEXT NOT NULL,
    PRIMARY KEY (connection, customer_id)
);

ALTER TABLE sync_runs ADD COLUMN report TEXT;
