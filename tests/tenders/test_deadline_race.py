"""Fifty bids fired at once while the clock crosses the deadline: none is accepted after it."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from tests.tenders.world import ok, open_tender, renew, world


@pytest.mark.pg_only
async def test_fifty_concurrent_bids_around_the_deadline(app, client, clock) -> None:
    w = await world(app, bidders=50, experts=1)
    opp = await open_tender(client, w, earmark=0)
    deadline = dt.datetime.fromisoformat(opp["bid_deadline"])
    clock.freeze(deadline - dt.timedelta(milliseconds=1))
    renew(app, *w.actors())
    answered = 0

    async def submit(i: int) -> object:
        nonlocal answered
        r = await client.post(f"/opportunities/{opp['id']}/bids", json={"proposal": f"方案 {i}", "price_fen": 100_000 + i},
                              headers=w.bidders[i].headers)
        answered += 1
        if answered == 10:  # the deadline passes while the other forty are in flight
            clock.freeze(deadline + dt.timedelta(milliseconds=1))
        return r

    results = await asyncio.gather(*[submit(i) for i in range(50)])
    accepted = [r for r in results if r.status_code == 201]  # type: ignore[attr-defined]
    refused = [r for r in results if r.status_code != 201]  # type: ignore[attr-defined]
    assert len(accepted) >= 10 and refused
    assert all(r.status_code == 409 and r.json()["code"] == "bid_deadline_passed" for r in refused)  # type: ignore[attr-defined]
    assert all(dt.datetime.fromisoformat(r.json()["submitted_at"]) < deadline for r in accepted)  # type: ignore[attr-defined]
    closed = await ok(client.post(f"/opportunities/{opp['id']}/close-bidding", headers=w.c.buyer.headers))
    assert closed["status"] == "bidding_closed" and closed["eligible_bids"] == len(accepted)
    listed = await ok(client.get(f"/opportunities/{opp['id']}/bids", headers=w.c.buyer.headers))
    assert {b["id"] for b in listed["items"]} == {r.json()["id"] for r in accepted}  # type: ignore[attr-defined]
