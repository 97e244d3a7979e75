"""Demo step: procurement as the district runs it — the expert pool with specialties and affiliations,
managers' consultations, a venture-philanthropy call open for applications, and a seed grant awaiting
the organization's signature. Idempotent: when the pool has experts, the step does nothing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.calls import service as calls
from exchange.deals import grants
from exchange.demo.world import World
from exchange.experts import service as experts
from exchange.experts.models import Expert
from exchange.kit.clock import now
from exchange.managers import service as managers
from exchange.tenders import calls as tender_calls
from exchange.tenders.schemas import CallCreate

YUAN = 100
SPECIALTIES = [["elderly_care", "disability"], ["children_youth", "family"], ["governance", "community_building"],
               ["elderly_care", "health"], ["culture_sport", "children_youth"], ["disability", "employment"]]
TITLES = ["高级社会工作师", "高校社会学副教授", "社区治理研究员", "注册会计师", "公益项目评估师", "律师"]
CONSULTATIONS = [
    ("needs_justification", "走访玉林东路社区独居老人 12 户，核实助餐需求", "需求属实，建议打包为助餐项目"),
    ("consultation", "为乐龄养老服务中心讲解项目申报与资金使用规范", "机构将按规范完善财务制度"),
    ("pre_study", "社区儿童课后托管需求预研：学校、家长、社区三方座谈", "形成预研报告，建议以四点半课堂为载体"),
    ("review", "协助区民政局审核创投项目方案 8 份", "提出修改意见 21 条"),
    ("supervision", "对骑士驿站服务开展季度督导", "服务台账完整，建议增加满意度回访"),
]


async def load(session: AsyncSession, world: World) -> None:
    if (await session.execute(select(func.count()).select_from(Expert))).scalar_one():
        return
    admin, manager = world.admin(), world.managers()[0]
    orgs = world.social_orgs()
    for i, user in enumerate(world.experts()):
        await experts.create(session, actor=admin, data={
            "user_id": user.id, "specialties": SPECIALTIES[i % len(SPECIALTIES)], "title": TITLES[i % len(TITLES)],
            "affiliation_organization_id": orgs[i].id if i % 3 == 2 else None, "active": True})
    needs = world.data.get("needs", [])
    for i, (kind, notes, outcome) in enumerate(CONSULTATIONS):
        await managers.record(session, world.managers()[i % len(world.managers())], {
            "kind": kind, "notes": notes, "outcome": outcome, "need_id": needs[i] if kind == "needs_justification" and needs
            else None, "party_organization_id": orgs[i].id if kind in ("consultation", "supervision") else None,
            "held_on": (now() - dt.timedelta(days=3 * (i + 1))).date()})
    await _call(session, world)
    fund = world.data["funds"]["武侯社区发展基金"]
    await grants.award(session, manager, {"organization_id": orgs[1].id, "fund_id": fund, "amount_fen": 3_000 * YUAN,
                                          "title": "楼栋自治小组启动种子金", "milestone_title": "开展首批楼栋议事活动",
                                          "due_on": (now() + dt.timedelta(days=90)).date()}, 5_000 * YUAN)
    world.note(f"采购：专家库 {len(world.experts())} 名专家，{len(CONSULTATIONS)} 条公益经理人工作记录，"
               "1 个公益创投大赛（4 份申报），1 笔待签署的种子金")


async def _call(session: AsyncSession, world: World) -> None:
    buyer = world.user("jijinhui")
    body = CallCreate(title="2027 年“五社联动”社区公益创投大赛",
                      description="小额资助社区社会组织开展邻里互助、儿童关爱和为老服务",
                      bid_deadline=now() + dt.timedelta(days=20), budget_fen=200_000 * YUAN,
                      fund_id=world.data["funds"]["武侯社区发展基金"])
    call = await tender_calls.create(session, buyer, body)
    proposals = [("邻里守望·独居老人关爱计划", 40_000), ("四点半课堂·双职工子女托管", 60_000),
                 ("院落微更新·居民议事会", 30_000), ("骑手驿站·新就业群体关爱", 50_000)]
    for (title, yuan), org in zip(proposals, world.social_orgs()[:4], strict=True):
        user = world.user_for(org)
        if user is not None:
            await calls.apply(session, user, call.id, {"title": title, "plan": f"{title}：按季度开展活动并公示台账",
                                                       "amount_fen": yuan * YUAN})
