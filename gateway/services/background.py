"""Background work of a server process: a step run every few seconds until shut-down."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from gateway.domain.exceptions import GatewayError


@contextlib.asynccontextmanager
async def periodically(
    step: Callable[[], Awaitable[object]],
    seconds: float,
    log: logging.Logger,
    *,
    first_at_once: bool = False,
) -> AsyncIterator[None]:
    """Run `step` every `seconds` in the background while the block runs; a step that fails
    with an expected error is logged and tried again next time."""

    async def loop() -> None:
        if not first_at_once:
            await asyncio.sleep(seconds)
        while True:
            try:
                await step()
            except GatewayError:
                log.exception("a background step failed; trying again next time")
            await asyncio.sleep(seconds)

    task = asyncio.create_task(loop(), name=log.name)
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
