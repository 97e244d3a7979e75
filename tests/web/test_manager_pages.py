"""The manager's triage board over HTTP: the API's open needs, grouped by community with the most urgent first,
each with the offers the API's ``/needs/{id}/matches`` ranks best."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.builders import COMM_A1, COMM_B1, make_org_user, make_user, seed_regions
from tests.listings.world import offer_body, published
from tests.web.test_signin import sign_in


@pytest.fixture
async def pages(app: FastAPI) -> Any:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        yield c


async def test_triage_board_groups_open_needs_by_community_with_their_matches(app, client, pages) -> None:
    await seed_regions(app)
    manager = await make_user(app, "manager")
    org, _ = await make_org_user(app, "org")
    a1 = await make_user(app, "resident", region_code=COMM_A1)
    b1 = await make_user(app, "resident", region_code=COMM_B1)
    await published(client, org, "/offers", offer_body(title="长者助餐配送", category="elderly_care",
                                                         target_groups=["elderly"], region_codes=[COMM_A1, COMM_B1]))
    made = {}
    for who, title, urgency in [(a1, "王奶奶做饭难", "normal"), (a1, "楼道灯坏了很危险", "high"),
                                (b1, "独居老人没人送饭", "low")]:
        r = await client.post("/needs", json={"title": title, "description": title, "urgency": urgency},
                              headers=who.headers)
        made[title] = r.json()["id"]
    withdrawn = (await client.post("/needs", json={"title": "已撤回的需求"}, headers=a1.headers)).json()["id"]
    await client.post(f"/needs/{withdrawn}/withdraw", headers=a1.headers)

    await sign_in(pages, manager.user.username)
    r = await pages.get("/workspace", follow_redirects=True)
    assert r.status_code == 200 and str(r.url).endswith("/workspace/manager")
    page = r.text
    groups = re.findall(r'<section class="triage-group" aria-labelledby="g-\d+" data-region="(\d+)">', page)
    assert groups == [COMM_B1, COMM_A1] or groups == [COMM_A1, COMM_B1]
    a1_part = page.split(f'data-region="{COMM_A1}"')[1].split("</section>")[0]
    assert re.findall(r'data-id="([0-9a-f-]+)" data-urgency="(\w+)"', a1_part) == [
        (made["楼道灯坏了很危险"], "high"), (made["王奶奶做饭难"], "normal")]
    api_open = (await client.get("/needs", headers=manager.headers)).json()["items"]
    assert set(re.findall(r'<li class="card" data-id="([0-9a-f-]+)"', page)) == {n["id"] for n in api_open}
    assert withdrawn not in page
    shown = 0
    for need_id in made.values():
        api = (await client.get(f"/needs/{need_id}/matches", params={"limit": 3}, headers=manager.headers)).json()
        card = page.split(f'data-id="{need_id}"')[1].split("</li>\n    <li")[0].split("</ol>")[0]
        assert re.findall(r'<li data-offer="([0-9a-f-]+)">', card) == [m["offer"]["id"] for m in api["items"]]
        shown += len(api["items"])
    assert shown >= 1  # the meal offer fits the meal needs
