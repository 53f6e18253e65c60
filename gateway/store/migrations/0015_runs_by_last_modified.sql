-- `orderBy: "lastModifiedDateTime desc"` (the runs changed last first) reads this index in order
-- instead of sorting every run: without it the first page of 1,000,000 runs read the whole runs
-- table (0.9-3.5 s on a loaded 2-core machine; no covering index holds the column). It costs
-- about 48 bytes a run (46 MiB at 1,000,000) and one index entry more per insert and per update
-- of a run (`last_modified_at` changes with every update). The other sort keys without an index
-- of their own are a documented limit (README, "Sorting and search at scale").
CREATE INDEX runs_by_last_modified ON runs (last_modified_at, id);
