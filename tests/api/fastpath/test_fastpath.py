"""The fast path against the executor: every stored operation and generated selections give the
same bytes both ways; which operations take the fast path, and what they cost in statements."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import orjson
import pytest
from graphql import GraphQLError, parse, specified_rules
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gateway.api.common.context import Context
from gateway.api.common.limits import MAX_ALIASES, QueryLimits, check_cost
from gateway.api.fastpath import FastPath, validation_rules
from gateway.api.schema import schema
from gateway.domain.auth import OPEN, Principal, Scope, Workspaces
from gateway.store.engines import database_for
from tests.conftest import GraphQLClient

QUERIES = Path(__file__).parents[2] / "queries"


@pytest.fixture(scope="module")
def shared_demo(module_demo: Path) -> Path:
    """One copy of the demo data set for the read-only comparisons of this module."""
    return module_demo


async def _both(
    path: Path,
    query: str,
    variables: dict[str, Any] | None = None,
    principal: Principal = OPEN,
) -> tuple[bytes | None, bytes, int]:
    """(fast path's data or None, the executor's data, the fast path's statements)."""
    async with database_for(path, readers=1) as db:
        context = Context(db=db, request_id="test", principal=principal)
        reference = await schema.execute(query, variable_values=variables, context_value=context)
        assert reference.errors is None, reference.errors
        before = db.statements.count
        answer = await FastPath(schema).execute(db, query, None, variables, principal.workspaces)
        fast = None if answer is None else answer.data
        statements = db.statements.count - before
    return (
        None if fast is None else orjson.dumps(fast),
        orjson.dumps(reference.data),
        statements,
    )


async def _run_id(path: Path) -> str:
    async with database_for(path, readers=1) as db:
        result = await schema.execute(
            "{ runs(first: 1) { nodes { id } } }", context_value=Context(db=db, request_id="t")
        )
    assert result.data is not None
    return str(result.data["runs"]["nodes"][0]["id"])


@pytest.mark.parametrize("name", sorted(p.stem for p in QUERIES.glob("*.graphql")))
def test_stored_operations_answer_the_same_on_both_paths(shared_demo: Path, name: str) -> None:
    query = (QUERIES / f"{name}.graphql").read_text()
    if query.lstrip("# \n").startswith("mutation") or "mutation " in query.split("{")[0]:
        pytest.skip("mutations run on the executor only")
    if "subscription " in query.split("{")[0]:
        pytest.skip("subscriptions run over WebSocket")
    stored = QUERIES / f"{name}.variables.json"
    variables = json.loads(stored.read_text()) if stored.exists() else None
    if "$id" in query:
        variables = {**(variables or {}), "id": asyncio.run(_run_id(shared_demo))}
    fast, reference, _ = asyncio.run(_both(shared_demo, query, variables))
    if fast is not None:
        assert fast == reference


def test_the_stored_runs_page_takes_the_fast_path(shared_demo: Path) -> None:
    query = (QUERIES / "newest_runs.graphql").read_text()
    fast, reference, statements = asyncio.run(_both(shared_demo, query))
    assert fast == reference
    # runs (process names in the same statement), their count, activities, activity counts
    assert statements == 4


# --- generated selections -------------------------------------------------------------------------

RUN_SCALARS = [
    "id",
    "source",
    "sourceId",
    "displayName",
    "status",
    "sourceStatus",
    "isActive",
    "isTerminal",
    "createdDateTime",
    "startDateTime",
    "endDateTime",
    "lastModifiedDateTime",
    "attemptNumber",
    "isLatestAttempt",
    "eTag",
    "__typename",
    "durations { queueMs setupMs executionMs cleanupMs totalMs __typename }",
    "trigger { type invokedBy sourceType }",
    "statistics { processed added updated unchanged skipped failed errors warnings }",
    "blockingError { code message category retryable __typename }",
    "process { id displayName sourceId kind __typename }",
    "workspace { id }",
    "parameters",
    # from the codec's domain values (api/fastpath/values.py)
    "statistics { processed entities { entity total active inactive } roles { role count matched }"
    " metrics { name value unit __typename } }",
    "statistics { inboundTotals { errors warnings groups memberships organizations people "
    "matchedPeopleByRole { role count matched } unmatchedPeopleByRole { role count } } }",
    "statistics { assets { added updated unchanged skipped failed } }",
    "blockingError { code target sourceCode details { code message target } "
    "innerError { code message category retryable innerError { code } } }",
    # records by reference, one statement for all parents
    "process { id description readinessStatus schedule throttle { maxRuns windowSeconds } "
    "activityDefinitions { key displayName kind activityType enabled dependsOn } eTag "
    "workspace { id displayName } }",
    "workspace { id displayName source sourceId createdDateTime __typename }",
    "originalAttemptRun { id status attemptNumber }",
    "previousAttemptRun { __typename id ... on DatabricksRun { jobId } }",
    "statusHistory { seq kind fromStatus toStatus at actor reason requestId __typename }",
    # aliased: beside the unaliased one with other arguments, it would not validate
    "latest: statusHistory(last: 1) { seq toStatus }",
    # per-run activities and per-process aggregates, one statement for all parents
    "statistics { processed activityStatistics(first: 2) { activityId key displayName status "
    "statistics { processed entities { entity } assets { added } } } }",
    "process { runAggregate { count succeeded failed countByStatus { status count } "
    "duration { count mean } } lastRun { id status } lastSuccessfulRun { id } "
    "consecutiveFailures }",
    "process { failedOnes: runAggregate(filter: \"status eq 'FAILED'\") { count statisticsSums { failed } "
    "duration { p50 } mttrMs } }",
]
PLATFORM = {
    "DataFactoryRun": "tableName activityName dataSliceStart dataSliceEnd batchTime "
    "percentComplete computeClusterName runGroupId hasLogs dataArtifactId",
    "DatabricksRun": "jobId numberInJob runType creatorUserName runPageUrl stateMessage",
    "DataZoneRun": "dataSourceId projectId runType lineageImportStatus "
    "runStatisticsForAssets { added updated unchanged skipped failed } "
    "assetActivities(first: 2) { totalCount nodes { id database technicalName dataAssetId } }",
    "GatewayRun": "gatewayActivities { nodes { id __typename key } }",
}
# The typed lists of activities (the same list as `activities`, typed as the platform's)
PLATFORM["DatabricksRun"] += " tasks(first: 3) { nodes { __typename taskKey clusterId } }"
PLATFORM["DataFactoryRun"] += " activityRuns { edges { cursor node { activityRunId } } }"
ACTIVITY_SCALARS = [
    "id",
    "__typename",
    "kind",
    "key",
    "sourceId",
    "displayName",
    "activityType",
    "sequence",
    "status",
    "sourceStatus",
    "createdDateTime",
    "startDateTime",
    "endDateTime",
    "lastModifiedDateTime",
    "durationMs",
    "attemptNumber",
    "eTag",
    "statistics { processed failed }",
    "blockingError { code category }",
    "... on DatabricksTask { taskKey }",
    "... on DataFactoryActivityRun { activityRunId }",
    "dependsOn",
    "platformAttributes",
    "statistics { metrics { name value unit } entities { entity total } assets { added } }",
    "blockingError { message retryable details { code } innerError { code } }",
    "run { id status process { displayName } }",
    "... on DatabricksTask { clusterId }",
    "... on DataZoneAssetActivity { database technicalName dataAssetId }",
]
PROCESS_SCALARS = [
    "id",
    "__typename",
    "source",
    "kind",
    "sourceId",
    "displayName",
    "description",
    "readinessStatus",
    "schedule",
    "createdDateTime",
    "lastModifiedDateTime",
    "eTag",
    "workspace { id __typename }",
    "workspace { displayName source }",
    "throttle { maxRuns windowSeconds }",
    "activityDefinitions { key kind dependsOn }",
    "runAggregate { count decided successRate queueTime { count mean } firstStartDateTime }",
    "lastRun { id __typename } consecutiveFailures",
]
RUN_FILTERS = [
    None,
    "status eq 'FAILED'",
    "source eq 'DATABRICKS'",
    "startDateTime ge 2026-10-20T00:00:00Z",
]
RUN_ORDERS = [None, "startDateTime desc", "displayName", "durations/totalMs desc"]
RUN_WHERES = [
    None,
    "{status: {in: [FAILED, TIMED_OUT]}}",
    "{or: [{source: {eq: DATABRICKS}}, {statistics: {errors: {gt: 0}}}]}",
]


def _aliased(draw: st.DrawFn, fields: list[str]) -> list[str]:
    chosen = draw(st.lists(st.sampled_from(fields), min_size=1, max_size=8, unique=True))
    return [
        f"a{i}: {f}" if draw(st.booleans()) and not f.startswith(("...", "__")) else f
        for i, f in enumerate(chosen)
    ]


def _arguments(**values: Any) -> str:
    given = [f"{k}: {orjson.dumps(v).decode()}" for k, v in values.items() if v is not None]
    return f"({', '.join(given)})" if given else ""


@st.composite
def _connection_body(draw: st.DrawFn, node_fields: str) -> str:
    parts = []
    for part in draw(
        st.lists(
            st.sampled_from(["nodes", "edges", "pageInfo", "totalCount", "__typename"]),
            min_size=1,
            max_size=4,
            unique=True,
        )
    ):
        if part == "nodes":
            parts.append(f"nodes {{ {node_fields} }}")
        elif part == "edges":
            parts.append(f"edges {{ cursor node {{ {node_fields} }} }}")
        elif part == "pageInfo":
            parts.append("pageInfo { hasNextPage hasPreviousPage startCursor endCursor }")
        else:
            parts.append(part)
    return " ".join(parts)


@st.composite
def _activities(draw: st.DrawFn) -> str:
    fields = " ".join(_aliased(draw, ACTIVITY_SCALARS))
    arguments = _arguments(
        first=draw(st.sampled_from([None, 0, 1, 3])),
        filter=draw(st.sampled_from([None, "status eq 'SUCCEEDED'"])),
        orderBy=draw(st.sampled_from([None, "sequence desc"])),
    )
    return f"activities{arguments} {{ {draw(_connection_body(fields))} }}"


@st.composite
def _run_fields(draw: st.DrawFn) -> str:
    fields = _aliased(draw, RUN_SCALARS)
    for type_name in draw(st.lists(st.sampled_from(sorted(PLATFORM)), max_size=2, unique=True)):
        fields.append(f"... on {type_name} {{ {PLATFORM[type_name]} }}")
    if draw(st.booleans()):
        fields.append(draw(_activities()))
    if draw(st.booleans()):
        fields.append("...RunBits")
    return " ".join(fields)


FRAGMENT = "fragment RunBits on Run { id status ... on Node { id } }"


@st.composite
def operations(draw: st.DrawFn) -> tuple[str, str | None]:
    """(an operation, and when it pages `after: $after`, the operation that reads the first
    page's end cursor)."""
    after = draw(st.booleans())
    if draw(st.integers(0, 3)) == 0:
        fields = " ".join(_aliased(draw, PROCESS_SCALARS))
        if draw(st.booleans()):
            runs = draw(_run_fields())
            fields += f" runs(first: 2) {{ {draw(_connection_body(runs))} }}"
        root = "processes"
        arguments = f"first: {draw(st.integers(0, 5))}"
    else:
        fields = draw(_run_fields())
        root = "runs"
        arguments = _arguments(
            first=draw(st.sampled_from([None, 0, 1, 5, 20])),
            filter=draw(st.sampled_from(RUN_FILTERS)),
            orderBy=draw(st.sampled_from(RUN_ORDERS)),
        )[1:-1]
        where = draw(st.sampled_from(RUN_WHERES))
        if where is not None:
            arguments = ", ".join(a for a in (arguments, f"where: {where}") if a)
    first_page = f"{{ {root}({arguments}) {{ pageInfo {{ endCursor }} }} }}" if after else None
    if after:
        # forward from the first page's end, or backward to it (`last` pages end at the cursor)
        paging = draw(
            st.sampled_from(["after: $after", "before: $after", "last: 2, before: $after"])
        )
        if "last" in paging:
            arguments = ", ".join(a for a in arguments.split(", ") if not a.startswith("first"))
        arguments = ", ".join(a for a in (arguments, paging) if a)
    body = draw(_connection_body(fields))
    head = "query Generated($after: String)" if after else "query Generated"
    listed = f"{root}({arguments})" if arguments else root
    query = f"{head} {{ {listed} {{ {body} }} }}"
    if "...RunBits" in query:
        query += " " + FRAGMENT
    # within the document limits, which both paths refuse alike (tests/http/test_limits.py)
    assume(len(re.findall(r"\ba\d+:", query)) <= MAX_ALIASES)
    return query, None if first_page is None else first_page.replace("()", "")


async def _cursor(path: Path, first_page: str) -> str | None:
    """The end cursor of the first page."""
    async with database_for(path, readers=1) as db:
        result = await schema.execute(first_page, context_value=Context(db=db, request_id="t"))
    assert result.errors is None, result.errors
    assert result.data is not None
    (value,) = result.data.values()
    cursor: str | None = value["pageInfo"]["endCursor"]
    return cursor


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations())
def test_generated_selections_answer_the_same_on_both_paths(
    shared_demo: Path, operation: tuple[str, str | None]
) -> None:
    query, first_page = operation
    # nested connections repeat their fields' aliases: keep under the document's alias limit
    assume(len(re.findall(r"\ba\d+: ", query)) <= MAX_ALIASES)
    variables = {"after": asyncio.run(_cursor(shared_demo, first_page))} if first_page else None
    try:  # within the cost limit, which both paths refuse alike (tests/http/test_limits.py)
        check_cost(parse(query), "Generated", variables or {}, None)
    except GraphQLError:
        assume(False)
    fast, reference, _ = asyncio.run(_both(shared_demo, query, variables))
    assert fast is not None, "generated selections are all on the fast path"
    assert fast == reference


