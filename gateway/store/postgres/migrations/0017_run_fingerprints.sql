-- The digest of the platform record a run was last imported from, as SQLite's 0016; the copies
-- of a run's row keep its shape.
ALTER TABLE runs ADD COLUMN source_hash TEXT;
ALTER TABLE run_states ADD COLUMN source_hash TEXT;
ALTER TABLE deleted_runs ADD COLUMN source_hash TEXT;
