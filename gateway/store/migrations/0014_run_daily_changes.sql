-- A version per row of `run_daily` (0012), for the reader's pre-merged histograms
-- (gateway/store/histogram_cache.py): `changes` counts the writes that touched the row. Every
-- trigger that adds or removes a run's contribution to a day (insert, delete, an update of a
-- column the summaries depend on) now also adds 1 to it, in the same upsert (no statement more
-- per run). The histogram of a day (`run_histograms`, per workspace) changes only with such a
-- write, so the sum of `changes` over a day's rows (with their count) tells a reader whether the
-- day's merged bins it kept are still the day's: a report reads the bins of the days that
-- changed only, and its cost is the days, not the runs.
--
-- The triggers are 0012's with the `changes` column added to each `run_daily` upsert.

ALTER TABLE run_daily ADD COLUMN changes INTEGER NOT NULL DEFAULT 0;

DROP TRIGGER run_rollups_insert;
DROP TRIGGER run_rollups_delete;
DROP TRIGGER run_rollups_update;

CREATE TRIGGER run_rollups_insert AFTER INSERT ON runs BEGIN
    INSERT INTO run_rollups (workspace_id, process_id, source, status, trigger_type, error_key, runs, total_n, total_sum, queue_n, queue_sum, stat_processed, stat_added, stat_updated, stat_unchanged, stat_skipped, stat_failed, stat_errors, stat_warnings)
    VALUES (new.workspace_id, new.process_id, new.source, new.status, new.trigger_type, coalesce(new.error_category, ''), 1, (new.total_ms IS NOT NULL), coalesce(new.total_ms, 0), (new.queue_ms IS NOT NULL), coalesce(new.queue_ms, 0), new.stat_processed, new.stat_added, new.stat_updated, new.stat_unchanged, new.stat_skipped, new.stat_failed, new.stat_errors, new.stat_warnings)
    ON CONFLICT (workspace_id, process_id, source, status, trigger_type, error_key) DO UPDATE SET runs = runs + excluded.runs, total_n = total_n + excluded.total_n, total_sum = total_sum + excluded.total_sum, queue_n = queue_n + excluded.queue_n, queue_sum = queue_sum + excluded.queue_sum, stat_processed = stat_processed + excluded.stat_processed, stat_added = stat_added + excluded.stat_added, stat_updated = stat_updated + excluded.stat_updated, stat_unchanged = stat_unchanged + excluded.stat_unchanged, stat_skipped = stat_skipped + excluded.stat_skipped, stat_failed = stat_failed + excluded.stat_failed, stat_errors = stat_errors + excluded.stat_errors, stat_warnings = stat_warnings + excluded.stat_warnings;
    INSERT INTO run_daily (workspace_id, source, status, day, runs, total_n, total_sum, queue_n, queue_sum, stat_processed, stat_added, stat_updated, stat_unchanged, stat_skipped, stat_failed, stat_errors, stat_warnings, changes)
    VALUES (new.workspace_id, new.source, new.status, (coalesce(new.started_at, new.created_at) / 86400000000) * 86400000000, 1, (new.total_ms IS NOT NULL), coalesce(new.total_ms, 0), (new.queue_ms IS NOT NULL), coalesce(new.queue_ms, 0), new.stat_processed, new.stat_added, new.stat_updated, new.stat_unchanged, new.stat_skipped, new.stat_failed, new.stat_errors, new.stat_warnings, 1)
    ON CONFLICT (workspace_id, source, status, day) DO UPDATE SET runs = runs + excluded.runs, total_n = total_n + excluded.total_n, total_sum = total_sum + excluded.total_sum, queue_n = queue_n + excluded.queue_n, queue_sum = queue_sum + excluded.queue_sum, stat_processed = stat_processed + excluded.stat_processed, stat_added = stat_added + excluded.stat_added, stat_updated = stat_updated + excluded.stat_updated, stat_unchanged = stat_unchanged + excluded.stat_unchanged, stat_skipped = stat_skipped + excluded.stat_skipped, stat_failed = stat_failed + excluded.stat_failed, stat_errors = stat_errors + excluded.stat_errors, stat_warnings = stat_warnings + excluded.stat_warnings, changes = changes + 1;
    INSERT INTO run_histograms (workspace_id, measure, day, bin, runs)
    SELECT new.workspace_id, 'total', (coalesce(new.started_at, new.created_at) / 86400000000) * 86400000000,
