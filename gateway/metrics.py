"""The gateway's Prometheus metrics, and their exposition on `GET /metrics`.

Every process records into prometheus-client's metric objects; `render()` returns the text
format. Under `gateway serve --workers N` each worker is its own process, so the parent points
every worker at one directory (`PROMETHEUS_MULTIPROC_DIR`, prometheus-client's multiprocess mode)
before they start: each worker writes its values to memory-mapped files there, and whichever worker
answers a scrape reads them all, so every scrape sees the whole server. A worker that exits is
marked dead (`gateway.cli.serving`), so the open-subscriptions gauge counts live workers only.

Metrics (labels in brackets):
- `gateway_requests_total` [route, operation, outcome]: requests by route (`/graphql`,
  `/healthz`, ...), GraphQL operation name, and outcome (ok, partial, refused, failed).
- `gateway_request_duration_seconds` [route, operation]: latency of HTTP requests.
- `gateway_store_statement_duration_seconds` [connection]: time in the store, per statement,
  on reader and writer connections.
- `gateway_subscriptions_open`: live `runChanged` subscriptions.
- `gateway_subscription_drops_total`: subscribers dropped for falling too far behind.
- `gateway_sync_lag_seconds` [connection], `gateway_sync_last_success_timestamp_seconds`
  [connection], `gateway_syncs_total` [connection, outcome]: platform connection syncs,
  recorded through `observe_sync`.

This module imports nothing of the gateway's, so every layer may record into it.
"""

from __future__ import annotations

import os
import re
import threading
import time
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as _multiprocess

__all__ = [
    "CONTENT_TYPE",
    "MULTIPROCESS_DIR",
    "observe_request",
    "observe_store",
    "observe_sync",
    "render",
    "subscription_closed",
    "subscription_dropped",
    "subscription_opened",
]

CONTENT_TYPE = CONTENT_TYPE_LATEST
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
"""The environment variable that puts prometheus-client in multiprocess mode (read when it is
first imported, so it must be set before a worker starts)."""

MAX_OPERATIONS = 200
"""Distinct operation names a process labels; later new names are counted as `other`, so a
client cannot grow the metrics without bound."""
_OPERATION_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,63}$")
_ROUTES = ("/graphql", "/healthz", "/readyz", "/metrics", "/")
_PREFIXES = ("/ingest", "/odata", "/graphiql-static")

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_STORE_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 1.0, 5.0)

REQUESTS = Counter(
    "gateway_requests",
    "Requests by route, GraphQL operation name and outcome (ok, partial, refused, failed).",
    ["route", "operation", "outcome"],
)
REQUEST_SECONDS = Histogram(
    "gateway_request_duration_seconds",
    "Time to answer an HTTP request, by route and GraphQL operation name.",
    ["route", "operation"],
    buckets=_LATENCY_BUCKETS,
)
STORE_SECONDS = Histogram(
    "gateway_store_statement_duration_seconds",
    "Time one SQL statement took in the store, by connection (reader or writer).",
    ["connection"],
    buckets=_STORE_BUCKETS,
)
SUBSCRIPTIONS = Gauge(
    "gateway_subscriptions_open",
    "Live runChanged subscriptions.",
    multiprocess_mode="livesum",
)
DROPS = Counter(
    "gateway_subscription_drops",
    "Subscribers dropped for falling too far behind (closed with 4413; they resume from their "
    "cursor).",
)
SYNC_LAG = Gauge(
    "gateway_sync_lag_seconds",
    "How far behind its platform a connection's data was at the end of its last sync.",
    ["connection"],
    multiprocess_mode="mostrecent",
)
SYNC_SUCCESS = Gauge(
    "gateway_sync_last_success_timestamp_seconds",
    "When a connection last synced successfully (Unix time).",
    ["connection"],
    multiprocess_mode="max",
)
SYNCS = Counter(
    "gateway_syncs",
    "Sync passes by connection and outcome (ok or failed).",
    ["connection", "outcome"],
)

_operations: set[str] = set()
_lock = threading.Lock()


def route_of(path: str) -> str:
    """The route label of a request path: one of a fixed few, so paths never grow the labels."""
    if path in _ROUTES:
        return path
    for prefix in _PREFIXES:
        if path == prefix or path.startswith(prefix + "/"):
            return prefix
    return "other"


def operation_label(name: str | None) -> str:
    """The operation label: the GraphQL operation's name, `anonymous`, or `other` past
    `MAX_OPERATIONS` names (or for a name GraphQL would not allow)."""
    if not name:
        return "anonymous"
    if name in _operations:
        return name
    if not _OPERATION_NAME.match(name):
        return "other"
    with _lock:
        if len(_operations) >= MAX_OPERATIONS:
            return "other"
        _operations.add(name)
    return name


def observe_request(path: str, operation: str | None, outcome: str, seconds: float | None) -> None:
    """Count one request; `seconds` is its latency (None for a WebSocket, which lasts as long
    as its subscriptions)."""
    route = route_of(path)
    label = operation_label(operation) if route == "/graphql" else ""
    key = (route, label, outcome)
    children = _request_children.get(key)
    if children is None:  # the labels are bounded (routes, operations, outcomes): kept
        children = (REQUESTS.labels(*key), REQUEST_SECONDS.labels(route, label))
        _request_children[key] = children
    children[0].inc()
    if seconds is not None:
        children[1].observe(seconds)


# The labelled children of REQUESTS and REQUEST_SECONDS by (route, operation, outcome): the same
# objects `labels()` returns, without its lookup (a lock, a tuple, a dict) on every request.
_request_children: dict[tuple[str, str, str], tuple[Any, Any]] = {}


_READER = STORE_SECONDS.labels("reader")
_WRITER = STORE_SECONDS.labels("writer")


def observe_store(seconds: float, *, writer: bool) -> None:
    """Time one store statement took."""
    (_WRITER if writer else _READER).observe(seconds)


def subscription_opened() -> None:
    SUBSCRIPTIONS.inc()


def subscription_closed() -> None:
    SUBSCRIPTIONS.dec()


def subscription_dropped() -> None:
    DROPS.inc()


def observe_sync(
    connection: str,
    *,
    succeeded: bool,
    lag_seconds: float | None = None,
    finished_at: float | None = None,
) -> None:
    """Record one sync pass of a platform connection (by its name).

    `lag_seconds` is how far behind the platform the connection's data is once the pass ends:
    the end of the pass minus the newest change it could have seen (its window's upper bound,
    or the platform's newest update time), so a sync that keeps up reports a lag near its own
    duration. `finished_at` is the Unix time the pass ended (now when left out). A failed pass
    leaves the lag and the last success time as they were.
    """
    SYNCS.labels(connection, "ok" if succeeded else "failed").inc()
    if not succeeded:
        return
    SYNC_SUCCESS.labels(connection).set(finished_at if finished_at is not None else time.time())
    if lag_seconds is not None:
        SYNC_LAG.labels(connection).set(max(0.0, lag_seconds))


def is_multiprocess() -> bool:
    return bool(os.environ.get(MULTIPROCESS_DIR))


def render() -> bytes:
    """The metrics in Prometheus text format: this process's, or every worker's in
    multiprocess mode."""
    if not is_multiprocess():
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    _multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # prometheus-client leaves it unannotated
    return generate_latest(registry)
