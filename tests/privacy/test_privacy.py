"""Residents' personal data is not public; a resident exports and erases their data."""

from __future__ import annotations

import json
import uuid

import httpx
from sqlalchemy import select

from exchange import db
from exchange.audit import service as audit
from exchange.audit.models import AuditEvent
from exchange.needs.models import Need
from exchange.points.models import PointsEntry
from tests.listings.world import cast, create
from tests.tenders.world import ok, reviewed, world

PRIVATE = {"title": "3栋2单元王大爷独居", "description": "住在5号楼1201室，电话13800138000，腿脚不好做饭难"}


async def test_the_public_sees_no_ids_and_no_house_numbers(app, client: httpx.AsyncClient) -> None:
    c = await cast(app)
    need = await create(client, c.resident, "/needs", PRIVATE)
    assert need["requester_id"] == str(c.resident.id) and need["title"] == PRIVATE["title"]
    await ok(client.post(f"/needs/{need['id']}/claim", headers=c.other_resident.headers))
    for headers in ({}, c.org.headers, c.buyer.headers, c.expert.headers):
        one = (await client.get(f"/needs/{need['id']}", headers=headers)).json()
        listed = (await client.get("/needs", params={"status": "claimed"}, headers=headers)).json()["items"]
        for seen in (one, listed[0]):
            assert seen["requester_id"] is None and seen["claimant_user_id"] is None
            assert seen["title"] == "*栋*单元王大爷独居"
            assert seen["description"] == "住在*号楼*室，电话***********，腿脚不好做饭难"
            assert "13800138000" not in json.dumps(seen, ensure_ascii=False)
    for insider in (c.resident, c.other_resident, c.manager, c.admin):
        seen = (await client.get(f"/needs/{need['id']}", headers=insider.headers)).json()
        assert seen["requester_id"] == str(c.resident.id) and seen["title"] == PRIVATE["title"]
        assert seen["claimant_user_id"] == str(c.other_resident.id)


async def test_the_community_that_posted_a_need_sees_it_in_full(app, client: httpx.AsyncClient) -> None:
    c = await cast(app)
    need = await create(client, c.community, "/needs", PRIVATE)
    assert (await client.get(f"/needs/{need['id']}", headers=c.community.headers)).json()["title"] == PRIVATE["title"]
    supporter_view = await ok(client.post(f"/needs/{need['id']}/support", headers=c.resident.headers))
    assert supporter_view["requester_id"] is None and supporter_view["title"] == "*栋*单元王大爷独居"


async def test_public_audit_events_name_no_resident_and_mask_text(app, client: httpx.AsyncClient) -> None:
    c = await cast(app)
    need = await create(client, c.resident, "/needs", PRIVATE)
    public = (await client.get("/audit/events", params={"entity_id": need["id"]})).json()["items"]
    assert public and all(e["actor_id"] is None for e in public)
    assert public[-1]["summary"]["title"] == "*栋*单元王大爷独居"
    staff = (await client.get("/audit/events", params={"entity_id": need["id"]}, headers=c.manager.headers)).json()
    assert staff["items"][-1]["actor_id"] == str(c.resident.id)
    assert staff["items"][-1]["summary"]["title"] == PRIVATE["title"]


async def test_ids_digests_and_dates_in_public_audit_events_are_not_masked(app, client: httpx.AsyncClient) -> None:
    c = await cast(app)
    need = await create(client, c.resident, "/needs", PRIVATE)
    org_id = str(uuid.UUID("00000000-0000-4000-8000-138001380001"))
    digest = "4ed921d92abf70d95a05100760d8ae97592fa97f1b72e2b3cf529bf67055094b"
    async with db.unit_of_work(app.state.session_factory) as session:
        audit.record(session, actor_id=c.resident.id, action="test.recorded", entity_type="need", entity_id=need["id"],
                     summary={"organization_id": org_id, "sha256": digest, "due_on": "2026-12-31",
                              "note": "电话13800138000"}, public=True)
    public = (await client.get("/audit/events", params={"entity_id": need["id"]})).json()["items"]
    summary = next(e["summary"] for e in public if e["action"] == "test.recorded")
    assert summary == {"organization_id": org_id, "sha256": digest, "due_on": "2026-12-31", "note": "电话***********"}


