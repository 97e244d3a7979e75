"""Crowdfunding that pays out (居民筹、组织办、基金配比): from the first contribution to the last paid milestone,
with the ledger's path from each contribution to each payment, and the books sound at every step."""

from __future__ import annotations

import datetime as dt
import uuid

from tests.builders import make_org_user, run_jobs
from tests.funds.money import figures, make_fund, violations
from tests.tenders.world import ok, world


def _plan(days: int = 120) -> list[dict[str, object]]:
    due = (dt.date.today() + dt.timedelta(days=days)).isoformat()
    later = (dt.date.today() + dt.timedelta(days=days + 60)).isoformat()
    return [{"title": "装好扶手", "due_on": due, "share_percent": 60},
            {"title": "回访与维护", "due_on": later, "share_percent": 40}]


def _body(w, clock, **fields):  # type: ignore[no-untyped-def]
    return {"title": "老旧楼道加装扶手", "target_fen": 10_000, "ends_at": (clock.now() + dt.timedelta(days=7)).isoformat(),
            "match_fund_id": str(w.fund_id), "match_ratio": "1.0", "match_cap_fen": 5_000, "on_shortfall": "carry",
            "organization_id": str(w.c.org_org.id), "milestones": _plan()} | fields


async def test_a_crowdfunded_project_from_the_first_contribution_to_the_last_paid_milestone(app, client, clock) -> None:
    w = await world(app, bidders=1, experts=0)
    c = w.c
    campaign = await ok(client.post("/campaigns", json=_body(w, clock), headers=c.manager.headers), 201)
    assert campaign["organization_id"] == str(c.org_org.id) and [m["share_percent"] for m in campaign["milestones"]] == [60, 40]
    assert campaign["deal_id"] is None and campaign["payout_fund_id"] is None
    match_before = await w.fund(app)

    gifts = [(c.resident, 3_000), (c.other_resident, 2_001), (c.resident, 1)]
    for actor, amount in gifts:
        await ok(client.post(f"/campaigns/{campaign['id']}/contributions", json={"amount_fen": amount},
                             headers=actor.headers), 201)
    got = await ok(client.get(f"/campaigns/{campaign['id']}"))
    assert (got["raised_fen"], got["matched_fen"], got["status"]) == (5_002, 5_000, "funded")  # the cap stops at 5,000
    assert await violations(app) == []

    w.later(app, clock, days=8)
    await run_jobs(app)
    got = await ok(client.get(f"/campaigns/{campaign['id']}"))
    assert (got["status"], got["outcome"]) == ("ended", "succeeded")
    assert got["deal_id"] and got["payout_fund_id"]
    assert await figures(app, uuid.UUID(got["payout_fund_id"])) == {
        "deposited": 10_002, "available": 10_002, "earmarked": 0, "committed": 0, "paid": 0}
    # the matching fund paid its 5,000 once, at the contributions; nothing more left it at the payout
    assert await w.fund(app) == {**match_before, "available": match_before["available"] - 5_000,
                                 "paid": match_before["paid"] + 5_000}
    assert await violations(app) == []

    deal = await ok(client.get(f"/deals/{got['deal_id']}", headers=c.manager.headers))
    assert (deal["kind"], deal["status"], deal["amount_fen"], deal["organization_id"], deal["fund_id"]) == (
        "campaign", "pending_signatures", 10_002, str(c.org_org.id), got["payout_fund_id"])
    assert [m["amount_fen"] for m in deal["milestones"]] == [6_001, 4_001]  # 60 % floored, the rest to the last
    assert deal["buyer_signed_at"] and deal["org_signed_at"] is None  # signed for the fund by the campaign's manager
    deal = await ok(client.post(f"/deals/{deal['id']}/sign", headers=c.org.headers))
    assert deal["status"] == "active"
    assert (await figures(app, uuid.UUID(got["payout_fund_id"])))["committed"] == 10_002

    base = f"/deals/{deal['id']}/milestones"
    for m in deal["milestones"]:
        await ok(client.post(f"{base}/{m['id']}/report", json={"summary": "完成", "evidence": []}, headers=c.org.headers))
        deal = await ok(client.post(f"{base}/{m['id']}/accept", headers=c.manager.headers))
    assert [m["tranche"] for m in deal["milestones"]] == ["paid", "held"]
    await ok(client.post(f"/deals/{deal['id']}/closing-report", json={"summary": "加装扶手 36 处", "people_served": 210,
                                                                      "activities": 4}, headers=c.org.headers))
    deal = await ok(client.post(f"/deals/{deal['id']}/evaluation", json={"scores": {"成效": 90}, "total": 90},
                                headers=c.evaluator.headers))
    assert deal["money"]["paid_fen"] == 10_002
    assert await figures(app, uuid.UUID(got["payout_fund_id"])) == {
        "deposited": 10_002, "available": 0, "earmarked": 0, "committed": 0, "paid": 10_002}

    trail = await ok(client.get(f"/campaigns/{campaign['id']}/money"))
    assert [(x["amount_fen"], x["matched_fen"]) for x in trail["contributions"]] == [(3_000, 3_000), (2_001, 2_000), (1, 0)]
    assert all(x["match_transaction_id"] for x in trail["contributions"][:2])
    assert trail["contributions"][2]["match_transaction_id"] is None
    assert "user_id" not in trail["contributions"][0]
    assert trail["payout_transaction_id"] and trail["deal_id"] == got["deal_id"] and len(trail["commit_transaction_ids"]) == 1
    assert sorted(p["amount_fen"] for p in trail["payments"]) == [4_001, 6_001] and trail["paid_fen"] == 10_002
    # each step is a transaction of the payout fund's ledger: the deposit from the campaign's accounts, the commit, the payments
    entries = (await ok(client.get(f"/funds/{got['payout_fund_id']}/ledger?limit=100", headers=c.manager.headers)))["items"]
    by_txn: dict[str, list[tuple[str, int]]] = {}
    for e in entries:
        by_txn.setdefault(e["transaction_id"], []).append((e["account"], e["amount_fen"]))
    assert sorted(by_txn[trail["payout_transaction_id"]]) == sorted([
        (f"campaign:{campaign['id']}:contributions", -5_002), (f"campaign:{campaign['id']}:matched", -5_000),
        (f"fund:{got['payout_fund_id']}:available", 10_002)])
    paid_txns = {p["transaction_id"] for p in trail["payments"]}
    assert paid_txns <= set(by_txn) and set(trail["commit_transaction_ids"]) <= set(by_txn)
    assert await violations(app) == []


