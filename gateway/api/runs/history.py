"""A run's history: the events every change to it appended (`Run.statusHistory`)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway.domain.models import RunChangeKind
from gateway.domain.status import RunStatus


@strawberry.type(
    description="One change to a run: its creation, a change (of status or otherwise), or its "
    "deletion. Appended in the same transaction as the change."
)
class RunEvent:
    seq: int = strawberry.field(
        description="The event's position in the gateway's history of all runs; increases with "
        "every change."
    )
    kind: RunChangeKind = strawberry.field(description="What happened.")
    from_status: RunStatus | None = strawberry.field(
        description="The status before the change; null for a creation."
    )
    to_status: RunStatus | None = strawberry.field(
        description="The status after the change; null for a deletion."
    )
    at: datetime = strawberry.field(description="When the change was made.")
    actor: str | None = strawberry.field(description="Who or what made the change, if known.")
    reason: str | None = strawberry.field(description="Why, if given (`cancelRun`'s reason).")
    request_id: str | None = strawberry.field(
        description="The id of the request that made the change (the `X-Request-Id` header)."
    )
