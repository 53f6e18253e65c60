"""Run a plan: one statement per list (and per count), one per relation across all parents, and
rows written straight into the response's dicts.

Every list's arguments become its query through `api.common.lists.list_request`, as the
executor's do, and its rows come from the store's `fetch_page` and `fetch_pages_by_parent`: the
same SQL the executor runs, narrowed to the columns the operation selects, and confined to the
caller's workspaces exactly as the executor's lists are (root lists and relations alike).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from graphql import GraphQLField
from graphql.execution.values import get_argument_values

from gateway.api.common.lists import ListArguments, Listed, list_request
from gateway.api.fastpath import loads
from gateway.api.fastpath.parts import (
    ConnectionPlan,
    EdgePart,
    ObjectPlan,
    Plan,
    ReferencePlan,
    Row,
    ValueListPlan,
)
from gateway.domain.auth import Workspaces
from gateway.domain.paging import PageRequest
from gateway.store import paging, selects
from gateway.store.paging import ListQuery, Page
from gateway.store.protocol import Connection

Typed = Callable[[GraphQLField, str, Any], Any]  # (field, argument, value) -> the input object


class Execution:
    """One request's run of a plan over one reader connection."""

    def __init__(
        self,
        conn: Connection,
        variables: Any,
        typed: Typed,
        workspaces: Workspaces,
    ) -> None:
        """`variables`: as graphql-core's `get_variable_values` coerced them (None when the
        operation has none); `typed` turns an input argument's value into the input object its
        resolver receives."""
        self.conn = conn
        self.variables = variables
        self.typed = typed
        self.workspaces = workspaces

    async def run(self, plan: Plan) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for key, kind, detail in plan.roots:
            if kind == "typename":
                data[key] = detail
            else:
                (data[key],) = await self.connections(detail, None)
        return data

    def list_query(self, plan: ConnectionPlan) -> tuple[PageRequest, ListQuery]:
        """The page and the query of a list, as the executor's resolvers build them."""
        if self.variables is not None:
            args = get_argument_values(plan.field_def, plan.node, self.variables)
        else:  # no variables: the values are the document's, the same every time
            if plan.fixed_arguments is None:
                plan.fixed_arguments = get_argument_values(plan.field_def, plan.node)
            args = plan.fixed_arguments
        where = args.get("where")
        typed = None if where is None else self.typed(plan.field_def, "where", where)
        catalog, default = plan.entity.catalog, plan.entity.default
        assert catalog is not None and default is not None  # only listed entities have lists
        listed = Listed(catalog, default)
        return list_request(listed, self.workspaces, ListArguments.of(args, typed))

    async def connections(
        self, plan: ConnectionPlan, parent_ids: Sequence[str] | None
    ) -> list[dict[str, Any]]:
        """The connection of each parent (one, at the root), in the order given."""
        request, query = self.list_query(plan)
        entity, conn, columns = plan.entity, self.conn, plan.layout.columns
        n = 1 if parent_ids is None else len(parent_ids)
        pages: list[Page[Row]] = []
        counts: list[int] = []
        if parent_ids is None:
            if plan.needs_page:
                pages = [
                    await paging.fetch_page(
                        conn,
                        table=entity.table,
                        query=query,
                        page=request,
                        convert=paging.as_is,
                        columns=columns,
                        cursors=plan.needs_cursors,
                    )
                ]
            if plan.needs_count:
                counts = [await paging.count(conn, table=entity.table, query=query)]
        else:
            assert plan.parent_column is not None
            unique = list(dict.fromkeys(parent_ids))
            if plan.needs_page:
                by_parent = await paging.fetch_pages_by_parent(
                    conn,
                    table=entity.table,
                    parent_column=plan.parent_column,
                    parent_ids=unique,
                    query=query,
                    page=request,
                    convert=paging.as_is,
                    columns=columns,
                    cursors=plan.needs_cursors,
                )
                pages = [by_parent[p] for p in parent_ids]
            if plan.needs_count:
                by_count = await paging.count_by_parent(
                    conn,
                    table=entity.table,
                    parent_column=plan.parent_column,
                    parent_ids=unique,
                    query=query,
                )
                counts = [by_count[p] for p in parent_ids]
        if plan.bare:  # a plain list of each parent's page
            ((_, _, objects),) = plan.parts
            return await self.objects_per_page(objects, pages)  # type: ignore[return-value]  # lists, not connections
        results: list[dict[str, Any]] = [{} for _ in range(n)]
        for key, kind, detail in plan.parts:
            if kind == "typename":
                for result in results:
                    result[key] = detail
            elif kind == "totalCount":
                for result, count in zip(results, counts, strict=True):
                    result[key] = count
            elif kind == "nodes":
                for result, nodes in zip(
                    results, await self.objects_per_page(detail, pages), strict=True
                ):
                    result[key] = nodes
            elif kind == "edges":
                for result, edges in zip(results, await self.edges(detail, pages), strict=True):
                    result[key] = edges
            else:  # pageInfo
                for result, page in zip(results, pages, strict=True):
                    result[key] = _page_info(detail, page)
        return results

    async def objects_per_page(
        self, plan: ObjectPlan, pages: list[Page[Row]]
    ) -> list[list[dict[str, Any]]]:
        """The objects of every page, written together so relations batch across pages."""
        written = await self.objects(plan, [row for page in pages for row in page.items])
        split, start = [], 0
        for page in pages:
            end = start + len(page.items)
            split.append(written[start:end])
            start = end
        return split

    async def edges(
        self, parts: list[tuple[str, EdgePart]], pages: list[Page[Row]]
    ) -> list[list[dict[str, Any]]]:
        nodes = {
            key: await self.objects_per_page(part.value, pages)
            for key, part in parts
            if isinstance(part.value, ObjectPlan)
        }
        result = []
        for p, page in enumerate(pages):
            edges = []
            for i, cursor in enumerate(page.cursors):
                edge: dict[str, Any] = {}
                for key, part in parts:
                    if part.kind == "cursor":
                        edge[key] = cursor
                    elif part.kind == "node":
                        edge[key] = nodes[key][p][i]
                    else:
                        edge[key] = part.value
                edges.append(edge)
            result.append(edges)
        return result

    async def objects(self, plan: ObjectPlan, rows: list[Row]) -> list[dict[str, Any]]:
        """Write rows as objects of their concrete types, then fill in their relations."""
        writers = plan.write
        entity = plan.entity
        if entity.discriminator is None:
            (write,) = writers.values()
            written = [write(row) for row in rows]
        else:
            d = plan.layout.index[entity.discriminator]
            names = entity.type_names
            written = [writers[names[row[d]]](row) for row in rows]
        if plan.relations and written:
            id_index = plan.layout.index[entity.id_column.label]
            for key, child, types in plan.relations:
                chosen = _on_types(plan, written, rows, types)
                values = await self.connections(child, [r[id_index] for _, r in chosen])
                for (obj, _), value in zip(chosen, values, strict=True):
                    if isinstance(key, tuple):  # a list inside an embedded object
                        obj[key[0]][key[1]] = value
                    else:
                        obj[key] = value
        if plan.references and written:
            await self.references(plan, written, rows)
        if plan.value_lists and written:
            id_index = plan.layout.index[entity.id_column.label]
            for key, listed, types in plan.value_lists:
                chosen = _on_types(plan, written, rows, types)
                ids = [r[id_index] for _, r in chosen]
                found = await listed.spec.load(
                    self.conn,
                    list(dict.fromkeys(ids)),
                    self.arguments(listed),
                    loads.Scope(self.workspaces, listed.prepared),
                )
                for (obj, _), parent in zip(chosen, ids, strict=True):
                    obj[key] = listed.write(found[parent])
        return written

    def arguments(self, listed: ValueListPlan) -> dict[str, Any]:
        """The field's arguments as its resolver receives them (`where` as its input object)."""
        if self.variables is not None:
            args = get_argument_values(listed.field_def, listed.node, self.variables)
        else:
            args = get_argument_values(listed.field_def, listed.node)
        if args.get("where") is not None:
            args = {**args, "where": self.typed(listed.field_def, "where", args["where"])}
        return args

    async def references(
        self, plan: ObjectPlan, written: list[dict[str, Any]], rows: list[Row]
    ) -> None:
        """Each reference's records by the ids in the parents' rows: the references to one
        table (a process's `lastRun` and `lastSuccessfulRun`) in one statement, with the
        columns and ids of all of them."""
        index = plan.layout.index
        tables: dict[str, list[tuple[str, ReferencePlan, list[tuple[dict[str, Any], Row]]]]] = {}
        for key, reference, types in plan.references:
            chosen = _on_types(plan, written, rows, types)
            tables.setdefault(reference.child.entity.table, []).append((key, reference, chosen))
        for table, group in tables.items():
            ids = [[row[index[r.label]] for _, row in chosen] for _, r, chosen in group]
            wanted = [[x for x in dict.fromkeys(these) if x is not None] for these in ids]
            columns = list(dict.fromkeys(c for _, r, _ in group for c in r.child.layout.columns))
            every = list(dict.fromkeys(x for these in wanted for x in these))
            found = await selects.fetch_by_ids(self.conn, table=table, ids=every, columns=columns)
            for (key, reference, chosen), these, them in zip(group, ids, wanted, strict=True):
                mine = reference.child.layout.columns
                if len(group) > 1 and tuple(columns) != mine:
                    at = [columns.index(c) for c in mine]
                    records = {x: tuple(found[x][j] for j in at) for x in them if x in found}
                else:
                    records = found
                await self.reference(key, reference, chosen, these, them, records)

    async def reference(
        self,
        key: str,
        reference: ReferencePlan,
        chosen: list[tuple[dict[str, Any], Row]],
        ids: list[Any],
        wanted: list[Any],
        found: dict[str, tuple[Any, ...]],
    ) -> None:
        """Each parent's record (`found`, by id) by the id in its row (`ids`, in `chosen`'s
        order; `wanted`: them once each, without None)."""
        child = reference.child
        if not self.workspaces.every:  # outside the caller's workspaces: as if not there
            w = child.layout.index[child.entity.workspace_column]
            found = {x: row for x, row in found.items() if self.workspaces.allows(row[w])}
        present = [x for x in wanted if x in found]
        written = await self.objects(child, [found[x] for x in present])
        by_id = dict(zip(present, written, strict=True))
        for (obj, _), x in zip(chosen, ids, strict=True):
            value = None if x is None else by_id.get(x)
            if value is None and not reference.nullable:  # the executor's error to report
                raise LookupError(f"no {child.entity.name} for {key}")
            obj[key] = value


def _on_types(
    plan: ObjectPlan, written: list[dict[str, Any]], rows: list[Row], types: frozenset[str]
) -> list[tuple[dict[str, Any], Row]]:
    """The objects (and their rows) of the concrete types a relation is on."""
    if len(types) == len(plan.write):
        return list(zip(written, rows, strict=True))
    d = plan.layout.index[plan.entity.discriminator or ""]
    names = plan.entity.type_names
    return [(o, r) for o, r in zip(written, rows, strict=True) if names[r[d]] in types]


def _page_info(parts: list[tuple[str, str]], page: Page[Row]) -> dict[str, Any]:
    info: dict[str, Any] = {}
    for key, name in parts:
        if name == "hasNextPage":
            info[key] = page.has_next_page
        elif name == "hasPreviousPage":
            info[key] = page.has_previous_page
        elif name == "startCursor":
            info[key] = page.cursors[0] if page.cursors else None
        elif name == "endCursor":
            info[key] = page.cursors[-1] if page.cursors else None
        else:
            info[key] = name  # __typename
    return info