async def test_objectors_are_not_named_publicly(app, client, clock) -> None:
    w = await world(app, bidders=2)
    opp, bids = await reviewed(client, clock, w, [12_000_000, 11_000_000])
    award = await ok(client.post(f"/opportunities/{opp['id']}/award", json={"bid_id": bids[0]["id"]},
                                 headers=w.c.buyer.headers), 201)
    mine = await ok(client.post(f"/awards/{award['id']}/objections", json={"reason": "我住3栋，评分不公"},
                                headers=w.c.resident.headers), 201)
    assert mine["filed_by"] == str(w.c.resident.id)
    for headers in ({}, w.c.other_org.headers):
        seen = (await client.get(f"/awards/{award['id']}", headers=headers)).json()["objections"][0]
        assert seen["filed_by"] is None and seen["reason"] == "我住*栋，评分不公"
    staff = (await client.get(f"/awards/{award['id']}", headers=w.c.manager.headers)).json()["objections"][0]
    assert staff["filed_by"] == str(w.c.resident.id)


async def test_my_data_is_exported(app, client: httpx.AsyncClient) -> None:
    c = await cast(app)
    need = await create(client, c.resident, "/needs", PRIVATE)
    await client.patch("/me", json={"phone": "13900001111"}, headers=c.resident.headers)
    other = await create(client, c.other_resident, "/needs", {"title": "楼道灯坏了"})
    await ok(client.post(f"/needs/{other['id']}/support", headers=c.resident.headers))
    data = (await client.get("/me/data", headers=c.resident.headers)).json()
    assert data["account"]["id"] == str(c.resident.id) and data["account"]["phone"] == "13900001111"
    assert [n["title"] for n in data["needs"]] == [PRIVATE["title"]] and data["needs"][0]["id"] == need["id"]
    assert [s["need_id"] for s in data["supports"]] == [other["id"]]
    assert {"need.created", "need.support", "user.profile_updated"} <= {e["action"] for e in data["activity"]}
    assert "password_hash" not in json.dumps(data)
    assert (await client.get("/me/data")).status_code == 401


async def test_erasure_anonymizes_and_keeps_ledger_and_chain(app, client, session_factory) -> None:
    c = await cast(app)
    confirmed = await create(client, c.resident, "/needs", {**PRIVATE, "points": 15})
    await ok(client.post(f"/needs/{confirmed['id']}/claim", headers=c.other_resident.headers))
    await ok(client.post(f"/needs/{confirmed['id']}/fulfil", headers=c.other_resident.headers))
    await ok(client.post(f"/needs/{confirmed['id']}/confirm", headers=c.resident.headers))
    still_open = await create(client, c.resident, "/needs", {"title": "独居老人助餐", "description": "7栋3单元"})
    wrong = await client.post("/me/erasure", json={"password": "nope"}, headers=c.resident.headers)
    assert wrong.status_code == 422
    r = await client.post("/me/erasure", json={"password": "correct-horse-9"}, headers=c.resident.headers)
    assert r.status_code == 200, r.text
    assert r.json()["needs_anonymized"] == 2
    assert (await client.get("/me", headers=c.resident.headers)).status_code == 401
    assert (await client.post("/auth/token", data={"username": c.resident.user.username,
                                                   "password": "correct-horse-9"})).status_code == 401
    seen = (await client.get(f"/needs/{confirmed['id']}", headers=c.manager.headers)).json()
    assert "王大爷" not in seen["title"] + seen["description"] and seen["status"] == "confirmed"
    assert (await client.get(f"/needs/{still_open['id']}", headers=c.manager.headers)).json()["status"] == "withdrawn"
    assert (await client.get("/needs", params={"q": "王大爷", "status": "confirmed"})).json()["items"] == []
    users = (await client.get("/users", params={"q": c.resident.user.username}, headers=c.admin.headers)).json()
    assert users["items"] == []
    erased = (await client.get(f"/users/{c.resident.id}", headers=c.admin.headers)).json()
    assert erased["display_name"] == "已注销用户" and erased["phone"] is None and erased["active"] is False
    points = (await client.get("/me/points", headers=c.other_resident.headers)).json()
    assert points["balance"] == 15  # the ledger is untouched
    assert (await client.get("/audit/verify")).json()["intact"] is True
    async with session_factory() as s:
        assert (await s.execute(select(AuditEvent).where(AuditEvent.action == "user.erased"))).scalar_one()
        assert len((await s.execute(select(PointsEntry))).scalars().all()) == 1
        assert (await s.get(Need, uuid.UUID(confirmed["id"]))).requester_id == c.resident.id
    relogin = await client.post("/users/" + str(c.resident.id) + "/activate", headers=c.admin.headers)
    assert relogin.status_code == 409 and relogin.json()["code"] == "user_erased"
