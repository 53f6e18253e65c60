"""The root `Query` type. Resolvers are thin: arguments to domain objects, the store, return."""

from __future__ import annotations

from typing import Annotated, Any, Protocol

import strawberry

from gateway.api.activities.types import Activity
from gateway.api.auth.workspaces import Workspace, workspace_page
from gateway.api.common.capabilities import CAPABILITIES, Capabilities
from gateway.api.common.context import Info
from gateway.api.common.lists import PROCESS_LIST, RUN_LIST, ListArguments, list_request
from gateway.api.common.node import After, Before, Filter, First, Last, Node, OrderBy, Search
from gateway.api.common.relay import Connection, connection
from gateway.api.common.where import ProcessWhere, RunWhere
from gateway.api.connections.queries import connection_by_id, connections
from gateway.api.connections.types import PlatformConnection
from gateway.api.live.changes import run_changes
from gateway.api.processes.types import Process
from gateway.api.runs.types import Run
from gateway.api.statistics.queries import ExactArg, GroupByArg, IntervalArg, run_statistics
from gateway.api.statistics.types import RunStatisticsReport
from gateway.domain.exceptions import InvalidArgumentError
from gateway.domain.ids import IdKind, kind_of
from gateway.domain.paging import PageRequest
from gateway.store import processes, runs, workspaces
from gateway.store.paging import ListQuery, Page
from gateway.store.protocol import Connection as StoreConnection
from gateway.store.protocol import Database

MAX_NODES = 100

RunWhereArg = Annotated[
    RunWhere | None,
    strawberry.argument(description="The same filter as typed input; ANDed with `filter`."),
]
ProcessWhereArg = Annotated[
    ProcessWhere | None,
    strawberry.argument(description="The same filter as typed input; ANDed with `filter`."),
]
NodeId = Annotated[strawberry.ID, strawberry.argument(description="The node's id.")]


class _Lister(Protocol):
    async def page(
        self, conn: StoreConnection, request: PageRequest, query: ListQuery
    ) -> Page[Any]: ...
    async def count(self, conn: StoreConnection, query: ListQuery) -> int: ...


async def listing(
    db: Database, store: _Lister, request: PageRequest, query: ListQuery
) -> Connection[Any]:
    """A root list: one statement for the page; the count only if `totalCount` is selected."""

    async def page() -> Page[Any]:
        async with db.read() as conn:
            return await store.page(conn, request, query)

    async def count() -> int:
        async with db.read() as conn:
            return await store.count(conn, query)

    return connection(page, count)


async def _load(info: Info, id: str) -> object | None:
    loaders = info.context.loaders
    match kind_of(id):
        case IdKind.RUN:
            return await loaders.run.load(id)
        case IdKind.ACTIVITY:
            return await loaders.activity.load(id)
        case IdKind.PROCESS:
            return await loaders.process.load(id)
        case IdKind.WORKSPACE:
            return await loaders.workspace.load(id)
        case IdKind.CONNECTION:
            return await connection_by_id(info, id)
        case _:
            return None


