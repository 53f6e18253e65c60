"""`runStatistics` and `Process.runAggregate` from the maintained summaries (migrations 0012 and
0016) over GraphQL over HTTP: after a mixed sequence of writes (create, update, lifecycle
transitions, retries, bulk cancel and delete, import, delete), every report the summaries answer
equals the same report read from the runs (`exact: true`): counts, rates, sums and means exactly,
min, max and percentiles within the stated 1/32. Runs on both engines
(GATEWAY_TEST_STORE=postgres)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.api.lifecycle.lifecycle_ops import CANCEL_RUN, RETRY_RUN, create_process, finish
from tests.api.lifecycle.lifecycle_ops import started_run as start_run
from tests.api.test_mutations import CREATE_RUN, DELETE_RUN, UPDATE_RUN
from tests.conftest import GraphQLClient

FIXTURES = Path(__file__).parents[2] / "ingest" / "fixtures"
COUNTERS = "processed added updated unchanged skipped failed errors warnings"
DISTRIBUTION = "count mean min max p50 p90 p95 p99"
AGGREGATE = (
    "count succeeded failed decided successRate failureRate countByStatus { status count } "
    f"duration {{ {DISTRIBUTION} }} queueTime {{ {DISTRIBUTION} }} "
    f"statisticsSums {{ {COUNTERS} }}"
)
COUNTS = f"count countByStatus {{ status count }} statisticsSums {{ {COUNTERS} }} duration {{ count mean }}"
NO_STATUS = f"count duration {{ count mean p50 min }} statisticsSums {{ {COUNTERS} }}"
NO_STATUS_COUNTS = f"count duration {{ count mean }} statisticsSums {{ {COUNTERS} }}"
KEY = "source status processId workspaceId triggerType errorCategory bucketStart bucketEnd"
REPORT = (
    "query ($filter: String, $groupBy: [RunGroupKey!], $interval: TimeInterval, $exact: Boolean!)"
    " { runStatistics(filter: $filter, groupBy: $groupBy, interval: $interval, exact: $exact) {"
    " readFrom approximate rowsRead totals { %s } groups { key { %s } aggregate { %s } } } }"
)
# (filter, groupBy, interval, aggregate fields): shapes the summaries answer.
SHAPES: list[tuple[str | None, list[str], str | None, str]] = [
    (None, ["STATUS"], None, COUNTS),
    (None, ["SOURCE", "PROCESS", "WORKSPACE", "TRIGGER_TYPE", "ERROR_CATEGORY"], None, COUNTS),
    (
        "status in ('SUCCEEDED', 'FAILED') or blockingError/category eq null",
        ["PROCESS"],
        None,
        COUNTS,
    ),
    ("not (source eq 'DATABRICKS')", ["ERROR_CATEGORY", "TRIGGER_TYPE"], None, COUNTS),
    (None, [], "DAY", AGGREGATE),
    (None, [], None, AGGREGATE),
    (None, [], "MONTH", AGGREGATE),
    (None, ["SOURCE", "STATUS"], "WEEK", COUNTS),
    ("status eq 'FAILED' or source eq 'GATEWAY'", ["STATUS"], "DAY", COUNTS),
    # No count by status selected: one summary row per group, not per group and status.
    (None, [], "DAY", NO_STATUS),
    ("source eq 'GATEWAY'", ["PROCESS"], None, NO_STATUS_COUNTS),
    (None, [], None, NO_STATUS),
    ("status eq 'FAILED' and status eq 'SUCCEEDED'", [], None, NO_STATUS_COUNTS),
]


def _report(gql: GraphQLClient, shape: tuple[Any, ...], exact: bool) -> dict[str, Any]:
    filter, keys, interval, fields = shape
    variables = {"filter": filter, "groupBy": keys, "interval": interval, "exact": exact}
    found: dict[str, Any] = gql.data(REPORT % (fields, KEY, fields), variables)["runStatistics"]
    return found


def _close(summarized: Any, exact: Any, path: str) -> None:
    """Equal, but for min, max and percentiles: within 1/32 of the exact value."""
    if isinstance(exact, dict):
        assert summarized.keys() == exact.keys(), path
        for name in exact:
            _close(summarized[name], exact[name], f"{path}.{name}")
    elif isinstance(exact, list):
        assert len(summarized) == len(exact), path
        for i, (s, e) in enumerate(zip(summarized, exact, strict=True)):
            _close(s, e, f"{path}[{i}]")
    elif path.rsplit(".", 1)[-1] in {"min", "max", "p50", "p90", "p95", "p99"} and exact:
        assert abs(summarized - exact) <= abs(exact) / 32, (path, summarized, exact)
    elif isinstance(exact, float):
        assert summarized == pytest.approx(exact, rel=1e-12), path
    else:
        assert summarized == exact, (path, summarized, exact)


def _check_every_shape(gql: GraphQLClient) -> None:
    for shape in SHAPES:
        summarized, exact = _report(gql, shape, False), _report(gql, shape, True)
        assert summarized.pop("readFrom") == "SUMMARIES", shape
        assert exact.pop("readFrom") == "RUNS", shape
        assert summarized.pop("approximate") is ("min" in shape[3]), shape
        assert exact.pop("approximate") is False
        assert exact.pop("rowsRead") == exact["totals"]["count"]
        assert summarized.pop("rowsRead") > 0 or exact["totals"]["count"] == 0
        _close(summarized, exact, str(shape))


PROCESS_AGGREGATE = (
    "count succeeded failed decided successRate failureRate countByStatus { status count } "
    f"duration {{ count mean }} queueTime {{ count mean }} statisticsSums {{ {COUNTERS} }}"
)
# (runAggregate's filter, the summary table it reads): per process and status (0016), or per
# process and every other key (0012) for a filter on a column only that one holds.
PROCESS_FILTERS = [
    (None, "run_process_statuses"),
    ("status in ('SUCCEEDED', 'FAILED', 'CANCELLED')", "run_process_statuses"),
    ("source ne 'DATAZONE' or trigger/type eq 'MANUAL'", "run_rollups"),
]


def _check_process_aggregates(gql: GraphQLClient) -> None:
    """Every process's `runAggregate` (the fast path, from a summary table) equals the exact
    report of its runs."""
    db = gql.http.app.state.db  # type: ignore[attr-defined]
    for filter, table in PROCESS_FILTERS:
        nodes = gql.data(
            "query ($f: String) { processes(first: 100) { nodes { id "
            f"runAggregate(filter: $f) {{ {PROCESS_AGGREGATE} }} }} }} }}",
            {"f": filter},
        )["processes"]["nodes"]
        assert f"FROM {table} r" in db.statements.last[0], (filter, db.statements.last[0])
        assert sum(n["runAggregate"]["count"] for n in nodes) > 0, filter
        for node in nodes:
            scope = f"process/id eq '{node['id']}'" + (f" and ({filter})" if filter else "")
            exact = gql.data(
                f"query ($f: String) {{ runStatistics(filter: $f, exact: true) {{ readFrom "
                f"totals {{ {PROCESS_AGGREGATE} }} }} }}",
                {"f": scope},
            )["runStatistics"]
            assert exact.pop("readFrom") == "RUNS"
            _close(node["runAggregate"], exact["totals"], f"{filter} {node['id']}")


def _ingest(gql: GraphQLClient, format: str, fixture: str) -> None:
    response = gql.http.post(
        f"/ingest/{format}",
        content=(FIXTURES / fixture).read_bytes(),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 200, response.text


def _writes(gql: GraphQLClient) -> None:
    """Every kind of write to runs, through the public interface."""
    process_id = create_process(gql, displayName="Summaries")
    first, second, third = (start_run(gql, process_id) for _ in range(3))
    run = finish(gql, first, "extract")
    run = finish(
        gql,
        run,
        "load",
        status="FAILED",
        blockingError={"code": "Q1", "message": "disk quota", "category": "QUOTA"},
    )
    gql.data(CANCEL_RUN, {"id": second["id"]})
    retried = gql.data(RETRY_RUN, {"id": second["id"]})["retryRun"]
    assert retried["__typename"] == "RetryRunPayload", retried
    finish(gql, third, "extract", statistics={"processed": 120, "errors": 2})
    _ingest(gql, "databricks", "databricks_runs_list.json")
    _ingest(gql, "data-factory", "data_factory_v2_pipelineruns.json")
    job = gql.data(
        "mutation ($input: CreateProcessInput!) { createProcess(input: $input) {"
        " ... on CreateProcessPayload { process { id } } } }",
        {"input": {"source": "DATABRICKS", "kind": "DATABRICKS_JOB", "sourceId": "991",
                   "displayName": "Summaries job"}},
    )["createProcess"]["process"]["id"]  # fmt: skip
    created = gql.data(
        CREATE_RUN,
        {"input": {"processId": job, "sourceStatus": "RUNNING",
                   "startDateTime": "2026-11-01T10:00:00Z", "databricks": {"jobId": 991}}},
    )["createRun"]["run"]  # fmt: skip
    updated = gql.data(UPDATE_RUN, {"id": created["id"], "input": {"status": "CANCELLED"}})
    assert updated["updateRun"]["__typename"] == "UpdateRunPayload", updated
    bulk = "mutation ($f: String) { %s(filter: $f, dryRun: false) { __typename } }"
    gql.data(
        bulk % "cancelRuns",
        {"f": "createdDateTime ge 2026-10-28T00:00:00Z and source eq 'GATEWAY'"},
    )
    gql.data(
        bulk % "deleteRuns",
        {"f": "createdDateTime ge 2026-10-29T00:00:00Z and source eq 'GATEWAY'"},
    )
    deleted = gql.data(DELETE_RUN, {"id": created["id"]})["deleteRun"]
    assert deleted["__typename"] == "DeleteRunPayload", deleted


def test_summaries_equal_the_runs_after_every_kind_of_write(gql: GraphQLClient) -> None:
    _check_every_shape(gql)
    _check_process_aggregates(gql)
    before = gql.data("{ runs { totalCount } }")["runs"]["totalCount"]
    _writes(gql)
    assert gql.data("{ runs { totalCount } }")["runs"]["totalCount"] != before
    _check_every_shape(gql)
    _check_process_aggregates(gql)


def test_a_summarized_report_is_one_statement_and_reads_no_run(gql: GraphQLClient) -> None:
    def statements(query: str) -> int:
        before = gql.statements
        assert gql.data(query)["runStatistics"]["readFrom"] in {"SUMMARIES", "RUNS"}
        return gql.statements - before

    query = "{ runStatistics(groupBy: [STATUS]) { readFrom rowsRead totals { count } } }"
    counts = statements(query)
    scan = statements(query.replace("[STATUS]", "[STATUS], exact: true"))
    days = "{ runStatistics(interval: DAY) { readFrom groups { aggregate { duration { p50 } } } } }"
    assert (counts, scan) == (1, 2)  # the summary rows; the scan's bound and its groups
    assert statements(days) == 2  # the day rows, then their histograms
    first = gql.data(query)["runStatistics"]
    process_id = create_process(gql, displayName="More of the same")
    for _ in range(5):
        start_run(gql, process_id)
    again = gql.data(query)["runStatistics"]
    assert again["totals"]["count"] == first["totals"]["count"] + 5
    assert again["rowsRead"] == first["rowsRead"] + 1  # one new key combination, not five runs


@pytest.mark.parametrize(
    "query",
    [
        "{ runStatistics(interval: HOUR) { readFrom totals { count } } }",
        "{ runStatistics(groupBy: [STATUS]) { readFrom totals { mttrMs } } }",
        "{ runStatistics { readFrom totals { firstStartDateTime } } }",
        '{ runStatistics(filter: "durations/totalMs ge 1000") { readFrom totals { count } } }',
        "{ runStatistics(filter: \"process/displayName eq 'x'\") { readFrom totals { count } } }",
        "{ runStatistics(groupBy: [STATUS]) { readFrom totals { duration { p50 } } } }",
        "{ runStatistics(groupBy: [PROCESS], interval: DAY) { readFrom totals { count } } }",
        "{ runStatistics(groupBy: [STATUS], exact: true) { readFrom totals { count } } }",
    ],
)
def test_what_the_summaries_cannot_answer_reads_the_runs(gql: GraphQLClient, query: str) -> None:
    found = gql.data(query.replace("readFrom", "readFrom approximate"))["runStatistics"]
    assert (found["readFrom"], found["approximate"]) == ("RUNS", False)
