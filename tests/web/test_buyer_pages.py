"""The buyer's workspace over HTTP: bids sealed before the close (the API's answer), then the bids and the
panel's ranking as the API gives them, and an award after a confirmation page."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.tenders.world import open_tender, renew, reviewed, world
from tests.web.test_signin import csrf_of, sign_in


@pytest.fixture
async def pages(app: FastAPI) -> Any:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        yield c


async def test_bids_sealed_then_ranked_then_awarded(app, client, pages, clock) -> None:
    w = await world(app, bidders=2)
    opp, bids = await reviewed(client, clock, w, [9_000_000, 8_500_000], title="评审完的项目")
    renew(app, w.c.buyer)
    sealed_opp = await open_tender(client, w, title="封闭期项目")
    await sign_in(pages, w.c.buyer.user.username)
    home = await pages.get("/workspace", follow_redirects=True)
    assert str(home.url).endswith("/workspace/buyer")
    status = (await client.get(f"/opportunities/{opp['id']}")).json()["status"]
    listed = (await pages.get(f"/workspace/buyer?status={status}")).text
    assert opp["id"] in listed and sealed_opp["id"] not in listed
    assert sealed_opp["id"] in (await pages.get("/workspace/buyer")).text

    page = (await pages.get(f"/workspace/buyer/opportunities/{sealed_opp['id']}")).text
    assert "投标截止前，投标内容密封" in page and 'id="bids"' not in page

    detail = f"/workspace/buyer/opportunities/{opp['id']}"
    page = (await pages.get(detail)).text
    api_bids = (await client.get(f"/opportunities/{opp['id']}/bids", headers=w.c.buyer.headers)).json()["items"]
    assert re.findall(r'<li class="card" data-id="([0-9a-f-]+)">', page) == [b["id"] for b in api_bids]
    api_rank = (await client.get(f"/opportunities/{opp['id']}/ranking", headers=w.c.buyer.headers)).json()["items"]
    assert re.findall(r'<tr data-bid="([0-9a-f-]+)">', page) == [r["bid_id"] for r in api_rank]
    best = api_rank[0]["bid_id"]
    assert best == bids[0]["id"]
    confirm = await pages.get(f"{detail}/award/{best}")
    assert "确定授予该投标吗" in confirm.text
    r = await pages.post(f"{detail}/award/{best}", data={"csrf_token": csrf_of(confirm.text)})
    assert r.status_code == 303
    award_id = re.search(r"award=([0-9a-f-]+)", r.headers["location"]).group(1)
    award = (await client.get(f"/awards/{award_id}", headers=w.c.buyer.headers)).json()
    assert (award["bid_id"], award["status"]) == (best, "standstill")
    r = await pages.post(f"{detail}/award/{bids[1]['id']}", data={"csrf_token": csrf_of(confirm.text)})
    assert r.status_code == 409  # the state machine's answer: already awarded


async def test_another_buyer_cannot_read_the_bids(app, client, pages, clock) -> None:
    w = await world(app, bidders=1)
    opp, _ = await reviewed(client, clock, w, [9_000_000])
    await sign_in(pages, w.c.other_buyer.user.username)
    r = await pages.get(f"/workspace/buyer/opportunities/{opp['id']}")
    assert r.status_code == 403 and "只有采购方、公益经理人和评审专家可以查看投标" in r.text


async def test_an_objection_is_resolved_after_a_question_and_funds_read_as_the_api(app, client, pages, clock) -> None:
    w = await world(app, bidders=2)
    opp, bids = await reviewed(client, clock, w, [9_000_000, 8_500_000], title="有质疑的项目")
    award = (await client.post(f"/opportunities/{opp['id']}/award", json={"bid_id": bids[0]["id"]},
                               headers=w.c.buyer.headers)).json()
    objection = (await client.post(f"/awards/{award['id']}/objections", json={"reason": "评分计算有误，请复核"},
                                   headers=w.bidders[1].headers)).json()
    renew(app, w.c.buyer)
    await sign_in(pages, w.c.buyer.user.username)
    detail = f"/workspace/buyer/opportunities/{opp['id']}"
    page = (await pages.get(detail)).text
    assert "评分计算有误" in page and f'data-id="{objection["id"]}" data-status="open"' in page
    url = f"/workspace/buyer/objections/{objection['id']}/resolve"
    form = {"csrf_token": csrf_of(page), "opportunity_id": opp["id"], "decision": "rejected", "reason": ""}
    r = await pages.post(url, data=form)
    assert r.status_code == 422 and "form-error" in r.text
    r = await pages.post(url, data={**form, "reason": "经复核评分无误"})
    assert r.status_code == 200 and "确认质疑不成立吗" in r.text and 'name="confirmed" value="1"' in r.text
    stored = (await client.get(f"/awards/{award['id']}", headers=w.c.buyer.headers)).json()["objections"]
    assert [o["status"] for o in stored] == ["open"]  # asked first, nothing changed
    r = await pages.post(url, data={**form, "reason": "经复核评分无误", "confirmed": "1", "csrf_token": csrf_of(r.text)})
    assert r.status_code == 303
    stored = (await client.get(f"/awards/{award['id']}", headers=w.c.buyer.headers)).json()["objections"]
    assert [(o["status"], o["resolution_reason"]) for o in stored] == [("rejected", "经复核评分无误")]

    funds = (await pages.get("/workspace/buyer/funds")).text
    api_fund = (await client.get(f"/funds/{w.fund_id}", headers=w.c.buyer.headers)).json()
    assert f'<tr data-id="{w.fund_id}">' in funds
    statement = (await pages.get(f"/workspace/buyer/funds/{w.fund_id}")).text
    paid = api_fund["paid_fen"]
    assert f"{paid // 100:,}.{paid % 100:02d} 元" in statement and 'id="statement"' in statement
    sheet = await pages.get(f"/workspace/buyer/funds/{w.fund_id}?format=xlsx")
    assert sheet.status_code == 200 and sheet.content[:2] == b"PK"


async def test_the_buyer_names_the_panel_from_the_pool(app, client, pages, clock) -> None:
    from tests.tenders.test_draw import pool
    from tests.tenders.world import bid

    w = await world(app, bidders=1, experts=0)
    experts = await pool(client, w, app, free=2)
    opp = await open_tender(client, w, title="指定评审的项目")
    await bid(client, w.bidders[0], opp["id"], 9_000_000)
    w.later(app, clock, days=11)
    await sign_in(pages, w.c.buyer.user.username)
    detail = f"/workspace/buyer/opportunities/{opp['id']}"
    page = (await pages.get(detail)).text
    assert 'id="name-form"' in page and all(f'value="{e.id}"' in page for e in experts)
    r = await pages.post(f"{detail}/panel", data={"csrf_token": csrf_of(page)})
    assert r.status_code == 422 and "form-error" in r.text  # nobody chosen: the API's rule
    chosen = [str(e.id) for e in experts[2:]]
    r = await pages.post(f"{detail}/panel", data={"csrf_token": csrf_of(page), "expert_user_ids": chosen})
    assert r.status_code == 303
    api = (await client.get(f"/opportunities/{opp['id']}", headers=w.c.buyer.headers)).json()
    assert api["status"] == "under_review"
    page = (await pages.get(detail)).text
    assert 'id="panel"' in page and 'id="name-form"' not in page
