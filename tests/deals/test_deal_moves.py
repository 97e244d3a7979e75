"""Deal moves over HTTP in states that do not allow them (409 naming the state) and by the wrong
party (403); two concurrent accepts of one milestone pay once."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.tenders.world import final_award, milestones, ok, reviewed, signed_deal, world

BODIES: dict[str, Any] = {
    "sign": None, "supervisions": {"date": "2027-05-01", "findings": "正常", "rating": 3},
    "closing-report": {"summary": "完成", "people_served": 1, "activities": 1},
    "evaluation": {"scores": {}, "total": 80}, "close": None, "terminate": {"reason": "测试"},
}
ACTOR = {"sign": "org", "supervisions": "manager", "closing-report": "org", "evaluation": "evaluator", "close": "buyer",
         "terminate": "buyer"}
ALLOWED = {"pending_signatures": {"sign", "terminate"}, "active": {"supervisions", "closing-report", "terminate"},
           "closed": set()}


async def _deal(app: Any, client: Any, clock: Any) -> tuple[Any, dict[str, Any]]:
    w = await world(app, bidders=1)
    opp, bids = await reviewed(client, clock, w, [6_000_000])
    award = await final_award(client, clock, w, opp["id"], bids[0]["id"])
    return w, award


@pytest.mark.parametrize("action", sorted(BODIES))
async def test_deal_actions_outside_their_states(app, client, clock, action: str) -> None:
    w, award = await _deal(app, client, clock)
    deal = await ok(client.post("/deals", json={"award_id": award["id"], "milestones": milestones(6_000_000, 2)},
                                headers=w.c.buyer.headers), 201)
    actor = getattr(w.c, ACTOR[action])
    r = await client.post(f"/deals/{deal['id']}/{action}", json=BODIES[action], headers=actor.headers)
    if action in ALLOWED["pending_signatures"]:
        assert r.status_code == 200, r.text
    else:
        assert r.status_code == 409 and r.json()["code"] == "deal_pending_signatures", r.text
    r = await client.post(f"/deals/{deal['id']}/{action}", json=BODIES[action], headers=w.c.resident.headers)
    assert r.status_code == 404  # not a party: the deal is not visible
    r = await client.post(f"/deals/{deal['id']}/{action}", json=BODIES[action], headers=w.c.other_org.headers)
    assert r.status_code == 404


async def test_milestone_moves_and_parties(app, client, clock) -> None:
    w, award = await _deal(app, client, clock)
    deal = await signed_deal(client, w, award, parts=2)
    m = deal["milestones"][0]
    base = f"/deals/{deal['id']}/milestones/{m['id']}"
    r = await client.post(f"{base}/accept", headers=w.c.buyer.headers)
    assert r.status_code == 409 and r.json()["code"] == "milestone_pending"
    r = await client.post(f"{base}/reject", json={"reason": "x"}, headers=w.c.buyer.headers)
    assert r.status_code == 409 and r.json()["code"] == "milestone_pending"
    r = await client.post(f"{base}/report", json={"summary": "完成", "evidence": []}, headers=w.c.buyer.headers)
    assert r.status_code == 403
    await ok(client.post(f"{base}/report", json={"summary": "完成", "evidence": []}, headers=w.c.org.headers))
    r = await client.post(f"{base}/report", json={"summary": "再报", "evidence": []}, headers=w.c.org.headers)
    assert r.status_code == 409 and r.json()["code"] == "milestone_reported"
    r = await client.post(f"{base}/accept", headers=w.c.org.headers)
    assert r.status_code == 403
    r = await client.post(f"/deals/{deal['id']}/supervisions", json=BODIES["supervisions"], headers=w.c.buyer.headers)
    assert r.status_code == 403
    r = await client.post(f"/deals/{deal['id']}/milestones/{deal['id']}/accept", headers=w.c.buyer.headers)
    assert r.status_code == 404


@pytest.mark.pg_only
async def test_two_concurrent_accepts_pay_once(app, client, clock) -> None:
    w, award = await _deal(app, client, clock)
    deal = await signed_deal(client, w, award, parts=2)
    m = deal["milestones"][0]
    base = f"/deals/{deal['id']}/milestones/{m['id']}"
    await ok(client.post(f"{base}/report", json={"summary": "完成", "evidence": []}, headers=w.c.org.headers))
    results = await asyncio.gather(*[client.post(f"{base}/accept", headers=a.headers)
                                     for a in (w.c.buyer, w.c.manager, w.c.buyer, w.c.manager)])
    assert sorted(r.status_code for r in results) == [200, 409, 409, 409]
    deal = await ok(client.get(f"/deals/{deal['id']}", headers=w.c.buyer.headers))
    assert [p["amount_fen"] for p in deal["payments"]] == [3_000_000]
    assert deal["money"]["paid_fen"] == 3_000_000
