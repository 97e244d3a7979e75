"""Brokered deals refuse what can never be carried out, and take the need off the board."""

from __future__ import annotations

import uuid

from sqlalchemy import update

from exchange.opportunities.models import Opportunity
from tests.builders import make_org
from tests.funds.money import make_fund
from tests.listings.world import create, need_body
from tests.tenders.world import milestones, ok, open_tender, world


def _body(w, **fields) -> dict:
    return {"organization_id": str(w.c.org_org.id), "fund_id": str(w.fund_id), "amount_fen": 100_000,
            "milestones": milestones(100_000, 1), **fields}


async def test_a_brokered_deal_on_an_open_need_takes_it_off_the_board(app, client) -> None:
    w = await world(app, bidders=1)
    need = await create(client, w.c.resident, "/needs", need_body())
    deal = await ok(client.post("/deals", json=_body(w, need_id=need["id"]), headers=w.c.manager.headers), 201)
    seen = await ok(client.get(f"/needs/{need['id']}", headers=w.c.manager.headers))
    assert seen["status"] == "claimed" and seen["claimant_organization_id"] == str(w.c.org_org.id)
    r = await client.post(f"/needs/{need['id']}/claim", headers=w.c.other_resident.headers)
    assert r.status_code == 409 and r.json()["code"] == "need_claimed"
    assert deal["need_id"] == need["id"]


async def test_a_confirmed_need_cannot_be_brokered(app, client) -> None:
    w = await world(app, bidders=1)
    need = await create(client, w.c.resident, "/needs", need_body())
    for actor, action in ((w.c.other_resident, "claim"), (w.c.other_resident, "fulfil"), (w.c.resident, "confirm")):
        await ok(client.post(f"/needs/{need['id']}/{action}", headers=actor.headers))
    r = await client.post("/deals", json=_body(w, need_id=need["id"]), headers=w.c.manager.headers)
    assert r.status_code == 409 and r.json()["code"] == "need_confirmed"
    assert "已确认" in r.json()["detail"] and "confirmed" not in r.json()["detail"]  # the state in the reader's language


async def test_a_closed_or_cancelled_opportunity_cannot_be_brokered(app, client, session_factory) -> None:
    w = await world(app, bidders=1)
    cancelled = await open_tender(client, w, earmark=0)
    await ok(client.post(f"/opportunities/{cancelled['id']}/cancel", json={"reason": "预算调整"}, headers=w.c.buyer.headers))
    r = await client.post("/deals", json=_body(w, opportunity_id=cancelled["id"]), headers=w.c.manager.headers)
    assert r.status_code == 409 and r.json()["code"] == "opportunity_cancelled"
    closed = await open_tender(client, w, earmark=0)
    async with session_factory() as session:  # a tender that ran its whole course
        await session.execute(update(Opportunity).where(Opportunity.id == uuid.UUID(closed["id"])).values(status="closed"))
        await session.commit()
    r = await client.post("/deals", json=_body(w, opportunity_id=closed["id"]), headers=w.c.manager.headers)
    assert r.status_code == 409 and r.json()["code"] == "opportunity_closed"


async def test_a_government_department_cannot_implement_a_deal(app, client) -> None:
    w = await world(app, bidders=1)
    department = await make_org(app, "government")
    need = await create(client, w.c.resident, "/needs", need_body())
    r = await client.post("/deals", json=_body(w, need_id=need["id"], organization_id=str(department.id)),
                          headers=w.c.manager.headers)
    assert r.status_code == 422 and r.json()["code"] == "organization_not_implementer"
    assert (await ok(client.get(f"/needs/{need['id']}")))["status"] == "open"  # nothing changed


async def test_a_milestone_cannot_be_due_in_the_past(app, client) -> None:
    w = await world(app, bidders=1)
    need = await create(client, w.c.resident, "/needs", need_body())
    past = [{"title": "第1期", "due_on": "2020-01-31", "amount_fen": 100_000}]
    r = await client.post("/deals", json=_body(w, need_id=need["id"], milestones=past), headers=w.c.manager.headers)
    assert r.status_code == 422 and r.json()["code"] == "due_in_past"
    assert r.json()["errors"][0]["loc"] == ["body", "milestones", 0, "due_on"]


async def test_only_the_opportunitys_buyer_and_managers_may_fund_it(app, client) -> None:
    w = await world(app, bidders=1)
    opp = await open_tender(client, w, earmark=0)
    other_fund = await make_fund(app, w.c.other_buyer.user.organization_id, deposit_fen=1_000_000)
    r = await client.post(f"/opportunities/{opp['id']}/funding", json={"fund_id": str(other_fund), "amount_fen": 1000},
                          headers=w.c.other_buyer.headers)
    assert r.status_code == 403 and r.json()["code"] == "not_opportunity_owner"
    funding = await ok(client.get(f"/opportunities/{opp['id']}/funding", headers=w.c.buyer.headers))
    assert funding["earmarked_fen"] == 0
    await ok(client.post(f"/opportunities/{opp['id']}/funding", json={"fund_id": str(other_fund), "amount_fen": 1000},
                         headers=w.c.manager.headers))