# --- over HTTP: which path, how many statements ----------------------------------------------------

FLAT = "{ runs(first: 100) { nodes { id __typename status displayName startDateTime } } }"
NESTED = (
    "{ runs(first: 100) { nodes { id status process { displayName } "
    "activities { totalCount nodes { id key status } } } } }"
)


def _taken(gql: GraphQLClient) -> int:
    fast_path: FastPath = gql.http.app.state.fast_path  # type: ignore[attr-defined]
    return fast_path.taken


@pytest.mark.parametrize(
    ("query", "statements"),
    [
        (FLAT, 1),
        ("{ runs { totalCount } }", 1),
        ("{ runs(first: 5) { totalCount pageInfo { endCursor } } }", 2),
        (NESTED, 3),  # runs with process names, activities, activity counts
        # processes; their runs: many per process, so a first statement stops early, then a window
        ("{ processes(first: 5) { nodes { id runs(first: 2) { nodes { id } } } } }", 3),
    ],
)
def test_covered_operations_take_the_fast_path(
    gql: GraphQLClient, query: str, statements: int
) -> None:
    taken, before = _taken(gql), gql.statements
    gql.data(query)
    assert _taken(gql) == taken + 1
    assert gql.statements - before == statements


@pytest.mark.parametrize(
    "query",
    [
        # a field it does not know (an activity's own statistics have no activity statistics)
        "{ runs(first: 2) { nodes { activities { nodes { statistics { activityStatistics "
        "{ key } } } } } } }",
        "{ runs(first: 2) { nodes { id @include(if: true) } } }",  # a directive
        '{ run(id: "run_x") { id } }',  # a root field it does not cover
    ],
)
def test_other_operations_run_on_the_executor(gql: GraphQLClient, query: str) -> None:
    taken = _taken(gql)
    assert "errors" not in gql(query)
    assert _taken(gql) == taken


