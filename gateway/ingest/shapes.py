"""What a document read for an import is, before a platform parser sees it: a record of the format,
an empty list page (nothing to import), a platform's error response, or a document of another
format, each named as such instead of failing on its first missing field.

Signatures are the keys the platforms' documents always carry (research/platforms-and-peers.md):
Databricks `run_id` (`runs/list` pages: `runs`, `has_more`), DataZone `dataSourceId` or
`dataSourceRunId` (pages: `items`, `nextToken`), Data Factory `pipelineName` or `runGroupId`
(pages: `value`, `continuationToken`), Graph `@odata.type` `#microsoft.graph.industryData…`, and the
gateway's own `type` lines.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

SKIP = "skip"
"""The verdict for a document that holds no record (an empty page)."""


@dataclass(frozen=True, slots=True)
class Shape:
    """How one format's documents and records look."""

    document: str  # what a user calls the documents, for messages
    page_keys: frozenset[str]  # the keys of a list page besides its records
    is_record: Callable[[Mapping[str, Any]], bool]
    is_page: Callable[[Mapping[str, Any]], bool]


def _has(*keys: str) -> Callable[[Mapping[str, Any]], bool]:
    return lambda value: any(key in value for key in keys)


def _graph_type(value: Mapping[str, Any]) -> bool:
    kind = value.get("@odata.type")
    return isinstance(kind, str) and kind.startswith("#microsoft.graph.industryData")


def _graph_page(value: Mapping[str, Any]) -> bool:
    context = value.get("@odata.context")
    return isinstance(context, str) and "industryData" in context


def _native(value: Mapping[str, Any]) -> bool:
    return value.get("type") in ("workspace", "process", "run", "activity") and "id" in value


SHAPES: dict[str, Shape] = {
    "databricks": Shape(
        "Databricks runs/list or runs/get",
        frozenset({"has_more", "next_page_token", "prev_page_token"}),
        _has("run_id"),
        _has("runs", "has_more"),
    ),
    "datazone": Shape(
        "DataZone ListDataSourceRuns, GetDataSourceRun or ListDataSourceRunActivities",
        frozenset({"nextToken"}),
        _has("dataSourceId", "dataSourceRunId"),
        _has("items"),
    ),
    "data-factory": Shape(
        "Data Factory queryPipelineRuns or slice runs",
        frozenset({"continuationToken", "@odata.context", "@odata.nextLink"}),
        _has("pipelineName", "runGroupId", "dataSliceStart"),
        _has("continuationToken"),
    ),
    "industry-data": Shape(
        "Graph industryDataRun",
        frozenset({"@odata.context", "@odata.nextLink", "@odata.count"}),
        _graph_type,
        _graph_page,
    ),
    "gateway": Shape("gateway export (NDJSON)", frozenset(), _native, lambda value: False),
}


def check(format_name: str, value: Any) -> str | None:
    """None when `value` should be parsed as a record of the format; SKIP for an empty page;
    else the message of a failed record that says what the document is."""
    if not isinstance(value, Mapping):
        return None
    own = SHAPES[format_name]
    if own.is_record(value):
        return None
    if own.page_keys and set(value) <= own.page_keys:
        return SKIP  # a page with no records, such as Databricks' last `{"has_more": false}`
    error = _error_response(value)
    if error is not None:
        return (
            f"the document is an error response from the platform, not runs: {error.rstrip('.')}."
        )
    for name, other in SHAPES.items():
        if name != format_name and (other.is_record(value) or other.is_page(value)):
            return (
                f"this is not a {own.document} document: it looks like {other.document} "
                f"(import it with --format {name})."
            )
    return None


def _error_response(value: Mapping[str, Any]) -> str | None:
    """`CODE: message` of a platform's error body: Databricks `{"error_code", "message"}`,
    Graph and Azure `{"error": {"code", "message"}}`, AWS `{"message"}` (with `__type`/`code`)."""
    if isinstance(value.get("error_code"), str):
        return f"{value['error_code']}: {value.get('message', '')}".rstrip(": ")
    error = value.get("error")
    if isinstance(error, Mapping) and ("code" in error or "message" in error):
        return f"{error.get('code', 'error')}: {error.get('message', '')}".rstrip(": ")
    message = value.get("message", value.get("Message"))
    if isinstance(message, str) and set(value) <= {"message", "Message", "__type", "code"}:
        code = value.get("__type") or value.get("code") or "error"
        return f"{str(code).rsplit('#', 1)[-1]}: {message}"
    return None
