"""The command line: `gateway serve | migrate | demo | import | export | export-schema | token`."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from gateway import __version__
from gateway.config import Settings, SettingsError
from gateway.ingest_cli import add_commands as add_ingest_commands

SCHEMA_FILE = "schema.graphql"


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {
        name: getattr(args, name, None)
        for name in ("host", "port", "database", "demo", "workers", "allow_open")
        if getattr(args, name, None) not in (None, False)
    }
    return Settings.load(overrides)


async def _migrate(settings: Settings) -> None:
    from gateway.store.database import Database

    async with Database(settings.database, readers=1):
        pass  # opening the database applies pending migrations


async def _demo(settings: Settings, runs_wanted: int, only_if_empty: bool) -> str:
    from gateway.demo.generator import load
    from gateway.store import runs
    from gateway.store.database import Database

    async with Database(settings.database, readers=1) as db:
        if only_if_empty:
            async with db.read() as conn:
                if await runs.count(conn):
                    return "The database already has runs; the demo data set was not loaded."
        summary = await load(db, runs_wanted=runs_wanted)
    return (
        f"Loaded the demo data set: {summary.processes} processes, {summary.runs} runs, "
        f"{summary.activities} activities."
    )


def cmd_serve(args: argparse.Namespace) -> int:
    from gateway.serving import serve

    settings = _settings(args)
    if settings.demo:
        print(asyncio.run(_demo(settings, 3000, only_if_empty=True)), file=sys.stderr)
    # Worker processes read their settings from the environment, the same way.
    for name in ("host", "port", "database", "demo", "workers", "allow_open"):
        os.environ[f"GATEWAY_{name.upper()}"] = str(getattr(settings, name))
    print(
        f"runs-gateway {__version__}: http://{settings.host}:{settings.port}/graphql "
        f"(database {settings.database}, auth {settings.auth_mode})",
        file=sys.stderr,
    )
    return serve(settings)


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = _settings(args)
    asyncio.run(_migrate(settings))
    print(f"The database {settings.database} is up to date.", file=sys.stderr)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    settings = _settings(args)
    print(asyncio.run(_demo(settings, args.runs, only_if_empty=False)), file=sys.stderr)
    return 0


def cmd_export_schema(args: argparse.Namespace) -> int:
    from gateway.api.schema import print_sdl

    sdl = print_sdl()
    if args.check:
        path = Path(args.output or SCHEMA_FILE)
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != sdl:
            print(
                f"{path} differs from the schema in the code; run `gateway export-schema "
                f"--output {path}` and commit it.",
                file=sys.stderr,
            )
            return 1
        print(f"{path} matches the code.", file=sys.stderr)
        return 0
    if args.output:
        Path(args.output).write_text(sdl, encoding="utf-8")
    else:
        sys.stdout.write(sdl)
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from gateway.cli_tokens import run

    return run(args, _settings(args))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gateway", description="runs-gateway: one GraphQL API over pipeline and job runs."
    )
    parser.add_argument("--version", action="version", version=f"runs-gateway {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def database(p: argparse.ArgumentParser) -> None:
        p.add_argument("--database", help="SQLite file (default ./gateway.db; GATEWAY_DATABASE)")

    serve = sub.add_parser("serve", help="serve the API")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8000)")
    database(serve)
    serve.add_argument(
        "--demo",
        action="store_true",
        help="load the demo data set into an empty database and keep demo runs moving",
    )
    serve.add_argument("--workers", type=int, help="worker processes (default 1)")
    serve.add_argument(
        "--allow-open",
        action="store_true",
        help="serve with auth off on a non-loopback address, on purpose (GATEWAY_ALLOW_OPEN)",
    )
    serve.set_defaults(func=cmd_serve)

    migrate = sub.add_parser("migrate", help="create or upgrade the database schema")
    database(migrate)
    migrate.set_defaults(func=cmd_migrate)

    demo = sub.add_parser("demo", help="load the deterministic demo data set")
    database(demo)
    demo.add_argument("--runs", type=int, default=3000, help="how many runs (default 3000)")
    demo.set_defaults(func=cmd_demo)

    export = sub.add_parser("export-schema", help="print the GraphQL schema (SDL)")
    export.add_argument("--output", help=f"write it to this file (such as {SCHEMA_FILE})")
    export.add_argument(
        "--check", action="store_true", help="exit 1 when the file differs from the code"
    )
    export.set_defaults(func=cmd_export_schema)
    add_ingest_commands(sub, database, _settings)

    from gateway.cli_tokens import add_parser as add_token_parser

    add_token_parser(sub, database, cmd_token)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result: int = args.func(args)
    except SettingsError as exc:
        print(f"gateway: {exc}", file=sys.stderr)
        return 2
    return result


if __name__ == "__main__":
    raise SystemExit(main())
