"""Databricks job runs (seed 003), from `runs/list` (`{"runs": [...], "has_more": ...,
"next_page_token": ...}`) or `runs/get` (one run, with its `tasks`).

- The process is the job (`job_id`); one-time runs (`runs/submit`) have no job and share the
  process `runs-submit`.
- The status is `LIFE_CYCLE/RESULT` from `state` (`life_cycle_state`, `result_state`), or from the
  newer `status` (`state`, `termination_details.code`) when `state` is absent.
- Times are epoch milliseconds (`end_time` 0 while running). Durations: `queue_duration`,
  `setup_duration`, `execution_duration`, `cleanup_duration`, and `run_duration` as the total
  (the three phases are 0 for multitask runs, where they mean "not measured").
- Attempts: `attempt_number` counts from 0 (ours from 1); a retry names its first attempt in
  `original_attempt_run_id`.
- Tasks become activities keyed by `task_key`; when a task was retried inside the run, the latest
  attempt keeps the key and earlier ones are `key#attempt`.
"""

from __future__ import annotations

from gateway.domain.imports import Identity, ImportedRun, ProcessRef, RecordError
from gateway.domain.models import RunDurations, Trigger
from gateway.domain.run_errors import (
    DATABRICKS_ERROR_CATEGORIES,
    RETRYABLE_CATEGORIES,
    ErrorCategory,
    RunError,
    categorize,
    platform_error,
)
from gateway.domain.sources import ActivityKind, ProcessKind, Source, TriggerType
from gateway.domain.specs import ActivitySpec, RunSpec
from gateway.domain.status_maps import databricks_source_status
from gateway.platforms.values import (
    Json,
    epoch_ms,
    integer,
    milliseconds,
    obj,
    objects,
    required_text,
    text,
)

LIST_KEYS = ("runs",)
SUBMIT_PROCESS = "runs-submit"

TRIGGERS = {
    "PERIODIC": TriggerType.SCHEDULED,
    "ONE_TIME": TriggerType.MANUAL,
    "RETRY": TriggerType.RETRY,
    "RUN_JOB_TASK": TriggerType.EVENT,
    "FILE_ARRIVAL": TriggerType.EVENT,
    "TABLE": TriggerType.EVENT,
    "MODEL": TriggerType.EVENT,
    "CONTINUOUS": TriggerType.CONTINUOUS,
    "CONTINUOUS_RESTART": TriggerType.CONTINUOUS,
}
# Legacy `state.result_state` values that say why a run stopped, as error categories.
RESULT_CATEGORIES = {
    "TIMEDOUT": ErrorCategory.TIMEOUT,
    "CANCELED": ErrorCategory.CANCELLED,
    "UPSTREAM_FAILED": ErrorCategory.UPSTREAM,
    "UPSTREAM_CANCELED": ErrorCategory.UPSTREAM,
    "MAXIMUM_CONCURRENT_RUNS_REACHED": ErrorCategory.QUOTA,
}
_TASK_TYPES = (
    "notebook_task",
    "spark_jar_task",
    "spark_python_task",
    "spark_submit_task",
    "python_wheel_task",
    "pipeline_task",
    "sql_task",
    "dbt_task",
    "run_job_task",
    "condition_task",
    "for_each_task",
)


def _status(value: Json) -> tuple[str, RunError | None]:
    """The source status and the blocking error of a run or task."""
    state = obj(value, "state")
    status = obj(value, "status")
    if state is not None and text(state, "life_cycle_state"):
        life = required_text(state, "life_cycle_state")
        result = text(state, "result_state")
        message = text(state, "state_message") or ""
        error = None
        if result and result not in ("SUCCESS", "SUCCESS_WITH_FAILURES"):
            category = RESULT_CATEGORIES.get(result) or categorize(
                DATABRICKS_ERROR_CATEGORIES, result
            )
            error = RunError(
                code=result,
                message=message,
                category=category,
                retryable=category in RETRYABLE_CATEGORIES,
                source_code=result,
            )
        elif life == "INTERNAL_ERROR":
            error = platform_error(DATABRICKS_ERROR_CATEGORIES, life, message)
        return databricks_source_status(life, result), error
    if status is not None:
        life = required_text(status, "state")
        details = obj(status, "termination_details") or {}
        code = text(details, "code")
        error = None
        if code and code not in ("SUCCESS", "SUCCESS_WITH_FAILURES"):
            error = platform_error(
                DATABRICKS_ERROR_CATEGORIES, code, text(details, "message") or ""
            )
        return databricks_source_status(life, code), error
    raise RecordError("state: is required (or status, in the newer shape).")


