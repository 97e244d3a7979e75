"""Sealed bids: before the close nobody but the bidder learns that a bid exists — through any list,
detail, search, export, OCDS release, audit event, statistic, error message, the event feed, a
notification, a webhook or an email."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from exchange.config import get_settings
from exchange.jobs.runner import Runner
from exchange.scheduled import JOBS
from tests.builders import run_jobs
from tests.documents import files
from tests.documents.world import upload, uploaded
from tests.notifications.smtp import smtp_server
from tests.tenders.world import World, bid, ok, open_tender, world
from tests.webhooks.receiver import receiver

PRICE = 12_345_678  # a figure that appears nowhere else
DOC = files.pdf("密封的投标文件 12345678")


async def _snapshot(client: httpx.AsyncClient, w: World, opp_id: str) -> dict[str, Any]:
    """Every read path a non-bidder has, as they answer, once the job runner has told everyone everything."""
    c = w.c
    await Runner(client._transport.app.state.session_factory, JOBS).run_once()  # type: ignore[attr-defined]
    out: dict[str, Any] = {}
    viewers = {"anonymous": {}, "buyer": c.buyer.headers, "manager": c.manager.headers, "admin": c.admin.headers,
               "other_org": c.other_org.headers, "expert": w.experts[0].headers}
    for name, headers in viewers.items():
        for path in (f"/opportunities/{opp_id}", "/opportunities", "/opportunities?q=助餐", f"/opportunities/{opp_id}/bids",
                     f"/opportunities/{opp_id}/ranking", "/audit/events?limit=200", f"/audit/events?entity_id={opp_id}",
                     "/public/notices", "/public/ocds/releases", "/stats/deals", "/stats/lists", "/stats/money",
                     "/deals", f"/opportunities/{opp_id}/funding", f"/opportunities/{opp_id}/documents",
                     "/events?limit=200", "/me/notifications?limit=200", "/me/notifications?unread=true"):
            r = await client.get(path, headers=headers)
            body = r.json()
            if path == "/public/ocds/releases":
                body.pop("publishedDate")
            if isinstance(body, dict):
                body.pop("instance", None)
            out[f"{name} {path}"] = (r.status_code, body)
    return out


async def _subscribe_everyone(client: httpx.AsyncClient, w: World, url: str) -> None:
    """Webhooks of every organization in the story and the admin's, and email for every non-bidder."""
    subscribers = {"buyer": w.c.buyer, "other_org": w.c.other_org, "admin": w.c.admin, "bidder": w.bidders[0],
                   "other_bidder": w.bidders[1]}
    for name, actor in subscribers.items():
        r = await client.post("/webhooks", json={"url": f"{url}/{name}", "event_types": ["*"]}, headers=actor.headers)
        assert r.status_code == 201, r.text
    for n, actor in enumerate((w.c.buyer, w.c.manager, w.c.admin, w.c.other_org, w.experts[0])):
        await ok(client.patch("/me/notification-settings", json={"email": f"u{n}@example.cn", "channels": ["email"]},
                              headers=actor.headers))


