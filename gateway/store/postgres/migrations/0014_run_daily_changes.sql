-- A version per row of `run_daily` (0012), for the reader's pre-merged histograms
-- (gateway/store/histogram_cache.py): `changes` counts the writes that touched the row. Every
-- trigger that adds or removes a run's contribution to a day (insert, delete, an update of a
-- column the summaries depend on) now also adds 1 to it, in the same upsert (no statement more
-- per run). The histogram of a day (`run_histograms`, per workspace) changes only with such a
-- write, so the sum of `changes` over a day's rows (with their count) tells a reader whether the
-- day's merged bins it kept are still the day's: a report reads the bins of the days that
-- changed only, and its cost is the days, not the runs.
--
-- The trigger function is 0012's with the `changes` column added to each `run_daily` upsert.

ALTER TABLE run_daily ADD COLUMN changes BIGINT NOT NULL DEFAULT 0;

CREATE OR REPLACE FUNCTION run_rollups_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
    INSERT INTO run_rollups AS g (workspace_id, process_id, source, status, trigger_type, error_key, runs, total_n, total_sum, queue_n, queue_sum, stat_processed, stat_added, stat_updated, stat_unchanged, stat_skipped, stat_failed, stat_errors, stat_warnings)
    VALUES (OLD.workspace_id, OLD.process_id, OLD.source, OLD.status, OLD.trigger_type, coalesce(OLD.error_category, ''), -1, -1 * (OLD.total_ms IS NOT NULL)::int, -1 * coalesce(OLD.total_ms, 0), -1 * (OLD.queue_ms IS NOT NULL)::int, -1 * coalesce(OLD.queue_ms, 0), -1 * OLD.stat_processed, -1 * OLD.stat_added, -1 * OLD.stat_updated, -1 * OLD.stat_unchanged, -1 * OLD.stat_skipped, -1 * OLD.stat_failed, -1 * OLD.stat_errors, -1 * OLD.stat_warnings)
    ON CONFLICT (workspace_id, process_id, source, status, trigger_type, error_key) DO UPDATE SET runs = g.runs + excluded.runs, total_n = g.total_n + excluded.total_n, total_sum = g.total_sum + excluded.total_sum, queue_n = g.queue_n + excluded.queue_n, queue_sum = g.queue_sum + excluded.queue_sum, stat_processed = g.stat_processed + excluded.stat_processed, stat_added = g.stat_added + excluded.stat_added, stat_updated = g.stat_updated + excluded.stat_updated, stat_unchanged = g.stat_unchanged + excluded.stat_unchanged, stat_skipped = g.stat_skipped + excluded.stat_skipped, stat_failed = g.stat_failed + excluded.stat_failed, stat_errors = g.stat_errors + excluded.stat_errors, stat_warnings = g.stat_warnings + excluded.stat_warnings;
    INSERT INTO run_daily AS g (workspace_id, source, status, day, runs, total_n, total_sum, queue_n, queue_sum, stat_processed, stat_added, stat_updated, stat_unchanged, stat_skipped, stat_failed, stat_errors, stat_warnings, changes)
    VALUES (OLD.workspace_id, OLD.source, OLD.status, (coalesce(OLD.started_at, OLD.created_at) / 86400000000) * 86400000000, -1, -1 * (OLD.total_ms IS NOT NULL)::int, -1 * coalesce(OLD.total_ms, 0), -1 * (OLD.queue_ms IS NOT NULL)::int, -1 * coalesce(OLD.queue_ms, 0), -1 * OLD.stat_processed, -1 * OLD.stat_added, -1 * OLD.stat_updated, -1 * OLD.stat_unchanged, -1 * OLD.stat_skipped, -1 * OLD.stat_failed, -1 * OLD.stat_errors, -1 * OLD.stat_warnings, 1)
    ON CONFLICT (workspace_id, source, status, day) DO UPDATE SET runs = g.runs + excluded.runs, total_n = g.total_n + excluded.total_n, total_sum = g.total_sum + excluded.total_sum, queue_n = g.queue_n + excluded.queue_n, queue_sum = g.queue_sum + excluded.queue_sum, stat_processed = g.stat_processed + excluded.stat_processed, stat_added = g.stat_added + excluded.stat_added, stat_updated = g.stat_updated + excluded.stat_updated, stat_unchanged = g.stat_unchanged + excluded.stat_unchanged, stat_skipped = g.stat_skipped + excluded.stat_skipped, stat_failed = g.stat_failed + excluded.stat_failed, stat_errors = g.stat_errors + excluded.stat_errors, stat_warnings = g.stat_warnings + excluded.stat_warnings, changes = g.changes + 1;
    IF OLD.total_ms IS NOT NULL THEN
        INSERT INTO run_histograms AS h (workspace_id, measure, day, bin, runs)
        VALUES (OLD.workspace_id, 'total', (coalesce(OLD.started_at, OLD.created_at) / 86400000000) * 86400000000, run_duration_bin(OLD.total_ms), -1)
        ON CONFLICT (measure, day, bin, workspace_id) DO UPDATE SET runs = h.runs + excluded.runs;
    END IF;
    IF OLD.queue_ms IS NOT NULL THEN
        INSERT INTO run_histograms AS h (workspace_id, measure, day, bin, runs)
        VALUES (OLD.workspace_id, 'queue', (coalesce(OLD.started_at, OLD.created_at) / 86400000000) * 86400000000, run_duration_bin(OLD.queue_ms), -1)
        ON CONFLICT (measure, day, bin, workspace_id) DO UPDATE SET runs = h.runs + excluded.runs;
    END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO run_rollups AS g (workspace_id, process_id, source, status, trigger_type, error_key, runs, total_n, total_sum, queue_n, queue_sum, stat_processed, stat_added, stat_updated, stat_unchanged, stat_skipped, stat_failed, stat_errors, stat_warnings)
    VALUES (NEW.workspace_id, NEW.process_id, NEW.source, NEW.status, NEW.trigger_type, coalesce(NEW.error_category, ''), 1, 1 * (NEW.total_ms IS NOT NULL)::int, 1 * coalesce(NEW.total_ms, 0), 1 * (NEW.queue_ms IS NOT NULL)::int, 1 * coalesce(NEW.queue_ms, 0), 1 * NEW.stat_processed, 1 * NEW.stat_added, 1 * NEW.stat_updated, 1 * NEW.stat_unchanged, 1 * NEW.stat_skipped, 1 * NEW.stat_failed, 1 * NEW.stat_errors, 1 * NEW.stat_warnings)
    ON CONFLICT (workspace_id, process_id, source, status, trigger_type, error_key) DO UPDATE SET runs = g.runs + excluded.runs, total_n = g.total_n + excluded.total_n, total_sum = g.total_sum + excluded.total_sum, queue_n = g.queue_n + excluded.queue_n, queue_sum = g.queue_sum + excluded.queue_sum, stat_processed = g.stat_processed + excluded.stat_processed, stat_added = g.stat_added + excluded.stat_added, stat_updated = g.stat_updated + excluded.stat_updated, stat_unchanged = g.stat_unchanged + excluded.stat_unchanged, stat_skipped = g.stat_skipped + excluded.stat_skipped, stat_failed = g.stat_failed + excluded.stat_failed, stat_errors = g.stat_errors + excluded.stat_errors, stat_warnings = g.stat_warnings + excluded.stat_warnings;
    INSERT INTO run_daily AS g (workspace_id, source, status, day, runs, total_n, total_sum, queue_n, queue_sum, stat_processed, stat_added, stat_updated, stat_unchanged, stat_skipped, stat_failed, stat_errors, stat_warnings, changes)
    VALUES (NEW.workspace_id, NEW.source, NEW.status, (coalesce(NEW.started_at, NEW.created_at) / 86400000000) * 86400000000, 1, 1 * (NEW.total_ms IS NOT NULL)::int, 1 * coalesce(NEW.total_ms, 0), 1 * (NEW.queue_ms IS NOT NULL)::int, 1 * coalesce(NEW.queue_ms, 0), 1 * NEW.stat_processed, 1 * NEW.stat_added, 1 * NEW.stat_updated, 1 * NEW.stat_unchanged, 1 * NEW.stat_skipped, 1 * NEW.stat_failed, 1 * NEW.stat_errors, 1 * NEW.stat_warnings, 1)
    ON CONFLICT (workspace_id, source, status, day) DO UPDATE SET runs = g.runs + excluded.runs, total_n = g.total_n + excluded.total_n, total_sum = g.total_sum + excluded.total_sum, queue_n = g.queue_n + excluded.queue_n, queue_sum = g.queue_sum + excluded.queue_sum, stat_processed = g.stat_processed + excluded.stat_processed, stat_added = g.stat_added + excluded.stat_added, stat_updated = g.stat_updated + excluded.stat_updated, stat_unchanged = g.stat_unchanged + excluded.stat_unchanged, stat_skipped = g.stat_skipped + excluded.stat_skipped, stat_failed = g.stat_failed + excluded.stat_failed, stat_errors = g.stat_errors + excluded.stat_errors, stat_warnings = g.stat_warnings + excluded.stat_warnings, changes = g.changes + 1;
    IF NEW.total_ms IS NOT NULL THEN
        INSERT INTO run_histograms AS h (workspace_id, measure, day, bin, runs)
        VALUES (NEW.workspace_id, 'total', (coalesce(NEW.started_at, NEW.created_at) / 86400000000) * 86400000000, run_duration_bin(NEW.total_ms), 1)
        ON CONFLICT (measure, day, bin, workspace_id) DO UPDATE SET runs = h.runs + excluded.runs;
    END IF;
    IF NEW.queue_ms IS NOT NULL THEN
        INSERT INTO run_histograms AS h (workspace_id, measure, day, bin, runs)
        VALUES (NEW.workspace_id, 'queue', (coalesce(NEW.started_at, NEW.created_at) / 86400000000) * 86400000000, run_duration_bin(NEW.queue_ms), 1)
        ON CONFLICT (measure, day, bin, workspace_id) DO UPDATE SET runs = h.runs + excluded.runs;
    END IF;
    END IF;
    RETURN NULL;
END $$;
