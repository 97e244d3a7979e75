"""Volunteer activities: publish, sign up within capacity, attendance once, hours and points."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from exchange.activities.models import ActivitySignup, Attendance
from exchange.audit.models import AuditEvent
from exchange.points.models import PointsEntry
from tests.builders import COMM_A1, COMM_B1, make_user
from tests.conftest import make_settings
from tests.participation import at, clients, people, post_ok, post_problem


@pytest.fixture
def settings(database_url: str):  # noqa: ANN201
    return make_settings(database_url, points_per_hour=12, token_ttl_seconds=7 * 24 * 3600)


def activity_body(**fields: object) -> dict[str, object]:
    return {"title": "社区助老志愿服务", "description": "陪伴独居老人、代购生活用品", "region_code": COMM_A1,
            "starts_at": at(24), "ends_at": at(27), "capacity": 2, **fields}


async def test_sign_up_attend_and_earn(client, app, clock, session_factory) -> None:
    p = await people(app)
    activity = await post_ok(client, p.community, "/activities", activity_body())
    aid = activity["id"]
    assert activity["places_left"] == 2 and activity["status"] == "published"
    assert (await client.get(f"/activities/{aid}")).json()["title"] == "社区助老志愿服务"  # public
    await post_ok(client, p.residents[0], f"/activities/{aid}/signups")
    await post_problem(client, p.residents[0], f"/activities/{aid}/signups", None, 409, "already_signed_up")
    await post_problem(client, p.org, f"/activities/{aid}/signups", None, 403)
    await post_ok(client, p.residents[1], f"/activities/{aid}/signups")
    full = await post_problem(client, p.residents[2], f"/activities/{aid}/signups", None, 409, "activity_full")
    assert full["capacity"] == 2
    assert (await client.get(f"/activities/{aid}")).json()["places_left"] == 0

    attend = {"user_id": str(p.residents[0].id), "hours": 2.5}
    await post_problem(client, p.community, f"/activities/{aid}/attendance", attend, 409, "activity_not_started")
    clock.advance(hours=28)
    await post_problem(client, p.residents[1], f"/activities/{aid}/attendance", attend, 403, "not_allowed")
    await post_problem(client, p.community, f"/activities/{aid}/attendance", {**attend, "hours": 4}, 422,
                       "hours_exceed_activity")
    await post_problem(client, p.community, f"/activities/{aid}/attendance",
                       {"user_id": str(p.residents[2].id), "hours": 1}, 422, "not_signed_up")
    recorded = await post_ok(client, p.community, f"/activities/{aid}/attendance", attend)
    assert recorded["hours"] == 2.5 and recorded["points"] == 30  # 2.5 h × 12
    await post_problem(client, p.community, f"/activities/{aid}/attendance", attend, 409, "attendance_recorded")

    hours = (await client.get("/me/volunteer-hours", headers=p.residents[0].headers)).json()
    assert hours["total_hours"] == 2.5 and hours["entries"][0]["activity_id"] == aid
    pts = (await client.get("/me/points", headers=p.residents[0].headers)).json()
    assert pts["balance"] == 30 and pts["entries"][0]["kind"] == "volunteer"
    assert (await client.get("/me/volunteer-hours", headers=p.residents[1].headers)).json()["total_hours"] == 0
    async with session_factory() as s:
        actions = set((await s.execute(select(AuditEvent.action).where(AuditEvent.entity_id == aid))).scalars())
    assert {"activity.published", "activity.signed_up", "activity.attendance"} <= actions


async def test_who_publishes_and_cancels(client, app, clock) -> None:
    p = await people(app)
    await post_problem(client, p.resident, "/activities", activity_body(), 403, "role_not_allowed")
    await post_problem(client, p.community, "/activities", activity_body(region_code=COMM_B1), 403, "outside_area")
    await post_problem(client, p.org, "/activities", activity_body(ends_at=at(1)), 422, "invalid_period")
    await post_problem(client, p.org, "/activities", activity_body(starts_at=at(-1)), 422, "starts_in_past")
    by_org = await post_ok(client, p.org, "/activities", activity_body(capacity=10))
    assert by_org["organization_id"] == str(p.org_org.id)
    await post_problem(client, p.other_org, f"/activities/{by_org['id']}/cancel", None, 403)
    cancelled = await post_ok(client, p.org, f"/activities/{by_org['id']}/cancel", None, status=200)
    assert cancelled["status"] == "cancelled"
    await post_problem(client, p.resident, f"/activities/{by_org['id']}/signups", None, 409, "activity_cancelled")
    later = await post_ok(client, p.manager, "/activities", activity_body())
    clock.advance(hours=25)
    await post_problem(client, p.resident, f"/activities/{later['id']}/signups", None, 409, "activity_started")
    listed = (await client.get("/activities", params={"region": COMM_A1, "status": "published"})).json()["items"]
    assert [a["id"] for a in listed] == [later["id"]]


@pytest.mark.pg_only
async def test_twenty_sign_ups_for_ten_places(client, app, session_factory) -> None:
    p = await people(app, residents=1)
    aid = (await post_ok(client, p.community, "/activities", activity_body(capacity=10)))["id"]
    volunteers = [await make_user(app, "resident", region_code=COMM_A1) for _ in range(20)]
    pool = clients(app, 20)
    try:
        results = await asyncio.gather(*[c.post(f"/activities/{aid}/signups", headers=v.headers)
                                         for c, v in zip(pool, volunteers, strict=True)])
    finally:
        for c in pool:
            await c.aclose()
    assert sorted(r.status_code for r in results) == [201] * 10 + [409] * 10
    assert {r.json()["code"] for r in results if r.status_code == 409} == {"activity_full"}
    async with session_factory() as s:
        rows = (await s.execute(select(func.count()).where(ActivitySignup.activity_id == aid))).scalar_one()
    assert rows == 10 and (await client.get(f"/activities/{aid}")).json()["signup_count"] == 10


@pytest.mark.pg_only
async def test_attendance_recorded_twice_at_once_counts_once(client, app, clock, session_factory) -> None:
    p = await people(app)
    aid = (await post_ok(client, p.community, "/activities", activity_body()))["id"]
    await post_ok(client, p.resident, f"/activities/{aid}/signups")
    clock.advance(hours=28)
    pool = clients(app, 6)
    body = {"user_id": str(p.resident.id), "hours": 3}
    try:
        results = await asyncio.gather(*[c.post(f"/activities/{aid}/attendance", json=body, headers=p.community.headers)
                                         for c in pool])
    finally:
        for c in pool:
            await c.aclose()
    assert sorted(r.status_code for r in results) == [201] + [409] * 5
    async with session_factory() as s:
        attended = (await s.execute(select(func.count()).where(Attendance.activity_id == aid))).scalar_one()
        points = (await s.execute(select(func.sum(PointsEntry.amount)).where(PointsEntry.user_id == p.resident.id))).scalar()
    assert attended == 1 and points == 36
    assert (await client.get("/me/volunteer-hours", headers=p.resident.headers)).json()["total_hours"] == 3