@pytest.mark.parametrize(
    "query",
    [
        '{ runs(filter: "status eq") { totalCount } }',
        "{ runs(first: 501) { nodes { id } } }",
        '{ runs(after: "nope") { totalCount } }',
        "{ runs(first: 1) { nodes { activities(first: -1) { totalCount } } } }",
    ],
)
def test_errors_are_the_executors(gql: GraphQLClient, query: str) -> None:
    taken = _taken(gql)
    body = gql(query)
    assert body["errors"][0]["extensions"]["code"]
    assert _taken(gql) == taken


@pytest.mark.parametrize(
    "query",
    [
        '{ runs(after: "nope") { totalCount } }',  # declined while it runs (a bad cursor)
        # declined by its plan
        "{ runs(first: 2) { nodes { activities { nodes { statistics { activityStatistics "
        "{ key } } } } } } }",
    ],
)
def test_a_declined_request_asks_the_fast_path_once(gql: GraphQLClient, query: str) -> None:
    fast_path: FastPath = gql.http.app.state.fast_path  # type: ignore[attr-defined]
    before = fast_path.consulted
    gql(query)
    assert fast_path.consulted == before + 1


def test_typed_where_as_a_variable_takes_the_fast_path(gql: GraphQLClient) -> None:
    query = "query ($w: RunWhere) { runs(where: $w) { totalCount } }"
    taken = _taken(gql)
    failed = gql.data(query, {"w": {"status": {"eq": "FAILED"}}})["runs"]["totalCount"]
    every = gql.data(query, {"w": None})["runs"]["totalCount"]
    assert _taken(gql) == taken + 2
    assert 0 < failed < every


