-- Runs per process and status (issue 21 item 3): what `Process.runAggregate` reads for a page's
-- processes when its filter tests only the workspace, the process or the status (counts,
-- rates, sums and means; gateway/store/rollups.py `by_process`). `run_rollups` (0012) holds the
-- same figures split further by source, trigger type and error category: about twice the rows
-- for a page's processes (695 against 363 for the 36 processes of a page of 100 runs at 20,000
-- runs), each wider, and grouped by a sort. This table's key puts a process's statuses side by
-- side, so the read is a seek per process in key order, no sort.
--
-- Kept like run_rollups, by triggers on every write path (one run, many, imports, sync,
-- lifecycle updates, cascades, deletes): a run's contribution added on insert, removed on
-- delete, moved on an update of a column it depends on. Rows that fall to zero stay (readers
-- skip them).

CREATE TABLE run_process_statuses (
    process_id    TEXT NOT NULL,
    status        TEXT NOT NULL,
    workspace_id  TEXT NOT NULL,
    runs          INTEGER NOT NULL,
    total_n       INTEGER NOT NULL,
    total_sum     INTEGER NOT NULL,
    queue_n       INTEGER NOT NULL,
    queue_sum     INTEGER NOT NULL,
    stat_processed INTEGER NOT NULL,
    stat_added    INTEGER NOT NULL,
    stat_updated  INTEGER NOT NULL,
    stat_unchanged INTEGER NOT NULL,
    stat_skipped  INTEGER NOT NULL,
    stat_failed   INTEGER NOT NULL,
    stat_errors   INTEGER NOT NULL,
    stat_warnings INTEGER NOT NULL,
    PRIMARY KEY (process_id, status, workspace_id)
) STRICT, WITHOUT ROWID;

INSERT INTO run_process_statuses (process_id, status, workspace_id, runs, total_n, total_sum, queue_n, queue_sum, stat_processed, stat_added, stat_updated, stat_unchanged, stat_skipped, stat_failed, stat_errors, stat_warnings)
SELECT r.process_id, r.status, r.workspace_id, count(*), count(r.total_ms), coalesce(sum(r.total_ms), 0), count(r.queue_ms), coalesce(sum(r.queue_ms), 0), coalesce(sum(r.stat_processed), 0), coalesce(sum(r.stat_added), 0), coalesce(sum(r.stat_updated), 0), coalesce(sum(r.stat_unchanged), 0), coalesce(sum(r.stat_skipped), 0), coalesce(sum(r.stat_failed), 0), coalesce(sum(r.stat_errors), 0), coalesce(sum(r.stat_warnings), 0)
FROM runs r GROUP BY r.process_id, r.status, r.workspace_id;

CREATE TRIGGER run_process_statuses_insert AFTER INSERT ON runs BEGIN
    INSERT INTO run_process_statuses (process_id, status, workspace_id, runs, total_n, total_sum, queue_n, queue_sum, stat_processed, stat_added, stat_updated, stat_unchanged, stat_skipped, stat_failed, stat_errors, stat_warnings)
    VALUES (new.process_id, new.status, new.workspace_id, 1, (new.total_ms IS NOT NULL), coalesce(new.total_ms, 0), (new.queue_ms IS NOT NULL), coalesce(new.queue_ms, 0), new.stat_processed, new.stat_added, new.stat_updated, new.stat_unchanged, new.stat_skipped, new.stat_failed, new.stat_errors, new.stat_warnings)
    ON CONFLICT (process_id, status, workspace_id) DO UPDATE SET runs = runs + excluded.runs, total_n = total_n + excluded.total_n, total_sum = total_sum + excluded.total_sum, queue_n = queue_n + excluded.queue_n, queue_sum = queue_sum + excluded.queue_sum, stat_processed = stat_processed + excluded.stat_processed, stat_added = stat_added + excluded.stat_added, stat_updated = stat_updated + excluded.stat_updated, stat_unchanged = stat_unchanged + excluded.stat_unchanged, stat_skipped = stat_skipped + excluded.stat_skipped, stat_failed = stat_failed + excluded.stat_failed, stat_errors = stat_errors + excluded.stat_errors, stat_warnings = stat_warnings + excluded.stat_warnings;
END;

