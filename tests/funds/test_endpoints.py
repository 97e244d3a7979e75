"""Funds, deposits, earmarks and the ledger over HTTP, with Idempotency-Key."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.builders import make_org_user, make_user, seed_regions
from tests.funds.money import make_opportunity, violations


@pytest.fixture
async def parties(app):  # type: ignore[no-untyped-def]
    await seed_regions(app)
    buyer, buyer_org = await make_org_user(app, "buyer")
    other_buyer, _ = await make_org_user(app, "buyer")
    return {"buyer": buyer, "buyer_org": buyer_org, "other": other_buyer,
            "admin": await make_user(app, "admin"), "manager": await make_user(app, "manager"),
            "resident": await make_user(app, "resident")}


async def _fund(client, actor, **fields):  # type: ignore[no-untyped-def]
    r = await client.post("/funds", json={"name": "区财政社会服务资金", "source": "fiscal", **fields}, headers=actor.headers)
    assert r.status_code == 201, r.text
    return r.json()


async def _deposit(client, actor, fund_id, amount, key=None):  # type: ignore[no-untyped-def]
    headers = actor.headers | ({"Idempotency-Key": key} if key else {})
    return await client.post(f"/funds/{fund_id}/deposits", json={"amount_fen": amount, "note": "年度预算"}, headers=headers)


async def test_buyer_creates_own_fund_and_sees_only_its_own(client, parties) -> None:  # type: ignore[no-untyped-def]
    fund = await _fund(client, parties["buyer"])
    assert fund["owner_organization_id"] == str(parties["buyer_org"].id)
    assert (fund["deposited_fen"], fund["available_fen"], fund["paid_fen"]) == (0, 0, 0)
    r = await client.post("/funds", json={"name": "x", "source": "fiscal", "owner_organization_id":
                                          str(parties["other"].user.organization_id)}, headers=parties["buyer"].headers)
    assert (r.status_code, r.json()["code"]) == (403, "not_fund_owner")
    r = await client.post("/funds", json={"name": "x", "source": "fiscal"}, headers=parties["resident"].headers)
    assert r.status_code == 403
    assert [f["id"] for f in (await client.get("/funds", headers=parties["buyer"].headers)).json()["items"]] == [fund["id"]]
    assert (await client.get("/funds", headers=parties["other"].headers)).json()["items"] == []
    assert len((await client.get("/funds", headers=parties["manager"].headers)).json()["items"]) == 1
    assert (await client.get(f"/funds/{fund['id']}", headers=parties["other"].headers)).status_code == 404
    assert (await client.get(f"/funds/{fund['id']}", headers=parties["manager"].headers)).status_code == 200
    assert (await client.get(f"/funds/{fund['id']}")).status_code == 401


async def test_micro_fund_needs_a_community_fund_parent(client, parties) -> None:  # type: ignore[no-untyped-def]
    community = await _fund(client, parties["buyer"], source="community_fund", name="社区基金")
    micro = await _fund(client, parties["buyer"], source="micro_fund", name="微基金", parent_fund_id=community["id"])
    assert micro["parent_fund_id"] == community["id"]
    r = await client.post("/funds", json={"name": "x", "source": "fiscal", "parent_fund_id": community["id"]},
                          headers=parties["buyer"].headers)
    assert (r.status_code, r.json()["code"]) == (422, "invalid_parent_fund")


async def test_deposit_is_idempotent_and_recorded(app, client, parties) -> None:  # type: ignore[no-untyped-def]
    fund = await _fund(client, parties["buyer"])
    first = await _deposit(client, parties["buyer"], fund["id"], 500_000, key="dep-1")
    assert first.status_code == 201, first.text
    assert first.json()["actor_id"] == str(parties["buyer"].id) and first.json()["note"] == "年度预算"
    again = await _deposit(client, parties["buyer"], fund["id"], 500_000, key="dep-1")
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    other_body = await _deposit(client, parties["buyer"], fund["id"], 400_000, key="dep-1")
    assert (other_body.status_code, other_body.json()["code"]) == (409, "idempotency_key_reused")
    body = (await client.get(f"/funds/{fund['id']}", headers=parties["buyer"].headers)).json()
    assert (body["deposited_fen"], body["available_fen"]) == (500_000, 500_000)
    # admins may deposit, other buyers and managers may not; amounts are positive integers
    assert (await _deposit(client, parties["admin"], fund["id"], 1)).status_code == 201
    assert (await _deposit(client, parties["other"], fund["id"], 1)).status_code == 404
    assert (await _deposit(client, parties["manager"], fund["id"], 1)).status_code == 403
    for bad in (0, -5, 1.5, "100"):
        assert (await _deposit(client, parties["buyer"], fund["id"], bad)).status_code == 422
    assert await violations(app) == []


async def test_funding_an_opportunity(app, client, parties) -> None:  # type: ignore[no-untyped-def]
    buyer = parties["buyer"]
    fund = await _fund(client, buyer)
    await _deposit(client, buyer, fund["id"], 100_000)
    opp = await make_opportunity(app, parties["buyer_org"].id)
    url = f"/opportunities/{opp}/funding"
    r = await client.post(url, json={"fund_id": fund["id"], "amount_fen": 60_000},
                          headers=buyer.headers | {"Idempotency-Key": "f1"})
    assert r.status_code == 200, r.text
    assert r.json()["earmarked_fen"] == 60_000
    replay = await client.post(url, json={"fund_id": fund["id"], "amount_fen": 60_000},
                               headers=buyer.headers | {"Idempotency-Key": "f1"})
    assert replay.json() == r.json()
    r = await client.post(url, json={"fund_id": fund["id"], "amount_fen": 40_001}, headers=buyer.headers)
    assert (r.status_code, r.json()["code"]) == (409, "insufficient_funds")
    r = await client.post(url, json={"fund_id": fund["id"], "amount_fen": 40_000}, headers=parties["manager"].headers)
    assert r.status_code == 200 and r.json()["earmarks"] == [{"fund_id": fund["id"], "amount_fen": 100_000}]
    got = (await client.get(f"/funds/{fund['id']}", headers=buyer.headers)).json()
    assert (got["available_fen"], got["earmarked_fen"], got["deposited_fen"]) == (0, 100_000, 100_000)
    # another organization's buyer sees no draft, and may not spend someone else's fund
    assert (await client.post(url, json={"fund_id": fund["id"], "amount_fen": 1},
                              headers=parties["other"].headers)).status_code == 404
    other_opp = await make_opportunity(app, parties["other"].user.organization_id, status="published")
    r = await client.post(f"/opportunities/{other_opp}/funding", json={"fund_id": fund["id"], "amount_fen": 1},
                          headers=parties["other"].headers)
    assert (r.status_code, r.json()["code"]) == (422, "unknown_fund")
    assert (await client.post(url, json={"fund_id": fund["id"], "amount_fen": 1},
                              headers=parties["resident"].headers)).status_code == 403


async def test_funding_only_in_draft_or_published(app, client, parties) -> None:  # type: ignore[no-untyped-def]
    fund = await _fund(client, parties["buyer"])
    await _deposit(client, parties["buyer"], fund["id"], 100)
    opp = await make_opportunity(app, parties["buyer_org"].id, status="awarded")
    r = await client.post(f"/opportunities/{opp}/funding", json={"fund_id": fund["id"], "amount_fen": 1},
                          headers=parties["buyer"].headers)
    assert (r.status_code, r.json()["code"]) == (409, "opportunity_awarded")


async def test_ledger_entries_balance_and_page(app, client, parties) -> None:  # type: ignore[no-untyped-def]
    buyer = parties["buyer"]
    fund = await _fund(client, buyer)
    for amount in (100, 200, 300):
        await _deposit(client, buyer, fund["id"], amount)
    opp = await make_opportunity(app, parties["buyer_org"].id)
    await client.post(f"/opportunities/{opp}/funding", json={"fund_id": fund["id"], "amount_fen": 250}, headers=buyer.headers)
    entries, cursor = [], None
    while True:
        page = (await client.get(f"/funds/{fund['id']}/ledger", params={"limit": 3, **({"cursor": cursor} if cursor else {})},
                                 headers=buyer.headers)).json()
        entries += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(entries) == 8 and len({e["id"] for e in entries}) == 8
    by_txn: dict[str, int] = {}
    for e in entries:
        by_txn[e["transaction_id"]] = by_txn.get(e["transaction_id"], 0) + e["amount_fen"]
    assert set(by_txn.values()) == {0}
    buckets = {b: sum(e["amount_fen"] for e in entries if e["account"] == f"fund:{fund['id']}:{b}")
               for b in ("available", "earmarked")}
    assert buckets == {"available": 350, "earmarked": 250}
    assert {e["kind"] for e in entries} == {"deposit", "earmark"}
    assert (await client.get(f"/funds/{fund['id']}/ledger", headers=parties["other"].headers)).status_code == 404


async def test_money_by_source(app, client, parties, clock) -> None:  # type: ignore[no-untyped-def]
    fiscal = await _fund(client, parties["buyer"])
    donation = await _fund(client, parties["buyer"], source="donation", name="爱心捐赠")
    start = clock.now()
    await _deposit(client, parties["buyer"], fiscal["id"], 1_000)
    await _deposit(client, parties["buyer"], donation["id"], 70)
    clock.advance(minutes=30)  # within the token's lifetime
    assert (await _deposit(client, parties["buyer"], fiscal["id"], 5)).status_code == 201
    end = start + dt.timedelta(minutes=10)
    r = await client.get("/stats/money", params={"from": start.isoformat(), "to": end.isoformat()})
    assert r.status_code == 200, r.text
    items = {i["source"]: i for i in r.json()["items"]}
    assert items["fiscal"]["deposited_fen"] == 1_000 and items["donation"]["deposited_fen"] == 70
    assert items["micro_fund"]["deposited_fen"] == 0
    everything = {i["source"]: i for i in (await client.get("/stats/money")).json()["items"]}
    assert everything["fiscal"]["deposited_fen"] == 1_005


async def test_a_deposit_in_error_is_reversed_once(app, client, parties) -> None:  # type: ignore[no-untyped-def]
    fund = await _fund(client, parties["buyer"])
    deposit = (await _deposit(client, parties["buyer"], fund["id"], 9_999)).json()
    url = f"/funds/{fund['id']}/deposits/{deposit['transaction_id']}/reversal"
    assert (await client.post(url, json={"reason": "重复入账"}, headers=parties["buyer"].headers)).status_code == 403
    r = await client.post(url, json={"reason": "重复入账"}, headers=parties["admin"].headers)
    assert r.status_code == 201, r.text
    assert r.json()["amount_fen"] == -9_999
    assert (r.json()["fund"]["deposited_fen"], r.json()["fund"]["available_fen"]) == (0, 0)
    again = await client.post(url, json={"reason": "重复入账"}, headers=parties["admin"].headers)
    assert (again.status_code, again.json()["code"]) == (409, "already_reversed")
    bogus = f"/funds/{fund['id']}/deposits/{r.json()['transaction_id']}/reversal"  # a reversal is not a deposit
    assert (await client.post(bogus, json={"reason": "x"}, headers=parties["admin"].headers)).status_code == 404
    ledger = (await client.get(f"/funds/{fund['id']}/ledger", headers=parties["admin"].headers)).json()
    kinds = [e["kind"] for e in ledger["items"]]
    assert sorted(kinds) == ["deposit", "deposit", "deposit_reversal", "deposit_reversal"]
    assert await violations(app) == []
