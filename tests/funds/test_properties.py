"""Property-based: random sequences of money moves keep every invariant and match a simple model."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from exchange import db
from exchange.campaigns import service as campaigns
from exchange.errors import ExchangeError
from exchange.funds import service
from exchange.kit.clock import now
from tests.builders import make_org, make_user, seed_regions
from tests.funds.money import figures, make_fund, make_opportunity, violations

amounts = st.integers(min_value=1, max_value=5_000)
operations = st.lists(st.one_of(
    st.tuples(st.just("deposit"), amounts),
    st.tuples(st.just("earmark"), st.integers(0, 1), amounts),
    st.tuples(st.just("commit"), st.integers(0, 2), st.sampled_from([0, 1, None]), amounts),
    st.tuples(st.just("pay"), st.integers(0, 2), st.integers(0, 3), amounts),
    st.tuples(st.just("release_deal"), st.integers(0, 2)),
    st.tuples(st.just("release_earmarks"), st.integers(0, 1)),
    st.tuples(st.just("contribute"), amounts),
), min_size=1, max_size=25)


@dataclass
class Model:
    """The expected figures, computed the plain way."""

    available: int = 0
    earmarked: dict[int, int] = field(default_factory=lambda: {0: 0, 1: 0})
    committed: dict[int, int] = field(default_factory=lambda: {0: 0, 1: 0, 2: 0})
    paid: int = 0
    deposited: int = 0
    paid_milestones: set[tuple[int, int]] = field(default_factory=set)
    matched: int = 0
    cap: int = 7_001

    def apply(self, op: tuple[Any, ...]) -> str | None:
        """Apply ``op``; return the error code it must raise, or None."""
        kind = op[0]
        if kind == "deposit":
            self.available += op[1]
            self.deposited += op[1]
        elif kind == "earmark":
            if op[2] > self.available:
                return "insufficient_funds"
            self.available -= op[2]
            self.earmarked[op[1]] += op[2]
        elif kind == "commit":
            _, deal, opp, amount = op
            from_earmark = min(self.earmarked[opp], amount) if opp is not None else 0
            if amount - from_earmark > self.available:
                return "insufficient_funds"
            if opp is not None:
                self.earmarked[opp] -= from_earmark
            self.available -= amount - from_earmark
            self.committed[deal] += amount
        elif kind == "pay":
            _, deal, milestone, amount = op
            if (deal, milestone) in self.paid_milestones:
                return "already_paid"
            if amount > self.committed[deal]:
                return "deal_overpaid"
            self.paid_milestones.add((deal, milestone))
            self.committed[deal] -= amount
            self.paid += amount
        elif kind == "release_deal":
            self.available += self.committed[op[1]]
            self.committed[op[1]] = 0
        elif kind == "release_earmarks":
            self.available += self.earmarked[op[1]]
            self.earmarked[op[1]] = 0
        elif kind == "contribute":
            match = min(op[1] * 3 // 4, self.cap - self.matched, self.available)
            self.matched += match
            self.available -= match
            self.paid += match
        return None

    def figures(self) -> dict[str, int]:
        return {"deposited": self.deposited, "available": self.available, "earmarked": sum(self.earmarked.values()),
                "committed": sum(self.committed.values()), "paid": self.paid}


@pytest.fixture
async def parties(app):  # type: ignore[no-untyped-def]
    await seed_regions(app)
    return {"buyer": await make_org(app, "government"), "provider": await make_org(app, "social_org"),
            "resident": await make_user(app, "resident")}


async def _perform(session: Any, op: tuple[Any, ...], ctx: dict[str, Any]) -> None:
    fund, kind = ctx["fund"], op[0]
    if kind == "deposit":
        await service.deposit(session, actor_id=None, fund_id=fund, amount_fen=op[1])
    elif kind == "earmark":
        await service.earmark(session, actor_id=None, fund_id=fund, opportunity_id=ctx["opps"][op[1]], amount_fen=op[2])
    elif kind == "commit":
        opp = ctx["opps"][op[2]] if op[2] is not None else None
        await service.commit_to_deal(session, actor_id=None, deal_id=ctx["deals"][op[1]], fund_id=fund,
                                     amount_fen=op[3], opportunity_id=opp)
    elif kind == "pay":
        await service.pay_tranche(session, actor_id=None, deal_id=ctx["deals"][op[1]], fund_id=fund,
                                  milestone_id=ctx["milestones"][op[2]], amount_fen=op[3], organization_id=ctx["org"])
    elif kind == "release_deal":
        await service.release_deal(session, actor_id=None, deal_id=ctx["deals"][op[1]], fund_id=fund, reason="test")
    elif kind == "release_earmarks":
        await service.release_earmarks(session, actor_id=None, opportunity_id=ctx["opps"][op[1]], reason="test")
    elif kind == "contribute":
        await campaigns.contribute(session, user=ctx["resident"], campaign_id=ctx["campaign"], amount_fen=op[1])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(ops=[("contribute", 3)])
@given(ops=operations)
async def test_random_sequences_keep_every_invariant(app, parties, ops) -> None:  # type: ignore[no-untyped-def]
    buyer = parties["buyer"]
    fund = await make_fund(app, buyer.id)
    async with db.unit_of_work(app.state.session_factory) as session:
        campaign = await campaigns.create(session, actor_id=None, data={
            "title": "众筹", "target_fen": 10**9, "ends_at": now() + dt.timedelta(days=30), "need_id": None,
            "match_fund_id": fund, "match_ratio": "0.75", "match_cap_fen": 7_001, "on_shortfall": "refund"})
    ctx = {"fund": fund, "opps": [await make_opportunity(app, buyer.id) for _ in range(2)],
           "deals": [uuid.uuid4() for _ in range(3)], "milestones": [uuid.uuid4() for _ in range(4)],
           "org": parties["provider"].id, "resident": parties["resident"].user, "campaign": campaign.id}
    model = Model()
    for op in [("deposit", 20_000), *ops]:  # money to move from the start; later deposits add more
        expected = model.apply(op)
        try:
            async with db.unit_of_work(app.state.session_factory) as session:
                await _perform(session, op, ctx)
            outcome = None
        except ExchangeError as exc:
            outcome = exc.code
        assert outcome == expected, op
        assert await figures(app, fund) == model.figures(), op
    assert await violations(app) == []
