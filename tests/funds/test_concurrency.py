"""Money under contention (PostgreSQL): many requests at once, each with its own session and connection."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from exchange import db
from exchange.app import create_app
from exchange.errors import ExchangeError
from exchange.funds import service
from tests.builders import make_org, make_org_user, make_user, seed_regions
from tests.conftest import make_settings
from tests.funds.money import figures, make_fund, make_opportunity, violations

pytestmark = pytest.mark.pg_only


@pytest.fixture
async def big_app(database_url: str) -> AsyncIterator[FastAPI]:
    """The app with a pool large enough that every concurrent request holds its own connection."""
    application = create_app(make_settings(database_url, db_pool_size=120))
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def big_client(big_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=big_app), base_url="http://test/api/v1",
                                 timeout=120) as c:
        yield c


async def test_200_concurrent_contributions_are_exact(big_app, big_client, clock) -> None:  # type: ignore[no-untyped-def]
    await seed_regions(big_app)
    foundation = await make_org(big_app, "foundation")
    fund = await make_fund(big_app, foundation.id, source="community_fund", deposit_fen=50_000)
    manager = await make_user(big_app, "manager")
    residents = [await make_user(big_app, "resident") for _ in range(8)]
    r = await big_client.post("/campaigns", headers=manager.headers, json={
        "title": "社区花园众筹", "target_fen": 10_000_000, "ends_at": (clock.now() + dt.timedelta(minutes=50)).isoformat(),
        "match_fund_id": str(fund), "match_ratio": "0.5", "match_cap_fen": 40_001, "on_shortfall": "refund"})
    campaign = r.json()["id"]
    amounts = [101 + 37 * i for i in range(200)]  # odd and even amounts: floors differ from halves

    async def give(i: int) -> httpx.Response:
        return await big_client.post(f"/campaigns/{campaign}/contributions", json={"amount_fen": amounts[i]},
                                     headers=residents[i % len(residents)].headers | {"Idempotency-Key": f"k{i}"})

    responses = await asyncio.gather(*(give(i) for i in range(200)))
    assert [r.status_code for r in responses] == [201] * 200
    matched = sum(r.json()["matched_fen"] for r in responses)
    assert matched == min(sum(a // 2 for a in amounts), 40_001, 50_000) == 40_001
    got = (await big_client.get(f"/campaigns/{campaign}")).json()
    assert (got["raised_fen"], got["matched_fen"]) == (sum(amounts), 40_001)
    assert await figures(big_app, fund) == {"deposited": 50_000, "available": 50_000 - 40_001, "earmarked": 0,
                                            "committed": 0, "paid": 40_001}
    assert await violations(big_app) == []


async def test_50_concurrent_earmarks_never_overdraw(big_app, big_client) -> None:  # type: ignore[no-untyped-def]
    await seed_regions(big_app)
    buyer, org = await make_org_user(big_app, "buyer")
    fund = await make_fund(big_app, org.id, deposit_fen=1_000_000)
    opportunities = [await make_opportunity(big_app, org.id) for _ in range(5)]

    async def earmark(i: int) -> httpx.Response:
        return await big_client.post(f"/opportunities/{opportunities[i % 5]}/funding", headers=buyer.headers,
                                     json={"fund_id": str(fund), "amount_fen": 30_000})

    responses = await asyncio.gather(*(earmark(i) for i in range(50)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 33 + [409] * 17
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"insufficient_funds"}
    assert await figures(big_app, fund) == {"deposited": 1_000_000, "available": 10_000, "earmarked": 990_000,
                                            "committed": 0, "paid": 0}
    assert await violations(big_app) == []


async def test_two_concurrent_payments_of_one_milestone_pay_once(big_app) -> None:  # type: ignore[no-untyped-def]
    await seed_regions(big_app)
    buyer = await make_org(big_app, "government")
    provider = await make_org(big_app, "social_org")
    fund = await make_fund(big_app, buyer.id, deposit_fen=100_000)
    deal = uuid.uuid4()
    async with db.unit_of_work(big_app.state.session_factory) as session:
        await service.commit_to_deal(session, actor_id=None, deal_id=deal, fund_id=fund, amount_fen=80_000,
                                     opportunity_id=None)

    async def pay(milestone: uuid.UUID) -> object:
        try:
            async with db.unit_of_work(big_app.state.session_factory) as session:
                return await service.pay_tranche(session, actor_id=None, deal_id=deal, fund_id=fund,
                                                 milestone_id=milestone, amount_fen=20_000, organization_id=provider.id)
        except ExchangeError as exc:
            return exc.code

    for _ in range(3):  # three milestones, each accepted twice at the same moment
        milestone = uuid.uuid4()
        results = await asyncio.gather(pay(milestone), pay(milestone))
        assert sorted(str(type(r).__name__) for r in results) == ["UUID", "str"]
        assert "already_paid" in results
    assert (await figures(big_app, fund))["paid"] == 60_000
    assert (await figures(big_app, fund))["committed"] == 20_000
    assert await violations(big_app) == []


async def test_concurrent_duplicates_with_one_key_move_money_once(big_app, big_client) -> None:  # type: ignore[no-untyped-def]
    await seed_regions(big_app)
    buyer, org = await make_org_user(big_app, "buyer")
    fund = await make_fund(big_app, org.id)
    responses = await asyncio.gather(*(
        big_client.post(f"/funds/{fund}/deposits", json={"amount_fen": 12_345, "note": "retry"},
                        headers=buyer.headers | {"Idempotency-Key": "same"}) for _ in range(20)))
    assert [r.status_code for r in responses] == [201] * 20
    assert len({r.json()["transaction_id"] for r in responses}) == 1
    assert (await figures(big_app, fund))["deposited"] == 12_345
    assert await violations(big_app) == []
