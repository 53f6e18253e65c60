-- A digest of the platform record an imported or synced run was last written from (and of the
-- mapping that read it: `fingerprint` in gateway/platforms/base.py). A record whose digest is
-- the stored one is unchanged without being mapped and compared again, and neither the run nor
-- its activities are read back: a sync that reads 100,000 unchanged runs again spent more on
-- that than on anything else. Every other write of a run (the API, lineage, forwarding) clears
-- it, so it only ever vouches for what the import wrote. About 33 bytes a run.
ALTER TABLE runs ADD COLUMN source_hash TEXT;
-- The copies of a run's row (migrations 0006 and 0013, `r.*`) keep its shape.
ALTER TABLE run_states ADD COLUMN source_hash TEXT;
ALTER TABLE deleted_runs ADD COLUMN source_hash TEXT;
