-- What run-change filters are evaluated against (gateway/store/changes.py), as SQLite's 0006:
--   run_states          the run's row right after each run event (for DELETED: right before the
--                       deletion), keyed by the event's seq;
--   deleted_runs        the last row of every deleted run (a tombstone) ...
--   deleted_activities  ... and its activities, so `activities/any(...)` still sees them.
-- Triggers fill them, so every write path is covered. A later migration that adds a column to
-- `runs` or `activities` must add it to these tables in the same order.

CREATE TABLE deleted_runs (LIKE runs);
CREATE INDEX deleted_runs_by_id ON deleted_runs (id);

CREATE TABLE deleted_activities (LIKE activities);
CREATE INDEX deleted_activities_by_run ON deleted_activities (run_id);

CREATE TABLE run_states (seq BIGINT NOT NULL, LIKE runs);
CREATE UNIQUE INDEX run_states_by_seq ON run_states (seq);

-- BEFORE DELETE: the run's activities are still there (they go by ON DELETE CASCADE).
CREATE FUNCTION runs_tombstone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO deleted_runs SELECT * FROM runs WHERE id = OLD.id;
    INSERT INTO deleted_activities SELECT * FROM activities WHERE run_id = OLD.id;
    RETURN OLD;
END $$;
CREATE TRIGGER runs_tombstone BEFORE DELETE ON runs
FOR EACH ROW EXECUTE FUNCTION runs_tombstone();

CREATE FUNCTION run_events_state() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO run_states SELECT NEW.seq, r.* FROM runs r WHERE r.id = NEW.run_id;
    INSERT INTO run_states SELECT NEW.seq, d.* FROM deleted_runs d
    WHERE d.id = NEW.run_id AND NOT EXISTS (SELECT 1 FROM runs WHERE id = NEW.run_id);
    RETURN NULL;
END $$;
CREATE TRIGGER run_events_state AFTER INSERT ON run_events
FOR EACH ROW EXECUTE FUNCTION run_events_state();
