"""What a candidate sort index costs: its size and the CPU of inserting runs with and without it.

    cp bench/data/r100000.db /tmp/copy.db && python bench/index_cost.py /tmp/copy.db

On a scratch copy (it creates and drops indexes): for each candidate, the index's size from
`dbstat`, then 10,000 inserted runs (copies of existing rows with new ids, through every trigger:
full text, summaries, counts, states) timed with and without the index, alternating 3 times,
each inside a transaction rolled back. Prints one line per candidate.
"""

from __future__ import annotations

import sqlite3
import statistics
import sys
import time

CANDIDATES = [
    ("runs_by_last_modified_probe", "last_modified_at, id"),
    ("runs_by_display_name_probe", "display_name, id"),
    ("runs_by_queue_ms_probe", "queue_ms, id"),
]


def main(path: str) -> None:
    c = sqlite3.connect(path, isolation_level=None)
    columns = [r[1] for r in c.execute("PRAGMA table_xinfo(runs)") if r[6] == 0]
    values = ", ".join(f"r.{n} || 'x'" if n in ("id", "source_id") else f"r.{n}" for n in columns)
    insert = (
        f"INSERT INTO runs ({', '.join(columns)}) SELECT {values} FROM runs r "
        "WHERE r.rowid > ? ORDER BY r.rowid LIMIT 10000"
    )
    top = c.execute("SELECT max(rowid) FROM runs").fetchone()[0]

    def once() -> float:
        c.execute("BEGIN")
        began = time.process_time()
        c.execute(insert, (top - 20000,))
        spent = time.process_time() - began
        c.execute("ROLLBACK")
        return spent

    def size(name: str) -> int:
        return int(
            c.execute("SELECT sum(pgsize) FROM dbstat WHERE name = ?", (name,)).fetchone()[0]
        )

    runs = c.execute("SELECT count(*) FROM runs").fetchone()[0]
    for name, keys in CANDIDATES:
        began = time.perf_counter()
        c.execute(f"CREATE INDEX {name} ON runs ({keys})")
        built, bytes_ = time.perf_counter() - began, size(name)
        with_, without = [], []
        for _ in range(3):
            with_.append(once())
            c.execute(f"DROP INDEX {name}")
            without.append(once())
            c.execute(f"CREATE INDEX {name} ON runs ({keys})")
        c.execute(f"DROP INDEX {name}")
        w, wo = statistics.median(with_), statistics.median(without)
        print(
            f"({keys}): {bytes_ / 2**20:.1f} MiB ({bytes_ / runs:.0f} B/run), built in "
            f"{built:.1f} s; 10,000 inserts {wo * 1000:.0f} -> {w * 1000:.0f} ms CPU "
            f"({(w / wo - 1) * 100:+.1f}%)"
        )


if __name__ == "__main__":
    main(sys.argv[1])
