"""The protocol `exchange serve` runs refuses an oversized request head while it is still arriving."""

from __future__ import annotations

import asyncio
import socket

import uvicorn
from fastapi import FastAPI

from exchange.kit.server import LimitedHttpToolsProtocol


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _exchange_bytes(port: int, chunks: list[bytes]) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for chunk in chunks:
            writer.write(chunk)
            await writer.drain()
        return await asyncio.wait_for(reader.read(65536), timeout=10)
    finally:
        writer.close()


async def test_a_slow_huge_header_is_refused_before_it_is_complete(app: FastAPI) -> None:
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, http=LimitedHttpToolsProtocol,
                                           lifespan="off", log_level="warning"))
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:  # noqa: ASYNC110 (uvicorn offers a flag, not an event)
            await asyncio.sleep(0.01)
        head = b"GET /api/v1/health HTTP/1.1\r\nHost: t\r\nX-Padding: "
        # A header that never ends: past the limit the server answers without waiting for the rest.
        answer = await _exchange_bytes(port, [head] + [b"a" * 40_000] * 2)
        assert answer.startswith(b"HTTP/1.1 431"), answer[:200]
        assert b"headers_too_large" in answer
        normal = await _exchange_bytes(port, [b"GET /api/v1/health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"])
        assert normal.startswith(b"HTTP/1.1 200")
    finally:
        server.should_exit = True
        await task