def test_variables_of_the_wrong_type_are_the_executors_to_report(gql: GraphQLClient) -> None:
    body = gql("query ($n: Int) { runs(first: $n) { totalCount } }", {"n": "ten"})
    assert "errors" in body and body["data"] is None


def test_limits_apply_on_the_fast_path_too(gql: GraphQLClient) -> None:
    deep = "{ runs(first: 500) { nodes { activities(first: 500) { nodes { id } } } } }"
    body = gql(deep)
    assert body["errors"][0]["extensions"]["limit"] == "queryCost"


async def test_a_caller_confined_to_a_workspace_sees_the_same_on_both_paths(
    shared_demo: Path,
) -> None:
    query = (
        "{ runs(first: 50) { totalCount nodes { id workspace { id } "
        "process { description workspace { displayName } } originalAttemptRun { id } "
        "activities { totalCount nodes { id run { id } } } } } "
        "processes { totalCount nodes { id workspace { displayName } } } }"
    )
    everything, _, _ = await _both(shared_demo, query)
    assert everything is not None
    workspace = orjson.loads(everything)["runs"]["nodes"][0]["workspace"]["id"]
    confined = Principal(
        token_id="tok",
        scopes=frozenset({Scope.RUNS_READ}),
        workspaces=Workspaces(frozenset({workspace})),
    )
    fast, reference, _ = await _both(shared_demo, query, principal=confined)
    assert fast == reference
    runs = orjson.loads(reference)["runs"]
    assert {n["workspace"]["id"] for n in runs["nodes"]} == {workspace}
    assert runs["totalCount"] < orjson.loads(everything)["runs"]["totalCount"]


