"""Reminders from the clock, each sent once, to the right people only."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from exchange.jobs.runner import Runner
from exchange.scheduled import JOBS
from tests.builders import Actor
from tests.listings.world import create, need_body
from tests.tenders.world import bid, ok, open_tender, renew, reviewed, signed_deal, world


async def _pass(app: FastAPI, times: int = 2) -> None:
    runner = Runner(app.state.session_factory, JOBS)
    for _ in range(times):
        await runner.run_once()


async def _types(client: AsyncClient, actor: Actor, prefix: str = "reminder.") -> list[str]:
    items = (await ok(client.get("/me/notifications?limit=200", headers=actor.headers)))["items"]
    return [n["type"] for n in items if n["type"].startswith(prefix)]


async def test_bid_deadline_reminder_to_the_bidders_once(app: FastAPI, client: AsyncClient, clock: Any) -> None:
    w = await world(app, bidders=2, experts=1)
    opp = await open_tender(client, w, days=10)
    await bid(client, w.bidders[0], opp["id"], 1_000_000)
    await _pass(app)
    assert await _types(client, w.bidders[0]) == []
    w.later(app, clock, days=9.5)
    await _pass(app, times=3)
    assert await _types(client, w.bidders[0]) == ["reminder.bid_deadline"]
    for other in (w.bidders[1], w.c.buyer, w.c.other_org, w.c.manager, w.c.admin):
        assert await _types(client, other) == []
    feed = (await ok(client.get("/events?types=reminder.bid_deadline", headers=w.c.other_org.headers)))["items"]
    assert feed == []  # addressed to the bidders alone: it tells nobody else that a bid exists
    mine = (await ok(client.get("/events?types=reminder.bid_deadline", headers=w.bidders[0].headers)))["items"]
    assert [e["entity_id"] for e in mine] == [opp["id"]]


async def test_standstill_and_milestone_reminders(app: FastAPI, client: AsyncClient, clock: Any) -> None:
    w = await world(app, bidders=2, experts=1)
    opp, bids = await reviewed(client, clock, w, [9_000_000, 9_500_000])
    award = await ok(client.post(f"/opportunities/{opp['id']}/award", json={"bid_id": bids[0]["id"]},
                                 headers=w.c.buyer.headers), 201)
    await _pass(app)
    assert await _types(client, w.c.buyer) == []
    w.later(app, clock, days=4.5)
    await _pass(app)
    assert await _types(client, w.c.buyer) == ["reminder.standstill_ending"]
    assert await _types(client, w.c.org) == []
    w.later(app, clock, days=1)
    await _pass(app)
    award = await ok(client.get(f"/awards/{award['id']}", headers=w.c.buyer.headers))
    deal = await signed_deal(client, w, award)
    due = deal["milestones"][0]["due_on"]
    import datetime as dt

    from exchange.kit.clock import now

    days = (dt.date.fromisoformat(due) - now().date()).days - 2
    w.later(app, clock, days=days)
    await _pass(app)
    assert await _types(client, w.c.org) == ["reminder.milestone_due"]
    assert await _types(client, w.c.buyer) == ["reminder.standstill_ending"]


async def test_unanswered_need_reminder_to_the_managers(app: FastAPI, client: AsyncClient, clock: Any) -> None:
    w = await world(app, bidders=1, experts=1)
    await create(client, w.c.resident, "/needs", need_body())
    claimed = await create(client, w.c.resident, "/needs", need_body(title="李爷爷需要陪诊"))
    await ok(client.post(f"/needs/{claimed['id']}/claim", headers=w.c.org.headers))
    w.later(app, clock, days=6)
    await _pass(app)
    assert await _types(client, w.c.manager) == []
    w.later(app, clock, days=1.5)
    await _pass(app, times=3)
    assert await _types(client, w.c.manager) == ["reminder.need_unanswered"]
    assert await _types(client, w.c.resident) == [] and await _types(client, w.c.admin) == []
    renew(app, w.c.manager)
