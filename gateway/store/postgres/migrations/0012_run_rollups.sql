-- Maintained statistics, kept by triggers on every write path, as SQLite's 0012 (read by
-- gateway/store/rollups.py; the bins are gateway/domain/histograms.py's).

CREATE FUNCTION run_duration_bin(v BIGINT) RETURNS BIGINT LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN v < 32 THEN v
 WHEN v < 64 THEN 16 + (v >> 1)
 WHEN v < 128 THEN 32 + (v >> 2)
 WHEN v < 256 THEN 48 + (v >> 3)
 WHEN v < 512 THEN 64 + (v >> 4)
 WHEN v < 1024 THEN 80 + (v >> 5)
 WHEN v < 2048 THEN 96 + (v >> 6)
 WHEN v < 4096 THEN 112 + (v >> 7)
 WHEN v < 8192 THEN 128 + (v >> 8)
 WHEN v < 16384 THEN 144 + (v >> 9)
 WHEN v < 32768 THEN 160 + (v >> 10)
 WHEN v < 65536 THEN 176 + (v >> 11)
 WHEN v < 131072 THEN 192 + (v >> 12)
 WHEN v < 262144 THEN 208 + (v >> 13)
 WHEN v < 524288 THEN 224 + (v >> 14)
 WHEN v < 1048576 THEN 240 + (v >> 15)
 WHEN v < 2097152 THEN 256 + (v >> 16)
 WHEN v < 4194304 THEN 272 + (v >> 17)
 WHEN v < 8388608 THEN 288 + (v >> 18)
 WHEN v < 16777216 THEN 304 + (v >> 19)
 WHEN v < 33554432 THEN 320 + (v >> 20)
 WHEN v < 67108864 THEN 336 + (v >> 21)
 WHEN v < 134217728 THEN 352 + (v >> 22)
 WHEN v < 268435456 THEN 368 + (v >> 23)
 WHEN v < 536870912 THEN 384 + (v >> 24)
 WHEN v < 1073741824 THEN 400 + (v >> 25)
 WHEN v < 2147483648 THEN 416 + (v >> 26)
 WHEN v < 4294967296 THEN 432 + (v >> 27)
 WHEN v < 8589934592 THEN 448 + (v >> 28)
 WHEN v < 17179869184 THEN 464 + (v >> 29)
 WHEN v < 34359738368 THEN 480 + (v >> 30)
 WHEN v < 68719476736 THEN 496 + (v >> 31)
 WHEN v < 137438953472 THEN 512 + (v >> 32)
 WHEN v < 274877906944 THEN 528 + (v >> 33)
 WHEN v < 549755813888 THEN 544 + (v >> 34)
 WHEN v < 1099511627776 THEN 560 + (v >> 35)
 WHEN v < 2199023255552 THEN 576 + (v >> 36)
 WHEN v < 4398046511104 THEN 592 + (v >> 37)
 WHEN v < 8796093022208 THEN 608 + (v >> 38)
 WHEN v < 17592186044416 THEN 624 + (v >> 39)
 WHEN v < 35184372088832 THEN 640 + (v >> 40)
 WHEN v < 70368744177664 THEN 656 + (v >> 41)
 WHEN v < 140737488355328 THEN 672 + (v >> 42)
 ELSE 704 END
$$;

CREATE TABLE run_rollups (
    workspace_id  TEXT NOT NULL,
    process_id    TEXT NOT NULL,
    source        TEXT NOT NULL,
    status        TEXT NOT NULL,
    trigger_type  TEXT NOT NULL,
    error_key     TEXT NOT NULL,
    error_category TEXT GENERATED ALWAYS AS (nullif(error_key, '')) STORED,
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
    PRIMARY KEY (workspace_id, process_id, source, status, trigger_type, error_key)
);

CREATE TABLE run_daily (
    workspace_id  TEXT NOT NULL,
    source        TEXT NOT NULL,
    status        TEXT NOT NULL,
    day           BIGINT NOT NULL,
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
    PRIMARY KEY (workspace_id, source, status, day)
);

CREATE TABLE run_histograms (
    workspace_id  TEXT NOT NULL,
    measure       TEXT NOT NULL,
    day           BIGINT NOT NULL,
    bin           BIGINT NOT NULL,
    runs          BIGINT NOT NULL,
    PRIMARY KEY (measure, day, bin, workspace_id)  -- in (day, bin) order: read without a sort
);

