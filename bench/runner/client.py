"""The load client: a minimal HTTP/1.1 keep-alive client on asyncio streams (one connection per
client), so that as little CPU as possible goes to the client on a 2-core machine."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass


class RawClient:
    """One keep-alive HTTP/1.1 connection that POSTs a prepared request and reads the reply."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> RawClient:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(ConnectionError):
                await self.writer.wait_closed()

    async def request(self, prepared: bytes) -> tuple[int, bytes]:
        assert self.reader is not None and self.writer is not None
        self.writer.write(prepared)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = -1
        chunked = False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
        if length >= 0:
            return status, await self.reader.readexactly(length)
        if not chunked:
            raise RuntimeError("a response with neither Content-Length nor chunked encoding")
        body = bytearray()
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await self.reader.readexactly(size + 2)
            if size == 0:
                return status, bytes(body)
            body += chunk[:-2]


def prepare(port: int, payload: bytes) -> bytes:
    return (
        f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nAccept: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    ).encode() + payload


async def sequential(port: int, prepared: bytes, count: int, seconds: float) -> list[float]:
    times: list[float] = []
    async with RawClient(port) as client:
        deadline = time.perf_counter() + seconds
        while len(times) < count and time.perf_counter() < deadline:
            began = time.perf_counter()
            status, _ = await client.request(prepared)
            times.append(time.perf_counter() - began)
            if status != 200:
                raise RuntimeError(f"HTTP {status}")
    return times


@dataclass(frozen=True)
class Load:
    """What a concurrent phase did: requests completed, wall seconds, and this process's CPU
    seconds (`time.process_time()`: the load client's own cost) over the same span."""

    requests: int
    seconds: float
    client_cpu_s: float


async def concurrent(
    port: int, prepared: bytes, clients: int, seconds: float, max_requests: int
) -> Load:
    done = 0
    failed = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done, failed
        async with RawClient(port) as client:
            while done < max_requests and time.perf_counter() < deadline:
                status, _ = await client.request(prepared)
                done += 1
                if status != 200:
                    failed += 1

    began, cpu_began = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(clients)))
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    if failed:
        raise RuntimeError(f"{failed} of {done} requests failed")
    return Load(requests=done, seconds=elapsed, client_cpu_s=cpu)
