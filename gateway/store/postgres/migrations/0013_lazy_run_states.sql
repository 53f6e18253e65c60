-- The state of a run after each event (`run_states`, migration 0006) is kept only once the run
-- changes again: until then it is the run's row itself, which `gateway/store/changes.py` reads
-- (the SQLite migration of the same name says why). An UPDATE or DELETE of a run first copies
-- its row, as it is before the change, for its events that have no state yet; an event of a run
-- that is gone (DELETED) takes the tombstone, as before. States kept before stay.

CREATE OR REPLACE FUNCTION run_events_state() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM runs WHERE id = NEW.run_id) THEN
        INSERT INTO run_states SELECT NEW.seq, d.* FROM deleted_runs d WHERE d.id = NEW.run_id;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION runs_state_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO run_states SELECT e.seq, r.* FROM run_events e JOIN runs r ON r.id = e.run_id
    WHERE e.run_id = OLD.id AND NOT EXISTS (SELECT 1 FROM run_states s WHERE s.seq = e.seq);
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER runs_state_kept BEFORE UPDATE OR DELETE ON runs
FOR EACH ROW EXECUTE FUNCTION runs_state_kept();
