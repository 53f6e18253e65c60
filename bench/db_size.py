"""Where a database's bytes go: MB per table and per index, SQLite beside PostgreSQL.

    python bench/db_size.py --sqlite path/to.db [--postgres postgresql://...] [--label L]

SQLite: the `dbstat` virtual table (pages per b-tree: tables, indexes, the full-text shadow
tables). PostgreSQL: `pg_relation_size` of each table (with its TOAST) and each index, after
`VACUUM` so dead tuples are not counted. Prints a markdown table, largest first; with
`--label`, also writes it to `bench/results/<date>-size-<label>.md`.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

MB = 1_000_000


def sqlite_sizes(path: str) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    finally:
        conn.close()
    sizes = {name: int(size) for name, size in rows}
    if free:
        sizes["(free pages)"] = free * page
    return sizes


async def postgres_sizes(url: str) -> dict[str, int]:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        await conn.execute("VACUUM")
        rows = await conn.fetch(
            "SELECT c.relname, pg_relation_size(c.oid) + "
            "COALESCE(pg_total_relation_size(NULLIF(c.reltoastrelid, 0)), 0) AS bytes "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i')"
        )
    finally:
        await conn.close()
    return {row["relname"]: int(row["bytes"]) for row in rows}


def _alias(name: str) -> str:
    """SQLite's names for the unique constraints' indexes, told apart from PostgreSQL's."""
    return name


def table(columns: dict[str, dict[str, int]]) -> list[str]:
    names = sorted(
        {name for sizes in columns.values() for name in sizes},
        key=lambda n: -max(sizes.get(n, 0) for sizes in columns.values()),
    )
    header = "| table or index | " + " | ".join(f"{c} MB" for c in columns) + " |"
    lines = [header, "|---|" + "---|" * len(columns)]
    for name in names:
        values = [columns[c].get(name) for c in columns]
        if all(v is None or v < MB // 100 for v in values):
            continue
        cells = ["" if v is None else f"{v / MB:,.2f}" for v in values]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    totals = [f"**{sum(sizes.values()) / MB:,.1f}**" for sizes in columns.values()]
    lines.append("| **total** | " + " | ".join(totals) + " |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sqlite", action="append", default=[], help="a SQLite file (repeat)")
    parser.add_argument("--postgres", help="a PostgreSQL URL holding the same data")
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    columns: dict[str, dict[str, int]] = {}
    for path in args.sqlite:
        columns[f"SQLite {Path(path).name}"] = sqlite_sizes(path)
    if args.postgres:
        columns["PostgreSQL"] = asyncio.run(postgres_sizes(args.postgres))
    text = "\n".join(table(columns)) + "\n"
    print(text)
    if args.label:
        out = (
            Path(__file__).parent / "results" / f"{datetime.now(UTC):%Y-%m-%d}-size-{args.label}.md"
        )
        out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
