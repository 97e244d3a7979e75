"""The story's variants: too few bids, an upheld objection, a failed evaluation, a brokered deal,
termination and cancellation — money checked to the fen."""

from __future__ import annotations

from tests.builders import make_user
from tests.listings.world import create, need_body
from tests.tenders.world import (
    DEPOSIT,
    EARMARK,
    bid,
    deliver,
    final_award,
    milestones,
    ok,
    open_tender,
    renew,
    reviewed,
    signed_deal,
    world,
)


async def test_too_few_bids_is_unsuccessful_and_releases_the_earmark(app, client, clock) -> None:
    w = await world(app, bidders=2)
    opp = await open_tender(client, w, min_bids=2)
    await bid(client, w.bidders[0], opp["id"], 10_000_000)
    withdrawn = await bid(client, w.bidders[1], opp["id"], 9_000_000)
    await ok(client.post(f"/bids/{withdrawn['id']}/withdraw", headers=w.bidders[1].headers))
    assert (await w.fund(app))["earmarked"] == EARMARK
    w.later(app, clock, days=11)
    closed = await ok(client.post(f"/opportunities/{opp['id']}/close-bidding", headers=w.c.buyer.headers))
    assert closed["status"] == "unsuccessful" and closed["eligible_bids"] == 1
    again = await ok(client.post(f"/opportunities/{opp['id']}/close-bidding", headers=w.c.manager.headers))
    assert again["status"] == "unsuccessful"
    assert await w.fund(app) == {"deposited": DEPOSIT, "available": DEPOSIT, "earmarked": 0, "committed": 0, "paid": 0}
    r = await client.post(f"/opportunities/{opp['id']}/panel", json={"expert_user_ids": [str(w.experts[0].id)]},
                          headers=w.c.buyer.headers)
    assert r.status_code == 409 and r.json()["code"] == "opportunity_unsuccessful"


async def test_the_clock_closes_bidding_without_anyone_asking(app, client, clock) -> None:
    from tests.builders import run_jobs

    w = await world(app, bidders=1)
    opp = await open_tender(client, w, min_bids=1)
    await bid(client, w.bidders[0], opp["id"], 10_000_000)
    w.later(app, clock, days=11)
    assert (await run_jobs(app)).applied >= 1
    assert (await ok(client.get(f"/opportunities/{opp['id']}")))["status"] == "bidding_closed"


async def test_upheld_objection_lets_the_next_ranked_bid_win(app, client, clock) -> None:
    w = await world(app, bidders=3)
    opp, bids = await reviewed(client, clock, w, [12_000_000, 11_000_000, 13_000_000], standstill_days=5)
    first = await ok(client.post(f"/opportunities/{opp['id']}/award", json={"bid_id": bids[0]["id"]},
                                 headers=w.c.buyer.headers), 201)
    r = await client.post(f"/opportunities/{opp['id']}/award", json={"bid_id": bids[1]["id"]}, headers=w.c.buyer.headers)
    assert r.status_code == 409 and r.json()["code"] == "opportunity_awarded"
    objection = await ok(client.post(f"/awards/{first['id']}/objections", json={"reason": "中标机构资质造假"},
                                     headers=w.c.other_org.headers), 201)
    resolved = await ok(client.post(f"/objections/{objection['id']}/resolve", json={"decision": "upheld", "reason": "核实属实"},
                                    headers=w.c.manager.headers))
    assert resolved["status"] == "upheld"
    r = await client.post(f"/objections/{objection['id']}/resolve", json={"decision": "rejected", "reason": "再议"},
                          headers=w.c.manager.headers)
    assert r.status_code == 409 and r.json()["code"] == "objection_upheld"
    cancelled = await ok(client.get(f"/awards/{first['id']}"))
    assert cancelled["status"] == "cancelled"
    r = await client.post(f"/awards/{first['id']}/objections", json={"reason": "x"}, headers=w.c.resident.headers)
    assert r.status_code == 409 and r.json()["code"] == "award_cancelled"
    r = await client.post(f"/opportunities/{opp['id']}/award", json={"bid_id": bids[0]["id"]}, headers=w.c.buyer.headers)
    assert r.status_code == 409 and r.json()["code"] == "bid_award_cancelled"
    second = await final_award(client, clock, w, opp["id"], bids[1]["id"])
    notices = (await ok(client.get("/public/notices")))["items"]
    assert [(n["id"], n["status"], n["on_notice"]) for n in notices if n["kind"] == "award"] == [
        (second["id"], "final", False), (first["id"], "cancelled", False)]
    r = await client.post(f"/awards/{second['id']}/objections", json={"reason": "太迟"}, headers=w.c.resident.headers)
    assert r.status_code == 404  # off the notices, a final award is for the parties and staff
    r = await client.post(f"/awards/{second['id']}/objections", json={"reason": "太迟"}, headers=w.c.manager.headers)
    assert r.status_code == 409 and r.json()["code"] == "award_final"
    r = await client.post("/deals", json={"award_id": first["id"], "milestones": milestones(12_000_000)},
                          headers=w.c.buyer.headers)
    assert r.status_code == 409 and r.json()["code"] == "award_cancelled"
    deal = await signed_deal(client, w, second, org=w.bidders[1])
    assert deal["organization_id"] == str(w.bidder_orgs[1].id) and deal["amount_fen"] == 11_000_000


