-- The state of a run after each event (`run_states`, migration 0006) is kept only once the run
-- changes again: until then it is the run's row itself, which `gateway/store/changes.py` reads.
-- Migration 0006 copied the whole row on every event, so an import of 100,000 runs kept a
-- second copy of all of them (the largest table after `activities`, and a fifth of the cost of
-- inserting a run). Now:
--   * an UPDATE or DELETE of a run first copies its row, as it is before the change, for its
--     events that have no state yet (those recorded since its last change: the row is still
--     what it was right after them);
--   * an event of a run that is gone (DELETED) takes the tombstone, as before.
-- States kept before this migration stay; they are read first.

DROP TRIGGER run_events_state;

CREATE TRIGGER run_events_state AFTER INSERT ON run_events
WHEN NOT EXISTS (SELECT 1 FROM runs WHERE id = new.run_id) BEGIN
    INSERT INTO run_states SELECT new.seq, * FROM deleted_runs WHERE id = new.run_id;
END;

CREATE TRIGGER runs_state_before_update BEFORE UPDATE ON runs BEGIN
    INSERT INTO run_states SELECT e.seq, r.* FROM run_events e JOIN runs r ON r.id = e.run_id
    WHERE e.run_id = old.id AND NOT EXISTS (SELECT 1 FROM run_states s WHERE s.seq = e.seq);
END;

CREATE TRIGGER runs_state_before_delete BEFORE DELETE ON runs BEGIN
    INSERT INTO run_states SELECT e.seq, r.* FROM run_events e JOIN runs r ON r.id = e.run_id
    WHERE e.run_id = old.id AND NOT EXISTS (SELECT 1 FROM run_states s WHERE s.seq = e.seq);
END;
