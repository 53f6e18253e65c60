"""What the demo data set is made of: workspaces, processes and sample platform values."""

from __future__ import annotations

from gateway.domain.models import ActivityDefinition
from gateway.domain.run_errors import (
    DATABRICKS_ERROR_CATEGORIES,
    DATAZONE_ERROR_CATEGORIES,
    ErrorCategory,
    RunError,
    platform_error,
)
from gateway.domain.sources import ActivityKind, ProcessKind, Source
from gateway.domain.status import RunStatus

S = RunStatus
K = ActivityKind

# id, display name, source of the workspace
WORKSPACES = (
    ("ws_0DEM0C0NT0S000000000000000", "Contoso (Graph tenant and Data Factory)", None),
    ("ws_0DEM0FABR1KAM0000000000000", "Fabrikam (Databricks and DataZone)", None),
)


def _defs(*items: tuple[str, str, ActivityKind, str | None]) -> tuple[ActivityDefinition, ...]:
    out = []
    previous: str | None = None
    for key, name, kind, activity_type in items:
        out.append(
            ActivityDefinition(
                key=key,
                display_name=name,
                kind=kind,
                activity_type=activity_type,
                depends_on=(previous,) if previous else (),
            )
        )
        previous = key
    return tuple(out)


# workspace index, source, kind, source id, display name, schedule, definitions, runs per day
PROCESSES = (
    (
        0,
        Source.INDUSTRY_DATA,
        ProcessKind.INBOUND_FLOW,
        "sis-roster-inbound",
        "Nightly SIS import",
        "0 */12 * * *",
        _defs(
            ("roster", "SIS roster (OneRoster)", K.INBOUND_FLOW, "oneRosterApi"),
            ("staff", "HR staff", K.INBOUND_FLOW, "csv"),
            ("provisioning", "Provision to Entra ID", K.OUTBOUND_FLOW, "provisioning"),
        ),
        2,
    ),
    (
        0,
        Source.DATA_FACTORY,
        ProcessKind.DATA_FACTORY_PIPELINE,
        "CopySalesToWarehouse",
        "Copy sales to warehouse",
        "15 * * * *",
        _defs(
            ("lookup", "Look up watermark", K.DATA_FACTORY_ACTIVITY, "Lookup"),
            ("copy", "Copy sales rows", K.DATA_FACTORY_ACTIVITY, "Copy"),
            ("merge", "Merge into warehouse", K.DATA_FACTORY_ACTIVITY, "SqlServerStoredProcedure"),
        ),
        24,
    ),
    (
        0,
        Source.DATA_FACTORY,
        ProcessKind.DATA_FACTORY_PIPELINE,
        "ADFTutorialPipeline",
        "EmpSQLTable slices",
        "0 * * * *",
        _defs(("copy", "CopyFromBlobToSQL", K.DATA_FACTORY_ACTIVITY, "Copy")),
        12,
    ),
    (
        1,
        Source.DATABRICKS,
        ProcessKind.DATABRICKS_JOB,
        "1042",
        "Nightly feature build",
        "0 2 * * *",
        _defs(
            ("ingest", "Ingest events", K.DATABRICKS_TASK, "notebook_task"),
            ("features", "Build features", K.DATABRICKS_TASK, "spark_python_task"),
            ("train", "Train model", K.DATABRICKS_TASK, "notebook_task"),
            ("publish", "Publish scores", K.DATABRICKS_TASK, "sql_task"),
        ),
        3,
    ),
    (
        1,
        Source.DATABRICKS,
        ProcessKind.DATABRICKS_JOB,
        "2077",
        "Hourly sessionization",
        "5 * * * *",
        _defs(("sessionize", "Sessionize clicks", K.DATABRICKS_TASK, "spark_jar_task")),
        20,
    ),
    (
        1,
        Source.DATAZONE,
        ProcessKind.DATAZONE_DATA_SOURCE,
        "ds-glue-sales",
        "Glue sales catalog",
        "30 6 * * *",
        _defs(
            ("orders", "sales.orders", K.DATAZONE_ASSET, "GlueTable"),
            ("customers", "sales.customers", K.DATAZONE_ASSET, "GlueTable"),
            ("returns", "sales.returns", K.DATAZONE_ASSET, "GlueTable"),
        ),
        4,
    ),
    (
        1,
        Source.GATEWAY,
        ProcessKind.GATEWAY_PROCESS,
        "quarterly-export",
        "Quarterly finance export",
        None,
        _defs(
            ("extract", "Extract ledger", K.GATEWAY_ACTIVITY, "sql"),
            ("package", "Package files", K.GATEWAY_ACTIVITY, "python"),
        ),
        4,
    ),
)

