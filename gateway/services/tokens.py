"""API tokens: create (the token is returned once, only its salted hash is stored), revoke,
and authenticate."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from gateway.domain.auth import (
    ApiToken,
    Principal,
    Scope,
    Workspaces,
    format_token,
    hash_token,
    new_salt,
    new_secret,
    split_token,
    token_matches,
)
from gateway.domain.clock import utc_now
from gateway.domain.exceptions import NotFoundError, ValidationError
from gateway.domain.ids import IdKind, new_id
from gateway.store import tokens, workspaces
from gateway.store.protocol import Connection, Database


async def create(
    db: Database,
    *,
    name: str,
    scopes: Iterable[Scope],
    workspace_ids: Iterable[str] | None,
    expires: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token and its text, which is shown this once and never stored."""
    scope_set = frozenset(scopes)
    if not scope_set:
        raise ValidationError("scope", "give at least one scope.")
    ids = None if workspace_ids is None else frozenset(workspace_ids)
    now = utc_now()
    if expires is not None and expires <= now:
        raise ValidationError("expires", "the expiry is in the past.")
    async with db.transaction() as tx:
        if ids is not None:
            if not ids:
                raise ValidationError("workspace", "give at least one workspace, or all.")
            known = await workspaces.get_many(tx, sorted(ids))
            missing = sorted(ids - known.keys())
            if missing:
                raise ValidationError("workspace", f"no workspace has the id {missing[0]!r}.")
        token_id = new_id(IdKind.TOKEN)
        text = format_token(token_id, new_secret())
        salt = new_salt()
        token = ApiToken(
            id=token_id,
            name=name,
            scopes=scope_set,
            workspaces=Workspaces(ids),
            salt=salt,
            hash=hash_token(text, salt),
            created_date_time=now,
            expires_date_time=expires,
        )
        await tokens.insert(tx, token)
    return token, text


async def revoke(db: Database, token_id: str) -> ApiToken:
    async with db.transaction() as tx:
        found = await tokens.get(tx, token_id)
        if found is None:
            raise NotFoundError("token", token_id)
        if found.revoked_date_time is None:
            await tokens.mark_revoked(tx, token_id, utc_now())
        return found


async def authenticate(conn: Connection, text: str, now: datetime) -> Principal | None:
    """The caller a bearer token stands for, or None if it is unknown, wrong, revoked or
    expired (the four are not told apart, so a guesser learns nothing)."""
    token_id = split_token(text)
    if token_id is None:
        return None
    stored = await tokens.get(conn, token_id)
    if stored is None or not token_matches(text, stored) or not stored.is_usable(now):
        return None
    return stored.principal()
