"""`record`: a frozen, slotted, keyword-only dataclass whose constructor costs half as much.

A frozen dataclass sets each field in `__init__` through `object.__setattr__`, the generic path
that looks the attribute up again for every field. Imports and syncs make several records per
platform run (its spec, the run, its activities, their events) and reads make one per row, so
that cost is paid tens of times per run. `record` keeps everything `dataclass(frozen=True,
slots=True, kw_only=True)` gives (fields, equality, hashing, `replace`, the frozen `__setattr__`)
and replaces only `__init__` with one that calls each field's slot descriptor directly: the
same values set in the same order, defaults and default factories applied as the dataclass
would (tests/domain/test_records.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T")

_NO_VALUE = object()
"""The default of a parameter whose field has a default factory: called when nothing is given."""


def _setter(cls: type, name: str) -> Callable[[object, object], None]:
    for klass in cls.__mro__:
        descriptor = klass.__dict__.get(name)
        if descriptor is not None:
            setter: Callable[[object, object], None] = descriptor.__set__
            return setter
    raise TypeError(f"{cls.__name__}.{name} has no slot")  # pragma: no cover (slots=True)


def _fast_init(cls: type[T]) -> type[T]:
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: record does not run __post_init__")
    names: dict[str, Any] = {"_NO_VALUE": _NO_VALUE}
    params: list[str] = []
    body: list[str] = []
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]  # a dataclass by now
    for i, field in enumerate(fields):
        if not field.init:
            raise TypeError(f"{cls.__name__}.{field.name}: record fields are all init fields")
        names[f"_set{i}"] = _setter(cls, field.name)
        value = field.name
        if field.default is not dataclasses.MISSING:
            names[f"_default{i}"] = field.default
            params.append(f"{field.name}=_default{i}")
        elif field.default_factory is not dataclasses.MISSING:
            names[f"_factory{i}"] = field.default_factory
            params.append(f"{field.name}=_NO_VALUE")
            value = f"_factory{i}() if {field.name} is _NO_VALUE else {field.name}"
        else:
            params.append(field.name)
        body.append(f"    _set{i}(self, {value})")
    signature = f"self, *, {', '.join(params)}" if params else "self"
    source = f"def __init__({signature}):\n" + ("\n".join(body) or "    pass")
    exec(source, names)  # noqa: S102 (generated from the class's own field names, as dataclasses does)
    init = names["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init  # type: ignore[method-assign]  # the dataclass's own, replaced
    return cls


@dataclass_transform(
    frozen_default=True, kw_only_default=True, field_specifiers=(dataclasses.field,)
)
def record(cls: type[T]) -> type[T]:
    """`@dataclass(frozen=True, slots=True, kw_only=True)` with the faster constructor."""
    return _fast_init(dataclasses.dataclass(frozen=True, slots=True, kw_only=True)(cls))
