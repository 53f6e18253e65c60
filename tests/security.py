"""Helpers for tests of authentication and authorisation: tokens made straight in the store,
and a client that sends one."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from gateway.domain.auth import Scope
from gateway.services import tokens
from gateway.store.engines import database_for
from tests import pg
from tests.conftest import GraphQLClient

CONTOSO = "ws_0DEM0C0NT0S000000000000000"
FABRIKAM = "ws_0DEM0FABR1KAM0000000000000"


def make_token(
    path: Path,
    scopes: Iterable[Scope],
    workspaces: Iterable[str] | None,
    expires: datetime | None = None,
) -> str:
    async def create() -> str:
        async with database_for(path, readers=1) as db:
            _, text = await tokens.create(
                db, name="test", scopes=scopes, workspace_ids=workspaces, expires=expires
            )
        return text

    return asyncio.run(create())


def rows(path: Path, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
    return pg.rows(path, sql, tuple(params))


class TokenClient(GraphQLClient):
    """A GraphQL client that sends a bearer token."""

    def __init__(self, client: GraphQLClient, token: str | None) -> None:
        super().__init__(client.http)
        self.token = token

    def __call__(
        self, query: str, variables: dict[str, Any] | None = None, *, status: int = 200
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == status, response.text
        body: dict[str, Any] = response.json()
        return body
