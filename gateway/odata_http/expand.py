"""`$expand` (URL Conventions §5.1.2) with nested `$select`, `$expand`, and on collections
`$filter`, `$orderby`, `$search`, `$top`, `$skip` and `$count`.

Each navigation property costs one statement for a whole page, whatever its size (two with
`$count`): single-valued ones look their targets up by id, collections read one page per parent
with the store's per-parent pages (the statement GraphQL's data loaders use). An expanded
collection longer than its page gets `<name>@odata.nextLink`, keyset-paged like any list.
"""

from __future__ import annotations

from typing import Any

from gateway.domain.paging import MAX_PAGE_SIZE, PageRequest
from gateway.odata_http import json_format
from gateway.odata_http.entity_sets import CHILDREN, GET_MANY, ROWS_BY_ID
from gateway.odata_http.errors import bad_option
from gateway.odata_http.model import MODEL, Navigation
from gateway.odata_http.options import Expand, Options
from gateway.odata_http.projection import Projection, Row, projection
from gateway.odata_http.queries import Call, list_query, next_query, page_size
from gateway.odata_http.selection import selected
from gateway.store.paging import Page
from gateway.store.protocol import Connection

SELF_WHEN_NULL = frozenset({"originalAttemptRun"})  # a first attempt is its own original
_SINGLE_OPTIONS = frozenset({"select", "expand"})


def _target_id(record: Any, nav: Navigation) -> str | None:
    if nav.attr is None:
        return None
    found: str | None = getattr(record, nav.attr)
    if found is None and nav.name in SELF_WHEN_NULL:
        return str(record.id)
    return found


def _workspace_of(record: Any) -> str:
    return str(record.id if type(record).__name__ == "Workspace" else record.workspace_id)


async def follow(call: Call, conn: Connection, record: Any, nav: Navigation) -> Any | None:
    """The target of a single-valued navigation property of `record`, if the caller sees it."""
    target_id = _target_id(record, nav)
    if target_id is None:
        return None
    if target_id == record.id:
        return record
    found = (await GET_MANY[nav.target](conn, [target_id])).get(target_id)
    if found is None or not call.principal.workspaces.allows(_workspace_of(found)):
        return None
    return found


def _items(items: tuple[Expand, ...], navigation: dict[str, Navigation]) -> list[Expand]:
    chosen: dict[str, Expand] = {}
    for item in items:
        if item.path == "*":
            for name in navigation:
                chosen.setdefault(name, Expand(name, item.options))
            continue
        if item.path not in navigation:
            known = ", ".join(navigation) or "none"
            raise bad_option(
                "$expand",
                f"{item.path!r} is not a navigation property here; these are: {known}.",
                "UNKNOWN_FIELD",
            )
        chosen[item.path] = item
    return list(chosen.values())


async def expand(
    call: Call,
    conn: Connection,
    type_name: str,
    records: list[Any],
    values: list[dict[str, Any]],
    items: tuple[Expand, ...],
) -> None:
    """Fill the expanded navigation properties into `values` (one per record, same order)."""
    if not items or not records:
        return
    base = MODEL.types[type_name].base or type_name
    navigation = {n.name: n for n in MODEL.navigation(base)}
    for item in _items(items, navigation):
        nav = navigation[item.path]
        if nav.collection:
            await _collection(call, conn, base, nav, records, values, item.options)
        else:
            await _single(call, conn, nav, records, values, item.options)


async def _single(
    call: Call,
    conn: Connection,
    nav: Navigation,
    records: list[Any],
    values: list[dict[str, Any]],
    options: Options,
) -> None:
    extra = options.given - _SINGLE_OPTIONS
    if extra:
        raise bad_option(
            "$expand", f"{nav.name} is single-valued: only $select and $expand apply to it."
        )
    wanted = {t for r in records if (t := _target_id(r, nav)) is not None}
    known = {r.id: r for r in records if r.id in wanted}
    missing = sorted(wanted - known.keys())
    found = dict(known)
    if missing:
        found.update(await GET_MANY[nav.target](conn, missing))
    visible = {k: v for k, v in found.items() if call.principal.workspaces.allows(_workspace_of(v))}
    written: dict[str, dict[str, Any]] = {}
    targets: list[Any] = []
    for id, target in visible.items():
        select = selected(type(target).__name__, options.select)
        written[id] = json_format.entity(target, select)
        targets.append(target)
    for record, value in zip(records, values, strict=True):
        target_id = _target_id(record, nav)
        value[nav.name] = written.get(target_id) if target_id is not None else None
    await expand(call, conn, nav.target, targets, [written[t.id] for t in targets], options.expand)


async def _collection(
    call: Call,
    conn: Connection,
    base: str,
    nav: Navigation,
    records: list[Any],
    values: list[dict[str, Any]],
    options: Options,
) -> None:
    children = CHILDREN[(base, nav.name)]
    query = list_query(children.catalog, children.default, options, call.principal)
    skip, size = _window(options, call)
    ids = [str(r.id) for r in records]
    pages = await children.pages(conn, ids, PageRequest(skip + size, True, None), query)
    counts = await children.counts(conn, ids, query) if options.count else {}
    set_name = MODEL.set_of(base).name
    all_children: list[Any] = []
    all_values: list[dict[str, Any]] = []
    for record, value in zip(records, values, strict=True):
        page = pages[record.id]
        items = page.items[skip:]
        written = [
            json_format.entity(child, selected(nav.target, options.select)) for child in items
        ]
        if options.count:
            value[f"{nav.name}@odata.count"] = counts[record.id]
        value[nav.name] = written
        _next_link(call, value, nav.name, set_name, record.id, page, options, len(items))
        all_children += items
        all_values += written
    await expand(call, conn, nav.target, all_children, all_values, options.expand)


