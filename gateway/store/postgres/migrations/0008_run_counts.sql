-- How many runs each workspace has in each status, kept by triggers on every write path, as
-- SQLite's 0008 (gateway/store/counts.py reads it).

CREATE TABLE run_counts (
    workspace_id  TEXT NOT NULL,
    status        TEXT NOT NULL,
    runs          BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, status)
);

INSERT INTO run_counts (workspace_id, status, runs)
SELECT workspace_id, status, count(*) FROM runs GROUP BY workspace_id, status;

CREATE FUNCTION run_counts_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE run_counts SET runs = runs - 1
        WHERE workspace_id = OLD.workspace_id AND status = OLD.status;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO run_counts AS c (workspace_id, status, runs)
        VALUES (NEW.workspace_id, NEW.status, 1)
        ON CONFLICT (workspace_id, status) DO UPDATE SET runs = c.runs + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER run_counts_insert AFTER INSERT OR DELETE ON runs
FOR EACH ROW EXECUTE FUNCTION run_counts_change();
CREATE TRIGGER run_counts_update AFTER UPDATE OF workspace_id, status ON runs
FOR EACH ROW WHEN (OLD.workspace_id IS DISTINCT FROM NEW.workspace_id OR OLD.status IS DISTINCT FROM NEW.status)
EXECUTE FUNCTION run_counts_change();
