"""Errors that runs and activities report (Graph's `publicError`), with a category across platforms.

Not to be confused with `exceptions`, the errors the gateway itself raises.
"""

from __future__ import annotations

import enum
from dataclasses import field

from gateway.domain.records import record


class ErrorCategory(enum.Enum):
    """What kind of failure an error is, the same across platforms."""

    VALIDATION = "VALIDATION"
    AUTH = "AUTH"
    QUOTA = "QUOTA"
    THROTTLED = "THROTTLED"
    CONFLICT = "CONFLICT"
    NOT_FOUND = "NOT_FOUND"
    UPSTREAM = "UPSTREAM"
    TIMEOUT = "TIMEOUT"
    CANCELLED = "CANCELLED"
    INFRASTRUCTURE = "INFRASTRUCTURE"
    INTERNAL = "INTERNAL"
    USER = "USER"
    UNKNOWN = "UNKNOWN"


ERROR_CATEGORY_DESCRIPTIONS: dict[ErrorCategory, str] = {
    ErrorCategory.VALIDATION: "The input or configuration was invalid.",
    ErrorCategory.AUTH: "Access was denied or credentials were missing.",
    ErrorCategory.QUOTA: "A quota or limit was exceeded.",
    ErrorCategory.THROTTLED: "The platform throttled the request.",
    ErrorCategory.CONFLICT: "It conflicted with another operation or resource.",
    ErrorCategory.NOT_FOUND: "A resource it needed does not exist.",
    ErrorCategory.UPSTREAM: "Something it depends on failed.",
    ErrorCategory.TIMEOUT: "It ran out of time.",
    ErrorCategory.CANCELLED: "It was cancelled.",
    ErrorCategory.INFRASTRUCTURE: "Clusters, storage or the cloud failed.",
    ErrorCategory.INTERNAL: "The platform failed internally.",
    ErrorCategory.USER: "The user's code failed.",
    ErrorCategory.UNKNOWN: "Not classified.",
}

# Categories whose failures are usually worth retrying as they are.
RETRYABLE_CATEGORIES = frozenset(
    {
        ErrorCategory.THROTTLED,
        ErrorCategory.TIMEOUT,
        ErrorCategory.INFRASTRUCTURE,
        ErrorCategory.INTERNAL,
        ErrorCategory.UPSTREAM,
    }
)

# DataZone `errorMessage.errorType` (seed 004).
DATAZONE_ERROR_CATEGORIES: dict[str, ErrorCategory] = {
    "ACCESS_DENIED_EXCEPTION": ErrorCategory.AUTH,
    "CONFLICT_EXCEPTION": ErrorCategory.CONFLICT,
    "INTERNAL_SERVER_EXCEPTION": ErrorCategory.INTERNAL,
    "RESOURCE_NOT_FOUND_EXCEPTION": ErrorCategory.NOT_FOUND,
    "SERVICE_QUOTA_EXCEEDED_EXCEPTION": ErrorCategory.QUOTA,
    "THROTTLING_EXCEPTION": ErrorCategory.THROTTLED,
    "VALIDATION_EXCEPTION": ErrorCategory.VALIDATION,
}

# Databricks `status.termination_details.code`.
DATABRICKS_ERROR_CATEGORIES: dict[str, ErrorCategory] = {
    "USER_CANCELED": ErrorCategory.CANCELLED,
    "CANCELED": ErrorCategory.CANCELLED,
    "INTERNAL_ERROR": ErrorCategory.INTERNAL,
    "DRIVER_ERROR": ErrorCategory.INFRASTRUCTURE,
    "CLUSTER_ERROR": ErrorCategory.INFRASTRUCTURE,
    "REPOSITORY_CHECKOUT_FAILED": ErrorCategory.UPSTREAM,
    "INVALID_CLUSTER_REQUEST": ErrorCategory.VALIDATION,
    "WORKSPACE_RUN_LIMIT_EXCEEDED": ErrorCategory.QUOTA,
    "FEATURE_DISABLED": ErrorCategory.VALIDATION,
    "CLUSTER_REQUEST_LIMIT_EXCEEDED": ErrorCategory.QUOTA,
    "STORAGE_ACCESS_ERROR": ErrorCategory.INFRASTRUCTURE,
    "RUN_EXECUTION_ERROR": ErrorCategory.USER,
    "UNAUTHORIZED_ERROR": ErrorCategory.AUTH,
    "LIBRARY_INSTALLATION_ERROR": ErrorCategory.INFRASTRUCTURE,
    "MAX_CONCURRENT_RUNS_EXCEEDED": ErrorCategory.QUOTA,
    "MAX_SPARK_CONTEXTS_EXCEEDED": ErrorCategory.QUOTA,
    "RESOURCE_NOT_FOUND": ErrorCategory.NOT_FOUND,
    "INVALID_RUN_CONFIGURATION": ErrorCategory.VALIDATION,
    "CLOUD_FAILURE": ErrorCategory.INFRASTRUCTURE,
    "MAX_JOB_QUEUE_SIZE_EXCEEDED": ErrorCategory.QUOTA,
    "BUDGET_POLICY_LIMIT_EXCEEDED": ErrorCategory.QUOTA,
    "BREAKING_CHANGE": ErrorCategory.VALIDATION,
}

# Dagster's `ErrorSource` on failure events.
DAGSTER_ERROR_CATEGORIES: dict[str, ErrorCategory] = {
    "USER_CODE_ERROR": ErrorCategory.USER,
    "FRAMEWORK_ERROR": ErrorCategory.INTERNAL,
    "INTERRUPT": ErrorCategory.CANCELLED,
    "UNEXPECTED_ERROR": ErrorCategory.UNKNOWN,
}


@record
class RunErrorDetail:
    """One detail of an error (Graph's `publicErrorDetail`)."""

    code: str
    message: str
    target: str | None = None


@record
class RunError:
    """An error a run or activity reported: Graph's `publicError` plus a category."""

    code: str
    message: str
    category: ErrorCategory = ErrorCategory.UNKNOWN
    retryable: bool = False
    target: str | None = None
    source_code: str | None = None
    details: tuple[RunErrorDetail, ...] = field(default_factory=tuple)
    inner_error: RunError | None = None


def categorize(table: dict[str, ErrorCategory], code: str | None) -> ErrorCategory:
    """The category of a platform's error code in one of the tables above."""
    if not code:
        return ErrorCategory.UNKNOWN
    return table.get(code.upper(), ErrorCategory.UNKNOWN)


def platform_error(table: dict[str, ErrorCategory], code: str, message: str) -> RunError:
    """A `RunError` for a platform code, categorised, with `retryable` derived from the category."""
    category = categorize(table, code)
    return RunError(
        code=code,
        message=message,
        category=category,
        retryable=category in RETRYABLE_CATEGORIES,
        source_code=code,
    )
