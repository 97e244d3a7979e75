"""Bids: eligibility, one per organization, update / withdraw / reconfirm until the deadline, Idempotency-Key."""

from __future__ import annotations

from exchange import db
from exchange.organizations.models import Organization
from tests.builders import make_org_user
from tests.tenders.world import bid, ok, open_tender, world


async def test_eligibility_is_checked_at_submission(app, client) -> None:
    w = await world(app, bidders=1)
    opp = await open_tender(client, w, eligibility={"min_a_level": 3, "registration_required": True})
    low, _ = await make_org_user(app, "org", a_level=2)
    filed, _ = await make_org_user(app, "org", legal_form="filed", registration="subdistrict_filed", credit_code=None,
                                   a_level=4)
    suspended, suspended_org = await make_org_user(app, "org", a_level=5)
    async with db.unit_of_work(app.state.session_factory) as session:
        (await session.get(Organization, suspended_org.id)).status = "suspended"
    good, _ = await make_org_user(app, "org", a_level=3)
    body = {"proposal": "方案", "price_fen": 100_000}
    for actor, reason in ((low, "a_level_too_low"), (filed, "not_registered"), (suspended, "organization_suspended")):
        r = await client.post(f"/opportunities/{opp['id']}/bids", json=body, headers=actor.headers)
        assert r.status_code == 403 and r.json()["code"] == "not_eligible" and reason in r.json()["reasons"], r.text
    r = await client.post(f"/opportunities/{opp['id']}/bids", json=body, headers=w.c.buyer.headers)
    assert r.status_code == 403
    await ok(client.post(f"/opportunities/{opp['id']}/bids", json=body, headers=good.headers), 201)


async def test_one_bid_per_organization_updated_or_withdrawn_until_the_deadline(app, client, clock) -> None:
    w = await world(app, bidders=1)
    opp = await open_tender(client, w)
    org = w.bidders[0]
    first = await bid(client, org, opp["id"], 100_000)
    r = await client.post(f"/opportunities/{opp['id']}/bids", json={"proposal": "再投", "price_fen": 90_000}, headers=org.headers)
    assert r.status_code == 409 and r.json()["code"] == "bid_already_submitted"
    r = await client.patch(f"/bids/{first['id']}", json={"price_fen": 95_000}, headers={**org.headers, "If-Match": '"99"'})
    assert r.status_code == 412
    updated = await ok(client.patch(f"/bids/{first['id']}", json={"price_fen": 95_000}, headers=org.headers))
    assert updated["price_fen"] == 95_000 and updated["version"] == first["version"] + 1
    withdrawn = await ok(client.post(f"/bids/{first['id']}/withdraw", headers=org.headers))
    assert withdrawn["status"] == "withdrawn"
    r = await client.post(f"/bids/{first['id']}/withdraw", headers=org.headers)
    assert r.status_code == 409 and r.json()["code"] == "bid_withdrawn"
    again = await bid(client, org, opp["id"], 80_000)
    assert again["id"] == first["id"] and again["status"] == "submitted"
    w.later(app, clock, days=11)
    for r in (await client.patch(f"/bids/{first['id']}", json={"price_fen": 1}, headers=org.headers),
              await client.post(f"/bids/{first['id']}/withdraw", headers=org.headers),
              await client.post(f"/opportunities/{opp['id']}/bids", json={"proposal": "x", "price_fen": 1}, headers=org.headers)):
        assert r.status_code == 409 and r.json()["code"] == "bid_deadline_passed"


async def test_idempotency_key_replays_the_first_bid(app, client) -> None:
    w = await world(app, bidders=1)
    opp = await open_tender(client, w)
    headers = {**w.bidders[0].headers, "Idempotency-Key": "bid-1"}
    body = {"proposal": "方案", "price_fen": 100_000}
    first = await client.post(f"/opportunities/{opp['id']}/bids", json=body, headers=headers)
    second = await client.post(f"/opportunities/{opp['id']}/bids", json=body, headers=headers)
    assert first.status_code == second.status_code == 201 and first.json() == second.json()
    assert second.headers.get("Idempotent-Replayed") == "true"
    r = await client.post(f"/opportunities/{opp['id']}/bids", json={**body, "price_fen": 1}, headers=headers)
    assert r.status_code == 409 and r.json()["code"] == "idempotency_key_reused"


