-- The first schema (PostgreSQL): workspaces, processes, runs, activities and run events.
-- The same tables and columns as SQLite's 0001: times are bigint microseconds since the epoch,
-- UTC; durations bigint milliseconds; flags bigint 0/1 (the row code is shared by both engines);
-- enum columns hold the SCREAMING_CASE name; JSON columns hold compact JSON text.

CREATE TABLE workspaces (
    id                TEXT PRIMARY KEY,
    display_name      TEXT NOT NULL,
    source            TEXT,
    source_id         TEXT,
    created_at        BIGINT NOT NULL
);

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
    created_at           BIGINT NOT NULL,
    last_modified_at     BIGINT NOT NULL,
    version              BIGINT NOT NULL DEFAULT 1,
    UNIQUE (workspace_id, source, kind, source_id)
);
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
    created_at              BIGINT NOT NULL,
    started_at              BIGINT,
    ended_at                BIGINT,
    last_modified_at        BIGINT NOT NULL,
    queue_ms                BIGINT,
    setup_ms                BIGINT,
    execution_ms            BIGINT,
    cleanup_ms              BIGINT,
    total_ms                BIGINT,
    trigger_type            TEXT NOT NULL,
    trigger_invoked_by      TEXT,
    trigger_source_type     TEXT,
    parameters              TEXT,
    attempt_number          BIGINT NOT NULL DEFAULT 1,
    original_attempt_run_id TEXT,
    previous_attempt_run_id TEXT,
    is_latest_attempt       BIGINT NOT NULL DEFAULT 1,
    stat_processed          BIGINT NOT NULL DEFAULT 0,
    stat_added              BIGINT NOT NULL DEFAULT 0,
    stat_updated            BIGINT NOT NULL DEFAULT 0,
    stat_unchanged          BIGINT NOT NULL DEFAULT 0,
    stat_skipped            BIGINT NOT NULL DEFAULT 0,
    stat_failed             BIGINT NOT NULL DEFAULT 0,
    stat_errors             BIGINT NOT NULL DEFAULT 0,
    stat_warnings           BIGINT NOT NULL DEFAULT 0,
    stat_extra              TEXT,
    error_code              TEXT,
    error_message           TEXT,
    error_category          TEXT,
    error_retryable         BIGINT,
    error_extra             TEXT,
    -- Data Factory
    table_name              TEXT,
    activity_name           TEXT,
    data_slice_start        BIGINT,
    data_slice_end          BIGINT,
    batch_time              BIGINT,
    percent_complete        BIGINT,
    compute_cluster_name    TEXT,
    run_group_id            TEXT,
    has_logs                BIGINT,
    data_artifact_id        TEXT,
    -- Databricks
    job_id                  BIGINT,
    number_in_job           BIGINT,
    run_type                TEXT,
    creator_user_name       TEXT,
    run_page_url            TEXT,
    state_message           TEXT,
    -- DataZone
    data_source_id          TEXT,
    project_id              TEXT,
    lineage_import_status   TEXT,
    version                 BIGINT NOT NULL DEFAULT 1,
    UNIQUE (workspace_id, source, source_id)
);
-- The default order (newest first, id as tie-breaker) and the common filters, each keyed so that
-- a keyset page is an index range scan.
CREATE INDEX runs_by_created ON runs (created_at, id);
CREATE INDEX runs_by_status ON runs (status, created_at, id);
CREATE INDEX runs_by_process ON runs (process_id, created_at, id);
CREATE INDEX runs_by_source ON runs (source, created_at, id);
CREATE INDEX runs_by_workspace ON runs (workspace_id, created_at, id);
CREATE INDEX runs_by_started ON runs (started_at NULLS FIRST, id);  -- OData: nulls sort first

CREATE TABLE activities (
    id                TEXT PRIMARY KEY,
    run_id            TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    workspace_id      TEXT NOT NULL,
    kind              TEXT NOT NULL,
    key               TEXT NOT NULL,
    source_id         TEXT,
    display_name      TEXT NOT NULL,
    activity_type     TEXT,
    sequence          BIGINT NOT NULL,
    status            TEXT NOT NULL,
    source_status     TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    started_at        BIGINT,
    ended_at          BIGINT,
    last_modified_at  BIGINT NOT NULL,
    attempt_number    BIGINT NOT NULL DEFAULT 1,
    depends_on        TEXT NOT NULL DEFAULT '[]',
    stat_processed    BIGINT NOT NULL DEFAULT 0,
    stat_added        BIGINT NOT NULL DEFAULT 0,
    stat_updated      BIGINT NOT NULL DEFAULT 0,
    stat_unchanged    BIGINT NOT NULL DEFAULT 0,
    stat_skipped      BIGINT NOT NULL DEFAULT 0,
    stat_failed       BIGINT NOT NULL DEFAULT 0,
    stat_errors       BIGINT NOT NULL DEFAULT 0,
    stat_warnings     BIGINT NOT NULL DEFAULT 0,
    stat_extra        TEXT,
    error_code        TEXT,
    error_message     TEXT,
    error_category    TEXT,
    error_retryable   BIGINT,
    error_extra       TEXT,
    attributes        TEXT NOT NULL DEFAULT '{}',
    version           BIGINT NOT NULL DEFAULT 1,
    UNIQUE (run_id, key)
);
CREATE INDEX activities_by_run ON activities (run_id, sequence, id);

-- Append-only history of every change to a run. No foreign key: a DELETED tombstone outlives its run.
CREATE TABLE run_events (
    seq           BIGINT PRIMARY KEY,  -- given by run_events_seq, in commit order (below)
    run_id        TEXT NOT NULL,
    workspace_id  TEXT NOT NULL,
    process_id    TEXT,
    kind          TEXT NOT NULL,
    from_status   TEXT,
    to_status     TEXT,
    at            BIGINT NOT NULL,
    actor         TEXT,
    reason        TEXT,
    request_id    TEXT
);
CREATE INDEX run_events_by_run ON run_events (run_id, seq);

-- Readers resume after the last seq they saw, so seqs must become visible in increasing order.
-- A sequence alone does not promise that (a transaction that took 10 may commit after one that
-- took 11). Each transaction that appends events first takes one transaction-level advisory lock,
-- then its numbers: event writers commit one at a time, in the order of their seqs.
CREATE SEQUENCE run_events_seq AS BIGINT;
CREATE FUNCTION run_events_number() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7262830001);
    NEW.seq := nextval('run_events_seq');
    RETURN NEW;
END $$;
CREATE TRIGGER run_events_number BEFORE INSERT ON run_events
FOR EACH ROW EXECUTE FUNCTION run_events_number();

-- Every record belongs to a workspace; processes created without one go to the default workspace.
INSERT INTO workspaces (id, display_name, source, source_id, created_at)
VALUES ('ws_00000000000000000000000000', 'Default workspace', NULL, NULL, 0);