CASE WHEN new.total_ms < 32 THEN new.total_ms
 WHEN new.total_ms < 64 THEN 16 + (new.total_ms >> 1)
 WHEN new.total_ms < 128 THEN 32 + (new.total_ms >> 2)
 WHEN new.total_ms < 256 THEN 48 + (new.total_ms >> 3)
 WHEN new.total_ms < 512 THEN 64 + (new.total_ms >> 4)
 WHEN new.total_ms < 1024 THEN 80 + (new.total_ms >> 5)
 WHEN new.total_ms < 2048 THEN 96 + (new.total_ms >> 6)
 WHEN new.total_ms < 4096 THEN 112 + (new.total_ms >> 7)
 WHEN new.total_ms < 8192 THEN 128 + (new.total_ms >> 8)
 WHEN new.total_ms < 16384 THEN 144 + (new.total_ms >> 9)
 WHEN new.total_ms < 32768 THEN 160 + (new.total_ms >> 10)
 WHEN new.total_ms < 65536 THEN 176 + (new.total_ms >> 11)
 WHEN new.total_ms < 131072 THEN 192 + (new.total_ms >> 12)
 WHEN new.total_ms < 262144 THEN 208 + (new.total_ms >> 13)
 WHEN new.total_ms < 524288 THEN 224 + (new.total_ms >> 14)
 WHEN new.total_ms < 1048576 THEN 240 + (new.total_ms >> 15)
 WHEN new.total_ms < 2097152 THEN 256 + (new.total_ms >> 16)
 WHEN new.total_ms < 4194304 THEN 272 + (new.total_ms >> 17)
 WHEN new.total_ms < 8388608 THEN 288 + (new.total_ms >> 18)
 WHEN new.total_ms < 16777216 THEN 304 + (new.total_ms >> 19)
 WHEN new.total_ms < 33554432 THEN 320 + (new.total_ms >> 20)
 WHEN new.total_ms < 67108864 THEN 336 + (new.total_ms >> 21)
 WHEN new.total_ms < 134217728 THEN 352 + (new.total_ms >> 22)
 WHEN new.total_ms < 268435456 THEN 368 + (new.total_ms >> 23)
 WHEN new.total_ms < 536870912 THEN 384 + (new.total_ms >> 24)
 WHEN new.total_ms < 1073741824 THEN 400 + (new.total_ms >> 25)
 WHEN new.total_ms < 2147483648 THEN 416 + (new.total_ms >> 26)
 WHEN new.total_ms < 4294967296 THEN 432 + (new.total_ms >> 27)
 WHEN new.total_ms < 8589934592 THEN 448 + (new.total_ms >> 28)
 WHEN new.total_ms < 17179869184 THEN 464 + (new.total_ms >> 29)
 WHEN new.total_ms < 34359738368 THEN 480 + (new.total_ms >> 30)
 WHEN new.total_ms < 68719476736 THEN 496 + (new.total_ms >> 31)
 WHEN new.total_ms < 137438953472 THEN 512 + (new.total_ms >> 32)
 WHEN new.total_ms < 274877906944 THEN 528 + (new.total_ms >> 33)
 WHEN new.total_ms < 549755813888 THEN 544 + (new.total_ms >> 34)
 WHEN new.total_ms < 1099511627776 THEN 560 + (new.total_ms >> 35)
 WHEN new.total_ms < 2199023255552 THEN 576 + (new.total_ms >> 36)
 WHEN new.total_ms < 4398046511104 THEN 592 + (new.total_ms >> 37)
 WHEN new.total_ms < 8796093022208 THEN 608 + (new.total_ms >> 38)
 WHEN new.total_ms < 17592186044416 THEN 624 + (new.total_ms >> 39)
 WHEN new.total_ms < 35184372088832 THEN 640 + (new.total_ms >> 40)
 WHEN new.total_ms < 70368744177664 THEN 656 + (new.total_ms >> 41)
 WHEN new.total_ms < 140737488355328 THEN 672 + (new.total_ms >> 42)
 ELSE 704 END, 1
    WHERE new.total_ms IS NOT NULL
    ON CONFLICT (measure, day, bin, workspace_id) DO UPDATE SET runs = runs + excluded.runs;
    INSERT INTO run_histograms (workspace_id, measure, day, bin, runs)
    SELECT new.workspace_id, 'queue', (coalesce(new.started_at, new.created_at) / 86400000000) * 86400000000,
CASE WHEN new.queue_ms < 32 THEN new.queue_ms
 WHEN new.queue_ms < 64 THEN 16 + (new.queue_ms >> 1)
 WHEN new.queue_ms < 128 THEN 32 + (new.queue_ms >> 2)
 WHEN new.queue_ms < 256 THEN 48 + (new.queue_ms >> 3)
 WHEN new.queue_ms < 512 THEN 64 + (new.queue_ms >> 4)
 WHEN new.queue_ms < 1024 THEN 80 + (new.queue_ms >> 5)
 WHEN new.queue_ms < 2048 THEN 96 + (new.queue_ms >> 6)
 WHEN new.queue_ms < 4096 THEN 112 + (new.queue_ms >> 7)
 WHEN new.queue_ms < 8192 THEN 128 + (new.queue_ms >> 8)
 WHEN new.queue_ms < 16384 THEN 144 + (new.queue_ms >> 9)
 WHEN new.queue_ms < 32768 THEN 160 + (new.queue_ms >> 10)
 WHEN new.queue_ms < 65536 THEN 176 + (new.queue_ms >> 11)
 WHEN new.queue_ms < 131072 THEN 192 + (new.queue_ms >> 12)
 WHEN new.queue_ms < 262144 THEN 208 + (new.queue_ms >> 13)
 WHEN new.queue_ms < 524288 THEN 224 + (new.queue_ms >> 14)
 WHEN new.queue_ms < 1048576 THEN 240 + (new.queue_ms >> 15)
 WHEN new.queue_ms < 2097152 THEN 256 + (new.queue_ms >> 16)
 WHEN new.queue_ms < 4194304 THEN 272 + (new.queue_ms >> 17)
 WHEN new.queue_ms < 8388608 THEN 288 + (new.queue_ms >> 18)
 WHEN new.queue_ms < 16777216 THEN 304 + (new.queue_ms >> 19)
 WHEN new.queue_ms < 33554432 THEN 320 + (new.queue_ms >> 20)
 WHEN new.queue_ms < 67108864 THEN 336 + (new.queue_ms >> 21)
 WHEN new.queue_ms < 134217728 THEN 352 + (new.queue_ms >> 22)
 WHEN new.queue_ms < 268435456 THEN 368 + (new.queue_ms >> 23)
 WHEN new.queue_ms < 536870912 THEN 384 + (new.queue_ms >> 24)
 WHEN new.queue_ms < 1073741824 THEN 400 + (new.queue_ms >> 25)
 WHEN new.queue_ms < 2147483648 THEN 416 + (new.queue_ms >> 26)
 WHEN new.queue_ms < 4294967296 THEN 432 + (new.queue_ms >> 27)
 WHEN new.queue_ms < 8589934592 THEN 448 + (new.queue_ms >> 28)
 WHEN new.queue_ms < 17179869184 THEN 464 + (new.queue_ms >> 29)
 WHEN new.queue_ms < 34359738368 THEN 480 + (new.queue_ms >> 30)
 WHEN new.queue_ms < 68719476736 THEN 496 + (new.queue_ms >> 31)
 WHEN new.queue_ms < 137438953472 THEN 512 + (new.queue_ms >> 32)
 WHEN new.queue_ms < 274877906944 THEN 528 + (new.queue_ms >> 33)
 WHEN new.queue_ms < 549755813888 THEN 544 + (new.queue_ms >> 34)
 WHEN new.queue_ms < 1099511627776 THEN 560 + (new.queue_ms >> 35)
 WHEN new.queue_ms < 2199023255552 THEN 576 + (new.queue_ms >> 36)
 WHEN new.queue_ms < 4398046511104 THEN 592 + (new.queue_ms >> 37)
 WHEN new.queue_ms < 8796093022208 THEN 608 + (new.queue_ms >> 38)
 WHEN new.queue_ms < 17592186044416 THEN 624 + (new.queue_ms >> 39)
 WHEN new.queue_ms < 35184372088832 THEN 640 + (new.queue_ms >> 40)
 WHEN new.queue_ms < 70368744177664 THEN 656 + (new.queue_ms >> 41)
 WHEN new.queue_ms < 140737488355328 THEN 672 + (new.queue_ms >> 42)
 ELSE 704 END, 1
    WHERE new.queue_ms IS NOT NULL
    ON CONFLICT (measure, day, bin, workspace_id) DO UPDATE SET runs = runs + excluded.runs;
