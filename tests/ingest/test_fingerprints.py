"""Unchanged by digest: a run written from a platform record keeps the digest of that record
(`runs.source_hash`); the same record again is unchanged without being mapped and compared, and
any other write of the run makes the next import compare (and overwrite) it again."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from gateway.platforms.base import fingerprint, parse_record
from gateway.platforms.data_factory.mapping import parse as parse_data_factory
from gateway.platforms.databricks.mapping import parse as parse_databricks
from tests.conftest import GraphQLClient

JSON = {"content-type": "application/json"}
START = 1_760_000_000_000


def _run(run_id: int, *, name: str = "Nightly", result: str = "SUCCESS") -> dict[str, Any]:
    return {
        "job_id": 7,
        "run_id": run_id,
        "run_name": name,
        "state": {"life_cycle_state": "TERMINATED", "result_state": result},
        "start_time": START + run_id,
        "end_time": START + run_id + 60_000,
        "tasks": [
            {
                "run_id": run_id * 10,
                "task_key": "ingest",
                "state": {"life_cycle_state": "TERMINATED", "result_state": result},
                "start_time": START + run_id,
                "end_time": START + run_id + 60_000,
            }
        ],
    }


def _post(
    gql: GraphQLClient, *runs: dict[str, Any], status: int = 200
) -> tuple[dict[str, Any], int]:
    before = gql.statements
    response = gql.http.post(
        "/ingest/databricks", content=orjson.dumps({"runs": list(runs)}), headers=JSON
    )
    assert response.status_code == status, response.text
    summary: dict[str, Any] = response.json()
    return summary, gql.statements - before


def _outcome(summary: dict[str, Any]) -> tuple[int, int, int]:
    return summary["added"], summary["updated"], summary["unchanged"]


def _node(gql: GraphQLClient, source_id: str) -> dict[str, Any]:
    data = gql.data(
        "query ($f: String!) { runs(first: 1, filter: $f) { nodes { id displayName status "
        "eTag activities { nodes { sourceStatus } } } } }",
        {"f": f"sourceId eq '{source_id}'"},
    )
    (node,) = data["runs"]["nodes"]
    node_: dict[str, Any] = node
    return node_


def test_the_digest_is_of_the_record_and_of_the_mapping() -> None:
    record = _run(1)
    same = orjson.loads(orjson.dumps(record))
    assert fingerprint(parse_databricks, record) == fingerprint(parse_databricks, same)
    assert fingerprint(parse_databricks, record) != fingerprint(parse_databricks, _run(2))
    # Another platform's mapping reads the same JSON as something else.
    assert fingerprint(parse_databricks, record) != fingerprint(parse_data_factory, record)
    assert fingerprint(parse_databricks, {"run_id": object()}) is None  # not JSON: no digest
    parsed = parse_record(parse_databricks, record)
    assert getattr(parsed, "fingerprint", None) == fingerprint(parse_databricks, record)


def _reads(gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The statements that read whole runs or activities, as the store runs them from now on."""
    counter = gql.http.app.state.db.statements  # type: ignore[attr-defined]
    seen: list[str] = []
    counted = counter.add

    def add(sql: str, params: Any) -> None:
        if sql.startswith(("SELECT * FROM runs", "SELECT * FROM activities")):
            seen.append(sql.split(" WHERE ")[0])
        counted(sql, params)

    monkeypatch.setattr(counter, "add", add)
    return seen


