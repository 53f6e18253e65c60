"""The platforms' 64-bit numbers past GraphQL's 32-bit Int: a Databricks `job_id` (and a run's
`number_in_job`, the same as its `run_id`) is often 16 digits, and a run's record counters pass
2^31 on a big table. They are the `SafeInt` scalar, a JSON integer exact up to 2^53 - 1: read
through the compiled list and through the general executor (`node`), filtered by `where`, written
by `createRun`, and refused past 2^53 - 1 with a typed error. Runs on both engines."""

from __future__ import annotations

from pathlib import Path

from tests.api.test_mutations import _job
from tests.conftest import GraphQLClient

FIXTURE = Path(__file__).parents[2] / "ingest" / "fixtures" / "databricks_runs_list.json"
JOB_ID = 1_027_123_456_789_012  # the size of a real Databricks job id
NUMBER_IN_JOB = 998_877_665_544_332
RECORDS = 3_000_000_000  # past 2^31 - 1 (2,147,483,647)

FIELDS = "id ... on DatabricksRun { jobId numberInJob }"
LIST = "query ($where: RunWhere) { runs(where: $where) { totalCount nodes { " + FIELDS + " } } }"
NODE = "query ($id: ID!) { node(id: $id) { " + FIELDS + " } }"


def test_a_16_digit_job_id_is_read_listed_and_filtered(gql: GraphQLClient) -> None:
    text = FIXTURE.read_text().replace('"job_id": 1042', f'"job_id": {JOB_ID}')
    text = text.replace('"number_in_job": 455645', f'"number_in_job": {NUMBER_IN_JOB}')
    response = gql.http.post(
        "/ingest/databricks", content=text.encode(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 200, response.text

    listed = gql.data(
        LIST,
        {"where": {"jobId": {"eq": JOB_ID}}},
    )["runs"]
    assert listed["totalCount"] >= 1
    assert {node["jobId"] for node in listed["nodes"]} == {JOB_ID}
    (mine,) = [node for node in listed["nodes"] if node["numberInJob"] == NUMBER_IN_JOB]

    # The general executor (not the compiled list) serializes it too.
    found = gql.data(NODE, {"id": mine["id"]})
    assert found["node"] == mine
    inline = gql.data(f"{{ runs(where: {{jobId: {{in: [{JOB_ID}]}}}}) {{ totalCount }} }}")
    assert inline["runs"]["totalCount"] == listed["totalCount"]


def test_counters_past_2_to_the_31_are_written_and_read(empty_gql: GraphQLClient) -> None:
    process = _job(empty_gql)
    created = empty_gql.data(
        "mutation ($input: CreateRunInput!) { createRun(input: $input) { __typename"
        " ... on CreateRunPayload { run { id statistics { processed added } } } } }",
        {
            "input": {
                "processId": process["id"],
                "sourceStatus": "TERMINATED/SUCCESS",
                "statistics": {"processed": RECORDS, "added": RECORDS - 1},
                "databricks": {"jobId": JOB_ID},
            }
        },
    )["createRun"]
    assert created["__typename"] == "CreateRunPayload", created
    assert created["run"]["statistics"] == {"processed": RECORDS, "added": RECORDS - 1}
    read = empty_gql.data(
        "query ($id: ID!) { node(id: $id) {"
        " ... on Run { statistics { processed } } ... on DatabricksRun { jobId } } }",
        {"id": created["run"]["id"]},
    )
    assert read["node"] == {"statistics": {"processed": RECORDS}, "jobId": JOB_ID}
    where = {"statistics": {"processed": {"gt": RECORDS - 1}}}
    matched = empty_gql.data(
        "query ($where: RunWhere) { runs(where: $where) { totalCount } }", {"where": where}
    )
    assert matched["runs"]["totalCount"] == 1


def test_a_number_past_2_to_the_53_is_a_typed_input_error(empty_gql: GraphQLClient) -> None:
    body = empty_gql(
        "query ($where: RunWhere) { runs(where: $where) { totalCount } }",
        {"where": {"jobId": {"eq": 2**53}}},
    )
    (error,) = body["errors"]
    assert "SafeInt must be within" in error["message"] and "2^53 - 1" in error["message"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"  # a variable's value