END;

CREATE TRIGGER run_rollups_delete AFTER DELETE ON runs BEGIN
    INSERT INTO run_rollups (workspace_id, process_id, source, status, trigger_type, error_key, runs, total_n, total_sum, queue_n, queue_sum, stat_processed, stat_added, stat_updated, stat_unchanged, stat_skipped, stat_failed, stat_errors, stat_warnings)
    VALUES (old.workspace_id, old.process_id, old.source, old.status, old.trigger_type, coalesce(old.error_category, ''), -1, -(old.total_ms IS NOT NULL), -coalesce(old.total_ms, 0), -(old.queue_ms IS NOT NULL), -coalesce(old.queue_ms, 0), -old.stat_processed, -old.stat_added, -old.stat_updated, -old.stat_unchanged, -old.stat_skipped, -old.stat_failed, -old.stat_errors, -old.stat_warnings)
    ON CONFLICT (workspace_id, process_id, source, status, trigger_type, error_key) DO UPDATE SET runs = runs + excluded.runs, total_n = total_n + excluded.total_n, total_sum = total_sum + excluded.total_sum, queue_n = queue_n + excluded.queue_n, queue_sum = queue_sum + excluded.queue_sum, stat_processed = stat_processed + excluded.stat_processed, stat_added = stat_added + excluded.stat_added, stat_updated = stat_updated + excluded.stat_updated, stat_unchanged = stat_unchanged + excluded.stat_unchanged, stat_skipped = stat_skipped + excluded.stat_skipped, stat_failed = stat_failed + excluded.stat_failed, stat_errors = stat_errors + excluded.stat_errors, stat_warnings = stat_warnings + excluded.stat_warnings;
    INSERT INTO run_daily (workspace_id, source, status, day, runs, total_n, total_sum, queue_n, queue_sum, stat_processed, stat_added, stat_updated, stat_unchanged, stat_skipped, stat_failed, stat_errors, stat_warnings, changes)
    VALUES (old.workspace_id, old.source, old.status, (coalesce(old.started_at, old.created_at) / 86400000000) * 86400000000, -1, -(old.total_ms IS NOT NULL), -coalesce(old.total_ms, 0), -(old.queue_ms IS NOT NULL), -coalesce(old.queue_ms, 0), -old.stat_processed, -old.stat_added, -old.stat_updated, -old.stat_unchanged, -old.stat_skipped, -old.stat_failed, -old.stat_errors, -old.stat_warnings, 1)
    ON CONFLICT (workspace_id, source, status, day) DO UPDATE SET runs = runs + excluded.runs, total_n = total_n + excluded.total_n, total_sum = total_sum + excluded.total_sum, queue_n = queue_n + excluded.queue_n, queue_sum = queue_sum + excluded.queue_sum, stat_processed = stat_processed + excluded.stat_processed, stat_added = stat_added + excluded.stat_added, stat_updated = stat_updated + excluded.stat_updated, stat_unchanged = stat_unchanged + excluded.stat_unchanged, stat_skipped = stat_skipped + excluded.stat_skipped, stat_failed = stat_failed + excluded.stat_failed, stat_errors = stat_errors + excluded.stat_errors, stat_warnings = stat_warnings + excluded.stat_warnings, changes = changes + 1;
    INSERT INTO run_histograms (workspace_id, measure, day, bin, runs)
    SELECT old.workspace_id, 'total', (coalesce(old.started_at, old.created_at) / 86400000000) * 86400000000,
CASE WHEN old.total_ms < 32 THEN old.total_ms
 WHEN old.total_ms < 64 THEN 16 + (old.total_ms >> 1)
 WHEN old.total_ms < 128 THEN 32 + (old.total_ms >> 2)
 WHEN old.total_ms < 256 THEN 48 + (old.total_ms >> 3)
 WHEN old.total_ms < 512 THEN 64 + (old.total_ms >> 4)
 WHEN old.total_ms < 1024 THEN 80 + (old.total_ms >> 5)
 WHEN old.total_ms < 2048 THEN 96 + (old.total_ms >> 6)
 WHEN old.total_ms < 4096 THEN 112 + (old.total_ms >> 7)
 WHEN old.total_ms < 8192 THEN 128 + (old.total_ms >> 8)
 WHEN old.total_ms < 16384 THEN 144 + (old.total_ms >> 9)
 WHEN old.total_ms < 32768 THEN 160 + (old.total_ms >> 10)
 WHEN old.total_ms < 65536 THEN 176 + (old.total_ms >> 11)
 WHEN old.total_ms < 131072 THEN 192 + (old.total_ms >> 12)
 WHEN old.total_ms < 262144 THEN 208 + (old.total_ms >> 13)
 WHEN old.total_ms < 524288 THEN 224 + (old.total_ms >> 14)
 WHEN old.total_ms < 1048576 THEN 240 + (old.total_ms >> 15)
 WHEN old.total_ms < 2097152 THEN 256 + (old.total_ms >> 16)
 WHEN old.total_ms < 4194304 THEN 272 + (old.total_ms >> 17)
 WHEN old.total_ms < 8388608 THEN 288 + (old.total_ms >> 18)
 WHEN old.total_ms < 16777216 THEN 304 + (old.total_ms >> 19)
 WHEN old.total_ms < 33554432 THEN 320 + (old.total_ms >> 20)
 WHEN old.total_ms < 67108864 THEN 336 + (old.total_ms >> 21)
 WHEN old.total_ms < 134217728 THEN 352 + (old.total_ms >> 22)
 WHEN old.total_ms < 268435456 THEN 368 + (old.total_ms >> 23)
 WHEN old.total_ms < 536870912 THEN 384 + (old.total_ms >> 24)
 WHEN old.total_ms < 1073741824 THEN 400 + (old.total_ms >> 25)
 WHEN old.total_ms < 2147483648 THEN 416 + (old.total_ms >> 26)
 WHEN old.total_ms < 4294967296 THEN 432 + (old.total_ms >> 27)
 WHEN old.total_ms < 8589934592 THEN 448 + (old.total_ms >> 28)
 WHEN old.total_ms < 17179869184 THEN 464 + (old.total_ms >> 29)
 WHEN old.total_ms < 34359738368 THEN 480 + (old.total_ms >> 30)
 WHEN old.total_ms < 68719476736 THEN 496 + (old.total_ms >> 31)
 WHEN old.total_ms < 137438953472 THEN 512 + (old.total_ms >> 32)
 WHEN old.total_ms < 274877906944 THEN 528 + (old.total_ms >> 33)
 WHEN old.total_ms < 549755813888 THEN 544 + (old.total_ms >> 34)
 WHEN old.total_ms < 1099511627776 THEN 560 + (old.total_ms >> 35)
 WHEN old.total_ms < 2199023255552 THEN 576 + (old.total_ms >> 36)
 WHEN old.total_ms < 4398046511104 THEN 592 + (old.total_ms >> 37)
 WHEN old.total_ms < 8796093022208 THEN 608 + (old.total_ms >> 38)
 WHEN old.total_ms < 17592186044416 THEN 624 + (old.total_ms >> 39)
 WHEN old.total_ms < 35184372088832 THEN 640 + (old.total_ms >> 40)
 WHEN old.total_ms < 70368744177664 THEN 656 + (old.total_ms >> 41)
 WHEN old.total_ms < 140737488355328 THEN 672 + (old.total_ms >> 42)
 ELSE 704 END, -1
    WHERE old.total_ms IS NOT NULL
    ON CONFLICT (measure, day, bin, workspace_id) DO UPDATE SET runs = runs + excluded.runs;
    INSERT INTO run_histograms (workspace_id, measure, day, bin, runs)
    SELECT old.workspace_id, 'queue', (coalesce(old.started_at, old.created_at) / 86400000000) * 86400000000,