@strawberry.type(description="Reads: runs, activities, processes and workspaces.")
class Query:
    @strawberry.field(description="Any node by its id; null when there is none.")
    async def node(self, info: Info, id: NodeId) -> Node | None:
        return await _load(info, str(id))  # type: ignore[return-value]  # a domain object, served as its GraphQL type

    @strawberry.field(
        description=f"Nodes by id, in the order asked, null where there is none (at most "
        f"{MAX_NODES} ids)."
    )
    async def nodes(
        self,
        info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(description="The ids.")],
    ) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            raise InvalidArgumentError(
                "LIMIT_EXCEEDED", "ids", f"Ask for at most {MAX_NODES} ids at a time."
            )
        return [await _load(info, str(id)) for id in ids]  # type: ignore[misc]  # a domain object, served as its GraphQL type

    @strawberry.field(description="A run by its id; null when there is none.")
    async def run(self, info: Info, id: NodeId) -> Run | None:
        if kind_of(str(id)) is not IdKind.RUN:
            return None
        return await info.context.loaders.run.load(str(id))  # type: ignore[return-value]  # a domain object, served as its GraphQL type

    @strawberry.field(description="Runs of every platform, newest first.")
    async def runs(
        self,
        info: Info,
        filter: Filter = None,
        where: RunWhereArg = None,
        order_by: OrderBy = None,
        search: Search = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Run]:
        arguments = ListArguments(filter, where, order_by, search, first, after, last, before)
        request, query = list_request(RUN_LIST, info.context.workspaces, arguments)
        return await listing(info.context.db, runs, request, query)

    run_changes = strawberry.field(
        resolver=run_changes,
        description="The changes to runs since a cursor, and the cursor to continue from: "
        "`runChanged` for clients that poll instead of holding a WebSocket.",
    )

    @strawberry.field(
        description="Statistics over the runs `filter` and `where` select (the same runs as "
        "`runs`): totals, and groups by `groupBy` keys and `interval` time buckets, with counts "
        "by status, success and failure rates, duration and queue-time percentiles, "
        "counter sums and mean time to recovery. Read from the summaries the store maintains "
        "when they can answer it (`readFrom`), else from the runs."
    )
    async def run_statistics(
        self,
        info: Info,
        filter: Filter = None,
        where: RunWhereArg = None,
        group_by: GroupByArg = None,
        interval: IntervalArg = None,
        exact: ExactArg = False,
    ) -> RunStatisticsReport:
        report = await run_statistics(info, filter, where, group_by, interval, exact)
        return report  # type: ignore[return-value]  # a domain object, served as its GraphQL type

    @strawberry.field(description="An activity by its id; null when there is none.")
    async def activity(self, info: Info, id: NodeId) -> Activity | None:
        if kind_of(str(id)) is not IdKind.ACTIVITY:
            return None
        return await info.context.loaders.activity.load(str(id))  # type: ignore[return-value]  # a domain object, served as its GraphQL type

    @strawberry.field(description="A process by its id; null when there is none.")
    async def process(self, info: Info, id: NodeId) -> Process | None:
        if kind_of(str(id)) is not IdKind.PROCESS:
            return None
        return await info.context.loaders.process.load(str(id))  # type: ignore[return-value]  # a domain object, served as its GraphQL type

    @strawberry.field(description="Processes of every platform, newest first.")
    async def processes(
        self,
        info: Info,
        filter: Filter = None,
        where: ProcessWhereArg = None,
        order_by: OrderBy = None,
        search: Search = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Process]:
        arguments = ListArguments(filter, where, order_by, search, first, after, last, before)
        request, query = list_request(PROCESS_LIST, info.context.workspaces, arguments)
        return await listing(info.context.db, processes, request, query)

    @strawberry.field(
        description="What runs, activities and processes can be filtered, sorted and searched "
        "on, with which operators and functions, and every limit."
    )
    def capabilities(self) -> Capabilities:
        return CAPABILITIES

    @strawberry.field(
        description="The connections to the platforms in the caller's workspaces, by id, each "
        "with the report of its latest sync."
    )
    async def connections(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[PlatformConnection]:
        return await connections(info, first, after)

    @strawberry.field(
        description="The workspaces the caller may see, in the order they were created, Relay "
        "style (`gateway workspace create` adds one)."
    )
    async def workspaces(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Workspace]:
        request = PageRequest.from_arguments(first, after, last, before)
        visible = info.context.workspaces
        async with info.context.db.read() as conn:
            found = [w for w in await workspaces.list_all(conn) if visible.allows(w.id)]
        page = workspace_page(found, request)  # a bad cursor is refused here

        async def the_page() -> Page[Workspace]:
            return page  # type: ignore[return-value]  # domain objects, served as their GraphQL type

        async def the_count() -> int:
            return len(found)

        return connection(the_page, the_count)
