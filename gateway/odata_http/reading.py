"""Reads: collections (with server-driven paging), counts, single entities and their properties.

Lists go through `build_query` (the same compilation of `$filter`, `$orderby` and `$search` as
GraphQL's `filter`, `orderBy` and `search`, inside the caller's workspaces) and the store's
keyset pages. `@odata.nextLink` carries the last row's keyset cursor as `$skiptoken`, so a walk
never skips or repeats a row while rows are inserted. `$skip` walks keyset pages too (of at most
`MAX_PAGE_SIZE` rows, up to `options.MAX_SKIP`).

Page sizes and the query string of next links: `queries.py`.
"""

from __future__ import annotations

from typing import Any

from gateway.domain.paging import PageRequest
from gateway.odata_http import entity_sets, expand, json_format
from gateway.odata_http.entity_sets import CAST_CONDITIONS, GET_MANY, ROOTS, Listing
from gateway.odata_http.errors import RequestError, not_found
from gateway.odata_http.model import MODEL, NAMESPACE
from gateway.odata_http.options import Options
from gateway.odata_http.projection import projection
from gateway.odata_http.queries import Call, list_query, next_query, page_size, skip_to
from gateway.odata_http.resources import Resource
from gateway.odata_http.selection import selected
from gateway.store import workspaces
from gateway.store.paging import ListQuery, Page
from gateway.store.protocol import Connection


async def read_page(
    call: Call,
    conn: Connection,
    listing: Listing,
    query: ListQuery,
    options: Options,
    columns: tuple[str, ...] = (),
) -> tuple[Page[Any], int | None]:
    """The page of a list the options ask for, and `$top` left for the pages after it: records,
    or tuples of `columns` when given."""
    size = page_size(options, call.max_page_size)
    cursor = options.skiptoken
    if options.skip:
        cursor, found = await skip_to(conn, listing, query, options.skip, cursor)
        if not found:
            return Page([], [], False, True), None
    request = PageRequest(size, True, cursor)
    if columns and listing.rows is not None:
        page = await listing.rows(conn, request, query, columns)
    else:
        page = await listing.page(conn, request, query)
    left = None if options.top is None else options.top - len(page.items)
    if left is not None and left <= 0:
        page.has_next_page = False
    return page, left


def context_url(call: Call, path: str, options: Options, suffix: str = "") -> str:
    select = list(options.select or ())
    if options.expand and options.select is not None:
        select += [f"{e.path}({','.join(e.options.select or ())})" for e in options.expand]
    projection = f"({','.join(select)})" if select else ""
    return f"{call.base}$metadata#{path}{projection}{suffix}"


def _listing(resource: Resource) -> tuple[Listing, str]:
    """The list a collection resource reads, and its context path."""
    if resource.navigation is not None and resource.key is not None and resource.set:
        parent = MODEL.types[resource.set.type].name
        children = entity_sets.CHILDREN[(parent, resource.navigation.name)]
        return children.of(resource.key), MODEL.set_of(resource.navigation.target).name
    if resource.set is None or resource.set.name not in ROOTS:
        raise RequestError(500, "INTERNAL_SERVER_ERROR", "No list for this resource.")
    return ROOTS[resource.set.name], resource.set.name


async def _parent_visible(call: Call, conn: Connection, resource: Resource) -> None:
    if resource.navigation is None or resource.key is None or resource.set is None:
        return
    found = await load(call, conn, resource.set.type, resource.key)
    if found is None:
        raise not_found(f"{resource.set.name}('{resource.key}')")


