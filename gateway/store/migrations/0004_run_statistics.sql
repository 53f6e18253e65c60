-- Run statistics across runs (`runStatistics`, `Process.statistics`): one covering index holds
-- every column a report reads, so a report scans about 170 bytes a run instead of the whole row,
-- and a time window on startDateTime is a range of it. Filters on other columns read the table.
CREATE INDEX runs_statistics ON runs (
    started_at, created_at, ended_at, status, source, process_id, workspace_id, trigger_type,
    error_category, total_ms, queue_ms, stat_processed, stat_added, stat_updated, stat_unchanged,
    stat_skipped, stat_failed, stat_errors, stat_warnings, id
);
