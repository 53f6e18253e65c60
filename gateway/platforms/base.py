"""What every platform client is and speaks: the target it talks to, the secret it holds, the pages
a sync reads and the answers of the calls a connection forwards.

A client (`PlatformClient`) is made per pass by its module's `connect(target)`; the sync reads its
`pages(watermark)`, and forwarding calls `start`, `cancel` and `retry`. Clients raise only
`gateway.platforms.errors.PlatformError`s.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib
import sys
import threading
import weakref
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

import orjson

from gateway import __version__
from gateway.domain.imports import (
    DeferredRun,
    Identity,
    ImportedRun,
    Record,
    RecordError,
    RecordFailure,
)
from gateway.domain.models import JSONValue

Parsed = tuple[str, Record] | RecordFailure
"""A record and its position, or why the record at a position failed (as `gateway import` has it)."""

REREAD_WINDOW = timedelta(days=1)
"""How far before the watermark a pass reads again: runs change after they start."""
MASK = "***"


class Secret:
    """A credential: `reveal()` gives its value; `repr`, `str` and formatting give `***`.

    Every secret made is remembered (weakly) so that `scrub` can take it out of any text."""

    __slots__ = ("__weakref__", "_value")

    def __init__(self, value: str) -> None:
        self._value = value
        if value:
            with _LOCK:
                _SECRETS.add(self)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> Any:
        raise TypeError("a Secret is not pickled")


_LOCK = threading.Lock()
_SECRETS: weakref.WeakSet[Secret] = weakref.WeakSet()


def scrub(text: str) -> str:
    """`text` with every live secret's value masked (longest first, so none shows in part)."""
    with _LOCK:
        values = sorted({s.reveal() for s in _SECRETS}, key=len, reverse=True)
    for value in values:
        if value in text:
            text = text.replace(value, MASK)
    return text


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """The platform account a connection speaks to."""

    connection: str
    """The connection's name, for messages."""
    platform: str
    endpoint: str
    """The platform's base URL, with no trailing slash."""
    options: Mapping[str, str] = field(default_factory=dict)
    credential: Secret | None = None
    workspace_id: str = ""

    def option(self, name: str, default: str | None = None) -> str | None:
        return self.options.get(name, default)


@dataclass(frozen=True, slots=True, kw_only=True)
class ProcessTarget:
    """The process a forwarded start is for, by its platform identity."""

    source_id: str
    """The process's platform id (a Databricks job_id, a pipeline name, a data source id)."""
    display_name: str | None = None
    parameters: JSONValue = None


@dataclass(frozen=True, slots=True)
class SyncPage:
    """One page of a sync pass: its records (made by the platform's mapping), and the watermark
    that holds if the pass ends successfully after it."""

    records: Sequence[Parsed]
    watermark: str | None = None


@dataclass(frozen=True, slots=True)
class Forwarded:
    """What the platform answered to a forwarded start or retry."""

    source_id: str
    """The platform's id of the run it started (or, in place, repaired)."""
    source_status: str | None = None
    """Its status in the mapping's `sourceStatus` vocabulary, when the answer says."""
    in_place: bool = False
    """Retry only: the platform reran the same run (Databricks repair) instead of a new one."""


class PlatformClient(Protocol):
    """A platform's wire client, made by its module's `connect(target)`."""

    def pages(self, watermark: str | None) -> AsyncIterator[SyncPage]: ...

    async def start(self, process: ProcessTarget, *, idempotency_token: str) -> Forwarded: ...

    async def cancel(self, run_source_id: str) -> None: ...

    async def retry(self, run_source_id: str, *, idempotency_token: str) -> Forwarded: ...

    async def aclose(self) -> None: ...


Parse = Callable[[Mapping[str, Any]], Record]
"""A platform mapping's `parse`: one platform record in, one record out."""
Identify = Callable[[Mapping[str, Any]], Identity]
"""A platform mapping's `identify`: what `parse` would say a run record is, read alone."""

_SALTS: dict[Parse, hashlib.blake2b] = {}
_RULES = (
    "gateway.platforms.values",
    "gateway.domain.checks",
    "gateway.domain.imports",
    "gateway.domain.lifecycle",
    "gateway.domain.models",
    "gateway.domain.run_errors",
    "gateway.domain.specs",
    "gateway.domain.status_maps",
    "gateway.domain.vocabularies",
)
"""The modules whose rules decide what a platform record becomes, beside its mapping."""


def _salt(parse: Parse) -> hashlib.blake2b:
    """A digest of what decides what `parse` makes of a record: the gateway's version and the
    source of the mapping and of the rules, so a changed mapping reads every record again."""
    salted = hashlib.blake2b(f"{__version__}:{parse.__qualname__}".encode(), digest_size=16)
    for name in (parse.__module__, *_RULES):
        module = sys.modules.get(name) or importlib.import_module(name)
        salted.update(Path(module.__file__ or "").read_bytes())
    return salted


def fingerprint(parse: Parse, value: Mapping[str, Any]) -> str | None:
    """A digest of `value` as `parse` reads it: its JSON, salted by `_salt`. None when `value`
    is not plain JSON."""
    salted = _SALTS.get(parse)
    if salted is None:
        salted = _SALTS[parse] = _salt(parse)
    try:
        data = orjson.dumps(value)
    except TypeError:
        return None
    digest = salted.copy()
    digest.update(data)
    return digest.hexdigest()


def _digested(parse: Parse, value: Mapping[str, Any], digest: str) -> ImportedRun:
    record = parse(value)
    if not isinstance(record, ImportedRun):
        raise RecordError("the record is not a run.")  # a mapping whose identify lied
    return dataclasses.replace(record, fingerprint=digest)


def parse_record(
    parse: Parse, value: Mapping[str, Any], identify: Identify | None = None
) -> Record:
    """The record of `value`: with the mapping's `identify`, a run `DeferredRun` (mapped by the
    store only if its stored digest differs); else `parse(value)`, a run given the `fingerprint`
    of `value`. A record refused raises `RecordError`."""
    digest = fingerprint(parse, value)
    if identify is not None and digest is not None:
        try:
            process, source_id, original = identify(value)
        except RecordError:  # mapped now, so that it fails with parse's own message
            pass
        else:
            return DeferredRun(
                process=process,
                source_id=source_id,
                original_attempt_source_id=original,
                fingerprint=digest,
                parse=functools.partial(_digested, parse, value, digest),
            )
    record = parse(value)
    if isinstance(record, ImportedRun):
        record = dataclasses.replace(record, fingerprint=digest)
    return record


def parse_page(
    parse: Parse, values: Iterable[object], position: str, identify: Identify | None = None
) -> list[Parsed]:
    """The records of a page's JSON objects through a mapping's `parse` (and `identify`, when it
    has one: `parse_record`); a value it refuses is a failure at `"{position}: record {i}"`."""
    out: list[Parsed] = []
    for i, value in enumerate(values, 1):
        where = f"{position}: record {i}"
        if not isinstance(value, Mapping):
            out.append(RecordFailure(where, "a record must be a JSON object."))
            continue
        try:
            out.append((where, parse_record(parse, value, identify)))
        except RecordError as exc:
            out.append(RecordFailure(where, str(exc)))
    return out


def reread_window(target: Target) -> timedelta:
    """The re-read window: the `reread-window` option (minutes) or `REREAD_WINDOW`."""
    given = target.option("reread-window")
    if given is None:
        return REREAD_WINDOW
    try:
        return timedelta(minutes=max(0.0, float(given)))
    except ValueError:
        return REREAD_WINDOW
