"""Demo step: tenders and deals at every stage, paid from the money step's earmarks.

Bidding open (sealed bids), under review (panel scoring), an award in standstill (on the public
notices), an active deal with its first tranche paid, a closed and evaluated deal, and a deal a
manager brokered from a resident need. Demo opportunities are moved through time by backdating
their deadlines. Idempotent: when any bid exists, nothing is added."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import Role, User
from exchange.deals import service as deals
from exchange.deals.models import Deal
from exchange.deals.money import earmarks_for
from exchange.deals.schemas import DealCreate
from exchange.demo.documents import attach, pdf, photo
from exchange.demo.world import World
from exchange.documents.models import OwnerType
from exchange.kit.clock import now
from exchange.needs.models import Need
from exchange.opportunities.models import Opportunity
from exchange.organizations.models import Organization
from exchange.tenders import service as tenders
from exchange.tenders.models import Bid

STAGES = ["open", "open", "review", "standstill", "active", "closed"]
PROPOSALS = ["以社工+志愿者双工联动方式开展服务，配备持证社工 3 名", "依托社区阵地每周开展 2 次集中活动并入户跟进",
             "引入专业督导，建立服务台账与满意度回访机制"]


async def load(session: AsyncSession, world: World) -> None:
    if int((await session.execute(select(func.count()).select_from(Bid))).scalar_one()):
        return
    experts, managers = world.experts()[:3], world.managers()
    if len(experts) < 3 or not managers:
        return
    picked = await _pick(session, world)
    done = []
    for stage, (opp, buyer, bidders) in zip(STAGES, picked, strict=False):
        await _run(session, world, stage, opp, buyer, bidders, experts, managers[0])
        done.append(stage)
    brokered = await _brokered(session, world, managers[0])
    world.note(f"招投标：{len(done)} 个项目机会处于投标、评审、公示、履约、结项各阶段"
               f"{'，1 份公益经理人撮合协议' if brokered else ''}")


async def _pick(session: AsyncSession, world: World) -> list[tuple[Opportunity, User, list[tuple[Organization, User]]]]:
    """Published, funded opportunities whose buyer has a user, each with three eligible bidders."""
    orgs = [(o, u) for o in world.social_orgs() if (u := world.user_for(o)) is not None and u.role == Role.org]
    out = []
    for opp_id in world.data.get("opportunities") or []:
        opp = await session.get(Opportunity, opp_id)
        buyer = world.user_for(world.org_by_id(opp.buyer_organization_id)) if opp is not None else None
        if opp is None or opp.status != "published" or buyer is None or buyer.role != Role.buyer:
            continue
        if not [f for f, left in await earmarks_for(session, opp.id) if left > 0]:
            continue
        eligible = [(o, u) for o, u in orgs if not tenders.eligibility_problems(o, opp)]
        if len(eligible) >= 3:
            start = len(out) * 3 % len(eligible)
            out.append((opp, buyer, (eligible[start:] + eligible[:start])[:3]))
        if len(out) == len(STAGES):
            break
    return out


async def _run(session: AsyncSession, world: World, stage: str, opp: Opportunity, buyer: User,
               bidders: list[tuple[Organization, User]], experts: list[User], manager: User) -> None:
    bids = []
    for i, (_, user) in enumerate(bidders):
        bid, _ = await tenders.submit_bid(session, user, opp.id, {
            "proposal": PROPOSALS[i % len(PROPOSALS)], "price_fen": opp.budget_fen * (90 - 5 * i) // 100, "offer_id": None})
        bids.append(bid)
        org = bidders[i][0]
        await attach(session, world, user, OwnerType.bid, bid.id, pdf(f"{opp.title}投标文件", [
            f"投标人：{org.name}", f"投标报价：{bid.price_fen / 100:,.2f} 元", f"服务方案：{bid.proposal}",
            "我方承诺所提交材料真实有效，如有虚假愿承担相应责任。"]), "投标文件.pdf", "proposal")
    if stage == "open":
        return
    opp.bid_deadline = now() - dt.timedelta(days=1)  # demo data: the deadline has passed
    if stage != "standstill":
        opp.standstill_days = 0
    await session.flush()
    await tenders.apply_due_moves(session, opp.id)
    await tenders.name_panel(session, buyer, opp, [e.id for e in experts])
    for rank, bid in enumerate(bids):
        for j, expert in enumerate(experts if stage != "review" else experts[:1]):
            await tenders.score_bid(session, expert, bid.id, {
                "scores": {c["criterion"]: 88 - 8 * rank - j for c in opp.rubric} or {"总体": 88 - 8 * rank},
                "conflict_of_interest": False, "comment": "方案清晰，团队稳定"})
    if stage == "review":
        return
    award = await tenders.award(session, buyer, opp.id, bids[0].id)
    if stage == "standstill":
        return
    deal = await deals.create(session, buyer, DealCreate(award_id=award.id, milestones=_milestones(award.price_fen)))
    await attach(session, world, buyer, OwnerType.deal, deal.id, pdf("政府购买服务合同", [
        f"项目名称：{deal.title}", f"合同金额：{deal.amount_fen / 100:,.2f} 元",
        "甲方：" + world.org_by_id(opp.buyer_organization_id).name, "乙方：" + bidders[0][0].name,
        "付款方式：按里程碑验收后分期支付，尾款于第三方评估后支付。"]), "服务合同.pdf", "contract")
    org_user = bidders[0][1]
    await deals.sign(session, org_user, deal.id)
    await deals.sign(session, buyer, deal.id)
    milestones = await _ids(session, deal)
    for index, milestone_id in enumerate(milestones):
        if stage == "active" and index == 1:
            break
        await attach(session, world, org_user, OwnerType.deal, deal.id, photo(index + len(world.notes)),
                     f"活动照片{index + 1}.jpg", "milestone_evidence", milestone_id=str(milestone_id))
        await deals.milestone_move(session, org_user, deal.id, milestone_id, "report",
                                   {"summary": "按计划完成本期服务", "evidence": [f"活动照片{index + 1}.jpg"]})
        await deals.milestone_move(session, buyer, deal.id, milestone_id, "accept", {})
    if stage == "active":
        await deals.supervise(session, manager, deal.id, {"date": now().date(), "findings": "服务台账规范，居民反馈良好",
                                                          "rating": 4})
        return
    await attach(session, world, org_user, OwnerType.deal, deal.id, pdf("项目结项报告", [
        f"项目名称：{deal.title}", "服务人次：260 人次；开展活动：24 场。",
        "主要成效：独居老人助餐覆盖率明显提升，居民满意度 96%。",
        "存在问题与改进：志愿者队伍稳定性有待加强。"]), "结项报告.pdf", "closing_report")
    await deals.closing_report(session, org_user, deal.id, {"summary": "项目如期结项，服务 260 人次", "people_served": 260,
                                                            "activities": 24})
    await deals.evaluate(session, world.evaluator(), deal.id, {"scores": {"服务成效": 90, "规范管理": 84, "居民满意度": 92},
                                                               "total": 88, "grade": None, "comment": ""})
    await deals.close(session, buyer, deal.id)


def _milestones(amount: int) -> list[Any]:
    first, second = amount * 4 // 10, amount * 4 // 10
    today = now().date()
    return [{"title": "需求调研与服务启动", "due_on": today + dt.timedelta(days=60), "amount_fen": first},
            {"title": "服务实施", "due_on": today + dt.timedelta(days=180), "amount_fen": second},
            {"title": "总结评估", "due_on": today + dt.timedelta(days=300), "amount_fen": amount - first - second}]


async def _ids(session: AsyncSession, deal: Deal) -> list[uuid.UUID]:
    from exchange.deals.repository import DealRepository

    return [m.id for m in await DealRepository(session).milestones(deal.id)]


async def _brokered(session: AsyncSession, world: World, manager: User) -> bool:
    """公益经理人撮合: a deal from an open need to a social organization, paid from the fiscal fund."""
    funds: dict[str, uuid.UUID] = world.data.get("funds") or {}
    need = (await session.execute(select(Need).where(Need.status == "open").order_by(Need.created_at).limit(1))).scalar()
    orgs = [(o, u) for o in world.social_orgs() if (u := world.user_for(o)) is not None and u.role == Role.org]
    fund_id = next(iter(funds.values()), None)
    if need is None or not orgs or fund_id is None:
        return False
    org, org_user = orgs[-1]
    deal = await deals.create(session, manager, DealCreate(
        need_id=need.id, organization_id=org.id, fund_id=fund_id, amount_fen=200_000,
        milestones=[{"title": "上门服务", "due_on": now().date() + dt.timedelta(days=30), "amount_fen": 200_000}]))
    await deals.sign(session, org_user, deal.id)
    await deals.sign(session, manager, deal.id)
    return True