_VISIBLE = "workspace/id"  # read with a narrow target, to check the caller may see it


def _narrow_child(base: str, item: Expand) -> Projection | None:
    """The narrow read of one expanded navigation property, or None when it needs records:
    a collection with a per-parent page, or a single-valued one whose target id is a catalog
    field of `base` and whose target can be read by id as rows; nothing expanded below it."""
    nav = next((n for n in MODEL.navigation(base) if n.name == item.path), None)
    if nav is None or item.options.expand:
        return None
    select = selected(nav.target, item.options.select)
    if nav.collection:
        return projection(nav.target, select) if (base, item.path) in CHILDREN else None
    catalog = MODEL.set_of(base).catalog
    if (
        nav.target not in ROWS_BY_ID
        or catalog is None
        or f"{nav.name}/id" not in catalog.fields
        or item.options.given - _SINGLE_OPTIONS
    ):
        return None
    return projection(nav.target, select, (_VISIBLE,))


def narrow_keys(base: str, items: tuple[Expand, ...]) -> tuple[str, ...] | None:
    """Whether a page's expansion can run on narrow rows (`projection.py`), and then the catalog
    paths its rows need besides their properties (the target ids of single-valued ones)."""
    keys: list[str] = []
    for item in items:
        child = _narrow_child(base, item)
        if child is None:
            return None
        if (base, item.path) not in CHILDREN:
            keys.append(f"{item.path}/id")
    return tuple(keys)


async def expand_rows(
    call: Call,
    conn: Connection,
    base: str,
    parent: Projection,
    rows: list[Row],
    values: list[dict[str, Any]],
    items: tuple[Expand, ...],
) -> None:
    """`expand` for a page read as narrow rows of `parent` (`narrow_keys` said it can): one
    statement per navigation property, whatever the page's size (two with `$count`)."""
    if not rows:
        return
    ids = [Projection.id_of(row) for row in rows]
    set_name = MODEL.set_of(base).name
    for item in items:
        child = _narrow_child(base, item)
        if child is None:  # pragma: no cover (`narrow_keys` checked)
            raise bad_option("$expand", f"{item.path} cannot be expanded here.")
        if (base, item.path) not in CHILDREN:
            nav = next(n for n in MODEL.navigation(base) if n.name == item.path)
            at = parent.keys[f"{item.path}/id"]
            await _single_rows(call, conn, nav, at, rows, values, child)
            continue
        children = CHILDREN[(base, item.path)]
        options = item.options
        query = list_query(children.catalog, children.default, options, call.principal)
        skip, size = _window(options, call)
        request = PageRequest(skip + size, True, None)
        pages = await children.row_pages(conn, ids, request, query, child.columns)
        counts = await children.counts(conn, ids, query) if options.count else {}
        for id, value in zip(ids, values, strict=True):
            page = pages[id]
            found = page.items[skip:]
            if options.count:
                value[f"{item.path}@odata.count"] = counts[id]
            value[item.path] = [child.write(row) for row in found]
            _next_link(call, value, item.path, set_name, id, page, options, len(found))


async def _single_rows(
    call: Call,
    conn: Connection,
    nav: Navigation,
    at: int,
    rows: list[Row],
    values: list[dict[str, Any]],
    child: Projection,
) -> None:
    """A single-valued navigation property of narrow rows: the targets whose ids are at column
    `at`, read by id as rows of `child` in one statement, those the caller may see."""
    wanted = sorted({row[at] for row in rows if row[at] is not None})
    found = await ROWS_BY_ID[nav.target](conn, wanted, child.columns)
    allows, visible = call.principal.workspaces.allows, child.keys[_VISIBLE]
    written = {Projection.id_of(r): child.write(r) for r in found if allows(r[visible])}
    for row, value in zip(rows, values, strict=True):
        target = row[at]
        value[nav.name] = None if target is None else written.get(target)


def _window(options: Options, call: Call) -> tuple[int, int]:
    """`$skip` and the page size of an expanded list."""
    skip = options.skip or 0
    size = page_size(options, call.max_page_size)
    if skip + size > MAX_PAGE_SIZE:
        raise bad_option(
            "$expand",
            f"An expanded list's $skip plus its page may be at most {MAX_PAGE_SIZE} rows.",
            "LIMIT_EXCEEDED",
        )
    return skip, size


def _next_link(
    call: Call,
    value: dict[str, Any],
    name: str,
    set_name: str,
    parent_id: str,
    page: Page[Any],
    options: Options,
    read: int,
) -> None:
    left = None if options.top is None else options.top - read
    if page.has_next_page and page.cursors and (left is None or left > 0):
        value[f"{name}@odata.nextLink"] = (
            f"{call.base}{set_name}('{parent_id}')/{name}?"
            f"{next_query(options.pairs, left, page.cursors[-1])}"
        )
