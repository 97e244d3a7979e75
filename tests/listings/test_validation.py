"""Every rejected input of the three lists answers problem+json with a `code`."""

from __future__ import annotations

import datetime as dt

import pytest

from exchange.kit.clock import now
from tests.listings.world import cast, create, need_body, offer_body, opportunity_body

PAST = (now() - dt.timedelta(days=1)).isoformat()

OPPORTUNITY_CASES = [
    ({"budget_fen": -1}, "validation_failed"),
    ({"budget_fen": 1.5}, "validation_failed"),
    ({"budget_fen": "100"}, "validation_failed"),
    ({"budget_fen": 10**12}, "validation_failed"),
    ({"title": ""}, "validation_failed"),
    ({"title": "长" * 201}, "validation_failed"),
    ({"description": "长" * 5001}, "validation_failed"),
    ({"category": "astrology"}, "unknown_category"),
    ({"target_groups": ["aliens"]}, "unknown_target_group"),
    ({"region_codes": ["510107999999"]}, "unknown_region"),
    ({"region_codes": ["abc"]}, "validation_failed"),
    ({"rubric": [{"criterion": "方案", "weight": 60}, {"criterion": "价格", "weight": 30}]}, "validation_failed"),
    ({"rubric": [{"criterion": "方案", "weight": 50}, {"criterion": "方案", "weight": 50}]}, "validation_failed"),
    ({"rubric": []}, "validation_failed"),
    ({"standstill_days": -1}, "validation_failed"),
    ({"min_bids": 0}, "validation_failed"),
    ({"eligibility": {"min_a_level": 6}}, "validation_failed"),
    ({"bid_deadline": "2030-01-01T00:00:00"}, "validation_failed"),  # no offset
    ({"unknown_field": 1}, "validation_failed"),
    ({"buyer_organization_id": "00000000-0000-4000-8000-000000000000"}, "not_your_organization"),
]


@pytest.mark.parametrize(("change", "code"), OPPORTUNITY_CASES)
async def test_opportunity_rejections(app, client, change, code) -> None:
    c = await cast(app)
    r = await client.post("/opportunities", json=opportunity_body(**change), headers=c.buyer.headers)
    assert r.status_code in (403, 422), r.text
    assert r.headers["content-type"].startswith("application/problem+json") and r.json()["code"] == code


async def test_opportunity_state_rules(app, client, clock) -> None:
    c = await cast(app)
    ok = {"standstill_days": 0.5, "min_bids": 3}
    opp = await create(client, c.buyer, "/opportunities", opportunity_body(bid_deadline=None, **ok))
    assert opp["standstill_days"] == 0.5
    r = await client.post(f"/opportunities/{opp['id']}/publish", headers=c.buyer.headers)
    assert r.status_code == 422 and r.json()["code"] == "bid_deadline_required"
    r = await client.patch(f"/opportunities/{opp['id']}", json={"bid_deadline": PAST}, headers=c.buyer.headers)
    assert r.status_code == 200
    r = await client.post(f"/opportunities/{opp['id']}/publish", headers=c.buyer.headers)
    assert r.status_code == 422 and r.json()["code"] == "deadline_in_past"
    r = await client.patch(f"/opportunities/{opp['id']}", json={"title": None}, headers=c.buyer.headers)
    assert r.status_code == 422 and r.json()["code"] == "null_not_allowed"
    r = await client.post(f"/opportunities/{opp['id']}/cancel", json={}, headers=c.buyer.headers)
    assert r.status_code == 422
    r = await client.post(f"/opportunities/{opp['id']}/cancel", json={"reason": "项目取消"}, headers=c.buyer.headers)
    assert r.status_code == 200
    for action, body in (("publish", None), ("cancel", {"reason": "再次取消"})):
        r = await client.post(f"/opportunities/{opp['id']}/{action}", json=body, headers=c.buyer.headers)
        assert r.status_code == 409 and r.json()["code"] == "opportunity_cancelled"
    r = await client.patch(f"/opportunities/{opp['id']}", json={"title": "改个名字"}, headers=c.buyer.headers)
    assert r.status_code == 409
    r = await client.post("/opportunities", json=opportunity_body(), headers=c.manager.headers)
    assert r.status_code == 422 and r.json()["code"] == "buyer_organization_required"
    r = await client.post("/opportunities", json=opportunity_body(buyer_organization_id="00000000-0000-4000-8000-000000000000"),
                          headers=c.manager.headers)
    assert r.status_code == 422 and r.json()["code"] == "unknown_organization"
    pub = await create(client, c.buyer, "/opportunities", opportunity_body())
    await client.post(f"/opportunities/{pub['id']}/publish", headers=c.buyer.headers)
    r = await client.patch(f"/opportunities/{pub['id']}", json={"bid_deadline": PAST}, headers=c.buyer.headers)
    assert r.status_code == 422 and r.json()["code"] == "deadline_in_past"
    assert (await client.post("/opportunities", json=opportunity_body())).status_code == 401


