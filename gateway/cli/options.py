"""What every command shares: the `--database` and `--config` options, and the settings from the
arguments (over the environment, `GATEWAY_*`, over the config file)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from gateway.config import Settings, unknown_variables

SubParsers = Any
"""argparse's `_SubParsersAction`, which it does not export."""

_OVERRIDES = ("host", "port", "database", "create", "demo", "workers", "allow_open", "root_path")


def settings_of(args: argparse.Namespace) -> Settings:
    """The settings: the config file's and the environment's, with the options given on the
    command line over them. Warns on standard error about `GATEWAY_*` variables that are no
    setting."""
    for warning in unknown_variables():
        print(f"gateway: warning: {warning}", file=sys.stderr)
    overrides = {
        name: getattr(args, name, None)
        for name in _OVERRIDES
        if getattr(args, name, None) not in (None, False)
    }
    return Settings.load(overrides, config_file=getattr(args, "config", None))


def add_database(parser: argparse.ArgumentParser) -> None:
    """The `--database` and `--config` options of every command that opens the store."""
    parser.add_argument("--database", help="SQLite file (default ./gateway.db; GATEWAY_DATABASE)")
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="a TOML file of settings, keys named as below (GATEWAY_CONFIG)",
    )


def check_location(location: str, *, create: bool) -> None:
    """Raise `ForeignDatabaseError` (one line) when the store must not open `location`."""
    from gateway.store.engines import is_postgres

    if is_postgres(location):
        import asyncio

        try:
            from gateway.store.postgres.database import inspect as inspect_server
        except ImportError:
            return  # no driver: opening the store says which extra to install
        asyncio.run(inspect_server(location))
        return
    from gateway.store.migrations import latest_version
    from gateway.store.sqlite.identity import inspect

    inspect(location, create=create, latest=latest_version())
