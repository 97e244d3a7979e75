"""Who may upload, list, fetch and delete, for each owner and each role, before and after the close
(api.md → Documents). Every table below is checked over HTTP, on both stores."""

from __future__ import annotations

from typing import Any

import httpx

from tests.builders import Actor
from tests.documents import files
from tests.documents.world import sha, upload, uploaded
from tests.tenders.world import World, bid, final_award, ok, open_tender, panel, reviewed, world

PDF = files.pdf("测试文件")


async def _statuses(client: httpx.AsyncClient, actors: dict[str, Actor | None], path: str, **kw: Any) -> dict[str, int]:
    out = {}
    for name, actor in actors.items():
        r = await upload(client, actor, path, PDF, **kw)
        out[name] = r.status_code
    return out


async def _reads(client: httpx.AsyncClient, actors: dict[str, Actor | None], paths: list[str]) -> dict[str, list[int]]:
    out = {}
    for name, actor in actors.items():
        headers = actor.headers if actor is not None else {}
        out[name] = [(await client.get(p, headers=headers)).status_code for p in paths]
    return out


def _cast(w: World) -> dict[str, Actor | None]:
    c = w.c
    return {"buyer": c.buyer, "other_buyer": c.other_buyer, "bidder": w.bidders[0], "other_org": c.other_org,
            "manager": c.manager, "admin": c.admin, "expert": w.experts[0], "evaluator": c.evaluator,
            "resident": c.resident, "anonymous": None}


async def test_opportunity_documents(app, client) -> None:
    w = await world(app, bidders=1, experts=1)
    c, actors = w.c, _cast(w)
    draft = await ok(client.post("/opportunities", json={**_opportunity(), "bid_deadline": _future()},
                                 headers=c.buyer.headers), 201)
    path = f"/opportunities/{draft['id']}/documents"
    assert await _statuses(client, actors, path, document_type="notice") == {
        "buyer": 201, "other_buyer": 404, "bidder": 404, "other_org": 404, "manager": 201, "admin": 201, "expert": 404,
        "evaluator": 404, "resident": 404, "anonymous": 401}
    doc = (await ok(client.get(path, headers=c.buyer.headers)))["items"][0]
    paths = [path, f"/documents/{doc['id']}", f"/documents/{doc['id']}/content"]
    draft_reads = await _reads(client, actors, paths)
    assert draft_reads["buyer"] == draft_reads["manager"] == draft_reads["admin"] == [200, 200, 200]
    assert draft_reads["other_buyer"] == draft_reads["anonymous"] == draft_reads["resident"] == [404, 404, 404]
    # while a draft, the uploader (only) may delete
    assert (await client.delete(f"/documents/{doc['id']}", headers=c.manager.headers)).json()["code"] == "not_uploader"
    assert (await client.delete(f"/documents/{doc['id']}", headers=c.buyer.headers)).status_code == 204
    assert (await client.get(f"/documents/{doc['id']}", headers=c.buyer.headers)).status_code == 404
    kept = await uploaded(client, c.buyer, path, PDF, document_type="bidding_documents")
    await ok(client.post(f"/opportunities/{draft['id']}/publish", headers=c.buyer.headers))
    # published: public to read, still only its buyer and managers add (clarifications), nobody deletes
    reads = await _reads(client, actors, [path, f"/documents/{kept['id']}", f"/documents/{kept['id']}/content"])
    assert all(v == [200, 200, 200] for v in reads.values()), reads
    assert await _statuses(client, actors, path, document_type="clarifications") == {
        "buyer": 201, "other_buyer": 403, "bidder": 403, "other_org": 403, "manager": 201, "admin": 201, "expert": 403,
        "evaluator": 403, "resident": 403, "anonymous": 401}
    r = await client.delete(f"/documents/{kept['id']}", headers=c.buyer.headers)
    assert (r.status_code, r.json()["code"]) == (409, "document_immutable")
    correction = await uploaded(client, c.buyer, path, PDF + b"\n", document_type="bidding_documents", replaces=kept["id"])
    assert correction["replaces"] == kept["id"]
    detail = await ok(client.get(f"/opportunities/{draft['id']}"))
    ids = [d["id"] for d in detail["documents"]]
    assert len(ids) == 7 and ids[2] == kept["id"] and ids[-1] == correction["id"] and detail["bid_documents"] is None
    assert (await upload(client, c.buyer, path, PDF, document_type="proposal")).status_code == 422


