"""The gateway's exception tree. Resolvers see only these, never a driver's exception.

    GatewayError                  base of everything the gateway raises on purpose
    ├── NotFoundError             no such record (or not visible to the caller)
    ├── ValidationError           an input value is invalid; names the field
    ├── InvalidArgumentError      a query argument is invalid (cursor, page size); has a code
    ├── PreconditionFailedError   a stale `ifMatch`; carries the current eTag
    ├── ConflictError             the change conflicts with the current state or another record
    ├── InvalidTransitionError    an illegal status change; carries from and to
    ├── LaterAttemptExistsError   a run a later attempt retries cannot go before it
    ├── IdempotencyKeyReusedError an idempotency key sent again with a different input
    ├── ThrottledError            the process's throttle allows no more runs now; retry after
    ├── ProcessNotReadyError      the process is not READY, so it starts no runs
    ├── QueryTimeoutError         a statement ran past the configured time limit
    └── StoreError                the store failed (busy, corrupt, unavailable); never shown as is
        ├── StoreBusyError        the database stayed locked past the busy timeout
        ├── StorageFaultError     the storage cannot serve; shown with its code, for operators
        │   ├── StorageFullError          STORAGE_FULL: the disk (or the file's size limit) is full
        │   ├── StorageReadOnlyError      STORAGE_READ_ONLY: the file cannot be written
        │   └── StorageUnavailableError   STORAGE_UNAVAILABLE: the file vanished, was replaced
        │                                 or cannot be read
        └── StoreUnavailableError the database cannot be used (down, wrong URL, not ours)
            └── ForeignDatabaseError  the SQLite file is not a gateway database (or a newer one's)

Expected errors become typed GraphQL results or errors with `extensions.code`; `StoreError` and
anything else is masked: the client gets a request id, the log gets the trace.
"""

from __future__ import annotations

from gateway.domain.status import ReadinessStatus, RunStatus


class GatewayError(Exception):
    """Base of every exception the gateway raises on purpose."""

    code = "GATEWAY_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(GatewayError):
    code = "NOT_FOUND"

    def __init__(self, kind: str, id: str) -> None:
        super().__init__(f"No {kind} has the id {id!r}.")
        self.kind = kind
        self.id = id


class ValidationError(GatewayError):
    code = "VALIDATION_FAILED"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class InvalidArgumentError(GatewayError):
    """A query argument the client sent is invalid; `code` names the problem."""

    def __init__(self, code: str, argument: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.argument = argument


class PreconditionFailedError(GatewayError):
    code = "PRECONDITION_FAILED"

    def __init__(self, kind: str, id: str, current_e_tag: str, if_match: str) -> None:
        super().__init__(
            f"The {kind} {id!r} has changed: ifMatch {if_match!r} is not its current eTag "
            f"{current_e_tag!r}. Read it again and retry."
        )
        self.kind = kind
        self.id = id
        self.current_e_tag = current_e_tag


class ConflictError(GatewayError):
    """The change conflicts with the current state or another record; `existing_id` names the
    record that is in the way, when there is one."""

    code = "CONFLICT"

    def __init__(self, message: str, existing_id: str | None = None) -> None:
        super().__init__(message)
        self.existing_id = existing_id


class InvalidTransitionError(GatewayError):
    code = "INVALID_TRANSITION"

    def __init__(self, from_status: RunStatus, to_status: RunStatus, message: str = "") -> None:
        super().__init__(
            message or f"A run cannot go from {from_status.value} to {to_status.value}."
        )
        self.from_status = from_status
        self.to_status = to_status


class LaterAttemptExistsError(GatewayError):
    """A later attempt names the run as its original or previous attempt: deleting the run
    would leave that attempt's lineage dangling."""

    code = "LATER_ATTEMPT_EXISTS"

    def __init__(self, id: str, later_id: str, later_attempt_number: int) -> None:
        super().__init__(
            f"The run {id!r} is retried by attempt {later_attempt_number} ({later_id!r}); "
            "delete the later attempts first, newest first, so that no attempt loses its "
            "lineage."
        )
        self.id = id
        self.later_id = later_id
        self.later_attempt_number = later_attempt_number


class IdempotencyKeyReusedError(GatewayError):
    """The idempotency key was used before with a different input."""

    code = "IDEMPOTENCY_KEY_REUSED"

    def __init__(self, key: str) -> None:
        super().__init__(
            f"The idempotency key {key!r} was already used with a different input. Use a new "
            "key for a new request, or resend exactly the first input to get its result."
        )
        self.key = key


class ThrottledError(GatewayError):
    """The process's throttle allows no more runs now."""

    code = "THROTTLED"

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class ProcessNotReadyError(GatewayError):
    """The process cannot start runs in its readiness status."""

    code = "PROCESS_NOT_READY"

    def __init__(self, id: str, readiness: ReadinessStatus) -> None:
        super().__init__(
            f"The process {id!r} is {readiness.value}; only a READY process can start runs."
        )
        self.id = id
        self.readiness = readiness


class QueryTimeoutError(GatewayError):
    """A statement ran past the statement time limit and was stopped."""

    code = "QUERY_TIMEOUT"

    def __init__(self, limit_ms: int) -> None:
        super().__init__(
            f"The query ran past the {limit_ms} ms limit on one statement and was stopped; "
            "narrow the filter or ask for a smaller page."
        )
        self.limit_ms = limit_ms


class StoreError(GatewayError):
    code = "STORE_ERROR"


class StoreBusyError(StoreError):
    code = "STORE_BUSY"


class StorageFaultError(StoreError):
    """The storage cannot serve requests; the client sees the code (nothing was changed)."""

    code = "STORAGE_FAULT"


class StorageFullError(StorageFaultError):
    code = "STORAGE_FULL"

    def __init__(self) -> None:
        super().__init__("The store is full; nothing was changed. Free disk space and retry.")


class StorageReadOnlyError(StorageFaultError):
    code = "STORAGE_READ_ONLY"

    def __init__(self) -> None:
        super().__init__("The store is read-only; nothing was changed.")


class StorageUnavailableError(StorageFaultError):
    code = "STORAGE_UNAVAILABLE"

    def __init__(self, why: str = "cannot be read or written") -> None:
        super().__init__(f"The store is unavailable: its file {why}; nothing was changed.")


class StoreUnavailableError(StoreError):
    """The database cannot be used: its server does not answer, the location or the credentials
    are wrong, it does not exist, or it belongs to something else. The message is one line."""

    code = "STORE_UNAVAILABLE"


class ForeignDatabaseError(StoreUnavailableError):
    """The file at the database location is not one the gateway may open (one-line message)."""

    code = "FOREIGN_DATABASE"
