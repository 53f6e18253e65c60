"""A server that cannot start says why in one line and exits: never a traceback, never a hang.

Two places can fail while the application loads: building it (`create_app`: the settings' files,
such as a JWT key that cannot be read) and its start-up (the lifespan: opening and migrating the
database). `check` tries both before `gateway serve` starts uvicorn, so a refusal is one line on
standard error and exit status 2 (3 when the database cannot be used), whatever the number of
workers. Should one fail in a worker
all the same (the file changed in between), `application` (uvicorn's factory) turns it into one
log line and uvicorn's start-up failure status, on which the parent of `--workers N` stops
instead of starting another worker that fails the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import logging.config
import sys
from typing import Any

from uvicorn.config import STARTUP_FAILURE

from gateway.app import create_app
from gateway.cli.heap import settle_heap
from gateway.config import Settings, SettingsError
from gateway.domain.exceptions import GatewayError, StoreUnavailableError
from gateway.logs import logging_config
from gateway.store.engines import database_for

log = logging.getLogger("uvicorn.error")


class StartupError(SettingsError):
    """The server cannot start: the message is one line, said on standard error (exit 2)."""


def describe(exc: BaseException) -> str:
    """One line on why the application could not load."""
    if isinstance(exc, GatewayError):
        text = exc.message
    elif isinstance(exc, OSError) and exc.strerror:
        text = f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    else:
        text = str(exc) or type(exc).__name__
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return f"the server cannot start: {first}"


async def _open_and_close(settings: Settings) -> None:
    db = database_for(
        settings.database,
        readers=1,
        statement_timeout_ms=settings.statement_timeout_ms,
        create=settings.create,
    )
    await db.open()  # checks the file, connects, applies pending migrations
    await db.close()


def check(settings: Settings) -> None:
    """Raise `StartupError` (one line) when the application would fail to load."""
    config = logging_config(settings.log_level, settings.log_format)
    if config is not None:  # the lines of this check (a long migration's) look like the server's
        logging.config.dictConfig(config)
    try:
        create_app(dataclasses.replace(settings, access_log=False))  # no handler of its own
        asyncio.run(_open_and_close(settings))
    except StoreUnavailableError:  # the database cannot be used: the CLI's one line, exit 3
        raise
    except Exception as exc:
        raise StartupError(describe(exc)) from exc


class _OneLineLifespan:
    """The application, with its lifespan's failures reported as one line (uvicorn logs the
    message a failed start-up sends; Starlette's own is the whole traceback)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        await receive()  # lifespan.startup
        context = self.app.router.lifespan_context(self.app)
        try:
            await context.__aenter__()
        except Exception as exc:
            await send({"type": "lifespan.startup.failed", "message": describe(exc)})
            return
        settle_heap()
        await send({"type": "lifespan.startup.complete"})
        await receive()  # lifespan.shutdown
        try:
            await context.__aexit__(None, None, None)
        except Exception as exc:
            await send({"type": "lifespan.shutdown.failed", "message": describe(exc)})
            return
        await send({"type": "lifespan.shutdown.complete"})


def application() -> Any:
    """uvicorn's factory: the application from the environment's settings, or one log line and
    the start-up failure status when it cannot be built."""
    try:
        app = create_app()
    except Exception as exc:
        log.error(describe(exc))
        with contextlib.suppress(Exception):
            logging.shutdown()
        sys.exit(STARTUP_FAILURE)
    return _OneLineLifespan(app)
