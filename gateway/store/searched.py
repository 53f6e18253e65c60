"""The first pages of a `$search` list on SQLite without reading every match (issue 21 item 5).

The search condition `r.rowid IN (SELECT rowid FROM runs_fts WHERE runs_fts MATCH ?)` leads
SQLite to read every match, then each matching row, then sort them for the page: linear in the
matches (50-200 ms for "quota", 1.9% of 1,000,000 runs; 230-300 ms for "failed", 11%; 470 ms
for "succeeded", 39%). Here, decided
by the full-text index's own count of the matches (read up to `RARE` + 1 of them, never more):

* at most `RARE` matches: that plan, as before (its cost is at most `RARE` rows);
* more: the list's order is walked over its index in chunks, and a chunk's candidates are
  tested against the matches whose rowids lie between the chunk's least and greatest rowid
  (FTS5 seeks that range in its doclists). Where rows are written in about the order a list
  shows them (runs are created newest last: a chunk of the 5,000 newest spans 5,000 rowids),
  a page reads a chunk of about 1.5 pages / (match rate) index entries and a page of matches
  (sized from the density of the last page's chunk), whatever the number of matches: three
  statements (the count; the chunk's rowid range, size, matches in range and the keys of its
  last row and of the row after it; its matching rows with the page's select list), two more
  per extra chunk. A chunk with few matches (more than `BY_MATCH` rows per match in its range,
  "quota" at 1.9%) reads its page from those matches: their rows, kept when they fall before
  the row after the chunk (a keyset bound) and in the list, sorted; the chunk is not walked
  again, nor each of its rows tested (2.2 -> 0.35 ms of SQLite for "quota" at 1,000,000). A
  chunk with dense matches walks its rows again, tests each against the matches in its range,
  and reads the page's rows only. A chunk too spread out (`SPAN` times more rowids than rows) is
  tested against every match instead (the walk stops at the page; the matches are read once,
  not their rows).

The pages are the same rows in the same order as the plan above (the chunks are consecutive
runs of the list's order, read exactly); only forward pages (`first`, `after`) over an order an
index serves without a sort (`EXPLAIN QUERY PLAN`) take this way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Final

from gateway.domain.paging import PageRequest
from gateway.odata import keyset_predicate
from gateway.store.protocol import Connection, Row

Fetch = Callable[[str, list[Any]], Awaitable[list[Row]]]

RARE = 2_000
"""At most this many matches: read them all and sort them (cheaper than a walk of the order)."""
FIRST_CHUNK = 16
"""The first chunk of the order walked, in pages: enough when one row in 16 matches."""
MAX_CHUNK = 65_536
SPAN: Final = 8
BY_MATCH: Final = 4
"""A chunk of more than this many rows per match in its rowid range reads the page from those
matches (their rows, sorted) instead of walking the chunk again and testing each of its rows."""

# Kept per process, only to choose and size the walk (never to answer): whether SQLite reads a
# walk's statement in order without a sort, and a search's rows of the order per match.
_IN_ORDER: dict[str, bool] = {}
_RATIO: dict[tuple[str, str, tuple[str, ...]], float] = {}


def _search_condition(query: Any) -> tuple[int, str] | None:
    """Where the list's full-text condition is among its conditions, and its FTS table."""
    catalog = query.catalog
    spec = catalog.search if catalog is not None else None
    if spec is None or not spec.fts_table:
        return None
    condition = spec.condition(catalog.alias)
    found = [i for i, c in enumerate(query.where) if c.sql == condition]
    return (found[0], spec.fts_table) if len(found) == 1 else None


