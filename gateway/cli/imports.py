"""`gateway import` and `gateway export`: files or standard input in, NDJSON out, a progress bar on
a terminal and a summary at the end."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO

import orjson

from gateway.cli.heap import bulk_heap
from gateway.cli.options import SubParsers, add_database, settings_of
from gateway.config import Settings
from gateway.domain.exceptions import ValidationError
from gateway.domain.imports import ImportSummary, RecordFailure
from gateway.ingest.formats import FORMATS, Format, Parsed, parse_chunks
from gateway.odata import ODataError

CHUNK_BYTES = 256 * 1024
DEFAULT_WORKSPACE = "ws_00000000000000000000000000"


class Progress:
    """A one-line progress bar on standard error, drawn at most every 0.2 s; silent off a TTY."""

    def __init__(self, total_bytes: int | None, stream: IO[str] = sys.stderr) -> None:
        self.total = total_bytes
        self.stream = stream
        self.enabled = stream.isatty()
        self.read = 0
        self.records = 0
        self._drawn = 0.0

    def advance(self, size: int = 0, records: int | None = None) -> None:
        self.read += size
        if records is not None:
            self.records = records
        now = time.monotonic()
        if self.enabled and now - self._drawn >= 0.2:
            self._drawn = now
            self.stream.write("\r" + self.line())
            self.stream.flush()

    def line(self) -> str:
        mb = f"{self.read / 1e6:,.1f} MB"
        if self.total:
            share = min(1.0, self.read / self.total)
            bar = "#" * int(share * 30)
            return f"[{bar:<30}] {share:4.0%} {mb}, {self.records:,} records"
        return f"{mb}, {self.records:,} records"

    def done(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * 72 + "\r")
            self.stream.flush()


async def _chunks(stream: IO[bytes], progress: Progress) -> AsyncIterator[bytes]:
    while chunk := await asyncio.to_thread(stream.read, CHUNK_BYTES):
        progress.advance(len(chunk))
        yield chunk


async def _records(
    format: Format, sources: list[tuple[str, IO[bytes]]], progress: Progress
) -> AsyncIterator[Parsed]:
    """Every file's records in turn, their positions prefixed with the file name."""
    for name, stream in sources:
        async for item in parse_chunks(format, _chunks(stream, progress)):
            if isinstance(item, RecordFailure):
                yield RecordFailure(f"{name}: {item.position}", item.message)
            else:
                yield (f"{name}: {item[0]}", item[1])


async def _import(
    settings: Settings, args: argparse.Namespace, progress: Progress
) -> ImportSummary:
    from gateway.services.imports import import_records
    from gateway.store.engines import database_for

    sources: list[tuple[str, IO[bytes]]] = []
    try:
        for name in args.files:
            sources.append(("stdin", sys.stdin.buffer) if name == "-" else (name, open(name, "rb")))  # noqa: ASYNC230, SIM115 (opened once; closed below)
        async with database_for(settings.database, readers=1) as db:
            return await import_records(
                db,
                _records(FORMATS[args.format], sources, progress),
                workspace_id=args.workspace,
                strict=args.strict,
                batch_size=args.batch_size,
                on_batch=lambda s: progress.advance(records=s.records),
            )
    finally:
        for name, stream in sources:
            if name != "stdin":
                stream.close()


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    missing = [name for name in args.files if name != "-" and not Path(name).is_file()]
    if missing:
        print(f"gateway import: no such file: {missing[0]}", file=sys.stderr)
        return 2
    total = None if "-" in args.files else sum(Path(n).stat().st_size for n in args.files)
    progress = Progress(total)
    try:
        with bulk_heap():
            summary = asyncio.run(_import(settings, args, progress))
    except ValidationError as exc:
        progress.done()
        print(f"gateway import: {exc.message}", file=sys.stderr)
        return 2
    progress.done()
    for failure in summary.failures:
        print(f"{failure.position}: {failure.message}", file=sys.stderr)
    if summary.failed > len(summary.failures):
        print(f"... and {summary.failed - len(summary.failures)} more failures", file=sys.stderr)
    strict_note = "; nothing was imported (--strict)" if args.strict and summary.failed else ""
    print(f"Imported: {summary.line()}{strict_note}.", file=sys.stderr)
    return 1 if summary.failed else 0


async def _export(settings: Settings, filter: str | None, out: IO[bytes]) -> int:
    from gateway.ingest.native import record_line
    from gateway.store.engines import database_for
    from gateway.store.exports import export_records

    count = 0
    async with database_for(settings.database, readers=1) as db:
        async for record in export_records(db, filter=filter):
            out.write(orjson.dumps(record_line(record)) + b"\n")
            count += 1
    return count


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    out = open(args.output, "wb") if args.output else sys.stdout.buffer  # noqa: SIM115
    try:
        count = asyncio.run(_export(settings, args.filter, out))
    except ODataError as exc:
        print(f"gateway export: --filter: {exc}", file=sys.stderr)
        return 2
    finally:
        if args.output:
            out.close()
        else:
            out.flush()
    print(f"Exported {count:,} records.", file=sys.stderr)
    return 0


def add_parser(sub: SubParsers) -> None:
    """Add `import` and `export` to the command line."""
    imp = sub.add_parser("import", help="load runs from the platforms' JSON or a gateway export")
    imp.add_argument("--format", required=True, choices=sorted(FORMATS), help="input format")
    imp.add_argument("files", nargs="+", metavar="FILE", help="files to read; - is standard input")
    imp.add_argument(
        "--workspace",
        default=DEFAULT_WORKSPACE,
        help="workspace of the imported runs (default: the default workspace)",
    )
    imp.add_argument(
        "--strict",
        action="store_true",
        help="one transaction: the first bad record fails the whole import",
    )
    imp.add_argument("--batch-size", type=int, default=1000, help="records per transaction")
    add_database(imp)
    imp.set_defaults(func=lambda a: cmd_import(a, settings_of(a)))

    exp = sub.add_parser("export", help="write processes, runs and activities as NDJSON")
    exp.add_argument("--filter", help="an OData $filter selecting the runs (default: all)")
    exp.add_argument("--output", help="write to this file (default: standard output)")
    add_database(exp)
    exp.set_defaults(func=lambda a: cmd_export(a, settings_of(a)))
