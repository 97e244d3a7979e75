"""Reads never wait for a writer: 20 concurrent readers complete while a write transaction is open
(on SQLite a read is a deferred transaction and takes no lock; on PostgreSQL readers never block)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError

from exchange import db
from exchange.regions.models import Region
from tests.builders import COMM_A1, seed_regions
from tests.conftest import IS_PG
from tests.listings.world import cast, create, need_body, opportunity_body, published


async def test_twenty_readers_complete_while_a_writer_holds_a_transaction(app, client) -> None:
    c = await cast(app)
    opp = await published(client, c.buyer, "/opportunities", opportunity_body())
    need = await create(client, c.resident, "/needs", need_body())
    paths = [f"/opportunities/{opp['id']}", "/opportunities?limit=20", f"/needs/{need['id']}", "/needs?limit=20",
             "/offers?limit=20", f"/regions/{COMM_A1}"]
    async with db.unit_of_work(app.state.session_factory) as writer:
        await writer.execute(update(Region).where(Region.code == COMM_A1).values(name="玉林东路社区（更名中）"))
        responses = await asyncio.gather(*[client.get(paths[i % len(paths)]) for i in range(20)])
        assert [r.status_code for r in responses] == [200] * 20, [r.text for r in responses if r.status_code != 200]
        region = next(r.json() for r in responses if r.url.path.endswith(f"/regions/{COMM_A1}"))
        assert region["name"] == "玉林东路社区"  # the writer has not committed: readers see the state before it
    assert (await client.get(f"/regions/{COMM_A1}")).json()["name"] == "玉林东路社区（更名中）"


async def test_a_read_that_tries_to_write_fails_instead_of_writing(app) -> None:
    """The read-only transaction is enforced: a write slipped into a read is refused, not committed."""
    if IS_PG:
        pytest.skip("SQLite enforces it with query_only; on PostgreSQL a GET's transaction is never committed")
    await seed_regions(app)
    async with db.read_only(app.state.session_factory) as session:
        with pytest.raises(DBAPIError):
            await session.execute(update(Region).where(Region.code == COMM_A1).values(name="x"))
