"""Crowdfunding with fund matching: exact to the fen, ending by the clock with refund or carry."""

from __future__ import annotations

import datetime as dt

import pytest

from exchange.campaigns.service import matching, ratio_fraction
from tests.builders import make_org, make_user, run_jobs, seed_regions
from tests.funds.money import figures, make_fund, violations


@pytest.fixture
async def setup(app, clock):  # type: ignore[no-untyped-def]
    await seed_regions(app)
    foundation = await make_org(app, "foundation")
    return {"fund": await make_fund(app, foundation.id, source="community_fund", deposit_fen=1_000_000),
            "manager": await make_user(app, "manager"), "resident": await make_user(app, "resident"),
            "ends_at": (clock.now() + dt.timedelta(minutes=30)).isoformat()}


async def _campaign(client, setup, **fields):  # type: ignore[no-untyped-def]
    body = {"title": "楼道加装扶手", "target_fen": 10_000, "ends_at": setup["ends_at"], "match_fund_id": str(setup["fund"]),
            "match_ratio": "1.0", "match_cap_fen": 5_000, "on_shortfall": "refund"} | fields
    r = await client.post("/campaigns", json=body, headers=setup["manager"].headers)
    assert r.status_code == 201, r.text
    return r.json()


async def _give(client, actor, campaign_id, amount, key=None):  # type: ignore[no-untyped-def]
    headers = actor.headers | ({"Idempotency-Key": key} if key else {})
    return await client.post(f"/campaigns/{campaign_id}/contributions", json={"amount_fen": amount}, headers=headers)


def test_matching_rule_is_exact() -> None:
    num, den = ratio_fraction(__import__("decimal").Decimal("0.5"))
    assert (num, den) == (1, 2)
    assert matching(3, num, den, 100, 100) == 1  # floor(1.5)
    assert matching(10**11, *ratio_fraction(__import__("decimal").Decimal("0.333333")), 10**12, 10**12) == 33_333_300_000
    assert matching(7, 1, 1, 4, 100) == 4  # the cap's remainder
    assert matching(7, 1, 1, 100, 3) == 3  # the fund's available money


async def test_half_ratio_odd_amounts_and_cap_hit_mid_contribution(app, client, setup) -> None:  # type: ignore[no-untyped-def]
    campaign = await _campaign(client, setup, match_ratio="0.5", match_cap_fen=1_001)
    assert campaign["match_ratio"] == "0.5" and campaign["status"] == "open"
    expected = []
    for amount, matched in ((333, 166), (1, 0), (999, 499), (701, 336)):  # 166+0+499 = 665; 1001-665 = 336 < 350
        r = await _give(client, setup["resident"], campaign["id"], amount)
        assert r.status_code == 201, r.text
        expected.append(matched)
        assert r.json()["matched_fen"] == matched
    r = await _give(client, setup["resident"], campaign["id"], 10_000)
    assert r.json()["matched_fen"] == 0  # cap reached
    got = (await client.get(f"/campaigns/{campaign['id']}")).json()  # anyone may read
    assert (got["raised_fen"], got["matched_fen"], got["status"]) == (333 + 1 + 999 + 701 + 10_000, 1_001, "funded")
    assert (await figures(app, setup["fund"]))["paid"] == 1_001
    assert (await figures(app, setup["fund"]))["available"] == 1_000_000 - 1_001
    assert await violations(app) == []


async def test_matching_limited_by_the_fund(app, client, setup) -> None:  # type: ignore[no-untyped-def]
    foundation = await make_org(app, "foundation")
    small = await make_fund(app, foundation.id, source="micro_fund", deposit_fen=250)
    campaign = await _campaign(client, setup, match_fund_id=str(small), match_ratio="2", match_cap_fen=10_000)
    assert (await _give(client, setup["resident"], campaign["id"], 100)).json()["matched_fen"] == 200
    assert (await _give(client, setup["resident"], campaign["id"], 100)).json()["matched_fen"] == 50
    assert (await _give(client, setup["resident"], campaign["id"], 100)).json()["matched_fen"] == 0
    assert await figures(app, small) == {"deposited": 250, "available": 0, "earmarked": 0, "committed": 0, "paid": 250}


