"""Talent pool rules: a resident lists, changes and pauses their own skills; signed-in users read them."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import Role, User
from exchange.audit import service as audit
from exchange.errors import ExchangeError, forbidden, invalid, not_found
from exchange.listings import validation
from exchange.skills.models import Skill
from exchange.skills.repository import SkillRepository


def not_a_resident() -> ExchangeError:
    return forbidden("只有居民可以登记能力", "Only residents list skills", code="residents_only")


async def get_or_404(session: AsyncSession, skill_id: uuid.UUID, *, lock: bool = False) -> Skill:
    repo = SkillRepository(session)
    skill = await (repo.get_for_update(skill_id) if lock else repo.get(skill_id))
    if skill is None:
        raise not_found("skill")
    return skill


async def create(session: AsyncSession, *, user: User, data: dict[str, Any]) -> Skill:
    if user.role != Role.resident:
        raise not_a_resident()
    data = dict(data)
    data["region_code"] = data.get("region_code") or user.region_code
    if not data["region_code"]:
        raise invalid(["body", "region_code"], "请填写能力可服务的区域", "Give the region the skill reaches",
                      code="region_required")
    await validation.check_codes(session, category=data.get("category"), target_groups=[],
                                 region_codes=[data["region_code"]], region_loc="region_code")
    skill = SkillRepository(session).add(Skill(id=uuid.uuid4(), user_id=user.id, **data))
    await session.flush()
    audit.record(session, actor_id=user.id, action="skill.created", entity_type="skill", entity_id=skill.id,
                 summary={"title": skill.title, "region_code": skill.region_code})
    return skill


async def update(session: AsyncSession, *, user: User, skill: Skill, changes: dict[str, Any]) -> Skill:
    """The resident changes their own skill (``active: false`` pauses it)."""
    if skill.user_id != user.id:
        raise forbidden("只能修改自己的能力", "You may only change your own skills", code="not_your_skill")
    if "region_code" in changes and changes["region_code"] is None:
        changes.pop("region_code")
    await validation.check_codes(session, category=changes.get("category"), target_groups=[],
                                 region_codes=[changes["region_code"]] if "region_code" in changes else [],
                                 region_loc="region_code")
    for key, value in changes.items():
        setattr(skill, key, value)
    await session.flush()
    audit.record(session, actor_id=user.id, action="skill.updated", entity_type="skill", entity_id=skill.id,
                 summary={"changed": sorted(changes)})
    return skill


async def claimable(session: AsyncSession, *, user: User, skill_id: uuid.UUID) -> Skill:
    """The claimant's own active skill a claim comes from (422 otherwise)."""
    skill = await SkillRepository(session).get(skill_id)
    if skill is None or skill.user_id != user.id or not skill.active:
        raise invalid(["body", "skill_id"], "只能凭自己在册的能力揭榜", "A claim can only come from your own active skill",
                      code="skill_not_yours")
    return skill
