"""Volunteer activities through the pages: a community committee publishes one, a resident signs up, the
committee records the hours once it has started (once per person), and the resident's hours and points show."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from exchange.kit.clock import now
from tests.builders import COMM_A1, make_org_user, make_user, seed_regions
from tests.tenders.world import renew
from tests.web.test_signin import csrf_of, sign_in

CHINA = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
async def pages(app: FastAPI) -> Any:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        yield c


def local(moment: dt.datetime) -> str:
    return moment.astimezone(CHINA).strftime("%Y-%m-%dT%H:%M")


async def test_an_activity_from_publication_to_recorded_hours(app, client, pages, clock) -> None:
    await seed_regions(app)
    committee, _ = await make_org_user(app, "community", region_code=COMM_A1)
    resident = await make_user(app, "resident", region_code=COMM_A1)
    await sign_in(pages, committee.user.username)
    assert str((await pages.get("/workspace", follow_redirects=True)).url).endswith("/workspace/activities")
    form = (await pages.get("/workspace/activities/new")).text
    fields = {"csrf_token": csrf_of(form), "title": "敬老院陪伴", "description": "陪老人聊天、读报", "category": "",
              "region_code": COMM_A1, "starts_at": local(now() + dt.timedelta(hours=2)),
              "ends_at": local(now() + dt.timedelta(hours=1)), "capacity": "1"}
    r = await pages.post("/workspace/activities/new", data=fields)
    assert r.status_code == 422 and "form-error" in r.text  # ends before it starts: the API's rule
    r = await pages.post("/workspace/activities/new", data={**fields, "ends_at": local(now() + dt.timedelta(hours=5))})
    assert r.status_code == 303
    activity_id = r.headers["location"].split("/activities/")[1].split("?")[0]
    api = (await client.get(f"/activities/{activity_id}")).json()
    assert (api["title"], api["capacity"], api["places_left"]) == ("敬老院陪伴", 1, 1)

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as them:
        await sign_in(them, resident.user.username)
        listed = (await them.get("/workspace/resident/activities")).text
        assert activity_id in listed and "signup-button" in listed
        r = await them.post(f"/workspace/resident/activities/{activity_id}/signup", data={"csrf_token": csrf_of(listed)})
        assert r.status_code == 303
        assert (await client.get(f"/activities/{activity_id}")).json()["places_left"] == 0
        r = await them.post(f"/workspace/resident/activities/{activity_id}/signup", data={"csrf_token": csrf_of(listed)})
        assert r.status_code == 409  # once per person
        assert (await them.get("/workspace/activities")).status_code == 403  # not an organizer's page

    page = (await pages.get(f"/workspace/activities/{activity_id}")).text
    assert resident.user.display_name in page and "record-hours" not in page  # not started yet
    clock.advance(hours=3)
    renew(app, resident)
    await sign_in(pages, committee.user.username)
    page = (await pages.get(f"/workspace/activities/{activity_id}")).text
    token = csrf_of(page)
    r = await pages.post(f"/workspace/activities/{activity_id}/attendance",
                         data={"csrf_token": token, "user_id": str(resident.id), "hours": "30"})
    assert r.status_code == 422  # at most 24 hours
    r = await pages.post(f"/workspace/activities/{activity_id}/attendance",
                         data={"csrf_token": token, "user_id": str(resident.id), "hours": "2.5"})
    assert r.status_code == 303
    r = await pages.post(f"/workspace/activities/{activity_id}/attendance",
                         data={"csrf_token": token, "user_id": str(resident.id), "hours": "1"})
    assert r.status_code == 409 and "form-error" in r.text  # recorded once
    hours = (await client.get("/me/volunteer-hours", headers=resident.headers)).json()
    assert (hours["total_hours"], [e["points"] for e in hours["entries"]]) == (2.5, [25])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as them:
        await sign_in(them, resident.user.username)
        mine = (await them.get("/workspace/resident/points")).text
        assert '<p class="figure-number" id="volunteer-hours">2.5</p>' in mine and "敬老院陪伴" in mine