CASE WHEN old.queue_ms < 32 THEN old.queue_ms
 WHEN old.queue_ms < 64 THEN 16 + (old.queue_ms >> 1)
 WHEN old.queue_ms < 128 THEN 32 + (old.queue_ms >> 2)
 WHEN old.queue_ms < 256 THEN 48 + (old.queue_ms >> 3)
 WHEN old.queue_ms < 512 THEN 64 + (old.queue_ms >> 4)
 WHEN old.queue_ms < 1024 THEN 80 + (old.queue_ms >> 5)
 WHEN old.queue_ms < 2048 THEN 96 + (old.queue_ms >> 6)
 WHEN old.queue_ms < 4096 THEN 112 + (old.queue_ms >> 7)
 WHEN old.queue_ms < 8192 THEN 128 + (old.queue_ms >> 8)
 WHEN old.queue_ms < 16384 THEN 144 + (old.queue_ms >> 9)
 WHEN old.queue_ms < 32768 THEN 160 + (old.queue_ms >> 10)
 WHEN old.queue_ms < 65536 THEN 176 + (old.queue_ms >> 11)
 WHEN old.queue_ms < 131072 THEN 192 + (old.queue_ms >> 12)
 WHEN old.queue_ms < 262144 THEN 208 + (old.queue_ms >> 13)
 WHEN old.queue_ms < 524288 THEN 224 + (old.queue_ms >> 14)
 WHEN old.queue_ms < 1048576 THEN 240 + (old.queue_ms >> 15)
 WHEN old.queue_ms < 2097152 THEN 256 + (old.queue_ms >> 16)
 WHEN old.queue_ms < 4194304 THEN 272 + (old.queue_ms >> 17)
 WHEN old.queue_ms < 8388608 THEN 288 + (old.queue_ms >> 18)
 WHEN old.queue_ms < 16777216 THEN 304 + (old.queue_ms >> 19)
 WHEN old.queue_ms < 33554432 THEN 320 + (old.queue_ms >> 20)
 WHEN old.queue_ms < 67108864 THEN 336 + (old.queue_ms >> 21)
 WHEN old.queue_ms < 134217728 THEN 352 + (old.queue_ms >> 22)
 WHEN old.queue_ms < 268435456 THEN 368 + (old.queue_ms >> 23)
 WHEN old.queue_ms < 536870912 THEN 384 + (old.queue_ms >> 24)
 WHEN old.queue_ms < 1073741824 THEN 400 + (old.queue_ms >> 25)
 WHEN old.queue_ms < 2147483648 THEN 416 + (old.queue_ms >> 26)
 WHEN old.queue_ms < 4294967296 THEN 432 + (old.queue_ms >> 27)
 WHEN old.queue_ms < 8589934592 THEN 448 + (old.queue_ms >> 28)
 WHEN old.queue_ms < 17179869184 THEN 464 + (old.queue_ms >> 29)
 WHEN old.queue_ms < 34359738368 THEN 480 + (old.queue_ms >> 30)
 WHEN old.queue_ms < 68719476736 THEN 496 + (old.queue_ms >> 31)
 WHEN old.queue_ms < 137438953472 THEN 512 + (old.queue_ms >> 32)
 WHEN old.queue_ms < 274877906944 THEN 528 + (old.queue_ms >> 33)
 WHEN old.queue_ms < 549755813888 THEN 544 + (old.queue_ms >> 34)
 WHEN old.queue_ms < 1099511627776 THEN 560 + (old.queue_ms >> 35)
 WHEN old.queue_ms < 2199023255552 THEN 576 + (old.queue_ms >> 36)
 WHEN old.queue_ms < 4398046511104 THEN 592 + (old.queue_ms >> 37)
 WHEN old.queue_ms < 8796093022208 THEN 608 + (old.queue_ms >> 38)
 WHEN old.queue_ms < 17592186044416 THEN 624 + (old.queue_ms >> 39)
 WHEN old.queue_ms < 35184372088832 THEN 640 + (old.queue_ms >> 40)
 WHEN old.queue_ms < 70368744177664 THEN 656 + (old.queue_ms >> 41)
 WHEN old.queue_ms < 140737488355328 THEN 672 + (old.queue_ms >> 42)
 ELSE 704 END, -1
    WHERE old.queue_ms IS NOT NULL
    ON CONFLICT (measure, day, bin, workspace_id) DO UPDATE SET runs = runs + excluded.runs;
