"""The 揭榜 flow: support, claim, fulfil, confirm (points), withdraw, and conversion into an opportunity."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import func, select

from exchange.audit.models import AuditEvent
from exchange.points.models import PointsEntry
from tests.builders import COMM_A1, COMM_B1, make_user
from tests.listings.world import cast, create, need_body, opportunity_body


async def test_claim_fulfil_confirm_pays_once(app, client, session_factory) -> None:
    c = await cast(app)
    need = await create(client, c.resident, "/needs", need_body(points=30))
    assert need["region_code"] == COMM_A1 and need["category"] is None and need["status"] == "open"
    nid = need["id"]
    r = await client.post(f"/needs/{nid}/fulfil", headers=c.other_resident.headers)
    assert r.status_code == 403 and r.json()["code"] == "not_allowed"  # only a claimant fulfils
    r = await client.post(f"/needs/{nid}/confirm", headers=c.resident.headers)
    assert r.status_code == 409 and r.json()["code"] == "need_open"
    r = await client.post(f"/needs/{nid}/claim", headers=c.resident.headers)
    assert r.status_code == 403 and r.json()["code"] == "own_need"
    r = await client.post(f"/needs/{nid}/claim", headers=c.other_resident.headers)
    assert r.status_code == 200 and r.json()["status"] == "claimed"
    assert r.json()["claimant_user_id"] == str(c.other_resident.id)
    r = await client.post(f"/needs/{nid}/claim", headers=c.org.headers)
    assert r.status_code == 409 and r.json()["code"] == "need_claimed"
    r = await client.post(f"/needs/{nid}/fulfil", headers=c.org.headers)
    assert r.status_code == 403
    r = await client.post(f"/needs/{nid}/fulfil", headers=c.other_resident.headers)
    assert r.status_code == 200 and r.json()["status"] == "fulfilled"
    r = await client.post(f"/needs/{nid}/confirm", headers=c.other_resident.headers)
    assert r.status_code == 403
    r = await client.post(f"/needs/{nid}/confirm", headers=c.resident.headers)
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    r = await client.post(f"/needs/{nid}/confirm", headers=c.manager.headers)
    assert r.status_code == 409 and r.json()["code"] == "need_confirmed"
    points = (await client.get("/me/points", headers=c.other_resident.headers)).json()
    assert points["balance"] == 30 and [e["need_id"] for e in points["entries"]] == [nid]
    assert (await client.get("/me", headers=c.other_resident.headers)).json()["points_balance"] == 30
    async with session_factory() as s:
        actions = set((await s.execute(select(AuditEvent.action).where(AuditEvent.entity_id == nid))).scalars())
    assert {"need.created", "need.claim", "need.fulfil", "need.confirm"} <= actions


async def test_support_once_and_withdraw(app, client) -> None:
    c = await cast(app)
    nid = (await create(client, c.resident, "/needs", need_body()))["id"]
    r = await client.post(f"/needs/{nid}/support", headers=c.other_resident.headers)
    assert r.status_code == 200 and r.json()["supporters"] == 1
    r = await client.post(f"/needs/{nid}/support", headers=c.other_resident.headers)
    assert r.status_code == 409 and r.json()["code"] == "already_supported"
    third = await make_user(app, "resident", region_code=COMM_B1)
    r = await client.post(f"/needs/{nid}/support", headers=third.headers)
    assert r.json()["supporters"] == 2
    assert (await client.post(f"/needs/{nid}/support", headers=c.org.headers)).status_code == 403
    assert (await client.post(f"/needs/{nid}/support")).status_code == 401
    assert (await client.post(f"/needs/{nid}/withdraw", headers=c.other_resident.headers)).status_code == 403
    r = await client.post(f"/needs/{nid}/withdraw", headers=c.resident.headers)
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    r = await client.post(f"/needs/{nid}/withdraw", headers=c.resident.headers)
    assert r.status_code == 409 and r.json()["code"] == "need_withdrawn"
    r = await client.patch(f"/needs/{nid}", json={"title": "再改一下"}, headers=c.resident.headers)
    assert r.status_code == 409


async def test_release_and_org_claim(app, client) -> None:
    c = await cast(app)
    nid = (await create(client, c.resident, "/needs", need_body(points=5)))["id"]
    r = await client.post(f"/needs/{nid}/claim", headers=c.org.headers)
    assert r.json()["claimant_organization_id"] == str(c.org_org.id)
    assert (await client.post(f"/needs/{nid}/release", headers=c.other_org.headers)).status_code == 403
    r = await client.post(f"/needs/{nid}/release", headers=c.org.headers)
    assert r.status_code == 200 and r.json()["status"] == "open" and r.json()["claimant_user_id"] is None
    assert (await client.post(f"/needs/{nid}/claim", headers=c.other_org.headers)).status_code == 200


async def test_community_posts_for_residents(app, client) -> None:
    c = await cast(app)
    r = await client.post("/needs", json=need_body(region_code=None), headers=c.community.headers)
    assert r.status_code == 201, r.text
    need = r.json()
    assert need["on_behalf_organization_id"] == str(c.community_org.id) and need["region_code"] == COMM_A1
    r = await client.patch(f"/needs/{need['id']}", json={"urgency": "high"}, headers=c.community.headers)
    assert r.status_code == 200 and r.json()["urgency"] == "high"
    r = await client.get("/needs", params={"org_id": str(c.community_org.id)})
    assert [i["id"] for i in r.json()["items"]] == [need["id"]]


async def test_from_needs(app, client) -> None:
    c = await cast(app)
    a = await create(client, c.resident, "/needs", need_body(category="elderly_care", target_groups=["elderly"]))
    b = await create(client, c.other_resident, "/needs", need_body(region_code=COMM_B1, target_groups=["disabled"]))
    await client.post(f"/needs/{a['id']}/support", headers=c.other_resident.headers)
    body = {"need_ids": [a["id"], b["id"]], "title": "独居老人助餐项目", "budget_fen": 5_000_000,
            "buyer_organization_id": str(c.buyer_org.id)}
    assert (await client.post("/opportunities/from-needs", json=body, headers=c.buyer.headers)).status_code == 403
    r = await client.post("/opportunities/from-needs", json=body, headers=c.manager.headers)
    assert r.status_code == 201, r.text
    opp = r.json()
    assert opp["status"] == "draft" and opp["category"] == "elderly_care"
    assert opp["region_codes"] == sorted([COMM_A1, COMM_B1]) and opp["target_groups"] == ["disabled", "elderly"]
    assert opp["need_ids"] == [a["id"], b["id"]] and opp["supporters_total"] == 1
    assert r.headers["Location"].endswith(opp["id"])
    need = (await client.get(f"/needs/{a['id']}")).json()
    assert need["status"] == "converted" and need["opportunity_id"] == opp["id"]
    # a need that is not open: 409, and nothing changes
    c2 = await create(client, c.resident, "/needs", need_body(category="health"))
    r = await client.post("/opportunities/from-needs", json={**body, "need_ids": [c2["id"], a["id"]]},
                          headers=c.manager.headers)
    assert r.status_code == 409 and r.json()["code"] == "need_converted"
    assert (await client.get(f"/needs/{c2['id']}")).json()["status"] == "open"
    unknown = "00000000-0000-4000-8000-000000000000"
    r = await client.post("/opportunities/from-needs", json={**body, "need_ids": [c2["id"], unknown]}, headers=c.manager.headers)
    assert r.status_code == 422 and r.json()["code"] == "need_not_found"
    r = await client.post("/opportunities/from-needs", json={**body, "need_ids": []}, headers=c.manager.headers)
    assert r.status_code == 422
    plain = await create(client, c.resident, "/needs", need_body())
    r = await client.post("/opportunities/from-needs", json={**body, "need_ids": [plain["id"]]}, headers=c.manager.headers)
    assert r.status_code == 422 and r.json()["code"] == "category_required"


def _clients(app) -> list[httpx.AsyncClient]:
    return [httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test/api/v1") for _ in range(6)]


@pytest.mark.pg_only
async def test_concurrent_claims_exactly_one_wins(app, client) -> None:
    c = await cast(app)
    claimers = [c.other_resident, c.org, c.other_org] + [await make_user(app, "resident") for _ in range(3)]
    for _ in range(3):
        nid = (await create(client, c.resident, "/needs", need_body()))["id"]
        clients = _clients(app)
        try:
            results = await asyncio.gather(*[cl.post(f"/needs/{nid}/claim", headers=a.headers)
                                             for cl, a in zip(clients, claimers, strict=True)])
        finally:
            for cl in clients:
                await cl.aclose()
        statuses = sorted(r.status_code for r in results)
        assert statuses == [200] + [409] * 5, [r.text for r in results]
        winner = next(r.json() for r in results if r.status_code == 200)
        # the requester sees who claimed it (the public does not: privacy.redaction)
        seen = (await client.get(f"/needs/{nid}", headers=c.resident.headers)).json()
        assert seen["claimant_user_id"] == winner["claimant_user_id"]


@pytest.mark.pg_only
async def test_concurrent_confirms_pay_once(app, client, session_factory) -> None:
    c = await cast(app)
    nid = (await create(client, c.resident, "/needs", need_body(points=40)))["id"]
    await client.post(f"/needs/{nid}/claim", headers=c.other_resident.headers)
    await client.post(f"/needs/{nid}/fulfil", headers=c.other_resident.headers)
    clients = _clients(app)
    try:
        confirmers = [c.resident, c.manager, c.admin, c.resident, c.manager, c.admin]
        results = await asyncio.gather(*[cl.post(f"/needs/{nid}/confirm", headers=a.headers)
                                         for cl, a in zip(clients, confirmers, strict=True)])
    finally:
        for cl in clients:
            await cl.aclose()
    assert sorted(r.status_code for r in results) == [200] + [409] * 5
    async with session_factory() as s:
        total = (await s.execute(select(func.sum(PointsEntry.amount)).where(PointsEntry.user_id == c.other_resident.id))).scalar()
    assert total == 40
    assert (await client.get("/me/points", headers=c.other_resident.headers)).json()["balance"] == 40


async def test_unknown_and_guessed_ids(app, client) -> None:
    c = await cast(app)
    for path in ("/needs/00000000-0000-4000-8000-000000000000", "/needs/not-a-uuid",
                 "/offers/00000000-0000-4000-8000-000000000000", "/opportunities/xyz"):
        r = await client.get(path)
        assert r.status_code == 404 and r.json()["code"].endswith("_not_found")
    r = await client.post("/needs/00000000-0000-4000-8000-000000000000/claim", headers=c.org.headers)
    assert r.status_code == 404


async def test_opportunity_from_converted_needs_is_listed(app, client) -> None:
    c = await cast(app)
    a = await create(client, c.resident, "/needs", need_body(category="elderly_care"))
    body = {"need_ids": [a["id"]], "title": "助餐项目", "budget_fen": 100, "buyer_organization_id": str(c.buyer_org.id),
            "bid_deadline": opportunity_body()["bid_deadline"]}
    opp = (await client.post("/opportunities/from-needs", json=body, headers=c.manager.headers)).json()
    await client.post(f"/opportunities/{opp['id']}/publish", headers=c.buyer.headers)
    items = (await client.get("/opportunities")).json()["items"]
    assert items[0]["need_ids"] == [a["id"]]


async def test_my_needs(app, client) -> None:
    c = await cast(app)
    mine = (await create(client, c.resident, "/needs", need_body()))["id"]
    gone = (await create(client, c.resident, "/needs", need_body()))["id"]
    await create(client, c.other_resident, "/needs", need_body())
    await client.post(f"/needs/{gone}/withdraw", headers=c.resident.headers)
    r = await client.get("/needs", params={"mine": "true"}, headers=c.resident.headers)
    assert [i["id"] for i in r.json()["items"]] == [gone, mine]
    r = await client.get("/needs", params={"mine": "true", "status": "open"}, headers=c.resident.headers)
    assert [i["id"] for i in r.json()["items"]] == [mine]
    assert (await client.get("/needs", params={"mine": "true"})).status_code == 401


@pytest.mark.pg_only
async def test_concurrent_supports_count_once(app, client) -> None:
    c = await cast(app)
    nid = (await create(client, c.resident, "/needs", need_body()))["id"]
    clients = _clients(app)
    try:
        results = await asyncio.gather(*[cl.post(f"/needs/{nid}/support", headers=c.other_resident.headers)
                                         for cl in clients])
    finally:
        for cl in clients:
            await cl.aclose()
    assert sorted(r.status_code for r in results) == [200] + [409] * 5
    assert {r.json()["code"] for r in results if r.status_code == 409} == {"already_supported"}
    assert (await client.get(f"/needs/{nid}")).json()["supporters"] == 1
