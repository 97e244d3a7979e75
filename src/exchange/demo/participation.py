"""Demo step: residents taking part (seeds 000, 001, 003) — proposals at every one of the six steps,
the talent pool, volunteer activities with recorded hours, a filing in review and one approved, and
spaces booked against service. Everything goes through the services; times that must lie in the past
(an activity held, a booking served) are moved back afterwards, as the lists step backdates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import User
from exchange.activities import service as activities
from exchange.activities.models import Activity
from exchange.config import get_settings
from exchange.demo.world import World
from exchange.filings import flows as filing_flows
from exchange.filings import service as filings
from exchange.kit.clock import now
from exchange.proposals import service as proposals
from exchange.proposals.models import Proposal, VoteChoice
from exchange.skills import service as skills
from exchange.spaces import service as spaces
from exchange.spaces.models import Booking

YULIN_EAST, YULIN_NORTH, JINCHENG, JINJI = "510107003001", "510107003002", "510107004001", "510107005001"

PROPOSALS = [  # (title, description, how far it goes)
    ("楼道照明改造", "3栋、5栋楼道灯坏了很久，晚上老人出行不安全，建议统一更换声控灯。", "collected"),
    ("小区停车位规划", "电动车乱停占用消防通道，建议在北门空地规划集中充电停车棚。", "deliberating"),
    ("社区食堂增设老年助餐窗口", "独居老人做饭难，建议社区食堂开设助餐窗口并提供送餐。", "formed"),
    ("口袋公园改造", "将小区西侧闲置空地改造成口袋公园，增加健身器材和儿童游乐设施。", "executing"),
    ("垃圾分类督导志愿队", "组建居民志愿队在早晚高峰督导垃圾分类投放。", "evaluating"),
    ("老旧小区加装电梯", "多栋老楼无电梯，居民自筹加政府补贴加装电梯。", "publicized"),
    ("小区改建地下商场", "建议拆除中心绿地改建地下商场。", "rejected"),
]
PATH = ["deliberating", "formed", "executing", "evaluating", "publicized"]

SKILLS = [  # (username, title, description, category, availability)
    ("resident", "上门理发", "退休理发师，可为行动不便的老人上门理发", "elderly_care", "周末上午"),
    ("resident", "手机使用教学", "教老年人用智能手机挂号、视频通话、扫码支付", "elderly_care", "工作日晚上"),
    ("resident2", "家电维修", "会修理电饭煲、洗衣机等小家电", "hardship", "周六全天"),
    ("resident3", "儿童绘画辅导", "美术专业毕业，可辅导小朋友画画", "children_youth", "周末下午"),
    ("resident4", "代购跑腿", "送外卖顺路，可帮老人代购药品和生活用品", "elderly_care", "每天午后"),
    ("resident5", "法律咨询", "退休法官，可解答邻里纠纷和赡养问题", "legal", "每周三上午"),
]


async def load(session: AsyncSession, world: World) -> None:
    if int((await session.execute(select(func.count()).select_from(Proposal))).scalar_one()) > 0:
        return
    hours = await _activities(session, world)
    await _proposals(session, world)
    await _skills(session, world)
    await _filings(session, world)
    booked = await _spaces(session, world)
    world.note(f"居民参与：{len(PROPOSALS)} 个社区提案（六个步骤各有）、{len(SKILLS)} 项能人技能、"
               f"3 场志愿活动（已记录 {hours:g} 小时）、2 份备案申请、{booked} 个空间预约")


async def _proposals(session: AsyncSession, world: World) -> None:
    resident, community, manager = world.user("resident"), world.user("community"), world.managers()[0]
    quorum = get_settings().proposal_quorum
    for title, description, goal in PROPOSALS:
        p = await proposals.create(session, user=resident, data={"title": title, "description": description,
                                                                 "region_code": YULIN_EAST})
        await proposals.comment(session, user=community, proposal_id=p.id, body="已收到，将提交居民议事会讨论。")
        if goal == "rejected":
            await _advance(session, community, p, "rejected", quorum, reason="占用公共绿地，不符合小区规划")
            continue
        for step in PATH[:PATH.index(goal) + 1] if goal in PATH else []:
            await _step(session, world, p, step, quorum, manager)


async def _advance(session: AsyncSession, user: User, p: Proposal, to: str, quorum: int, **fields: Any) -> None:
    args: dict[str, Any] = {"reason": None, "plan": None, "links": None, "outcome": None} | fields
    await proposals.advance(session, user=user, proposal_id=p.id, to=to, quorum=quorum, **args)


async def _step(session: AsyncSession, world: World, p: Proposal, step: str, quorum: int, manager: User) -> None:
    community, resident = world.user("community"), world.user("resident")
    if step == "deliberating":
        await _advance(session, community, p, step, quorum)
        await proposals.vote(session, user=resident, proposal_id=p.id, choice=VoteChoice.for_)
    elif step == "formed":
        await proposals.meeting(session, user=community, proposal_id=p.id, data={
            "held_on": now().date(), "attendees": 23, "decision": "approved",
            "minutes": "居民议事会讨论通过：由社区牵头，居民代表、物业和社会组织共同实施。"})
        await _advance(session, community, p, step, quorum, plan="社区牵头，物业配合，分两期实施；资金由社区基金和居民自筹。")
    elif step == "executing":
        links = {"activity_id": world.data["volunteer_activity"], "need_ids": (world.data.get("needs") or [])[:1]}
        await _advance(session, community, p, step, quorum, links=links)
    elif step == "evaluating":
        await _advance(session, manager, p, step, quorum)
        await proposals.rate(session, user=resident, proposal_id=p.id, score=5, comment_text="效果明显")
    elif step == "publicized":
        await _advance(session, community, p, step, quorum, outcome="已完成：居民满意度 5 分，结果在公示栏公示七天。")


async def _skills(session: AsyncSession, world: World) -> None:
    for username, title, description, category, availability in SKILLS:
        user = world.user(username)
        await skills.create(session, user=user, data={"title": title, "description": description, "category": category,
                                                      "availability": availability, "region_code": user.region_code,
                                                      "active": True})


async def _activities(session: AsyncSession, world: World) -> float:
    community, org = world.user("community"), world.user("yinfa")
    residents = [world.user(u) for u in ("resident", "resident2", "resident6")]
    soon = now() + dt.timedelta(days=1)
    held = await activities.create(session, user=community, data=_activity("重阳节敬老志愿服务", YULIN_EAST, soon, 3, 20))
    for r in residents:
        await activities.sign_up(session, user=r, activity_id=held.id)
    _move_back(held, days=10)
    await session.flush()
    world.data["volunteer_activity"] = held.id
    rate, recorded = get_settings().points_per_hour, 0.0
    for r, minutes in zip(residents, (180, 150, 120), strict=True):
        await activities.record_attendance(session, user=community, activity_id=held.id, volunteer_id=r.id,
                                           minutes=minutes, points_per_hour=rate)
        recorded += minutes / 60
    upcoming = await activities.create(session, user=org, data=_activity("银发助餐配送", YULIN_NORTH, soon + dt.timedelta(days=6),
                                                                         2, 10))
    await activities.sign_up(session, user=world.user("resident2"), activity_id=upcoming.id)
    await activities.create(session, user=world.user("community2"),
                            data=_activity("锦城社区垃圾分类督导", JINCHENG, soon + dt.timedelta(days=3), 2, 15))
    return recorded


def _activity(title: str, region: str, starts: dt.datetime, hours: float, capacity: int) -> dict[str, Any]:
    return {"title": title, "description": f"{title}，欢迎居民报名参加。", "category": "volunteering", "region_code": region,
            "starts_at": starts, "ends_at": starts + dt.timedelta(hours=hours), "capacity": capacity}


def _move_back(item: Activity | Booking, days: float) -> None:
    item.starts_at -= dt.timedelta(days=days)
    item.ends_at -= dt.timedelta(days=days)


async def _filings(session: AsyncSession, world: World) -> None:
    await filings.create(session, user=world.user("resident2"), data={
        "name": "玉林北路社区合唱团", "function_type": "culture_sport", "level": "community_filed",
        "region_code": YULIN_NORTH, "leader": "王大爷", "members": ["王大爷", "赵阿姨", "孙奶奶", "周叔叔", "吴阿姨"],
        "charter": "本团以丰富居民精神文化生活为宗旨，每周二、四晚在社区活动室排练。"})
    approved = await filings.create(session, user=world.user("community3"), data={
        "name": "晋吉社区邻里互助会", "function_type": "mutual_aid", "level": "subdistrict_filed",
        "region_code": JINJI, "leader": "刘奶奶", "members": ["刘奶奶", "陈先生", "何阿姨"],
        "charter": "邻里之间互帮互助，为独居老人、困难家庭提供日常帮扶。"})
    await filing_flows.approve(session, user=world.admin(), filing_id=approved.id, reason="材料齐全，准予街道备案")


async def _spaces(session: AsyncSession, world: World) -> int:
    community, org, club = world.user("community"), world.user("aiyouxi"), world.user("dushuhui")
    room = await spaces.create_space(session, user=community, data={
        "name": "玉林东路社区党群服务中心活动室", "description": "约 60 平方米，有投影和桌椅", "capacity": 40})
    start = now() + dt.timedelta(days=2)
    served = await spaces.book(session, user=org, space_id=room.id, data={
        "starts_at": start, "ends_at": start + dt.timedelta(hours=3), "purpose": "亲子戏剧工作坊",
        "service_hours_pledged": 6})
    await spaces.act(session, user=community, booking_id=served.id, action="confirm")
    _move_back(served, days=14)
    await session.flush()
    await spaces.act(session, user=org, booking_id=served.id, action="report",
                     report={"service_hours": 6, "people_served": 32, "summary": "开展亲子戏剧工作坊两场"})
    later = start + dt.timedelta(days=5)
    confirmed = await spaces.book(session, user=club, space_id=room.id, data={
        "starts_at": later, "ends_at": later + dt.timedelta(hours=2), "purpose": "读书分享会",
        "service_hours_pledged": 4})
    await spaces.act(session, user=community, booking_id=confirmed.id, action="confirm")
    await spaces.book(session, user=org, space_id=room.id, data={
        "starts_at": later + dt.timedelta(days=1), "ends_at": later + dt.timedelta(days=1, hours=2),
        "purpose": "四点半课堂", "service_hours_pledged": 3})
    return 3
