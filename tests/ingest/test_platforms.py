"""Each platform's documented shapes imported over HTTP and read back through GraphQL, field by field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import GraphQLClient

FIXTURES = Path(__file__).parent / "fixtures"

RUN_FIELDS = """
  __typename id source sourceId displayName status sourceStatus createdDateTime startDateTime
  endDateTime lastModifiedDateTime attemptNumber isLatestAttempt eTag
  originalAttemptRun { sourceId } previousAttemptRun { sourceId }
  durations { queueMs setupMs executionMs cleanupMs totalMs }
  trigger { type invokedBy sourceType }
  process { source kind sourceId displayName }
  blockingError { code message category retryable target sourceCode
                  details { code message target } innerError { code message } }
  statistics { processed added updated unchanged skipped failed errors warnings
               entities { entity total active inactive } roles { role count matched }
               metrics { name value unit } }
  activities(first: 10) { nodes {
    __typename key sourceId displayName activityType sequence status sourceStatus
    startDateTime endDateTime attemptNumber dependsOn platformAttributes
    blockingError { code message category }
    statistics { processed metrics { name value unit } } } }
  ... on DataFactoryRun { tableName activityName dataSliceStart dataSliceEnd batchTime
                          percentComplete computeClusterName runGroupId hasLogs dataArtifactId }
  ... on DatabricksRun { jobId numberInJob runType creatorUserName runPageUrl stateMessage }
  ... on DataZoneRun { dataSourceId projectId runType lineageImportStatus
                       runStatisticsForAssets { added updated unchanged skipped failed } }
