"""Demo step: the three lists at a real district's scale (seeds: 109 opportunity lists, 300 organizations
offering at a fair) — ≥ 100 opportunities, ≥ 300 offers, ≥ 200 needs, through the services so that every
rule, index row and audit event is as in production. Deterministic: one seeded random generator."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import Role, User
from exchange.demo.lists_text import NEED_SPEECH, OFFER_THEMES, OPPORTUNITY_THEMES
from exchange.demo.world import World
from exchange.kit.clock import now
from exchange.needs import service as needs
from exchange.needs.models import Need
from exchange.offers import service as offers
from exchange.offers.models import Offer
from exchange.opportunities import service as opportunities
from exchange.opportunities.models import Opportunity
from exchange.organizations.models import Organization
from exchange.regions.models import Region

OPPORTUNITIES, OFFERS, NEEDS = 112, 320, 224
NAMES = ["王奶奶", "李爷爷", "张阿姨", "刘大爷", "陈婆婆", "赵叔叔", "周阿姨", "吴爷爷", "孙奶奶", "郑大姐"]


async def load(session: AsyncSession, world: World) -> None:
    """Create the lists once; on a later run find them and put them in the world."""
    if await _count(session, Offer) >= OFFERS and await _count(session, Need) >= NEEDS:
        world.data["opportunities"] = list((await session.execute(select(Opportunity.id))).scalars())
        world.data["offers"] = list((await session.execute(select(Offer.id))).scalars())
        world.data["needs"] = list((await session.execute(select(Need.id))).scalars())
        return
    rng = random.Random(20261122)
    manager = world.managers()[0]
    opps = await _opportunities(session, world, rng, manager)
    offer_ids = await _offers(session, world, rng, manager)
    need_ids = await _needs(session, world, rng, manager)
    world.data.update(opportunities=opps, offers=offer_ids, needs=need_ids)
    world.note(f"三张清单：{len(opps)} 个项目机会、{len(offer_ids)} 项服务供给、{len(need_ids)} 条居民需求")


async def _count(session: AsyncSession, model: type) -> int:
    return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


def _areas(world: World, rng: random.Random) -> list[Region]:
    roll = rng.random()
    if roll < 0.25:
        return [world.district]
    if roll < 0.6:
        return rng.sample(world.subdistricts(), k=min(len(world.subdistricts()), rng.choice([1, 1, 2])))
    return rng.sample(world.communities(), k=min(len(world.communities()), rng.choice([1, 1, 2, 3])))


def _backdate(obj: Opportunity | Offer | Need, rng: random.Random, days: float = 120) -> None:
    obj.created_at = now() - dt.timedelta(days=rng.uniform(1, days), minutes=rng.randint(0, 1440))


async def _opportunities(session: AsyncSession, world: World, rng: random.Random, manager: User) -> list:
    buyers = world.buyer_orgs()
    themes = [(c, t) for c, items in OPPORTUNITY_THEMES.items() for t in items]
    made = []
    for i in range(OPPORTUNITIES):
        category, (title, description, groups) = themes[i % len(themes)] if i < len(themes) else rng.choice(themes)
        org = rng.choice(buyers)
        user = world.user_for(org)
        actor = user if user is not None and user.role == Role.buyer else manager
        areas = _areas(world, rng)
        place = areas[0].name if len(areas) == 1 else f"{areas[0].name}等{len(areas)}地"
        year = rng.choice(["2026年", "2027年", "2027年度", ""])
        budget_yuan = rng.choice([3, 5, 8, 10, 12, 15, 20, 30, 50, 80]) * 10_000 + rng.randint(0, 9) * 1_000
        data = {
            "buyer_organization_id": org.id, "title": f"{place}{year}{title}",
            "description": f"{description}服务周期 {rng.choice([6, 10, 12])} 个月，覆盖{place}。",
            "category": category, "target_groups": groups, "region_codes": [r.code for r in areas],
            "budget_fen": budget_yuan * 100, "bid_deadline": now() + dt.timedelta(days=rng.randint(7, 60)),
            "min_bids": rng.choice([1, 1, 2, 3]), "eligibility": {
                "min_a_level": rng.choice([0, 0, 0, 3]), "registration_required": rng.random() < 0.5},
            "rubric": [{"criterion": "服务方案", "weight": 40}, {"criterion": "团队能力", "weight": 30},
                       {"criterion": "报价", "weight": 30}],
            "standstill_days": rng.choice([5.0, 5.0, 3.0, 7.0]),
        }
        opp = await opportunities.create(session, user=actor, data=data)
        _backdate(opp, rng)
        roll = rng.random()
        if roll < 0.8:
            await opportunities.act(session, user=actor, opp=opp, action="publish")
        if 0.72 <= roll < 0.8:
            await opportunities.act(session, user=actor, opp=opp, action="cancel", reason="资金计划调整，项目暂缓实施")
        made.append(opp.id)
    return made


def _org_areas(world: World, org: Organization, rng: random.Random) -> list[str]:
    if org.service_region_codes:
        return list(org.service_region_codes)[:5]
    if org.region_code:
        return [org.region_code]
    return [r.code for r in _areas(world, rng)]


def _menu(org: Organization, rng: random.Random) -> list[tuple[str, tuple[str, str, str, int]]]:
    own = [c for c in (org.categories or []) if c in OFFER_THEMES]
    first = [(c, theme) for c in own for theme in OFFER_THEMES[c]]
    rest = [(c, theme) for c in OFFER_THEMES if c not in own for theme in OFFER_THEMES[c]]
    rng.shuffle(first)
    rng.shuffle(rest)
    return first + rest


async def _offers(session: AsyncSession, world: World, rng: random.Random, manager: User) -> list:
    orgs = world.social_orgs() or world.buyer_orgs()
    made = []
    menus = {org.id: _menu(org, rng) for org in orgs}
    for i in range(OFFERS):
        org = orgs[i % len(orgs)]
        # An organization's menu lists each service once: its own categories first, then related work.
        category, (title, description, pricing, price) = menus[org.id].pop(0)
        user = world.user_for(org)
        actor = user if user is not None and user.role == Role.org else manager
        short = org.name.removeprefix("成都市").removeprefix("武侯区")
        data = {
            "organization_id": org.id, "title": title if rng.random() < 0.5 else f"{title}（{short[:12]}）",
            "description": f"{description}由{org.name}提供。", "category": category,
            "target_groups": _groups_for(category, rng), "region_codes": _org_areas(world, org, rng),
            "pricing": pricing, "price_fen": 0 if pricing == "free" else price + rng.randint(0, 20) * 100,
            "capacity_per_month": rng.choice([None, 20, 50, 100, 200]),
        }
        offer = await offers.create(session, user=actor, data=data)
        _backdate(offer, rng, 200)
        roll = rng.random()
        if roll < 0.92:
            await offers.act(session, user=actor, offer=offer, action="publish")
        if 0.87 <= roll < 0.92:
            await offers.act(session, user=actor, offer=offer, action="withdraw")
        made.append(offer.id)
    return made


def _groups_for(category: str, rng: random.Random) -> list[str]:
    themes = OPPORTUNITY_THEMES.get(category) or [("", "", ["residents"])]
    return list(rng.choice(themes)[2])


async def _needs(session: AsyncSession, world: World, rng: random.Random, manager: User) -> list:
    residents, communities = world.residents(), world.community_users()
    claimers = residents + world.users_of(Role.org)
    places = world.grids() + world.communities()
    made = []
    for i in range(NEEDS):
        title, speech, category, groups, urgency = NEED_SPEECH[i % len(NEED_SPEECH)]
        requester = rng.choice(residents + communities)
        name = rng.choice(NAMES)
        region = requester.region_code if requester.role == Role.resident else _place_under(
            places, requester.region_code, rng)
        where = {r.code: r.name for r in places}.get(region or "", "")
        text = speech.replace("王奶奶", name) if "王奶奶" in speech else speech
        data = {"title": title if i < len(NEED_SPEECH) else f"{title}（{rng.randint(1, 30)}栋）",
                "description": f"{text}{'（' + where + '）' if where else ''}", "category": category,
                "target_groups": groups, "region_code": region, "urgency": urgency,
                "points": rng.choice([5, 10, 10, 20, 30, 50])}
        need = await needs.create(session, user=requester, data=data)
        _backdate(need, rng, 60)
        await _supports(session, need, residents, requester, rng)
        await _progress(session, need, requester, claimers, manager, rng)
        made.append(need.id)
    await _convert(session, world, rng, manager)
    return made


def _place_under(places: list[Region], code: str | None, rng: random.Random) -> str | None:
    under = [p.code for p in places if code and p.code.startswith(code)]
    return rng.choice(under) if under else code


async def _supports(session: AsyncSession, need: Need, residents: list[User], requester: User, rng: random.Random) -> None:
    others = [r for r in residents if r.id != requester.id]
    for user in rng.sample(others, k=rng.randint(0, len(others))):
        await needs.act(session, user=user, need_id=need.id, action="support")


async def _progress(session: AsyncSession, need: Need, requester: User, claimers: list[User], manager: User,
                    rng: random.Random) -> None:
    roll = rng.random()
    if roll < 0.5:
        return
    if roll < 0.55:
        await needs.act(session, user=requester, need_id=need.id, action="withdraw")
        return
    claimer = rng.choice([c for c in claimers if c.id != requester.id])
    await needs.act(session, user=claimer, need_id=need.id, action="claim")
    if roll < 0.7:
        return
    await needs.act(session, user=claimer, need_id=need.id, action="fulfil")
    if roll < 0.8:
        return
    await needs.act(session, user=requester if rng.random() < 0.8 else manager, need_id=need.id, action="confirm")


async def _convert(session: AsyncSession, world: World, rng: random.Random, manager: User) -> None:
    """以需定供: a manager turns related open needs into draft opportunities."""
    for category in ("elderly_care", "community_building", "safety"):
        stmt = select(Need.id).where(Need.status == "open", Need.category == category).order_by(Need.created_at).limit(4)
        ids = list((await session.execute(stmt)).scalars())
        if len(ids) < 2:
            continue
        buyer = rng.choice(world.buyer_orgs())
        await opportunities.from_needs(session, user=manager, data={
            "need_ids": ids, "buyer_organization_id": buyer.id,
            "title": f"居民需求转化项目：{OPPORTUNITY_THEMES[category][0][0]}",
            "description": "由公益经理人根据居民需求清单中附议较多的需求整合形成，拟面向社会组织公开征集服务方案。",
            "budget_fen": rng.choice([5, 8, 10]) * 1_000_000, "bid_deadline": now() + dt.timedelta(days=30),
            "min_bids": 1, "eligibility": {"min_a_level": 0, "registration_required": False},
            "rubric": [{"criterion": "服务方案", "weight": 50}, {"criterion": "团队能力", "weight": 20},
                       {"criterion": "报价", "weight": 30}], "standstill_days": 5.0,
        })
