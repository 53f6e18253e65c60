"""`gateway serve`: the API on one process or several (gateway/cli/serving.py)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from gateway import __version__
from gateway.cli.demo import load_demo
from gateway.cli.options import SubParsers, add_database, check_location, settings_of
from gateway.config import CONFIG_VARIABLE, describe_settings


def cmd_serve(args: argparse.Namespace) -> int:
    from gateway.cli.serving import serve
    from gateway.cli.startup import check

    settings = settings_of(args)
    # Refused here, in one line, rather than by every worker's start-up (the demo creates).
    check_location(settings.database, create=settings.create or settings.demo)
    if settings.demo:
        print(asyncio.run(load_demo(settings, 3000, only_if_empty=True)), file=sys.stderr)
    check(settings)  # the application loads and its database opens, or one line and exit 2
    # Worker processes read their settings from the environment, the same way.
    for name in (
        "host",
        "port",
        "database",
        "create",
        "demo",
        "workers",
        "allow_open",
        "root_path",
    ):
        os.environ[f"GATEWAY_{name.upper()}"] = str(getattr(settings, name))
    if args.config:
        os.environ[CONFIG_VARIABLE] = os.path.abspath(args.config)
    print(
        f"runs-gateway {__version__}: http://{settings.host}:{settings.port}"
        f"{settings.root_path}/graphql "
        f"(database {settings.database}, auth {settings.auth_mode})",
        file=sys.stderr,
    )
    return serve(settings)


def add_parser(sub: SubParsers) -> None:
    serve = sub.add_parser(
        "serve",
        help="serve the API",
        description="Serve the API. Each setting comes from its flag, else its GATEWAY_ variable,\n"
        "else the --config file's key (TOML), else its default.",
        epilog="settings (environment variable, config-file key = default):\n"
        + describe_settings(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8000)")
    add_database(serve)
    serve.add_argument(
        "--demo",
        action="store_true",
        help="load the demo data set into an empty database and keep demo runs moving",
    )
    serve.add_argument(
        "--create",
        action="store_true",
        help="create the database if it does not exist (GATEWAY_CREATE); without it, serve "
        "refuses a missing file (`gateway migrate` creates one)",
    )
    serve.add_argument("--workers", type=int, help="worker processes (default 1)")
    serve.add_argument(
        "--allow-open",
        action="store_true",
        help="serve with auth off on a non-loopback address, on purpose (GATEWAY_ALLOW_OPEN)",
    )
    serve.add_argument(
        "--root-path",
        metavar="PATH",
        help="the path a reverse proxy serves the gateway under, e.g. /runs (GATEWAY_ROOT_PATH)",
    )
    serve.set_defaults(func=cmd_serve)
