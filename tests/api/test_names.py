"""One name per concept: the status before and after a change is `fromStatus`/`toStatus`, numbers
over a set of runs are a `RunAggregate` (`aggregate`, `runAggregate`), and `statistics` is what a
run processed. The old names still answer, deprecated, with the same values."""

from __future__ import annotations

from typing import Any

from tests.conftest import GraphQLClient

FIELDS = """query ($t: String!) {
  __type(name: $t) { fields(includeDeprecated: true) { name isDeprecated deprecationReason } }
}"""


def _fields(gql: GraphQLClient, type_name: str) -> dict[str, dict[str, Any]]:
    found = gql.data(FIELDS, {"t": type_name})["__type"]["fields"]
    return {f["name"]: f for f in found}


def test_each_old_name_is_deprecated_for_its_new_one(gql: GraphQLClient) -> None:
    renamed = {
        "InvalidTransitionError": {"from": "fromStatus", "to": "toStatus"},
        "RunChange": {"previousStatus": "fromStatus", "status": "toStatus"},
        "RunStatisticsGroup": {"statistics": "aggregate"},
        "Process": {"statistics": "runAggregate"},
    }
    for type_name, names in renamed.items():
        fields = _fields(gql, type_name)
        for old, new in names.items():
            assert fields[old]["isDeprecated"], (type_name, old)
            assert f"`{new}`" in fields[old]["deprecationReason"], (type_name, old)
            assert not fields[new]["isDeprecated"], (type_name, new)
    assert "fromStatus" in _fields(gql, "RunEvent")  # the name all three now share


def test_old_and_new_names_answer_alike(gql: GraphQLClient) -> None:
    run = gql.data("{ runs(first: 1, filter: \"status eq 'SUCCEEDED'\") { nodes { id } } }")
    run_id = run["runs"]["nodes"][0]["id"]
    refused = gql.data(
        "mutation ($id: ID!) { updateRun(id: $id, input: {status: RUNNING}) { "
        "... on InvalidTransitionError { fromStatus toStatus from to } } }",
        {"id": run_id},
    )["updateRun"]
    assert (refused["fromStatus"], refused["toStatus"]) == ("SUCCEEDED", "RUNNING")
    assert (refused["from"], refused["to"]) == (refused["fromStatus"], refused["toStatus"])

    changes = gql.data(
        "{ runChanges(first: 50) { changes { fromStatus toStatus previousStatus status } } }"
    )["runChanges"]["changes"]
    assert changes
    for change in changes:
        assert (change["previousStatus"], change["status"]) == (
            change["fromStatus"],
            change["toStatus"],
        )

    process = gql.data(
        "{ processes(first: 3) { nodes { runAggregate { count } statistics { count } } } }"
    )["processes"]["nodes"]
    assert any(p["runAggregate"]["count"] for p in process)
    assert all(p["runAggregate"] == p["statistics"] for p in process)
    groups = gql.data(
        "{ runStatistics(groupBy: [SOURCE]) { groups { aggregate { count } statistics { count } } } }"
    )["runStatistics"]["groups"]
    assert groups and all(g["aggregate"] == g["statistics"] for g in groups)