INSERT INTO run_rollups (workspace_id, process_id, source, status, trigger_type, error_key, runs, total_n, total_sum, queue_n, queue_sum, stat_processed, stat_added, stat_updated, stat_unchanged, stat_skipped, stat_failed, stat_errors, stat_warnings)
SELECT r.workspace_id, r.process_id, r.source, r.status, r.trigger_type, coalesce(r.error_category, ''),
    count(*), count(total_ms), coalesce(sum(total_ms), 0), count(queue_ms), coalesce(sum(queue_ms), 0), sum(stat_processed), sum(stat_added), sum(stat_updated), sum(stat_unchanged), sum(stat_skipped), sum(stat_failed), sum(stat_errors), sum(stat_warnings)
FROM runs r GROUP BY 1, 2, 3, 4, 5, 6;

INSERT INTO run_daily (workspace_id, source, status, day, runs, total_n, total_sum, queue_n, queue_sum, stat_processed, stat_added, stat_updated, stat_unchanged, stat_skipped, stat_failed, stat_errors, stat_warnings)
SELECT r.workspace_id, r.source, r.status, (coalesce(r.started_at, r.created_at) / 86400000000) * 86400000000,
    count(*), count(total_ms), coalesce(sum(total_ms), 0), count(queue_ms), coalesce(sum(queue_ms), 0), sum(stat_processed), sum(stat_added), sum(stat_updated), sum(stat_unchanged), sum(stat_skipped), sum(stat_failed), sum(stat_errors), sum(stat_warnings)
FROM runs r GROUP BY 1, 2, 3, 4;

INSERT INTO run_histograms (workspace_id, measure, day, bin, runs)
SELECT r.workspace_id, 'total', (coalesce(r.started_at, r.created_at) / 86400000000) * 86400000000, run_duration_bin(r.total_ms), count(*)
FROM runs r WHERE r.total_ms IS NOT NULL GROUP BY 1, 2, 3, 4;

INSERT INTO run_histograms (workspace_id, measure, day, bin, runs)
SELECT r.workspace_id, 'queue', (coalesce(r.started_at, r.created_at) / 86400000000) * 86400000000, run_duration_bin(r.queue_ms), count(*)
FROM runs r WHERE r.queue_ms IS NOT NULL GROUP BY 1, 2, 3, 4;

