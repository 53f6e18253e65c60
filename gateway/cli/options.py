"""What every command shares: the `--database` option and the settings from the arguments (over
the environment, `GATEWAY_*`)."""

from __future__ import annotations

import argparse
from typing import Any

from gateway.config import Settings

SubParsers = Any
"""argparse's `_SubParsersAction`, which it does not export."""

_OVERRIDES = ("host", "port", "database", "demo", "workers", "allow_open")


def settings_of(args: argparse.Namespace) -> Settings:
    """The settings: the environment's, with the options given on the command line over them."""
    overrides = {
        name: getattr(args, name, None)
        for name in _OVERRIDES
        if getattr(args, name, None) not in (None, False)
    }
    return Settings.load(overrides)


def add_database(parser: argparse.ArgumentParser) -> None:
    """The `--database` option of every command that opens the store."""
    parser.add_argument("--database", help="SQLite file (default ./gateway.db; GATEWAY_DATABASE)")
