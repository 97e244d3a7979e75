"""Documents where users look: the audit log, the OCDS release (valid OCDS 1.1.5), the award notice."""

from __future__ import annotations

import pytest

from tests.documents import files
from tests.documents.world import uploaded
from tests.tenders.test_transparency import OCDS, _check_against_schema
from tests.tenders.world import ok, open_tender, panel, reviewed, score, world


@pytest.mark.skipif(not OCDS.is_dir(), reason="the OCDS 1.1.5 schema is not in this checkout's shared folder")
async def test_tender_documents_in_the_ocds_release_and_the_audit_log(app, client) -> None:
    w = await world(app, bidders=1, experts=1)
    opp = await open_tender(client, w)
    notice = await uploaded(client, w.c.buyer, f"/opportunities/{opp['id']}/documents", files.pdf("招标公告"),
                            filename="招标公告.pdf", document_type="notice", title="招标公告")
    specs = await uploaded(client, w.c.buyer, f"/opportunities/{opp['id']}/documents", files.docx(),
                           filename="技术要求.docx", document_type="technical_specifications")
    package = await ok(client.get("/public/ocds/releases"))
    _check_against_schema(package)
    release = next(r for r in package["releases"] if r["tender"]["id"] == opp["id"])
    docs = release["tender"]["documents"]
    assert [(d["id"], d["documentType"], d["format"]) for d in docs] == [
        (notice["id"], "tenderNotice", "application/pdf"),
        (specs["id"], "technicalSpecifications", specs["content_type"])]
    assert docs[0]["url"] == f"http://test/api/v1/documents/{notice['id']}/content"
    assert (await client.get(docs[0]["url"].removeprefix("http://test/api/v1"))).content == files.pdf("招标公告")
    events = (await ok(client.get(f"/audit/events?entity_id={opp['id']}")))["items"]  # public: anyone reads them
    added = [e for e in events if e["action"] == "document.added"]
    assert sorted(e["summary"]["sha256"] for e in added) == sorted([notice["sha256"], specs["sha256"]])


async def test_the_award_notice_lists_the_winning_bid_documents(app, client, clock) -> None:
    w = await world(app, bidders=1, experts=1)
    opp = await open_tender(client, w)
    bid = await ok(client.post(f"/opportunities/{opp['id']}/bids", json={"proposal": "方案", "price_fen": 5_000_000},
                               headers=w.bidders[0].headers), 201)
    doc = await uploaded(client, w.bidders[0], f"/bids/{bid['id']}/documents", files.pdf("投标书"))
    w.later(app, clock, days=11)
    await ok(client.post(f"/opportunities/{opp['id']}/close-bidding", headers=w.c.buyer.headers))
    await panel(client, w, opp["id"])
    await score(client, w.experts[0], bid["id"], 90, 80)
    await ok(client.post(f"/opportunities/{opp['id']}/award", json={"bid_id": bid["id"]}, headers=w.c.buyer.headers), 201)
    notices = (await ok(client.get("/public/notices")))["items"]
    award = next(n for n in notices if n["kind"] == "award")
    assert award["bid_documents"] == [{"document_id": doc["id"], "document_type": "proposal", "sha256": doc["sha256"],
                                       "size_bytes": doc["size_bytes"]}]


async def test_a_closed_tender_without_bid_documents_publishes_an_empty_list(app, client, clock) -> None:
    w = await world(app, bidders=1, experts=1)
    opp, _ = await reviewed(client, clock, w, [5_000_000])
    assert (await ok(client.get(f"/opportunities/{opp['id']}")))["bid_documents"] == []


async def test_new_documents_on_the_event_feed_as_their_owner_is_read(app, client) -> None:
    w = await world(app, bidders=2, experts=0)
    opp = await open_tender(client, w)
    notice = await uploaded(client, w.c.buyer, f"/opportunities/{opp['id']}/documents", files.pdf("答疑纪要"),
                            filename="答疑纪要.pdf", document_type="clarifications")
    bid = await ok(client.post(f"/opportunities/{opp['id']}/bids", json={"proposal": "方案", "price_fen": 5_000_000},
                               headers=w.bidders[0].headers), 201)
    sealed = await uploaded(client, w.bidders[0], f"/bids/{bid['id']}/documents", files.pdf("密封投标书"),
                            filename="投标书-密封.pdf")

    def added(feed: dict) -> list[tuple[str, str]]:  # type: ignore[type-arg]
        return [(e["data"]["document_id"], e["data"]["name"]) for e in feed["items"] if e["type"] == "document.added"]

    public = await ok(client.get("/events?limit=200"))
    assert added(public) == [(notice["id"], "答疑纪要.pdf")]  # the published opportunity's document, to anyone
    assert sealed["id"] not in str(public) and "投标书-密封" not in str(public)
    for outsider in (w.c.buyer, w.bidders[1], w.c.other_org):
        assert added(await ok(client.get("/events?limit=200", headers=outsider.headers))) == [(notice["id"], "答疑纪要.pdf")]
    own = await ok(client.get("/events?limit=200", headers=w.bidders[0].headers))
    assert added(own) == [(notice["id"], "答疑纪要.pdf"), (sealed["id"], "投标书-密封.pdf")]  # the bidder's own, to it alone
