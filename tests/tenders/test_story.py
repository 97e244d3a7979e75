"""The whole story over HTTP: publish → bids → close → panel → award → objection → deal → … → close."""

from __future__ import annotations

from tests.builders import make_user
from tests.tenders.world import DEPOSIT, EARMARK, bid, ok, open_tender, panel, renew, score, world


async def test_publish_to_close(app, client, clock) -> None:
    w = await world(app, bidders=3, experts=3)
    c = w.c
    opp = await open_tender(client, w, min_bids=2, standstill_days=5)
    oid = opp["id"]
    b_best = await bid(client, w.bidders[0], oid, 18_000_000)
    b_cheap = await bid(client, w.bidders[1], oid, 15_000_000)
    b_third = await bid(client, w.bidders[2], oid, 19_000_000)

    # sealed: the buyer learns nothing, the bidder sees its own bid only
    r = await client.get(f"/opportunities/{oid}/bids", headers=c.buyer.headers)
    assert r.status_code == 409 and r.json()["code"] == "bids_sealed"
    own = await ok(client.get(f"/opportunities/{oid}/bids", headers=w.bidders[1].headers))
    assert [b["id"] for b in own["items"]] == [b_cheap["id"]]
    r = await client.post(f"/opportunities/{oid}/close-bidding", headers=c.buyer.headers)
    assert r.status_code == 409 and r.json()["code"] == "bid_deadline_not_reached"

    # the deadline passes: the first read closes bidding
    w.later(app, clock, days=11)
    r = await client.post(f"/opportunities/{oid}/bids", json={"proposal": "迟到", "price_fen": 1}, headers=c.other_org.headers)
    assert r.status_code == 409 and r.json()["code"] == "bid_deadline_passed"
    listed = await ok(client.get(f"/opportunities/{oid}/bids", headers=c.buyer.headers))
    assert {b["id"] for b in listed["items"]} == {b_best["id"], b_cheap["id"], b_third["id"]}
    closed = await ok(client.post(f"/opportunities/{oid}/close-bidding", headers=c.manager.headers))
    assert closed["status"] == "bidding_closed" and closed["eligible_bids"] == 3

    # roadshow, panel, scores (the third expert is conflicted on the cheap bid)
    show = await ok(client.post(f"/opportunities/{oid}/roadshows", json={
        "scheduled_at": "2027-01-10T09:00:00+08:00", "location": "玉林街道党群服务中心", "notes": "每家 10 分钟"},
        headers=c.buyer.headers), 201)
    assert show["location"] == "玉林街道党群服务中心"
    named = await panel(client, w, oid)
    assert named["status"] == "under_review" and len(named["expert_user_ids"]) == 3
    e1, e2, e3 = w.experts
    await score(client, e1, b_best["id"], 90, 80)      # 86
    await score(client, e2, b_best["id"], 80, 90)      # 84
    await score(client, e3, b_best["id"], 85, 85)      # 85
    await score(client, e1, b_cheap["id"], 70, 70)     # 70
    await score(client, e2, b_cheap["id"], 80, 80)     # 80
    r = await client.post(f"/bids/{b_cheap['id']}/scores", json={"conflict_of_interest": True, "comment": "曾任该机构理事"},
                          headers=e3.headers)
    assert r.status_code == 200 and r.json()["weighted_score"] is None
    await score(client, e1, b_third["id"], 60, 60)
    r = await client.post(f"/bids/{b_third['id']}/scores", json={"scores": {"方案质量": 60}}, headers=e2.headers)
    assert r.status_code == 422 and r.json()["code"] == "scores_incomplete"
    r = await client.post(f"/bids/{b_third['id']}/scores", json={"scores": {"方案质量": 60, "团队能力": 60}},
                          headers=c.evaluator.headers)
    assert r.status_code == 403
    ranking = (await ok(client.get(f"/opportunities/{oid}/ranking", headers=e1.headers)))["items"]
    assert [(i["bid_id"], i["weighted_score"], i["experts_counted"], i["rank"]) for i in ranking] == [
        (b_best["id"], 85.0, 3, 1), (b_cheap["id"], 75.0, 2, 2), (b_third["id"], 60.0, 1, 3)]
    assert (await client.get(f"/opportunities/{oid}/ranking", headers=c.org.headers)).status_code == 403

    # award under public notice; an objection is filed and rejected
    award = await ok(client.post(f"/opportunities/{oid}/award", json={"bid_id": b_best["id"]}, headers=c.buyer.headers), 201)
    assert award["status"] == "standstill"
    notices = (await ok(client.get("/public/notices")))["items"]
    assert any(n["kind"] == "award" and n["id"] == award["id"] and n["status"] == "standstill" for n in notices)
    resident = await make_user(app, "resident")
    w.extra.append(resident)
    renew(app, resident)
    objection = await ok(client.post(f"/awards/{award['id']}/objections", json={"reason": "评分过程不透明"},
                                     headers=resident.headers), 201)
    r = await client.post("/deals", json={"award_id": award["id"], "milestones": []}, headers=c.buyer.headers)
    assert r.status_code == 422
    r = await client.post("/deals", json={"award_id": award["id"], "milestones": [
        {"title": "全部", "due_on": "2027-06-30", "amount_fen": 18_000_000}]}, headers=c.buyer.headers)
    assert r.status_code == 409 and r.json()["code"] == "award_standstill"
    w.later(app, clock, days=6)
    still = await ok(client.get(f"/awards/{award['id']}"))
    assert still["status"] == "standstill" and still["objections"][0]["status"] == "open"
    r = await client.post(f"/objections/{objection['id']}/resolve", json={"decision": "rejected", "reason": "评分有记录"},
                          headers=resident.headers)
    assert r.status_code == 403
    await ok(client.post(f"/objections/{objection['id']}/resolve", json={"decision": "rejected", "reason": "评分有记录"},
                         headers=c.buyer.headers))
    final = await ok(client.get(f"/awards/{award['id']}", headers=c.buyer.headers))
    assert final["status"] == "final"

    # the deal: amount defaults to the bid's price, the fund to the earmarked one
    r = await client.post("/deals", json={"award_id": award["id"], "amount_fen": 18_000_001, "milestones": [
        {"title": "全部", "due_on": "2027-06-30", "amount_fen": 18_000_001}]}, headers=c.buyer.headers)
    assert r.status_code == 422 and r.json()["code"] == "amount_exceeds_bid"
    r = await client.post("/deals", json={"award_id": award["id"], "milestones": [
        {"title": "一", "due_on": "2027-03-31", "amount_fen": 6_000_000},
        {"title": "二", "due_on": "2027-06-30", "amount_fen": 6_000_000}]}, headers=c.buyer.headers)
    assert r.status_code == 422 and r.json()["code"] == "milestones_sum_mismatch"
    deal = await ok(client.post("/deals", json={"award_id": award["id"], "milestones": [
        {"title": "需求调研与入户评估", "due_on": "2027-03-31", "amount_fen": 6_000_000},
        {"title": "助餐服务实施", "due_on": "2027-09-30", "amount_fen": 7_000_000},
        {"title": "总结与评估", "due_on": "2027-12-31", "amount_fen": 5_000_000}]}, headers=c.buyer.headers), 201)
    assert deal["status"] == "pending_signatures" and deal["amount_fen"] == 18_000_000
    assert deal["fund_id"] == str(w.fund_id)
    deal = await ok(client.post(f"/deals/{deal['id']}/sign", headers=c.org.headers))
    r = await client.post(f"/deals/{deal['id']}/sign", headers=c.org.headers)
    assert r.status_code == 409 and r.json()["code"] == "already_signed"
    assert deal["status"] == "pending_signatures"
    deal = await ok(client.post(f"/deals/{deal['id']}/sign", headers=c.buyer.headers))
    assert deal["status"] == "active"
    assert await w.fund(app) == {"deposited": DEPOSIT, "available": DEPOSIT - EARMARK, "earmarked": EARMARK - 18_000_000,
                                 "committed": 18_000_000, "paid": 0}
    opp_now = await ok(client.get(f"/opportunities/{oid}"))
    assert opp_now["status"] == "contracted"

    # milestones: reject once, then accept; the last tranche is held
    m1, m2, m3 = deal["milestones"]
    base = f"/deals/{deal['id']}/milestones"
    await ok(client.post(f"{base}/{m1['id']}/report", json={"summary": "完成入户评估 120 户", "evidence": ["评估表.xlsx"]},
                         headers=c.org.headers))
    deal = await ok(client.post(f"{base}/{m1['id']}/reject", json={"reason": "缺少签字"}, headers=c.buyer.headers))
    assert deal["milestones"][0]["status"] == "rejected"
    await ok(client.post(f"{base}/{m1['id']}/report", json={"summary": "补充签字", "evidence": ["评估表-签字.pdf"]},
                         headers=c.org.headers))
    deal = await ok(client.post(f"{base}/{m1['id']}/accept", headers=c.buyer.headers))
    r = await client.post(f"{base}/{m1['id']}/accept", headers=c.buyer.headers)
    assert r.status_code == 409 and r.json()["code"] == "milestone_accepted"
    r = await client.post(f"/deals/{deal['id']}/closing-report", json={"summary": "s", "people_served": 1, "activities": 1},
                          headers=c.org.headers)
    assert r.status_code == 409 and r.json()["code"] == "milestones_not_accepted"
    for m in (m2, m3):
        await ok(client.post(f"{base}/{m['id']}/report", json={"summary": "完成", "evidence": []}, headers=c.org.headers))
        deal = await ok(client.post(f"{base}/{m['id']}/accept", headers=c.manager.headers))
    assert [m["tranche"] for m in deal["milestones"]] == ["paid", "paid", "held"]
    assert deal["money"] == {"committed_fen": 18_000_000, "paid_fen": 13_000_000, "released_fen": 0}
    assert sorted(p["amount_fen"] for p in deal["payments"]) == [6_000_000, 7_000_000]

    # supervision, closing report, evaluation, close
    visit = await ok(client.post(f"/deals/{deal['id']}/supervisions", json={
        "date": "2027-05-12", "findings": "台账规范，服务对象满意", "rating": 4}, headers=c.manager.headers), 201)
    assert visit["rating"] == 4
    r = await client.post(f"/deals/{deal['id']}/evaluation", json={"scores": {"成效": 90}, "total": 88},
                          headers=c.evaluator.headers)
    assert r.status_code == 409 and r.json()["code"] == "deal_active"
    deal = await ok(client.post(f"/deals/{deal['id']}/closing-report", json={
        "summary": "服务老人 120 名，送餐 8,600 份", "people_served": 120, "activities": 36}, headers=c.org.headers))
    assert deal["status"] == "delivered"
    r = await client.post(f"/deals/{deal['id']}/evaluation", json={"scores": {"成效": 90}, "total": 88, "grade": "excellent"},
                          headers=c.evaluator.headers)
    assert r.status_code == 422 and r.json()["code"] == "grade_inconsistent"
    r = await client.post(f"/deals/{deal['id']}/evaluation", json={"scores": {"成效": 90}, "total": 88},
                          headers=c.manager.headers)
    assert r.status_code == 403
    deal = await ok(client.post(f"/deals/{deal['id']}/evaluation", json={
        "scores": {"服务成效": 90, "规范管理": 85, "满意度": 92}, "total": 88}, headers=c.evaluator.headers))
    assert deal["status"] == "evaluated" and deal["evaluation"]["grade"] == "good"
    assert deal["milestones"][2]["tranche"] == "paid" and deal["money"]["paid_fen"] == 18_000_000
    deal = await ok(client.post(f"/deals/{deal['id']}/close", headers=c.buyer.headers))
    assert deal["status"] == "closed"
    assert (await ok(client.get(f"/opportunities/{oid}")))["status"] == "closed"
    assert await w.fund(app) == {"deposited": DEPOSIT, "available": DEPOSIT - 18_000_000, "earmarked": 0,
                                 "committed": 0, "paid": 18_000_000}

    # history, notices, OCDS, stats, the audit chain
    deal = await ok(client.get(f"/deals/{deal['id']}", headers=c.buyer.headers))
    actions = [h["action"] for h in deal["history"]]
    for expected in ("award.created", "objection.filed", "objection.rejected", "award.final", "deal.created",
                     "deal.signed", "deal.activated", "deal.milestone_rejected", "deal.milestone_accepted",
                     "deal.supervised", "deal.delivered", "deal.evaluated", "deal.closed", "fund.paid"):
        assert expected in actions, expected
    kinds = {(n["kind"], n["id"]) for n in (await ok(client.get("/public/notices")))["items"]}
    assert ("evaluation", deal["id"]) in kinds and ("deal_closed", deal["id"]) in kinds
    board = {n["id"]: n for n in (await ok(client.get("/public/notices", params={"kind": "award"})))["items"]}
    assert board[award["id"]]["status"] == "final" and board[award["id"]]["on_notice"] is False  # stays on the board
    # the kinds in any order, repeated or not, answer the same board
    for kinds_asked in (["deal_closed", "evaluation"], ["evaluation", "award", "evaluation", "proposal", "deal_closed"]):
        picked = {(n["kind"], n["id"]) for n in (await ok(client.get("/public/notices",
                                                                      params={"kind": kinds_asked, "limit": 200})))["items"]}
        assert picked == {k for k in kinds if k[0] in kinds_asked}
    package = await ok(client.get("/public/ocds/releases"))
    release = next(r for r in package["releases"] if r["tender"]["id"] == oid)
    assert release["tag"] == ["tender", "award", "contract"] and release["tender"]["status"] == "complete"
    assert release["awards"][0]["value"] == {"amount": 180000.0, "currency": "CNY"}
    assert release["contracts"][0]["awardID"] == award["id"] and release["tender"]["numberOfTenderers"] == 3
    stats = await ok(client.get("/stats/deals"))
    assert stats["by_status"] == {"closed": 1} and stats["paid_fen"] == 18_000_000 and stats["people_served"] == 120
    listed = await ok(client.get("/deals", headers=c.org.headers))
    assert [d["id"] for d in listed["items"]] == [deal["id"]]
    assert (await ok(client.get("/deals", headers=c.other_org.headers)))["items"] == []
    assert (await client.get(f"/deals/{deal['id']}", headers=c.other_org.headers)).status_code == 404
    assert (await client.get("/deals", headers=resident.headers)).status_code == 403
    assert (await ok(client.get("/audit/verify")))["intact"] is True