CREATE TRIGGER run_process_statuses_delete AFTER DELETE ON runs BEGIN
    INSERT INTO run_process_statuses (process_id, status, workspace_id, runs, total_n, total_sum, queue_n, queue_sum, stat_processed, stat_added, stat_updated, stat_unchanged, stat_skipped, stat_failed, stat_errors, stat_warnings)
    VALUES (old.process_id, old.status, old.workspace_id, -1, -(old.total_ms IS NOT NULL), -coalesce(old.total_ms, 0), -(old.queue_ms IS NOT NULL), -coalesce(old.queue_ms, 0), -old.stat_processed, -old.stat_added, -old.stat_updated, -old.stat_unchanged, -old.stat_skipped, -old.stat_failed, -old.stat_errors, -old.stat_warnings)
    ON CONFLICT (process_id, status, workspace_id) DO UPDATE SET runs = runs + excluded.runs, total_n = total_n + excluded.total_n, total_sum = total_sum + excluded.total_sum, queue_n = queue_n + excluded.queue_n, queue_sum = queue_sum + excluded.queue_sum, stat_processed = stat_processed + excluded.stat_processed, stat_added = stat_added + excluded.stat_added, stat_updated = stat_updated + excluded.stat_updated, stat_unchanged = stat_unchanged + excluded.stat_unchanged, stat_skipped = stat_skipped + excluded.stat_skipped, stat_failed = stat_failed + excluded.stat_failed, stat_errors = stat_errors + excluded.stat_errors, stat_warnings = stat_warnings + excluded.stat_warnings;
END;

CREATE TRIGGER run_process_statuses_update AFTER UPDATE OF workspace_id, process_id, status, total_ms, queue_ms, stat_processed, stat_added, stat_updated, stat_unchanged, stat_skipped, stat_failed, stat_errors, stat_warnings ON runs
WHEN old.workspace_id IS NOT new.workspace_id
  OR old.process_id IS NOT new.process_id
  OR old.status IS NOT new.status
  OR old.total_ms IS NOT new.total_ms
  OR old.queue_ms IS NOT new.queue_ms
  OR old.stat_processed IS NOT new.stat_processed
  OR old.stat_added IS NOT new.stat_added
  OR old.stat_updated IS NOT new.stat_updated
  OR old.stat_unchanged IS NOT new.stat_unchanged
  OR old.stat_skipped IS NOT new.stat_skipped
  OR old.stat_failed IS NOT new.stat_failed
  OR old.stat_errors IS NOT new.stat_errors
  OR old.stat_warnings IS NOT new.stat_warnings BEGIN
    INSERT INTO run_process_statuses (process_id, status, workspace_id, runs, total_n, total_sum, queue_n, queue_sum, stat_processed, stat_added, stat_updated, stat_unchanged, stat_skipped, stat_failed, stat_errors, stat_warnings)
    VALUES (old.process_id, old.status, old.workspace_id, -1, -(old.total_ms IS NOT NULL), -coalesce(old.total_ms, 0), -(old.queue_ms IS NOT NULL), -coalesce(old.queue_ms, 0), -old.stat_processed, -old.stat_added, -old.stat_updated, -old.stat_unchanged, -old.stat_skipped, -old.stat_failed, -old.stat_errors, -old.stat_warnings)
    ON CONFLICT (process_id, status, workspace_id) DO UPDATE SET runs = runs + excluded.runs, total_n = total_n + excluded.total_n, total_sum = total_sum + excluded.total_sum, queue_n = queue_n + excluded.queue_n, queue_sum = queue_sum + excluded.queue_sum, stat_processed = stat_processed + excluded.stat_processed, stat_added = stat_added + excluded.stat_added, stat_updated = stat_updated + excluded.stat_updated, stat_unchanged = stat_unchanged + excluded.stat_unchanged, stat_skipped = stat_skipped + excluded.stat_skipped, stat_failed = stat_failed + excluded.stat_failed, stat_errors = stat_errors + excluded.stat_errors, stat_warnings = stat_warnings + excluded.stat_warnings;
    INSERT INTO run_process_statuses (process_id, status, workspace_id, runs, total_n, total_sum, queue_n, queue_sum, stat_processed, stat_added, stat_updated, stat_unchanged, stat_skipped, stat_failed, stat_errors, stat_warnings)
    VALUES (new.process_id, new.status, new.workspace_id, 1, (new.total_ms IS NOT NULL), coalesce(new.total_ms, 0), (new.queue_ms IS NOT NULL), coalesce(new.queue_ms, 0), new.stat_processed, new.stat_added, new.stat_updated, new.stat_unchanged, new.stat_skipped, new.stat_failed, new.stat_errors, new.stat_warnings)
    ON CONFLICT (process_id, status, workspace_id) DO UPDATE SET runs = runs + excluded.runs, total_n = total_n + excluded.total_n, total_sum = total_sum + excluded.total_sum, queue_n = queue_n + excluded.queue_n, queue_sum = queue_sum + excluded.queue_sum, stat_processed = stat_processed + excluded.stat_processed, stat_added = stat_added + excluded.stat_added, stat_updated = stat_updated + excluded.stat_updated, stat_unchanged = stat_unchanged + excluded.stat_unchanged, stat_skipped = stat_skipped + excluded.stat_skipped, stat_failed = stat_failed + excluded.stat_failed, stat_errors = stat_errors + excluded.stat_errors, stat_warnings = stat_warnings + excluded.stat_warnings;
END;
