"""The query catalogs of runs, activities and processes: every field a client may filter, sort or
search on, and the SQL behind it. The only place public field paths meet column names."""

from __future__ import annotations

from enum import Enum

from gateway.domain.run_errors import ErrorCategory
from gateway.domain.sources import ActivityKind, ProcessKind, Source, TriggerType
from gateway.domain.status import ACTIVE_STATUSES, TERMINAL_STATUSES, ReadinessStatus, RunStatus
from gateway.odata import Catalog, Field, FieldType, Relation, SearchSpec

T = FieldType


def _names(enum_class: type[Enum]) -> tuple[str, ...]:
    return tuple(str(member.value) for member in enum_class)


def _in(statuses: frozenset[RunStatus]) -> str:
    names = ", ".join(f"'{s.value}'" for s in sorted(statuses, key=lambda s: s.value))
    return f"{{alias}}.status IN ({names})"


def _enum(path: str, column: str, enum_class: type[Enum], description: str, **kw: bool) -> Field:
    return Field(
        path,
        f"{{alias}}.{column}",
        T.ENUM,
        enum_values=_names(enum_class),
        enum_name=enum_class.__name__,
        description=description,
        **kw,  # type: ignore[arg-type]  # reason: the flags are the bool fields of Field
    )


def _col(path: str, column: str, kind: FieldType, description: str, **kw: bool) -> Field:
    return Field(path, f"{{alias}}.{column}", kind, description=description, **kw)  # type: ignore[arg-type]  # kw are Field's bool flags (filterable, sortable, ...), which mypy cannot match by name


def _flag(path: str, column: str, description: str, nullable: bool) -> Field:
    """A Boolean column: 0/1 on both engines (the row code is shared); PostgreSQL's SQL reads it
    as a `boolean`, which its comparisons and filters need."""
    return Field(
        path,
        f"{{alias}}.{column}",
        T.BOOL,
        description=description,
        nullable=nullable,
        postgres_sql=f"({{alias}}.{column} <> 0)",
    )


def _statistics_and_error() -> list[Field]:
    counters = (
        "processed",
        "added",
        "updated",
        "unchanged",
        "skipped",
        "failed",
        "errors",
        "warnings",
    )
    return [
        *(
            _col(
                f"statistics/{name}", f"stat_{name}", T.INT, f"Statistics: {name}.", nullable=False
            )
            for name in counters
        ),
        _col("blockingError/code", "error_code", T.STRING, "The blocking error's code."),
        _col("blockingError/message", "error_message", T.STRING, "The blocking error's message."),
        _enum(
            "blockingError/category",
            "error_category",
            ErrorCategory,
            "The blocking error's category.",
            indexed=True,
        ),
        _flag("blockingError/retryable", "error_retryable", "Whether a retry may succeed.", True),
    ]


VERSION_SQL = "{alias}.version"
"""Every table's record version (the `W/"<version>"` ETag); not a field clients filter on."""

ACTIVITIES = Catalog.build(
    "Activity",
    "a",
    [
        _col("id", "id", T.STRING, "The activity's id.", nullable=False),
        _enum("kind", "kind", ActivityKind, "What the activity is.", nullable=False),
        _col("key", "key", T.STRING, "Its key in the run.", nullable=False),
        _col("sourceId", "source_id", T.STRING, "The platform's id."),
        _col("displayName", "display_name", T.STRING, "Its name.", nullable=False),
        _col("activityType", "activity_type", T.STRING, "The platform's type of activity."),
        _col(
            "sequence", "sequence", T.INT, "Its position in the run.", nullable=False, indexed=True
        ),
        _enum("status", "status", RunStatus, "The unified status.", nullable=False),
        _col("sourceStatus", "source_status", T.STRING, "The platform's status.", nullable=False),
        _col("createdDateTime", "created_at", T.DATETIME, "When it was recorded.", nullable=False),
        _col("startDateTime", "started_at", T.DATETIME, "When it started."),
        _col("endDateTime", "ended_at", T.DATETIME, "When it finished."),
        _col(
            "lastModifiedDateTime",
            "last_modified_at",
            T.DATETIME,
            "When it changed.",
            nullable=False,
        ),
        Field(
            "durationMs",
            "({alias}.ended_at - {alias}.started_at) / 1000",
            T.INT,
            description="From start to end in milliseconds.",
        ),
        _col("attemptNumber", "attempt_number", T.INT, "Its attempt.", nullable=False),
        *_statistics_and_error(),
    ],
    id_sql="{alias}.id",
)

