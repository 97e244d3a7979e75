"""The service functions deals call to commit, pay and release money (on a made-up deal id)."""

from __future__ import annotations

import uuid

import pytest

from exchange.errors import ExchangeError
from exchange.funds import service
from tests.builders import make_org, seed_regions
from tests.funds.money import figures, make_fund, make_opportunity, run, violations


@pytest.fixture
async def world(app):  # type: ignore[no-untyped-def]
    await seed_regions(app)
    buyer = await make_org(app, "government")
    provider = await make_org(app, "social_org")
    fund = await make_fund(app, buyer.id, deposit_fen=100_000)
    opportunity = await make_opportunity(app, buyer.id)
    return {"app": app, "buyer": buyer, "provider": provider, "fund": fund, "opportunity": opportunity}


async def test_deposit_lands_in_available(world) -> None:  # type: ignore[no-untyped-def]
    assert await figures(world["app"], world["fund"]) == {
        "deposited": 100_000, "available": 100_000, "earmarked": 0, "committed": 0, "paid": 0}
    assert await violations(world["app"]) == []


async def test_full_flow_earmark_commit_pay_release(world) -> None:  # type: ignore[no-untyped-def]
    app, fund, opp = world["app"], world["fund"], world["opportunity"]
    deal, m1, m2 = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await run(app, service.earmark, actor_id=None, fund_id=fund, opportunity_id=opp, amount_fen=30_000)
    await run(app, service.earmark, actor_id=None, fund_id=fund, opportunity_id=opp, amount_fen=10_000)
    assert await run(app, service.earmarks_for, opportunity_id=opp) == [(fund, 40_000)]

    # the deal takes 35,000 of the 40,000 earmark, then 10,000 more than the earmark from available
    await run(app, service.commit_to_deal, actor_id=None, deal_id=deal, fund_id=fund, amount_fen=35_000, opportunity_id=opp)
    assert await figures(app, fund) == {"deposited": 100_000, "available": 60_000, "earmarked": 5_000,
                                        "committed": 35_000, "paid": 0}
    payment = await run(app, service.pay_tranche, actor_id=None, deal_id=deal, fund_id=fund, milestone_id=m1,
                        amount_fen=20_000, organization_id=world["provider"].id)
    assert isinstance(payment, uuid.UUID)
    released = await run(app, service.release_deal, actor_id=None, deal_id=deal, fund_id=fund, reason="评估未通过")
    assert released == 15_000
    assert await run(app, service.release_deal, actor_id=None, deal_id=deal, fund_id=fund, reason="again") == 0
    assert await run(app, service.release_earmarks, actor_id=None, opportunity_id=opp, reason="项目结束") == 5_000
    assert await run(app, service.earmarks_for, opportunity_id=opp) == []
    assert await figures(app, fund) == {"deposited": 100_000, "available": 80_000, "earmarked": 0,
                                        "committed": 0, "paid": 20_000}
    assert await run(app, service.deal_money, deal_id=deal) == {"committed_fen": 35_000, "paid_fen": 20_000,
                                                                 "released_fen": 15_000}
    payments = await run(app, service.deal_payments, deal_id=deal)
    assert [(p.id, p.milestone_id, p.amount_fen, p.organization_id) for p in payments] == [
        (payment, m1, 20_000, world["provider"].id)]
    # nothing left to pay the second milestone from
    with pytest.raises(ExchangeError) as err:
        await run(app, service.pay_tranche, actor_id=None, deal_id=deal, fund_id=fund, milestone_id=m2,
                  amount_fen=1, organization_id=world["provider"].id)
    assert err.value.code == "deal_overpaid"
    assert await violations(app) == []