def test_the_fast_path_validates_with_the_schemas_rules() -> None:
    rules = validation_rules(schema)
    assert QueryLimits in rules
    assert set(specified_rules) <= set(rules)


RICH = (
    "id parameters statistics { processed metrics { name value unit } entities { entity total } "
    "roles { role count matched } inboundTotals { people matchedPeopleByRole { role count } } } "
    "blockingError { code message category retryable target sourceCode "
    "details { code message target } innerError { code } }"
)


def test_values_from_the_codec_are_the_executors(gql: GraphQLClient) -> None:
    """A run whose error has details, whose statistics have metrics, entities and roles (integral
    and fractional values) and whose parameters nest: the same bytes on the fast path as on the
    executor (sent there by a directive)."""
    run_id = gql.data("{ runs(first: 1) { nodes { id } } }")["runs"]["nodes"][0]["id"]
    changed = gql.data(
        """mutation ($id: ID!, $input: UpdateRunInput!) {
             updateRun(id: $id, input: $input) { __typename } }""",
        {
            "id": run_id,
            "input": {
                "parameters": {"a": [1, 2.5, {"b": None}], "é": 'ü\n\t"\\'},
                "statistics": {
                    "processed": 7,
                    "metrics": [
                        {"name": "rows", "value": 3, "unit": "rows"},
                        {"name": "share", "value": 0.1},
                    ],
                    "entities": [{"entity": "people", "total": 4, "active": 3, "inactive": 1}],
                    "roles": [{"role": "student", "count": 2, "matched": True}],
                },
                "blockingError": {
                    "code": "E1",
                    "message": "went wrong",
                    "category": "USER",
                    "retryable": True,
                    "target": "t",
                    "sourceCode": "S",
                    "details": [{"code": "D", "message": "detail", "target": None}],
                },
            },
        },
    )
    assert changed["updateRun"]["__typename"] == "UpdateRunPayload"
    query = f"{{ run: runs(first: 1, filter: \"id eq '{run_id}'\") {{ nodes {{ {RICH} }} }} }}"
    taken = _taken(gql)
    fast = gql.http.post("/graphql", json={"query": query}).content
    assert _taken(gql) == taken + 1
    forced = query.replace(") { nodes", ") @include(if: true) { nodes", 1)
    reference = gql.http.post("/graphql", json={"query": forced}).content
    assert _taken(gql) == taken + 1, "the directive sends it to the executor"
    assert orjson.loads(fast)["data"] == orjson.loads(reference)["data"]
    assert fast.split(b',"extensions"')[0] == reference.split(b',"extensions"')[0]
    node = orjson.loads(fast)["data"]["run"]["nodes"][0]
    assert node["statistics"]["metrics"][0]["value"] == 3.0
    assert node["blockingError"]["details"] == [{"code": "D", "message": "detail", "target": None}]
