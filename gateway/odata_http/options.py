"""System query options (OData 4.01 URL Conventions §5): the query string split into `$filter`,
`$orderby`, `$search`, `$select`, `$expand` (with nested options), `$top`, `$skip`, `$count`,
`$skiptoken`, `$apply` and `$format`.

4.01 rules kept: option names are case-insensitive and the `$` is optional; a system option
given twice is an error; other (custom) options are ignored. Values are percent-decoded but `+`
stays a plus (it is part of a date-time offset, `2026-01-01T00:00:00+01:00`, as clients send it).
The texts of `$filter`, `$orderby` and `$search` go to the query language as they are; its limits
apply there. The limits of this module are below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote

from gateway.odata_http.errors import bad_option

MAX_EXPAND_DEPTH = 3  # $expand inside $expand
MAX_EXPAND_ITEMS = 10  # navigation properties expanded at one level
MAX_SELECT_ITEMS = 100
MAX_SKIP = 10_000  # rows $skip passes over (page on with @odata.nextLink instead)
MAX_QUERY_LENGTH = 8_192  # characters of the whole query string

_OPTIONS = frozenset(
    {"filter", "orderby", "search", "select", "expand", "top", "skip", "count", "skiptoken"}
    | {"apply", "format", "levels", "compute", "index", "schemaversion", "deltatoken"}
)
_NESTED = frozenset({"filter", "orderby", "search", "select", "expand", "top", "skip", "count"})
_NOT_SUPPORTED = frozenset({"levels", "compute", "index", "schemaversion", "deltatoken"})


@dataclass(frozen=True)
class Expand:
    """One navigation property of `$expand`, with its nested options."""

    path: str
    options: Options


@dataclass(frozen=True)
class Options:
    filter: str | None = None
    orderby: str | None = None
    search: str | None = None
    select: tuple[str, ...] | None = None
    expand: tuple[Expand, ...] = ()
    top: int | None = None
    skip: int | None = None
    count: bool = False
    skiptoken: str | None = None
    apply: str | None = None
    format: str | None = None
    given: frozenset[str] = field(default=frozenset())  # the options present
    pairs: tuple[tuple[str, str], ...] = ()  # (name without `$`, value) as given, for nextLinks


def split(text: str, separator: str) -> list[str]:
    """`text` split at `separator` outside parentheses and quoted strings."""
    parts: list[str] = []
    depth = 0
    quoted = False
    start = 0
    for i, ch in enumerate(text):
        if ch == "'":
            quoted = not quoted
        elif quoted:
            continue
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == separator and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _name(raw: str) -> str:
    name = raw.strip().lower().removeprefix("$")
    if name in _NOT_SUPPORTED:
        raise bad_option(f"${name}", f"${name} is not supported.", "NOT_IMPLEMENTED")
    return name


def _integer(option: str, text: str, most: int | None = None) -> int:
    if not text.strip().isdigit():
        raise bad_option(option, f"{option} takes a non-negative integer; it was {text!r}.")
    value = int(text)
    if most is not None and value > most:
        raise bad_option(
            option,
            f"{option} may be at most {most}; it was {value}. Page with @odata.nextLink instead.",
            "LIMIT_EXCEEDED",
        )
    return value


def _boolean(option: str, text: str) -> bool:
    lowered = text.strip().lower()
    if lowered not in ("true", "false"):
        raise bad_option(option, f"{option} takes true or false; it was {text!r}.")
    return lowered == "true"


def _select(text: str) -> tuple[str, ...]:
    items = [item.strip() for item in split(text, ",")]
    if len(items) > MAX_SELECT_ITEMS:
        raise bad_option(
            "$select", f"Select at most {MAX_SELECT_ITEMS} properties.", "LIMIT_EXCEEDED"
        )
    if any(not item for item in items):
        raise bad_option("$select", "$select has an empty item.")
    return tuple(items)


def _expand(text: str, depth: int) -> tuple[Expand, ...]:
    if depth > MAX_EXPAND_DEPTH:
        raise bad_option(
            "$expand", f"$expand may nest at most {MAX_EXPAND_DEPTH} levels.", "LIMIT_EXCEEDED"
        )
    items = [item.strip() for item in split(text, ",")]
    if len(items) > MAX_EXPAND_ITEMS:
        raise bad_option(
            "$expand", f"Expand at most {MAX_EXPAND_ITEMS} properties at once.", "LIMIT_EXCEEDED"
        )
    found = []
    for item in items:
        path, paren, rest = item.partition("(")
        path = path.strip()
        if not path:
            raise bad_option("$expand", "$expand has an empty item.")
        if paren and not rest.endswith(")"):
            raise bad_option("$expand", f"Unbalanced parentheses in $expand item {item!r}.")
        nested = Options()
        if paren:
            pairs = [p for p in split(rest[:-1], ";") if p.strip()]
            nested = _parse(pairs, depth + 1, nested=True)
        found.append(Expand(path, nested))
    return tuple(found)


def _parse(pairs: list[str], depth: int, *, nested: bool) -> Options:
    values: dict[str, str] = {}
    given: list[tuple[str, str]] = []
    for pair in pairs:
        raw, equals, value = pair.partition("=")
        if not raw.startswith("$") and not nested and raw.strip().lower() not in _OPTIONS:
            continue  # a custom query option
        name = _name(raw)
        if name not in (_NESTED if nested else _OPTIONS) or not equals:
            raise bad_option(raw.strip(), f"{raw.strip()!r} is not a query option here.")
        if name in values:
            raise bad_option(f"${name}", f"${name} is given twice.")
        values[name] = value
        given.append((name, value))
    return Options(
        filter=values.get("filter"),
        orderby=values.get("orderby"),
        search=values.get("search"),
        select=_select(values["select"]) if "select" in values else None,
        expand=_expand(values["expand"], depth) if "expand" in values else (),
        top=_integer("$top", values["top"]) if "top" in values else None,
        skip=_integer("$skip", values["skip"], MAX_SKIP) if "skip" in values else None,
        count=_boolean("$count", values["count"]) if "count" in values else False,
        skiptoken=values.get("skiptoken"),
        apply=values.get("apply"),
        format=values.get("format"),
        given=frozenset(values),
        pairs=tuple(given),
    )


def parse(query_string: str) -> Options:
    """The system query options of a request's raw (still percent-encoded) query string."""
    if len(query_string) > MAX_QUERY_LENGTH:
        raise bad_option(
            "query",
            f"The query string may be at most {MAX_QUERY_LENGTH} characters.",
            "LIMIT_EXCEEDED",
        )
    pairs = [unquote(p) for p in query_string.split("&") if p]
    # Only the top level splits on `&` (nested options use `;`), so decoding each pair is safe.
    return _parse(pairs, 1, nested=False)