async def test_failed_evaluation_withholds_the_last_tranche(app, client, clock) -> None:
    w = await world(app, bidders=1)
    opp, bids = await reviewed(client, clock, w, [10_000_000], standstill_days=0)
    award = await ok(client.post(f"/opportunities/{opp['id']}/award", json={"bid_id": bids[0]["id"]},
                                 headers=w.c.buyer.headers), 201)
    assert award["status"] == "final"  # no standstill
    deal = await signed_deal(client, w, award, parts=2)
    deal = await deliver(client, w.c.org, w.c.buyer, deal)
    await ok(client.post(f"/deals/{deal['id']}/closing-report", json={"summary": "完成", "people_served": 40, "activities": 8},
                         headers=w.c.org.headers))
    deal = await ok(client.post(f"/deals/{deal['id']}/evaluation", json={"scores": {"成效": 40}, "total": 52},
                                headers=w.c.evaluator.headers))
    assert deal["evaluation"]["grade"] == "fail" and deal["milestones"][1]["tranche"] == "released"
    assert deal["money"] == {"committed_fen": 10_000_000, "paid_fen": 5_000_000, "released_fen": 5_000_000}
    deal = await ok(client.post(f"/deals/{deal['id']}/close", headers=w.c.manager.headers))
    assert await w.fund(app) == {"deposited": DEPOSIT, "available": DEPOSIT - 5_000_000, "earmarked": 0,
                                 "committed": 0, "paid": 5_000_000}


async def test_brokered_deal_signed_by_a_manager_for_the_fund_owner(app, client, clock) -> None:
    w = await world(app, bidders=1)
    need = await create(client, w.c.resident, "/needs", need_body())
    body = {"need_id": need["id"], "organization_id": str(w.c.org_org.id), "fund_id": str(w.fund_id),
            "amount_fen": 300_000, "milestones": milestones(300_000, 2)}
    r = await client.post("/deals", json=body, headers=w.c.buyer.headers)
    assert r.status_code == 403
    r = await client.post("/deals", json={**body, "fund_id": None}, headers=w.c.manager.headers)
    assert r.status_code == 422 and r.json()["code"] == "fund_required"
    deal = await ok(client.post("/deals", json=body, headers=w.c.manager.headers), 201)
    assert deal["kind"] == "brokered" and deal["buyer_organization_id"] == str(w.c.buyer_org.id)
    await ok(client.post(f"/deals/{deal['id']}/sign", headers=w.c.org.headers))
    deal = await ok(client.post(f"/deals/{deal['id']}/sign", headers=w.c.manager.headers))
    assert deal["status"] == "active"
    assert await w.fund(app) == {"deposited": DEPOSIT, "available": DEPOSIT - 300_000, "earmarked": 0,
                                 "committed": 300_000, "paid": 0}
    deal = await deliver(client, w.c.org, w.c.buyer, deal)
    assert deal["money"]["paid_fen"] == 150_000
    await ok(client.post(f"/deals/{deal['id']}/closing-report", json={"summary": "完成", "people_served": 3, "activities": 2},
                         headers=w.c.org.headers))
    await ok(client.post(f"/deals/{deal['id']}/evaluation", json={"scores": {}, "total": 95, "grade": "excellent"},
                         headers=w.c.evaluator.headers))
    deal = await ok(client.post(f"/deals/{deal['id']}/close", headers=w.c.buyer.headers))
    assert deal["status"] == "closed" and deal["money"]["paid_fen"] == 300_000


