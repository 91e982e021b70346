-- Four eyes on what a request is about, not only on who asked: the user who
-- made the object (a payout run's creator, who may not be the user who
-- submitted it) may not decide the request either. NULL: the maker made it.
ALTER TABLE approvals ADD COLUMN object_maker TEXT;

-- Payout runs already waiting get their creator, so the rule holds for them
-- from now on too (a run's id is its request's object id).
UPDATE approvals SET object_maker = (
    SELECT r.created_by FROM payout_runs r WHERE CAST(r.run_id AS TEXT) = approvals.object_id
)
WHERE kind = 'payout.run' AND status = 'pending';
