"""Ids, cursors, paging limits, error categories, and the rules of specs and patches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gateway.domain.checks import UNSET
from gateway.domain.exceptions import (
    InvalidArgumentError,
    InvalidTransitionError,
    PreconditionFailedError,
    ValidationError,
)
from gateway.domain.ids import IdKind, id_at, kind_of, new_id
from gateway.domain.lifecycle import check_if_match, check_transition
from gateway.domain.models import ActivityDefinition, Process, RunDurations, RunStatistics
from gateway.domain.paging import MAX_PAGE_SIZE, PageRequest, decode_cursor, encode_cursor
from gateway.domain.process_specs import ProcessSpec, build_process
from gateway.domain.run_errors import (
    DATABRICKS_ERROR_CATEGORIES,
    DATAZONE_ERROR_CATEGORIES,
    ErrorCategory,
    platform_error,
)
from gateway.domain.sources import ActivityKind, ProcessKind, Source
from gateway.domain.specs import ActivitySpec, RunPatch, RunSpec, apply_run_patch, build_run
from gateway.domain.status import RunStatus

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def test_ids_are_prefixed_and_time_ordered() -> None:
    ids = [new_id(IdKind.RUN) for _ in range(1000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == 1000
    assert all(kind_of(i) is IdKind.RUN for i in ids)
    assert kind_of(new_id(IdKind.ACTIVITY)) is IdKind.ACTIVITY
    assert id_at(IdKind.PROCESS, 1, 2) == id_at(IdKind.PROCESS, 1, 2)


@pytest.mark.parametrize(
    "value",
    ["", "run_", "run_abc", "xyz_01M8134PPTCNZ0V8HYBHN3DBRR", "run_01M8134PPTCNZ0V8HYBHN3DBRU"],
)
def test_foreign_ids_have_no_kind(value: str) -> None:
    assert kind_of(value) is None


def test_cursors_round_trip_and_reject_tampering() -> None:
    cursor = encode_cursor("runs.created", (123, "run_x"))
    assert decode_cursor(cursor, "runs.created", 2, "after") == (123, "run_x")
    for bad in ("", "!!!", "bm90IGpzb24", cursor[:-3], encode_cursor("other", (1, "a"))):
        with pytest.raises(InvalidArgumentError) as caught:
            decode_cursor(bad, "runs.created", 2, "after")
        assert caught.value.code == "INVALID_CURSOR"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"first": -1}, "INVALID_PAGE_SIZE"),
        ({"first": MAX_PAGE_SIZE + 1}, "PAGE_SIZE_EXCEEDED"),
        ({"last": 100_000}, "PAGE_SIZE_EXCEEDED"),
        ({"first": 1, "last": 1}, "INVALID_PAGINATION"),
        ({"after": "a", "before": "b"}, "INVALID_PAGINATION"),
    ],
)
def test_page_requests_are_limited(kwargs: dict[str, object], code: str) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        PageRequest.from_arguments(**kwargs)  # type: ignore[arg-type]
    assert caught.value.code == code


def test_page_request_defaults() -> None:
    assert PageRequest.from_arguments() == PageRequest(limit=50, forward=True, cursor=None)
    assert PageRequest.from_arguments(last=5, before="c") == PageRequest(5, False, "c")


def test_platform_errors_are_categorised() -> None:
    throttled = platform_error(DATAZONE_ERROR_CATEGORIES, "THROTTLING_EXCEPTION", "slow down")
    assert throttled.category is ErrorCategory.THROTTLED and throttled.retryable
    denied = platform_error(DATABRICKS_ERROR_CATEGORIES, "UNAUTHORIZED_ERROR", "no")
    assert denied.category is ErrorCategory.AUTH and not denied.retryable
    unknown = platform_error(DATABRICKS_ERROR_CATEGORIES, "NEW_CODE", "?")
    assert unknown.category is ErrorCategory.UNKNOWN


def test_a_finished_status_is_final() -> None:
    check_transition(RunStatus.RUNNING, RunStatus.SUCCEEDED)
    check_transition(RunStatus.SUCCEEDED, RunStatus.SUCCEEDED)
    with pytest.raises(InvalidTransitionError) as caught:
        check_transition(RunStatus.FAILED, RunStatus.RUNNING)
    assert (caught.value.from_status, caught.value.to_status) == (
        RunStatus.FAILED,
        RunStatus.RUNNING,
    )


def test_if_match_accepts_weak_strong_and_star() -> None:
    for given in (None, "*", 'W/"3"', '"3"', "3"):
        check_if_match("run", "run_x", 'W/"3"', given)
    with pytest.raises(PreconditionFailedError) as caught:
        check_if_match("run", "run_x", 'W/"3"', 'W/"2"')
    assert caught.value.current_e_tag == 'W/"3"'


def _process(source: Source = Source.DATABRICKS) -> Process:
    kind = {
        Source.DATABRICKS: ProcessKind.DATABRICKS_JOB,
        Source.DATAZONE: ProcessKind.DATAZONE_DATA_SOURCE,
    }[source]
    act = {
        Source.DATABRICKS: ActivityKind.DATABRICKS_TASK,
        Source.DATAZONE: ActivityKind.DATAZONE_ASSET,
    }[source]
    return build_process(
        ProcessSpec(
            workspace_id="ws_x",
            source=source,
            kind=kind,
            display_name="Job",
            activity_definitions=(ActivityDefinition(key="a", display_name="A", kind=act),),
        ),
        id="proc_1",
        now=NOW,
    )


def test_process_specs_are_checked() -> None:
    with pytest.raises(ValidationError) as caught:
        build_process(
            ProcessSpec(
                workspace_id="ws",
                source=Source.DATABRICKS,
                kind=ProcessKind.INBOUND_FLOW,
                display_name="x",
            ),
            id="proc_1",
            now=NOW,
        )
    assert caught.value.field == "kind"
    with pytest.raises(ValidationError) as caught:
        build_process(
            ProcessSpec(
                workspace_id="ws",
                source=Source.DATABRICKS,
                kind=ProcessKind.DATABRICKS_JOB,
                display_name="x",
                schedule="every day",
            ),
            id="proc_1",
            now=NOW,
        )
    assert caught.value.field == "schedule"


def test_a_run_maps_its_source_status_and_derives_durations() -> None:
    start = NOW - timedelta(minutes=10)
    run, acts = build_run(
        RunSpec(
            source_status="TERMINATED/SUCCESS_WITH_FAILURES",
            created_date_time=start - timedelta(seconds=30),
            start_date_time=start,
            end_date_time=NOW,
            platform={"job_id": 7},
            activities=(
                ActivitySpec(key="a", display_name="A", source_status="TERMINATED/SUCCESS"),
            ),
        ),
        process=_process(),
        id="run_1",
        activity_ids=["act_1"],
        now=NOW,
    )
    assert run.status is RunStatus.PARTIALLY_SUCCEEDED
    assert run.source_status == "TERMINATED/SUCCESS_WITH_FAILURES"
    assert run.durations == RunDurations(queue_ms=30_000, total_ms=600_000)
    assert acts[0].status is RunStatus.SUCCEEDED and acts[0].kind is ActivityKind.DATABRICKS_TASK


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        (RunSpec(platform={"table_name": "t"}), "tableName"),
        (RunSpec(display_name="x" * 600), "displayName"),
        (RunSpec(start_date_time=NOW, end_date_time=NOW - timedelta(1)), "endDateTime"),
        (RunSpec(statistics=RunStatistics(errors=-1)), "statistics.errors"),
        (RunSpec(durations=RunDurations(total_ms=-5)), "durations.totalMs"),
        (RunSpec(attempt_number=0), "attemptNumber"),
        (
            RunSpec(activities=(ActivitySpec(key="a", display_name="A", depends_on=("b",)),)),
            "activities[0].dependsOn",
        ),
        (
            RunSpec(
                activities=(
                    ActivitySpec(key="a", display_name="A", kind=ActivityKind.INBOUND_FLOW),
                )
            ),
            "activities[0].kind",
        ),
    ],
)
def test_invalid_run_specs_name_the_field(spec: RunSpec, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        build_run(spec, process=_process(), id="run_1", activity_ids=["act_1"], now=NOW)
    assert caught.value.field == field


def test_a_patch_changes_only_what_it_names() -> None:
    run, _ = build_run(
        RunSpec(status=RunStatus.RUNNING, start_date_time=NOW, display_name="keep"),
        process=_process(),
        id="run_1",
        activity_ids=[],
        now=NOW,
    )
    later = NOW + timedelta(minutes=1)
    done = apply_run_patch(
        run, RunPatch(status=RunStatus.SUCCEEDED, end_date_time=later), now=later
    )
    assert done.display_name == "keep"
    assert done.status is RunStatus.SUCCEEDED and done.source_status == "SUCCEEDED"
    assert done.durations.total_ms == 60_000
    assert done.version == run.version + 1
    with pytest.raises(InvalidTransitionError):
        apply_run_patch(done, RunPatch(status=RunStatus.RUNNING), now=later)
    assert RunPatch().display_name is UNSET