OFFER_CASES = [
    ({"price_fen": -5}, "validation_failed"),
    ({"pricing": "free", "price_fen": 100}, "price_not_free"),
    ({"pricing": "gratis"}, "validation_failed"),
    ({"capacity_per_month": -1}, "validation_failed"),
    ({"category": "astrology"}, "unknown_category"),
    ({"region_codes": ["510107000999"]}, "unknown_region"),
    ({"target_groups": ["x"] * 13}, "validation_failed"),
]


@pytest.mark.parametrize(("change", "code"), OFFER_CASES)
async def test_offer_rejections(app, client, change, code) -> None:
    c = await cast(app)
    r = await client.post("/offers", json=offer_body(**change), headers=c.org.headers)
    assert r.status_code == 422 and r.json()["code"] == code, r.text


NEED_CASES = [
    ({"points": -1}, "validation_failed"),
    ({"points": 100_000}, "validation_failed"),
    ({"urgency": "panic"}, "validation_failed"),
    ({"category": "astrology"}, "unknown_category"),
    ({"region_code": "510107999999"}, "unknown_region"),
    ({"title": "x"}, "validation_failed"),
]


@pytest.mark.parametrize(("change", "code"), NEED_CASES)
async def test_need_rejections(app, client, change, code) -> None:
    c = await cast(app)
    r = await client.post("/needs", json=need_body(**change), headers=c.resident.headers)
    assert r.status_code == 422 and r.json()["code"] == code, r.text


async def test_need_region_required_without_a_home(app, client) -> None:
    c = await cast(app)
    r = await client.post("/needs", json=need_body(), headers=c.manager.headers)
    assert r.status_code == 422 and r.json()["code"] == "region_required"


async def test_offer_lifecycle(app, client) -> None:
    c = await cast(app)
    offer = await create(client, c.org, "/offers", offer_body())
    assert (await client.post(f"/offers/{offer['id']}/withdraw", headers=c.org.headers)).json()["code"] == "offer_draft"
    assert (await client.post(f"/offers/{offer['id']}/publish", headers=c.org.headers)).json()["status"] == "published"
    assert (await client.post(f"/offers/{offer['id']}/withdraw", headers=c.org.headers)).json()["status"] == "withdrawn"
    assert (await client.get("/offers")).json()["items"] == []
    assert (await client.get(f"/offers/{offer['id']}")).status_code == 200  # once published, its page stays readable
    assert (await client.post(f"/offers/{offer['id']}/publish", headers=c.org.headers)).json()["status"] == "published"
    r = await client.post("/offers", json=offer_body(organization_id=str(c.org_org.id)), headers=c.other_org.headers)
    assert r.status_code == 403 and r.json()["code"] == "not_your_organization"
    r = await client.post("/offers", json=offer_body(), headers=c.manager.headers)
    assert r.status_code == 422 and r.json()["code"] == "organization_required"


async def test_stats(app, client) -> None:
    c = await cast(app)
    await create(client, c.buyer, "/opportunities", opportunity_body(budget_fen=999))  # a draft: not counted
    opp = await create(client, c.buyer, "/opportunities", opportunity_body(budget_fen=1000))
    await client.post(f"/opportunities/{opp['id']}/publish", headers=c.buyer.headers)
    await create(client, c.resident, "/needs", need_body())
    r = await client.get("/stats/lists")
    assert r.status_code == 200
    body = r.json()
    assert body["opportunities"]["count"] == 1 and body["opportunities"]["budget_fen"] == 1000
    assert body["opportunities"]["by_status"] == {"published": 1}
    assert body["needs"]["by_status"] == {"open": 1} and body["offers"]["count"] == 0
