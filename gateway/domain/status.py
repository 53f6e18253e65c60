"""The unified run and activity status, and process readiness.

Every platform's status value maps to exactly one `RunStatus` (see `status_maps`); the raw value is
kept beside it as `sourceStatus`. A value never seen before maps to `UNKNOWN` instead of failing,
as Microsoft Graph's `unknownFutureValue` does.
"""

from __future__ import annotations

import enum


class RunStatus(enum.Enum):
    """Where a run or activity is in its life, and how it ended."""

    PENDING = "PENDING"
    QUEUED = "QUEUED"
    STARTING = "STARTING"
    RUNNING = "RUNNING"
    WAITING = "WAITING"
    CANCELLING = "CANCELLING"
    FINALIZING = "FINALIZING"
    SUCCEEDED = "SUCCEEDED"
    SUCCEEDED_WITH_WARNINGS = "SUCCEEDED_WITH_WARNINGS"
    PARTIALLY_SUCCEEDED = "PARTIALLY_SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    TIMED_OUT = "TIMED_OUT"
    SKIPPED = "SKIPPED"
    UNKNOWN = "UNKNOWN"

    @property
    def is_active(self) -> bool:
        """True while the run has not finished (Databricks' `active_only`)."""
        return self in ACTIVE_STATUSES

    @property
    def is_terminal(self) -> bool:
        """True once the run has finished, whatever the outcome."""
        return self in TERMINAL_STATUSES


ACTIVE_STATUSES = frozenset(
    {
        RunStatus.PENDING,
        RunStatus.QUEUED,
        RunStatus.STARTING,
        RunStatus.RUNNING,
        RunStatus.WAITING,
        RunStatus.CANCELLING,
        RunStatus.FINALIZING,
    }
)
TERMINAL_STATUSES = frozenset(
    {
        RunStatus.SUCCEEDED,
        RunStatus.SUCCEEDED_WITH_WARNINGS,
        RunStatus.PARTIALLY_SUCCEEDED,
        RunStatus.FAILED,
        RunStatus.CANCELLED,
        RunStatus.TIMED_OUT,
        RunStatus.SKIPPED,
    }
)

RUN_STATUS_DESCRIPTIONS: dict[RunStatus, str] = {
    RunStatus.PENDING: "Requested but not yet queued (DataZone REQUESTED, ADF PendingExecution).",
    RunStatus.QUEUED: "Waiting in the platform's queue for capacity.",
    RunStatus.STARTING: "Resources are being set up (Databricks PENDING: cluster start).",
    RunStatus.RUNNING: "Executing (Graph running/inProgress, ADF InProgress, Databricks RUNNING).",
    RunStatus.WAITING: "Paused inside its run: blocked, or waiting to retry.",
    RunStatus.CANCELLING: "A cancel was requested; activities are stopping.",
    RunStatus.FINALIZING: "Execution finished; the platform is cleaning up.",
    RunStatus.SUCCEEDED: "Finished without errors or warnings (Graph completed).",
    RunStatus.SUCCEEDED_WITH_WARNINGS: "Finished; only warnings were found (completedWithWarnings).",
    RunStatus.PARTIALLY_SUCCEEDED: "Finished, but some records or tasks failed (completedWithErrors).",
    RunStatus.FAILED: "Finished with a blocking failure.",
    RunStatus.CANCELLED: "Stopped by a person or the system before finishing.",
    RunStatus.TIMED_OUT: "Stopped because it exceeded its time limit.",
    RunStatus.SKIPPED: "Never executed (excluded, disabled, upstream failed, concurrency limit).",
    RunStatus.UNKNOWN: "A platform value the gateway does not know yet; see sourceStatus.",
}


class ReadinessStatus(enum.Enum):
    """Whether a process can run (Graph's `readinessStatus` of processes and flows)."""

    NOT_READY = "NOT_READY"
    READY = "READY"
    FAILED = "FAILED"
    DISABLED = "DISABLED"
    DELETED = "DELETED"
    EXPIRED = "EXPIRED"
    UNKNOWN = "UNKNOWN"


READINESS_STATUS_DESCRIPTIONS: dict[ReadinessStatus, str] = {
    ReadinessStatus.NOT_READY: "Not yet configured well enough to run.",
    ReadinessStatus.READY: "Ready to run.",
    ReadinessStatus.FAILED: "Its set-up failed; runs cannot start.",
    ReadinessStatus.DISABLED: "Switched off by its owner; runs cannot start.",
    ReadinessStatus.DELETED: "Deleted on its platform; kept here for its run history.",
    ReadinessStatus.EXPIRED: "Its configuration or credentials expired.",
    ReadinessStatus.UNKNOWN: "A platform value the gateway does not know yet.",
}