async def test_without_an_organization_nothing_is_paid_out_and_refunds_stay_refunds(app, client, clock) -> None:
    w = await world(app, bidders=1, experts=0)
    c = w.c
    plain = await ok(client.post("/campaigns", json=_body(w, clock, organization_id=None, milestones=None),
                                 headers=c.manager.headers), 201)
    refunded = await ok(client.post("/campaigns", json=_body(w, clock, on_shortfall="refund"), headers=c.manager.headers), 201)
    await ok(client.post(f"/campaigns/{plain['id']}/contributions", json={"amount_fen": 6_000}, headers=c.resident.headers), 201)
    await ok(client.post(f"/campaigns/{refunded['id']}/contributions", json={"amount_fen": 1_000},
                         headers=c.resident.headers), 201)
    w.later(app, clock, days=8)
    await run_jobs(app)
    for cid, outcome in ((plain["id"], "succeeded"), (refunded["id"], "refunded")):
        got = await ok(client.get(f"/campaigns/{cid}"))
        assert (got["outcome"], got["deal_id"], got["payout_fund_id"]) == (outcome, None, None)
    assert (await ok(client.get("/deals", headers=c.manager.headers)))["items"] == []
    assert await violations(app) == []


async def test_a_campaign_names_only_an_active_social_organization_and_a_whole_plan(app, client, clock) -> None:
    w = await world(app, bidders=1, experts=0)
    c = w.c
    _, buyer_org = await make_org_user(app, "buyer", kind="government")
    poor = await make_fund(app, c.buyer_org.id, deposit_fen=1)
    cases = [
        (_body(w, clock, organization_id=str(buyer_org.id)), "not_a_social_organization"),
        (_body(w, clock, organization_id=str(uuid.uuid4())), "unknown_organization"),
        (_body(w, clock, milestones=[{**_plan()[0], "share_percent": 50}, _plan()[1]]), "shares_not_100"),
        (_body(w, clock, milestones=[{**_plan()[0], "due_on": dt.date.today().isoformat()}, _plan()[1]]), "due_on_before_end"),
        (_body(w, clock, organization_id=None), "milestones_without_organization"),
    ]
    for body, code in cases:
        r = await client.post("/campaigns", json=body, headers=c.manager.headers)
        assert (r.status_code, r.json()["code"]) == (422, code), r.text
    assert (await ok(client.get("/campaigns")))["items"] == []
    assert (await figures(app, poor))["available"] == 1
