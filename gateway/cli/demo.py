"""`gateway demo`: load the deterministic demo data set (also what `serve --demo` loads into an
empty database)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from gateway.cli.options import SubParsers, add_database, settings_of
from gateway.config import Settings


async def load_demo(settings: Settings, runs_wanted: int, only_if_empty: bool) -> str:
    """Load the demo data set; the line that says what was loaded (or that nothing was)."""
    from gateway.demo.generator import load
    from gateway.store import runs
    from gateway.store.engines import database_for

    async with database_for(settings.database, readers=1) as db:
        if only_if_empty:
            async with db.read() as conn:
                if await runs.count(conn):
                    return "The database already has runs; the demo data set was not loaded."
        summary = await load(db, runs_wanted=runs_wanted)
    return (
        f"Loaded the demo data set: {summary.processes} processes, {summary.runs} runs, "
        f"{summary.activities} activities."
    )


def cmd_demo(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    print(asyncio.run(load_demo(settings, args.runs, only_if_empty=False)), file=sys.stderr)
    return 0


def add_parser(sub: SubParsers) -> None:
    demo = sub.add_parser("demo", help="load the deterministic demo data set")
    add_database(demo)
    demo.add_argument("--runs", type=int, default=3000, help="how many runs (default 3000)")
    demo.set_defaults(func=cmd_demo)
