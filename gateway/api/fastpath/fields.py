"""What the fast path knows: for runs, activities and processes, the GraphQL fields it can write
straight from a row, and the relations it can fetch in one batched statement.

Scalars come from the store's query catalogs (the one place public field paths meet SQL, selected
through `store.selects`); the few fields a catalog does not list are named here with their
column. A field that is not listed here is unknown to the fast path, and an operation that selects
it runs through the executor.
"""

from __future__ import annotations

from collections.abc import Mapping

from gateway.api.fastpath import loads
from gateway.api.fastpath.specs import (
    Column,
    Convert,
    Embedded,
    Entity,
    Reference,
    RelationSpec,
    ValueList,
)
from gateway.api.statistics.queries import fields_wanted
from gateway.domain.models import ACTIVITY_CLASSES, RUN_CLASSES
from gateway.odata import Catalog
from gateway.odata.catalog import FieldType
from gateway.store import activities, codec, processes, runs, statistics, workspaces
from gateway.store.catalogs import ACTIVITIES, PROCESSES, RUNS
from gateway.store.selects import column, field_column, first_of

_CONVERT = {FieldType.BOOL: Convert.BOOL, FieldType.DATETIME: Convert.DATETIME}


def _label(path: str) -> str:
    return "_f_" + path.replace("/", "_")


def _from_catalog(catalog: Catalog, paths: tuple[str, ...]) -> dict[str, Column]:
    """Columns of catalog fields: a plain column keeps its name; an expression gets a label."""
    found: dict[str, Column] = {}
    for path in paths:
        label, sql = field_column(catalog, path, _label(path))
        found[path] = Column(label, sql, _CONVERT.get(catalog.fields[path].type, Convert.NONE))
    return found


def _assets(catalog: Catalog) -> dict[str, Column]:
    """`statistics { assets { ... } }`: the statistics' own counters in DataZone's shape
    (api/runs/values.py), an embedded object inside `statistics`."""
    names = ("added", "updated", "unchanged", "skipped", "failed")
    counters = _from_catalog(catalog, tuple(f"statistics/{n}" for n in names))
    return {f"statistics/assets/{n}": counters[f"statistics/{n}"] for n in names}


_ASSETS_EMBEDDED = {"statistics/assets": Embedded("statistics/assets")}


def _plain(alias: str, columns: Mapping[str, tuple[str, Convert]]) -> dict[str, Column]:
    """Columns the catalogs do not list (not filterable), by GraphQL path."""
    return {path: Column(name, column(alias, name), conv) for path, (name, conv) in columns.items()}


def _version(alias: str) -> Column:
    return Column("version", column(alias, "version"), Convert.ETAG)


_STATISTICS = tuple(
    f"statistics/{n}"
    for n in (
        "processed",
        "added",
        "updated",
        "unchanged",
        "skipped",
        "failed",
        "errors",
        "warnings",
    )
)
_ERROR = ("blockingError/code", "blockingError/message", "blockingError/category")
_COMMON = (
    "id",
    "sourceId",
    "displayName",
    "status",
    "sourceStatus",
    "createdDateTime",
    "startDateTime",
    "endDateTime",
    "lastModifiedDateTime",
    "attemptNumber",
    *_STATISTICS,
    *_ERROR,
)
_ERROR_EMBEDDED = Embedded(
    "blockingError",
    null_when="error_code",
    derive=codec.error_from_row,
    columns=codec.ERROR_COLUMNS,
)
_COUNTERS = ("processed", "added", "updated", "unchanged", "skipped", "failed")
_STATISTICS_EMBEDDED = Embedded(
    "statistics",
    derive=codec.statistics_from_row,
    columns=codec.STATISTICS_COLUMNS,
    reads={  # the fields of RunStatistics (api/runs/values.py) and the columns each reads
        **{name: (f"stat_{name}",) for name in (*_COUNTERS, "errors", "warnings")},
        **{name: ("stat_extra",) for name in ("entities", "roles", "metrics")},
        "inboundTotals": ("stat_errors", "stat_warnings", "stat_extra"),
        "assets": tuple(f"stat_{name}" for name in _COUNTERS[1:]),
        "activityStatistics": (),  # filled in apart (a list inside it: nothing is kept)
    },
)


_RUN_ID = column("a", "run_id")
_WORKSPACE_OF_RUN = Reference("Workspace", Column("workspace_id", column("r", "workspace_id")))


def _attribute(name: str) -> Column:
    """A text member of an activity's platform attributes (api/activities/types.py `_text`)."""
    return Column("attributes", column("a", "attributes"), Convert.ATTRIBUTE, key=name)


