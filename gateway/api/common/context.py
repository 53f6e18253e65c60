"""The per-request context resolvers receive: the store, the caller, the data loaders, the
request id."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import strawberry

from gateway.api.common.loaders import Loaders
from gateway.domain.auth import OPEN, Principal, Workspaces
from gateway.services.actor import Actor
from gateway.store.feed import ChangeFeed
from gateway.store.protocol import Database


@dataclass
class Context:
    db: Database
    request_id: str
    request: Any = None
    response: Any = None
    feed: ChangeFeed | None = None
    principal: Principal = OPEN
    report: dict[str, Any] = field(default_factory=dict)  # for the access log
    connection_params: Any = None  # a WebSocket's connection_init payload
    _loaders: Loaders | None = field(default=None, init=False, repr=False)

    @property
    def loaders(self) -> Loaders:
        """The request's data loaders, made on first use (the fast path needs none)."""
        if self._loaders is None:
            self._loaders = Loaders(self.db, self.principal.workspaces)
        return self._loaders

    @loaders.setter
    def loaders(self, loaders: Loaders) -> None:
        self._loaders = loaders

    def use(self, principal: Principal) -> None:
        """Act for `principal` from now on (a WebSocket authenticated in connection_init)."""
        self.principal = principal
        self._loaders = None

    @property
    def workspaces(self) -> Workspaces:
        """The workspaces the caller may see: pass it to every `lists.list_request`."""
        return self.principal.workspaces

    @property
    def actor(self) -> Actor:
        return Actor(
            name=self.principal.token_id,
            request_id=self.request_id,
            workspaces=self.principal.workspaces,
        )


Info = strawberry.Info[Context, None]
