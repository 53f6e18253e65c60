-- Connections to the platforms: what to sync (platform, base URL, options, the NAME of the
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
    interval_seconds  INTEGER NOT NULL,
    watermark         TEXT,
    created_at        INTEGER NOT NULL,
    last_modified_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE sync_reports (
    id             TEXT PRIMARY KEY,
    connection_id  TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    status         TEXT NOT NULL,
    started_at     INTEGER NOT NULL,
    ended_at       INTEGER NOT NULL,
    added          INTEGER NOT NULL DEFAULT 0,
    updated        INTEGER NOT NULL DEFAULT 0,
    unchanged      INTEGER NOT NULL DEFAULT 0,
    failed         INTEGER NOT NULL DEFAULT 0,
    error_code     TEXT,
    error_message  TEXT,
    failures       TEXT NOT NULL DEFAULT '[]'
) STRICT;
CREATE INDEX sync_reports_by_connection ON sync_reports (connection_id, started_at);

CREATE TABLE sync_slots (
    connection_id  TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    slot           INTEGER NOT NULL,
    claimed_at     INTEGER NOT NULL,
    PRIMARY KEY (connection_id, slot)
) STRICT;

CREATE TABLE connection_processes (
    process_id     TEXT PRIMARY KEY REFERENCES processes (id) ON DELETE CASCADE,
    connection_id  TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE
) STRICT;
CREATE INDEX connection_processes_by_connection ON connection_processes (connection_id);
