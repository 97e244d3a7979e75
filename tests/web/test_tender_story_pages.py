"""The whole tender story through the workspaces' pages only (no API call acts; the API is read to check what
the pages did): a buyer publishes a funded opportunity, answers a question, closes bidding, draws the panel,
awards, draws up the deal; the organization bids, signs, adds evidence, reports; the buyer accepts (paid), sends
back (nothing paid), accepts the last (held); the closing report, the evaluation (the held tranche paid), the
close. Every step asserts what the next person sees, and the money to the fen."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import httpx
from fastapi import FastAPI

from exchange.kit.clock import now
from tests.tenders.test_draw import pool
from tests.tenders.world import World, ok, score, world
from tests.web.test_signin import csrf_of, sign_in

CHINA = dt.timezone(dt.timedelta(hours=8))


async def signed_in(app: FastAPI, username: str) -> httpx.AsyncClient:
    """A browser-like client with its own cookies, signed in to the pages."""
    pages = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
    r = await sign_in(pages, username)
    assert r.status_code == 303, r.text
    return pages


async def post_form(pages: httpx.AsyncClient, url: str, data: dict[str, Any], *, form_page: str | None = None,
                    files: dict[str, Any] | None = None) -> httpx.Response:
    """Post a form the way the page does: with the CSRF token of the page it is on."""
    page = form_page if form_page is not None else (await pages.get(url)).text
    return await pages.post(url, data={**data, "csrf_token": csrf_of(page)}, files=files)


def location_id(r: httpx.Response, kind: str) -> str:
    assert r.status_code == 303, r.text[:2000]
    return re.search(rf"/{kind}/([0-9a-f-]{{36}})", r.headers["location"]).group(1)


async def test_a_tender_from_publication_to_evaluation_through_the_pages(app, client, clock) -> None:
    w: World = await world(app, bidders=2, experts=0)
    await pool(client, w, app, free=4)
    buyer = await signed_in(app, w.c.buyer.user.username)

    # the buyer publishes a funded opportunity; a rubric that does not add up is refused next to the field
    form = await buyer.get("/workspace/buyer/opportunities/new")
    assert form.status_code == 200 and 'name="r0_criterion"' in form.text
    deadline = (now() + dt.timedelta(days=10)).astimezone(CHINA).strftime("%Y-%m-%dT%H:%M")
    fields = {"title": "独居老人助餐服务采购", "description": "为辖区独居老人提供助餐配送", "category": "elderly_care",
              "target_groups": ["elderly"], "budget_yuan": "120,000.00", "bid_deadline": deadline, "min_bids": "1",
              "min_a_level": "0", "standstill_days": "5", "fund_id": str(w.fund_id), "earmark_yuan": "",
              "publish": "1", "r0_criterion": "方案质量", "r0_weight": "60", "r1_criterion": "团队能力",
              "r1_weight": "30"}
    before = await w.fund(app)
    r = await post_form(buyer, "/workspace/buyer/opportunities/new", fields, form_page=form.text)
    assert r.status_code == 422 and "100" in r.text and 'value="独居老人助餐服务采购"' in r.text
    assert await w.fund(app) == before  # nothing earmarked by the refused form
    r = await post_form(buyer, "/workspace/buyer/opportunities/new", {**fields, "r1_weight": "40"},
                        form_page=form.text)
    opp_id = location_id(r, "opportunities")
    opp = await ok(client.get(f"/opportunities/{opp_id}"))
    assert (opp["status"], opp["budget_fen"], opp["rubric"]) == (
        "published", 12_000_000, [{"criterion": "方案质量", "weight": 60}, {"criterion": "团队能力", "weight": 40}])
    assert (await w.fund(app))["earmarked"] == before["earmarked"] + 12_000_000

    # an organization asks (API: a client app), the buyer answers in public on the page
    asked = await ok(client.post(f"/opportunities/{opp_id}/questions", json={"question": "是否需要提供冷链配送？"},
                                 headers=w.bidders[0].headers), 201)
    detail = f"/workspace/buyer/opportunities/{opp_id}"
    page = (await buyer.get(detail)).text
    assert "是否需要提供冷链配送" in page
    r = await post_form(buyer, f"/workspace/buyer/questions/{asked['id']}/answer",
                        {"answer": "需要，配送全程保温", "opportunity_id": opp_id}, form_page=page)
    assert r.status_code == 303
    answered = (await ok(client.get(f"/opportunities/{opp_id}/questions")))["items"]
    assert [(q["question"], q["answer"]) for q in answered] == [("是否需要提供冷链配送？", "需要，配送全程保温")]

    # two organizations bid through their pages, one with a document
    prices = ["98,000", "110,000.50"]
    bid_ids = []
    for bidder, price in zip(w.bidders, prices, strict=True):
        org = await signed_in(app, bidder.user.username)
        r = await post_form(org, f"/workspace/org/opportunities/{opp_id}/bid", {"proposal": "每日两餐，上门送达",
                                                                                 "price_yuan": price})
        bid_ids.append(location_id(r, "bids"))
        await org.aclose()
    org = await signed_in(app, w.bidders[0].user.username)
    bid_page = (await org.get(f"/workspace/org/bids/{bid_ids[0]}")).text
    r = await org.post(f"/workspace/org/bids/{bid_ids[0]}/documents",
                       data={"csrf_token": csrf_of(bid_page), "document_type": "proposal"},
                       files={"file": ("方案.pdf", b"%PDF-1.4\n% proposal\n", "application/pdf")})
    assert r.status_code == 303 and "receipt=" in r.headers["location"]
    assert 'id="bids-sealed"' in (await buyer.get(detail)).text

    # past the deadline: the buyer closes bidding and draws the panel on the page
    w.later(app, clock, days=11)
    buyer = await signed_in(app, w.c.buyer.user.username)
    page = (await buyer.get(detail)).text
    assert 'data-status="bidding_closed"' in page  # the clock closed it; the page reads what the API reads
    r = await post_form(buyer, f"{detail}/close-bidding", {}, form_page=page)
    assert r.status_code == 303  # closing again changes nothing (the API's idempotent close)
    page = (await buyer.get(detail)).text
    assert set(re.findall(r'<li class="card" data-id="([0-9a-f-]+)">', page)) == set(bid_ids)
    assert "方案.pdf" in page
    r = await post_form(buyer, f"{detail}/panel/draw", {"size": "9"}, form_page=page)
    assert r.status_code == 409 and "not_enough_experts" not in r.text and 'id="draw-form"' in r.text  # too few
    r = await post_form(buyer, f"{detail}/panel/draw", {"size": "2"}, form_page=page)
    assert r.status_code == 303
    drawn = await ok(client.get(f"/opportunities/{opp_id}/panel/draw", headers=w.c.buyer.headers))
    assert len(drawn["expert_user_ids"]) == 2
    page = (await buyer.get(detail)).text
    assert 'id="panel"' in page and 'id="draw-form"' not in page

    # the drawn experts score (the expert's own client); the ranking shows on the buyer's page; award
    experts = {str(e.id): e for e in w.extra}
    for expert_id in drawn["expert_user_ids"]:
        await score(client, experts[expert_id], bid_ids[0], 90, 85)
        await score(client, experts[expert_id], bid_ids[1], 70, 60)
    page = (await buyer.get(detail)).text
    assert re.findall(r'<tr data-bid="([0-9a-f-]+)">', page) == bid_ids
    confirm = await buyer.get(f"{detail}/award/{bid_ids[0]}")
    r = await buyer.post(f"{detail}/award/{bid_ids[0]}", data={"csrf_token": csrf_of(confirm.text)})
    assert r.status_code == 303
    page = (await buyer.get(detail)).text
    assert 'data-status="standstill"' in page and 'id="draw-up-deal"' not in page

    # after the standstill the award is final: the buyer draws up the deal from the award
    w.later(app, clock, days=6)
    buyer = await signed_in(app, w.c.buyer.user.username)
    page = (await buyer.get(detail)).text
    award_id = re.search(r'href="/workspace/deals/new\?award_id=([0-9a-f-]+)"', page).group(1)
    form = (await buyer.get(f"/workspace/deals/new?award_id={award_id}")).text
    due = (now() + dt.timedelta(days=30)).date().isoformat()
    later_due = (now() + dt.timedelta(days=60)).date().isoformat()
    deal_fields = {"award_id": award_id, "title": "", "amount_yuan": "98,000", "fund_id": "",
                   "m0_title": "第一期", "m0_due_on": due, "m0_amount_yuan": "40,000",
                   "m1_title": "第二期", "m1_due_on": later_due, "m1_amount_yuan": "50,000"}
    r = await post_form(buyer, "/workspace/deals/new", deal_fields, form_page=form)
    assert r.status_code == 422 and "9800000" in r.text  # the milestones do not add up: the API's message
    r = await post_form(buyer, "/workspace/deals/new", {**deal_fields, "m1_amount_yuan": "58,000"}, form_page=form)
    deal_id = location_id(r, "deals")
    deal_url = f"/workspace/deals/{deal_id}"
    deal = await ok(client.get(f"/deals/{deal_id}", headers=w.c.buyer.headers))
    assert (deal["status"], deal["amount_fen"], [m["amount_fen"] for m in deal["milestones"]]) == (
        "pending_signatures", 9_800_000, [4_000_000, 5_800_000])

    # both sign after a confirmation page; the deal is active and its money committed
    for user in (w.c.buyer, w.bidders[0]):
        party = await signed_in(app, user.user.username)
        confirm = await party.get(f"{deal_url}/sign")
        assert "签署" in confirm.text
        r = await party.post(f"{deal_url}/sign", data={"csrf_token": csrf_of(confirm.text)})
        assert r.status_code == 303
        await party.aclose()
    deal = await ok(client.get(f"/deals/{deal_id}", headers=w.c.buyer.headers))
    assert deal["status"] == "active" and deal["money"]["committed_fen"] == 9_800_000
    first, second = deal["milestones"]

    # the organization adds a photo to the first milestone and reports it
    org = await signed_in(app, w.bidders[0].user.username)
    page = (await org.get(deal_url)).text
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    r = await org.post(f"{deal_url}/milestones/{first['id']}/documents",
                       data={"csrf_token": csrf_of(page), "document_type": "photo"},
                       files={"file": ("活动照片.png", png, "image/png")})
    assert r.status_code == 303
    page = (await org.get(deal_url)).text
    assert "活动照片.png" in page
    r = await post_form(org, f"{deal_url}/milestones/{first['id']}/report", {"summary": ""}, form_page=page)
    assert r.status_code == 422 and 'class="field-error"' in r.text  # the summary is required
    r = await post_form(org, f"{deal_url}/milestones/{first['id']}/report", {"summary": "完成首月助餐 600 人次"},
                        form_page=page)
    assert r.status_code == 303
    reported = (await ok(client.get(f"/deals/{deal_id}", headers=w.c.buyer.headers)))["milestones"][0]
    doc_id = re.search(r'href="/workspace/documents/([0-9a-f-]+)"', page).group(1)
    assert reported["status"] == "reported" and reported["report"]["evidence"] == [doc_id]
    assert (await org.get(f"/workspace/documents/{doc_id}")).content == png

    # the buyer accepts after a page that names the amount: the first tranche is paid, to the fen
    buyer = await signed_in(app, w.c.buyer.user.username)
    fund_before = await w.fund(app)
    confirm = await buyer.get(f"{deal_url}/milestones/{first['id']}/accept")
    assert "40,000.00 元" in confirm.text
    r = await buyer.post(f"{deal_url}/milestones/{first['id']}/accept", data={"csrf_token": csrf_of(confirm.text)})
    assert r.status_code == 303
    again = await buyer.post(f"{deal_url}/milestones/{first['id']}/accept", data={"csrf_token": csrf_of(confirm.text)})
    assert again.status_code == 409  # accepted already: paid once
    assert (await w.fund(app))["paid"] == fund_before["paid"] + 4_000_000

    # the second is sent back with a reason (nothing paid), reported again, accepted: held for the evaluation
    r = await post_form(org, f"{deal_url}/milestones/{second['id']}/report", {"summary": "完成第二期"},
                        form_page=(await org.get(deal_url)).text)
    assert r.status_code == 303
    r = await post_form(buyer, f"{deal_url}/milestones/{second['id']}/reject", {"reason": "缺少签到表"},
                        form_page=(await buyer.get(deal_url)).text)
    assert r.status_code == 303
    assert "缺少签到表" in (await org.get(deal_url)).text
    r = await post_form(org, f"{deal_url}/milestones/{second['id']}/report", {"summary": "补充签到表"},
                        form_page=(await org.get(deal_url)).text)
    assert r.status_code == 303
    confirm = await buyer.get(f"{deal_url}/milestones/{second['id']}/accept")
    assert "最后一个里程碑" in confirm.text
    r = await buyer.post(f"{deal_url}/milestones/{second['id']}/accept", data={"csrf_token": csrf_of(confirm.text)})
    assert r.status_code == 303
    deal = await ok(client.get(f"/deals/{deal_id}", headers=w.c.buyer.headers))
    assert [m["tranche"] for m in deal["milestones"]] == ["paid", "held"]
    assert (await w.fund(app))["paid"] == fund_before["paid"] + 4_000_000

    # the closing report, the evaluation (pays the held tranche), the close
    report = {"summary": "项目完成", "people_served": "1200", "activities": "60"}
    r = await post_form(org, f"{deal_url}/closing-report", report, form_page=(await org.get(deal_url)).text)
    assert r.status_code == 200 and "确认提交结项报告吗" in r.text  # asked first; nothing done yet
    assert (await ok(client.get(f"/deals/{deal_id}", headers=w.c.buyer.headers)))["status"] == "active"
    r = await post_form(org, f"{deal_url}/closing-report", {**report, "confirmed": "1"}, form_page=r.text)
    assert r.status_code == 303
    evaluator = await signed_in(app, w.c.evaluator.user.username)
    page = (await evaluator.get(deal_url)).text
    assert 'id="evaluation-form"' in page and 'id="closing-report"' in page
    r = await post_form(evaluator, f"{deal_url}/evaluation", {"total": "188", "grade": "", "comment": ""},
                        form_page=page)
    assert r.status_code == 422 and 'id="total-error"' in r.text  # out of range: refused before anything is asked
    r = await post_form(evaluator, f"{deal_url}/evaluation", {"total": "88", "grade": "excellent", "comment": "好",
                                                              "confirmed": "1"}, form_page=page)
    assert r.status_code == 422  # the grade disagrees with the total: the API's rule
    r = await post_form(evaluator, f"{deal_url}/evaluation", {"total": "88", "grade": "", "comment": "服务扎实"},
                        form_page=page)
    assert r.status_code == 200 and "确认提交评估吗" in r.text
    assert (await w.fund(app))["paid"] == fund_before["paid"] + 4_000_000  # nothing paid before the answer
    r = await post_form(evaluator, f"{deal_url}/evaluation", {"total": "88", "grade": "", "comment": "服务扎实",
                                                              "confirmed": "1"}, form_page=r.text)
    assert r.status_code == 303
    assert (await w.fund(app))["paid"] == fund_before["paid"] + 9_800_000
    confirm = await buyer.get(f"{deal_url}/close")
    r = await buyer.post(f"{deal_url}/close", data={"csrf_token": csrf_of(confirm.text)})
    assert r.status_code == 303
    deal = await ok(client.get(f"/deals/{deal_id}", headers=w.c.buyer.headers))
    assert deal["status"] == "closed" and deal["evaluation"]["grade"] == "good"
    assert (await ok(client.get(f"/opportunities/{opp_id}")))["status"] == "closed"
    for c in (buyer, org, evaluator):
        await c.aclose()


async def test_deal_pages_offer_only_what_the_role_may_do_and_refuse_the_rest(app, client, clock) -> None:
    from tests.tenders.world import final_award, reviewed, signed_deal

    w = await world(app, bidders=1)
    opp, bids = await reviewed(client, clock, w, [9_000_000])
    award = await final_award(client, clock, w, opp["id"], bids[0]["id"])
    deal = await signed_deal(client, w, award, parts=2)
    url = f"/workspace/deals/{deal['id']}"
    org = await signed_in(app, w.c.org.user.username)
    page = (await org.get(url)).text
    assert "report-button" in page and "accept-link" not in page and "close-link" not in page
    first = deal["milestones"][0]["id"]
    r = await org.get(f"{url}/milestones/{first}/accept")
    assert r.status_code == 200  # the question page is harmless; the post is what the API refuses
    r = await org.post(f"{url}/milestones/{first}/accept", data={"csrf_token": csrf_of(page)})
    assert r.status_code == 403
    outsider = await signed_in(app, w.c.other_org.user.username)
    assert (await outsider.get(url)).status_code == 404  # another organization's deal does not exist for it
    resident = await signed_in(app, w.c.resident.user.username)
    assert (await resident.get("/workspace/deals")).status_code == 403
    r = await org.post(f"{url}/milestones/{first}/report", data={"summary": "完成"})  # no CSRF token
    assert r.status_code == 403
    assert (await ok(client.get(f"/deals/{deal['id']}", headers=w.c.buyer.headers)))["milestones"][0]["status"] == "pending"
    for c in (org, outsider, resident):
        await c.aclose()
