"""Import and sync cost per run, two checkouts interleaved in one session.

    python bench/ingest_compare.py --runs 20000 --before ../other-checkout [--rounds 2]
        [--what import,sync] [--label ingest]

One Databricks `runs/list` file (bench/import_bench.py's: two tasks per run, one in ten a retry)
and one local fake workspace (tests/fakes/databricks.py, pages of 25, the same number of runs)
serve both versions. Each round runs, for "before" (the checkout at `--before`, through
`PYTHONPATH`, with this virtualenv) and "after" (this checkout), in turns that swap their order
each round: `gateway import` into an empty SQLite file, then a first `gateway sync` (every run
added) and a second one (every run unchanged) into another. Each command is its own child: its
wall time, its CPU seconds (user + system, `wait4`: the fake server's CPU is this process's, not
counted) and peak RSS, and the 1-minute load average before and after it. Runs per CPU-second
move much less with the load of a shared machine than wall runs per second.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.import_bench import write_databricks  # noqa: E402
from tests.fakes.databricks import TOKEN, FakeDatabricks  # noqa: E402
from tests.fakes.server import serve_app  # noqa: E402


@dataclass
class Sample:
    round: int
    version: str
    what: str
    wall: float
    cpu: float
    rss_mib: float
    load: tuple[float, float]
    line: str


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds and peak RSS (MiB) of one child, and its last output line."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        out.seek(0)
        text = out.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(args)} failed:\n{text}")
    lines = text.strip().splitlines()
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, lines[-1] if lines else ""


def measure(
    samples: list[Sample],
    key: tuple[int, str, str],
    argv: list[str],
    env: dict[str, str],
    runs: int,
) -> None:
    """Run one command and keep its sample (round, version, what)."""
    load0 = os.getloadavg()[0]
    wall, cpu, rss, line = run(argv, env)
    rnd, version, what = key
    samples.append(Sample(rnd, version, what, wall, cpu, rss, (load0, os.getloadavg()[0]), line))
    print(
        f"{version:6s} r{rnd} {what:16s} wall {wall:7.1f} s  cpu {cpu:7.1f} s  "
        f"{runs / cpu:8,.0f} runs/cpu-s  load {load0:.1f}  {line}",
        flush=True,
    )


def median(samples: list[Sample], what: str, version: str, attr: str) -> float:
    values = sorted(getattr(s, attr) for s in samples if s.what == what and s.version == version)
    return float(values[(len(values) - 1) // 2])


def table(samples: list[Sample], runs: int, compared: bool) -> str:
    lines = [
        "| round | version | what | wall s | runs/s (wall) | CPU s | runs per CPU-second "
        "| peak RSS MiB | load (1 min) | result |",
        "|---|---|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for s in samples:
        lines.append(
            f"| {s.round} | {s.version} | {s.what} | {s.wall:,.1f} | {runs / s.wall:,.0f} | "
            f"{s.cpu:,.1f} | {runs / s.cpu:,.0f} | {s.rss_mib:,.0f} | "
            f"{s.load[0]:.1f} → {s.load[1]:.1f} | {s.line} |"
        )
    if compared:
        lines += [
            "",
            "| what | after ÷ before, runs per CPU-second (medians) | after ÷ before, wall runs/s |",
            "|---|---:|---:|",
        ]
        for what in dict.fromkeys(s.what for s in samples):
            cpu = median(samples, what, "before", "cpu") / median(samples, what, "after", "cpu")
            wall = median(samples, what, "before", "wall") / median(samples, what, "after", "wall")
            lines.append(f"| {what} | {cpu:.2f} | {wall:.2f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20_000)
    parser.add_argument("--before", type=Path, help="a checkout of the version to compare with")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--what", default="import,sync")
    parser.add_argument("--label", default="ingest")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    gateway = str(Path(sys.executable).with_name("gateway"))
    versions = [("after", ROOT)] + ([("before", args.before.resolve())] if args.before else [])
    what = args.what.split(",")
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
    samples: list[Sample] = []
    (ROOT / "bench" / "data").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=ROOT / "bench" / "data") as tmp:
        source = Path(tmp) / "runs.json"
        write_databricks(source, args.runs)
        fake = FakeDatabricks()
        fake.add_runs(args.runs, jobs=40)
        with serve_app(fake.app()) as url:
            for rnd in range(args.rounds):
                for name, checkout in versions if rnd % 2 == 0 else versions[::-1]:
                    env = {**base_env, "PYTHONPATH": str(checkout), "DBX_TOKEN": TOKEN}
                    tag = f"{name}-{rnd}"
                    if "import" in what:
                        db = Path(tmp) / f"import-{tag}.db"
                        argv = [gateway, "import", "--format", "databricks"]
                        argv += ["--database", str(db), str(source)]
                        measure(samples, (rnd, name, "import"), argv, env, args.runs)
                    if "sync" in what:
                        sync_env = {**env, "GATEWAY_DATABASE": str(Path(tmp) / f"sync-{tag}.db")}
                        add = [gateway, "connection", "add", "bench", "--platform", "databricks"]
                        add += ["--endpoint", url, "--credential-env", "DBX_TOKEN"]
                        add += ["--option", "page-size=25", "--option", "reread-window=5256000"]
                        subprocess.run(add, env=sync_env, check=True, capture_output=True)
                        for label in ("sync (added)", "sync (unchanged)"):
                            key = (rnd, name, label)
                            measure(samples, key, [gateway, "sync", "bench"], sync_env, args.runs)
                    for leftover in Path(tmp).glob(f"*-{tag}.db*"):
                        leftover.unlink()
    text = table(samples, args.runs, compared=bool(args.before))
    print(text)
    if not args.no_write:
        day = f"{datetime.now(UTC):%Y-%m-%d}"
        out = ROOT / "bench" / "results" / f"{day}-{args.label}-{args.runs}.md"
        load = os.getloadavg()
        head = (
            f"`python {' '.join(sys.argv)}`, load average at the end {load[0]:.1f} / {load[1]:.1f}"
        )
        out.write_text(f"{head}\n\n{text}", encoding="utf-8")
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
