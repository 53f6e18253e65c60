"""Rows of API tokens (only a token's salted hash is stored); the use cases are
`services.tokens`."""

from __future__ import annotations

from datetime import datetime

import orjson

from gateway.domain.auth import ApiToken, Scope, Workspaces
from gateway.domain.clock import from_micros, to_micros
from gateway.store.protocol import Connection, Row, Transaction


def _from_row(row: Row) -> ApiToken:
    ids = row["workspaces"]
    return ApiToken(
        id=row["id"],
        name=row["name"],
        scopes=frozenset(Scope(s) for s in orjson.loads(row["scopes"])),
        workspaces=Workspaces(None if ids is None else frozenset(orjson.loads(ids))),
        salt=row["salt"],
        hash=row["hash"],
        created_date_time=from_micros(row["created_at"]),
        expires_date_time=None if row["expires_at"] is None else from_micros(row["expires_at"]),
        revoked_date_time=None if row["revoked_at"] is None else from_micros(row["revoked_at"]),
    )


async def list_all(conn: Connection) -> list[ApiToken]:
    rows = await conn.fetchall("SELECT * FROM api_tokens ORDER BY created_at, id")
    return [_from_row(row) for row in rows]


async def get(conn: Connection, token_id: str) -> ApiToken | None:
    row = await conn.fetchone("SELECT * FROM api_tokens WHERE id = ?", (token_id,))
    return None if row is None else _from_row(row)


async def insert(tx: Transaction, token: ApiToken) -> None:
    await tx.execute(
        "INSERT INTO api_tokens (id, name, scopes, workspaces, salt, hash, created_at, "
        "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            token.id,
            token.name,
            orjson.dumps(sorted(s.value for s in token.scopes)).decode(),
            None
            if token.workspaces.ids is None
            else orjson.dumps(sorted(token.workspaces.ids)).decode(),
            token.salt,
            token.hash,
            to_micros(token.created_date_time),
            None if token.expires_date_time is None else to_micros(token.expires_date_time),
        ),
    )


async def mark_revoked(tx: Transaction, token_id: str, at: datetime) -> None:
    await tx.execute("UPDATE api_tokens SET revoked_at = ? WHERE id = ?", (to_micros(at), token_id))
