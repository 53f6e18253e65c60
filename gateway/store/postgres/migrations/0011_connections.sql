-- Connections to the platforms (PostgreSQL; the same tables as SQLite's 0011): what to sync (platform, base URL, options, the NAME of the
-- environment variable holding the credential, never the credential itself), how often, and how
-- far the last complete pass got (`watermark`, opaque to the store, the platform client's own).
-- `sync_reports` keeps the latest reports of each connection; `sync_slots` is the claim that
-- makes one server process sync a connection's interval slot (as `schedule_slots` for runs);
-- `connection_processes` names the processes a connection synced, whose starts, cancels and
-- retries it forwards to the platform.

CREATE TABLE connections (
    id                TEXT PRIMARY KEY,
    workspace_id      TEXT NOT NULL REFERENCES workspaces (id),
    name              TEXT NOT NULL UNIQUE,
    platform          TEXT NOT NULL,
    endpoint          TEXT NOT NULL,
    options           TEXT NOT NULL DEFAULT '{}',
    credential_env    TEXT,
    interval_seconds  BIGINT NOT NULL,
    watermark         TEXT,
    created_at        BIGINT NOT NULL,
    last_modified_at  BIGINT NOT NULL
);

CREATE TABLE sync_reports (
    id             TEXT PRIMARY KEY,
    connection_id  TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    status         TEXT NOT NULL,
    started_at     BIGINT NOT NULL,
    ended_at       BIGINT NOT NULL,
    added          BIGINT NOT NULL DEFAULT 0,
    updated        BIGINT NOT NULL DEFAULT 0,
    unchanged      BIGINT NOT NULL DEFAULT 0,
    failed         BIGINT NOT NULL DEFAULT 0,
    error_code     TEXT,
    error_message  TEXT,
    failures       TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX sync_reports_by_connection ON sync_reports (connection_id, started_at);

CREATE TABLE sync_slots (
    connection_id  TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    slot           BIGINT NOT NULL,
    claimed_at     BIGINT NOT NULL,
    PRIMARY KEY (connection_id, slot)
);

CREATE TABLE connection_processes (
    process_id     TEXT PRIMARY KEY REFERENCES processes (id) ON DELETE CASCADE,
    connection_id  TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE
);
CREATE INDEX connection_processes_by_connection ON connection_processes (connection_id);
