"""Reading an opportunity applies the time-driven moves that are due: nothing waits for a click or a tick."""

from __future__ import annotations

import httpx

from tests.listings.world import cast, opportunity_body, published


async def test_reading_after_the_deadline_closes_bidding(app, client: httpx.AsyncClient, clock) -> None:
    world = await cast(app)
    opp = await published(client, world.buyer, "/opportunities", opportunity_body())
    assert opp["status"] == "published"
    clock.advance(days=30)
    r = await client.get(f"/opportunities/{opp['id']}")
    assert r.status_code == 200, r.text
    # no bids arrived, fewer than min_bids: the close makes it unsuccessful
    assert r.json()["status"] == "unsuccessful"
