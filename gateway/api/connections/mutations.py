"""`syncConnection`: one pass of a connection now, answered with its report."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.api.auth.access import requires
from gateway.api.common.context import Info
from gateway.api.common.errors import ForbiddenError, NotFoundError, expected_errors
from gateway.api.common.node import TargetId
from gateway.api.connections.types import PlatformConnection, SyncReport, connection_type
from gateway.domain import exceptions
from gateway.domain.auth import Scope
from gateway.services import connections as service
from gateway.services.sync import sync_connection


@strawberry.type(description="The pass ran; its report says how it went.")
class SyncConnectionPayload:
    connection: PlatformConnection = strawberry.field(description="The connection, as it is now.")
    report: SyncReport = strawberry.field(
        description="The report of this pass (FAILED, with its error, when the platform refused "
        "or could not be reached)."
    )


SyncConnectionResult = Annotated[
    SyncConnectionPayload | NotFoundError | ForbiddenError,
    strawberry.union("SyncConnectionResult", description="The pass's report, or why none ran."),
]


@strawberry.type
class ConnectionMutation:
    @strawberry.mutation(
        description="Sync a connection now: one incremental pass over its platform's runs, as "
        "the server runs every interval; answers when the pass has ended."
    )
    @requires(Scope.RUNS_WRITE)
    @expected_errors
    async def sync_connection(self, info: Info, id: TargetId) -> SyncConnectionResult:
        db = info.context.db
        found = await service.get_connection(db, str(id), info.context.workspaces)
        if found is None:
            raise exceptions.NotFoundError("connection", str(id))
        report = await sync_connection(db, found[0])
        return SyncConnectionPayload(
            connection=connection_type(found[0], report), report=SyncReport(report=report)
        )