"""


def ingest(gql: GraphQLClient, format: str, fixture: str, **params: str) -> dict[str, Any]:
    response = gql.http.post(
        f"/ingest/{format}",
        content=(FIXTURES / fixture).read_bytes(),
        headers={"content-type": "application/json"},
        params=params,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def runs(gql: GraphQLClient, filter: str) -> dict[str, dict[str, Any]]:
    data = gql.data(
        f"query($f: String) {{ runs(filter: $f, first: 20) {{ nodes {{ {RUN_FIELDS} }} }} }}",
        {"f": filter},
    )
    return {run["sourceId"]: run for run in data["runs"]["nodes"]}


def test_data_factory_v1_sample_response_of_seed_002(empty_gql: GraphQLClient) -> None:
    summary = ingest(empty_gql, "data-factory", "data_factory_v1_sliceruns.json")
    assert summary == {
        "added": 1, "updated": 0, "unchanged": 0, "skipped": 0, "failed": 0,
        "processesAdded": 1, "failures": [],
    }  # fmt: skip
    run = runs(empty_gql, "source eq 'DATA_FACTORY'")[
        "b61bd003-8d96-4cff-a704-6d97619ff95c_000000000000000000_635852628000000000_EmpSQLTable"
    ]
    assert run["__typename"] == "DataFactoryRun"
    assert (run["status"], run["sourceStatus"]) == ("SUCCEEDED", "Succeeded")
    assert run["displayName"] == "CopyFromBlobToSQL"
    # Seven fractional digits (.NET ticks) are kept to the microsecond.
    assert run["createdDateTime"] == "2016-02-22T22:53:18.032340Z"
    assert run["startDateTime"] == "2016-02-22T22:53:18.032340Z"
    assert run["endDateTime"] == "2016-02-22T22:54:20.625442Z"
    assert run["lastModifiedDateTime"] == run["endDateTime"]
    assert run["durations"] == {
        "queueMs": 0, "setupMs": None, "executionMs": None, "cleanupMs": None, "totalMs": 62593,
    }  # fmt: skip
    assert run["trigger"] == {"type": "SCHEDULED", "invokedBy": None, "sourceType": "slice"}
    assert run["process"] == {
        "source": "DATA_FACTORY", "kind": "DATA_FACTORY_PIPELINE",
        "sourceId": "ADFTutorialPipeline", "displayName": "ADFTutorialPipeline",
    }  # fmt: skip
    assert (run["attemptNumber"], run["isLatestAttempt"]) == (1, True)
    assert run["blockingError"] is None
    assert run["tableName"] == "EmpSQLTable"
    assert run["activityName"] == "CopyFromBlobToSQL"
    assert (run["dataSliceStart"], run["dataSliceEnd"]) == (
        "2015-12-09T12:00:00Z",
        "2015-12-09T13:00:00Z",
    )
    assert run["batchTime"] == "2015-12-09T13:00:00Z"
    assert run["percentComplete"] == 100
    assert run["computeClusterName"] is None
    assert run["hasLogs"] is False
    assert run["dataArtifactId"] == "376389aa-cef0-4418-8c80-4a8f2af3a84b"
    (activity,) = run["activities"]["nodes"]
    assert activity["__typename"] == "DataFactoryActivityRun"
    assert (activity["key"], activity["activityType"]) == ("CopyFromBlobToSQL", "Copy")
    assert activity["sourceId"] == "00000000-0000-0000-0000-000000000000"
    assert (activity["status"], activity["sourceStatus"]) == ("SUCCEEDED", "Succeeded")
    assert activity["platformAttributes"] == {
        "activityId": "5d130359-17e9-b0a6-65bc-4902bd2881e8",
        "pipelineId": "c5326985-fd60-4f46-bbae-130d318759c6",
        "activityRunId": "00000000-0000-0000-0000-000000000000",
    }


def test_data_factory_v2_pipeline_runs_with_activity_runs_and_rerun_lineage(
    empty_gql: GraphQLClient,
) -> None:
    assert ingest(empty_gql, "data-factory", "data_factory_v2_pipelineruns.json")["added"] == 2
    found = runs(empty_gql, "source eq 'DATA_FACTORY'")
    rerun = found["2f7fdb90-5df1-4b8e-ac2f-064cfa58202b"]
    first = found["16ac5348-ff82-4f95-a80d-638c1d47b721"]
    assert rerun["originalAttemptRun"] == {"sourceId": first["sourceId"]}
    assert rerun["previousAttemptRun"] == {"sourceId": first["sourceId"]}
    assert (rerun["attemptNumber"], rerun["isLatestAttempt"]) == (2, True)
    assert (first["attemptNumber"], first["isLatestAttempt"]) == (1, False)
    assert first["originalAttemptRun"] == {"sourceId": first["sourceId"]}  # itself
    assert first["previousAttemptRun"] is None
    assert rerun["runGroupId"] == first["sourceId"]
    assert rerun["trigger"] == {"type": "MANUAL", "invokedBy": "Manual", "sourceType": "Manual"}
    assert first["trigger"]["type"] == "SCHEDULED"
    assert rerun["durations"]["totalMs"] == 150000
    assert rerun["startDateTime"] == "2026-10-30T10:05:00.123456Z"
    assert rerun["lastModifiedDateTime"] == "2026-10-30T10:07:31Z"
    assert rerun["blockingError"] is None
    assert first["blockingError"]["message"].startswith("Operation on target Copy sales rows")
    (copy,) = rerun["activities"]["nodes"]
    assert copy["statistics"]["processed"] == 5120
    assert {"name": "rowsCopied", "value": 5120.0, "unit": "rows"} in copy["statistics"]["metrics"]
    assert copy["platformAttributes"] == {"linkedServiceName": "SalesSql"}
    assert copy["blockingError"] is None  # an empty error object is no error
    (failed,) = first["activities"]["nodes"]
    assert failed["blockingError"] == {
        "code": "2200", "message": "ErrorCode=SqlFailedToConnect", "category": "USER",
    }  # fmt: skip


def test_databricks_runs_list_then_get(empty_gql: GraphQLClient) -> None:
    summary = ingest(empty_gql, "databricks", "databricks_runs_list.json")
    assert (summary["added"], summary["processesAdded"]) == (3, 2)
    found = runs(empty_gql, "source eq 'DATABRICKS'")
    retry, first, running = found["455645"], found["455644"], found["455700"]
    # runs/list is newest first: the retry came before its first attempt, and is linked all the same.
    assert retry["originalAttemptRun"] == {"sourceId": "455644"}
    assert retry["previousAttemptRun"] == {"sourceId": "455644"}
    assert (retry["attemptNumber"], retry["isLatestAttempt"]) == (2, True)
    assert (first["attemptNumber"], first["isLatestAttempt"]) == (1, False)
    assert retry["trigger"] == {
        "type": "RETRY", "invokedBy": "ana@fabrikam.example", "sourceType": "RETRY",
    }  # fmt: skip
    assert (retry["status"], retry["sourceStatus"]) == ("SUCCEEDED", "TERMINATED/SUCCESS")
    assert retry["createdDateTime"] == "2025-10-31T10:00:00Z"
    assert retry["endDateTime"] == "2025-10-31T10:15:00Z"
    # Multitask: the phases are 0 ("not measured"), run_duration is the total.
    assert retry["durations"] == {
        "queueMs": 1500, "setupMs": None, "executionMs": None, "cleanupMs": None,
        "totalMs": 900000,
    }  # fmt: skip
    assert (retry["jobId"], retry["numberInJob"], retry["runType"]) == (1042, 455645, "JOB_RUN")
    assert retry["creatorUserName"] == "ana@fabrikam.example"
    assert retry["runPageUrl"].endswith("/run/455645")
    assert retry["process"]["sourceId"] == "1042"
    assert retry["process"]["displayName"] == "Nightly feature build"
    ingest_task, features = retry["activities"]["nodes"]
    assert (ingest_task["key"], ingest_task["activityType"]) == ("ingest", "notebook_task")
    assert ingest_task["platformAttributes"] == {"clusterId": "0923-164208-meows279"}
    assert (features["dependsOn"], features["sourceId"]) == (["ingest"], "7002")
    assert features["startDateTime"] == "2025-10-31T10:06:41Z"
    assert (first["status"], first["sourceStatus"]) == ("FAILED", "TERMINATED/FAILED")
    assert first["blockingError"] == {
        "code": "FAILED", "message": "Task features failed with message: driver crashed.",
        "category": "UNKNOWN", "retryable": False, "target": None, "sourceCode": "FAILED",
        "details": [], "innerError": None,
    }  # fmt: skip
    assert first["stateMessage"] == "Task features failed with message: driver crashed."
    assert (running["status"], running["endDateTime"]) == ("RUNNING", None)
    assert running["durations"]["setupMs"] == 30000
    assert running["trigger"]["type"] == "MANUAL"
    before = running["eTag"]

    # runs/get of the same run, later: the newer status shape, and tasks retried inside the run.
    assert ingest(empty_gql, "databricks", "databricks_runs_get.json")["updated"] == 1
    done = runs(empty_gql, "source eq 'DATABRICKS'")["455700"]
    assert done["eTag"] != before
    assert (done["status"], done["sourceStatus"]) == (
        "PARTIALLY_SUCCEEDED",
        "TERMINATED/SUCCESS_WITH_FAILURES",
    )
    assert done["blockingError"] is None
    assert done["createdDateTime"] == running["createdDateTime"]
    tasks = {t["key"]: t for t in done["activities"]["nodes"]}
    assert set(tasks) == {"sessions#0", "sessions", "report"}
    assert tasks["sessions#0"]["blockingError"] == {
        "code": "RUN_EXECUTION_ERROR", "message": "Division by zero.", "category": "USER",
    }  # fmt: skip
    assert (tasks["sessions"]["attemptNumber"], tasks["sessions"]["status"]) == (2, "SUCCEEDED")
    assert tasks["report"]["status"] == "CANCELLED"
    assert tasks["report"]["blockingError"]["category"] == "CANCELLED"
    assert tasks["report"]["dependsOn"] == ["sessions"]


def test_datazone_runs_and_their_activities(empty_gql: GraphQLClient) -> None:
    assert ingest(empty_gql, "datazone", "datazone_runs.json")["added"] == 2
    found = runs(empty_gql, "source eq 'DATAZONE'")
    partial, failed = found["dsr-5n9w2x"], found["dsr-7k1q0z"]
    assert (partial["status"], partial["sourceStatus"]) == (
        "PARTIALLY_SUCCEEDED",
        "PARTIALLY_SUCCEEDED",
    )
    # Epoch seconds (the API's JSON) ...
    assert partial["createdDateTime"] == "2025-11-01T12:00:00Z"
    assert partial["startDateTime"] == "2025-11-01T12:00:10.250000Z"
    assert partial["lastModifiedDateTime"] == "2025-11-01T12:10:00.500000Z"
    assert partial["durations"]["queueMs"] == 10250
    assert partial["runStatisticsForAssets"] == {
        "added": 12, "updated": 30, "unchanged": 410, "skipped": 3, "failed": 2,
    }  # fmt: skip
    assert partial["statistics"]["processed"] == 457
    assert partial["trigger"] == {"type": "SCHEDULED", "invokedBy": None, "sourceType": "SCHEDULED"}
    assert (partial["dataSourceId"], partial["projectId"]) == (
        "ds-glue-sales",
        "prj-sales-analytics",
    )
    assert partial["lineageImportStatus"] == "PARTIALLY_SUCCEEDED"
    assert partial["process"]["kind"] == "DATAZONE_DATA_SOURCE"
    # ... and ISO 8601 (the CLI's output).
    assert failed["createdDateTime"] == "2026-11-01T08:00:00Z"
    assert failed["trigger"]["type"] == "MANUAL"
    assert failed["blockingError"] == {
        "code": "THROTTLING_EXCEPTION", "message": "Rate exceeded for glue:GetTables.",
        "category": "THROTTLED", "retryable": True, "target": None,
        "sourceCode": "THROTTLING_EXCEPTION", "details": [], "innerError": None,
    }  # fmt: skip

    assert ingest(empty_gql, "datazone", "datazone_activities.json")["added"] == 2
    assets = runs(empty_gql, "source eq 'DATAZONE'")["dsr-5n9w2x"]["activities"]["nodes"]
    orders, refunds = assets
    assert (orders["key"], orders["displayName"]) == ("asset-orders", "orders")
    assert (orders["status"], orders["sourceStatus"]) == ("SUCCEEDED", "SUCCEEDED_CREATED")
    assert orders["platformAttributes"] == {
        "database": "sales", "technicalName": "orders", "dataAssetId": "asset-orders",
        "lineageImportStatus": "SUCCESS",
    }  # fmt: skip
    assert (refunds["status"], refunds["sequence"]) == ("FAILED", 1)
    assert refunds["blockingError"]["category"] == "VALIDATION"
    # The runs again (their list has no activities): the activities stay, nothing changes.
    assert ingest(empty_gql, "datazone", "datazone_runs.json")["unchanged"] == 2
    assert ingest(empty_gql, "datazone", "datazone_activities.json")["unchanged"] == 2


def test_industry_data_runs_list(empty_gql: GraphQLClient) -> None:
    assert ingest(empty_gql, "industry-data", "industry_data_runs.json")["added"] == 3
    found = runs(empty_gql, "source eq 'INDUSTRY_DATA'")
    warned = found["c9e3bd6a-3a3f-4a54-a0a2-3a1c1e7c2d01"]
    assert warned["__typename"] == "IndustryDataRun"
    assert (warned["status"], warned["sourceStatus"]) == (
        "SUCCEEDED_WITH_WARNINGS",
        "completedWithWarnings",
    )
    assert warned["displayName"] == "Run 2026-10-31 00:00"
    assert warned["startDateTime"] == "2026-10-31T00:00:03.250000Z"
    assert warned["durations"]["totalMs"] == 2466750
    assert warned["process"] == {
        "source": "INDUSTRY_DATA", "kind": "INBOUND_FLOW", "sourceId": "industryDataRuns",
        "displayName": "Industry data runs",
    }  # fmt: skip
    stats = warned["statistics"]
    assert (stats["errors"], stats["warnings"]) == (0, 17)
    assert stats["entities"] == [
        {"entity": "people", "total": 2000, "active": 1980, "inactive": 20}
    ]
    assert stats["roles"] == [
        {"role": "student", "count": 1920, "matched": True},
        {"role": "teacher", "count": 70, "matched": True},
        {"role": "guardian", "count": 10, "matched": False},
    ]
    assert {m["name"]: m["value"] for m in stats["metrics"]} == {
        "groups": 120.0,
        "memberships": 5400.0,
    }
    inbound, outbound = warned["activities"]["nodes"]
    assert (inbound["__typename"], inbound["key"], inbound["sourceId"]) == (
        "InboundFlowActivity",
        "flow-roster",
        "a-1",
    )
    assert inbound["status"] == "SUCCEEDED_WITH_WARNINGS"
    assert (outbound["__typename"], outbound["displayName"]) == (
        "OutboundFlowActivity",
        "Provision to Entra ID",
    )
    failed = found["f01d5f8e-8a8c-4f0e-9a0c-6d2e1b9c2d02"]
    assert failed["status"] == "FAILED"
    assert failed["blockingError"] == {
        "code": "runCanceledBySystem", "message": "Run canceled by the system.",
        "category": "UNKNOWN", "retryable": False, "target": "inboundFlow/flow-roster",
        "sourceCode": None,
        "details": [{"code": "sourceUnavailable", "message": "The SFTP source did not answer.",
                     "target": "flow-roster"}],
        "innerError": {"code": "timeout", "message": "No answer in 120 s."},
    }  # fmt: skip
    running = found["77aa0000-0000-4000-8000-000000000003"]
    assert (running["status"], running["endDateTime"], running["isLatestAttempt"]) == (
        "RUNNING",
        None,
        True,
    )
