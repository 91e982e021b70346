-- The engine state carried past each period is now a compact binary record
-- (crates/domain/src/engine/state.rs) instead of text. States stored as text
-- cannot be restored by this version, so they are dropped: the next run
-- computes from the first period and stores new ones.
DROP TABLE engine_states;
CREATE TABLE engine_states (
    period TEXT PRIMARY KEY,
    state  BYTEA NOT NULL
);
