"""The audit trail: every write leaves an event, the hash chain verifies, tampering is found,
and the public sees only events about published items."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select, update

from exchange.audit.models import AuditEvent
from tests.audit.tamper import bypass_append_only
from tests.builders import COMM_A1, SUB_A, make_org, make_user, seed_regions


async def test_writes_are_chained_and_verify(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    admin = await make_user(app, "admin")
    r = await client.post("/organizations", json={"name": "成都市武侯区民政局", "kind": "government"}, headers=admin.headers)
    org_id = r.json()["id"]
    await client.patch(f"/organizations/{org_id}", json={"description": "购买主体"}, headers=admin.headers)
    events = (await client.get("/audit/events", params={"entity_id": org_id}, headers=admin.headers)).json()["items"]
    assert [e["action"] for e in events] == ["organization.updated", "organization.created"]  # newest first
    updated = events[0]
    assert updated["actor_id"] == str(admin.id) and updated["entity_type"] == "organization"
    assert updated["summary"]["changed"]["description"] == {"from": None, "to": "购买主体"}
    assert updated["prev_hash"] != updated["hash"] and len(updated["hash"]) == 64
    v = (await client.get("/audit/verify")).json()
    assert v == {"intact": True, "events": v["events"], "first_broken_id": None, "reason": None, "verified_from": 0}
    assert v["events"] == 7 + 1 + 2  # seven regions, one user, the organization twice


async def test_chain_links_every_event_to_the_previous_one(app, session_factory) -> None:
    await seed_regions(app)
    async with session_factory() as session:
        rows = list((await session.execute(select(AuditEvent).order_by(AuditEvent.seq))).scalars())
    assert [e.seq for e in rows] == list(range(1, len(rows) + 1))
    assert rows[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:], strict=False))


async def test_a_tampered_row_breaks_the_chain(app, client: httpx.AsyncClient, session_factory) -> None:
    await seed_regions(app)
    await make_user(app, "admin")
    async with session_factory() as session:
        victim = (await session.execute(select(AuditEvent).where(AuditEvent.seq == 3))).scalar_one()
        await bypass_append_only(session)
        await session.execute(update(AuditEvent).where(AuditEvent.id == victim.id)
                              .values(summary={"name": "篡改后的名称", "level": "community", "parent_code": None}))
        await session.commit()
    v = (await client.get("/audit/verify")).json()
    assert v["intact"] is False and v["first_broken_id"] == str(victim.id) and v["events"] == 8


async def test_a_removed_row_breaks_the_chain(app, client: httpx.AsyncClient, session_factory) -> None:
    await seed_regions(app)
    async with session_factory() as session:
        after = (await session.execute(select(AuditEvent).where(AuditEvent.seq == 5))).scalar_one()
        await bypass_append_only(session)
        await session.execute(AuditEvent.__table__.delete().where(AuditEvent.seq == 4))
        await session.commit()
    v = (await client.get("/audit/verify")).json()
    assert v["intact"] is False and v["first_broken_id"] == str(after.id)


async def test_staff_see_every_event_the_public_only_published_ones(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    org = await make_org(app, region_code=COMM_A1)
    resident = await make_user(app, "resident", region_code=SUB_A)  # user.created: not public
    admin = await make_user(app, "admin")
    manager = await make_user(app, "manager")

    async def actions(headers: dict, **params: str) -> list[str]:
        r = await client.get("/audit/events", params={"limit": 200, **params}, headers=headers)
        assert r.status_code == 200, r.text
        return [e["action"] for e in r.json()["items"]]

    for staff in (admin, manager):
        assert (await actions(staff.headers)).count("user.created") == 3
        assert await actions(staff.headers, entity_id=str(resident.id)) == ["user.created"]
    for outsider in ({}, resident.headers):
        seen = await actions(outsider)
        assert "user.created" not in seen
        assert seen.count("region.created") == 7 and "organization.created" in seen
        assert await actions(outsider, entity_id=str(resident.id)) == []
    assert await actions({}, entity_id=str(org.id)) == ["organization.created"]
    assert await actions({}, entity_type="organization") == ["organization.created"]
    assert (await client.get("/audit/events", headers={"Authorization": "Bearer junk"})).status_code == 401


async def test_events_page_newest_first(app, client: httpx.AsyncClient) -> None:
    await seed_regions(app)
    admin = await make_user(app, "admin")
    first = (await client.get("/audit/events", params={"limit": 5}, headers=admin.headers)).json()
    second = (await client.get("/audit/events", params={"limit": 5, "cursor": first["next_cursor"]},
                               headers=admin.headers)).json()
    seqs = [e["seq"] for e in first["items"] + second["items"]]
    assert seqs == sorted(seqs, reverse=True) == list(range(8, 0, -1))
    assert second["next_cursor"] is None
    assert uuid.UUID(first["items"][0]["id"])
