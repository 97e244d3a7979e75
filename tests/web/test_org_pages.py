"""The organization's workspace over HTTP: offers created, published and withdrawn through the API's rules, the
form's errors by field, the matches the API's ``/offers/{id}/matches`` ranks, and the rating the API answers."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.builders import COMM_A1, make_org_user, seed_regions
from tests.listings.world import offer_body, opportunity_body, published
from tests.web.test_signin import csrf_of, sign_in


@pytest.fixture
async def pages(app: FastAPI) -> Any:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        yield c


async def post_form(pages: httpx.AsyncClient, path: str, form_page: str, data: dict[str, Any]) -> httpx.Response:
    token = csrf_of((await pages.get(form_page)).text)
    return await pages.post(path, data={**data, "csrf_token": token})


OFFER = {"title": "长者助餐配送", "description": "为独居老人每日送餐上门", "category": "elderly_care",
         "target_groups": ["elderly"], "region_codes": [COMM_A1], "pricing": "low_cost", "price_yuan": "12.50",
         "capacity_per_month": "300"}


async def test_offer_form_shows_the_apis_errors_and_creates_a_draft(app, client, pages) -> None:
    await seed_regions(app)
    org, org_row = await make_org_user(app, "org", region_code=COMM_A1)
    await sign_in(pages, org.user.username)
    assert f'<option value="{COMM_A1}" selected>' in (await pages.get("/workspace/org/offers/new")).text
    r = await post_form(pages, "/workspace/org/offers/new", "/workspace/org/offers/new",
                        {**OFFER, "title": "餐", "price_yuan": "12.345", "capacity_per_month": "很多"})
    assert r.status_code == 422 and "价格应为金额（元），最多两位小数" in r.text
    r = await post_form(pages, "/workspace/org/offers/new", "/workspace/org/offers/new",
                        {**OFFER, "title": "餐", "capacity_per_month": "很多"})
    assert r.status_code == 422
    text = html.unescape(r.text)
    assert re.search(r'id="title-error">文本过短', text) and re.search(r'id="capacity_per_month-error">应为整数', text)
    drafts = (await client.get("/offers", params={"org_id": str(org_row.id), "status": "draft"}, headers=org.headers)).json()
    assert drafts["items"] == []
    r = await post_form(pages, "/workspace/org/offers/new", "/workspace/org/offers/new", OFFER)
    assert r.status_code == 303
    drafts = (await client.get("/offers", params={"org_id": str(org_row.id), "status": "draft"}, headers=org.headers)).json()
    [offer] = drafts["items"]
    assert (offer["title"], offer["price_fen"], offer["capacity_per_month"], offer["target_groups"]) == (
        "长者助餐配送", 1250, 300, ["elderly"])
    page = (await pages.get("/workspace/org?status=draft")).text
    assert re.findall(r'<li class="card" data-id="([0-9a-f-]+)"', page) == [offer["id"]]


async def test_publish_then_withdraw_after_confirmation(app, client, pages) -> None:
    await seed_regions(app)
    org, _ = await make_org_user(app, "org", region_code=COMM_A1)
    other, _ = await make_org_user(app, "org", region_code=COMM_A1)
    offer = (await client.post("/offers", json=offer_body(), headers=org.headers)).json()
    detail = f"/workspace/org/offers/{offer['id']}"
    await sign_in(pages, other.user.username)
    assert (await pages.get(detail)).status_code == 404  # another organization's draft, as the API answers
    await pages.post("/logout", data={"csrf_token": csrf_of((await pages.get("/workspace/org")).text)})
    await sign_in(pages, org.user.username)
    assert (await post_form(pages, f"{detail}/publish", detail, {})).status_code == 303
    assert (await client.get(f"/offers/{offer['id']}")).json()["status"] == "published"
    confirm = await pages.get(f"{detail}/withdraw")
    assert "确定从服务清单撤回这项服务吗" in confirm.text
    assert (await post_form(pages, f"{detail}/withdraw", f"{detail}/withdraw", {})).status_code == 303
    assert (await client.get(f"/offers/{offer['id']}", headers=org.headers)).json()["status"] == "withdrawn"
    r = await post_form(pages, f"{detail}/withdraw", detail, {})
    assert r.status_code == 409  # the state machine's answer


async def test_matches_are_the_engines_ranking_with_reasons_and_rating_is_the_apis(app, client, pages) -> None:
    await seed_regions(app)
    org, org_row = await make_org_user(app, "org", region_code=COMM_A1)
    buyer, _ = await make_org_user(app, "buyer")
    offer = await published(client, org, "/offers", offer_body(title="居家养老助餐", category="elderly_care",
                                                                target_groups=["elderly"]))
    opp = await published(client, buyer, "/opportunities", opportunity_body())
    api = (await client.get(f"/offers/{offer['id']}/matches", headers=org.headers)).json()["items"]
    api_opps = [m for m in api if m["kind"] == "opportunity"]
    assert api_opps and api_opps[0]["opportunity"]["id"] == opp["id"]
    await sign_in(pages, org.user.username)
    page = (await pages.get("/workspace/org/opportunities")).text
    shown = re.findall(r'<li class="card" data-kind="(\w+)" data-id="([0-9a-f-]+)"', page)
    assert ("opportunity", opp["id"]) in shown
    assert {(m["kind"], m[m["kind"]]["id"]) for m in api} == set(shown)
    first_reason = html.unescape(api_opps[0]["reasons"][0]["detail"])
    assert first_reason in html.unescape(page)
    rating = (await client.get(f"/organizations/{org_row.id}/rating")).json()
    page = (await pages.get("/workspace/org/rating")).text
    assert f'<strong id="rating-overall">{rating["overall"]}</strong>' in page
    for name in ("activity", "standardization", "coverage", "influence"):
        assert f'data-dimension="{name}">{rating[name]}<' in page
        assert html.escape(rating["basis"][name]["formula"]) in page


async def test_profile_documents_and_bid_results(app, client, pages, clock) -> None:
    from tests.tenders.world import final_award, reviewed, world

    w = await world(app, bidders=2)
    opp, bids = await reviewed(client, clock, w, [9_000_000, 9_500_000], title="助老服务项目")
    await final_award(client, clock, w, opp["id"], bids[0]["id"])
    for bidder, result in ((w.bidders[0], "won"), (w.bidders[1], "lost")):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as them:
            await sign_in(them, bidder.user.username)
            page = (await them.get("/workspace/org/bids")).text
            found = re.findall(r'<li class="card" data-id="([0-9a-f-]+)" data-result="(\w+)">', page)
            assert (bids[w.bidders.index(bidder)]["id"], result) in found
            assert "助老服务项目" in page

    await sign_in(pages, w.c.org.user.username)
    page = (await pages.get("/workspace/org/profile")).text
    token = csrf_of(page)
    org = (await client.get(f"/organizations/{w.c.org_org.id}", headers=w.c.org.headers)).json()
    form = {"csrf_token": token, "name": org["name"], "function_type": "service", "categories": ["elderly_care"],
            "service_region_codes": [COMM_A1], "member_count": "12", "founded_on": "2999-01-01",
            "description": "专注居家养老", "contact_person": "李老师", "contact_phone": "028-12345678"}
    r = await pages.post("/workspace/org/profile", data=form)
    assert r.status_code == 422 and 'id="founded_on-error"' in r.text  # founded in the future: the API's rule
    assert (await client.get(f"/organizations/{w.c.org_org.id}")).json()["description"] == org["description"]
    r = await pages.post("/workspace/org/profile", data={**form, "founded_on": "2015-06-01"})
    assert r.status_code == 303
    now_org = (await client.get(f"/organizations/{w.c.org_org.id}", headers=w.c.org.headers)).json()
    assert (now_org["description"], now_org["member_count"], now_org["function_type"], now_org["contact_person"]) == (
        "专注居家养老", 12, "service", "李老师")
    r = await pages.post("/workspace/org/profile/documents", data={"csrf_token": token, "document_type": "charter"},
                         files={"file": ("章程.pdf", b"%PDF-1.4\n% charter\n", "application/pdf")})
    assert r.status_code == 303
    docs = (await client.get(f"/organizations/{w.c.org_org.id}/documents", headers=w.c.org.headers)).json()["items"]
    assert [(d["filename"], d["document_type"]) for d in docs] == [("章程.pdf", "charter")]
    r = await pages.post("/workspace/org/profile/documents", data={"csrf_token": token, "document_type": "charter"},
                         files={"file": ("病毒.exe", b"MZ\x90\x00" + b"\x00" * 60, "application/octet-stream")})
    assert r.status_code in (415, 422) and "form-error" in r.text
    assert len((await client.get(f"/organizations/{w.c.org_org.id}/documents", headers=w.c.org.headers)).json()["items"]) == 1
