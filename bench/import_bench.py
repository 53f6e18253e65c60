"""Time and peak memory of importing many runs: `gateway import` on a generated file.

    python bench/import_bench.py --runs 1000000 [--format databricks|gateway] [--label L]

Writes a Databricks `runs/list` document (`{"runs": [...]}`, each run with two tasks, one run in
ten a retry of the one before it) of `--runs` runs to a temporary file, runs `gateway import` on
it into an empty temporary database in a child process, and reports the wall time, runs per
second, the child's peak resident memory (`ru_maxrss` of that child, by `wait4`) and the input size into
`bench/results/<date>-import-<label>.md`. With `--format gateway` the imported database is then
exported and the export imported into a second empty database.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

BASE_MS = 1_760_000_000_000


def write_databricks(path: Path, runs: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write('{"runs": [\n')
        for i in range(runs):
            run_id = 10_000_000 + i
            job = 100 + i % 40
            start = BASE_MS + i * 60_000
            retry = i % 10 == 9
            original = run_id - 1 if retry else run_id
            failed = i % 10 == 8
            result = "FAILED" if failed else "SUCCESS"
            out.write(
                ("," if i else "")
                + f'{{"job_id": {job}, "run_id": {run_id}, "number_in_job": {run_id}, '
                f'"original_attempt_run_id": {original}, "attempt_number": {1 if retry else 0}, '
                f'"creator_user_name": "bench@example.com", "run_name": "Job {job}", '
                f'"state": {{"life_cycle_state": "TERMINATED", "result_state": "{result}", '
                f'"state_message": "{"boom" if failed else ""}"}}, '
                f'"start_time": {start}, "end_time": {start + 50_000}, "run_duration": 50000, '
                f'"setup_duration": 0, "execution_duration": 0, "cleanup_duration": 0, '
                f'"trigger": "{"RETRY" if retry else "PERIODIC"}", "run_type": "JOB_RUN", '
                f'"tasks": [{{"run_id": {run_id * 10}, "task_key": "ingest", '
                f'"notebook_task": {{}}, "state": {{"life_cycle_state": "TERMINATED", '
                f'"result_state": "SUCCESS"}}, "start_time": {start}, "end_time": {start + 20_000}}}, '
                f'{{"run_id": {run_id * 10 + 1}, "task_key": "train", "depends_on": '
                f'[{{"task_key": "ingest"}}], "state": {{"life_cycle_state": "TERMINATED", '
                f'"result_state": "{result}"}}, "start_time": {start + 20_000}, '
                f'"end_time": {start + 50_000}}}]}}\n'
            )
        out.write('], "has_more": false}\n')


def timed(args: list[str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS in KiB of this child alone (`wait4`), and its last line of stderr."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - started
        err.seek(0)
        text = err.read().decode()
    if child.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{text}")
    return elapsed, usage.ru_maxrss, text.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--format", choices=("databricks", "gateway"), default="databricks")
    parser.add_argument("--label", default="import")
    parser.add_argument("--note", default="", help="a line added to the results")
    args = parser.parse_args()
    gateway = str(Path(sys.executable).with_name("gateway"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "runs.json"
        started = time.perf_counter()
        write_databricks(source, args.runs)
        generated = time.perf_counter() - started
        db = Path(tmp) / "first.db"
        seconds, peak, summary = timed(
            [gateway, "import", "--format", "databricks", "--database", str(db), str(source)]
        )
        rows.append(("databricks runs/list", source.stat().st_size, seconds, peak, summary))
        if args.format == "gateway":
            export = Path(tmp) / "export.ndjson"
            e_seconds, e_peak, _ = timed(
                [gateway, "export", "--database", str(db), "--output", str(export)]
            )
            rows.append(("gateway export (write)", export.stat().st_size, e_seconds, e_peak, ""))
            second = Path(tmp) / "second.db"
            seconds, peak, summary = timed(
                [gateway, "import", "--format", "gateway", "--database", str(second), str(export)]
            )
            rows.append(("gateway NDJSON", export.stat().st_size, seconds, peak, summary))
    lines = [
        f"# Import benchmark, {datetime.now(UTC):%Y-%m-%d}",
        "",
        f"{args.runs:,} runs (2 tasks each, 1 in 10 a retry), generated in {generated:.1f} s.",
        "Machine: 2 cores shared with other work; wall time, so read it as an order of size.",
        *([args.note] if args.note else []),
        "",
        "| input | size MB | seconds | runs/s | peak RSS MiB | summary |",
        "|---|---|---|---|---|---|",
    ]
    for name, size, seconds, peak, summary in rows:
        lines.append(
            f"| {name} | {size / 1e6:,.0f} | {seconds:,.1f} | {args.runs / seconds:,.0f} | "
            f"{peak / 1024:,.0f} | {summary} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    out = Path(__file__).parent / "results" / f"{datetime.now(UTC):%Y-%m-%d}-{args.label}.md"
    out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
