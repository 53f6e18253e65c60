-- Run statistics across runs (PostgreSQL): one covering index holds every column a report reads
-- (keyed by startDateTime, the rest included), so a report with a time window is an index-only
-- range scan.
CREATE INDEX runs_statistics ON runs (started_at NULLS FIRST) INCLUDE (
    created_at, ended_at, status, source, process_id, workspace_id, trigger_type,
    error_category, total_ms, queue_ms, stat_processed, stat_added, stat_updated, stat_unchanged,
    stat_skipped, stat_failed, stat_errors, stat_warnings, id
);
