"""Bidding through the organization's workspace: the sealed bid as the API stores it, a document whose receipt is
the SHA-256 of its bytes, nothing for another organization, and the deadline's refusal in the API's words."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.documents import files
from tests.tenders.world import open_tender, world
from tests.web.test_signin import csrf_of, sign_in


@pytest.fixture
async def pages(app: FastAPI) -> Any:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        yield c


async def test_bid_with_a_document_and_its_receipt(app, client, pages, clock) -> None:
    w = await world(app, bidders=2)
    opp = await open_tender(client, w)
    org, other = w.bidders[0], w.bidders[1]
    form_url = f"/workspace/org/opportunities/{opp['id']}/bid"
    await sign_in(pages, org.user.username)
    form = await pages.get(form_url)
    assert form.status_code == 200 and opp["title"] in form.text
    r = await pages.post(form_url, data={"csrf_token": csrf_of(form.text), "proposal": "", "price_yuan": "12.345"})
    assert r.status_code == 422 and "请填写报价（元），最多两位小数" in r.text
    r = await pages.post(form_url, data={"csrf_token": csrf_of(form.text), "proposal": "", "price_yuan": "80000"})
    assert r.status_code == 422 and 'id="proposal-error">文本过短' in r.text  # the API's own message
    r = await pages.post(form_url, data={"csrf_token": csrf_of(form.text), "proposal": "每周三次助餐配送",
                                         "price_yuan": "80000"})
    assert r.status_code == 303
    bid_page = r.headers["location"].split("?")[0]
    bid_id = bid_page.rsplit("/", 1)[1]
    assert (await client.get(f"/bids/{bid_id}", headers=org.headers)).json()["price_fen"] == 8_000_000

    pdf = files.pdf("投标文件：助餐配送方案")
    page = await pages.get(bid_page)
    r = await pages.post(f"{bid_page}/documents", data={"csrf_token": csrf_of(page.text), "document_type": "proposal"},
                         files={"file": ("方案.pdf", pdf, "application/pdf")})
    assert r.status_code == 303
    receipt = hashlib.sha256(pdf).hexdigest()
    assert r.headers["location"] == f"{bid_page}?receipt={receipt}"
    page = (await pages.get(r.headers["location"])).text
    assert f'<code id="receipt" class="hash">{receipt}</code>' in page and "方案.pdf" in page
    docs = (await client.get(f"/bids/{bid_id}/documents", headers=org.headers)).json()["items"]
    assert [(d["filename"], d["sha256"], d["document_type"]) for d in docs] == [("方案.pdf", receipt, "proposal")]

    await pages.post("/logout", data={"csrf_token": csrf_of(page)})
    await sign_in(pages, other.user.username)
    assert (await pages.get(bid_page)).status_code == 404  # sealed: answered like an unknown bid
    clock.advance(days=11)
    assert (await pages.get(form_url)).status_code == 303  # idle for 11 days: signed out
    await sign_in(pages, other.user.username)
    other_form = await pages.get(form_url)
    r = await pages.post(form_url, data={"csrf_token": csrf_of(other_form.text), "proposal": "迟到的方案",
                                         "price_yuan": "70000"})
    assert r.status_code == 409 and "投标截止时间已过" in r.text
