"""Benchmark the real server against a floor measured in the same run.

    python bench/run.py --database bench/data/bench.db [--duration 10] [--clients 8] [--rounds 3]

Starts `gateway serve` on 127.0.0.1 (a free port, the rate limit off, default settings otherwise),
waits for `/readyz`, then for every query in `QUERIES` (`bench/runner/queries.py`):

1. latency with one client: sequential requests (at most `--latency-requests`, at most
   `--latency-seconds`), median and p99;
2. throughput with `--clients` concurrent clients: first a warm-up of `--warmup-seconds` (the
   same clients and request, not counted), then `--rounds` rounds of `--duration` seconds each
   (and at most `--max-requests` a round). In each round: req/s, the CPU seconds (utime + stime
   from /proc/<pid>/stat) of each server process (the process started and its descendants:
   uvicorn's workers under `--workers N`) divided by the requests completed, and this process's
   own CPU (`time.process_time()`: the load client's cost) per request. The table reports the
   median round by req/s (of an even number, the lower middle one), and the goals count on it;
   the "Rounds" table lists every round with how the server's CPU split across its processes;
3. the floor: the same result computed in this process with the stdlib `sqlite3` and `orjson` (the
   same SQL the store runs, rows turned into the response's dicts, `orjson.dumps`), median over
   repeats; the floor's output is compared with the server's response.

Then the ratio goals' pairs (a page 10,000 deep against the first page, the status-filtered list
against the unfiltered one): their requests alternated on one connection, so both see the same
moment of the machine (`bench/runner/paired.py`); the goals count on the ratio of those medians.

The load client is a minimal HTTP/1.1 keep-alive client on asyncio streams (one connection per
client), so that as little CPU as possible goes to the client on a 2-core machine.
Writes `bench/results/YYYY-MM-DD-<label>.md` and prints the same tables.

The runner is the package `bench/runner/` (one module per job); this file is its entry point.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script (`python bench/run.py`), the repository root is not on the path; the runner is
# the package `bench.runner` beside this file.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.runner.main import main

if __name__ == "__main__":
    sys.exit(main())