async def test_commit_more_than_fund_has_is_insufficient(world) -> None:  # type: ignore[no-untyped-def]
    app, fund, opp = world["app"], world["fund"], world["opportunity"]
    await run(app, service.earmark, actor_id=None, fund_id=fund, opportunity_id=opp, amount_fen=50_000)
    with pytest.raises(ExchangeError) as err:  # 50,000 earmarked + 50,000 available < 100,001
        await run(app, service.commit_to_deal, actor_id=None, deal_id=uuid.uuid4(), fund_id=fund,
                  amount_fen=100_001, opportunity_id=opp)
    assert (err.value.code, err.value.status) == ("insufficient_funds", 409)
    with pytest.raises(ExchangeError) as err:  # a brokered deal takes from available only
        await run(app, service.commit_to_deal, actor_id=None, deal_id=uuid.uuid4(), fund_id=fund,
                  amount_fen=50_001, opportunity_id=None)
    assert err.value.code == "insufficient_funds"
    await run(app, service.commit_to_deal, actor_id=None, deal_id=uuid.uuid4(), fund_id=fund, amount_fen=100_000,
              opportunity_id=opp)
    assert (await figures(app, fund))["committed"] == 100_000
    assert await violations(app) == []


async def test_earmark_never_more_than_available(world) -> None:  # type: ignore[no-untyped-def]
    app, fund, opp = world["app"], world["fund"], world["opportunity"]
    with pytest.raises(ExchangeError) as err:
        await run(app, service.earmark, actor_id=None, fund_id=fund, opportunity_id=opp, amount_fen=100_001)
    assert err.value.code == "insufficient_funds"
    assert (await figures(app, fund))["available"] == 100_000


async def test_same_milestone_pays_once_and_never_beyond_commitment(world) -> None:  # type: ignore[no-untyped-def]
    app, fund = world["app"], world["fund"]
    deal, milestone, org = uuid.uuid4(), uuid.uuid4(), world["provider"].id
    await run(app, service.commit_to_deal, actor_id=None, deal_id=deal, fund_id=fund, amount_fen=10_000, opportunity_id=None)
    with pytest.raises(ExchangeError) as err:
        await run(app, service.pay_tranche, actor_id=None, deal_id=deal, fund_id=fund, milestone_id=milestone,
                  amount_fen=10_001, organization_id=org)
    assert err.value.code == "deal_overpaid"
    await run(app, service.pay_tranche, actor_id=None, deal_id=deal, fund_id=fund, milestone_id=milestone,
              amount_fen=4_000, organization_id=org)
    with pytest.raises(ExchangeError) as err:
        await run(app, service.pay_tranche, actor_id=None, deal_id=deal, fund_id=fund, milestone_id=milestone,
                  amount_fen=4_000, organization_id=org)
    assert (err.value.code, err.value.status) == ("already_paid", 409)
    assert (await figures(app, fund))["paid"] == 4_000
    with pytest.raises(ExchangeError) as err:  # a deal with no money in this fund pays nothing
        await run(app, service.pay_tranche, actor_id=None, deal_id=uuid.uuid4(), fund_id=fund, milestone_id=milestone,
                  amount_fen=1, organization_id=org)
    assert err.value.code == "deal_overpaid"
    assert await violations(app) == []


async def test_unknown_fund_is_not_found(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ExchangeError) as err:
        await run(world["app"], service.commit_to_deal, actor_id=None, deal_id=uuid.uuid4(), fund_id=uuid.uuid4(),
                  amount_fen=1, opportunity_id=None)
    assert err.value.code == "fund_not_found"


async def test_ledger_is_append_only(world) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from exchange import db

    for statement in ("UPDATE ledger_entries SET amount_fen = amount_fen + 1", "DELETE FROM ledger_entries",
                      "DELETE FROM ledger_transactions"):
        with pytest.raises(DBAPIError):
            async with db.unit_of_work(world["app"].state.session_factory) as session:
                await session.execute(text(statement))
    assert await violations(world["app"]) == []


async def test_check_finds_a_tampered_cache(world) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    from exchange import db

    async with db.unit_of_work(world["app"].state.session_factory) as session:
        await session.execute(text("UPDATE fund_balances SET available_fen = available_fen - 1, paid_fen = paid_fen + 1"))
    found = await violations(world["app"])
    assert any("available cached 99999 != entries 100000" in v for v in found)
    assert any("paid cached 1 != entries 0" in v for v in found)
