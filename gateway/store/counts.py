"""Counts of runs read from `run_counts` (migration 0008: runs per workspace and status, kept by
triggers) when a list's conditions are only its status and its workspaces: no other condition,
and each a plain `eq` or `in` as the query language compiles them. Anything else is counted
from the runs themselves."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from gateway.odata import Compiled, Dialect

_MARK = r"\?(?:::text)?"  # PostgreSQL's compiled values carry their type
_LIST = rf"\((?:{_MARK}, )*{_MARK}\)"
_STATUS = re.compile(rf"^\(?r\.status (?:= {_MARK}|IN {_LIST})\)?$")
_WORKSPACES = re.compile(rf"^r\.workspace_id IN {_LIST}$")


def counted(
    entity: str, where: Sequence[Compiled], dialect: Dialect = Dialect.SQLITE
) -> tuple[str, list[Any]] | None:
    """The statement that counts the list of `entity` with the AND-ed conditions `where` from
    `run_counts`, or None when it cannot."""
    if entity != "Run":
        return None
    statuses: set[Any] | None = None
    workspaces: set[Any] | None = None
    for condition in where:
        values = set(condition.params)
        if _STATUS.match(condition.sql):
            statuses = values if statuses is None else statuses & values
        elif _WORKSPACES.match(condition.sql):
            workspaces = values if workspaces is None else workspaces & values
        else:
            return None
    clauses, params = [], []
    for column, chosen in (("status", statuses), ("workspace_id", workspaces)):
        if chosen is not None:
            nothing = "FALSE" if dialect is Dialect.POSTGRESQL else "0"
            clauses.append(f"{column} IN ({', '.join('?' * len(chosen))})" if chosen else nothing)
            params.extend(sorted(chosen))
    sql = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    return f"SELECT coalesce(sum(runs), 0) FROM run_counts{sql}", params
