"""Spaces for services: list a space, book against pledged hours, no overlapping holds, report, rating."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from exchange.spaces.models import Booking
from tests.builders import COMM_A1, COMM_B1, make_org_user
from tests.conftest import make_settings
from tests.participation import at, clients, people, post_ok, post_problem


@pytest.fixture
def settings(database_url: str):  # noqa: ANN201
    return make_settings(database_url, token_ttl_seconds=7 * 24 * 3600)


def slot(start: float, end: float, hours: float = 6) -> dict[str, object]:
    return {"starts_at": at(start), "ends_at": at(end), "purpose": "周末四点半课堂", "service_hours_pledged": hours}


async def test_book_confirm_overlap_report_and_rating(client, app, clock) -> None:
    p = await people(app)
    space = await post_ok(client, p.community, "/spaces", {"name": "党群服务中心活动室", "capacity": 30})
    sid = space["id"]
    assert space["region_code"] == COMM_A1 and space["organization_id"] == str(p.community_org.id)
    booking = await post_ok(client, p.org, f"/spaces/{sid}/bookings", slot(24, 27))
    assert booking["status"] == "requested" and booking["service_hours_pledged"] == 6
    rival = await post_ok(client, p.other_org, f"/spaces/{sid}/bookings", slot(26, 29))
    await post_problem(client, p.org, f"/bookings/{booking['id']}/confirm", None, 403, "not_allowed")
    await post_problem(client, p.other_community, f"/bookings/{booking['id']}/confirm", None, 403)
    confirmed = await post_ok(client, p.community, f"/bookings/{booking['id']}/confirm", None, status=200)
    assert confirmed["status"] == "confirmed"
    await post_problem(client, p.community, f"/bookings/{rival['id']}/confirm", None, 409, "space_booked")
    await post_problem(client, p.other_org, f"/spaces/{sid}/bookings", slot(25, 26), 409, "space_booked")
    await post_ok(client, p.other_org, f"/spaces/{sid}/bookings", slot(27, 30))  # touching is not overlapping
    held = (await client.get(f"/spaces/{sid}/bookings")).json()["items"]
    assert [b["id"] for b in held] == [booking["id"]]

    before = (await client.get(f"/organizations/{p.org_org.id}/rating")).json()
    report = {"service_hours": 8, "people_served": 25, "summary": "开展四点半课堂 4 次"}
    await post_problem(client, p.org, f"/bookings/{booking['id']}/report", report, 409, "booking_not_started")
    clock.advance(hours=28)
    await post_problem(client, p.community, f"/bookings/{booking['id']}/report", report, 403)
    reported = await post_ok(client, p.org, f"/bookings/{booking['id']}/report", report, status=200)
    assert reported["status"] == "reported" and reported["service_hours_given"] == 8
    after = (await client.get(f"/organizations/{p.org_org.id}/rating")).json()
    assert after["activity"] == before["activity"] + 16  # 2 per hour of service given back
    assert after["basis"]["activity"]["inputs"]["space_service_hours"] == 8
    await post_problem(client, p.org, f"/bookings/{booking['id']}/cancel", None, 409, "booking_reported")


async def test_coverage_counts_the_spaces_served(client, app, clock) -> None:
    p = await people(app)
    org, org_org = await make_org_user(app, "org")  # serves nowhere yet
    sid = (await post_ok(client, p.other_community, "/spaces", {"name": "锦城社区活动室"}))["id"]
    bid = (await post_ok(client, org, f"/spaces/{sid}/bookings", slot(1, 2, hours=2)))["id"]
    await post_ok(client, p.other_community, f"/bookings/{bid}/confirm", None, status=200)
    before = (await client.get(f"/organizations/{org_org.id}/rating")).json()
    clock.advance(hours=3)
    await post_ok(client, org, f"/bookings/{bid}/report", {"service_hours": 2, "summary": "义诊"}, status=200)
    after = (await client.get(f"/organizations/{org_org.id}/rating")).json()
    assert before["basis"]["coverage"]["inputs"]["communities_reached"] == 0
    assert after["basis"]["coverage"]["inputs"]["communities_reached"] == 1 and after["coverage"] > before["coverage"]


async def test_who_lists_books_and_cancels(client, app) -> None:
    p = await people(app)
    await post_problem(client, p.org, "/spaces", {"name": "活动室"}, 403, "role_not_allowed")
    await post_problem(client, p.admin, "/spaces", {"name": "活动室"}, 422, "community_required")
    by_admin = await post_ok(client, p.admin, "/spaces", {"name": "锦城社区会议室", "organization_id": str(
        (await client.get("/me", headers=p.other_community.headers)).json()["organization_id"])})
    assert by_admin["region_code"] == COMM_B1
    sid = (await post_ok(client, p.community, "/spaces", {"name": "活动室"}))["id"]
    await post_problem(client, p.resident, f"/spaces/{sid}/bookings", slot(2, 3), 403, "role_not_allowed")
    await post_problem(client, p.org, f"/spaces/{sid}/bookings", slot(3, 2), 422, "invalid_period")
    await post_problem(client, p.org, f"/spaces/{sid}/bookings", {**slot(2, 3), "service_hours_pledged": 0}, 422)
    bid = (await post_ok(client, p.org, f"/spaces/{sid}/bookings", slot(2, 3)))["id"]
    await post_problem(client, p.other_org, f"/bookings/{bid}/cancel", None, 403)
    cancelled = await post_ok(client, p.org, f"/bookings/{bid}/cancel", {"reason": "活动改期"}, status=200)
    assert cancelled["status"] == "cancelled"
    await post_problem(client, p.community, f"/bookings/{bid}/confirm", None, 409, "booking_cancelled")
    listed = (await client.get("/spaces", params={"region": COMM_A1})).json()["items"]
    assert [s["id"] for s in listed] == [sid]


@pytest.mark.pg_only
async def test_ten_bookings_of_one_slot_one_confirmed(client, app, session_factory) -> None:
    p = await people(app)
    sid = (await post_ok(client, p.community, "/spaces", {"name": "活动室"}))["id"]
    orgs = [(await make_org_user(app, "org"))[0] for _ in range(10)]
    ids = [(await post_ok(client, o, f"/spaces/{sid}/bookings", slot(24 + i * 0.1, 26)))["id"]
           for i, o in enumerate(orgs)]
    pool = clients(app, 10)
    try:
        results = await asyncio.gather(*[c.post(f"/bookings/{b}/confirm", headers=p.community.headers)
                                         for c, b in zip(pool, ids, strict=True)])
    finally:
        for c in pool:
            await c.aclose()
    assert sorted(r.status_code for r in results) == [200] + [409] * 9
    assert {r.json()["code"] for r in results if r.status_code == 409} == {"space_booked"}
    async with session_factory() as s:
        held = (await s.execute(select(func.count()).where(Booking.space_id == sid, Booking.status == "confirmed"))).scalar()
    assert held == 1


@pytest.mark.pg_only
async def test_concurrent_requests_for_a_held_slot(client, app) -> None:
    p = await people(app)
    sid = (await post_ok(client, p.community, "/spaces", {"name": "活动室"}))["id"]
    first = (await post_ok(client, p.org, f"/spaces/{sid}/bookings", slot(24, 26)))["id"]
    orgs = [(await make_org_user(app, "org"))[0] for _ in range(9)]
    pool = clients(app, 10)
    try:
        results = await asyncio.gather(
            pool[0].post(f"/bookings/{first}/confirm", headers=p.community.headers),
            *[c.post(f"/spaces/{sid}/bookings", json=slot(25, 27), headers=o.headers)
              for c, o in zip(pool[1:], orgs, strict=True)])
    finally:
        for c in pool:
            await c.aclose()
    assert results[0].status_code == 200
    later = [r for r in results[1:] if r.status_code == 201]
    # a request that came before the confirmation is only a request: confirming it now is refused
    for r in later:
        await post_problem(client, p.community, f"/bookings/{r.json()['id']}/confirm", None, 409, "space_booked")
    assert all(r.status_code in (201, 409) for r in results[1:])
