-- Full-text search ($search) over runs and processes (PostgreSQL): a tsvector column on each
-- table with a GIN index, kept current by triggers (SQLite's 0002 uses FTS5 tables). A run is
-- found by its name, source id and status, its error's code and message, and its process's name.
-- The 'simple' configuration: words lower-cased, no stemming, no stop words (as FTS5's unicode61).

ALTER TABLE runs ADD COLUMN search_vector tsvector;
ALTER TABLE processes ADD COLUMN search_vector tsvector;

CREATE FUNCTION runs_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := to_tsvector('simple', concat_ws(' ',
        NEW.display_name, NEW.source_id, NEW.source_status, NEW.error_code, NEW.error_message,
        (SELECT p.display_name FROM processes p WHERE p.id = NEW.process_id)));
    RETURN NEW;
END $$;
CREATE TRIGGER runs_search_insert BEFORE INSERT ON runs
FOR EACH ROW EXECUTE FUNCTION runs_search_vector();
CREATE TRIGGER runs_search_update
BEFORE UPDATE OF display_name, source_id, source_status, error_code, error_message, process_id ON runs
FOR EACH ROW EXECUTE FUNCTION runs_search_vector();

CREATE FUNCTION processes_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := to_tsvector('simple', concat_ws(' ',
        NEW.display_name, NEW.source_id, NEW.description));
    RETURN NEW;
END $$;
CREATE TRIGGER processes_search_insert BEFORE INSERT ON processes
FOR EACH ROW EXECUTE FUNCTION processes_search_vector();
CREATE TRIGGER processes_search_update
BEFORE UPDATE OF display_name, source_id, description ON processes
FOR EACH ROW EXECUTE FUNCTION processes_search_vector();

-- A renamed process: its runs are found by the new name.
CREATE FUNCTION processes_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE runs SET display_name = display_name WHERE process_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER processes_renamed AFTER UPDATE OF display_name ON processes
FOR EACH ROW WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name)
EXECUTE FUNCTION processes_renamed();

CREATE INDEX runs_search ON runs USING gin (search_vector);
CREATE INDEX processes_search ON processes USING gin (search_vector);

-- Filters and orderings the catalogs mark as indexed.
CREATE INDEX runs_by_ended ON runs (ended_at NULLS FIRST, id);
CREATE INDEX runs_by_error_category ON runs (error_category, created_at, id);
CREATE INDEX runs_by_job ON runs (job_id, created_at, id) WHERE job_id IS NOT NULL;
CREATE INDEX runs_by_data_source ON runs (data_source_id, created_at, id) WHERE data_source_id IS NOT NULL;
