-- One transaction per use case (docs/decisions.md, "One transaction per use
-- case"): what lets concurrent writers keep each other's changes.

-- Optimistic concurrency: every update of a partner or a user moves its
-- row_version on by one in SQL and names who made it; an edit made from an
-- older version is refused instead of silently overwriting the newer one.
ALTER TABLE partners ADD COLUMN row_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE partners ADD COLUMN updated_by TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN row_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN updated_by TEXT NOT NULL DEFAULT '';

-- One pending request per (kind, object). Two requests for the same object
-- could wait at once before this index (the check ran outside the writing
-- transaction); the later ones end as rejected, as a withdrawn request does.
UPDATE approvals SET status = 'rejected', decided_at = created_at
 WHERE status = 'pending'
   AND approval_id NOT IN (SELECT MIN(approval_id) FROM approvals WHERE status = 'pending' GROUP BY kind, object_id);
CREATE UNIQUE INDEX approvals_one_pending ON approvals (kind, object_id) WHERE status = 'pending';

-- The data version is counted in SQL (value + 1); its row is always there,
-- so a run can lock it (PostgreSQL) while it takes the changes since the last run.
INSERT INTO meta (key, value) VALUES ('data_version', '0') ON CONFLICT (key) DO NOTHING;