# A verbatim platform value for each status a platform reports.
RUN_SOURCE_STATUSES: dict[Source, dict[RunStatus, str]] = {
    Source.INDUSTRY_DATA: {
        S.RUNNING: "running",
        S.SUCCEEDED: "completed",
        S.SUCCEEDED_WITH_WARNINGS: "completedWithWarnings",
        S.PARTIALLY_SUCCEEDED: "completedWithErrors",
        S.FAILED: "failed",
        S.UNKNOWN: "unknownFutureValue",
    },
    Source.DATA_FACTORY: {
        S.PENDING: "PendingExecution",
        S.QUEUED: "Queued",
        S.RUNNING: "InProgress",
        S.WAITING: "Retry",
        S.CANCELLING: "Canceling",
        S.SUCCEEDED: "Succeeded",
        S.FAILED: "Failed",
        S.CANCELLED: "Cancelled",
        S.TIMED_OUT: "Timed Out",
        S.SKIPPED: "Skip",
    },
    Source.DATABRICKS: {
        S.QUEUED: "QUEUED",
        S.STARTING: "PENDING",
        S.RUNNING: "RUNNING",
        S.WAITING: "WAITING_FOR_RETRY",
        S.CANCELLING: "TERMINATING/USER_CANCELED",
        S.FINALIZING: "TERMINATING",
        S.SUCCEEDED: "TERMINATED/SUCCESS",
        S.PARTIALLY_SUCCEEDED: "TERMINATED/SUCCESS_WITH_FAILURES",
        S.FAILED: "TERMINATED/FAILED",
        S.CANCELLED: "TERMINATED/CANCELED",
        S.TIMED_OUT: "TERMINATED/TIMEDOUT",
        S.SKIPPED: "SKIPPED",
        S.UNKNOWN: "TERMINATED/NEW_RESULT_STATE",
    },
    Source.DATAZONE: {
        S.PENDING: "REQUESTED",
        S.RUNNING: "RUNNING",
        S.SUCCEEDED: "SUCCESS",
        S.PARTIALLY_SUCCEEDED: "PARTIALLY_SUCCEEDED",
        S.FAILED: "FAILED",
        S.UNKNOWN: "ABANDONED",
    },
    Source.GATEWAY: {status: status.value for status in RunStatus},
}

ACTIVITY_SOURCE_STATUSES: dict[ActivityKind, dict[RunStatus, str]] = {
    K.INBOUND_FLOW: {
        S.RUNNING: "inProgress",
        S.SUCCEEDED: "completed",
        S.SUCCEEDED_WITH_WARNINGS: "completedWithWarnings",
        S.PARTIALLY_SUCCEEDED: "completedWithErrors",
        S.FAILED: "failed",
        S.SKIPPED: "skipped",
    },
    K.DATA_FACTORY_ACTIVITY: RUN_SOURCE_STATUSES[Source.DATA_FACTORY],
    K.DATABRICKS_TASK: RUN_SOURCE_STATUSES[Source.DATABRICKS],
    K.DATAZONE_ASSET: {
        S.SUCCEEDED: "SUCCEEDED_CREATED",
        S.FAILED: "FAILED",
        S.SKIPPED: "SKIPPED_ALREADY_IMPORTED",
    },
}
ACTIVITY_SOURCE_STATUSES[K.OUTBOUND_FLOW] = ACTIVITY_SOURCE_STATUSES[K.INBOUND_FLOW]


def blocking_error(source: Source, pick: int) -> RunError:
    """A realistic blocking error of a platform; `pick` chooses among a few."""
    if source is Source.DATABRICKS:
        code = (
            "DRIVER_ERROR",
            "CLUSTER_ERROR",
            "RUN_EXECUTION_ERROR",
            "MAX_CONCURRENT_RUNS_EXCEEDED",
        )[pick % 4]
        return platform_error(DATABRICKS_ERROR_CATEGORIES, code, f"Task failed: {code.lower()}.")
    if source is Source.DATAZONE:
        code = ("THROTTLING_EXCEPTION", "ACCESS_DENIED_EXCEPTION", "VALIDATION_EXCEPTION")[pick % 3]
        return platform_error(DATAZONE_ERROR_CATEGORIES, code, f"Glue crawler: {code.lower()}.")
    if source is Source.DATA_FACTORY:
        return RunError(
            code="2200",
            message="ErrorCode=SqlFailedToConnect: cannot connect to the SQL database.",
            category=ErrorCategory.UPSTREAM,
            retryable=True,
        )
    if source is Source.INDUSTRY_DATA:
        return RunError(
            code="runCanceledBySystem",
            message="Run canceled by the system.",
            category=ErrorCategory.INTERNAL,
            retryable=True,
        )
    return RunError(
        code="QuotaExceeded",
        message="The export quota for this quarter is used up.",
        category=ErrorCategory.QUOTA,
    )