async def test_nothing_about_a_bid_leaks_before_the_close(app, client, clock, monkeypatch) -> None:
    monkeypatch.setenv("EXCHANGE_WEBHOOK_ALLOW_PRIVATE", "true")
    get_settings.cache_clear()
    app.state.settings.webhook_allow_private = True
    w = await world(app, bidders=2, experts=1)
    with receiver() as hook, smtp_server() as mailbox:
        monkeypatch.setenv("EXCHANGE_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("EXCHANGE_SMTP_PORT", str(mailbox.port))
        monkeypatch.setenv("EXCHANGE_SMTP_SECURITY", "none")
        get_settings.cache_clear()
        await _subscribe_everyone(client, w, hook.url)
        opp = await open_tender(client, w)
        before = await _snapshot(client, w, opp["id"])
        delivered, mailed = len(hook.received), len(mailbox.messages)
        real = await bid(client, w.bidders[0], opp["id"], PRICE)
        await ok(client.patch(f"/bids/{real['id']}", json={"proposal": "修改后的方案"}, headers=w.bidders[0].headers))
        receipt = await uploaded(client, w.bidders[0], f"/bids/{real['id']}/documents", DOC, filename="密封投标书.pdf")
        dropped = await uploaded(client, w.bidders[0], f"/bids/{real['id']}/documents", files.image("PNG"),
                                 filename="草稿.png")
        assert (await client.delete(f"/documents/{dropped['id']}", headers=w.bidders[0].headers)).status_code == 204
        after = await _snapshot(client, w, opp["id"])
    get_settings.cache_clear()
    secrets = (real["id"], str(PRICE), receipt["id"], receipt["sha256"], "密封投标书", dropped["sha256"])
    assert sorted(r.path for r in hook.received[:delivered]) == [  # the publication went out to every subscription …
        "/hooks/admin", "/hooks/bidder", "/hooks/buyer", "/hooks/other_bidder", "/hooks/other_org"]
    # … and of the bid, only to its bidder's own subscription
    since = hook.received[delivered:]
    assert {r.path for r in since} == {"/hooks/bidder"} and any(b'"bid.submitted"' in r.body for r in since)
    assert any(real["id"].encode() in r.body for r in since)
    assert len(mailbox.messages) == mailed  # no email to anyone
    for key in before:
        assert before[key] == after[key], key
        assert not any(secret in str(after[key]) for secret in secrets), key
    assert after["buyer /opportunities/{}/bids".format(opp["id"])][1]["code"] == "bids_sealed"
    assert after["other_org /opportunities/{}/bids".format(opp["id"])] == (200, {"items": [], "next_cursor": None})
    own = await ok(client.get(f"/opportunities/{opp['id']}/bids", headers=w.bidders[0].headers))
    assert [(b["id"], b["price_fen"]) for b in own["items"]] == [(real["id"], PRICE)]

    # after the close the audit trail names every bid, once
    w.later(app, clock, days=11)
    assert len((await ok(client.get(f"/opportunities/{opp['id']}/bids", headers=w.c.buyer.headers)))["items"]) == 1
    await run_jobs(app)  # the job runner records the close (a read shows it, and writes nothing)
    events = (await ok(client.get(f"/audit/events?entity_id={real['id']}", headers=w.c.admin.headers)))["items"]
    assert sorted((e["action"], str(e["summary"].get("price_fen") or e["summary"]["sha256"])) for e in events) == [
        ("bid.submitted", str(PRICE)), ("document.added", receipt["sha256"])]
    # and every submitted bid document's SHA-256 is published with the opportunity, and in the public chain
    published = (await ok(client.get(f"/opportunities/{opp['id']}")))["bid_documents"]
    assert [(d["bid_id"], d["organization_id"], d["sha256"]) for d in published] == [
        (real["id"], str(w.bidder_orgs[0].id), receipt["sha256"])]
    closed = next(e for e in (await ok(client.get(f"/audit/events?entity_id={opp['id']}")))["items"]
                  if e["action"] == "opportunity.bidding_closed")
    assert closed["action"] == "opportunity.bidding_closed"
    assert [d["sha256"] for d in closed["summary"]["bid_documents"]] == [receipt["sha256"]]


def _same(a: httpx.Response, b: httpx.Response) -> None:
    assert a.status_code == b.status_code
    ja, jb = a.json(), b.json()
    ja.pop("instance", None), jb.pop("instance", None)
    assert ja == jb


async def test_a_real_and_a_made_up_bid_id_answer_the_same(app, client, clock) -> None:
    w = await world(app, bidders=2, experts=1)
    opp = await open_tender(client, w)
    real = (await bid(client, w.bidders[0], opp["id"], PRICE))["id"]
    fake = str(uuid.uuid4())
    scores = {"scores": {"方案质量": 80, "团队能力": 80}, "conflict_of_interest": False, "comment": ""}
    c = w.c
    for actor in (c.buyer, c.manager, c.admin, w.experts[0], c.other_org, c.resident):
        _same(await client.get(f"/bids/{real}", headers=actor.headers), await client.get(f"/bids/{fake}", headers=actor.headers))
        _same(await client.post(f"/bids/{real}/scores", json=scores, headers=actor.headers),
              await client.post(f"/bids/{fake}/scores", json=scores, headers=actor.headers))
        _same(await client.post(f"/opportunities/{opp['id']}/award", json={"bid_id": real}, headers=actor.headers),
              await client.post(f"/opportunities/{opp['id']}/award", json={"bid_id": fake}, headers=actor.headers))
    for path in ("withdraw", "confirm"):
        _same(await client.post(f"/bids/{real}/{path}", headers=c.other_org.headers),
              await client.post(f"/bids/{fake}/{path}", headers=c.other_org.headers))
    _same(await client.patch(f"/bids/{real}", json={"price_fen": 1}, headers=c.other_org.headers),
          await client.patch(f"/bids/{fake}", json={"price_fen": 1}, headers=c.other_org.headers))
    r = await client.get(f"/bids/{real}", headers=c.buyer.headers)
    assert r.status_code == 404 and r.json()["code"] == "bid_not_found"

    # the documents of a sealed bid: every path answers others as for a made-up id
    doc = (await uploaded(client, w.bidders[0], f"/bids/{real}/documents", DOC))["id"]
    made_up = str(uuid.uuid4())
    for actor in (c.buyer, c.manager, c.admin, w.experts[0], c.other_org, c.resident):
        for path in ("/bids/{}/documents",):
            _same(await client.get(path.format(real), headers=actor.headers),
                  await client.get(path.format(fake), headers=actor.headers))
            _same(await upload(client, actor, path.format(real), DOC), await upload(client, actor, path.format(fake), DOC))
        for path in ("/documents/{}", "/documents/{}/content"):
            _same(await client.get(path.format(doc), headers=actor.headers),
                  await client.get(path.format(made_up), headers=actor.headers))
        _same(await client.delete(f"/documents/{doc}", headers=actor.headers),
              await client.delete(f"/documents/{made_up}", headers=actor.headers))
    _same(await client.get(f"/documents/{doc}"), await client.get(f"/documents/{made_up}"))
    r = await client.post(f"/opportunities/{opp['id']}/award", json={"bid_id": real}, headers=c.buyer.headers)
    assert r.status_code == 409 and r.json()["code"] == "opportunity_published"
