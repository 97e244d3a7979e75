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


async def test_needs_become_one_opportunity_and_consultations_and_kpis(app, client, pages) -> None:
    from tests.web.test_signin import csrf_of

    await seed_regions(app)
    manager = await make_user(app, "manager")
    buyer, buyer_org = await make_org_user(app, "buyer")
    a1 = await make_user(app, "resident", region_code=COMM_A1)
    ids = []
    for title in ("小区路灯不亮", "楼道堆物占道"):
        ids.append((await client.post("/needs", json={"title": title, "description": title, "category": "safety"},
                                      headers=a1.headers)).json()["id"])
    await sign_in(pages, manager.user.username)
    board = (await pages.get("/workspace/manager")).text
    assert buyer_org.name in board
    form = {"csrf_token": csrf_of(board), "need_ids": ids, "title": "", "budget_yuan": "30000",
            "buyer_organization_id": str(buyer_org.id)}
    r = await pages.post("/workspace/manager/opportunities/from-needs", data=form)
    assert r.status_code == 422 and 'id="title-error"' in r.text
    assert all(f'value="{i}" form="convert-form" checked' in r.text for i in ids)  # the choice is kept
    assert {n["status"] for n in [(await client.get(f"/needs/{i}")).json() for i in ids]} == {"open"}
    r = await pages.post("/workspace/manager/opportunities/from-needs", data={**form, "title": "社区安全隐患整治"})
    assert r.status_code == 303
    opp_id = r.headers["location"].rsplit("/", 1)[1]
    opp = (await client.get(f"/opportunities/{opp_id}", headers=manager.headers)).json()
    assert (opp["status"], opp["budget_fen"], opp["buyer_organization_id"]) == ("draft", 3_000_000, str(buyer_org.id))
    assert {(await client.get(f"/needs/{i}")).json()["status"] for i in ids} == {"converted"}

    page = (await pages.get(f"/workspace/manager/consultations?need_id={ids[0]}")).text
    r = await pages.post("/workspace/manager/consultations", data={"csrf_token": csrf_of(page), "kind": "pre_study",
                                                                    "held_on": "", "notes": "", "need_id": ids[0]})
    assert r.status_code == 422 and 'id="notes-error"' in r.text
    r = await pages.post("/workspace/manager/consultations", data={"csrf_token": csrf_of(page), "kind": "pre_study",
                                                                    "notes": "走访两栋楼，确认路灯线路老化", "need_id": ids[0]})
    assert r.status_code == 303
    listed = (await client.get("/consultations", params={"manager_id": str(manager.id)}, headers=manager.headers)).json()
    assert [(c["kind"], c["need_id"]) for c in listed["items"]] == [("pre_study", ids[0])]
    assert "走访两栋楼" in (await pages.get("/workspace/manager/consultations")).text

    kpis = (await client.get(f"/managers/{manager.id}/kpis", headers=manager.headers)).json()
    page = (await pages.get("/workspace/manager/kpis")).text
    assert kpis["needs_converted"] == 2 and kpis["consultations"] == 1
    rows = dict(re.findall(r'<tr><th scope="row">([^<]+)</th><td class="num">([^<]*)</td>', page))
    assert rows["以需定供转化的需求"] == "2" and rows["咨询、前期研究与论证（次）"] == "1"
    sheet = await pages.get("/workspace/manager/kpis?format=xlsx")
    assert sheet.status_code == 200 and sheet.content[:2] == b"PK"
