"""The expert's workspace over HTTP: the panels I sit on, the bids with their documents after the close, scoring
each criterion of the rubric (the API's messages by criterion when a score is wrong) and a conflict declaration,
each reflected in the ranking the API gives; and what an expert and others may not open."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.documents import files
from tests.tenders.world import World, bid, open_tender, panel, renew, world
from tests.web.test_signin import csrf_of, sign_in


@pytest.fixture
async def pages(app: FastAPI) -> Any:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        yield c


async def closed_with_panel(app: FastAPI, client: httpx.AsyncClient, clock: Any, w: World
                            ) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    """A tender past its deadline with two bids (the first with a PDF) and the world's experts on its panel."""
    opp = await open_tender(client, w, title="待评审的助餐项目")
    bids = [await bid(client, w.bidders[i], opp["id"], price) for i, price in enumerate([9_000_000, 8_000_000])]
    r = await client.post(f"/bids/{bids[0]['id']}/documents", headers=w.bidders[0].headers,
                          data={"document_type": "proposal"}, files={"file": ("方案.pdf", files.pdf(), "application/pdf")})
    assert r.status_code == 201, r.text
    w.later(app, clock, days=11)
    r = await client.post(f"/opportunities/{opp['id']}/close-bidding", headers=w.c.buyer.headers)
    assert r.status_code == 200, r.text
    await panel(client, w, opp["id"])
    return opp, bids, r.json()


async def ranking(client: httpx.AsyncClient, w: World, opp_id: str) -> dict[str, dict[str, Any]]:
    r = await client.get(f"/opportunities/{opp_id}/ranking", headers=w.c.buyer.headers)
    assert r.status_code == 200, r.text
    return {item["bid_id"]: item for item in r.json()["items"]}


async def test_an_expert_scores_a_bid_and_the_ranking_reflects_it(app, client, pages, clock) -> None:
    w = await world(app, bidders=2)
    opp, bids, _ = await closed_with_panel(app, client, clock, w)
    expert = w.experts[0]
    await sign_in(pages, expert.user.username)
    home = await pages.get("/workspace", follow_redirects=True)
    assert str(home.url).endswith("/workspace/expert") and opp["id"] in home.text

    detail = await pages.get(f"/workspace/expert/opportunities/{opp['id']}")
    assert detail.status_code == 200
    assert re.findall(r'<li class="card" data-id="([0-9a-f-]+)">', detail.text) == [b["id"] for b in bids]
    doc_id = re.search(r'href="/workspace/documents/([0-9a-f-]+)"', detail.text).group(1)
    download = await pages.get(f"/workspace/documents/{doc_id}")
    assert download.status_code == 200 and download.content == files.pdf()
    assert download.headers["content-type"] == "application/pdf"

    form = await pages.get(f"/workspace/expert/bids/{bids[0]['id']}")
    assert "方案质量" in form.text and "团队能力" in form.text and "方案.pdf" in form.text
    token = csrf_of(form.text)
    target = f"/workspace/expert/bids/{bids[0]['id']}/score"
    r = await pages.post(target, data={"csrf_token": token, "score_0": "九十", "score_1": "80"})
    assert r.status_code == 422 and 'id="score_0-error"' in r.text and "输入无效" in r.text
    r = await pages.post(target, data={"csrf_token": token, "score_0": "150", "score_1": "80"})
    assert r.status_code == 422 and "每项分数须在 0–100 之间" in r.text
    r = await pages.post(target, data={"csrf_token": token, "score_0": "90"})
    assert r.status_code == 422 and "须为每项评分标准打分" in r.text
    assert all(item["experts_counted"] == 0 for item in (await ranking(client, w, opp["id"])).values())

    r = await pages.post(target, data={"csrf_token": token, "score_0": "90", "score_1": "70", "comment": "方案扎实"})
    assert r.status_code == 303 and r.headers["location"].endswith("done=scored")
    ranked = await ranking(client, w, opp["id"])
    assert ranked[bids[0]["id"]]["experts_counted"] == 1
    assert ranked[bids[0]["id"]]["weighted_score"] == pytest.approx(90 * 0.6 + 70 * 0.4)
    assert ranked[bids[0]["id"]]["rank"] == 1
    page = (await pages.get(r.headers["location"])).text
    assert "评分已提交" in page and 'data-answer="scored"' in page
    row = re.search(rf'<tr data-bid="{bids[0]["id"]}">(.*?)</tr>', page).group(1)
    assert '<td class="num score">82.0</td>' in row and '<td class="num counted">1</td>' in row
    again = await pages.get(f"/workspace/expert/bids/{bids[0]['id']}")
    assert 'value="90"' in again.text and "方案扎实" in again.text  # my answer, to change
    r = await pages.post(f"{target}?lang=en", data={"csrf_token": token, "score_0": "150", "score_1": "80"})
    assert r.status_code == 422 and 'lang="en"' in r.text and "Each score must be 0–100" in r.text


