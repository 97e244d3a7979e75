"""Writing events the way services do (in a unit of work), and a real server for streaming."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import uuid
from collections.abc import AsyncIterator

import uvicorn
from fastapi import FastAPI

from exchange import db, events


async def write_offer_event(app: FastAPI, *, organizations: list[uuid.UUID] | None = None, public: bool = True,
                            title: str = "助餐服务") -> None:
    """One transaction that records one ``offer.published`` event."""
    audience = (events.Audience.everyone(organizations=organizations or []) if public
                else events.Audience.only(organizations=organizations or []))
    async with db.unit_of_work(app.state.session_factory) as session:
        events.record(session, events.OfferPublished(offer_id=uuid.uuid4(), organization_id=uuid.uuid4(), title=title,
                                                     audience=audience))


@contextlib.asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[str]:
    """The app on a real loopback port (streams cannot go through the in-process transport)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning"))
    task = asyncio.create_task(server.serve())
    deadline = asyncio.get_running_loop().time() + 120  # a loaded machine starts slowly
    while not server.started:  # uvicorn says it has started only through this flag
        if task.done() or asyncio.get_running_loop().time() > deadline:
            raise RuntimeError("the server did not start")
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/api/v1"
    finally:
        server.should_exit = True
        await task


async def write_claim_event(app: FastAPI, *, users: list[uuid.UUID] | None = None,
                            organizations: list[uuid.UUID] | None = None) -> None:
    """One transaction that records one ``need.claimed`` event addressed to ``users`` and ``organizations``
    (the rules tell the addressed about a claim)."""
    async with db.unit_of_work(app.state.session_factory) as session:
        events.record(session, events.NeedClaimed(need_id=uuid.uuid4(), organization_id=None,
                                                  audience=events.Audience.everyone(users=users or [],
                                                                                    organizations=organizations or [])))