async def test_bid_documents_are_sealed_until_the_close(app, client, clock) -> None:
    w = await world(app, bidders=2, experts=1)
    c, actors = w.c, _cast(w)
    opp = await open_tender(client, w)
    real = await bid(client, w.bidders[0], opp["id"], 8_000_000)
    path = f"/bids/{real['id']}/documents"
    uploads = await _statuses(client, actors, path)
    assert uploads == {"buyer": 404, "other_buyer": 404, "bidder": 201, "other_org": 404, "manager": 404, "admin": 404,
                       "expert": 404, "evaluator": 404, "resident": 404, "anonymous": 401}
    doc = (await ok(client.get(path, headers=w.bidders[0].headers)))["items"][0]
    assert doc["sha256"] == sha(PDF)
    paths = [path, f"/documents/{doc['id']}", f"/documents/{doc['id']}/content"]
    before = await _reads(client, actors, paths)
    assert before.pop("bidder") == [200, 200, 200]
    assert before.pop("anonymous") == [401, 404, 404]
    assert all(v == [404, 404, 404] for v in before.values()), before
    # the bidder may delete and replace before the deadline
    extra = await uploaded(client, w.bidders[0], path, files.image("PNG"), filename="资质.png", document_type="qualification")
    assert (await client.delete(f"/documents/{extra['id']}", headers=w.bidders[0].headers)).status_code == 204

    w.later(app, clock, days=11)
    await ok(client.post(f"/opportunities/{opp['id']}/close-bidding", headers=c.buyer.headers))
    await panel(client, w, opp["id"])
    after = await _reads(client, actors, paths)
    for reviewer in ("buyer", "manager", "expert", "bidder"):
        assert after[reviewer] == [200, 200, 200], reviewer
    assert after["other_org"] == after["other_buyer"] == after["evaluator"] == after["resident"] == [403, 404, 404]
    assert after["admin"] == [403, 404, 404]
    uploads = await _statuses(client, actors, path)
    assert uploads["bidder"] == 409 and uploads["buyer"] == uploads["manager"] == 404
    r = await client.delete(f"/documents/{doc['id']}", headers=w.bidders[0].headers)
    assert (r.status_code, r.json()["code"]) == (409, "document_immutable")
    r = await client.get(f"/documents/{doc['id']}/content", headers=c.buyer.headers)
    assert r.content == PDF
    bid_read = await ok(client.get(f"/bids/{real['id']}", headers=c.buyer.headers))
    assert [d["id"] for d in bid_read["documents"]] == [doc["id"]]


async def test_deal_and_milestone_documents(app, client, clock) -> None:
    w = await world(app, bidders=1, experts=1)
    c = w.c
    opp, bids = await reviewed(client, clock, w, [6_000_000])
    award = await final_award(client, clock, w, opp["id"], bids[0]["id"])
    deal = await ok(client.post("/deals", json={"award_id": award["id"], "milestones": [
        {"title": "第一期", "due_on": "2027-03-01", "amount_fen": 3_000_000},
        {"title": "第二期", "due_on": "2027-06-01", "amount_fen": 3_000_000}]}, headers=c.buyer.headers), 201)
    path = f"/deals/{deal['id']}/documents"
    actors = _cast(w) | {"org": c.org}
    contract = await uploaded(client, c.buyer, path, PDF, filename="服务合同.pdf", document_type="contract")
    assert (await client.delete(f"/documents/{contract['id']}", headers=c.buyer.headers)).status_code == 204
    contract = await uploaded(client, c.buyer, path, PDF, filename="服务合同.pdf", document_type="contract")
    await ok(client.post(f"/deals/{deal['id']}/sign", headers=c.org.headers))
    await ok(client.post(f"/deals/{deal['id']}/sign", headers=c.buyer.headers))
    statuses = await _statuses(client, actors, path, document_type="photo", filename="活动记录.pdf")
    # the bidder is the contracted organization (the world's first bidder is c.org)
    assert statuses == {"buyer": 201, "other_buyer": 404, "bidder": 201, "other_org": 404, "manager": 201, "admin": 403,
                        "expert": 404, "evaluator": 201, "resident": 404, "anonymous": 401, "org": 201}
    milestone = deal["milestones"][0]["id"]
    evidence = await uploaded(client, c.org, path, files.image("JPEG"), filename="签到表.jpg",
                              document_type="milestone_evidence", milestone_id=milestone)
    r = await upload(client, c.org, path, PDF, document_type="milestone_evidence", milestone_id=bids[0]["id"])
    assert (r.status_code, r.json()["code"]) == (422, "unknown_milestone")
    reads = await _reads(client, actors, [path, f"/documents/{evidence['id']}/content"])
    assert reads["other_org"] == reads["resident"] == [404, 404] and reads["anonymous"] == [401, 404]
    assert reads["admin"] == reads["evaluator"] == reads["manager"] == reads["org"] == [200, 200]
    r = await client.delete(f"/documents/{contract['id']}", headers=c.buyer.headers)
    assert (r.status_code, r.json()["code"]) == (409, "document_immutable")
    detail = await ok(client.get(f"/deals/{deal['id']}", headers=c.buyer.headers))
    assert len(detail["documents"]) == 7
    assert [d["id"] for d in detail["milestones"][0]["documents"]] == [evidence["id"]]
    assert detail["milestones"][1]["documents"] == []


