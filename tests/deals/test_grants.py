"""Seed grants (种子金): a one-milestone deal signed for the fund by the manager in one request."""

from __future__ import annotations

import datetime as dt

from tests.builders import make_org_user
from tests.funds.money import figures, make_fund, violations
from tests.tenders.world import ok, world

DUE = (dt.date.today() + dt.timedelta(days=60)).isoformat()


def grant(w, **fields):  # type: ignore[no-untyped-def]
    return {"organization_id": str(w.c.org_org.id), "fund_id": str(w.fund_id), "amount_fen": 300_000,
            "title": "楼栋微更新启动金", "due_on": DUE, **fields}


async def test_a_seed_grant_is_signed_for_the_fund_and_paid_like_any_deal(app, client) -> None:
    w = await world(app, bidders=1, experts=0)
    c = w.c
    before = await w.fund(app)
    made = await ok(client.post("/grants", json=grant(w), headers=c.manager.headers), 201)
    assert made["kind"] == "grant" and made["status"] == "pending_signatures" and made["amount_fen"] == 300_000
    assert made["buyer_signed_at"] and made["org_signed_at"] is None and len(made["milestones"]) == 1
    assert await w.fund(app) == before  # nothing committed until the organization signs

    active = await ok(client.post(f"/deals/{made['id']}/sign", headers=c.org.headers))
    assert active["status"] == "active"
    assert (await w.fund(app))["committed"] == before["committed"] + 300_000
    m = active["milestones"][0]
    await ok(client.post(f"/deals/{made['id']}/milestones/{m['id']}/report", json={"summary": "改造完成", "evidence": []},
                         headers=c.org.headers))
    accepted = await ok(client.post(f"/deals/{made['id']}/milestones/{m['id']}/accept", headers=c.manager.headers))
    assert accepted["milestones"][0]["status"] == "accepted"
    assert await violations(app) == []


async def test_seed_grants_are_refused_cleanly(app, client) -> None:
    w = await world(app, bidders=1, experts=0)
    c = w.c
    buyer_org_user, _ = await make_org_user(app, "buyer")
    poor = await make_fund(app, c.buyer_org.id, deposit_fen=100_000, name="小额基金")
    before = await w.fund(app)
    cases = [
        (c.buyer, grant(w), 403, "role_not_allowed"),
        (c.manager, grant(w, amount_fen=500_001), 422, "seed_grant_too_large"),
        (c.manager, grant(w, organization_id=str(buyer_org_user.user.organization_id)), 422, "not_a_social_organization"),
        (c.manager, grant(w, due_on=dt.date.today().isoformat()), 422, "due_on_not_future"),
        (c.manager, grant(w, fund_id=str(poor)), 409, "insufficient_funds"),
        (c.manager, grant(w, fund_id=str(c.org_org.id)), 422, "unknown_fund"),
    ]
    for actor, body, status, code in cases:
        r = await client.post("/grants", json=body, headers=actor.headers)
        assert (r.status_code, r.json()["code"]) == (status, code), r.text
    assert (await ok(client.get("/deals", headers=c.manager.headers)))["items"] == []
    assert await w.fund(app) == before and (await figures(app, poor))["available"] == 100_000
