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
