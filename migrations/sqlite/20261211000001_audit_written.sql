-- The audit log keeps, outside its own table, the position of the last entry
-- Partnerdesk wrote (meta 'audit_written'), so that `audit verify` can tell
-- an emptied log or a cut end from an intact one without a kept head.
INSERT INTO meta (key, value)
SELECT 'audit_written', CAST(COALESCE(MAX(seq), 0) AS TEXT) FROM audit_log WHERE true
ON CONFLICT (key) DO NOTHING;

-- Entries are no longer sealed when the database opens (a row put in
-- directly was adopted into the chain that way): an entry without a chain
-- position stays outside the chain, and `audit verify` names it. So no
-- entry may be updated at all any more.
DROP TRIGGER audit_log_no_update;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only');
END;
