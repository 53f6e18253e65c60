"""The `Workspace` type: a tenant, Databricks workspace, DataZone domain or Data Factory factory."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway.api.common.node import Node, served_from
from gateway.domain import models
from gateway.domain.sources import Source


@strawberry.type(
    description="Where processes and runs live: a Graph tenant, a Databricks workspace, a "
    "DataZone domain or a Data Factory factory."
)
class Workspace(Node):
    display_name: str = strawberry.field(description="The workspace's name.")
    source: Source | None = strawberry.field(
        description="The platform it belongs to; null for the gateway's own workspaces."
    )
    source_id: str | None = strawberry.field(
        description="The platform's id for it (tenant id, workspace URL, domain id)."
    )
    created_date_time: datetime = strawberry.field(description="When it was added.")

    is_type_of = served_from(models.Workspace)
