"""Demo money (三源统筹): funds of every source, deposits, earmarks on open opportunities, and a
crowdfunding campaign matched by a micro-fund. Paid tranches come from the deals step.

Idempotent: when the district's fiscal fund exists, the step only puts the funds in the world.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import User
from exchange.campaigns import service as campaigns
from exchange.demo.world import World
from exchange.funds import service as funds
from exchange.funds.models import Fund
from exchange.kit.clock import now
from exchange.needs.models import Need
from exchange.opportunities.models import Opportunity
from exchange.organizations.models import Kind, Organization

FISCAL = "武侯区财政社会服务专项资金"
YUAN = 100

# (name, source, owner, deposit in yuan, note)
FUNDS = [
    (FISCAL, "fiscal", "成都市武侯区民政局", 30_000_000, "2026 年度区级财政预算：政府购买社会服务"),
    ("武侯社区发展基金", "community_fund", "成都市武侯社区发展基金会", 8_000_000, "基金会原始基金与年度募集"),
    ("社区众筹配比资金", "crowdfunding", "成都市武侯社区发展基金会", 500_000, "居民筹、组织办、基金配比"),
    ("爱心企业定向捐赠", "donation", "成都市武侯社区发展基金会", 1_200_000, "辖区企业定向捐赠"),
]
MICRO_FUNDS = ["玉林东路社区微基金", "玉林北路社区微基金", "锦城社区微基金", "簇锦社区微基金", "红牌楼社区微基金",
               "晋阳社区微基金"]


async def load(session: AsyncSession, world: World) -> None:
    existing = list((await session.execute(select(Fund).order_by(Fund.created_at, Fund.id))).scalars())
    if any(f.name == FISCAL for f in existing):
        world.data["funds"] = {f.name: f.id for f in existing}
        return
    rng = random.Random(606)
    made = await _funds(session, world, rng)
    world.data["funds"] = made
    earmarked = await _earmarks(session, world, made, rng)
    raised = await _campaign(session, world, made, rng)
    world.note(f"资金：{len(made)} 个资金池（财政、社区基金及 {len(MICRO_FUNDS)} 个微基金、众筹、捐赠、基金会资助），"
               f"{earmarked} 个项目机会已配置资金，1 个众筹项目已筹 {raised // YUAN} 元")


def _owner(world: World, name: str) -> Organization:
    if name in world.orgs_by_name:
        return world.org(name)
    kind = Kind.foundation if "基金会" in name else Kind.government
    return (world.organizations.get(kind) or world.buyer_orgs())[0]


def _deposit_as(world: World, org: Organization) -> uuid.UUID | None:
    user = world.user_for(org)
    return user.id if user is not None else world.admin().id


async def _funds(session: AsyncSession, world: World, rng: random.Random) -> dict[str, uuid.UUID]:
    made: dict[str, uuid.UUID] = {}
    for name, source, owner_name, amount, note in FUNDS:
        owner = _owner(world, owner_name)
        fund = await funds.create_fund(session, user=None, data={"name": name, "source": source,
                                                                 "owner_organization_id": owner.id})
        await funds.deposit(session, actor_id=_deposit_as(world, owner), fund_id=fund.id,
                            amount_fen=amount * YUAN, note=note)
        made[name] = fund.id
    foundation = _owner(world, "成都市武侯社区发展基金会")
    for name in MICRO_FUNDS:
        fund = await funds.create_fund(session, user=None, data={
            "name": name, "source": "micro_fund", "owner_organization_id": foundation.id,
            "parent_fund_id": made["武侯社区发展基金"]})
        await funds.deposit(session, actor_id=_deposit_as(world, foundation), fund_id=fund.id,
                            amount_fen=rng.randrange(50_000, 200_001, 1_000) * YUAN, note="社区微基金年度注资")
        made[name] = fund.id
    grantors = [o for o in world.organizations.get(Kind.foundation, []) if o.id != foundation.id] or [foundation]
    grant = await funds.create_fund(session, user=None, data={
        "name": "青少年公益创投资助", "source": "foundation_grant", "owner_organization_id": grantors[0].id})
    await funds.deposit(session, actor_id=world.admin().id, fund_id=grant.id, amount_fen=420_000 * YUAN,
                        note="公益创投大赛资助资金")
    made["青少年公益创投资助"] = grant.id
    return made


async def _earmarks(session: AsyncSession, world: World, made: dict[str, uuid.UUID], rng: random.Random) -> int:
    """Fund about two thirds of the open opportunities: the foundation's from its community fund, the rest
    from the district's fiscal fund (a manager earmarks it)."""
    ids = world.data.get("opportunities") or []
    stmt = (select(Opportunity).where(Opportunity.id.in_(ids), Opportunity.status.in_(funds.FUNDABLE_STATES))
            .order_by(Opportunity.created_at, Opportunity.id))
    foundation = _owner(world, "成都市武侯社区发展基金会")
    manager = world.managers()[0] if world.managers() else world.admin()
    count = 0
    for opportunity in (await session.execute(stmt)).scalars():
        if rng.random() > 0.66 or opportunity.budget_fen <= 0:
            continue
        fund_id = made["武侯社区发展基金"] if opportunity.buyer_organization_id == foundation.id else made[FISCAL]
        balance = await funds.lock_balance(session, fund_id)
        amount = min(opportunity.budget_fen, balance.available_fen)
        if amount <= 0:
            continue
        await funds.earmark(session, actor_id=manager.id, fund_id=fund_id, opportunity_id=opportunity.id,
                            amount_fen=amount)
        count += 1
    return count


async def _campaign(session: AsyncSession, world: World, made: dict[str, uuid.UUID], rng: random.Random) -> int:
    need_ids = world.data.get("needs") or []
    need = (await session.execute(select(Need).where(Need.id.in_(need_ids), Need.status == "open")
                                  .order_by(Need.created_at, Need.id).limit(1))).scalar_one_or_none()
    manager = world.managers()[0] if world.managers() else world.admin()
    campaign = await campaigns.create(session, actor_id=manager.id, data={
        "title": "玉林东路社区老旧楼道加装扶手众筹", "target_fen": 30_000 * YUAN, "ends_at": now() + dt.timedelta(days=30),
        "need_id": need.id if need else None, "match_fund_id": made["玉林东路社区微基金"], "match_ratio": "1.0",
        "match_cap_fen": 10_000 * YUAN, "on_shortfall": "carry"})
    residents: list[User] = world.residents() or [manager]
    raised = 0
    for i in range(24):
        amount = rng.choice([50, 100, 100, 200, 300, 500, 888, 1000]) * YUAN + rng.randrange(0, 100)
        await campaigns.contribute(session, user=residents[i % len(residents)], campaign_id=campaign.id, amount_fen=amount)
        raised += amount
    return raised
