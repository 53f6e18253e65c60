"""`gateway connection add | list | remove` and `gateway sync [NAME...]`: connections to the
platforms, and one incremental pass over them now (one line per connection; a progress line on a
terminal only)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import IO

from gateway.cli.heap import bulk_heap
from gateway.cli.options import SubParsers, add_database, settings_of
from gateway.config import Settings, SettingsError
from gateway.domain.connections import (
    DEFAULT_INTERVAL,
    Connection,
    SyncReport,
    SyncStatus,
    format_interval,
    parse_interval,
)
from gateway.domain.exceptions import ConflictError, NotFoundError, ValidationError
from gateway.platforms.registry import PLATFORMS
from gateway.services.sync import Progress

DEFAULT_WORKSPACE = "ws_00000000000000000000000000"


def _options(values: list[str]) -> dict[str, str]:
    options: dict[str, str] = {}
    for value in values:
        key, sep, text = value.partition("=")
        if not sep or not key.strip():
            raise SettingsError(f"--option takes KEY=VALUE; got {value!r}.")
        options[key.strip()] = text.strip()
    return options


def _describe(connection: Connection, report: SyncReport | None) -> str:
    options = ",".join(f"{k}={v}" for k, v in sorted(connection.options.items())) or "-"
    last = (
        f"last sync {report.ended_date_time.isoformat(timespec='seconds')} "
        f"{report.status.value}: {report.line()}"
        if report
        else "never synced"
    )
    return (
        f"{connection.name}\t{connection.platform}\t{connection.endpoint}\t"
        f"workspace={connection.workspace_id}\toptions={options}\t"
        f"credential-env={connection.credential_env or '-'}\t"
        f"every {format_interval(connection.interval)}\t{last}"
    )


async def _connection(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.services import connections
    from gateway.store.engines import database_for

    async with database_for(settings.database, readers=1) as db:
        if args.action == "add":
            interval = parse_interval(args.interval) if args.interval else DEFAULT_INTERVAL
            added = await connections.add_connection(
                db,
                name=args.name,
                platform=args.platform,
                endpoint=args.endpoint,
                workspace_id=args.workspace,
                credential_env=args.credential_env,
                options=_options(args.option),
                interval=interval,
            )
            print(f"Added connection {added.name} ({added.platform}, {added.endpoint}).")
        elif args.action == "list":
            for connection, report in await connections.list_connections(db):
                print(_describe(connection, report))
        else:
            removed = await connections.remove_connection(db, args.name)
            print(f"Removed connection {removed.name}; its runs stay.")
    return 0


def cmd_connection(args: argparse.Namespace, settings: Settings) -> int:
    try:
        return asyncio.run(_connection(args, settings))
    except NotFoundError:
        print(f"gateway connection: no connection is named {args.name!r}.", file=sys.stderr)
        return 1
    except (ValidationError, ConflictError) as exc:
        print(f"gateway connection {args.action}: {exc.message}", file=sys.stderr)
        return 2


class SyncProgress:
    """One progress line on standard error, redrawn at most every 0.2 s; silent off a TTY."""

    def __init__(self, stream: IO[str] = sys.stderr) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self.seen: dict[str, int] = {}
        self._drawn = 0.0

    def __call__(self, connection: Connection, progress: Progress) -> None:
        self.seen[connection.name] = progress.records
        now = time.monotonic()
        if self.enabled and now - self._drawn >= 0.2:
            self._drawn = now
            total = sum(self.seen.values())
            names = ", ".join(sorted(self.seen))
            self.stream.write(f"\rsyncing {names}: {total:,} runs"[:78])
            self.stream.flush()

    def done(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * 78 + "\r")
            self.stream.flush()


async def _sync(args: argparse.Namespace, settings: Settings, progress: SyncProgress) -> int:
    from gateway.services import connections
    from gateway.services.sync import sync_many
    from gateway.store.engines import database_for

    async with database_for(settings.database, readers=1) as db:
        chosen = await connections.by_names(db, args.names)
        if not chosen:
            print(
                "gateway sync: no connection to sync (gateway connection add ...).", file=sys.stderr
            )
            return 1
        reports = await sync_many(db, chosen, on_progress=progress)
    progress.done()
    for connection, report in zip(chosen, reports, strict=True):
        seconds = report.duration.total_seconds()
        print(f"{connection.name}: {report.status.value}, {report.line()} ({seconds:.1f} s)")
    return 0 if all(r.status is SyncStatus.SUCCEEDED for r in reports) else 1


def cmd_sync(args: argparse.Namespace, settings: Settings) -> int:
    progress = SyncProgress()
    try:
        with bulk_heap():
            return asyncio.run(_sync(args, settings, progress))
    except NotFoundError as exc:
        progress.done()
        print(f"gateway sync: no connection is named {exc.id!r}.", file=sys.stderr)
        return 2


def add_parser(sub: SubParsers) -> None:
    """Add `connection` and `sync` to the command line."""
    conn = sub.add_parser("connection", help="connections to the platforms (add, list, remove)")
    actions = conn.add_subparsers(dest="action", required=True)
    add = actions.add_parser(
        "add", help="record a connection (the credential stays in the environment)"
    )
    add.add_argument("name", help="the connection's name (letters, digits, . _ -)")
    add.add_argument("--platform", required=True, choices=sorted(PLATFORMS), help="the platform")
    add.add_argument("--endpoint", required=True, help="the platform's base URL")
    add.add_argument(
        "--workspace",
        default=DEFAULT_WORKSPACE,
        help="workspace of its runs (default: the default)",
    )
    add.add_argument(
        "--credential-env",
        metavar="VAR",
        help="the environment variable holding the credential (its name is kept, never its value)",
    )
    add.add_argument(
        "--option", action="append", default=[], metavar="KEY=VALUE", help="a platform option"
    )
    add.add_argument(
        "--interval",
        help=f"how often gateway serve syncs it: 30s, 5m, 1h (default {format_interval(DEFAULT_INTERVAL)})",
    )
    lst = actions.add_parser("list", help="list connections and their last sync (never a secret)")
    rm = actions.add_parser("remove", help="remove a connection (its runs stay)")
    rm.add_argument("name", help="the connection's name")
    for parser in (add, lst, rm):
        add_database(parser)
        parser.set_defaults(func=lambda a: cmd_connection(a, settings_of(a)))

    sync = sub.add_parser("sync", help="one incremental pass over the connections now")
    sync.add_argument("names", nargs="*", metavar="NAME", help="connections (default: every one)")
    add_database(sync)
    sync.set_defaults(func=lambda a: cmd_sync(a, settings_of(a)))
