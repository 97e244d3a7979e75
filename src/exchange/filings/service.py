"""Filing rules: a resident group applies (a resident, or a community committee for it); the committee
(for ``community_filed``) or an admin decides."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import Role, User
from exchange.audit import service as audit
from exchange.errors import ExchangeError, forbidden, invalid, not_found
from exchange.filings.models import Filing, FilingLevel, FilingStatus
from exchange.filings.repository import FilingRepository
from exchange.filings.states import LIFECYCLE, Facts
from exchange.kit.clock import now
from exchange.listings import validation
from exchange.participation import parties as places
from exchange.regions.areas import within


async def get_or_404(session: AsyncSession, filing_id: uuid.UUID, *, lock: bool = False) -> Filing:
    repo = FilingRepository(session)
    filing = await (repo.get_for_update(filing_id) if lock else repo.get(filing_id))
    if filing is None:
        raise not_found("filing")
    return filing


async def parties(session: AsyncSession, user: User, filing: Filing) -> set[str]:
    found = {"applicant"} if user.id == filing.applicant_id else set()
    place = await places.of_place(session, user, filing.region_code)
    if "community" in place and filing.level == FilingLevel.community_filed:
        found.add("community")
    if user.role == Role.admin:
        found.add("admin")
    return found


async def may_read(session: AsyncSession, user: User, filing: Filing) -> bool:
    """The applicant, the committee of its place, managers and admins (a filing names private people)."""
    return bool(await parties(session, user, filing)) or user.role == Role.manager or (
        "community" in await places.of_place(session, user, filing.region_code))


async def create(session: AsyncSession, *, user: User, data: dict[str, Any]) -> Filing:
    if user.role not in (Role.resident, Role.community):
        raise forbidden("只有居民或社区可以申请备案", "Only residents and communities apply for a filing",
                        code="role_not_allowed")
    home = user.region_code if user.role == Role.resident else await places.community_area(session, user)
    data = {**data, "region_code": data.get("region_code") or home}
    if not data["region_code"]:
        raise invalid(["body", "region_code"], "请填写组织所在区域", "Give the group's region", code="region_required")
    await validation.check_codes(session, region_codes=[data["region_code"]], region_loc="region_code")
    inside = (await within(session, home, data["region_code"]) if user.role == Role.resident
              else await within(session, data["region_code"], home))
    if not inside:
        raise forbidden("只能为所在社区的居民团体申请备案", "You may only file a group of your own community",
                        code="outside_area")
    repo = FilingRepository(session)
    if await repo.pending_named(data["name"], [FilingStatus.in_review, FilingStatus.approved]) is not None:
        raise ExchangeError("filing_exists", 409, "同名团体已在备案中或已备案", "A group of this name is filed or in review")
    filing = repo.add(Filing(id=uuid.uuid4(), applicant_id=user.id, status=FilingStatus.in_review, **data))
    await session.flush()
    audit.record(session, actor_id=user.id, action="filing.submitted", entity_type="filing", entity_id=filing.id,
                 summary={"name": filing.name, "level": filing.level, "region_code": filing.region_code})
    return filing


async def decide(session: AsyncSession, *, user: User, filing_id: uuid.UUID, action: str, reason: str | None) -> Filing:
    """Approve or reject a filing in review (the state table says who and when)."""
    filing = await get_or_404(session, filing_id, lock=True)
    step = LIFECYCLE.step(filing.status, action, await parties(session, user, filing), Facts(reason=reason))
    filing.status, filing.decided_by, filing.decided_at, filing.decision_reason = step.to, user.id, now(), reason
    await session.flush()
    audit.record(session, actor_id=user.id, action=f"filing.{step.to}", entity_type="filing", entity_id=filing.id,
                 summary={"name": filing.name, "reason": reason})
    return filing
