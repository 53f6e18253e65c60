-- Imported retries and the platform id of their first attempt (Databricks original_attempt_run_id,
-- Data Factory runGroupId), so that attempt lineage is linked whichever attempt is imported first.
CREATE TABLE import_lineage (
    run_id             TEXT PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    workspace_id       TEXT NOT NULL,
    source             TEXT NOT NULL,
    original_source_id TEXT NOT NULL
);
CREATE INDEX import_lineage_by_original ON import_lineage (workspace_id, source, original_source_id);
