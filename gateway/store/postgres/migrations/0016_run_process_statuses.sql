-- Runs per process and status, as SQLite's 0016 (gateway/store/rollups.py `by_process` reads it).

CREATE TABLE run_process_statuses (
    process_id    TEXT NOT NULL,
    status        TEXT NOT NULL,
    workspace_id  TEXT NOT NULL,
    runs          BIGINT NOT NULL,
    total_n       BIGINT NOT NULL,
    total_sum     BIGINT NOT NULL,
    queue_n       BIGINT NOT NULL,
    queue_sum     BIGINT NOT NULL,
    stat_processed BIGINT NOT NULL,
    stat_added    BIGINT NOT NULL,
    stat_updated  BIGINT NOT NULL,
    stat_unchanged BIGINT NOT NULL,
    stat_skipped  BIGINT NOT NULL,
    stat_failed   BIGINT NOT NULL,
    stat_errors   BIGINT NOT NULL,
    stat_warnings BIGINT NOT NULL,
    PRIMARY KEY (process_id, status, workspace_id)
);

INSERT INTO run_process_statuses (process_id, status, workspace_id, runs, total_n, total_sum, queue_n, queue_sum, stat_processed, stat_added, stat_updated, stat_unchanged, stat_skipped, stat_failed, stat_errors, stat_warnings)
SELECT r.process_id, r.status, r.workspace_id, count(*), count(r.total_ms), coalesce(sum(r.total_ms), 0), count(r.queue_ms), coalesce(sum(r.queue_ms), 0), coalesce(sum(r.stat_processed), 0), coalesce(sum(r.stat_added), 0), coalesce(sum(r.stat_updated), 0), coalesce(sum(r.stat_unchanged), 0), coalesce(sum(r.stat_skipped), 0), coalesce(sum(r.stat_failed), 0), coalesce(sum(r.stat_errors), 0), coalesce(sum(r.stat_warnings), 0)
FROM runs r GROUP BY r.process_id, r.status, r.workspace_id;

CREATE FUNCTION run_process_statuses_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
    INSERT INTO run_process_statuses AS g (process_id, status, workspace_id, runs, total_n, total_sum, queue_n, queue_sum, stat_processed, stat_added, stat_updated, stat_unchanged, stat_skipped, stat_failed, stat_errors, stat_warnings)
    VALUES (OLD.process_id, OLD.status, OLD.workspace_id, -1, -(OLD.total_ms IS NOT NULL)::int, -coalesce(OLD.total_ms, 0), -(OLD.queue_ms IS NOT NULL)::int, -coalesce(OLD.queue_ms, 0), -OLD.stat_processed, -OLD.stat_added, -OLD.stat_updated, -OLD.stat_unchanged, -OLD.stat_skipped, -OLD.stat_failed, -OLD.stat_errors, -OLD.stat_warnings)
    ON CONFLICT (process_id, status, workspace_id) DO UPDATE SET runs = g.runs + excluded.runs, total_n = g.total_n + excluded.total_n, total_sum = g.total_sum + excluded.total_sum, queue_n = g.queue_n + excluded.queue_n, queue_sum = g.queue_sum + excluded.queue_sum, stat_processed = g.stat_processed + excluded.stat_processed, stat_added = g.stat_added + excluded.stat_added, stat_updated = g.stat_updated + excluded.stat_updated, stat_unchanged = g.stat_unchanged + excluded.stat_unchanged, stat_skipped = g.stat_skipped + excluded.stat_skipped, stat_failed = g.stat_failed + excluded.stat_failed, stat_errors = g.stat_errors + excluded.stat_errors, stat_warnings = g.stat_warnings + excluded.stat_warnings;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO run_process_statuses AS g (process_id, status, workspace_id, runs, total_n, total_sum, queue_n, queue_sum, stat_processed, stat_added, stat_updated, stat_unchanged, stat_skipped, stat_failed, stat_errors, stat_warnings)
    VALUES (NEW.process_id, NEW.status, NEW.workspace_id, 1, (NEW.total_ms IS NOT NULL)::int, coalesce(NEW.total_ms, 0), (NEW.queue_ms IS NOT NULL)::int, coalesce(NEW.queue_ms, 0), NEW.stat_processed, NEW.stat_added, NEW.stat_updated, NEW.stat_unchanged, NEW.stat_skipped, NEW.stat_failed, NEW.stat_errors, NEW.stat_warnings)
    ON CONFLICT (process_id, status, workspace_id) DO UPDATE SET runs = g.runs + excluded.runs, total_n = g.total_n + excluded.total_n, total_sum = g.total_sum + excluded.total_sum, queue_n = g.queue_n + excluded.queue_n, queue_sum = g.queue_sum + excluded.queue_sum, stat_processed = g.stat_processed + excluded.stat_processed, stat_added = g.stat_added + excluded.stat_added, stat_updated = g.stat_updated + excluded.stat_updated, stat_unchanged = g.stat_unchanged + excluded.stat_unchanged, stat_skipped = g.stat_skipped + excluded.stat_skipped, stat_failed = g.stat_failed + excluded.stat_failed, stat_errors = g.stat_errors + excluded.stat_errors, stat_warnings = g.stat_warnings + excluded.stat_warnings;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER run_process_statuses_insert AFTER INSERT OR DELETE ON runs
FOR EACH ROW EXECUTE FUNCTION run_process_statuses_change();
CREATE TRIGGER run_process_statuses_update AFTER UPDATE OF workspace_id, process_id, status, total_ms, queue_ms, stat_processed, stat_added, stat_updated, stat_unchanged, stat_skipped, stat_failed, stat_errors, stat_warnings ON runs
FOR EACH ROW WHEN (OLD.workspace_id IS DISTINCT FROM NEW.workspace_id
  OR OLD.process_id IS DISTINCT FROM NEW.process_id
  OR OLD.status IS DISTINCT FROM NEW.status
  OR OLD.total_ms IS DISTINCT FROM NEW.total_ms
  OR OLD.queue_ms IS DISTINCT FROM NEW.queue_ms
  OR OLD.stat_processed IS DISTINCT FROM NEW.stat_processed
  OR OLD.stat_added IS DISTINCT FROM NEW.stat_added
  OR OLD.stat_updated IS DISTINCT FROM NEW.stat_updated
  OR OLD.stat_unchanged IS DISTINCT FROM NEW.stat_unchanged
  OR OLD.stat_skipped IS DISTINCT FROM NEW.stat_skipped
  OR OLD.stat_failed IS DISTINCT FROM NEW.stat_failed
  OR OLD.stat_errors IS DISTINCT FROM NEW.stat_errors
  OR OLD.stat_warnings IS DISTINCT FROM NEW.stat_warnings)
EXECUTE FUNCTION run_process_statuses_change();
