-- Full-text search ($search) over runs and processes: FTS5 tables keyed by the rowid of their
-- table, kept current by triggers. A run is found by its name, source id and status, its error's
-- code and message, and its process's name.

CREATE VIRTUAL TABLE runs_fts USING fts5(
    display_name, source_id, source_status, error_code, error_message, process_name,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER runs_fts_insert AFTER INSERT ON runs BEGIN
    INSERT INTO runs_fts (rowid, display_name, source_id, source_status, error_code, error_message, process_name)
    VALUES (new.rowid, new.display_name, new.source_id, new.source_status, new.error_code, new.error_message,
            (SELECT display_name FROM processes WHERE id = new.process_id));
END;

CREATE TRIGGER runs_fts_delete AFTER DELETE ON runs BEGIN
    DELETE FROM runs_fts WHERE rowid = old.rowid;
END;

CREATE TRIGGER runs_fts_update AFTER UPDATE OF display_name, source_id, source_status, error_code, error_message ON runs BEGIN
    DELETE FROM runs_fts WHERE rowid = old.rowid;
    INSERT INTO runs_fts (rowid, display_name, source_id, source_status, error_code, error_message, process_name)
    VALUES (new.rowid, new.display_name, new.source_id, new.source_status, new.error_code, new.error_message,
            (SELECT display_name FROM processes WHERE id = new.process_id));
END;

CREATE TRIGGER runs_fts_process_renamed AFTER UPDATE OF display_name ON processes BEGIN
    UPDATE runs_fts SET process_name = new.display_name
    WHERE rowid IN (SELECT rowid FROM runs WHERE process_id = new.id);
END;

CREATE VIRTUAL TABLE processes_fts USING fts5(
    display_name, source_id, description,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER processes_fts_insert AFTER INSERT ON processes BEGIN
    INSERT INTO processes_fts (rowid, display_name, source_id, description)
    VALUES (new.rowid, new.display_name, new.source_id, new.description);
END;

CREATE TRIGGER processes_fts_delete AFTER DELETE ON processes BEGIN
    DELETE FROM processes_fts WHERE rowid = old.rowid;
END;

CREATE TRIGGER processes_fts_update AFTER UPDATE OF display_name, source_id, description ON processes BEGIN
    DELETE FROM processes_fts WHERE rowid = old.rowid;
    INSERT INTO processes_fts (rowid, display_name, source_id, description)
    VALUES (new.rowid, new.display_name, new.source_id, new.description);
END;

-- Filters and orderings the catalogs mark as indexed.
CREATE INDEX runs_by_ended ON runs (ended_at, id);
CREATE INDEX runs_by_error_category ON runs (error_category, created_at, id);
CREATE INDEX runs_by_job ON runs (job_id, created_at, id) WHERE job_id IS NOT NULL;
CREATE INDEX runs_by_data_source ON runs (data_source_id, created_at, id) WHERE data_source_id IS NOT NULL;
