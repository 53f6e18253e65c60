"""The reads behind the fast path's value fields: a domain value per parent (a run's latest
events, a process's run aggregate), each read for every parent of the request
in one statement by the same store functions the executor's data loaders call, so both paths
give the same answers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gateway.api.common.lists import RUN_LIST, ListArguments, list_query
from gateway.api.runs.types import MAX_HISTORY
from gateway.domain.auth import Workspaces
from gateway.services import statistics as run_statistics
from gateway.store import events
from gateway.store.protocol import Connection

Selected = frozenset[tuple[str, str]]  # (parent field, field) of every field below the field


@dataclass(frozen=True, slots=True)
class Scope:
    """What a read needs beyond its parents and arguments: the caller's workspaces, and what
    its `prepare` made of the selection when the plan was compiled."""

    workspaces: Workspaces
    prepared: Any = None


async def history(
    conn: Connection, run_ids: Sequence[str], arguments: dict[str, Any], scope: Scope
) -> Mapping[str, Any]:
    """The latest events of each run, as the history loader reads them."""
    last = arguments["last"]
    if not 1 <= last <= MAX_HISTORY:
        raise ValueError("the executor reports the page size")
    return await events.latest_for_runs(conn, run_ids, last)


async def run_aggregates(
    conn: Connection, process_ids: Sequence[str], arguments: dict[str, Any], scope: Scope
) -> Mapping[str, Any]:
    """`Process.runAggregate(filter, where)` of every process at once, with the runs list's own
    compilation of the filter inside the caller's workspaces (as `process_statistics`)."""
    query = list_query(
        RUN_LIST, scope.workspaces, ListArguments(arguments.get("filter"), arguments.get("where"))
    )
    return await run_statistics.by_process(conn, process_ids, query, scope.prepared)
