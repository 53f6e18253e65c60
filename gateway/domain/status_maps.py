"""Every platform's status values, mapped to the unified `RunStatus`.

The tables follow the research's §a.3 (values verbatim) and §a.4 (the mapping). Look-ups ignore case,
spaces and underscores, so ADF's "Timed Out" and "TimedOut" are one value. Anything not in a table
maps to `RunStatus.UNKNOWN`; the caller keeps the raw value as `sourceStatus`.

Databricks reports two values (`state.life_cycle_state` and `state.result_state`, or the newer
`status.state` and `status.termination_details.code`); its source status is written
`"LIFE_CYCLE"` or `"LIFE_CYCLE/RESULT"`, for example `"TERMINATED/SUCCESS_WITH_FAILURES"`.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Mapping

from gateway.domain.status import ReadinessStatus, RunStatus

S = RunStatus


class Vocabulary(enum.Enum):
    """A platform's set of status values."""

    INDUSTRY_DATA_RUN = "INDUSTRY_DATA_RUN"
    INDUSTRY_DATA_ACTIVITY = "INDUSTRY_DATA_ACTIVITY"
    DATA_FACTORY_SLICE = "DATA_FACTORY_SLICE"
    DATA_FACTORY_PIPELINE = "DATA_FACTORY_PIPELINE"
    DATABRICKS = "DATABRICKS"
    DATAZONE_RUN = "DATAZONE_RUN"
    DATAZONE_ASSET = "DATAZONE_ASSET"
    DATAZONE_LINEAGE = "DATAZONE_LINEAGE"
    DAGSTER_RUN = "DAGSTER_RUN"
    DAGSTER_STEP = "DAGSTER_STEP"
    AIRFLOW = "AIRFLOW"
    MLFLOW = "MLFLOW"
    GATEWAY = "GATEWAY"


