"""Events are recorded in the request's transaction, in order, for the parties they concern."""

from __future__ import annotations

import uuid

import pytest

from exchange import db, events
from exchange.events.repository import EventRepository, Reader
from tests.builders import events_of, run_jobs
from tests.listings.world import cast, create, need_body
from tests.tenders.world import bid, ok, open_tender, world


async def test_the_need_story_records_its_events_in_order(app, client) -> None:
    c = await cast(app)
    nid = (await create(client, c.resident, "/needs", need_body(points=5)))["id"]
    await ok(client.post(f"/needs/{nid}/claim", headers=c.org.headers))
    await ok(client.post(f"/needs/{nid}/fulfil", headers=c.org.headers))
    await ok(client.post(f"/needs/{nid}/confirm", headers=c.resident.headers))
    got = await events_of(app, entity_id=nid)
    assert [e.type for e in got] == ["need.published", "need.claimed", "need.fulfilled", "need.confirmed"]
    assert [e.id for e in got] == sorted(e.id for e in got)
    assert all(e.public and e.entity_type == "need" for e in got)
    claimed = got[1]
    assert claimed.data == {"need_id": nid, "organization_id": str(c.org_org.id)}
    async with db.read_only(app.state.session_factory) as session:
        recipients = (await EventRepository(session).recipients([claimed.id]))[claimed.id]
    assert [(r.user_id, r.organization_id) for r in recipients] == [(c.resident.id, None)]


async def test_a_refused_request_records_no_event(app, client) -> None:
    c = await cast(app)
    nid = (await create(client, c.resident, "/needs", need_body()))["id"]
    r = await client.post(f"/needs/{nid}/claim", headers=c.resident.headers)  # one's own need
    assert r.status_code == 403
    assert [e.type for e in await events_of(app, entity_id=nid)] == ["need.published"]


async def test_a_rolled_back_unit_of_work_leaves_no_event(app) -> None:
    about = uuid.uuid4()
    with pytest.raises(RuntimeError):
        async with db.unit_of_work(app.state.session_factory) as session:
            events.record(session, events.DealClosed(deal_id=about, audience=events.Audience.everyone()))
            raise RuntimeError("the request failed after recording")
    assert await events_of(app, entity_id=about) == []
    async with db.unit_of_work(app.state.session_factory) as session:
        events.record(session, events.DealClosed(deal_id=about, audience=events.Audience.everyone()))
    assert [e.type for e in await events_of(app, entity_id=about)] == ["deal.closed"]


async def test_a_bid_is_told_to_its_bidder_alone_until_the_close(app, client, clock) -> None:
    w = await world(app, bidders=2)
    opp = await open_tender(client, w, min_bids=1)
    mine = await bid(client, w.bidders[0], opp["id"], 10_000_000)
    await ok(client.post(f"/bids/{mine['id']}/withdraw", headers=w.bidders[0].headers))
    bidder, other = w.bidder_orgs[0].id, w.bidder_orgs[1].id
    buyer = w.c.buyer_org.id

    async def seen_by(reader: Reader) -> list[str]:
        async with db.read_only(app.state.session_factory) as session:
            return [e.type for e in await EventRepository(session).in_order(reader=reader)
                    if e.entity_id in (opp["id"], mine["id"])]

    assert await seen_by(Reader(organization_id=bidder)) == ["opportunity.published", "bid.submitted", "bid.withdrawn"]
    for outsider in (Reader(), Reader(organization_id=other), Reader(organization_id=buyer)):
        assert await seen_by(outsider) == ["opportunity.published"]
    await bid(client, w.bidders[1], opp["id"], 9_000_000)
    w.later(app, clock, days=11)
    assert (await run_jobs(app)).applied >= 1
    assert await seen_by(Reader()) == ["opportunity.published", "opportunity.bidding_closed"]
    closed = (await events_of(app, types=("opportunity.bidding_closed",), entity_id=opp["id"]))
    assert len(closed) == 1 and closed[0].data["status"] == "bidding_closed" and closed[0].data["bids"] == 1


async def test_every_event_class_has_a_type_from_the_contract() -> None:
    assert set(events.EVENT_CLASSES) == set(events.EventType)
    assert all("." in t.value for t in events.EventType)
