"""The write path costs statements per batch, not per run: importing 400 runs (with their tasks
and retries) takes as many SQL statements as importing 40, when they are new and when they are
unchanged, and the lineage of the retries is linked all the same."""

from __future__ import annotations

from typing import Any

import orjson

from tests.conftest import GraphQLClient

JSON = {"content-type": "application/json"}
BASE_MS = 1_760_000_000_000
JOBS = 5


def _document(first: int, count: int) -> bytes:
    """`count` Databricks runs from id `first`, two tasks each, one in ten a retry of the one
    before it, over `JOBS` jobs."""
    runs: list[dict[str, Any]] = []
    for i in range(count):
        run_id = first + i
        retry = i % 10 == 9
        start = BASE_MS + run_id * 60_000
        runs.append(
            {
                "job_id": 100 + run_id % JOBS,
                "run_id": run_id,
                "original_attempt_run_id": run_id - 1 if retry else run_id,
                "attempt_number": 1 if retry else 0,
                "run_name": f"Job {100 + run_id % JOBS}",
                "state": {"life_cycle_state": "TERMINATED", "result_state": "SUCCESS"},
                "start_time": start,
                "end_time": start + 50_000,
                "trigger": "RETRY" if retry else "PERIODIC",
                "tasks": [
                    {
                        "run_id": run_id * 10,
                        "task_key": "ingest",
                        "state": {"life_cycle_state": "TERMINATED", "result_state": "SUCCESS"},
                        "start_time": start,
                        "end_time": start + 20_000,
                    },
                    {
                        "run_id": run_id * 10 + 1,
                        "task_key": "train",
                        "depends_on": [{"task_key": "ingest"}],
                        "state": {"life_cycle_state": "TERMINATED", "result_state": "SUCCESS"},
                        "start_time": start + 20_000,
                        "end_time": start + 50_000,
                    },
                ],
            }
        )
    return orjson.dumps({"runs": runs, "has_more": False})


def _post(gql: GraphQLClient, body: bytes) -> tuple[dict[str, Any], int]:
    before = gql.statements
    response = gql.http.post("/ingest/databricks", content=body, headers=JSON)
    assert response.status_code == 200, response.text
    summary: dict[str, Any] = response.json()
    return summary, gql.statements - before


def test_statements_per_batch_do_not_grow_with_the_runs_in_it(empty_gql: GraphQLClient) -> None:
    _post(empty_gql, _document(1_000, JOBS))  # the processes exist from here on
    small, large = _document(10_000, 40), _document(20_000, 400)
    added_small, cost_small = _post(empty_gql, small)
    added_large, cost_large = _post(empty_gql, large)
    assert (added_small["added"], added_large["added"]) == (40, 400)
    assert cost_large == cost_small <= 16
    same_small, again_small = _post(empty_gql, small)
    same_large, again_large = _post(empty_gql, large)
    assert (same_small["unchanged"], same_large["unchanged"]) == (40, 400)
    assert again_large == again_small <= 16
    data = empty_gql.data(
        "{ runs(first: 2, filter: \"sourceId eq '20009' or sourceId eq '20008'\") "
        "{ totalCount nodes { sourceId isLatestAttempt activities { totalCount } "
        "previousAttemptRun { sourceId } originalAttemptRun { sourceId } } } }"
    )["runs"]
    by_id = {run["sourceId"]: run for run in data["nodes"]}
    assert data["totalCount"] == 2
    assert by_id["20009"]["previousAttemptRun"] == {"sourceId": "20008"}
    assert by_id["20009"]["originalAttemptRun"] == {"sourceId": "20008"}
    assert by_id["20009"]["isLatestAttempt"] is True
    assert by_id["20008"]["isLatestAttempt"] is False
    assert by_id["20008"]["activities"]["totalCount"] == 2
    assert empty_gql.data("{ runs { totalCount } }")["runs"]["totalCount"] == JOBS + 440


def test_a_batch_of_a_thousand_new_runs_is_a_few_statements(empty_gql: GraphQLClient) -> None:
    """The rows of a batch go in multi-row statements: 1,000 runs and their 2,000 tasks cost a
    few statements more than 40 runs (one more per few hundred rows of a table), not one per row
    (statements run once per row by `executemany` count once per row)."""
    _post(empty_gql, _document(1_000, JOBS))
    added_small, cost_small = _post(empty_gql, _document(10_000, 40))
    added_large, cost_large = _post(empty_gql, _document(20_000, 1_000))
    assert (added_small["added"], added_large["added"]) == (40, 1_000)
    assert cost_small <= cost_large <= cost_small + 6
    same, cost_same = _post(empty_gql, _document(20_000, 1_000))
    assert same["unchanged"] == 1_000
    assert cost_same <= cost_small + 6
