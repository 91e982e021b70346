-- Platform sync (issue 4): connections, cursors written with the data they
-- cover, run history and per-record errors. Secrets are never stored here:
-- they live in the OS keyring under `connection:<name>:<secret>`.

CREATE TABLE connections (
    name             TEXT PRIMARY KEY,
    kind             TEXT NOT NULL,
    config           TEXT NOT NULL,
    schedule_minutes INTEGER,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);

CREATE TABLE sync_cursors (
    connection TEXT NOT NULL REFERENCES connections (name) ON DELETE CASCADE,
    stream     TEXT NOT NULL,
    cursor     TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (connection, stream)
);

CREATE TABLE sync_runs (
    run_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    connection  TEXT NOT NULL REFERENCES connections (name) ON DELETE CASCADE,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    status      TEXT NOT NULL,
    fetched     INTEGER NOT NULL DEFAULT 0,
    inserted    INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    skipped     INTEGER NOT NULL DEFAULT 0,
    errors      INTEGER NOT NULL DEFAULT 0,
    error       TEXT
);
CREATE INDEX sync_runs_connection ON sync_runs (connection, run_id);

CREATE TABLE sync_errors (
    run_id      INTEGER NOT NULL REFERENCES sync_runs (run_id) ON DELETE CASCADE,
    stream      TEXT NOT NULL,
    external_id TEXT NOT NULL,
    message     TEXT NOT NULL
);
CREATE INDEX sync_errors_run ON sync_errors (run_id);