RUN = Entity(
    name="Run",
    catalog=RUNS,
    table=runs.TABLE,
    default=runs.NEWEST_FIRST,
    discriminator="source",
    type_names={source.value: cls.__name__ for source, cls in RUN_CLASSES.items()},
    scalars={
        **_from_catalog(
            RUNS,
            (
                *_COMMON,
                "source",
                "isActive",
                "isTerminal",
                "durations/queueMs",
                "durations/setupMs",
                "durations/executionMs",
                "durations/cleanupMs",
                "durations/totalMs",
                "trigger/type",
                "trigger/invokedBy",
                "isLatestAttempt",
                "process/id",
                "process/displayName",
                "process/sourceId",
                "process/kind",
                "workspace/id",
                "tableName",
                "activityName",
                "dataSliceStart",
                "dataSliceEnd",
                "percentComplete",
                "runGroupId",
                "jobId",
                "numberInJob",
                "runType",
                "creatorUserName",
                "dataSourceId",
                "projectId",
                "lineageImportStatus",
            ),
        ),
        **_plain(
            "r",
            {
                "blockingError/retryable": ("error_retryable", Convert.BOOL),
                "trigger/sourceType": ("trigger_source_type", Convert.NONE),
                "batchTime": ("batch_time", Convert.DATETIME),
                "computeClusterName": ("compute_cluster_name", Convert.NONE),
                "hasLogs": ("has_logs", Convert.BOOL),
                "dataArtifactId": ("data_artifact_id", Convert.NONE),
                "runPageUrl": ("run_page_url", Convert.NONE),
                "stateMessage": ("state_message", Convert.NONE),
                "parameters": ("parameters", Convert.JSON),
            },
        ),
        "eTag": _version("r"),
        **_assets(RUNS),
    },
    embedded={
        **_ASSETS_EMBEDDED,
        "durations": Embedded("durations"),
        "trigger": Embedded("trigger"),
        "statistics": _STATISTICS_EMBEDDED,
        "runStatisticsForAssets": _STATISTICS_EMBEDDED,
        "blockingError": _ERROR_EMBEDDED,
        "process": Embedded("process"),
        "workspace": Embedded("workspace"),
    },
    relations={
        "activities": RelationSpec("Activity", _RUN_ID),
        # the same list, typed as the platform's (api/runs/types.py)
        "tasks": RelationSpec("Activity", _RUN_ID, "DatabricksTask"),
        "activityRuns": RelationSpec("Activity", _RUN_ID, "DataFactoryActivityRun"),
        "assetActivities": RelationSpec("Activity", _RUN_ID, "DataZoneAssetActivity"),
        "gatewayActivities": RelationSpec("Activity", _RUN_ID, "GatewayActivity"),
    },
    references={
        "process": Reference("Process", Column("process_id", column("r", "process_id"))),
        "workspace": _WORKSPACE_OF_RUN,
        # itself when it is the first attempt (api/runs/types.py)
        "originalAttemptRun": Reference(
            "Run",
            Column(
                "_original_attempt",
                first_of("r", ("original_attempt_run_id", "id"), "_original_attempt"),
            ),
        ),
        "previousAttemptRun": Reference(
            "Run",
            Column("previous_attempt_run_id", column("r", "previous_attempt_run_id")),
            nullable=True,
        ),
    },
    value_lists={"statusHistory": ValueList(loads.history)},
    # Graph's activityStatistics: the run's activities, a page of `first` in run order
    embedded_lists={"statistics/activityStatistics": RelationSpec("ActivityStatistics", _RUN_ID)},
)

ACTIVITY = Entity(
    name="Activity",
    catalog=ACTIVITIES,
    table=activities.TABLE,
    default=activities.IN_RUN_ORDER,
    discriminator="kind",
    type_names={kind.value: cls.__name__ for kind, cls in ACTIVITY_CLASSES.items()},
    scalars={
        **_from_catalog(ACTIVITIES, (*_COMMON, "kind", "key", "activityType", "sequence")),
        **_plain(
            "a",
            {
                "blockingError/retryable": ("error_retryable", Convert.BOOL),
                "activityRunId": ("source_id", Convert.NONE),
                "taskKey": ("key", Convert.NONE),
                "dependsOn": ("depends_on", Convert.JSON_LIST),
                "platformAttributes": ("attributes", Convert.JSON_OBJECT),
            },
        ),
        "clusterId": _attribute("clusterId"),
        "database": _attribute("database"),
        "technicalName": _attribute("technicalName"),
        "dataAssetId": _attribute("dataAssetId"),
        "durationMs": Column(
            "started_at",
            column("a", "started_at"),
            Convert.DURATION_MS,
            extra=(Column("ended_at", column("a", "ended_at")),),
        ),
        "eTag": _version("a"),
        **_assets(ACTIVITIES),
    },
    embedded={
        "statistics": _STATISTICS_EMBEDDED,
        "blockingError": _ERROR_EMBEDDED,
        **_ASSETS_EMBEDDED,
    },
    references={"run": Reference("Run", Column("run_id", column("a", "run_id")))},
)

