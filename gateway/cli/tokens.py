"""`gateway token create | list | revoke`: API tokens. `create` prints the token once; the
database keeps only its salted hash."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime, timedelta

from gateway.cli.options import SubParsers, add_database, settings_of
from gateway.config import Settings, SettingsError
from gateway.domain.auth import ApiToken, parse_scopes
from gateway.domain.clock import utc_now
from gateway.domain.exceptions import NotFoundError, ValidationError


def _expiry(text: str | None) -> datetime | None:
    """`30d`, `12h`, `90m`, or an ISO 8601 date-time."""
    if not text:
        return None
    units = {"d": "days", "h": "hours", "m": "minutes"}
    if text[-1:] in units and text[:-1].isdigit():
        return utc_now() + timedelta(**{units[text[-1]]: int(text[:-1])})
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise SettingsError(
            f"--expires must be like 30d, 12h, 90m or an ISO 8601 date-time; it is {text!r}."
        ) from None
    return value if value.tzinfo else value.astimezone()


def _describe(token: ApiToken) -> str:
    ids = token.workspaces.ids
    workspaces = "all" if ids is None else ",".join(sorted(ids))
    scopes = ",".join(sorted(s.value for s in token.scopes))
    if token.revoked_date_time is not None:
        state = f"revoked {token.revoked_date_time.isoformat()}"
    elif token.expires_date_time is not None:
        state = f"expires {token.expires_date_time.isoformat()}"
    else:
        state = "no expiry"
    return f"{token.id}\t{token.name}\tscopes={scopes}\tworkspaces={workspaces}\t{state}"


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.services import tokens
    from gateway.store import tokens as token_rows
    from gateway.store.engines import database_for

    async with database_for(settings.database, readers=1) as db:
        if args.action == "create":
            try:
                scopes = parse_scopes(s for arg in args.scope for s in arg.split(","))
            except ValueError as exc:
                raise SettingsError(str(exc)) from None
            names = [w for arg in args.workspace for w in arg.split(",") if w.strip()]
            workspace_ids = None if names == ["all"] else [w.strip() for w in names]
            token, text = await tokens.create(
                db,
                name=args.name,
                scopes=scopes,
                workspace_ids=workspace_ids,
                expires=_expiry(args.expires),
            )
            print(_describe(token), file=sys.stderr)
            print(
                "Keep this token now: it is not stored and cannot be shown again.", file=sys.stderr
            )
            print(text)
        elif args.action == "list":
            async with db.read() as conn:
                for token in await token_rows.list_all(conn):
                    print(_describe(token))
        else:
            token = await tokens.revoke(db, args.id)
            print(f"Revoked {token.id} ({token.name}).", file=sys.stderr)
    return 0


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        return asyncio.run(_run(args, settings))
    except (ValidationError, NotFoundError) as exc:
        print(f"gateway token: {exc.message}", file=sys.stderr)
        return 2


def cmd_token(args: argparse.Namespace) -> int:
    return run(args, settings_of(args))


def add_parser(sub: SubParsers) -> None:
    token = sub.add_parser("token", help="manage API tokens")
    commands = token.add_subparsers(dest="action", required=True)
    create = commands.add_parser("create", help="create a token and print it once")
    add_database(create)
    create.add_argument(
        "--scope",
        action="append",
        required=True,
        help="runs:read, runs:write, runs:start or admin; repeat or separate with commas",
    )
    create.add_argument(
        "--workspace",
        action="append",
        required=True,
        help="a workspace id the token may see, repeatable or comma-separated; `all` for every one",
    )
    create.add_argument("--name", default="", help="what the token is for")
    create.add_argument("--expires", help="30d, 12h, 90m or an ISO 8601 date-time (default never)")
    listing = commands.add_parser("list", help="list tokens (never their secrets)")
    add_database(listing)
    revoke = commands.add_parser("revoke", help="revoke a token by its id")
    add_database(revoke)
    revoke.add_argument("id", help="the token's id (tok_…)")
    token.set_defaults(func=cmd_token)
