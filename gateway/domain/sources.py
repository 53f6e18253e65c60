"""The platforms runs come from, and the kinds of processes and activities they have."""

from __future__ import annotations

import enum


class Source(enum.Enum):
    """The platform a process, run or activity comes from."""

    INDUSTRY_DATA = "INDUSTRY_DATA"
    DATA_FACTORY = "DATA_FACTORY"
    DATABRICKS = "DATABRICKS"
    DATAZONE = "DATAZONE"
    GATEWAY = "GATEWAY"


SOURCE_DESCRIPTIONS: dict[Source, str] = {
    Source.INDUSTRY_DATA: "Microsoft Graph industry data (inbound and outbound flows).",
    Source.DATA_FACTORY: "Azure Data Factory (v1 slice runs and v2 pipeline runs).",
    Source.DATABRICKS: "Databricks Jobs.",
    Source.DATAZONE: "Amazon DataZone data sources.",
    Source.GATEWAY: "Processes native to the gateway, run by its own executors.",
}


class ProcessKind(enum.Enum):
    """What a process is on its platform."""

    INBOUND_FLOW = "INBOUND_FLOW"
    OUTBOUND_FLOW = "OUTBOUND_FLOW"
    DATA_FACTORY_PIPELINE = "DATA_FACTORY_PIPELINE"
    DATABRICKS_JOB = "DATABRICKS_JOB"
    DATAZONE_DATA_SOURCE = "DATAZONE_DATA_SOURCE"
    GATEWAY_PROCESS = "GATEWAY_PROCESS"


PROCESS_KIND_DESCRIPTIONS: dict[ProcessKind, str] = {
    ProcessKind.INBOUND_FLOW: "A Graph industry data inbound flow (data into the data lake).",
    ProcessKind.OUTBOUND_FLOW: "A Graph industry data outbound flow (data out to a provisioning target).",
    ProcessKind.DATA_FACTORY_PIPELINE: "An Azure Data Factory pipeline.",
    ProcessKind.DATABRICKS_JOB: "A Databricks job.",
    ProcessKind.DATAZONE_DATA_SOURCE: "An Amazon DataZone data source.",
    ProcessKind.GATEWAY_PROCESS: "A process native to the gateway.",
}

PROCESS_KINDS_BY_SOURCE: dict[Source, frozenset[ProcessKind]] = {
    Source.INDUSTRY_DATA: frozenset({ProcessKind.INBOUND_FLOW, ProcessKind.OUTBOUND_FLOW}),
    Source.DATA_FACTORY: frozenset({ProcessKind.DATA_FACTORY_PIPELINE}),
    Source.DATABRICKS: frozenset({ProcessKind.DATABRICKS_JOB}),
    Source.DATAZONE: frozenset({ProcessKind.DATAZONE_DATA_SOURCE}),
    Source.GATEWAY: frozenset({ProcessKind.GATEWAY_PROCESS}),
}


class ActivityKind(enum.Enum):
    """What an activity (a unit of work inside a run) is; one GraphQL type each."""

    INBOUND_FLOW = "INBOUND_FLOW"
    OUTBOUND_FLOW = "OUTBOUND_FLOW"
    DATA_FACTORY_ACTIVITY = "DATA_FACTORY_ACTIVITY"
    DATABRICKS_TASK = "DATABRICKS_TASK"
    DATAZONE_ASSET = "DATAZONE_ASSET"
    GATEWAY_ACTIVITY = "GATEWAY_ACTIVITY"


ACTIVITY_KINDS_BY_SOURCE: dict[Source, frozenset[ActivityKind]] = {
    Source.INDUSTRY_DATA: frozenset({ActivityKind.INBOUND_FLOW, ActivityKind.OUTBOUND_FLOW}),
    Source.DATA_FACTORY: frozenset({ActivityKind.DATA_FACTORY_ACTIVITY}),
    Source.DATABRICKS: frozenset({ActivityKind.DATABRICKS_TASK}),
    Source.DATAZONE: frozenset({ActivityKind.DATAZONE_ASSET}),
    Source.GATEWAY: frozenset({ActivityKind.GATEWAY_ACTIVITY}),
}


class TriggerType(enum.Enum):
    """Why a run started."""

    SCHEDULED = "SCHEDULED"
    MANUAL = "MANUAL"
    API = "API"
    RETRY = "RETRY"
    REPAIR = "REPAIR"
    EVENT = "EVENT"
    CONTINUOUS = "CONTINUOUS"
    UNKNOWN = "UNKNOWN"


TRIGGER_TYPE_DESCRIPTIONS: dict[TriggerType, str] = {
    TriggerType.SCHEDULED: "Started by a schedule (Graph's 12-hourly run, Databricks PERIODIC).",
    TriggerType.MANUAL: "Started by a person (ADF Manual, DataZone PRIORITIZED).",
    TriggerType.API: "Started by a program through an API.",
    TriggerType.RETRY: "A new attempt of a failed run.",
    TriggerType.REPAIR: "A repair of selected tasks of an earlier run.",
    TriggerType.EVENT: "Started by an event (file arrival, table update, another job).",
    TriggerType.CONTINUOUS: "Started by a continuous job restarting.",
    TriggerType.UNKNOWN: "A trigger the gateway does not know.",
}