END;

CREATE TRIGGER run_rollups_update AFTER UPDATE OF workspace_id, process_id, source, status, trigger_type, error_category, started_at, created_at, total_ms, queue_ms, stat_processed, stat_added, stat_updated, stat_unchanged, stat_skipped, stat_failed, stat_errors, stat_warnings ON runs
WHEN old.workspace_id IS NOT new.workspace_id
  OR old.process_id IS NOT new.process_id
  OR old.source IS NOT new.source
  OR old.status IS NOT new.status
  OR old.trigger_type IS NOT new.trigger_type
  OR old.error_category IS NOT new.error_category
  OR old.started_at IS NOT new.started_at
  OR old.created_at IS NOT new.created_at
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
    INSERT INTO run_rollups (workspace_id, process_id, source, status, trigger_type, error_key, runs, total_n, total_sum, queue_n, queue_sum, stat_processed, stat_added, stat_updated, stat_unchanged, stat_skipped, stat_failed, stat_errors, stat_warnings)
    VALUES (old.workspace_id, old.process_id, old.source, old.status, old.trigger_type, coalesce(old.error_category, ''), -1, -(old.total_ms IS NOT NULL), -coalesce(old.total_ms, 0), -(old.queue_ms IS NOT NULL), -coalesce(old.queue_ms, 0), -old.stat_processed, -old.stat_added, -old.stat_updated, -old.stat_unchanged, -old.stat_skipped, -old.stat_failed, -old.stat_errors, -old.stat_warnings)
    ON CONFLICT (workspace_id, process_id, source, status, trigger_type, error_key) DO UPDATE SET runs = runs + excluded.runs, total_n = total_n + excluded.total_n, total_sum = total_sum + excluded.total_sum, queue_n = queue_n + excluded.queue_n, queue_sum = queue_sum + excluded.queue_sum, stat_processed = stat_processed + excluded.stat_processed, stat_added = stat_added + excluded.stat_added, stat_updated = stat_updated + excluded.stat_updated, stat_unchanged = stat_unchanged + excluded.stat_unchanged, stat_skipped = stat_skipped + excluded.stat_skipped, stat_failed = stat_failed + excluded.stat_failed, stat_errors = stat_errors + excluded.stat_errors, stat_warnings = stat_warnings + excluded.stat_warnings;
    INSERT INTO run_daily (workspace_id, source, status, day, runs, total_n, total_sum, queue_n, queue_sum, stat_processed, stat_added, stat_updated, stat_unchanged, stat_skipped, stat_failed, stat_errors, stat_warnings, changes)
    VALUES (old.workspace_id, old.source, old.status, (coalesce(old.started_at, old.created_at) / 86400000000) * 86400000000, -1, -(old.total_ms IS NOT NULL), -coalesce(old.total_ms, 0), -(old.queue_ms IS NOT NULL), -coalesce(old.queue_ms, 0), -old.stat_processed, -old.stat_added, -old.stat_updated, -old.stat_unchanged, -old.stat_skipped, -old.stat_failed, -old.stat_errors, -old.stat_warnings, 1)
    ON CONFLICT (workspace_id, source, status, day) DO UPDATE SET runs = runs + excluded.runs, total_n = total_n + excluded.total_n, total_sum = total_sum + excluded.total_sum, queue_n = queue_n + excluded.queue_n, queue_sum = queue_sum + excluded.queue_sum, stat_processed = stat_processed + excluded.stat_processed, stat_added = stat_added + excluded.stat_added, stat_updated = stat_updated + excluded.stat_updated, stat_unchanged = stat_unchanged + excluded.stat_unchanged, stat_skipped = stat_skipped + excluded.stat_skipped, stat_failed = stat_failed + excluded.stat_failed, stat_errors = stat_errors + excluded.stat_errors, stat_warnings = stat_warnings + excluded.stat_warnings, changes = changes + 1;
    INSERT INTO run_histograms (workspace_id, measure, day, bin, runs)
    SELECT old.workspace_id, 'total', (coalesce(old.started_at, old.created_at) / 86400000000) * 86400000000,
