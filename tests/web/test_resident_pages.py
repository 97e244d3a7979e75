"""The resident's workspace over HTTP: the form shows the API's validation errors by field in Chinese, the
category the engine reads from the words, my needs = the API's ``mine=true`` list, and actions go through the
API's rules (a need's own requester cannot support it; confirming credits the points once)."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.builders import COMM_A1, COMM_B1, make_user, seed_regions
from tests.web.test_signin import csrf_of, sign_in


@pytest.fixture
async def pages(app: FastAPI) -> Any:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        yield c


async def post_form(pages: httpx.AsyncClient, path: str, form_page: str, data: dict[str, str]) -> httpx.Response:
    token = csrf_of((await pages.get(form_page)).text)
    return await pages.post(path, data={**data, "csrf_token": token})


async def test_the_form_preselects_my_place_and_shows_the_apis_errors_by_field(app, client, pages) -> None:
    await seed_regions(app)
    resident = await make_user(app, "resident", region_code=COMM_B1)
    await sign_in(pages, resident.user.username)
    form = (await pages.get("/workspace/resident/needs/new")).text
    assert f'<option value="{COMM_B1}" selected>' in form
    r = await post_form(pages, "/workspace/resident/needs/new", "/workspace/resident/needs/new",
                        {"title": "灯", "description": "", "region_code": COMM_B1, "urgency": "soon"})
    assert r.status_code == 422
    title_error = html.unescape(re.search(r'<p class="field-error" id="title-error">([^<]+)</p>', r.text).group(1))
    urgency_error = html.unescape(re.search(r'<p class="field-error" id="urgency-error">([^<]+)</p>', r.text).group(1))
    api = (await client.post("/needs", json={"title": "灯", "urgency": "soon"}, headers=resident.headers)).json()
    by_field = {e["loc"][-1]: e["msg"] for e in api["errors"]}
    assert title_error == by_field["title"] and title_error.startswith("文本过短")
    assert urgency_error == by_field["urgency"] and urgency_error.startswith("取值不在允许范围内")
    assert 'value="灯"' in r.text  # what was typed stays
    assert (await client.get("/needs", params={"mine": "true"}, headers=resident.headers)).json()["items"] == []


async def test_the_engine_guesses_the_category_for_confirmation(app, client, pages) -> None:
    await seed_regions(app)
    resident = await make_user(app, "resident", region_code=COMM_A1)
    await sign_in(pages, resident.user.username)
    words = {"title": "王奶奶腿脚不好", "description": "腿脚不好做饭难，想有人送饭", "region_code": COMM_A1,
             "urgency": "normal", "category": ""}
    r = await post_form(pages, "/workspace/resident/needs/new", "/workspace/resident/needs/new", {**words, "step": "guess"})
    assert r.status_code == 200 and "系统判断为「养老服务」" in r.text
    assert '<option value="elderly_care" selected>' in r.text
    assert (await client.get("/needs", params={"mine": "true"}, headers=resident.headers)).json()["items"] == []
    r = await post_form(pages, "/workspace/resident/needs/new", "/workspace/resident/needs/new",
                        {**words, "category": "elderly_care", "step": "post"})
    assert r.status_code == 303
    mine = (await client.get("/needs", params={"mine": "true"}, headers=resident.headers)).json()["items"]
    assert [(n["title"], n["category"], n["region_code"]) for n in mine] == [("王奶奶腿脚不好", "elderly_care", COMM_A1)]
    assert r.headers["location"] == f"/workspace/resident/needs/{mine[0]['id']}?posted=1"


async def test_my_needs_are_the_apis_mine_list_and_page(app, client, pages) -> None:
    await seed_regions(app)
    resident = await make_user(app, "resident", region_code=COMM_A1)
    for i in range(23):
        r = await client.post("/needs", json={"title": f"需求{i:02d}号"}, headers=resident.headers)
        assert r.status_code == 201
    await sign_in(pages, resident.user.username)
    page = (await pages.get("/workspace/resident")).text
    api = (await client.get("/needs", params={"mine": "true"}, headers=resident.headers)).json()
    assert re.findall(r'<li class="card" data-id="([0-9a-f-]+)"', page) == [n["id"] for n in api["items"]]
    next_href = re.search(r'<a rel="next" class="next" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    second = (await client.get("/needs", params={"mine": "true", "cursor": api["next_cursor"]}, headers=resident.headers)).json()
    page2 = (await pages.get(next_href)).text
    assert re.findall(r'<li class="card" data-id="([0-9a-f-]+)"', page2) == [n["id"] for n in second["items"]]
    assert len(second["items"]) == 3


async def test_support_claim_fulfil_confirm_through_the_pages(app, client, pages) -> None:
    await seed_regions(app)
    asker = await make_user(app, "resident", region_code=COMM_A1)
    helper = await make_user(app, "resident", region_code=COMM_A1)
    need = (await client.post("/needs", json={"title": "帮忙换灯泡", "points": 30}, headers=asker.headers)).json()
    detail = f"/workspace/resident/needs/{need['id']}"
    await sign_in(pages, helper.user.username)
    assert "帮忙换灯泡" in (await pages.get("/workspace/resident/neighbours")).text
    r = await post_form(pages, f"{detail}/support", detail, {})
    assert r.status_code == 303
    r = await post_form(pages, f"{detail}/support", detail, {})
    assert r.status_code == 409 and "您已附议过这条需求" in r.text  # the API's rule and words
    assert (await post_form(pages, f"{detail}/claim", detail, {})).status_code == 303
    assert (await post_form(pages, f"{detail}/fulfil", detail, {})).status_code == 303
    r = await post_form(pages, f"{detail}/confirm", detail, {})
    assert r.status_code == 403  # only the requester confirms
    await pages.post("/logout", data={"csrf_token": csrf_of((await pages.get(detail)).text)})
    await sign_in(pages, asker.user.username)
    page = (await pages.get(detail)).text
    assert 'id="need-supporters">1<' in page and 'data-status="fulfilled"' in page
    confirm_page = (await pages.get(f"{detail}/confirm")).text
    assert "确认后不能撤回" in confirm_page
    r = await post_form(pages, f"{detail}/confirm", f"{detail}/confirm", {})
    assert r.status_code == 303 and r.headers["location"] == f"{detail}?done=confirm"
    points = (await client.get("/me/points", headers=helper.headers)).json()
    assert points["balance"] == 30
    assert (await client.get(f"/needs/{need['id']}")).json()["status"] == "confirmed"