async def collection(
    call: Call, resource: Resource, options: Options, path: str
) -> dict[str, Any] | int:
    """A collection (or its `/$count`) as the OData JSON body."""
    if resource.set is not None and resource.set.catalog is None and resource.navigation is None:
        return await _workspaces(call, options, path, count_only=resource.count)
    listing, context_path = _listing(resource)
    query = list_query(listing.catalog, listing.default, options, call.principal)
    if resource.cast:
        query = entity_sets.with_condition(query, CAST_CONDITIONS[resource.cast])
        context_path += f"/{NAMESPACE}.{resource.cast}"
    async with call.db.read() as conn:
        await _parent_visible(call, conn, resource)
        if resource.count:
            return await listing.count(conn, query)
        select = selected(resource.type_name, options.select)
        base = MODEL.types[resource.type_name].base or resource.type_name
        keys = expand.narrow_keys(base, options.expand)
        narrow = projection(base, select, keys) if keys is not None else None
        columns = narrow.columns if narrow is not None and listing.rows is not None else ()
        page, left = await read_page(call, conn, listing, query, options, columns)
        total = await listing.count(conn, query) if options.count else None
        if columns and narrow is not None:
            values = [narrow.write(row) for row in page.items]
            await expand.expand_rows(call, conn, base, narrow, page.items, values, options.expand)
        else:
            values = [json_format.entity(item, select) for item in page.items]
            await expand.expand(call, conn, resource.type_name, page.items, values, options.expand)
    body: dict[str, Any] = {"@odata.context": context_url(call, context_path, options)}
    if total is not None:
        body["@odata.count"] = total
    body["value"] = values
    if page.has_next_page and page.cursors:
        body["@odata.nextLink"] = (
            f"{call.base}{path}?{next_query(options.pairs, left, page.cursors[-1])}"
        )
    return body


async def _workspaces(
    call: Call, options: Options, path: str, *, count_only: bool
) -> dict[str, Any] | int:
    for option in ("filter", "orderby", "search", "skiptoken"):
        if option in options.given:
            raise RequestError(
                400,
                "NOT_IMPLEMENTED",
                f"Workspaces are listed whole: ${option} is not supported on them.",
                target=f"${option}",
            )
    async with call.db.read() as conn:
        found = [
            w for w in await workspaces.list_all(conn) if call.principal.workspaces.allows(w.id)
        ]
    if count_only:
        return len(found)
    start = options.skip or 0
    end = None if options.top is None else start + options.top
    select = selected("Workspace", options.select)
    items = found[start:end]
    values = [json_format.entity(w, select) for w in items]
    async with call.db.read() as conn:
        await expand.expand(call, conn, "Workspace", items, values, options.expand)
    body: dict[str, Any] = {"@odata.context": context_url(call, "Workspaces", options)}
    if options.count:
        body["@odata.count"] = len(found)
    body["value"] = values
    return body


async def load(call: Call, conn: Connection, type_name: str, key: str) -> Any | None:
    """The record of an entity type by id, when the caller may see it."""
    base = MODEL.types[type_name].base or type_name
    found = (await GET_MANY[base](conn, [key])).get(key)
    if found is None:
        return None
    workspace_id = found.id if base == "Workspace" else found.workspace_id
    return found if call.principal.workspaces.allows(workspace_id) else None


async def single(call: Call, resource: Resource, options: Options) -> tuple[dict[str, Any], Any]:
    """One entity (by key, or a single-valued navigation from one) and its record."""
    if resource.set is None or resource.key is None:
        raise RequestError(500, "INTERNAL_SERVER_ERROR", "No entity for this resource.")
    async with call.db.read() as conn:
        record = await load(call, conn, resource.set.type, resource.key)
        if record is None:
            raise not_found(f"{resource.set.name}('{resource.key}')")
        context_path = resource.set.name
        if resource.navigation is not None:
            record = await expand.follow(call, conn, record, resource.navigation)
            if record is None:
                raise not_found(
                    f"{resource.navigation.name} of {resource.set.name}('{resource.key}')"
                )
            context_path = MODEL.set_of(resource.navigation.target).name
        if resource.cast and type(record).__name__ != resource.cast:
            raise not_found(f"{resource.set.name}('{resource.key}') as {resource.cast}")
        type_name = type(record).__name__
        select = selected(type_name, options.select)
        value = json_format.entity(record, select)
        await expand.expand(call, conn, type_name, [record], [value], options.expand)
    body = {"@odata.context": context_url(call, context_path, options, "/$entity"), **value}
    return body, record


def property_body(call: Call, resource: Resource, entity: dict[str, Any]) -> dict[str, Any]:
    """`Runs('…')/status`: the property's value of an entity already read."""
    if resource.prop is None or resource.set is None:
        raise RequestError(500, "INTERNAL_SERVER_ERROR", "No property for this resource.")
    name = resource.prop.name
    context = f"{call.base}$metadata#{resource.set.name}('{resource.key}')/{name}"
    return {"@odata.context": context, "value": entity.get(name)}
