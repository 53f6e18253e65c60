"""Opaque, time-ordered, kind-prefixed ids (`run_…`, `act_…`, `proc_…`, `ws_…`, `tok_…`).

The body is 26 Crockford base32 characters: 48 bits of milliseconds since the epoch, then 80 bits
that are random for the first id of a millisecond and incremented after it, so ids made by one
process sort by creation. `kind_of` lets `node(id:)` dispatch on the prefix.
"""

from __future__ import annotations

import enum
import os
import threading
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_BODY_LENGTH = 26
_VALID = frozenset(_ALPHABET)


class IdKind(enum.Enum):
    """The kinds of record an id can name, by prefix."""

    WORKSPACE = "ws"
    PROCESS = "proc"
    RUN = "run"
    ACTIVITY = "act"
    TOKEN = "tok"  # noqa: S105 (an id prefix, not a secret)
    CONNECTION = "conn"
    SYNC_REPORT = "sync"


class _Generator:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = -1
        self._last_random = 0

    def next_body(self) -> str:
        with self._lock:
            now_ms = time.time_ns() // 1_000_000
            if now_ms <= self._last_ms:
                now_ms = self._last_ms
                self._last_random = (self._last_random + 1) % (1 << 80)
            else:
                self._last_random = int.from_bytes(os.urandom(10), "big") >> 1
            self._last_ms = now_ms
            value = (now_ms << 80) | self._last_random
        return _encode(value)


_PAIRS = [a + b for a in _ALPHABET for b in _ALPHABET]
"""Every 10-bit value's two digits: an id is 13 lookups, not 26 (ids are made per imported row)."""


def _encode(value: int) -> str:
    """The 26 digits of the low 130 bits of `value`, most significant first."""
    pairs = _PAIRS
    return "".join([pairs[(value >> shift) & 1023] for shift in range(120, -1, -10)])


_generator = _Generator()


def id_at(kind: IdKind, epoch_ms: int, entropy: int) -> str:
    """A reproducible id for a given time and 80 bits of entropy (for seeded data sets)."""
    return f"{kind.value}_{_encode((epoch_ms << 80) | (entropy % (1 << 80)))}"


def new_id(kind: IdKind) -> str:
    """A new id of the given kind."""
    return f"{kind.value}_{_generator.next_body()}"


def kind_of(value: str) -> IdKind | None:
    """The kind an id names, or None when it is not one of ours."""
    prefix, sep, body = value.partition("_")
    if not sep or len(body) != _BODY_LENGTH or not _VALID.issuperset(body):
        return None
    try:
        return IdKind(prefix)
    except ValueError:
        return None
