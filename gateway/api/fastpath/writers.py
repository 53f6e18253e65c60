"""Row to response values: each field of a plan becomes a small function of the row, bound to
the column positions of its statement once, when the plan is compiled."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import Any

from orjson import loads

from gateway.api.fastpath.parts import (
    ConnectionPlan,
    Const,
    Derived,
    Getter,
    ObjectPlan,
    Plan,
    Row,
    Scalar,
    Spec,
)
from gateway.api.fastpath.specs import Column, Convert
from gateway.domain.models import etag

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)  # `_EPOCH + _MICROSECOND * v`: twice as fast as
# `_EPOCH + timedelta(microseconds=v)`, the same value


def _column(column: Column, index: dict[str, int]) -> Getter:
    i = index[column.label]
    match column.convert:
        case Convert.NONE:
            return itemgetter(i)
        case Convert.BOOL:
            return lambda row: None if (v := row[i]) is None else bool(v)
        case Convert.DATETIME:
            # orjson writes an aware UTC datetime as the API's ISO 8601 with `Z` (OPT_UTC_Z).
            return lambda row: None if (v := row[i]) is None else _EPOCH + _MICROSECOND * v
        case Convert.ETAG:
            return lambda row: etag(row[i])
        case Convert.DURATION_MS:
            j = index[column.extra[0].label]

            def duration(row: Row) -> int | None:
                start, end = row[i], row[j]
                return None if start is None or end is None else (end - start) // 1000

            return duration
        case Convert.JSON:
            return lambda row: None if (v := row[i]) is None else loads(v)
        case Convert.JSON_LIST:
            return lambda row: [] if (v := row[i]) is None else list(loads(v) or ())
        case Convert.JSON_OBJECT:
            return lambda row: {} if (v := row[i]) is None else loads(v) or {}
        case Convert.EMPTY_NULL:
            return lambda row: row[i] or None
        case Convert.ATTRIBUTE:
            key = column.key

            def attribute(row: Row) -> str | None:
                found = None if (v := row[i]) is None else (loads(v) or {}).get(key)
                return found if isinstance(found, str) else None

            return attribute
    raise AssertionError(column.convert)  # pragma: no cover


def _const(value: Any) -> Getter:
    return lambda row: value


def _spec(spec: Spec, index: dict[str, int]) -> Getter:
    if isinstance(spec, Const):
        return _const(spec.value)
    if isinstance(spec, Scalar):
        return _column(spec.column, index)
    if isinstance(spec, Derived):
        pairs = [(c.label, index[c.label]) for c in spec.columns]
        derive, write = spec.derive, spec.write
        if spec.key is None:
            return lambda row: write(derive({label: row[i] for label, i in pairs}))
        return _kept(
            lambda row: write(derive({label: row[i] for label, i in pairs})),
            [index[c.label] for c in spec.key],
        )
    fields = [(key, _spec(s, index)) for key, s in spec.fields]
    if spec.null_when is None:
        return lambda row: {key: get(row) for key, get in fields}
    j = index[spec.null_when.label]
    return lambda row: None if row[j] is None else {key: get(row) for key, get in fields}


KEPT = 1024  # written values kept per derived object of a plan, at most


def _kept(written: Getter, key: list[int]) -> Getter:
    """`written`, with its values kept by the values of the columns at `key` (those the
    selection reads, of which the value is a function): runs with the same counters and no
    entity counts, say, share one written object, made once per plan. At most `KEPT`; past
    them, values are written each time."""
    kept: dict[tuple[Any, ...], Any] = {}

    def get(row: Row) -> Any:
        k = tuple([row[i] for i in key])
        try:
            return kept[k]
        except KeyError:
            value = written(row)
            if len(kept) < KEPT:
                kept[k] = value
            return value

    return get


def kept_by_identity(written: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`written`, with its values kept by the identity of the value written (held, so that no
    other object takes its id): for immutable values that a load gives again while unchanged.
    At most `KEPT`; then the kept values are dropped and kept anew."""
    kept: dict[int, tuple[Any, Any]] = {}

    def get(value: Any) -> Any:
        found = kept.get(id(value))
        if found is not None and found[0] is value:
            return found[1]
        written_value = written(value)
        if len(kept) >= KEPT:
            kept.clear()
        kept[id(value)] = (value, written_value)
        return written_value

    return get


def _expression(spec: Spec, index: dict[str, int], names: dict[str, Any]) -> str:
    """Python source for one field's value of `row`: plain and time columns and embedded
    objects inline; any other column a call of its bound getter, and a constant a name, both
    put in `names`."""
    if isinstance(spec, Scalar) and spec.column.convert is Convert.NONE:
        return f"row[{index[spec.column.label]:d}]"
    if isinstance(spec, Scalar) and spec.column.convert is Convert.DATETIME:
        i = index[spec.column.label]
        return f"(None if (v{i:d} := row[{i:d}]) is None else _EPOCH + _MICROSECOND * v{i:d})"
    n = len(names)
    if isinstance(spec, Const):
        names[f"c{n}"] = spec.value
        return f"c{n}"
    if isinstance(spec, Scalar | Derived):
        names[f"g{n}"] = _spec(spec, index)
        return f"g{n}(row)"
    fields = _items(spec.fields, index, names)
    if spec.null_when is None:
        return f"{{{fields}}}"
    return f"(None if row[{index[spec.null_when.label]:d}] is None else {{{fields}}})"


def _items(specs: Sequence[tuple[str, Spec]], index: dict[str, int], names: dict[str, Any]) -> str:
    return ", ".join(f"{key!r}: {_expression(spec, index, names)}" for key, spec in specs)


def _writer(specs: list[tuple[str, Spec]], index: dict[str, int]) -> Callable[[Row], Any]:
    """One function that writes a row's object, the fields in order, compiled from the specs:
    the same values as their getters, without a call per field. Response keys are GraphQL
    names and go in as `repr` literals; everything else as integers or through `names`."""
    names: dict[str, Any] = {"_EPOCH": _EPOCH, "_MICROSECOND": _MICROSECOND}
    items = _items(specs, index, names)
    code = compile(f"def write(row):\n    return {{{items}}}\n", "<fastpath writer>", "exec")
    exec(code, names)  # noqa: S102 (source built above from integers, names and literals only)
    written: Callable[[Row], Any] = names["write"]
    return written


def _bind_objects(plan: ObjectPlan) -> None:
    index = plan.layout.index
    plan.writers = {
        type_name: [(key, _spec(spec, index)) for key, spec in specs]
        for type_name, specs in plan.fields.items()
    }
    plan.write = {type_name: _writer(specs, index) for type_name, specs in plan.fields.items()}
    for _, child, _ in plan.relations:
        _bind_connection(child)
    for _, reference, _ in plan.references:
        _bind_objects(reference.child)


def _bind_connection(plan: ConnectionPlan) -> None:
    for _, kind, detail in plan.parts:
        if kind in ("nodes", "list"):
            _bind_objects(detail)
        elif kind == "edges":
            for _, part in detail:
                if isinstance(part.value, ObjectPlan):
                    _bind_objects(part.value)


def bind(plan: Plan) -> Plan:
    """Bind every object's fields to the column positions of its statement."""
    for _, kind, detail in plan.roots:
        if kind == "list":
            _bind_connection(detail)
    return plan