async def rows(
    conn: Connection,
    *,
    table: str,
    alias: str,
    query: Any,
    page: PageRequest,
    clauses: list[str],
    params: list[Any],
    select: str,
    fetch: Fetch,
) -> list[Row] | None:
    """The page's rows (and one more, if any) in the list's order, read by `select` (`SELECT
    … FROM table`) with `fetch`, or None when the plan that reads every match is as cheap (few
    matches) or this way does not apply."""
    if not page.forward or query.dialect.value != "sqlite":
        return None
    found = _search_condition(query)
    if found is None:
        return None
    index, fts = found
    match = query.where[index].params[0]
    row = await conn.fetchone(
        f"SELECT count(*) FROM (SELECT 1 FROM {fts} WHERE {fts} MATCH ? LIMIT ?)", [match, RARE + 1]
    )
    if row is None or row[0] <= RARE:
        return None
    # The other conditions (the cursor's seek among them), with their parameters in order.
    other: list[str] = []
    other_params: list[Any] = []
    position = 0
    for i, condition in enumerate(query.where):
        n = len(condition.params)
        if i != index:
            other.append(condition.sql)
            other_params.extend(params[position : position + n])
        position += n
    other += clauses[len(query.where) :]
    other_params += params[position:]
    if not await _in_order(conn, table, alias, query, other, other_params):
        return None  # the order is a sort of every row the list has: walking it is no cheaper
    walk = _Walk(conn, table, alias, query, fts, match, select, fetch)
    return await walk.rows(other, other_params, page.limit + 1)


async def _in_order(
    conn: Connection, table: str, alias: str, query: Any, other: list[str], params: list[Any]
) -> bool:
    """Whether the list's rows come in its order from an index (no sort): then a chunk of
    them costs its size."""
    where = f" WHERE {' AND '.join(other)}" if other else ""
    order = query.order.sql(False, query.dialect)
    sql = f"SELECT {alias}.rowid FROM {table}{where} ORDER BY {order} LIMIT ?"
    found = _IN_ORDER.get(sql)
    if found is None:
        plan = await conn.fetch_tuples(f"EXPLAIN QUERY PLAN {sql}", [*params, 1])
        found = not any("TEMP B-TREE" in str(step[-1]) for step in plan)
        if len(_IN_ORDER) < 4096:
            _IN_ORDER[sql] = found
    return found