CASE WHEN old.total_ms < 32 THEN old.total_ms
 WHEN old.total_ms < 64 THEN 16 + (old.total_ms >> 1)
 WHEN old.total_ms < 128 THEN 32 + (old.total_ms >> 2)
 WHEN old.total_ms < 256 THEN 48 + (old.total_ms >> 3)
 WHEN old.total_ms < 512 THEN 64 + (old.total_ms >> 4)
 WHEN old.total_ms < 1024 THEN 80 + (old.total_ms >> 5)
 WHEN old.total_ms < 2048 THEN 96 + (old.total_ms >> 6)
 WHEN old.total_ms < 4096 THEN 112 + (old.total_ms >> 7)
 WHEN old.total_ms < 8192 THEN 128 + (old.total_ms >> 8)
 WHEN old.total_ms < 16384 THEN 144 + (old.total_ms >> 9)
 WHEN old.total_ms < 32768 THEN 160 + (old.total_ms >> 10)
 WHEN old.total_ms < 65536 THEN 176 + (old.total_ms >> 11)
 WHEN old.total_ms < 131072 THEN 192 + (old.total_ms >> 12)
 WHEN old.total_ms < 262144 THEN 208 + (old.total_ms >> 13)
 WHEN old.total_ms < 524288 THEN 224 + (old.total_ms >> 14)
 WHEN old.total_ms < 1048576 THEN 240 + (old.total_ms >> 15)
 WHEN old.total_ms < 2097152 THEN 256 + (old.total_ms >> 16)
 WHEN old.total_ms < 4194304 THEN 272 + (old.total_ms >> 17)
 WHEN old.total_ms < 8388608 THEN 288 + (old.total_ms >> 18)
 WHEN old.total_ms < 16777216 THEN 304 + (old.total_ms >> 19)
 WHEN old.total_ms < 33554432 THEN 320 + (old.total_ms >> 20)
 WHEN old.total_ms < 67108864 THEN 336 + (old.total_ms >> 21)
 WHEN old.total_ms < 134217728 THEN 352 + (old.total_ms >> 22)
 WHEN old.total_ms < 268435456 THEN 368 + (old.total_ms >> 23)
 WHEN old.total_ms < 536870912 THEN 384 + (old.total_ms >> 24)
 WHEN old.total_ms < 1073741824 THEN 400 + (old.total_ms >> 25)
 WHEN old.total_ms < 2147483648 THEN 416 + (old.total_ms >> 26)
 WHEN old.total_ms < 4294967296 THEN 432 + (old.total_ms >> 27)
 WHEN old.total_ms < 8589934592 THEN 448 + (old.total_ms >> 28)
 WHEN old.total_ms < 17179869184 THEN 464 + (old.total_ms >> 29)
 WHEN old.total_ms < 34359738368 THEN 480 + (old.total_ms >> 30)
 WHEN old.total_ms < 68719476736 THEN 496 + (old.total_ms >> 31)
 WHEN old.total_ms < 137438953472 THEN 512 + (old.total_ms >> 32)
 WHEN old.total_ms < 274877906944 THEN 528 + (old.total_ms >> 33)
 WHEN old.total_ms < 549755813888 THEN 544 + (old.total_ms >> 34)
 WHEN old.total_ms < 1099511627776 THEN 560 + (old.total_ms >> 35)
 WHEN old.total_ms < 2199023255552 THEN 576 + (old.total_ms >> 36)
 WHEN old.total_ms < 4398046511104 THEN 592 + (old.total_ms >> 37)
 WHEN old.total_ms < 8796093022208 THEN 608 + (old.total_ms >> 38)
 WHEN old.total_ms < 17592186044416 THEN 624 + (old.total_ms >> 39)
 WHEN old.total_ms < 35184372088832 THEN 640 + (old.total_ms >> 40)
 WHEN old.total_ms < 70368744177664 THEN 656 + (old.total_ms >> 41)
 WHEN old.total_ms < 140737488355328 THEN 672 + (old.total_ms >> 42)
 ELSE 704 END, -1
    WHERE old.total_ms IS NOT NULL
    ON CONFLICT (measure, day, bin, workspace_id) DO UPDATE SET runs = runs + excluded.runs;
    INSERT INTO run_histograms (workspace_id, measure, day, bin, runs)
    SELECT old.workspace_id, 'queue', (coalesce(old.started_at, old.created_at) / 86400000000) * 86400000000,
CASE WHEN old.queue_ms < 32 THEN old.queue_ms
 WHEN old.queue_ms < 64 THEN 16 + (old.queue_ms >> 1)
 WHEN old.queue_ms < 128 THEN 32 + (old.queue_ms >> 2)
 WHEN old.queue_ms < 256 THEN 48 + (old.queue_ms >> 3)
 WHEN old.queue_ms < 512 THEN 64 + (old.queue_ms >> 4)
 WHEN old.queue_ms < 1024 THEN 80 + (old.queue_ms >> 5)
 WHEN old.queue_ms < 2048 THEN 96 + (old.queue_ms >> 6)
 WHEN old.queue_ms < 4096 THEN 112 + (old.queue_ms >> 7)
 WHEN old.queue_ms < 8192 THEN 128 + (old.queue_ms >> 8)
 WHEN old.queue_ms < 16384 THEN 144 + (old.queue_ms >> 9)
 WHEN old.queue_ms < 32768 THEN 160 + (old.queue_ms >> 10)
 WHEN old.queue_ms < 65536 THEN 176 + (old.queue_ms >> 11)
 WHEN old.queue_ms < 131072 THEN 192 + (old.queue_ms >> 12)
 WHEN old.queue_ms < 262144 THEN 208 + (old.queue_ms >> 13)
 WHEN old.queue_ms < 524288 THEN 224 + (old.queue_ms >> 14)
 WHEN old.queue_ms < 1048576 THEN 240 + (old.queue_ms >> 15)
 WHEN old.queue_ms < 2097152 THEN 256 + (old.queue_ms >> 16)
 WHEN old.queue_ms < 4194304 THEN 272 + (old.queue_ms >> 17)
 WHEN old.queue_ms < 8388608 THEN 288 + (old.queue_ms >> 18)
 WHEN old.queue_ms < 16777216 THEN 304 + (old.queue_ms >> 19)
 WHEN old.queue_ms < 33554432 THEN 320 + (old.queue_ms >> 20)
 WHEN old.queue_ms < 67108864 THEN 336 + (old.queue_ms >> 21)
 WHEN old.queue_ms < 134217728 THEN 352 + (old.queue_ms >> 22)
 WHEN old.queue_ms < 268435456 THEN 368 + (old.queue_ms >> 23)
 WHEN old.queue_ms < 536870912 THEN 384 + (old.queue_ms >> 24)
 WHEN old.queue_ms < 1073741824 THEN 400 + (old.queue_ms >> 25)
 WHEN old.queue_ms < 2147483648 THEN 416 + (old.queue_ms >> 26)
 WHEN old.queue_ms < 4294967296 THEN 432 + (old.queue_ms >> 27)
 WHEN old.queue_ms < 8589934592 THEN 448 + (old.queue_ms >> 28)
 WHEN old.queue_ms < 17179869184 THEN 464 + (old.queue_ms >> 29)
 WHEN old.queue_ms < 34359738368 THEN 480 + (old.queue_ms >> 30)
 WHEN old.queue_ms < 68719476736 THEN 496 + (old.queue_ms >> 31)
 WHEN old.queue_ms < 137438953472 THEN 512 + (old.queue_ms >> 32)
 WHEN old.queue_ms < 274877906944 THEN 528 + (old.queue_ms >> 33)
 WHEN old.queue_ms < 549755813888 THEN 544 + (old.queue_ms >> 34)
 WHEN old.queue_ms < 1099511627776 THEN 560 + (old.queue_ms >> 35)
 WHEN old.queue_ms < 2199023255552 THEN 576 + (old.queue_ms >> 36)
 WHEN old.queue_ms < 4398046511104 THEN 592 + (old.queue_ms >> 37)
 WHEN old.queue_ms < 8796093022208 THEN 608 + (old.queue_ms >> 38)
 WHEN old.queue_ms < 17592186044416 THEN 624 + (old.queue_ms >> 39)
 WHEN old.queue_ms < 35184372088832 THEN 640 + (old.queue_ms >> 40)
 WHEN old.queue_ms < 70368744177664 THEN 656 + (old.queue_ms >> 41)
 WHEN old.queue_ms < 140737488355328 THEN 672 + (old.queue_ms >> 42)
 ELSE 704 END, -1
    WHERE old.queue_ms IS NOT NULL
    ON CONFLICT (measure, day, bin, workspace_id) DO UPDATE SET runs = runs + excluded.runs;
    INSERT INTO run_rollups (workspace_id, process_id, source, status, trigger_type, error_key, runs, total_n, total_sum, queue_n, queue_sum, stat_processed, stat_added, stat_updated, stat_unchanged, stat_skipped, stat_failed, stat_errors, stat_warnings)
    VALUES (new.workspace_id, new.process_id, new.source, new.status, new.trigger_type, coalesce(new.error_category, ''), 1, (new.total_ms IS NOT NULL), coalesce(new.total_ms, 0), (new.queue_ms IS NOT NULL), coalesce(new.queue_ms, 0), new.stat_processed, new.stat_added, new.stat_updated, new.stat_unchanged, new.stat_skipped, new.stat_failed, new.stat_errors, new.stat_warnings)
    ON CONFLICT (workspace_id, process_id, source, status, trigger_type, error_key) DO UPDATE SET runs = runs + excluded.runs, total_n = total_n + excluded.total_n, total_sum = total_sum + excluded.total_sum, queue_n = queue_n + excluded.queue_n, queue_sum = queue_sum + excluded.queue_sum, stat_processed = stat_processed + excluded.stat_processed, stat_added = stat_added + excluded.stat_added, stat_updated = stat_updated + excluded.stat_updated, stat_unchanged = stat_unchanged + excluded.stat_unchanged, stat_skipped = stat_skipped + excluded.stat_skipped, stat_failed = stat_failed + excluded.stat_failed, stat_errors = stat_errors + excluded.stat_errors, stat_warnings = stat_warnings + excluded.stat_warnings;
    INSERT INTO run_daily (workspace_id, source, status, day, runs, total_n, total_sum, queue_n, queue_sum, stat_processed, stat_added, stat_updated, stat_unchanged, stat_skipped, stat_failed, stat_errors, stat_warnings, changes)
    VALUES (new.workspace_id, new.source, new.status, (coalesce(new.started_at, new.created_at) / 86400000000) * 86400000000, 1, (new.total_ms IS NOT NULL), coalesce(new.total_ms, 0), (new.queue_ms IS NOT NULL), coalesce(new.queue_ms, 0), new.stat_processed, new.stat_added, new.stat_updated, new.stat_unchanged, new.stat_skipped, new.stat_failed, new.stat_errors, new.stat_warnings, 1)
    ON CONFLICT (workspace_id, source, status, day) DO UPDATE SET runs = runs + excluded.runs, total_n = total_n + excluded.total_n, total_sum = total_sum + excluded.total_sum, queue_n = queue_n + excluded.queue_n, queue_sum = queue_sum + excluded.queue_sum, stat_processed = stat_processed + excluded.stat_processed, stat_added = stat_added + excluded.stat_added, stat_updated = stat_updated + excluded.stat_updated, stat_unchanged = stat_unchanged + excluded.stat_unchanged, stat_skipped = stat_skipped + excluded.stat_skipped, stat_failed = stat_failed + excluded.stat_failed, stat_errors = stat_errors + excluded.stat_errors, stat_warnings = stat_warnings + excluded.stat_warnings, changes = changes + 1;
    INSERT INTO run_histograms (workspace_id, measure, day, bin, runs)
    SELECT new.workspace_id, 'total', (coalesce(new.started_at, new.created_at) / 86400000000) * 86400000000,