async def test_changed_terms_need_reconfirmation(app, client, clock) -> None:
    w = await world(app, bidders=2)
    opp = await open_tender(client, w, min_bids=1)
    a = await bid(client, w.bidders[0], opp["id"], 100_000)
    b = await bid(client, w.bidders[1], opp["id"], 90_000)
    await ok(client.patch(f"/opportunities/{opp['id']}", json={"budget_fen": 15_000_000}, headers=w.c.buyer.headers))
    mine = (await ok(client.get(f"/opportunities/{opp['id']}/bids", headers=w.bidders[0].headers)))["items"][0]
    assert mine["needs_reconfirmation"] is True
    confirmed = await ok(client.post(f"/bids/{a['id']}/confirm", headers=w.bidders[0].headers))
    assert confirmed["needs_reconfirmation"] is False
    w.later(app, clock, days=11)
    closed = await ok(client.post(f"/opportunities/{opp['id']}/close-bidding", headers=w.c.buyer.headers))
    assert closed["eligible_bids"] == 1
    r = await client.post(f"/opportunities/{opp['id']}/panel", json={"expert_user_ids": [str(w.experts[0].id)]},
                          headers=w.c.buyer.headers)
    assert r.status_code == 200
    r = await client.post(f"/opportunities/{opp['id']}/award", json={"bid_id": b["id"]}, headers=w.c.buyer.headers)
    assert r.status_code == 409 and r.json()["code"] == "bid_not_eligible"


async def test_panel_members_must_be_experts(app, client, clock) -> None:
    w = await world(app, bidders=1)
    opp = await open_tender(client, w)
    await bid(client, w.bidders[0], opp["id"], 100_000)
    r = await client.post(f"/opportunities/{opp['id']}/panel", json={"expert_user_ids": [str(w.experts[0].id)]},
                          headers=w.c.buyer.headers)
    assert r.status_code == 409 and r.json()["code"] == "opportunity_published"
    w.later(app, clock, days=11)
    r = await client.post(f"/opportunities/{opp['id']}/panel", json={"expert_user_ids": [str(w.c.evaluator.id)]},
                          headers=w.c.buyer.headers)
    assert r.status_code == 422 and r.json()["code"] == "not_an_expert"
    r = await client.post(f"/opportunities/{opp['id']}/panel", json={"expert_user_ids": [str(w.experts[0].id)]},
                          headers=w.c.other_buyer.headers)
    assert r.status_code == 403


async def test_five_experts_drop_the_highest_and_lowest(app, client, clock) -> None:
    w = await world(app, bidders=2, experts=5)
    opp = await open_tender(client, w)
    a = await bid(client, w.bidders[0], opp["id"], 100_000)
    b = await bid(client, w.bidders[1], opp["id"], 90_000)
    w.later(app, clock, days=11)
    await ok(client.post(f"/opportunities/{opp['id']}/panel", json={"expert_user_ids": [str(e.id) for e in w.experts]},
                         headers=w.c.manager.headers))
    for e, s in zip(w.experts, (100, 80, 70, 60, 0), strict=True):
        await ok(client.post(f"/bids/{a['id']}/scores", json={"scores": {"方案质量": s, "团队能力": s}}, headers=e.headers))
        await ok(client.post(f"/bids/{b['id']}/scores", json={"scores": {"方案质量": 70, "团队能力": 70}}, headers=e.headers))
    items = (await ok(client.get(f"/opportunities/{opp['id']}/ranking", headers=w.c.buyer.headers)))["items"]
    # a: (80 + 70 + 60) / 3 = 70, the same as b: the lower price (b) wins the tie
    assert [(i["bid_id"], i["weighted_score"], i["experts_counted"]) for i in items] == [
        (b["id"], 70.0, 3), (a["id"], 70.0, 3)]
    r = await client.post(f"/bids/{a['id']}/scores", json={"scores": {"方案质量": 101, "团队能力": 1}},
                          headers=w.experts[0].headers)
    assert r.status_code == 422 and r.json()["code"] == "score_out_of_range"
