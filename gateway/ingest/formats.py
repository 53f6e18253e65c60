"""The import formats by name: how each is read (a streaming reader) and parsed (records)."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from gateway.domain.imports import Record, RecordError, RecordFailure
from gateway.ingest import shapes
from gateway.ingest.native import NativeParser
from gateway.ingest.reader import JsonRecords, NdjsonRecords, Raw, Reader
from gateway.platforms.base import Identify, parse_record
from gateway.platforms.data_factory import mapping as data_factory
from gateway.platforms.databricks import mapping as databricks
from gateway.platforms.datazone import mapping as datazone
from gateway.platforms.industry_data import mapping as industry_data

Parsed = tuple[str, Record] | RecordFailure
"""A record and its position, or why the record at a position failed."""


class Parser(Protocol):
    def parse(self, raw: Raw) -> list[Parsed]: ...

    def close(self) -> list[Parsed]: ...


class RecordParser:
    """A parser of independent records: one platform object in, one record out."""

    def __init__(
        self, parse: Callable[[Mapping[str, Any]], Record], identify: Identify | None = None
    ) -> None:
        self._parse = parse
        self._identify = identify

    def parse(self, raw: Raw) -> list[Parsed]:
        if not isinstance(raw.value, Mapping):
            return [RecordFailure(raw.position, "a record must be a JSON object.")]
        try:
            return [(raw.position, parse_record(self._parse, raw.value, self._identify))]
        except RecordError as exc:
            return [RecordFailure(raw.position, str(exc))]

    def close(self) -> list[Parsed]:
        return []


class ShapeChecked:
    """A format's parser behind a look at each document's shape (gateway/ingest/shapes.py): an
    empty page yields nothing, and an error response or another format's document fails with a
    message that says so, instead of the parser's first missing field."""

    def __init__(self, name: str, inner: Parser) -> None:
        self._name = name
        self._inner = inner

    def parse(self, raw: Raw) -> list[Parsed]:
        verdict = shapes.check(self._name, raw.value)
        if verdict is None:
            return self._inner.parse(raw)
        if verdict == shapes.SKIP:
            return []
        return [RecordFailure(raw.position, verdict)]

    def close(self) -> list[Parsed]:
        return self._inner.close()


@dataclass(frozen=True, slots=True)
class Format:
    """An import format: its name, the media type it is posted as, a reader and a parser."""

    name: str
    media_types: tuple[str, ...]
    reader: Callable[[], Reader]
    parser: Callable[[], Parser]


def _platform(name: str, module: Any) -> Format:
    keys = module.LIST_KEYS
    return Format(
        name=name,
        media_types=("application/json",),
        reader=lambda: JsonRecords(keys),
        parser=lambda: RecordParser(module.parse, getattr(module, "identify", None)),
    )


FORMATS: dict[str, Format] = {
    "gateway": Format(
        name="gateway",
        media_types=("application/x-ndjson", "application/jsonl", "application/json-seq"),
        reader=NdjsonRecords,
        parser=NativeParser,
    ),
    "industry-data": _platform("industry-data", industry_data),
    "data-factory": _platform("data-factory", data_factory),
    "databricks": _platform("databricks", databricks),
    "datazone": _platform("datazone", datazone),
}


async def parse_chunks(format: Format, chunks: AsyncIterable[bytes]) -> AsyncIterator[Parsed]:
    """The records of a byte stream in `format`, one at a time, as the bytes arrive."""
    reader = format.reader()
    parser = ShapeChecked(format.name, format.parser())
    async for chunk in chunks:
        for item in reader.feed(chunk):
            for parsed in _parse(parser, item):
                yield parsed
        if reader.stopped:
            break
    for item in reader.close():
        for parsed in _parse(parser, item):
            yield parsed
    for parsed in parser.close():
        yield parsed


def _parse(parser: Parser, item: Raw | RecordFailure) -> list[Parsed]:
    return [item] if isinstance(item, RecordFailure) else parser.parse(item)
