"""The job runner records each reminder of the contract once, for the parties it concerns."""

from __future__ import annotations

from exchange import db
from exchange.events.repository import EventRepository, Reader
from tests.builders import events_of, run_jobs
from tests.listings.world import cast, create, need_body
from tests.tenders.world import bid, open_tender, world


async def test_bidders_are_reminded_once_a_day_before_the_deadline(app, client, clock) -> None:
    w = await world(app, bidders=2)
    opp = await open_tender(client, w, days=10)
    await bid(client, w.bidders[0], opp["id"], 10_000_000)
    await run_jobs(app)
    assert await events_of(app, types=("reminder.bid_deadline",)) == []  # not yet due
    w.later(app, clock, days=9.5)
    await run_jobs(app)
    await run_jobs(app)
    reminders = await events_of(app, types=("reminder.bid_deadline",))
    assert [(r.entity_id, r.public) for r in reminders] == [(opp["id"], False)]
    async with db.read_only(app.state.session_factory) as session:
        repo = EventRepository(session)
        for org, sees in ((w.bidder_orgs[0].id, True), (w.bidder_orgs[1].id, False), (w.c.buyer_org.id, False)):
            got = await repo.in_order(types=("reminder.bid_deadline",), reader=Reader(organization_id=org))
            assert bool(got) is sees


async def test_managers_are_reminded_of_a_need_nobody_answered_for_a_week(app, client, clock) -> None:
    c = await cast(app)
    need = await create(client, c.resident, "/needs", need_body())
    clock.advance(days=6)
    await run_jobs(app)
    assert await events_of(app, types=("reminder.need_unanswered",)) == []
    clock.advance(days=2)
    await run_jobs(app)
    await run_jobs(app)
    reminders = await events_of(app, types=("reminder.need_unanswered",))
    assert [r.entity_id for r in reminders] == [need["id"]]
    async with db.read_only(app.state.session_factory) as session:
        recipients = (await EventRepository(session).recipients([reminders[0].id]))[reminders[0].id]
    assert c.manager.id in {r.user_id for r in recipients}
