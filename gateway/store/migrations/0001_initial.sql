-- The first schema: workspaces, processes, runs, activities and run events.
-- Times are integer microseconds since the epoch, UTC. Durations are integer milliseconds.
-- Enum columns hold the SCREAMING_CASE name. JSON columns hold compact JSON text.

CREATE TABLE workspaces (
    id                TEXT PRIMARY KEY,
    display_name      TEXT NOT NULL,
    source            TEXT,
    source_id         TEXT,
    created_at        INTEGER NOT NULL
) STRICT;

CREATE TABLE processes (
    id                   TEXT PRIMARY KEY,
    workspace_id         TEXT NOT NULL REFERENCES workspaces (id),
    source               TEXT NOT NULL,
    kind                 TEXT NOT NULL,
    source_id            TEXT NOT NULL,
    display_name         TEXT NOT NULL,
    description          TEXT,
    readiness_status     TEXT NOT NULL,
    schedule             TEXT,
    activity_definitions TEXT NOT NULL DEFAULT '[]',
    created_at           INTEGER NOT NULL,
    last_modified_at     INTEGER NOT NULL,
    version              INTEGER NOT NULL DEFAULT 1,
    UNIQUE (workspace_id, source, kind, source_id)
) STRICT;
CREATE INDEX processes_by_created ON processes (created_at, id);

CREATE TABLE runs (
    id                      TEXT PRIMARY KEY,
    workspace_id            TEXT NOT NULL REFERENCES workspaces (id),
    process_id              TEXT NOT NULL REFERENCES processes (id),
    source                  TEXT NOT NULL,
    source_id               TEXT NOT NULL,
    display_name            TEXT,
    status                  TEXT NOT NULL,
    source_status           TEXT NOT NULL,
    created_at              INTEGER NOT NULL,
    started_at              INTEGER,
    ended_at                INTEGER,
    last_modified_at        INTEGER NOT NULL,
    queue_ms                INTEGER,
    setup_ms                INTEGER,
    execution_ms            INTEGER,
    cleanup_ms              INTEGER,
    total_ms                INTEGER,
    trigger_type            TEXT NOT NULL,
    trigger_invoked_by      TEXT,
    trigger_source_type     TEXT,
    parameters              TEXT,
    attempt_number          INTEGER NOT NULL DEFAULT 1,
    original_attempt_run_id TEXT,
    previous_attempt_run_id TEXT,
    is_latest_attempt       INTEGER NOT NULL DEFAULT 1,
    stat_processed          INTEGER NOT NULL DEFAULT 0,
    stat_added              INTEGER NOT NULL DEFAULT 0,
    stat_updated            INTEGER NOT NULL DEFAULT 0,
    stat_unchanged          INTEGER NOT NULL DEFAULT 0,
    stat_skipped            INTEGER NOT NULL DEFAULT 0,
    stat_failed             INTEGER NOT NULL DEFAULT 0,
    stat_errors             INTEGER NOT NULL DEFAULT 0,
    stat_warnings           INTEGER NOT NULL DEFAULT 0,
    stat_extra              TEXT,
    error_code              TEXT,
    error_message           TEXT,
    error_category          TEXT,
    error_retryable         INTEGER,
    error_extra             TEXT,
    -- Data Factory
    table_name              TEXT,
    activity_name           TEXT,
    data_slice_start        INTEGER,
    data_slice_end          INTEGER,
    batch_time              INTEGER,
    percent_complete        INTEGER,
    compute_cluster_name    TEXT,
    run_group_id            TEXT,
    has_logs                INTEGER,
    data_artifact_id        TEXT,
    -- Databricks
    job_id                  INTEGER,
    number_in_job           INTEGER,
    run_type                TEXT,
    creator_user_name       TEXT,
    run_page_url            TEXT,
    state_message           TEXT,
    -- DataZone
    data_source_id          TEXT,
    project_id              TEXT,
    lineage_import_status   TEXT,
    version                 INTEGER NOT NULL DEFAULT 1,
    UNIQUE (workspace_id, source, source_id)
) STRICT;
-- The default order (newest first, id as tie-breaker) and the common filters, each keyed so that
-- a keyset page is an index range scan.
CREATE INDEX runs_by_created ON runs (created_at, id);
CREATE INDEX runs_by_status ON runs (status, created_at, id);
CREATE INDEX runs_by_process ON runs (process_id, created_at, id);
CREATE INDEX runs_by_source ON runs (source, created_at, id);
CREATE INDEX runs_by_workspace ON runs (workspace_id, created_at, id);
CREATE INDEX runs_by_started ON runs (started_at, id);

CREATE TABLE activities (
    id                TEXT PRIMARY KEY,
    run_id            TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    workspace_id      TEXT NOT NULL,
    kind              TEXT NOT NULL,
    key               TEXT NOT NULL,
    source_id         TEXT,
    display_name      TEXT NOT NULL,
    activity_type     TEXT,
    sequence          INTEGER NOT NULL,
    status            TEXT NOT NULL,
    source_status     TEXT NOT NULL,
    created_at        INTEGER NOT NULL,
    started_at        INTEGER,
    ended_at          INTEGER,
    last_modified_at  INTEGER NOT NULL,
    attempt_number    INTEGER NOT NULL DEFAULT 1,
    depends_on        TEXT NOT NULL DEFAULT '[]',
    stat_processed    INTEGER NOT NULL DEFAULT 0,
    stat_added        INTEGER NOT NULL DEFAULT 0,
    stat_updated      INTEGER NOT NULL DEFAULT 0,
    stat_unchanged    INTEGER NOT NULL DEFAULT 0,
    stat_skipped      INTEGER NOT NULL DEFAULT 0,
    stat_failed       INTEGER NOT NULL DEFAULT 0,
    stat_errors       INTEGER NOT NULL DEFAULT 0,
    stat_warnings     INTEGER NOT NULL DEFAULT 0,
    stat_extra        TEXT,
    error_code        TEXT,
    error_message     TEXT,
    error_category    TEXT,
    error_retryable   INTEGER,
    error_extra       TEXT,
    attributes        TEXT NOT NULL DEFAULT '{}',
    version           INTEGER NOT NULL DEFAULT 1,
    UNIQUE (run_id, key)
) STRICT;
CREATE INDEX activities_by_run ON activities (run_id, sequence, id);

-- Append-only history of every change to a run. No foreign key: a DELETED tombstone outlives its run.
CREATE TABLE run_events (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id        TEXT NOT NULL,
    workspace_id  TEXT NOT NULL,
    process_id    TEXT,
    kind          TEXT NOT NULL,
    from_status   TEXT,
    to_status     TEXT,
    at            INTEGER NOT NULL,
    actor         TEXT,
    reason        TEXT,
    request_id    TEXT
) STRICT;
CREATE INDEX run_events_by_run ON run_events (run_id, seq);

-- Every record belongs to a workspace; processes created without one go to the default workspace.
INSERT INTO workspaces (id, display_name, source, source_id, created_at)
VALUES ('ws_00000000000000000000000000', 'Default workspace', NULL, NULL, 0);
