"""`Connection` and `SyncReport`: what a connection syncs and how its passes went. No field ever
holds a credential: a connection names the environment variable that holds it."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway.api.common.enums import _describe
from gateway.api.common.node import Node
from gateway.domain import connections as domain

SyncStatus = _describe(
    domain.SyncStatus,
    "How a sync pass ended.",
    {
        domain.SyncStatus.SUCCEEDED: "Every page was read and every record stored; the "
        "watermark moved on.",
        domain.SyncStatus.PARTIALLY_SUCCEEDED: "Every page was read; some records could not be "
        "stored (see `failed`); the watermark moved on.",
        domain.SyncStatus.FAILED: "The pass stopped (see `error`); what it stored stays, and the "
        "watermark did not move, so the next pass reads the same runs again.",
    },
)


@strawberry.type(description="Why a sync pass stopped.")
class SyncError:
    code: str = strawberry.field(
        description="A stable code: PLATFORM_AUTH, PLATFORM_REFUSED, PLATFORM_UNAVAILABLE, "
        "PLATFORM_RESPONSE, PLATFORM_SETUP, or a store error's code."
    )
    message: str = strawberry.field(
        description="What went wrong, naming the connection; never a credential."
    )


@strawberry.type(description="A record a sync pass could not store, and why.")
class SyncFailure:
    position: str = strawberry.field(description="Where the record was: the page and its index.")
    message: str = strawberry.field(description="Why it could not be stored.")


@strawberry.type(description="What one sync pass of a connection did.")
class SyncReport:
    report: strawberry.Private[domain.SyncReport]

    @strawberry.field(description="How the pass ended.")
    def status(self) -> domain.SyncStatus:
        return self.report.status

    @strawberry.field(description="When the pass started.")
    def started_at(self) -> datetime:
        return self.report.started_date_time

    @strawberry.field(description="When the pass ended.")
    def ended_at(self) -> datetime:
        return self.report.ended_date_time

    @strawberry.field(description="How long the pass took, in seconds.")
    def duration_seconds(self) -> float:
        return self.report.duration.total_seconds()

    @strawberry.field(description="Runs and activities seen for the first time.")
    def added(self) -> int:
        return self.report.added

    @strawberry.field(description="Runs and activities that had changed on the platform.")
    def updated(self) -> int:
        return self.report.updated

    @strawberry.field(description="Runs and activities read again, as they were stored.")
    def unchanged(self) -> int:
        return self.report.unchanged

    @strawberry.field(description="Records that could not be stored (see `failures`).")
    def failed(self) -> int:
        return self.report.failed

    @strawberry.field(description="The first records that could not be stored (at most 100).")
    def failures(self) -> list[SyncFailure]:
        return [SyncFailure(position=p, message=m) for p, m in self.report.failures]

    @strawberry.field(description="Why the pass stopped; null when it read every page.")
    def error(self) -> SyncError | None:
        if self.report.error_code is None:
            return None
        return SyncError(code=self.report.error_code, message=self.report.error_message or "")


@strawberry.type(description="A platform setting of a connection.")
class ConnectionOption:
    key: str = strawberry.field(description="The option's name, such as `factory`.")
    value: str = strawberry.field(description="Its value.")


@strawberry.type(
    name="Connection",
    description="A connection to one platform account: the gateway reads its runs incrementally "
    "every interval (and on `syncConnection`), and forwards `startRun`, `cancelRun` and "
    "`retryRun` on the processes it synced to the platform.",
)
class PlatformConnection(Node):
    connection: strawberry.Private[domain.Connection]
    last: strawberry.Private[domain.SyncReport | None]

    @strawberry.field(description="The connection's unique name, as `gateway sync NAME` takes it.")
    def name(self) -> str:
        return self.connection.name

    @strawberry.field(
        description="The platform: `databricks`, `data-factory`, `datazone` or `industry-data`."
    )
    def platform(self) -> str:
        return self.connection.platform

    @strawberry.field(description="The platform's base URL.")
    def endpoint(self) -> str:
        return self.connection.endpoint

    @strawberry.field(description="The id of the workspace its runs belong to.")
    def workspace_id(self) -> strawberry.ID:
        return strawberry.ID(self.connection.workspace_id)

    @strawberry.field(description="The platform settings (subscription, factory, domain, ...).")
    def options(self) -> list[ConnectionOption]:
        return [
            ConnectionOption(key=k, value=v) for k, v in sorted(self.connection.options.items())
        ]

    @strawberry.field(
        description="The name of the environment variable that holds the credential (the "
        "credential itself is never stored or shown); null when none is needed."
    )
    def credential_env(self) -> str | None:
        return self.connection.credential_env

    @strawberry.field(description="Seconds between two syncs by the server.")
    def interval_seconds(self) -> int:
        return int(self.connection.interval.total_seconds())

    @strawberry.field(description="The report of the latest sync pass; null before the first.")
    def last_sync(self) -> SyncReport | None:
        return SyncReport(report=self.last) if self.last else None


def connection_type(
    connection: domain.Connection, last: domain.SyncReport | None
) -> PlatformConnection:
    return PlatformConnection(id=strawberry.ID(connection.id), connection=connection, last=last)
