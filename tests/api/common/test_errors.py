"""The mutation error registry: every expected exception has one schema error type, every
mutation answers through it, and anything else is raised on (and masked)."""

from __future__ import annotations

from graphql import GraphQLUnionType, get_named_type
from strawberry.types.base import StrawberryObjectDefinition

from gateway.api.common import errors
from gateway.api.schema import schema
from gateway.domain import exceptions
from gateway.domain.status import ReadinessStatus, RunStatus
from gateway.odata import ODataError, compile_filter
from gateway.platforms.errors import PlatformRefusedError
from gateway.store.catalogs import RUNS


def _odata_error() -> ODataError:
    try:
        compile_filter("status eq", RUNS)
    except ODataError as exc:
        return exc
    raise AssertionError("the filter compiled")


SAMPLES: list[tuple[BaseException, type[errors.Error]]] = [
    (exceptions.NotFoundError("run", "r1"), errors.NotFoundError),
    (exceptions.ValidationError("input.key", "is empty."), errors.ValidationError),
    (_odata_error(), errors.ValidationError),
    (
        exceptions.PreconditionFailedError("run", "r1", 'W/"2"', 'W/"1"'),
        errors.PreconditionFailedError,
    ),
    (
        exceptions.InvalidTransitionError(RunStatus.SUCCEEDED, RunStatus.RUNNING),
        errors.InvalidTransitionError,
    ),
    (exceptions.ConflictError("taken"), errors.ConflictError),
    (exceptions.LaterAttemptExistsError("r1", "r2", 2), errors.LaterAttemptExistsError),
    (exceptions.IdempotencyKeyReusedError("k"), errors.IdempotencyKeyReusedError),
    (exceptions.ThrottledError("slow down", 3), errors.ThrottledError),
    (
        exceptions.ProcessNotReadyError("p1", ReadinessStatus.DISABLED),
        errors.ProcessNotReadyError,
    ),
    (PlatformRefusedError("prod", "no", status=400, platform_code="X"), errors.PlatformError),
]


def test_each_expected_exception_becomes_its_schema_error() -> None:
    for exc, schema_type in SAMPLES:
        error = errors.to_error(exc)
        assert type(error) is schema_type, exc
        assert error.message and error.code


def test_the_registry_covers_every_schema_error_but_forbidden() -> None:
    produced = {schema_type for _, schema_type in SAMPLES}
    declared = {
        cls
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, errors.Error)
    }
    assert declared - produced == {errors.Error, errors.ForbiddenError}  # `@requires` answers it


def test_unexpected_exceptions_are_not_answered() -> None:
    assert errors.to_error(exceptions.StoreBusyError("busy")) is None
    assert errors.to_error(RuntimeError("defect")) is None


def test_a_subclass_is_answered_as_its_nearest_registered_class() -> None:
    class Taken(exceptions.ConflictError):
        pass

    assert type(errors.to_error(Taken("taken"))) is errors.ConflictError


def test_every_mutation_answers_through_the_registry() -> None:
    mutation = schema.get_type_by_name("Mutation")
    assert isinstance(mutation, StrawberryObjectDefinition)
    for field in mutation.fields:
        resolver = field.base_resolver
        assert resolver is not None
        assert errors.answers_expected_errors(resolver.wrapped_func), field.python_name
    graphql_mutation = schema._schema.mutation_type
    assert graphql_mutation is not None
    for name, graphql_field in graphql_mutation.fields.items():
        result = get_named_type(graphql_field.type)
        assert isinstance(result, GraphQLUnionType), name
