"""`gateway workspace create | list`: the workspaces processes and runs (and tokens) belong to."""

from __future__ import annotations

import argparse
import asyncio
import sys

from gateway.cli.options import SubParsers, add_database, settings_of
from gateway.config import Settings
from gateway.domain.exceptions import ValidationError
from gateway.domain.models import Workspace
from gateway.domain.sources import Source


def _describe(workspace: Workspace) -> str:
    platform = workspace.source.value if workspace.source else "-"
    return "\t".join(
        (
            workspace.id,
            workspace.display_name,
            platform,
            workspace.source_id or "-",
            workspace.created_date_time.isoformat(),
        )
    )


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.services import workspaces
    from gateway.store.engines import database_for

    async with database_for(settings.database, readers=1) as db:
        if args.action == "create":
            source = Source[args.source.upper().replace("-", "_")] if args.source else None
            workspace = await workspaces.create(
                db, display_name=args.name, source=source, source_id=args.source_id
            )
            print(f"Created {workspace.id} ({workspace.display_name}).", file=sys.stderr)
            print(workspace.id)
        else:
            for workspace in await workspaces.list_all(db):
                print(_describe(workspace))
    return 0


def cmd_workspace(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    try:
        return asyncio.run(_run(args, settings))
    except ValidationError as exc:
        print(f"gateway workspace: {exc.message}", file=sys.stderr)
        return 2


def add_parser(sub: SubParsers) -> None:
    workspace = sub.add_parser("workspace", help="create and list workspaces")
    commands = workspace.add_subparsers(dest="action", required=True)
    create = commands.add_parser("create", help="create a workspace and print its id")
    add_database(create)
    create.add_argument("name", help="the workspace's name (unique)")
    create.add_argument(
        "--source",
        choices=sorted(s.value.lower().replace("_", "-") for s in Source),
        help="the platform it belongs to (none for the gateway's own)",
    )
    create.add_argument("--source-id", help="the platform's id for it (tenant id, workspace URL)")
    listing = commands.add_parser(
        "list", help="list workspaces: id, name, platform, platform id, created"
    )
    add_database(listing)
    workspace.set_defaults(func=cmd_workspace)