async def test_contribution_idempotency(app, client, setup) -> None:  # type: ignore[no-untyped-def]
    campaign = await _campaign(client, setup)
    first = await _give(client, setup["resident"], campaign["id"], 1_234, key="c-1")
    again = await _give(client, setup["resident"], campaign["id"], 1_234, key="c-1")
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    reused = await _give(client, setup["resident"], campaign["id"], 1_000, key="c-1")
    assert (reused.status_code, reused.json()["code"]) == (409, "idempotency_key_reused")
    got = (await client.get(f"/campaigns/{campaign['id']}")).json()
    assert (got["raised_fen"], got["matched_fen"]) == (1_234, 1_234)


async def test_only_managers_create_and_input_is_checked(client, setup) -> None:  # type: ignore[no-untyped-def]
    body = {"title": "x", "target_fen": 1, "ends_at": setup["ends_at"], "match_fund_id": str(setup["fund"]),
            "match_ratio": "1", "match_cap_fen": 0}
    assert (await client.post("/campaigns", json=body, headers=setup["resident"].headers)).status_code == 403
    for bad in ({"match_ratio": "-1"}, {"match_ratio": "0.1234567"}, {"target_fen": 0}, {"on_shortfall": "keep"},
                {"ends_at": "2000-01-01T00:00:00+00:00"}, {"match_fund_id": "00000000-0000-0000-0000-000000000000"}):
        r = await client.post("/campaigns", json=body | bad, headers=setup["manager"].headers)
        assert r.status_code == 422, (bad, r.text)
    r = await client.post("/campaigns", json=body | {"match_ratio": 0.25}, headers=setup["manager"].headers)
    assert r.status_code == 201 and r.json()["match_ratio"] == "0.25"
    assert (await client.get("/campaigns/00000000-0000-0000-0000-000000000000")).status_code == 404
    assert (await client.post(f"/campaigns/{r.json()['id']}/contributions", json={"amount_fen": 1})).status_code == 401


async def test_below_target_refunds_contributions_and_matching(app, client, setup, clock) -> None:  # type: ignore[no-untyped-def]
    campaign = await _campaign(client, setup, match_ratio="0.5")
    await _give(client, setup["resident"], campaign["id"], 3_001)
    assert (await figures(app, setup["fund"]))["paid"] == 1_500
    clock.advance(minutes=31)
    assert (await run_jobs(app)).applied >= 1
    got = (await client.get(f"/campaigns/{campaign['id']}")).json()
    assert (got["status"], got["outcome"], got["raised_fen"], got["matched_fen"]) == ("ended", "refunded", 3_001, 1_500)
    assert await figures(app, setup["fund"]) == {"deposited": 1_000_000, "available": 1_000_000, "earmarked": 0,
                                                 "committed": 0, "paid": 0}
    r = await _give(client, setup["resident"], campaign["id"], 1)
    assert (r.status_code, r.json()["code"]) == (409, "campaign_ended")
    assert await violations(app) == []


async def test_below_target_carries_when_told(app, client, setup, clock) -> None:  # type: ignore[no-untyped-def]
    campaign = await _campaign(client, setup, on_shortfall="carry")
    await _give(client, setup["resident"], campaign["id"], 2_000)
    clock.advance(minutes=31)
    got = (await client.get(f"/campaigns/{campaign['id']}")).json()  # the read applies the due end
    assert (got["status"], got["outcome"], got["raised_fen"], got["matched_fen"]) == ("ended", "carried", 2_000, 2_000)
    assert (await figures(app, setup["fund"]))["paid"] == 2_000
    assert await violations(app) == []


async def test_reaching_target_succeeds(app, client, setup, clock) -> None:  # type: ignore[no-untyped-def]
    campaign = await _campaign(client, setup)
    r = await _give(client, setup["resident"], campaign["id"], 5_000)
    assert r.json()["campaign"]["status"] == "funded"
    clock.advance(minutes=31)
    got = (await client.get(f"/campaigns/{campaign['id']}")).json()
    assert (got["status"], got["outcome"]) == ("ended", "succeeded")
    assert await violations(app) == []
