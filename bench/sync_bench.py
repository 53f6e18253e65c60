"""Sync throughput: `gateway sync` of a Databricks connection against a local fake workspace
serving many runs, beside `gateway import` of the same runs from one file.

    python bench/sync_bench.py --runs 100000 [--page-size 25] [--label sync]

The fake (tests/fakes/databricks.py) serves `runs/list` newest first in pages of `--page-size`
(25 is the most Jobs 2.2 gives), each run with two tasks. The bench times, each in its own child
process over its own empty database: a first sync (every run added), a second sync (every run
read again, none changed: the re-read window covers them all) and `gateway import --format
databricks` of the same runs written as one `runs/list` document. Results go to
`bench/results/<date>-<label>.md`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fakes.databricks import TOKEN, FakeDatabricks
from tests.fakes.server import serve_app

LIST = "/api/2.2/jobs/runs/list"


def timed(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    lines = (done.stdout.strip() or done.stderr.strip()).splitlines()
    return elapsed, lines[-1] if lines else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=25)
    parser.add_argument("--label", default="sync")
    parser.add_argument("--note", default="", help="a line added to the results")
    args = parser.parse_args()
    gateway = str(Path(sys.executable).with_name("gateway"))
    fake = FakeDatabricks()
    started = time.perf_counter()
    fake.add_runs(args.runs, jobs=40)
    generated = time.perf_counter() - started
    rows = []
    with tempfile.TemporaryDirectory() as tmp, serve_app(fake.app()) as url:
        db = Path(tmp) / "sync.db"
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")},
            "GATEWAY_DATABASE": str(db),
            "DBX_TOKEN": TOKEN,
        }
        add = [gateway, "connection", "add", "bench", "--platform", "databricks"]
        add += ["--endpoint", url, "--credential-env", "DBX_TOKEN"]
        add += ["--option", f"page-size={args.page_size}", "--option", "reread-window=5256000"]
        subprocess.run(add, env=env, check=True, capture_output=True)
        for name in ("first sync (all added)", "second sync (all unchanged)"):
            before = fake.faults.count("GET", LIST)
            seconds, line = timed([gateway, "sync", "bench"], env)
            pages = fake.faults.count("GET", LIST) - before
            rows.append((name, seconds, pages, line))
        source = Path(tmp) / "runs.json"
        ordered = sorted(fake.runs.values(), key=lambda r: r["start_time"], reverse=True)
        source.write_text(json.dumps({"runs": ordered, "has_more": False}), encoding="utf-8")
        imported = Path(tmp) / "import.db"
        seconds, line = timed(
            [gateway, "import", "--format", "databricks", "--database", str(imported), str(source)],
            env,
        )
        rows.append(("gateway import of the same runs (one file)", seconds, 0, line))
    lines = [
        f"# Sync benchmark, {datetime.now(UTC):%Y-%m-%d}",
        "",
        f"{args.runs:,} Databricks runs (2 tasks each) served by the local fake in pages of "
        f"{args.page_size}; generated in {generated:.1f} s.",
        "Wall time of each command in its own process, fake served from this process over "
        "127.0.0.1. Machine: 2 cores shared with other work, so read it as an order of size.",
        f"Load average (1 min) when it ended: {os.getloadavg()[0]:.1f}.",
        *([args.note] if args.note else []),
        "",
        "| what | seconds | runs/s | pages | result |",
        "|---|---|---|---|---|",
    ]
    for name, seconds, pages, line in rows:
        lines.append(
            f"| {name} | {seconds:,.1f} | {args.runs / seconds:,.0f} | {pages:,} | {line} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    out = Path(__file__).parent / "results" / f"{datetime.now(UTC):%Y-%m-%d}-{args.label}.md"
    out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
