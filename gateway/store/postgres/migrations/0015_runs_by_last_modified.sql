-- `orderBy: "lastModifiedDateTime desc"` reads this index in order, as SQLite's 0015.
CREATE INDEX runs_by_last_modified ON runs (last_modified_at, id);
