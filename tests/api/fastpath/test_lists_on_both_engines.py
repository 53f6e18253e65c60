"""The benchmark's two lists (100 runs, and 100 runs with their activities) over GraphQL on
either engine: the fast path answers them with the executor's bytes, in one statement per list
and no more round trips than statements (on PostgreSQL, a pooled connection given back is not
reset by a statement of its own)."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from bench.runner.queries import FLAT, NESTED
from gateway.api.common.context import Context
from gateway.api.fastpath import FastPath
from gateway.api.schema import schema
from gateway.domain.auth import OPEN
from gateway.store.engines import database_for
from tests import pg
from tests.conftest import ON_POSTGRES, GraphQLClient

# The documents the side-by-side benchmark measures (bench/runner/queries.py), at the demo's size.
LISTS = {"flat": (FLAT, 1), "nested": (NESTED, 2)}  # statements: runs; runs and their activities


@pytest.mark.parametrize("name", LISTS)
def test_the_fast_path_answers_the_bench_lists_with_the_executors_bytes(
    demo_path: object, name: str
) -> None:
    query, statements = LISTS[name]

    async def both() -> tuple[bytes | None, bytes, int]:
        async with database_for(demo_path, readers=1) as db:  # type: ignore[arg-type]  # a path or, on PostgreSQL, a URL
            reference = await schema.execute(query, context_value=Context(db=db, request_id="test"))
            assert reference.errors is None, reference.errors
            before = db.statements.count
            answer = await FastPath(schema).execute(db, query, None, None, OPEN.workspaces)
            counted = db.statements.count - before
        fast = None if answer is None else orjson.dumps(answer.data)
        return fast, orjson.dumps(reference.data), counted

    fast, reference, counted = asyncio.run(both())
    assert fast is not None, "answered by the fast path"
    assert len(orjson.loads(reference)["runs"]["nodes"]) == 100
    assert fast == reference
    assert counted == statements


# Times the fast path writes as it writes any other (a naive datetime, `OPT_NAIVE_UTC`) and the
# executor through the DateTime scalar: a whole second (no fraction), a microsecond either side
# of the epoch, a year before 1000 (four digits, zero-padded) and one late in 9999.
EDGE_TIMES = [1_764_800_000_000_000, -1, 1, -56_829_312_704_298_466, 253_402_300_799_999_999]


def test_times_at_their_edges_are_written_as_the_executor_writes_them(demo_path: object) -> None:
    query, _ = LISTS["nested"]

    async def both() -> tuple[bytes | None, bytes, list[str]]:
        async with database_for(demo_path, readers=1) as db:  # type: ignore[arg-type]  # a path or, on PostgreSQL, a URL
            async with db.read() as conn:
                runs = await conn.fetchall(
                    "SELECT r.id FROM runs r ORDER BY r.created_at DESC, r.id DESC LIMIT 3"
                )
                activity = await conn.fetchone(
                    "SELECT id FROM activities WHERE run_id = ? ORDER BY sequence LIMIT 1",
                    (runs[0][0],),
                )
            assert activity is not None
            first, second, third = EDGE_TIMES[:3]
            async with db.transaction() as tx:
                # the newest run keeps its place; its times and its first activity's change
                await tx.execute(
                    "UPDATE runs SET started_at = ?, ended_at = ? WHERE id = ?",
                    (second, third, runs[0][0]),
                )
                await tx.execute(
                    "UPDATE runs SET started_at = ?, ended_at = ? WHERE id = ?",
                    (EDGE_TIMES[3], EDGE_TIMES[4], runs[1][0]),
                )
                await tx.execute(
                    "UPDATE activities SET started_at = ?, ended_at = ? WHERE id = ?",
                    (first, EDGE_TIMES[3], activity[0]),
                )
            reference = await schema.execute(query, context_value=Context(db=db, request_id="test"))
            assert reference.errors is None, reference.errors
            answer = await FastPath(schema).execute(db, query, None, None, OPEN.workspaces)
        fast = None if answer is None else orjson.dumps(answer.data)
        nodes = orjson.loads(orjson.dumps(reference.data))["runs"]["nodes"]
        written = [nodes[0]["startDateTime"], nodes[0]["endDateTime"], nodes[1]["startDateTime"]]
        written += [nodes[1]["endDateTime"], nodes[0]["activities"]["nodes"][0]["startDateTime"]]
        return fast, orjson.dumps(reference.data), written

    fast, reference, written = asyncio.run(both())
    assert written == [
        "1969-12-31T23:59:59.999999Z",
        "1970-01-01T00:00:00.000001Z",
        "0169-02-24T07:48:15.701534Z",
        "9999-12-31T23:59:59.999999Z",
        "2025-12-03T22:13:20Z",
    ]
    assert fast is not None, "answered by the fast path"
    assert fast == reference


def _last_statements(url: str) -> list[str]:
    """What each of the gateway's pooled backends on `url`'s database last ran."""
    database = url.rsplit("/", 1)[1]
    rows = pg.rows(
        url,
        "SELECT query FROM pg_stat_activity WHERE datname = ? AND application_name = "
        "'runs-gateway' AND backend_type = 'client backend' AND query NOT ILIKE '%LISTEN%'",
        (database,),
    )
    return [str(q) for (q,) in rows]


@pytest.mark.parametrize("name", LISTS)
def test_a_read_on_postgresql_is_its_statements_and_nothing_after(
    gql: GraphQLClient, demo_path: object, name: str
) -> None:
    """asyncpg's pool sends `RESET ALL` and more to the server on every release by default: one
    more round trip per request, and work for PostgreSQL. The store keeps no session state on a
    pooled connection, so the pool gives connections back as they are."""
    if not ON_POSTGRES:
        pytest.skip("PostgreSQL's pool")
    query, statements = LISTS[name]
    before = gql.statements
    assert len(gql.data(query)["runs"]["nodes"]) == 100
    assert gql.statements - before == statements
    last = _last_statements(str(demo_path))
    assert last, "the gateway's backends are listed"
    assert not [q for q in last if "RESET ALL" in q or "pg_advisory_unlock_all" in q], last