async def test_organization_documents(app, client) -> None:
    w = await world(app, bidders=1, experts=1)
    c, actors = w.c, _cast(w)
    path = f"/organizations/{c.org_org.id}/documents"
    statuses = await _statuses(client, actors, path, document_type="registration_certificate")
    assert statuses == {"buyer": 403, "other_buyer": 403, "bidder": 201, "other_org": 403, "manager": 403, "admin": 201,
                        "expert": 403, "evaluator": 403, "resident": 403, "anonymous": 401}
    listed = await ok(client.get(path))
    assert len(listed["items"]) == 2
    reads = await _reads(client, actors, [path, f"/documents/{listed['items'][0]['id']}/content"])
    assert all(v == [200, 200] for v in reads.values())
    # a profile stays editable: its uploader may remove a document
    assert (await client.delete(f"/documents/{listed['items'][0]['id']}", headers=c.org.headers)).status_code == 204
    r = await client.delete(f"/documents/{listed['items'][1]['id']}", headers=c.org.headers)
    assert (r.status_code, r.json()["code"]) == (403, "not_uploader")


async def test_objection_evidence(app, client, clock) -> None:
    w = await world(app, bidders=2, experts=1)
    c = w.c
    opp, bids = await reviewed(client, clock, w, [6_000_000, 7_000_000], standstill_days=5)
    award = await ok(client.post(f"/opportunities/{opp['id']}/award", json={"bid_id": bids[0]["id"]},
                                 headers=c.buyer.headers), 201)
    objection = await ok(client.post(f"/awards/{award['id']}/objections", json={"reason": "评分不公"},
                                     headers=w.bidders[1].headers), 201)
    path = f"/awards/{award['id']}/objections/{objection['id']}/documents"
    actors = _cast(w) | {"objector": w.bidders[1]}
    statuses = await _statuses(client, actors, path, document_type=None)
    assert statuses == {"buyer": 403, "other_buyer": 403, "bidder": 403, "other_org": 403, "manager": 403, "admin": 403,
                        "expert": 403, "evaluator": 403, "resident": 403, "anonymous": 401, "objector": 201}
    public = (await ok(client.get(path)))["items"]
    assert len(public) == 1 and public[0]["document_type"] == "evidence" and public[0]["uploaded_by"] is None
    own = (await ok(client.get(path, headers=w.bidders[1].headers)))["items"]
    assert own[0]["uploaded_by"] == str(w.bidders[1].id)
    assert (await ok(client.get(f"/awards/{award['id']}")))["objections"][0]["documents"][0]["id"] == own[0]["id"]
    wrong = f"/awards/{bids[0]['id']}/objections/{objection['id']}/documents"
    assert (await client.get(wrong)).status_code == 404
    await ok(client.post(f"/objections/{objection['id']}/resolve", json={"decision": "rejected", "reason": "评分合规"},
                         headers=c.buyer.headers))
    r = await upload(client, w.bidders[1], path, PDF, document_type=None)
    assert (r.status_code, r.json()["code"]) == (409, "objection_rejected")


def _opportunity() -> dict[str, Any]:
    from tests.listings.world import opportunity_body

    return opportunity_body()


def _future() -> str:
    from tests.listings.world import future

    return future(10)