CREATE FUNCTION run_rollups_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
    INSERT INTO run_rollups AS g (workspace_id, process_id, source, status, trigger_type, error_key, runs, total_n, total_sum, queue_n, queue_sum, stat_processed, stat_added, stat_updated, stat_unchanged, stat_skipped, stat_failed, stat_errors, stat_warnings)
    VALUES (OLD.workspace_id, OLD.process_id, OLD.source, OLD.status, OLD.trigger_type, coalesce(OLD.error_category, ''), -1, -1 * (OLD.total_ms IS NOT NULL)::int, -1 * coalesce(OLD.total_ms, 0), -1 * (OLD.queue_ms IS NOT NULL)::int, -1 * coalesce(OLD.queue_ms, 0), -1 * OLD.stat_processed, -1 * OLD.stat_added, -1 * OLD.stat_updated, -1 * OLD.stat_unchanged, -1 * OLD.stat_skipped, -1 * OLD.stat_failed, -1 * OLD.stat_errors, -1 * OLD.stat_warnings)
    ON CONFLICT (workspace_id, process_id, source, status, trigger_type, error_key) DO UPDATE SET runs = g.runs + excluded.runs, total_n = g.total_n + excluded.total_n, total_sum = g.total_sum + excluded.total_sum, queue_n = g.queue_n + excluded.queue_n, queue_sum = g.queue_sum + excluded.queue_sum, stat_processed = g.stat_processed + excluded.stat_processed, stat_added = g.stat_added + excluded.stat_added, stat_updated = g.stat_updated + excluded.stat_updated, stat_unchanged = g.stat_unchanged + excluded.stat_unchanged, stat_skipped = g.stat_skipped + excluded.stat_skipped, stat_failed = g.stat_failed + excluded.stat_failed, stat_errors = g.stat_errors + excluded.stat_errors, stat_warnings = g.stat_warnings + excluded.stat_warnings;
    INSERT INTO run_daily AS g (workspace_id, source, status, day, runs, total_n, total_sum, queue_n, queue_sum, stat_processed, stat_added, stat_updated, stat_unchanged, stat_skipped, stat_failed, stat_errors, stat_warnings)
    VALUES (OLD.workspace_id, OLD.source, OLD.status, (coalesce(OLD.started_at, OLD.created_at) / 86400000000) * 86400000000, -1, -1 * (OLD.total_ms IS NOT NULL)::int, -1 * coalesce(OLD.total_ms, 0), -1 * (OLD.queue_ms IS NOT NULL)::int, -1 * coalesce(OLD.queue_ms, 0), -1 * OLD.stat_processed, -1 * OLD.stat_added, -1 * OLD.stat_updated, -1 * OLD.stat_unchanged, -1 * OLD.stat_skipped, -1 * OLD.stat_failed, -1 * OLD.stat_errors, -1 * OLD.stat_warnings)
    ON CONFLICT (workspace_id, source, status, day) DO UPDATE SET runs = g.runs + excluded.runs, total_n = g.total_n + excluded.total_n, total_sum = g.total_sum + excluded.total_sum, queue_n = g.queue_n + excluded.queue_n, queue_sum = g.queue_sum + excluded.queue_sum, stat_processed = g.stat_processed + excluded.stat_processed, stat_added = g.stat_added + excluded.stat_added, stat_updated = g.stat_updated + excluded.stat_updated, stat_unchanged = g.stat_unchanged + excluded.stat_unchanged, stat_skipped = g.stat_skipped + excluded.stat_skipped, stat_failed = g.stat_failed + excluded.stat_failed, stat_errors = g.stat_errors + excluded.stat_errors, stat_warnings = g.stat_warnings + excluded.stat_warnings;
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
    INSERT INTO run_daily AS g (workspace_id, source, status, day, runs, total_n, total_sum, queue_n, queue_sum, stat_processed, stat_added, stat_updated, stat_unchanged, stat_skipped, stat_failed, stat_errors, stat_warnings)
    VALUES (NEW.workspace_id, NEW.source, NEW.status, (coalesce(NEW.started_at, NEW.created_at) / 86400000000) * 86400000000, 1, 1 * (NEW.total_ms IS NOT NULL)::int, 1 * coalesce(NEW.total_ms, 0), 1 * (NEW.queue_ms IS NOT NULL)::int, 1 * coalesce(NEW.queue_ms, 0), 1 * NEW.stat_processed, 1 * NEW.stat_added, 1 * NEW.stat_updated, 1 * NEW.stat_unchanged, 1 * NEW.stat_skipped, 1 * NEW.stat_failed, 1 * NEW.stat_errors, 1 * NEW.stat_warnings)
    ON CONFLICT (workspace_id, source, status, day) DO UPDATE SET runs = g.runs + excluded.runs, total_n = g.total_n + excluded.total_n, total_sum = g.total_sum + excluded.total_sum, queue_n = g.queue_n + excluded.queue_n, queue_sum = g.queue_sum + excluded.queue_sum, stat_processed = g.stat_processed + excluded.stat_processed, stat_added = g.stat_added + excluded.stat_added, stat_updated = g.stat_updated + excluded.stat_updated, stat_unchanged = g.stat_unchanged + excluded.stat_unchanged, stat_skipped = g.stat_skipped + excluded.stat_skipped, stat_failed = g.stat_failed + excluded.stat_failed, stat_errors = g.stat_errors + excluded.stat_errors, stat_warnings = g.stat_warnings + excluded.stat_warnings;
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
CREATE TRIGGER run_rollups_insert AFTER INSERT OR DELETE ON runs
FOR EACH ROW EXECUTE FUNCTION run_rollups_change();
CREATE TRIGGER run_rollups_update AFTER UPDATE OF workspace_id, process_id, source, status, trigger_type, error_category, started_at, created_at, total_ms, queue_ms, stat_processed, stat_added, stat_updated, stat_unchanged, stat_skipped, stat_failed, stat_errors, stat_warnings ON runs
FOR EACH ROW WHEN (OLD.workspace_id IS DISTINCT FROM NEW.workspace_id
  OR OLD.process_id IS DISTINCT FROM NEW.process_id
  OR OLD.source IS DISTINCT FROM NEW.source
  OR OLD.status IS DISTINCT FROM NEW.status
  OR OLD.trigger_type IS DISTINCT FROM NEW.trigger_type
  OR OLD.error_category IS DISTINCT FROM NEW.error_category
  OR OLD.started_at IS DISTINCT FROM NEW.started_at
  OR OLD.created_at IS DISTINCT FROM NEW.created_at
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
EXECUTE FUNCTION run_rollups_change();

-- `orderBy: "durations/totalMs desc"` reads this index in order, as SQLite's 0012.
CREATE INDEX runs_by_total_ms ON runs (total_ms NULLS FIRST, id);