RUNS = Catalog.build(
    "Run",
    "r",
    [
        _col("id", "id", T.STRING, "The run's id.", nullable=False),
        _enum("source", "source", Source, "The platform.", nullable=False, indexed=True),
        _col("sourceId", "source_id", T.STRING, "The platform's id of the run.", nullable=False),
        _col("displayName", "display_name", T.STRING, "The run's name."),
        _enum("status", "status", RunStatus, "The unified status.", nullable=False, indexed=True),
        _col("sourceStatus", "source_status", T.STRING, "The platform's status.", nullable=False),
        Field(
            "isActive", _in(ACTIVE_STATUSES), T.BOOL, nullable=False, description="Not finished."
        ),
        Field(
            "isTerminal", _in(TERMINAL_STATUSES), T.BOOL, nullable=False, description="Finished."
        ),
        _col("createdDateTime", "created_at", T.DATETIME, "Created.", nullable=False, indexed=True),
        _col("startDateTime", "started_at", T.DATETIME, "Started.", indexed=True),
        _col("endDateTime", "ended_at", T.DATETIME, "Finished.", indexed=True),
        _col(
            "lastModifiedDateTime",
            "last_modified_at",
            T.DATETIME,
            "Changed.",
            nullable=False,
            indexed=True,
        ),
        _col("durations/queueMs", "queue_ms", T.INT, "Queue time in milliseconds."),
        _col("durations/setupMs", "setup_ms", T.INT, "Setup time in milliseconds."),
        _col("durations/executionMs", "execution_ms", T.INT, "Execution time in milliseconds."),
        _col("durations/cleanupMs", "cleanup_ms", T.INT, "Cleanup time in milliseconds."),
        _col("durations/totalMs", "total_ms", T.INT, "Total time in milliseconds.", indexed=True),
        _enum("trigger/type", "trigger_type", TriggerType, "Why it started.", nullable=False),
        _col("trigger/invokedBy", "trigger_invoked_by", T.STRING, "Who or what started it."),
        _col("attemptNumber", "attempt_number", T.INT, "Its attempt.", nullable=False),
        _flag("isLatestAttempt", "is_latest_attempt", "No later attempt.", False),
        *_statistics_and_error(),
        _col(
            "process/id", "process_id", T.STRING, "The process's id.", nullable=False, indexed=True
        ),
        Field(
            "process/displayName",
            "SELECT p.display_name FROM processes p WHERE p.id = {alias}.process_id",
            T.STRING,
            nullable=False,
            description="The process's name.",
        ),
        Field(
            "process/sourceId",
            "SELECT p.source_id FROM processes p WHERE p.id = {alias}.process_id",
            T.STRING,
            nullable=False,
            description="The process's platform id.",
        ),
        Field(
            "process/kind",
            "SELECT p.kind FROM processes p WHERE p.id = {alias}.process_id",
            T.ENUM,
            enum_values=_names(ProcessKind),
            enum_name="ProcessKind",
            nullable=False,
            description="The process's kind.",
        ),
        _col("workspace/id", "workspace_id", T.STRING, "The workspace's id.", nullable=False),
        # Platform fields
        _col("tableName", "table_name", T.STRING, "Data Factory: the slice's table."),
        _col("activityName", "activity_name", T.STRING, "Data Factory: the slice's activity."),
        _col("dataSliceStart", "data_slice_start", T.DATETIME, "Data Factory: slice start."),
        _col("dataSliceEnd", "data_slice_end", T.DATETIME, "Data Factory: slice end."),
        _col("percentComplete", "percent_complete", T.INT, "Data Factory: progress."),
        _col("runGroupId", "run_group_id", T.STRING, "Data Factory: run group."),
        _col("jobId", "job_id", T.INT, "Databricks: the job.", indexed=True),
        _col("numberInJob", "number_in_job", T.INT, "Databricks: number in the job."),
        _col("runType", "run_type", T.STRING, "Databricks or DataZone: the run type."),
        _col("creatorUserName", "creator_user_name", T.STRING, "Databricks: the creator."),
        _col(
            "dataSourceId", "data_source_id", T.STRING, "DataZone: the data source.", indexed=True
        ),
        _col("projectId", "project_id", T.STRING, "DataZone: the project."),
        _col("lineageImportStatus", "lineage_import_status", T.STRING, "DataZone: lineage status."),
    ],
    id_sql="{alias}.id",
    relations=[
        Relation(
            "activities",
            ACTIVITIES,
            "activities AS {alias}",
            "{alias}.run_id = {outer}.id",
            description="The run's activities.",
        )
    ],
    search=SearchSpec(
        "{alias}.rowid IN (SELECT rowid FROM runs_fts WHERE runs_fts MATCH ?)",
        description="Run name, source id and status, error code and message, process name.",
        postgres_sql="{alias}.search_vector @@ to_tsquery('simple', ?)",
        fts_table="runs_fts",
    ),
)

PROCESSES = Catalog.build(
    "Process",
    "p",
    [
        _col("id", "id", T.STRING, "The process's id.", nullable=False),
        _enum("source", "source", Source, "The platform.", nullable=False),
        _enum("kind", "kind", ProcessKind, "What it is.", nullable=False),
        _col("sourceId", "source_id", T.STRING, "The platform's id.", nullable=False),
        _col("displayName", "display_name", T.STRING, "Its name.", nullable=False),
        _col("description", "description", T.STRING, "What it does."),
        _enum("readinessStatus", "readiness_status", ReadinessStatus, "Readiness.", nullable=False),
        _col("schedule", "schedule", T.STRING, "Its cron schedule."),
        _col("createdDateTime", "created_at", T.DATETIME, "Created.", nullable=False, indexed=True),
        _col("lastModifiedDateTime", "last_modified_at", T.DATETIME, "Changed.", nullable=False),
        _col("workspace/id", "workspace_id", T.STRING, "The workspace's id.", nullable=False),
    ],
    id_sql="{alias}.id",
    relations=[
        Relation(
            "runs",
            RUNS,
            "runs AS {alias}",
            "{alias}.process_id = {outer}.id",
            description="The process's runs.",
        )
    ],
    search=SearchSpec(
        "{alias}.rowid IN (SELECT rowid FROM processes_fts WHERE processes_fts MATCH ?)",
        description="Process name, source id and description.",
        postgres_sql="{alias}.search_vector @@ to_tsquery('simple', ?)",
        fts_table="processes_fts",
    ),
)