CASE WHEN new.total_ms < 32 THEN new.total_ms
 WHEN new.total_ms < 64 THEN 16 + (new.total_ms >> 1)
 WHEN new.total_ms < 128 THEN 32 + (new.total_ms >> 2)
 WHEN new.total_ms < 256 THEN 48 + (new.total_ms >> 3)
 WHEN new.total_ms < 512 THEN 64 + (new.total_ms >> 4)
 WHEN new.total_ms < 1024 THEN 80 + (new.total_ms >> 5)
 WHEN new.total_ms < 2048 THEN 96 + (new.total_ms >> 6)
 WHEN new.total_ms < 4096 THEN 112 + (new.total_ms >> 7)
 WHEN new.total_ms < 8192 THEN 128 + (new.total_ms >> 8)
 WHEN new.total_ms < 16384 THEN 144 + (new.total_ms >> 9)
 WHEN new.total_ms < 32768 THEN 160 + (new.total_ms >> 10)
 WHEN new.total_ms < 65536 THEN 176 + (new.total_ms >> 11)
 WHEN new.total_ms < 131072 THEN 192 + (new.total_ms >> 12)
 WHEN new.total_ms < 262144 THEN 208 + (new.total_ms >> 13)
 WHEN new.total_ms < 524288 THEN 224 + (new.total_ms >> 14)
 WHEN new.total_ms < 1048576 THEN 240 + (new.total_ms >> 15)
 WHEN new.total_ms < 2097152 THEN 256 + (new.total_ms >> 16)
 WHEN new.total_ms < 4194304 THEN 272 + (new.total_ms >> 17)
 WHEN new.total_ms < 8388608 THEN 288 + (new.total_ms >> 18)
 WHEN new.total_ms < 16777216 THEN 304 + (new.total_ms >> 19)
 WHEN new.total_ms < 33554432 THEN 320 + (new.total_ms >> 20)
 WHEN new.total_ms < 67108864 THEN 336 + (new.total_ms >> 21)
 WHEN new.total_ms < 134217728 THEN 352 + (new.total_ms >> 22)
 WHEN new.total_ms < 268435456 THEN 368 + (new.total_ms >> 23)
 WHEN new.total_ms < 536870912 THEN 384 + (new.total_ms >> 24)
 WHEN new.total_ms < 1073741824 THEN 400 + (new.total_ms >> 25)
 WHEN new.total_ms < 2147483648 THEN 416 + (new.total_ms >> 26)
 WHEN new.total_ms < 4294967296 THEN 432 + (new.total_ms >> 27)
 WHEN new.total_ms < 8589934592 THEN 448 + (new.total_ms >> 28)
 WHEN new.total_ms < 17179869184 THEN 464 + (new.total_ms >> 29)
 WHEN new.total_ms < 34359738368 THEN 480 + (new.total_ms >> 30)
 WHEN new.total_ms < 68719476736 THEN 496 + (new.total_ms >> 31)
 WHEN new.total_ms < 137438953472 THEN 512 + (new.total_ms >> 32)
 WHEN new.total_ms < 274877906944 THEN 528 + (new.total_ms >> 33)
 WHEN new.total_ms < 549755813888 THEN 544 + (new.total_ms >> 34)
 WHEN new.total_ms < 1099511627776 THEN 560 + (new.total_ms >> 35)
 WHEN new.total_ms < 2199023255552 THEN 576 + (new.total_ms >> 36)
 WHEN new.total_ms < 4398046511104 THEN 592 + (new.total_ms >> 37)
 WHEN new.total_ms < 8796093022208 THEN 608 + (new.total_ms >> 38)
 WHEN new.total_ms < 17592186044416 THEN 624 + (new.total_ms >> 39)
 WHEN new.total_ms < 35184372088832 THEN 640 + (new.total_ms >> 40)
 WHEN new.total_ms < 70368744177664 THEN 656 + (new.total_ms >> 41)
 WHEN new.total_ms < 140737488355328 THEN 672 + (new.total_ms >> 42)
 ELSE 704 END, 1
    WHERE new.total_ms IS NOT NULL
    ON CONFLICT (measure, day, bin, workspace_id) DO UPDATE SET runs = runs + excluded.runs;
    INSERT INTO run_histograms (workspace_id, measure, day, bin, runs)
    SELECT new.workspace_id, 'queue', (coalesce(new.started_at, new.created_at) / 86400000000) * 86400000000,
