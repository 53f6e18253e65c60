"""Every platform value maps to its unified status, value by value; unseen values map to UNKNOWN."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.domain.sources import ActivityKind, Source
from gateway.domain.status import ACTIVE_STATUSES, TERMINAL_STATUSES, ReadinessStatus, RunStatus
from gateway.domain.status_maps import (
    Vocabulary,
    databricks_source_status,
    map_readiness,
    map_status,
)
from gateway.domain.vocabularies import activity_status, run_status

VECTORS = json.loads((Path(__file__).parent / "status_vectors.json").read_text())
CASES = [
    (vocabulary, value, expected)
    for vocabulary, table in VECTORS.items()
    if not vocabulary.startswith("_")
    for value, expected in table.items()
]


@pytest.mark.parametrize(("vocabulary", "value", "expected"), CASES)
def test_every_platform_value_maps(vocabulary: str, value: str, expected: str) -> None:
    assert map_status(Vocabulary(vocabulary), value) is RunStatus(expected)


@pytest.mark.parametrize("vocabulary", [v for v in Vocabulary if v is not Vocabulary.GATEWAY])
def test_the_vectors_cover_every_vocabulary(vocabulary: Vocabulary) -> None:
    assert VECTORS[vocabulary.value]


@pytest.mark.parametrize("vocabulary", list(Vocabulary))
@pytest.mark.parametrize("value", ["", None, "brandNewValue", "TERMINATED/NEVER_SEEN", "???"])
def test_unseen_values_map_to_unknown(vocabulary: Vocabulary, value: str | None) -> None:
    assert map_status(vocabulary, value) is RunStatus.UNKNOWN


def test_lookups_ignore_case_spaces_and_underscores() -> None:
    assert map_status(Vocabulary.DATA_FACTORY_SLICE, "TimedOut") is RunStatus.TIMED_OUT
    assert map_status(Vocabulary.INDUSTRY_DATA_RUN, "COMPLETED_WITH_ERRORS") is (
        RunStatus.PARTIALLY_SUCCEEDED
    )


def test_every_status_is_active_or_terminal_but_unknown() -> None:
    assert ACTIVE_STATUSES.isdisjoint(TERMINAL_STATUSES)
    assert set(RunStatus) - ACTIVE_STATUSES - TERMINAL_STATUSES == {RunStatus.UNKNOWN}


def test_each_source_maps_its_own_values() -> None:
    assert run_status(Source.DATA_FACTORY, "Ready") is RunStatus.SUCCEEDED  # v1 slice
    assert run_status(Source.DATA_FACTORY, "Queued") is RunStatus.QUEUED  # v2 pipeline
    assert run_status(Source.DATAZONE, "completed") is RunStatus.UNKNOWN  # Graph's, not DataZone's
    assert activity_status(ActivityKind.DATAZONE_ASSET, "UNCHANGED") is RunStatus.SUCCEEDED
    assert activity_status(ActivityKind.INBOUND_FLOW, "inProgress") is RunStatus.RUNNING


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("notReady", ReadinessStatus.NOT_READY),
        ("ready", ReadinessStatus.READY),
        ("failed", ReadinessStatus.FAILED),
        ("disabled", ReadinessStatus.DISABLED),
        ("deleted", ReadinessStatus.DELETED),
        ("expired", ReadinessStatus.EXPIRED),
        ("unknownFutureValue", ReadinessStatus.UNKNOWN),
        ("somethingNew", ReadinessStatus.UNKNOWN),
    ],
)
def test_readiness_maps(value: str, expected: ReadinessStatus) -> None:
    assert map_readiness(value) is expected


def test_databricks_states_are_written_as_one_source_status() -> None:
    assert databricks_source_status("RUNNING") == "RUNNING"
    written = databricks_source_status("TERMINATED", "SUCCESS_WITH_FAILURES")
    assert written == "TERMINATED/SUCCESS_WITH_FAILURES"
    assert map_status(Vocabulary.DATABRICKS, written) is RunStatus.PARTIALLY_SUCCEEDED
