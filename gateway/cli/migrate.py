"""`gateway migrate`: create or upgrade the database schema."""

from __future__ import annotations

import argparse
import asyncio
import sys

from gateway.cli.options import SubParsers, add_database, settings_of
from gateway.config import Settings


async def _migrate(settings: Settings) -> None:
    from gateway.store.engines import database_for

    async with database_for(settings.database, readers=1):
        pass  # opening the database applies pending migrations


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    asyncio.run(_migrate(settings))
    print(f"The database {settings.database} is up to date.", file=sys.stderr)
    return 0


def add_parser(sub: SubParsers) -> None:
    migrate = sub.add_parser("migrate", help="create or upgrade the database schema")
    add_database(migrate)
    migrate.set_defaults(func=cmd_migrate)
