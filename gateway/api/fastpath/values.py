"""Field groups the fast path writes from domain values: when a selection asks for more of an
object than its columns hold as they are (a run's statistics with their entity counts, metrics
and inbound totals; an error's details and inner error), the row's columns are made into the
domain value by the store's codec, the one the executor's objects come from, and that value is
written field by field as the executor completes it: each field read by its attribute or by its
resolver when that takes nothing but the object, each leaf by its GraphQL type's own
`serialize`. A field that needs more (arguments, the request's context) is not covered."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from functools import partial
from operator import attrgetter
from typing import Any

from graphql import (
    FieldNode,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLString,
    SelectionSetNode,
    get_named_type,
)

Writer = Callable[[Any], Any]
Collect = Callable[[GraphQLObjectType, Sequence[SelectionSetNode]], dict[str, list[FieldNode]]]


class NotWritable(Exception):
    """A selection of a domain value that needs the executor (the plan compiler declines)."""


class NullValue(ValueError):
    """A non-null field without a value: the executor reports it (the request declines)."""


def value_writer(
    type_: GraphQLOutputType,
    nodes: list[FieldNode],
    collect: Collect,
    deferred: frozenset[str] = frozenset(),
) -> Writer:
    """A function from a domain value of `type_` to the response's value of `nodes`' selection.
    `deferred`: fields of the object written as null, in their place, for the plan to fill in
    (a list fetched apart, such as `activityStatistics`)."""
    if isinstance(type_, GraphQLNonNull):
        inner = value_writer(type_.of_type, nodes, collect, deferred)

        def non_null(value: Any) -> Any:
            if value is None:
                raise NullValue
            return inner(value)

        return (
            non_null if not isinstance(type_.of_type, GraphQLScalarType) else _non_null_leaf(inner)
        )
    if isinstance(type_, GraphQLList):
        item = value_writer(type_.of_type, nodes, collect)

        def listed(value: Any) -> Any:
            if not value:  # most lists of statistics are empty
                return None if value is None else []
            return [item(v) for v in value]

        return listed
    if isinstance(type_, GraphQLScalarType | GraphQLEnumType):
        return _leaf(type_)
    if isinstance(type_, GraphQLObjectType):
        sets = [n.selection_set for n in nodes if n.selection_set is not None]
        return _object(type_, sets, collect, deferred)
    raise NotWritable(f"a value of {type_}")


_INT_RANGE = range(-(2**31), 2**31)


def _non_null_leaf(inner: Writer) -> Writer:
    """A non-null leaf: the leaf writer already refuses what serializes to None."""

    def non_null(value: Any) -> Any:
        if value is None:
            raise NullValue
        return inner(value)

    return non_null


def _leaf(type_: GraphQLScalarType | GraphQLEnumType) -> Writer:
    serialize = type_.serialize
    # The built-in scalars' own values pass through their `serialize` unchanged: checked
    # here by exact type (and Int's range) first, the rest left to `serialize`.
    if type_ is GraphQLInt:

        def int_leaf(value: Any) -> Any:
            if type(value) is int and value in _INT_RANGE:
                return value
            return _serialized(serialize, value)

        return int_leaf
    if type_ is GraphQLString or type_ is GraphQLID:

        def str_leaf(value: Any) -> Any:
            if type(value) is str:
                return value
            return _serialized(serialize, value)

        return str_leaf
    if type_ is GraphQLBoolean:
        return lambda value: value if type(value) is bool else _serialized(serialize, value)
    if isinstance(type_, GraphQLEnumType):
        # an enum's name for a member is fixed: each serialized once per plan
        names: dict[Any, Any] = {}

        def enum_leaf(value: Any) -> Any:
            try:
                return names[value]
            except KeyError:
                names[value] = found = _serialized(serialize, value)
                return found
            except TypeError:  # not hashable: not a member
                return _serialized(serialize, value)

        return enum_leaf

    return partial(_serialized, serialize)


def _object(
    type_: GraphQLObjectType,
    sets: list[SelectionSetNode],
    collect: Collect,
    deferred: frozenset[str] = frozenset(),
) -> Writer:
    """One function that writes the object's selected fields in order, compiled from Python
    source (as the row writers of `writers.py` are): an attribute read inline, a built-in
    scalar's own value passed through inline, anything else a call of its writer."""
    names: dict[str, Any] = {}
    items: list[str] = []
    for key, nodes in collect(type_, sets).items():
        n = len(items)
        name = nodes[0].name.value
        if name == "__typename" or name in deferred:
            names[f"c{n}"] = type_.name if name == "__typename" else None
            items.append(f"{key!r}: c{n}")
            continue
        field = type_.fields.get(name)
        if field is None or any(n.arguments for n in nodes):
            raise NotWritable(f"{type_.name}.{name}")
        get, attribute = _getter(field.extensions, name)
        names[f"g{n}"], names[f"p{n}"] = get, value_writer(field.type, nodes, collect)
        read = f"value.{attribute}" if attribute else f"g{n}(value)"
        check = _INLINE.get(get_named_type(field.type).name)
        if check is None:
            items.append(f"{key!r}: p{n}({read})")
        else:
            test = check.format(v=f"(v{n} := {read})", x=f"v{n}")
            items.append(f"{key!r}: (v{n} if {test} else p{n}(v{n}))")
    source = (
        "def write(value):\n    if value is None:\n        return None\n"
        f"    return {{{', '.join(items)}}}\n"
    )
    code = compile(source, "<fastpath value writer>", "exec")
    exec(code, names)  # noqa: S102 (source built above from keys' reprs, identifiers and integers)
    written: Writer = names["write"]
    return written


# The built-in scalars whose own values their `serialize` returns unchanged: the test, inline.
_INLINE = {
    "Int": "type({v}) is int and -2147483648 <= {x} <= 2147483647",
    "String": "type({v}) is str",
    "ID": "type({v}) is str",
    "Boolean": "type({v}) is bool",
}


def _serialized(serialize: Callable[[Any], Any], value: Any) -> Any:
    if value is None:
        return None
    serialized = serialize(value)
    if serialized is None:  # graphql-core refuses it too
        raise NullValue
    return serialized


def _getter(extensions: dict[str, Any], name: str) -> tuple[Writer, str]:
    """How the executor reads the field: its attribute (and its name), or a resolver of the
    object alone (and no name)."""
    definition = extensions.get("strawberry-definition")
    if definition is None:
        raise NotWritable(name)
    resolver = definition.base_resolver
    if resolver is None:
        python_name: str = definition.python_name
        if not python_name.isidentifier():
            raise NotWritable(name)
        return attrgetter(python_name), python_name
    function = resolver.wrapped_func
    if inspect.iscoroutinefunction(function) or list(inspect.signature(function).parameters) != [
        "self"
    ]:
        raise NotWritable(f"{name} needs its resolver's arguments or context")
    written: Writer = function
    return written, ""
