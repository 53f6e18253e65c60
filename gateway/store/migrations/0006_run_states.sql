-- What run-change filters are evaluated against (gateway/store/changes.py): a subscriber's filter
-- is the compiled SQL of the `runs` list, which reads a run row by column name under the alias
-- `r`, so these tables copy the columns of `runs` (and `activities`).
--
--   run_states          the run's row right after each run event (for DELETED: right before the
--                       deletion), keyed by the event's seq. Filtering a change on it gives the
--                       same answer live and on replay, whenever it is asked.
--   deleted_runs        the last row of every deleted run (a tombstone) ...
--   deleted_activities  ... and its activities, so `activities/any(...)` still sees them.
--
-- Triggers fill them, so every write path (one run, many, any future command) is covered.
-- A later migration that adds a column to `runs` or `activities` must add it to these tables in
-- the same order (tests/store/test_changes.py keeps them in step).
-- Events recorded before this migration have no state row: filtered subscribers skip them.

CREATE TABLE deleted_runs AS SELECT * FROM runs WHERE 0;
CREATE INDEX deleted_runs_by_id ON deleted_runs (id);

CREATE TABLE deleted_activities AS SELECT * FROM activities WHERE 0;
CREATE INDEX deleted_activities_by_run ON deleted_activities (run_id);

CREATE TABLE run_states AS SELECT 0 AS seq, * FROM runs WHERE 0;
CREATE UNIQUE INDEX run_states_by_seq ON run_states (seq);

-- BEFORE DELETE: the run's activities are still there (they go by ON DELETE CASCADE).
CREATE TRIGGER runs_tombstone BEFORE DELETE ON runs BEGIN
    INSERT INTO deleted_runs SELECT * FROM runs WHERE id = old.id;
    INSERT INTO deleted_activities SELECT * FROM activities WHERE run_id = old.id;
END;

CREATE TRIGGER run_events_state AFTER INSERT ON run_events BEGIN
    INSERT INTO run_states SELECT new.seq, * FROM runs WHERE id = new.run_id;
    INSERT INTO run_states SELECT new.seq, * FROM deleted_runs
    WHERE id = new.run_id AND NOT EXISTS (SELECT 1 FROM runs WHERE id = new.run_id);
END;
