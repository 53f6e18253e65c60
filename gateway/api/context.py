"""The per-request context resolvers receive: the store, the data loaders, the request id."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import strawberry

from gateway.api.loaders import Loaders
from gateway.store.commands import Actor
from gateway.store.database import Database
from gateway.store.feed import ChangeFeed


@dataclass
class Context:
    db: Database
    request_id: str
    request: Any = None
    response: Any = None
    feed: ChangeFeed | None = None
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.db)

    @property
    def actor(self) -> Actor:
        return Actor(name=None, request_id=self.request_id)


Info = strawberry.Info[Context, None]
