-- The engine state carried past each computed period (carry-over, cumulative
-- CPA sums, FTDs, purchase earnings), so a run starts at the first period
-- whose data changed. Rows from the first changed period on are dropped by
-- the next run (meta 'dirty_from').
CREATE TABLE engine_states (
    period TEXT PRIMARY KEY,
    state  TEXT NOT NULL
);