async def test_a_conflict_declaration_recuses_the_expert(app, client, pages, clock) -> None:
    w = await world(app, bidders=2)
    opp, bids, _ = await closed_with_panel(app, client, clock, w)
    first, second = w.experts[0], w.experts[1]
    for expert, quality in [(first, 60), (second, 90)]:
        body = {"scores": {"方案质量": quality, "团队能力": quality}, "conflict_of_interest": False, "comment": ""}
        assert (await client.post(f"/bids/{bids[0]['id']}/scores", json=body, headers=expert.headers)).status_code == 200
    assert (await ranking(client, w, opp["id"]))[bids[0]["id"]]["experts_counted"] == 2

    await sign_in(pages, first.user.username)
    step = await pages.get(f"/workspace/expert/bids/{bids[0]['id']}/conflict")
    assert step.status_code == 200 and "确定申报与该投标存在利益冲突吗" in step.text
    r = await pages.post(f"/workspace/expert/bids/{bids[0]['id']}/conflict", data={"csrf_token": csrf_of(step.text)})
    assert r.status_code == 303 and r.headers["location"].endswith("done=conflict")
    item = (await ranking(client, w, opp["id"]))[bids[0]["id"]]
    assert item["experts_counted"] == 1 and item["weighted_score"] == pytest.approx(90)
    page = (await pages.get(r.headers["location"])).text
    assert 'data-answer="conflict"' in page and "已申报利益冲突" in page


async def test_a_post_without_the_csrf_token_is_refused(app, client, pages, clock) -> None:
    w = await world(app, bidders=1)
    opp, bids, _ = await closed_with_panel_one(app, client, clock, w)
    await sign_in(pages, w.experts[0].user.username)
    r = await pages.post(f"/workspace/expert/bids/{bids[0]['id']}/score", data={"score_0": "90", "score_1": "90"})
    assert r.status_code == 403 and "表单已失效或来自其他网站" in r.text
    r = await pages.post(f"/workspace/expert/bids/{bids[0]['id']}/conflict", data={})
    assert r.status_code == 403
    assert all(i["experts_counted"] == 0 for i in (await ranking(client, w, opp["id"])).values())


async def closed_with_panel_one(app: FastAPI, client: httpx.AsyncClient, clock: Any, w: World
                                ) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    opp = await open_tender(client, w, title="单一投标项目")
    bids = [await bid(client, w.bidders[0], opp["id"], 9_000_000)]
    w.later(app, clock, days=11)
    closed = await client.post(f"/opportunities/{opp['id']}/close-bidding", headers=w.c.buyer.headers)
    await panel(client, w, opp["id"])
    return opp, bids, closed.json()


async def test_what_an_expert_and_others_may_not_open(app, client, pages, clock) -> None:
    w = await world(app, bidders=1)
    opp, bids, _ = await closed_with_panel_one(app, client, clock, w)
    renew(app, w.c.expert)
    await sign_in(pages, w.experts[0].user.username)
    for url in ["/workspace/admin", "/workspace/admin/audit", "/workspace/buyer", "/workspace/org",
                "/workspace/resident", f"/workspace/buyer/opportunities/{opp['id']}"]:
        r = await pages.get(url)
        assert r.status_code == 403 and "此页面不属于您的角色的工作台" in r.text, url

    outsider = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
    async with outsider:
        await sign_in(outsider, w.c.expert.user.username)  # an expert, but not on this panel
        assert opp["id"] not in (await outsider.get("/workspace/expert")).text
        r = await outsider.get(f"/workspace/expert/opportunities/{opp['id']}")
        assert r.status_code == 403 and "只有采购方、公益经理人和评审专家可以查看投标" in r.text
        assert (await outsider.get(f"/workspace/expert/bids/{bids[0]['id']}")).status_code == 403

    buyer = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
    async with buyer:
        await sign_in(buyer, w.c.buyer.user.username)
        for url in ["/workspace/expert", f"/workspace/expert/opportunities/{opp['id']}",
                    f"/workspace/expert/bids/{bids[0]['id']}", "/workspace/admin"]:
            r = await buyer.get(url)
            assert r.status_code == 403 and "此页面不属于您的角色的工作台" in r.text, url