def _durations(value: Json, *, multitask: bool) -> RunDurations:
    def phase(name: str) -> int | None:
        ms = milliseconds(value, name)
        return None if multitask and not ms else ms

    setup, execution, cleanup = (
        phase("setup_duration"),
        phase("execution_duration"),
        phase("cleanup_duration"),
    )
    total = milliseconds(value, "run_duration")
    if total is None and None not in (setup, execution, cleanup) and not multitask:
        total = (setup or 0) + (execution or 0) + (cleanup or 0)
    return RunDurations(
        queue_ms=milliseconds(value, "queue_duration"),
        setup_ms=setup,
        execution_ms=execution,
        cleanup_ms=cleanup,
        total_ms=total,
    )


def _tasks(values: list[Json]) -> tuple[ActivitySpec, ...]:
    keys = [
        (required_text(task, "task_key"), integer(task, "attempt_number") or 0) for task in values
    ]
    latest: dict[str, int] = {}
    for key, attempt in keys:
        latest[key] = max(latest.get(key, 0), attempt)
    out = []
    for task, (key, attempt) in zip(values, keys, strict=True):
        source_status, error = _status(task)
        cluster = obj(task, "cluster_instance") or {}
        attributes = {
            name: found
            for name, found in (
                ("clusterId", text(cluster, "cluster_id") or text(task, "existing_cluster_id")),
                ("runPageUrl", text(task, "run_page_url")),
                ("description", text(task, "description")),
            )
            if found
        }
        out.append(
            ActivitySpec(
                key=key if attempt == latest[key] else f"{key}#{attempt}",
                display_name=key,
                kind=ActivityKind.DATABRICKS_TASK,
                source_id=text(task, "run_id"),
                activity_type=next((t for t in _TASK_TYPES if t in task), None),
                source_status=source_status,
                start_date_time=epoch_ms(task, "start_time"),
                end_date_time=epoch_ms(task, "end_time"),
                attempt_number=attempt + 1,
                depends_on=tuple(
                    dep
                    for d in objects(task, "depends_on")
                    if (dep := text(d, "task_key")) in latest and dep != key
                ),
                blocking_error=error,
                attributes=attributes,
            )
        )
    return tuple(out)


def _process(job_id: int | None, name: str | None) -> ProcessRef:
    return ProcessRef(
        source=Source.DATABRICKS,
        kind=ProcessKind.DATABRICKS_JOB,
        source_id=str(job_id) if job_id is not None else SUBMIT_PROCESS,
        display_name=(name or f"Job {job_id}")
        if job_id is not None
        else "One-time runs (runs/submit)",
    )


def _original(value: Json, run_id: str) -> str | None:
    original = text(value, "original_attempt_run_id")
    return original if original and original != run_id else None


def identify(value: Json) -> Identity:
    """The process, run id and first attempt `parse` gives `value`, read alone (a few fields,
    so that an unchanged record need not be mapped whole)."""
    run_id = required_text(value, "run_id")
    process = _process(integer(value, "job_id"), text(value, "run_name"))
    return process, run_id, _original(value, run_id)


def parse(value: Json) -> ImportedRun:
    run_id = required_text(value, "run_id")
    job_id = integer(value, "job_id")
    name = text(value, "run_name")
    trigger = text(value, "trigger")
    tasks = objects(value, "tasks")
    source_status, error = _status(value)
    start = epoch_ms(value, "start_time")
    return ImportedRun(
        process=_process(job_id, name),
        original_attempt_source_id=_original(value, run_id),
        spec=RunSpec(
            source_id=run_id,
            display_name=name,
            source_status=source_status,
            created_date_time=start,
            start_date_time=start,
            end_date_time=epoch_ms(value, "end_time"),
            durations=_durations(value, multitask=len(tasks) > 1),
            trigger=Trigger(
                type=TRIGGERS.get(trigger or "", TriggerType.UNKNOWN),
                invoked_by=text(value, "creator_user_name"),
                source_type=trigger,
            ),
            attempt_number=(integer(value, "attempt_number") or 0) + 1,
            blocking_error=error,
            platform={
                "job_id": job_id,
                "number_in_job": integer(value, "number_in_job"),
                "run_type": text(value, "run_type"),
                "creator_user_name": text(value, "creator_user_name"),
                "run_page_url": text(value, "run_page_url"),
                "state_message": text(obj(value, "state") or {}, "state_message") or None,
            },
            activities=_tasks(tasks),
        ),
    )