def _key(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", value.lower())


def _table(pairs: Mapping[str, RunStatus]) -> dict[str, RunStatus]:
    return {_key(name): status for name, status in pairs.items()}


_GRAPH_COMMON = {
    "failed": S.FAILED,  # "Run canceled by the system"
    "completed": S.SUCCEEDED,
    "completedWithErrors": S.PARTIALLY_SUCCEEDED,
    "completedWithWarnings": S.SUCCEEDED_WITH_WARNINGS,
    "unknownFutureValue": S.UNKNOWN,
}

# Databricks: life-cycle states alone, then result states and termination codes for TERMINATED.
_DATABRICKS_LIFE_CYCLE = _table(
    {
        "QUEUED": S.QUEUED,
        "PENDING": S.STARTING,  # the cluster is being set up
        "RUNNING": S.RUNNING,
        "TERMINATING": S.FINALIZING,
        "TERMINATED": S.UNKNOWN,  # decided by the result below
        "SKIPPED": S.SKIPPED,
        "INTERNAL_ERROR": S.FAILED,
        "BLOCKED": S.WAITING,
        "WAITING": S.WAITING,
        "WAITING_FOR_RETRY": S.WAITING,
    }
)
_DATABRICKS_RESULT = _table(
    {
        # state.result_state
        "SUCCESS": S.SUCCEEDED,
        "FAILED": S.FAILED,
        "TIMEDOUT": S.TIMED_OUT,
        "CANCELED": S.CANCELLED,
        "MAXIMUM_CONCURRENT_RUNS_REACHED": S.SKIPPED,
        "EXCLUDED": S.SKIPPED,
        "SUCCESS_WITH_FAILURES": S.PARTIALLY_SUCCEEDED,
        "UPSTREAM_FAILED": S.SKIPPED,
        "UPSTREAM_CANCELED": S.SKIPPED,
        "DISABLED": S.SKIPPED,
        # status.termination_details.code
        "USER_CANCELED": S.CANCELLED,
        "SKIPPED": S.SKIPPED,
        "INTERNAL_ERROR": S.FAILED,
        "DRIVER_ERROR": S.FAILED,
        "CLUSTER_ERROR": S.FAILED,
        "REPOSITORY_CHECKOUT_FAILED": S.FAILED,
        "INVALID_CLUSTER_REQUEST": S.FAILED,
        "WORKSPACE_RUN_LIMIT_EXCEEDED": S.FAILED,
        "FEATURE_DISABLED": S.FAILED,
        "CLUSTER_REQUEST_LIMIT_EXCEEDED": S.FAILED,
        "STORAGE_ACCESS_ERROR": S.FAILED,
        "RUN_EXECUTION_ERROR": S.FAILED,
        "UNAUTHORIZED_ERROR": S.FAILED,
        "LIBRARY_INSTALLATION_ERROR": S.FAILED,
        "MAX_CONCURRENT_RUNS_EXCEEDED": S.FAILED,
        "MAX_SPARK_CONTEXTS_EXCEEDED": S.FAILED,
        "RESOURCE_NOT_FOUND": S.FAILED,
        "INVALID_RUN_CONFIGURATION": S.FAILED,
        "CLOUD_FAILURE": S.FAILED,
        "MAX_JOB_QUEUE_SIZE_EXCEEDED": S.FAILED,
        "BUDGET_POLICY_LIMIT_EXCEEDED": S.FAILED,
        "BREAKING_CHANGE": S.FAILED,
    }
)
_CANCEL_CODES = frozenset({_key("USER_CANCELED"), _key("CANCELED")})

STATUS_MAPS: dict[Vocabulary, dict[str, RunStatus]] = {
    Vocabulary.INDUSTRY_DATA_RUN: _table({"running": S.RUNNING, **_GRAPH_COMMON}),
    Vocabulary.INDUSTRY_DATA_ACTIVITY: _table(
        {"inProgress": S.RUNNING, "skipped": S.SKIPPED, **_GRAPH_COMMON}
    ),
    Vocabulary.DATA_FACTORY_SLICE: _table(
        {
            "PendingExecution": S.PENDING,
            "PendingValidation": S.PENDING,
            "Waiting": S.PENDING,
            "InProgress": S.RUNNING,
            "Retry": S.WAITING,
            "Retry Validation": S.WAITING,
            "Ready": S.SUCCEEDED,
            "Succeeded": S.SUCCEEDED,  # the slice-run sample's value
            "Failed": S.FAILED,
            "Failed Validation": S.FAILED,
            "Timed Out": S.TIMED_OUT,
            "Skip": S.SKIPPED,
        }
    ),
    Vocabulary.DATA_FACTORY_PIPELINE: _table(
        {
            "Queued": S.QUEUED,
            "InProgress": S.RUNNING,
            "Canceling": S.CANCELLING,
            "Succeeded": S.SUCCEEDED,
            "Failed": S.FAILED,
            "Cancelled": S.CANCELLED,
        }
    ),
    Vocabulary.DATABRICKS: _DATABRICKS_LIFE_CYCLE,
    Vocabulary.DATAZONE_RUN: _table(
        {
            "REQUESTED": S.PENDING,
            "RUNNING": S.RUNNING,
            "FAILED": S.FAILED,
            "PARTIALLY_SUCCEEDED": S.PARTIALLY_SUCCEEDED,
            "SUCCESS": S.SUCCEEDED,
        }
    ),
    Vocabulary.DATAZONE_ASSET: _table(
        {
            "FAILED": S.FAILED,
            "PUBLISHING_FAILED": S.FAILED,
            "SUCCEEDED_CREATED": S.SUCCEEDED,
            "SUCCEEDED_UPDATED": S.SUCCEEDED,
            "UNCHANGED": S.SUCCEEDED,
            "SKIPPED_ALREADY_IMPORTED": S.SKIPPED,
            "SKIPPED_ARCHIVED": S.SKIPPED,
            "SKIPPED_NO_ACCESS": S.SKIPPED,
        }
    ),
    Vocabulary.DATAZONE_LINEAGE: _table(
        {
            "IN_PROGRESS": S.RUNNING,
            "SUCCESS": S.SUCCEEDED,
            "FAILED": S.FAILED,
            "PARTIALLY_SUCCEEDED": S.PARTIALLY_SUCCEEDED,
        }
    ),
    Vocabulary.DAGSTER_RUN: _table(
        {
            "QUEUED": S.QUEUED,
            "NOT_STARTED": S.PENDING,
            "MANAGED": S.UNKNOWN,  # controlled by an external control plane
            "STARTING": S.STARTING,
            "STARTED": S.RUNNING,
            "SUCCESS": S.SUCCEEDED,
            "FAILURE": S.FAILED,
            "CANCELING": S.CANCELLING,
            "CANCELED": S.CANCELLED,
        }
    ),
    Vocabulary.DAGSTER_STEP: _table(
        {
            "SKIPPED": S.SKIPPED,
            "SUCCESS": S.SUCCEEDED,
            "FAILURE": S.FAILED,
            "IN_PROGRESS": S.RUNNING,
        }
    ),
    Vocabulary.AIRFLOW: _table(
        {"queued": S.QUEUED, "running": S.RUNNING, "success": S.SUCCEEDED, "failed": S.FAILED}
    ),
    Vocabulary.MLFLOW: _table(
        {
            "SCHEDULED": S.PENDING,
            "RUNNING": S.RUNNING,
            "FINISHED": S.SUCCEEDED,
            "FAILED": S.FAILED,
            "KILLED": S.CANCELLED,
        }
    ),
    Vocabulary.GATEWAY: {_key(status.value): status for status in RunStatus},
}


@functools.lru_cache(maxsize=4096)  # a few values per platform; each import maps every record
def map_status(vocabulary: Vocabulary, source_status: str | None) -> RunStatus:
    """The unified status of a platform's raw value; `UNKNOWN` for anything unseen."""
    if not source_status:
        return S.UNKNOWN
    if vocabulary is Vocabulary.DATABRICKS:
        return _map_databricks(source_status)
    return STATUS_MAPS[vocabulary].get(_key(source_status), S.UNKNOWN)


def databricks_source_status(life_cycle: str, result: str | None = None) -> str:
    """The one-string form of a Databricks state: `LIFE_CYCLE` or `LIFE_CYCLE/RESULT`."""
    return f"{life_cycle}/{result}" if result else life_cycle


def _map_databricks(source_status: str) -> RunStatus:
    life_cycle, _, result = source_status.partition("/")
    life = _key(life_cycle)
    outcome = _key(result)
    if life not in _DATABRICKS_LIFE_CYCLE:
        return S.UNKNOWN
    if life == "terminating" and outcome in _CANCEL_CODES:
        return S.CANCELLING
    if life == "terminated":
        return _DATABRICKS_RESULT.get(outcome, S.UNKNOWN)
    return _DATABRICKS_LIFE_CYCLE[life]


READINESS_MAP: dict[str, ReadinessStatus] = {
    _key(name): status
    for name, status in {
        "notReady": ReadinessStatus.NOT_READY,
        "ready": ReadinessStatus.READY,
        "failed": ReadinessStatus.FAILED,
        "disabled": ReadinessStatus.DISABLED,
        "deleted": ReadinessStatus.DELETED,
        "expired": ReadinessStatus.EXPIRED,
        "unknownFutureValue": ReadinessStatus.UNKNOWN,
    }.items()
}


def map_readiness(source_status: str | None) -> ReadinessStatus:
    """The readiness of a Graph process or flow (`readinessStatus`); `UNKNOWN` for anything unseen."""
    if not source_status:
        return ReadinessStatus.UNKNOWN
    return READINESS_MAP.get(_key(source_status), ReadinessStatus.UNKNOWN)
