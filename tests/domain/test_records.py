"""`record`: the faster constructor of frozen dataclasses behaves as the dataclass's own."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from gateway.domain import imports, models, run_errors, specs
from gateway.domain.records import record
from gateway.domain.sources import ProcessKind, Source
from gateway.domain.status import RunStatus


@record
class Sample:
    name: str
    count: int = 3
    tags: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Plain:
    name: str
    count: int = 3
    tags: list[str] = dataclasses.field(default_factory=list)


def test_defaults_and_factories_as_the_dataclass_applies_them() -> None:
    one, two = Sample(name="a"), Sample(name="b")
    assert (one.count, one.tags) == (Plain(name="a").count, Plain(name="a").tags) == (3, [])
    assert one.tags is not two.tags  # a new list each time, as default_factory promises
    assert Sample(name="a", count=5, tags=["x"]) == Sample(name="a", count=5, tags=["x"])
    assert Sample(name="a") != Sample(name="a", count=4)


def test_it_stays_frozen_hashable_and_replaceable() -> None:
    sample = Sample(name="a", count=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        sample.count = 2  # type: ignore[misc]
    ref = imports.ProcessRef(
        source=Source.DATABRICKS, kind=ProcessKind.DATABRICKS_JOB, source_id="1", display_name="j"
    )
    assert hash(ref) == hash(dataclasses.replace(ref)) and {ref: 1}[dataclasses.replace(ref)] == 1
    assert dataclasses.replace(sample, count=9) == Sample(name="a", count=9)
    assert not hasattr(sample, "__dict__")  # slotted


def test_wrong_arguments_are_refused_as_the_dataclass_refuses_them() -> None:
    with pytest.raises(TypeError):
        Sample()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Sample(name="a", colour="red")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Sample("a")  # type: ignore[misc]


def test_a_post_init_is_refused_at_definition() -> None:
    with pytest.raises(TypeError, match="__post_init__"):

        @record
        class WithPostInit:
            name: str

            def __post_init__(self) -> None:
                pass


RECORDS = [
    value
    for module in (models, specs, imports, run_errors)
    for value in vars(module).values()
    if isinstance(value, type)
    and dataclasses.is_dataclass(value)
    and value.__module__ == module.__name__
]


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_every_domain_record_sets_each_field_it_is_given(cls: type) -> None:
    """Each field given comes back as given; each left out is the dataclass's default."""
    given = {}
    for i, f in enumerate(dataclasses.fields(cls)):
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            given[f.name] = f"value {i}"
    made = cls(**given)
    for f in dataclasses.fields(cls):
        if f.name in given:
            assert getattr(made, f.name) == given[f.name]
        elif f.default is not dataclasses.MISSING:
            assert getattr(made, f.name) == f.default
        else:
            assert getattr(made, f.name) == f.default_factory()  # type: ignore[misc]


def test_a_run_gets_the_dataclass_defaults_and_is_replaced_field_by_field() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    run = models.DatabricksRun(
        id="run_1",
        workspace_id="ws_1",
        process_id="proc_1",
        source=Source.DATABRICKS,
        source_id="1",
        status=RunStatus.SUCCEEDED,
        source_status="TERMINATED/SUCCESS",
        created_date_time=at,
        last_modified_date_time=at,
        job_id=7,
    )
    assert run.durations == models.RunDurations() and run.trigger == models.RunTrigger()
    assert (run.job_id, run.version, run.is_latest_attempt) == (7, 1, True)
    assert dataclasses.replace(run, job_id=8).job_id == 8


def test_a_record_of_no_fields_is_made_and_refuses_arguments() -> None:
    @record
    class Nothing:
        pass

    assert Nothing() == Nothing()
    with pytest.raises(TypeError):
        Nothing(name="a")  # type: ignore[call-arg]
