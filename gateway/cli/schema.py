"""`gateway export-schema`: print the GraphQL schema (SDL), write it, or check the committed file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gateway.cli.options import SubParsers

SCHEMA_FILE = "schema.graphql"


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


def add_parser(sub: SubParsers) -> None:
    export = sub.add_parser("export-schema", help="print the GraphQL schema (SDL)")
    export.add_argument("--output", help=f"write it to this file (such as {SCHEMA_FILE})")
    export.add_argument(
        "--check", action="store_true", help="exit 1 when the file differs from the code"
    )
    export.set_defaults(func=cmd_export_schema)
