"""The gateway on PostgreSQL at scale, in one command.

    python bench/pg_scale.py [--runs 1000000] [--rounds 3] [--servers gateway-pg-1,gateway-pg-2]

Generates the data set with bench/generate.py (unless the file exists), copies it into the
PostgreSQL database `--pg-database` (bench_pg_scale) with the gateway's own schema, then measures
the list, the nested list, the filtered list, the counts and two statistics queries on the
gateway with one and with two worker processes over that database (and, with
`--servers ...,gateway-sqlite-2`, on the SQLite file of the same rows), in interleaved rounds:
requests per second with 8 clients, server CPU per request (its processes and the PostgreSQL
backends, from /proc) and one client's median latency. Writes
bench/results/YYYY-MM-DD-pg-scale-<runs>.md. The module is bench/sidebyside/scale.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.sidebyside.scale import main

if __name__ == "__main__":
    sys.exit(main())