async def test_termination_releases_unpaid_money_and_closes_the_opportunity(app, client, clock) -> None:
    w = await world(app, bidders=1)
    opp, bids = await reviewed(client, clock, w, [12_000_000])
    award = await final_award(client, clock, w, opp["id"], bids[0]["id"])
    deal = await signed_deal(client, w, award, parts=3)
    m1 = deal["milestones"][0]
    await ok(client.post(f"/deals/{deal['id']}/milestones/{m1['id']}/report", json={"summary": "完成", "evidence": []},
                         headers=w.c.org.headers))
    await ok(client.post(f"/deals/{deal['id']}/milestones/{m1['id']}/accept", headers=w.c.buyer.headers))
    r = await client.post(f"/deals/{deal['id']}/terminate", json={"reason": "x"}, headers=w.c.org.headers)
    assert r.status_code == 403
    deal = await ok(client.post(f"/deals/{deal['id']}/terminate", json={"reason": "机构停止运营"}, headers=w.c.buyer.headers))
    assert deal["status"] == "terminated"
    assert deal["money"] == {"committed_fen": 12_000_000, "paid_fen": 4_000_000, "released_fen": 8_000_000}
    assert (await ok(client.get(f"/opportunities/{opp['id']}")))["status"] == "closed"
    assert await w.fund(app) == {"deposited": DEPOSIT, "available": DEPOSIT - 4_000_000, "earmarked": 0,
                                 "committed": 0, "paid": 4_000_000}
    r = await client.post(f"/deals/{deal['id']}/close", headers=w.c.buyer.headers)
    assert r.status_code == 409 and r.json()["code"] == "deal_terminated"


async def test_cancelling_a_tender_after_the_close_releases_its_earmark(app, client, clock) -> None:
    w = await world(app, bidders=1)
    opp = await open_tender(client, w)
    await bid(client, w.bidders[0], opp["id"], 10_000_000)
    w.later(app, clock, days=11)
    await ok(client.post(f"/opportunities/{opp['id']}/close-bidding", headers=w.c.buyer.headers))
    cancelled = await ok(client.post(f"/opportunities/{opp['id']}/cancel", json={"reason": "预算取消"},
                                     headers=w.c.buyer.headers))
    assert cancelled["status"] == "cancelled"
    assert await w.fund(app) == {"deposited": DEPOSIT, "available": DEPOSIT, "earmarked": 0, "committed": 0, "paid": 0}


async def test_insufficient_funds_blocks_activation(app, client, clock) -> None:
    w = await world(app, bidders=1)
    need = await create(client, w.c.resident, "/needs", need_body())
    body = {"need_id": need["id"], "organization_id": str(w.c.org_org.id), "fund_id": str(w.fund_id),
            "amount_fen": DEPOSIT + 1, "milestones": milestones(DEPOSIT + 1, 1)}
    deal = await ok(client.post("/deals", json=body, headers=w.c.manager.headers), 201)
    await ok(client.post(f"/deals/{deal['id']}/sign", headers=w.c.org.headers))
    r = await client.post(f"/deals/{deal['id']}/sign", headers=w.c.manager.headers)
    assert r.status_code == 409 and r.json()["code"] == "insufficient_funds"
    assert (await ok(client.get(f"/deals/{deal['id']}", headers=w.c.manager.headers)))["status"] == "pending_signatures"


async def test_venture_philanthropy_call_ranks_across_its_opportunities(app, client, clock) -> None:
    w = await world(app, bidders=2, experts=2)
    a = await open_tender(client, w, earmark=0)
    b = await open_tender(client, w, earmark=0)
    deadline = (await ok(client.get(f"/opportunities/{a['id']}")))["bid_deadline"]
    call = await ok(client.post("/calls", json={
        "title": "2027 年公益创投大赛", "bid_deadline": deadline, "opportunity_ids": [a["id"], b["id"]],
        "expert_user_ids": [str(e.id) for e in w.experts]}, headers=w.c.manager.headers), 201)
    assert sorted(call["opportunity_ids"]) == sorted([a["id"], b["id"]])
    ba = await bid(client, w.bidders[0], a["id"], 500_000)
    bb = await bid(client, w.bidders[1], b["id"], 400_000)
    r = await client.get(f"/calls/{call['id']}/ranking", headers=w.c.manager.headers)
    assert r.status_code == 409 and r.json()["code"] == "bids_sealed"
    w.later(app, clock, days=11)
    await ok(client.post(f"/calls/{call['id']}/panel", headers=w.c.manager.headers))
    for e in w.experts:
        await ok(client.post(f"/bids/{ba['id']}/scores", json={"scores": {"方案质量": 70, "团队能力": 70}}, headers=e.headers))
        await ok(client.post(f"/bids/{bb['id']}/scores", json={"scores": {"方案质量": 90, "团队能力": 80}}, headers=e.headers))
    items = (await ok(client.get(f"/calls/{call['id']}/ranking", headers=w.experts[0].headers)))["items"]
    assert [(i["bid_id"], i["opportunity_id"], i["rank"]) for i in items] == [(bb["id"], b["id"], 1), (ba["id"], a["id"], 2)]
    resident = await make_user(app, "resident")
    renew(app, resident)
    assert (await client.get(f"/calls/{call['id']}/ranking", headers=resident.headers)).status_code == 403
