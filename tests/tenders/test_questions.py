"""Clarification questions: asked before the deadline, answered in public without the asker's name;
an answer that changes the terms makes earlier bids need reconfirmation."""

from __future__ import annotations

from tests.builders import run_jobs
from tests.tenders.world import bid, ok, open_tender, world


async def _told(client, actor, prefix="question."):  # type: ignore[no-untyped-def]
    items = (await ok(client.get("/me/notifications?limit=200", headers=actor.headers)))["items"]
    return [n["type"] for n in items if n["type"].startswith(prefix)]


async def _feed(client, actor=None):  # type: ignore[no-untyped-def]
    headers = actor.headers if actor is not None else {}
    return (await ok(client.get("/events?limit=200", headers=headers)))["items"]

HIDDEN = {"organization_id", "asked_by", "answered_by"}


async def test_questions_are_answered_in_public_without_the_askers_name(app, client, clock) -> None:
    w = await world(app, bidders=2, experts=0)
    asker, other = w.bidders
    opp = await open_tender(client, w, earmark=0)
    path = f"/opportunities/{opp['id']}/questions"
    r = await client.post(path, json={"question": "可否联合投标？"}, headers=w.c.buyer.headers)
    assert r.status_code == 403
    asked = await ok(client.post(path, json={"question": "服务对象是否包含失能老人？"}, headers=asker.headers), 201)
    assert asked["status"] == "open" and asked["mine"] is True and not HIDDEN & set(asked)

    assert (await ok(client.get(path)))["items"] == []
    assert (await ok(client.get(path, headers=other.headers)))["items"] == []
    own = await ok(client.get(path, headers=asker.headers))
    assert [q["id"] for q in own["items"]] == [asked["id"]] and own["items"][0]["mine"] is True
    seen_by_buyer = (await ok(client.get(path, headers=w.c.buyer.headers)))["items"]
    assert [q["id"] for q in seen_by_buyer] == [asked["id"]] and not HIDDEN & set(seen_by_buyer[0])
    assert seen_by_buyer[0]["mine"] is False

    answer = {"answer": "包含，失能老人优先。"}
    r = await client.post(f"/questions/{asked['id']}/answer", json=answer, headers=w.c.other_buyer.headers)
    assert r.status_code == 403
    answered = await ok(client.post(f"/questions/{asked['id']}/answer", json=answer, headers=w.c.buyer.headers))
    assert answered["status"] == "answered" and answered["amends_terms"] is False
    public = (await ok(client.get(path)))["items"]
    assert [(q["question"], q["answer"], q["mine"]) for q in public] == [
        ("服务对象是否包含失能老人？", "包含，失能老人优先。", False)]
    r = await client.post(f"/questions/{asked['id']}/answer", json=answer, headers=w.c.manager.headers)
    assert r.status_code == 409 and r.json()["code"] == "question_answered"

    events = await ok(client.get("/audit/events", params={"entity_id": asked["id"]}))
    assert [e["action"] for e in events["items"]] == ["question.answered"]  # the asking itself is not public
    assert str(asker.user.organization_id) not in str(events) and str(asker.id) not in str(events["items"][0]["summary"])

    # through the event feed: the buyer was told of the question, the asker of the answer; the public feed
    # carries the answer (never the asking, never who asked)
    await run_jobs(app)
    await run_jobs(app)
    assert await _told(client, w.c.buyer) == ["question.asked"]
    assert await _told(client, asker) == ["question.answered"] and await _told(client, other) == []
    public_feed = await _feed(client)
    assert [e["type"] for e in public_feed if e["type"].startswith("question.")] == ["question.answered"]
    assert str(asker.user.organization_id) not in str(public_feed) and str(asker.id) not in str(public_feed)
    assert "question.asked" in [e["type"] for e in await _feed(client, w.c.buyer)]
    assert "question.asked" not in [e["type"] for e in await _feed(client, other)]


async def test_an_answer_that_changes_the_terms_is_an_amendment(app, client, clock) -> None:
    w = await world(app, bidders=1, experts=0)
    opp = await open_tender(client, w, earmark=0)
    placed = await bid(client, w.bidders[0], opp["id"], 10_000_000)
    question = await ok(client.post(f"/opportunities/{opp['id']}/questions", json={"question": "服务周期能否延长到两年？"},
                                    headers=w.bidders[0].headers), 201)
    w.later(app, clock, seconds=5)
    amendment = {"answer": "可以，服务周期调整为两年。", "amends_terms": True}
    await ok(client.post(f"/questions/{question['id']}/answer", json=amendment, headers=w.c.manager.headers))
    mine = await ok(client.get(f"/bids/{placed['id']}", headers=w.bidders[0].headers))
    assert mine["needs_reconfirmation"] is True
    events = await ok(client.get("/audit/events", params={"entity_id": opp["id"]}))
    assert "opportunity.amended" in [e["action"] for e in events["items"]]
    await run_jobs(app)
    await run_jobs(app)
    assert "opportunity.amended" in await _told(client, w.bidders[0], "opportunity.")  # reconfirm: told, not just flagged

    late = await ok(client.post(f"/opportunities/{opp['id']}/questions", json={"question": "最后一个问题"},
                                headers=w.bidders[0].headers), 201)
    w.later(app, clock, days=11)
    r = await client.post(f"/opportunities/{opp['id']}/questions", json={"question": "截止后提问"}, headers=w.bidders[0].headers)
    assert r.status_code == 409 and r.json()["code"] == "bid_deadline_passed"
    r = await client.post(f"/questions/{late['id']}/answer", json={"answer": "已截止"}, headers=w.c.buyer.headers)
    # the only bid was never reconfirmed after the amendment, so it did not count: the tender failed
    assert r.status_code == 409 and r.json()["code"] == "opportunity_unsuccessful"
    assert (await client.post("/questions/00000000-0000-0000-0000-000000000000/answer", json={"answer": "x"},
                              headers=w.c.buyer.headers)).status_code == 404