def test_the_same_records_again_read_neither_the_runs_nor_their_activities(
    empty_gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = [_run(i) for i in range(1, 6)]
    assert _outcome(_post(empty_gql, *runs)[0]) == (5, 0, 0)
    reads = _reads(empty_gql, monkeypatch)
    again, statements = _post(empty_gql, *runs)
    assert _outcome(again) == (0, 0, 5)
    assert reads == []
    # One changed record among unchanged ones: it alone is read back (its row, its activities).
    changed, _ = _post(empty_gql, *runs[:4], _run(5, result="FAILED"))
    assert _outcome(changed) == (0, 1, 4)
    assert reads == ["SELECT * FROM runs", "SELECT * FROM activities"]
    assert _node(empty_gql, "5")["status"] == "FAILED"
    # And that record again is unchanged as the others, for the same statements.
    assert _post(empty_gql, *runs[:4], _run(5, result="FAILED")) == (again, statements)


def test_a_run_changed_by_another_writer_is_compared_and_brought_back(
    empty_gql: GraphQLClient,
) -> None:
    record = _run(1, name="Nightly")
    assert _outcome(_post(empty_gql, record)[0]) == (1, 0, 0)
    run = _node(empty_gql, "1")
    renamed = empty_gql.data(
        'mutation ($id: ID!) { updateRun(id: $id, input: {displayName: "renamed"}) '
        "{ __typename ... on UpdateRunPayload { run { displayName eTag } } } }",
        {"id": run["id"]},
    )["updateRun"]
    assert renamed["run"]["displayName"] == "renamed"
    # The digest vouched for what the import wrote, not for the rename: the record is compared
    # again, differs from the stored run, and wins (as every import did before digests).
    summary, _ = _post(empty_gql, record)
    assert _outcome(summary) == (0, 1, 0)
    back = _node(empty_gql, "1")
    assert back["displayName"] == "Nightly" and back["eTag"] != renamed["run"]["eTag"]
    assert _outcome(_post(empty_gql, record)[0]) == (0, 0, 1)


def test_a_record_twice_in_one_batch_is_compared_the_second_time(
    empty_gql: GraphQLClient,
) -> None:
    first, later = _run(1), _run(1, result="FAILED")
    assert _outcome(_post(empty_gql, first)[0]) == (1, 0, 0)
    summary, _ = _post(empty_gql, first, later)
    assert _outcome(summary) == (0, 1, 1)
    assert _node(empty_gql, "1")["status"] == "FAILED"


def test_a_record_that_does_not_map_fails_at_its_place_and_alone(empty_gql: GraphQLClient) -> None:
    bad = _run(2)
    del bad["state"]  # its identity reads; the run itself does not map
    summary, _ = _post(empty_gql, _run(1), bad, _run(3), status=422)
    assert _outcome(summary) == (2, 0, 0) and summary["failed"] == 1
    assert summary["failures"] == [
        {"position": "record 2", "message": "state: is required (or status, in the newer shape)."}
    ]
    # Again, the good ones are unchanged by their digests and the bad one fails the same way.
    again, _ = _post(empty_gql, _run(1), bad, _run(3), status=422)
    assert _outcome(again) == (0, 0, 2) and again["failures"] == summary["failures"]


def test_batches_after_the_first_add_compare_and_fail_records_as_the_first_does(
    empty_gql: GraphQLClient,
) -> None:
    """An import of three batches (BATCH_SIZE runs each, one transaction each, the next parsed
    while one commits) with a record the mapping refuses in the second: every other run added
    once; the same again unchanged by digest; all renamed, all updated; the refused record fails
    each time at its own position, with the mapping's own message."""
    count, broken = 2_100, 1_500  # three batches; the broken record in the second
    runs = [_run(i) for i in range(1, count + 1)]
    del runs[broken - 1]["state"]  # neither state nor status: the mapping refuses it

    def post(records: list[dict[str, Any]]) -> tuple[tuple[int, int, int], list[Any]]:
        summary, _ = _post(empty_gql, *records, status=422)  # 422: a record failed
        return _outcome(summary), summary["failures"]

    failure = [
        {
            "position": f"record {broken}",
            "message": "state: is required (or status, in the newer shape).",
        }
    ]
    assert post(runs) == ((count - 1, 0, 0), failure)
    assert post(runs) == ((0, 0, count - 1), failure)
    renamed = [{**run, "run_name": "Renamed"} for run in runs]
    assert post(renamed) == ((0, count - 1, 0), failure)
    total = empty_gql.data("{ runs(filter: \"displayName eq 'Renamed'\") { totalCount } }")
    assert total["runs"]["totalCount"] == count - 1
