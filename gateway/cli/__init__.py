"""The command line: `gateway serve | migrate | demo | import | export | export-schema | token |
workspace | connection | sync`, one module per command family."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from gateway import __version__
from gateway.cli import connections, demo, imports, migrate, schema, serve, tokens, workspaces
from gateway.config import SettingsError
from gateway.domain.exceptions import ForeignDatabaseError, StoreUnavailableError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gateway", description="runs-gateway: one GraphQL API over pipeline and job runs."
    )
    parser.add_argument("--version", action="version", version=f"runs-gateway {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for family in (serve, migrate, demo, schema, imports, tokens, workspaces, connections):
        family.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result: int = args.func(args)
    except SettingsError as exc:
        print(f"gateway: {exc}", file=sys.stderr)
        return 2
    except ForeignDatabaseError as exc:  # refused before anything changed
        print(f"gateway: {exc.message}", file=sys.stderr)
        return 2
    except StoreUnavailableError as exc:  # the database cannot be used: one line, no trace
        print(f"gateway: {exc}", file=sys.stderr)
        return 3
    return result


if __name__ == "__main__":
    raise SystemExit(main())
