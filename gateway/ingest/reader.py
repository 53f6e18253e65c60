"""Streaming readers: bytes in, one record (a JSON value and its position) out at a time.

Both are push parsers (`feed` a chunk, get the records it completed), so a file, a pipe and an HTTP
request body stream through the same code in constant memory, however long the input.

- `JsonRecords` reads the platforms' documents. A list response (`{"value": [...]}` of Graph and
  Data Factory, `{"runs": [...]}` of Databricks, `{"items": [...]}` of DataZone) yields each element
  of its list; a get response (one run object) yields the whole object; a top-level array yields
  its elements. Several documents may follow each other (pages concatenated by a pipe). The list key
  is found in the first bytes of the input; elements are built by ijson's C backend.
- `NdjsonRecords` reads one JSON value per line (the gateway's export); a malformed line is one
  failed record and the next line is read as usual.

A document that is not JSON at all cannot be read past its fault: the reader reports it as a failed
record at the position it reached, with the line and column of the fault while the input is at most
`LOCATE_BYTES`, and stops.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import ijson
import orjson

from gateway.domain.imports import RecordFailure

SNIFF_BYTES = 64 * 1024
"""How much of a document is read before deciding whether it is a list or a get response."""
MAX_LINE_BYTES = 16 * 1024 * 1024
"""The longest NDJSON line accepted; a longer one is a failed record (bounds memory)."""
LOCATE_BYTES = 16 * 1024 * 1024
"""How much of a JSON input is kept to name the line and column of a syntax error; past it, the
error names the record it reached only."""


@dataclass(frozen=True, slots=True)
class Raw:
    """A record as read: a JSON value and where it is in the input."""

    position: str
    value: Any


Item = Raw | RecordFailure


class Reader(Protocol):
    def feed(self, chunk: bytes) -> list[Item]: ...

    def close(self) -> list[Item]: ...

    @property
    def stopped(self) -> bool: ...


def _list_prefix(head: bytes, list_keys: Sequence[str]) -> str | None:
    """The ijson prefix of the records in a document that starts with `head`: `key.item` for a
    list response, `item` for a top-level array, "" for whole documents; None to read more."""
    depth = 0
    key: str | None = None
    try:
        for _prefix, event, value in ijson.parse(head, multiple_values=True):
            if depth == 0 and event == "start_array":
                return "item"
            if depth == 1 and event == "map_key":
                key = value
            elif depth == 1 and event == "start_array" and key in list_keys:
                return f"{key}.item"
            if event in ("start_map", "start_array"):
                depth += 1
            elif event in ("end_map", "end_array"):
                depth -= 1
                if depth == 0:
                    return ""  # a whole document went by with no list in it: a get response
    except ijson.JSONError:
        return ""  # the head ends mid-value, or is not JSON: read whole values (and report it)
    return None


class JsonRecords:
    """The records of one or more platform JSON documents."""

    def __init__(self, list_keys: Sequence[str]) -> None:
        self._list_keys = tuple(list_keys)
        self._head = b""
        self._prefix: str | None = None
        self._parsed: Any = ijson.sendable_list()
        self._coro: Any = None
        self._count = 0
        self._kept: bytearray | None = bytearray()  # the input so far, while it is small
        self.stopped = False

    def _start(self, prefix: str) -> list[Item]:
        self._prefix = prefix
        self._coro = ijson.items_coro(self._parsed, prefix, use_float=True, multiple_values=True)
        head, self._head = self._head, b""
        return self._push(head) if head else []

    def _push(self, chunk: bytes | None) -> list[Item]:
        try:
            if chunk is None:
                self._coro.close()
            else:
                self._coro.send(chunk)
        except ijson.JSONError as exc:
            out = self._drain()
            first = str(exc).splitlines()[0] if str(exc) else "malformed JSON"
            where = _locate(bytes(self._kept)) if self._kept is not None else None
            at = (
                f" at line {where[0]}, column {where[1]} ({where[2]})"
                if where
                else f" here ({first})"
            )
            out.append(
                RecordFailure(
                    f"record {self._count + 1}",
                    f"the input is not valid JSON{at}; reading stopped.",
                )
            )
            self.stopped = True
            return out
        return self._drain()

    def _drain(self) -> list[Item]:
        out: list[Item] = []
        for value in self._parsed:
            self._count += 1
            out.append(Raw(f"record {self._count}", value))
        del self._parsed[:]
        return out

    def feed(self, chunk: bytes) -> list[Item]:
        if self.stopped or not chunk:
            return []
        if self._kept is not None:
            self._kept += chunk
            if len(self._kept) > LOCATE_BYTES:
                self._kept = None
        if self._prefix is None:
            self._head += chunk
            prefix = _list_prefix(self._head, self._list_keys)
            if prefix is None and len(self._head) < SNIFF_BYTES:
                return []
            return self._start(prefix or "")
        return self._push(chunk)

    def close(self) -> list[Item]:
        if self.stopped:
            return []
        out: list[Item] = []
        if self._prefix is None:
            if not self._head.strip():
                return []
            out = self._start(_list_prefix(self._head, self._list_keys) or "")
            if self.stopped:
                return out
        return out + self._push(None)


def _locate(data: bytes) -> tuple[int, int, str] | None:
    """(line, column, what is wrong) of the first syntax error in one or more JSON documents
    (1-based, as editors count), or None when Python's decoder finds none."""
    text = data.decode("utf-8", errors="replace")
    decoder = json.JSONDecoder()
    index = 0
    try:
        while True:
            while index < len(text) and text[index] in " \t\r\n":
                index += 1
            if index >= len(text):
                return None
            _, index = decoder.raw_decode(text, index)
    except json.JSONDecodeError as exc:
        return exc.lineno, exc.colno, exc.msg


class NdjsonRecords:
    """One JSON value per line; blank lines are ignored."""

    def __init__(self) -> None:
        self._buffer = b""
        self._line = 0
        self._skipping = False
        self.stopped = False

    def _parse(self, line: bytes) -> list[Item]:
        self._line += 1
        if not line.strip():
            return []
        try:
            return [Raw(f"line {self._line}", orjson.loads(line))]
        except orjson.JSONDecodeError as exc:
            return [RecordFailure(f"line {self._line}", f"not valid JSON ({exc}).")]

    def feed(self, chunk: bytes) -> list[Item]:
        out: list[Item] = []
        self._buffer += chunk
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            if self._skipping:  # the rest of a line that was too long
                self._skipping = False
                continue
            out.extend(self._parse(line))
        if len(self._buffer) > MAX_LINE_BYTES:
            self._line += 1
            out.append(RecordFailure(f"line {self._line}", f"longer than {MAX_LINE_BYTES} bytes."))
            self._buffer = b""
            self._skipping = True
        return out

    def close(self) -> list[Item]:
        rest, self._buffer = self._buffer, b""
        return [] if self._skipping else self._parse(rest)
