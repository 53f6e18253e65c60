"""What every list of `/odata/` shares: the request's `Call`, the compilation of `$filter`,
`$orderby` and `$search` through `build_query` (the same as GraphQL's `filter`, `orderBy`,
`search`, inside the caller's workspaces), page sizes, `$skip` over keyset pages, and the query
string of `@odata.nextLink`.

Page size: `$top`, but at most the `odata.maxpagesize` preference (itself at most
`MAX_PAGE_SIZE`) or, without one, `DEFAULT_PAGE_SIZE` rows when there is no `$top` and
`MAX_PAGE_SIZE` when there is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from gateway.domain.auth import Principal
from gateway.domain.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PageRequest
from gateway.odata import Catalog, ODataError
from gateway.odata_http.entity_sets import Listing
from gateway.odata_http.errors import from_query_error
from gateway.odata_http.options import Options
from gateway.store.paging import ListQuery, build_query
from gateway.store.protocol import Connection, Database


@dataclass(frozen=True)
class Call:
    """One request: the store, the caller, and what its URLs start with."""

    db: Database
    principal: Principal
    request_id: str
    base: str  # the service root, ending in `/odata/`
    max_page_size: int | None = None  # the `odata.maxpagesize` preference


def list_query(
    catalog: Catalog, default: ListQuery, options: Options, principal: Principal
) -> ListQuery:
    """`build_query` over the options; a compiler error names the option it came from."""
    try:
        return build_query(
            catalog,
            default,
            workspaces=principal.workspaces,
            filter=options.filter,
            order_by=options.orderby,
            search=options.search,
        )
    except ODataError as exc:
        alone: dict[str, Callable[[], ListQuery]] = {
            "$filter": lambda: build_query(
                catalog, default, workspaces=principal.workspaces, filter=options.filter
            ),
            "$orderby": lambda: build_query(
                catalog, default, workspaces=principal.workspaces, order_by=options.orderby
            ),
            "$search": lambda: build_query(
                catalog, default, workspaces=principal.workspaces, search=options.search
            ),
        }
        for option, compile_alone in alone.items():
            try:
                compile_alone()
            except ODataError as found:
                raise from_query_error(found, option) from None
        raise from_query_error(exc, "$filter") from None


def page_size(options: Options, preferred: int | None) -> int:
    if preferred is not None:
        cap = max(1, min(preferred, MAX_PAGE_SIZE))
    else:
        cap = DEFAULT_PAGE_SIZE if options.top is None else MAX_PAGE_SIZE
    return cap if options.top is None else min(options.top, cap)


async def skip_to(
    conn: Connection, listing: Listing, query: ListQuery, skip: int, cursor: str | None
) -> tuple[str | None, bool]:
    """The cursor `skip` rows on from `cursor`; False when the list ends first."""
    left = skip
    while left > 0:
        step = min(left, MAX_PAGE_SIZE)
        page = await listing.page(conn, PageRequest(step, True, cursor), query)
        if len(page.items) < step:
            return None, False
        cursor = page.cursors[-1]
        left -= step
    return cursor, True


def next_query(pairs: tuple[tuple[str, str], ...], top: int | None, token: str) -> str:
    """The query string of a next page: the same options, `$top` less what was read, the cursor
    as `$skiptoken`, no `$skip`."""
    kept = [(k, v) for k, v in pairs if k not in ("top", "skip", "skiptoken")]
    if top is not None:
        kept.append(("top", str(top)))
    kept.append(("skiptoken", token))
    return "&".join(f"${k}={quote(v, safe=_SAFE)}" for k, v in kept)


_SAFE = "()',/:$@!*"
