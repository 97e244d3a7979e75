"""The demo's money: funds of every source, earmarks, a matched campaign; the ledger check passes."""

from __future__ import annotations

from sqlalchemy import func, select

from exchange import db
from exchange.campaigns.models import Campaign
from exchange.checks import check_ledger
from exchange.demo.service import load_demo
from exchange.funds.models import Earmark, Fund, Source

STEPS = ["exchange.demo.district", "exchange.demo.lists", "exchange.demo.money"]


async def test_demo_money_is_sound_and_idempotent(app) -> None:  # type: ignore[no-untyped-def]
    async with db.unit_of_work(app.state.session_factory) as session:
        await load_demo(session, STEPS)
    async with db.unit_of_work(app.state.session_factory) as session:
        assert await check_ledger(session) == []
        sources = set((await session.execute(select(Fund.source))).scalars())
        assert sources == {s.value for s in Source}
        micro = list((await session.execute(select(Fund).where(Fund.source == "micro_fund"))).scalars())
        assert len(micro) >= 5 and all(f.parent_fund_id is not None for f in micro)
        assert (await session.execute(select(func.count()).select_from(Earmark).where(Earmark.amount_fen > 0))).scalar_one() >= 10
        campaign = (await session.execute(select(Campaign))).scalar_one()
        assert campaign.raised_fen > 0 and 0 < campaign.matched_fen <= campaign.match_cap_fen
    async with db.unit_of_work(app.state.session_factory) as session:
        summary = await load_demo(session, STEPS)
    assert not summary.added.get("funds") and not summary.added.get("ledger_entries")
