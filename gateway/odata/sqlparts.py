"""SQL fragments that carry their bound parameters, so text and values can never drift apart."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Compiled", "Part", "fmt"]

_SLOT = re.compile(r"\{(\d)\}")
_SIMPLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?")

Param = str | int | float | None


@dataclass(frozen=True)
class Compiled:
    """The compiler's output: SQL text with ``?`` placeholders and the values to bind, in order."""

    sql: str
    params: tuple[Param, ...]


@dataclass(frozen=True)
class Part:
    sql: str
    params: tuple[Param, ...] = ()

    @staticmethod
    def bind(value: Param) -> Part:
        return Part("?", (value,))

    @staticmethod
    def raw(sql: str) -> Part:
        """Catalog SQL (trusted); wrapped in parentheses unless it is a bare column."""
        return Part(sql if _SIMPLE.fullmatch(sql) else f"({sql})")


def fmt(template: str, *parts: Part) -> Part:
    """Fill ``{0}``, ``{1}``... with parts; a part used twice has its parameters bound twice.
    Templates are compiler constants: they hold no client text and no other braces."""
    params: list[Param] = []

    def slot(m: re.Match[str]) -> str:
        part = parts[int(m.group(1))]
        params.extend(part.params)
        return part.sql

    sql = _SLOT.sub(slot, template)
    return Part(sql, tuple(params))


def join(sep: str, parts: list[Part]) -> Part:
    return Part(sep.join(p.sql for p in parts), tuple(v for p in parts for v in p.params))