_RUN_AGGREGATE = ValueList(loads.run_aggregates, prepare=fields_wanted, kept=True)

# One activity's entry in its run's `statistics.activityStatistics`: an activity row, read as the
# activities list reads it (api/activities/statistics.py).
ACTIVITY_STATISTICS = Entity(
    name="ActivityStatistics",
    catalog=ACTIVITIES,
    table=activities.TABLE,
    default=activities.IN_RUN_ORDER,
    discriminator=None,
    type_names={"": "ActivityStatistics"},
    scalars={
        "activityId": ACTIVITY.scalars["id"],
        **{
            path: ACTIVITY.scalars[path]
            for path in ("id", "key", "displayName", "status", *_STATISTICS)
        },
        **_assets(ACTIVITIES),
    },
    embedded={"statistics": _STATISTICS_EMBEDDED, **_ASSETS_EMBEDDED},
)

PROCESS = Entity(
    name="Process",
    catalog=PROCESSES,
    table=processes.TABLE,
    default=processes.NEWEST_FIRST,
    discriminator=None,
    type_names={"": "Process"},
    scalars={
        **_from_catalog(
            PROCESSES,
            (
                "id",
                "source",
                "kind",
                "sourceId",
                "displayName",
                "description",
                "readinessStatus",
                "schedule",
                "createdDateTime",
                "lastModifiedDateTime",
                "workspace/id",
            ),
        ),
        **_plain(
            "p",
            {
                "throttle/maxRuns": ("throttle_max_runs", Convert.NONE),
                "throttle/windowSeconds": ("throttle_window_s", Convert.NONE),
            },
        ),
        "eTag": _version("p"),
        # failures since the newest success: a seek of `runs_by_process`, in the row's select
        "consecutiveFailures": Column(
            "_failures", statistics.failure_streak_sql("p", "_failures"), Convert.NONE
        ),
    },
    embedded={
        "workspace": Embedded("workspace"),
        "throttle": Embedded("throttle", null_when="throttle_max_runs"),
        "activityDefinitions": Embedded(
            "activityDefinitions",
            derive=codec.activity_definitions_from_row,
            columns=("activity_definitions",),
        ),
    },
    relations={"runs": RelationSpec("Run", column("r", "process_id"))},
    references={
        "workspace": Reference("Workspace", Column("workspace_id", column("p", "workspace_id"))),
        # the newest run, and the newest that succeeded: an index seek each, in the row's select
        "lastRun": Reference(
            "Run",
            Column("_last_run", statistics.newest_run_sql("p", "_last_run")),
            nullable=True,
        ),
        "lastSuccessfulRun": Reference(
            "Run",
            Column(
                "_last_success", statistics.newest_run_sql("p", "_last_success", succeeded=True)
            ),
            nullable=True,
        ),
    },
    value_lists={
        "runAggregate": _RUN_AGGREGATE,
        "statistics": _RUN_AGGREGATE,  # the deprecated name of the same field
    },
)

WORKSPACE = Entity(
    name="Workspace",
    catalog=None,
    table=workspaces.TABLE,
    default=None,
    discriminator=None,
    type_names={"": "Workspace"},
    scalars=_plain(
        "w",
        {
            "id": ("id", Convert.NONE),
            "displayName": ("display_name", Convert.NONE),
            "source": ("source", Convert.EMPTY_NULL),  # the codec's `Source(x) if x else None`
            "sourceId": ("source_id", Convert.NONE),
            "createdDateTime": ("created_at", Convert.DATETIME),
        },
    ),
    workspace_column="id",
)

ENTITIES: dict[str, Entity] = {
    e.name: e for e in (RUN, ACTIVITY, ACTIVITY_STATISTICS, PROCESS, WORKSPACE)
}
ROOT_LISTS: dict[str, Entity] = {"runs": RUN, "processes": PROCESS}
