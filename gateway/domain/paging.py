"""Relay paging arguments, their limits, and opaque keyset cursors.

A cursor is base64url of a small JSON array: the ordering's name, then the row's sort-key values,
the id last. It is opaque to clients; a cursor made for one ordering is refused by another.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

import orjson

from gateway.domain.exceptions import InvalidArgumentError

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
MAX_CURSOR_LENGTH = 1024


@dataclass(frozen=True, slots=True)
class PageRequest:
    """A validated page: `limit` rows forward from `after`, or backward from `before`."""

    limit: int
    forward: bool
    cursor: str | None

    @classmethod
    def from_arguments(
        cls,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> PageRequest:
        """Validate Relay's `first/after/last/before`; `first` defaults to 50, at most 500."""
        if first is not None and last is not None:
            raise InvalidArgumentError(
                "INVALID_PAGINATION", "last", "Give either first or last, not both."
            )
        if after is not None and before is not None:
            raise InvalidArgumentError(
                "INVALID_PAGINATION", "before", "Give either after or before, not both."
            )
        forward = last is None and before is None
        size = first if forward else last
        name = "first" if forward else "last"
        if size is None:
            size = DEFAULT_PAGE_SIZE
        if size < 0:
            raise InvalidArgumentError(
                "INVALID_PAGE_SIZE", name, f"{name} must be 0 or more; it was {size}."
            )
        if size > MAX_PAGE_SIZE:
            raise InvalidArgumentError(
                "PAGE_SIZE_EXCEEDED",
                name,
                f"{name} may be at most {MAX_PAGE_SIZE}; it was {size}. Page with the cursors.",
            )
        return cls(limit=size, forward=forward, cursor=after if forward else before)


_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def encode_cursor(ordering: str, values: tuple[Any, ...]) -> str:
    """An opaque cursor for a row's sort-key values (id last) under an ordering."""
    raw = orjson.dumps([ordering, *values])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, ordering: str, arity: int, argument: str) -> tuple[Any, ...]:
    """The sort-key values of a cursor; `INVALID_CURSOR` if it is not one of ours for `ordering`."""
    problem = InvalidArgumentError(
        "INVALID_CURSOR",
        argument,
        f"{argument} is not a cursor this connection gave out for this ordering.",
    )
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise problem
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = orjson.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeEncodeError, orjson.JSONDecodeError):
        raise problem from None
    if not isinstance(data, list) or len(data) != arity + 1 or data[0] != ordering:
        raise problem
    values = tuple(data[1:])
    if not all(v is None or isinstance(v, (str, int, float)) for v in values):
        raise problem
    if any(isinstance(v, int) and not _INT64_MIN <= v <= _INT64_MAX for v in values):
        raise problem  # no key we store is wider than SQLite's 64-bit integers
    if not isinstance(values[-1], str):
        raise problem
    return values