class _Walk:
    """One page's walk of the list's order in chunks."""

    def __init__(
        self,
        conn: Connection,
        table: str,
        alias: str,
        query: Any,
        fts: str,
        match: str,
        select: str,
        fetch: Fetch,
    ) -> None:
        self.conn, self.table, self.alias, self.query = conn, table, alias, query
        self.fts, self.match, self.select, self.fetch = fts, match, select, fetch
        self.order = query.order.sql(False, query.dialect)
        self.keys = query.order.select_for(query.dialect)
        self.named = ", ".join(f"{sql} AS _k{i}" for i, sql in enumerate(self.keys))
        # The order over the edge's columns (SQLite's: NULL first ascending, last descending).
        self.edge_order = ", ".join(
            f"_k{i} {'DESC' if key.descending else 'ASC'}" for i, key in enumerate(query.order.keys)
        )
        # The page's select list read from the matches in a range first, then their rows by
        # rowid (SQLite's CROSS JOIN keeps that order of the loops).
        columns, _, rest = select.rpartition(f" FROM {table}")
        self.by_match = (
            f"{columns} FROM (SELECT rowid AS _m FROM {fts} WHERE {fts} MATCH ? AND rowid "
            f"BETWEEN ? AND ?) AS _matches CROSS JOIN {table} ON {alias}.rowid = _matches._m"
            if columns and not rest
            else None
        )

    async def rows(self, other: list[str], other_params: list[Any], need: int) -> list[Row]:
        alias, table, order, fts = self.alias, self.table, self.order, self.fts
        found: list[Row] = []
        seek: list[tuple[str, Sequence[Any]]] = []
        remembered = (fts, self.match, tuple(other))
        ratio = _RATIO.get(remembered)  # rows of the order per match, on the last page
        # Chunks err large: a statement costs more than a few thousand index entries.
        size = FIRST_CHUNK * need if ratio is None else int(need * ratio * 3 / 2) + 1
        size = min(max(size, 4 * need), MAX_CHUNK)
        walked = matched = 0
        while len(found) < need:
            conditions = [*other, *(s for s, _ in seek)]
            values = [*other_params, *(p for _, ps in seek for p in ps)]
            where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
            walk = f"SELECT {alias}.rowid AS _rid FROM {table}{where} ORDER BY {order} LIMIT ?"
            edge = f"SELECT {self.named} FROM {table}{where} ORDER BY {order} LIMIT 2 OFFSET ?"
            # The chunk's rowid range and size, how many matches the range holds (about the
            # chunk's, in rowid order), and the keys of its last row and of the row after it.
            # (The span materialized: its count of matches is read once, not once an edge row.)
            span = await self.conn.fetch_tuples(
                f"WITH _span AS MATERIALIZED (SELECT _low, _high, _n, (SELECT count(*) FROM "
                f"{fts} WHERE {fts} MATCH ? AND rowid BETWEEN _low AND _high) FROM (SELECT "
                f"min(_rid) AS _low, max(_rid) AS _high, count(*) AS _n FROM ({walk}))) "
                f"SELECT _span.*, _edge.* FROM _span LEFT JOIN ({edge}) AS _edge "
                f"ORDER BY {self.edge_order}",
                [self.match, *values, size, *values, size - 1],
            )
            low, high, rows, in_range = span[0][:4]
            if not rows:
                break
            walked += rows
            matched += in_range
            left = need - len(found)
            if high - low + 1 > SPAN * rows or self.by_match is None:
                # Not in rowid order: every match, once, and walk on to the page's end.
                tested = " AND ".join([*conditions, f"+{alias}.rowid IN ({_every(fts)})"])
                found += await self.fetch(
                    f"{self.select} WHERE {alias}.rowid IN (SELECT {alias}.rowid FROM {table} "
                    f"WHERE {tested} ORDER BY {order} LIMIT ?) ORDER BY {order}",
                    [*values, self.match, left],
                )
                break
            after = span[1][4:] if len(span) > 1 and rows == size else None
            if rows > BY_MATCH * in_range:
                # The chunk's rows that match, from the matches in its rowid range (fewer than
                # its rows): those in the list after the seek and before the row after the
                # chunk (the chunk's exactly), in order; the chunk is not read again.
                bounds, bound_values = [*conditions], [*values]
                if after is not None:
                    before = keyset_predicate(
                        self.query.order, after, before=True, dialect=self.query.dialect
                    )
                    bounds.append(before.sql)
                    bound_values += before.params
                tested = f" WHERE {' AND '.join(bounds)}" if bounds else ""
                found += await self.fetch(
                    f"{self.by_match}{tested} ORDER BY {order} LIMIT ?",
                    [self.match, low, high, *bound_values, left],
                )
            else:
                # Dense matches: the chunk's rows, in order, tested against the matches in its
                # range; only the page's are read.
                chunk = f"SELECT {alias}.rowid AS _rid, {self.named} FROM {table}{where} "
                found += await self.fetch(
                    f"{self.select} WHERE {alias}.rowid IN (SELECT _rid FROM ({chunk}"
                    f"ORDER BY {order} LIMIT ?) AS _chunk WHERE _rid IN ({_every(fts)} AND "
                    f"rowid BETWEEN ? AND ?) ORDER BY {self.edge_order} LIMIT ?) ORDER BY {order}",
                    [*values, size, self.match, low, high, left],
                )
            if len(found) >= need or after is None:
                break  # the page is full, or the list ends in this chunk
            # The next chunk starts after the chunk's last row.
            last = keyset_predicate(self.query.order, span[0][4:], dialect=self.query.dialect)
            seek = [(last.sql, last.params)]
            # The next chunk: enough for the rest of the page at the density seen so far (half
            # more), at least twice this one.
            wanted = (need - len(found)) * walked * 3 // max(matched, 1) // 2
            size = min(max(size * 2, wanted), MAX_CHUNK)
        if len(_RATIO) >= 4096:
            _RATIO.clear()
        _RATIO[remembered] = walked / max(matched, 1)
        return found


def _every(fts: str) -> str:
    return f"SELECT rowid FROM {fts} WHERE {fts} MATCH ?"
