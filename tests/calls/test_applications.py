"""Venture-philanthropy calls that organizations apply to: apply, screen, roadshow scores, decisions
within the budget that become deals; concurrent decisions never overspend the call (PostgreSQL)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from exchange.app import create_app
from tests.builders import make_org_user, make_user
from tests.conftest import make_settings
from tests.funds.money import violations
from tests.listings.world import future
from tests.tenders.world import World, ok, renew, world

BUDGET = 1_000_000
DUE = (dt.date.today() + dt.timedelta(days=120)).isoformat()


def plan(amount: int) -> list[dict[str, Any]]:
    return [{"title": "项目实施", "due_on": DUE, "amount_fen": amount}]


async def open_call(client: httpx.AsyncClient, w: World, budget: int = BUDGET) -> dict[str, Any]:
    body = {"title": "2027年社区治理公益创投大赛", "description": "小额资助社区社会组织", "bid_deadline": future(10),
            "budget_fen": budget, "fund_id": str(w.fund_id)}
    return await ok(client.post("/calls", json=body, headers=w.c.buyer.headers), 201)


async def apply(client: httpx.AsyncClient, actor: Any, call_id: str, amount: int, title: str = "邻里互助计划") -> dict[str, Any]:
    body = {"title": title, "plan": "每月开展四次邻里互助活动", "amount_fen": amount}
    return await ok(client.post(f"/calls/{call_id}/applications", json=body, headers=actor.headers), 201)


async def test_a_call_from_applications_to_funded_deals(app, client, clock) -> None:
    w = await world(app, bidders=3, experts=2)
    c = w.c
    r = await client.post("/calls", json={"title": "空", "bid_deadline": future(10)}, headers=c.buyer.headers)
    assert r.status_code == 422 and r.json()["code"] == "call_empty"
    r = await client.post("/calls", json={"title": "他人资金", "bid_deadline": future(10), "budget_fen": 1,
                                          "fund_id": str(w.fund_id)}, headers=c.other_buyer.headers)
    assert r.status_code == 422 and r.json()["code"] == "unknown_fund"
    call = await open_call(client, w)
    assert call["budget_fen"] == BUDGET
    cid = call["id"]
    listed = await ok(client.get("/calls"))
    assert [(i["id"], i["funded_fen"], i["applications"]) for i in listed["items"]] == [(cid, 0, 0)]

    one, two, three = w.bidders
    a1 = await apply(client, one, cid, 400_000)
    a2 = await apply(client, two, cid, 500_000, "青少年成长营")
    a3 = await apply(client, three, cid, 300_000, "楼道美化")
    r = await client.post(f"/calls/{cid}/applications", json={"title": "再报", "plan": "x", "amount_fen": 1}, headers=one.headers)
    assert r.status_code == 409 and r.json()["code"] == "application_exists"
    outsider, _ = await make_org_user(app, "org")
    w.extra.append(outsider)
    r = await client.post(f"/calls/{cid}/applications", json={"title": "太多", "plan": "x", "amount_fen": BUDGET + 1},
                          headers=outsider.headers)
    assert r.status_code == 422 and r.json()["code"] == "amount_exceeds_budget"
    tiny = {"title": "x", "plan": "x", "amount_fen": 1}
    r = await client.post(f"/calls/{cid}/applications", json=tiny, headers=c.buyer.headers)
    assert r.status_code == 403
    assert (await ok(client.get(f"/calls/{cid}/applications")))["items"] == []
    assert [a["id"] for a in (await ok(client.get(f"/calls/{cid}/applications", headers=two.headers)))["items"]] == [a2["id"]]
    assert (await client.get(f"/applications/{a1['id']}", headers=two.headers)).status_code == 404
    r = await client.post(f"/applications/{a1['id']}/screen", json={"passed": True}, headers=c.manager.headers)
    assert r.status_code == 409 and r.json()["code"] == "call_open"

    w.later(app, clock, days=11)
    r = await client.post(f"/calls/{cid}/applications", json=tiny, headers=outsider.headers)
    assert r.status_code == 409 and r.json()["code"] == "application_deadline_passed"
    for a, passed in ((a1, True), (a2, True), (a3, False)):
        await ok(client.post(f"/applications/{a['id']}/screen", json={"passed": passed, "note": "初审"},
                             headers=c.manager.headers))
    r = await client.post(f"/applications/{a1['id']}/screen", json={"passed": True}, headers=c.manager.headers)
    assert r.status_code == 409 and r.json()["code"] == "application_shortlisted"

    await ok(client.post(f"/calls/{cid}/panel", json={"expert_user_ids": [str(w.experts[0].id)]}, headers=c.buyer.headers))
    await ok(client.post(f"/applications/{a1['id']}/roadshow-scores", json={"score": 80}, headers=c.manager.headers))
    scored = await ok(client.post(f"/applications/{a1['id']}/roadshow-scores", json={"score": 91, "comment": "方案扎实"},
                                  headers=w.experts[0].headers))
    assert scored["roadshow_score"] == 85.5 and scored["roadshow_scores_counted"] == 2
    r = await client.post(f"/applications/{a1['id']}/roadshow-scores", json={"score": 50}, headers=w.experts[1].headers)
    assert r.status_code == 404  # not on the call's panel: the application is not visible to it
    r = await client.post(f"/applications/{a3['id']}/roadshow-scores", json={"score": 50}, headers=c.manager.headers)
    assert r.status_code == 409 and r.json()["code"] == "application_screened_out"

    r = await client.post(f"/applications/{a1['id']}/decide", json={"decision": "fund"}, headers=c.manager.headers)
    assert r.status_code == 422 and r.json()["code"] == "milestones_required"
    r = await client.post(f"/applications/{a1['id']}/decide", json={"decision": "fund", "amount_fen": 400_001,
                                                                   "milestones": plan(400_001)}, headers=c.manager.headers)
    assert r.status_code == 422 and r.json()["code"] == "amount_exceeds_request"
    r = await client.post(f"/applications/{a1['id']}/decide", json={"decision": "fund", "milestones": plan(400_000)},
                          headers=c.buyer.headers)
    assert r.status_code == 403
    before = await w.fund(app)
    funded = await ok(client.post(f"/applications/{a1['id']}/decide", json={"decision": "fund", "milestones": plan(400_000)},
                                  headers=c.manager.headers))
    assert funded["status"] == "funded" and funded["granted_fen"] == 400_000 and funded["deal_id"]
    second = await ok(client.post(f"/applications/{a2['id']}/decide",
                                  json={"decision": "fund", "amount_fen": 450_000, "milestones": plan(450_000)},
                                  headers=c.manager.headers))
    assert second["granted_fen"] == 450_000

    deal = await ok(client.get(f"/deals/{funded['deal_id']}", headers=one.headers))
    assert deal["kind"] == "call" and deal["status"] == "pending_signatures" and deal["buyer_signed_at"]
    assert await w.fund(app) == before  # committed when the organization signs
    await ok(client.post(f"/deals/{deal['id']}/sign", headers=one.headers))
    assert (await w.fund(app))["committed"] == before["committed"] + 400_000

    public = await ok(client.get(f"/calls/{cid}/applications"))
    assert sorted(a["id"] for a in public["items"]) == sorted([a1["id"], a2["id"]])
    assert (await ok(client.get("/calls")))["items"][0]["funded_fen"] == 850_000
    assert await violations(app) == []


@pytest.fixture
async def big_app(database_url: str) -> AsyncIterator[FastAPI]:
    application = create_app(make_settings(database_url, db_pool_size=40))
    async with application.router.lifespan_context(application):
        yield application


@pytest.mark.pg_only
async def test_concurrent_decisions_never_overspend_the_call(big_app, clock) -> None:  # type: ignore[no-untyped-def]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=big_app), base_url="http://test/api/v1",
                                 timeout=120) as client:
        w = await world(big_app, bidders=1, experts=0)
        call = await open_call(client, w)
        applicants = [await make_org_user(big_app, "org") for _ in range(10)]
        apps = [await apply(client, actor, call["id"], 300_000, f"项目{i}") for i, (actor, _) in enumerate(applicants)]
        managers = [await make_user(big_app, "manager") for _ in range(5)]
        w.later(big_app, clock, days=11)
        renew(big_app, *managers)
        for a in apps:
            await ok(client.post(f"/applications/{a['id']}/screen", json={"passed": True}, headers=managers[0].headers))

        async def fund(i: int) -> httpx.Response:
            body = {"decision": "fund", "milestones": plan(300_000)}
            return await client.post(f"/applications/{apps[i]['id']}/decide", json=body, headers=managers[i % 5].headers)

        responses = await asyncio.gather(*(fund(i) for i in range(10)))
        codes = sorted((r.status_code, r.json().get("code")) for r in responses)
        assert codes == [(200, None)] * 3 + [(409, "call_budget_exceeded")] * 7
        listed = (await ok(client.get("/calls")))["items"][0]
        assert listed["funded_fen"] == 900_000 <= BUDGET
        assert await violations(big_app) == []