CASE WHEN new.queue_ms < 32 THEN new.queue_ms
 WHEN new.queue_ms < 64 THEN 16 + (new.queue_ms >> 1)
 WHEN new.queue_ms < 128 THEN 32 + (new.queue_ms >> 2)
 WHEN new.queue_ms < 256 THEN 48 + (new.queue_ms >> 3)
 WHEN new.queue_ms < 512 THEN 64 + (new.queue_ms >> 4)
 WHEN new.queue_ms < 1024 THEN 80 + (new.queue_ms >> 5)
 WHEN new.queue_ms < 2048 THEN 96 + (new.queue_ms >> 6)
 WHEN new.queue_ms < 4096 THEN 112 + (new.queue_ms >> 7)
 WHEN new.queue_ms < 8192 THEN 128 + (new.queue_ms >> 8)
 WHEN new.queue_ms < 16384 THEN 144 + (new.queue_ms >> 9)
 WHEN new.queue_ms < 32768 THEN 160 + (new.queue_ms >> 10)
 WHEN new.queue_ms < 65536 THEN 176 + (new.queue_ms >> 11)
 WHEN new.queue_ms < 131072 THEN 192 + (new.queue_ms >> 12)
 WHEN new.queue_ms < 262144 THEN 208 + (new.queue_ms >> 13)
 WHEN new.queue_ms < 524288 THEN 224 + (new.queue_ms >> 14)
 WHEN new.queue_ms < 1048576 THEN 240 + (new.queue_ms >> 15)
 WHEN new.queue_ms < 2097152 THEN 256 + (new.queue_ms >> 16)
 WHEN new.queue_ms < 4194304 THEN 272 + (new.queue_ms >> 17)
 WHEN new.queue_ms < 8388608 THEN 288 + (new.queue_ms >> 18)
 WHEN new.queue_ms < 16777216 THEN 304 + (new.queue_ms >> 19)
 WHEN new.queue_ms < 33554432 THEN 320 + (new.queue_ms >> 20)
 WHEN new.queue_ms < 67108864 THEN 336 + (new.queue_ms >> 21)
 WHEN new.queue_ms < 134217728 THEN 352 + (new.queue_ms >> 22)
 WHEN new.queue_ms < 268435456 THEN 368 + (new.queue_ms >> 23)
 WHEN new.queue_ms < 536870912 THEN 384 + (new.queue_ms >> 24)
 WHEN new.queue_ms < 1073741824 THEN 400 + (new.queue_ms >> 25)
 WHEN new.queue_ms < 2147483648 THEN 416 + (new.queue_ms >> 26)
 WHEN new.queue_ms < 4294967296 THEN 432 + (new.queue_ms >> 27)
 WHEN new.queue_ms < 8589934592 THEN 448 + (new.queue_ms >> 28)
 WHEN new.queue_ms < 17179869184 THEN 464 + (new.queue_ms >> 29)
 WHEN new.queue_ms < 34359738368 THEN 480 + (new.queue_ms >> 30)
 WHEN new.queue_ms < 68719476736 THEN 496 + (new.queue_ms >> 31)
 WHEN new.queue_ms < 137438953472 THEN 512 + (new.queue_ms >> 32)
 WHEN new.queue_ms < 274877906944 THEN 528 + (new.queue_ms >> 33)
 WHEN new.queue_ms < 549755813888 THEN 544 + (new.queue_ms >> 34)
 WHEN new.queue_ms < 1099511627776 THEN 560 + (new.queue_ms >> 35)
 WHEN new.queue_ms < 2199023255552 THEN 576 + (new.queue_ms >> 36)
 WHEN new.queue_ms < 4398046511104 THEN 592 + (new.queue_ms >> 37)
 WHEN new.queue_ms < 8796093022208 THEN 608 + (new.queue_ms >> 38)
 WHEN new.queue_ms < 17592186044416 THEN 624 + (new.queue_ms >> 39)
 WHEN new.queue_ms < 35184372088832 THEN 640 + (new.queue_ms >> 40)
 WHEN new.queue_ms < 70368744177664 THEN 656 + (new.queue_ms >> 41)
 WHEN new.queue_ms < 140737488355328 THEN 672 + (new.queue_ms >> 42)
 ELSE 704 END, 1
    WHERE new.queue_ms IS NOT NULL
    ON CONFLICT (measure, day, bin, workspace_id) DO UPDATE SET runs = runs + excluded.runs;
END;
