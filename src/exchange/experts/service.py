"""The expert pool's rules: who is an expert, what it reviews, whom it works for."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import Role, User
from exchange.accounts.repository import UserRepository
from exchange.audit import service as audit
from exchange.errors import ExchangeError, forbidden, invalid, not_found
from exchange.experts.models import Expert
from exchange.experts.repository import ExpertRepository
from exchange.kit.pagination import Page
from exchange.organizations.repository import OrganizationRepository
from exchange.vocabularies.service import ensure_codes

READERS = {Role.buyer, Role.manager, Role.admin}


def ensure_reader(user: User) -> None:
    """Buyers look for reviewers; managers and admins run the pool. Nobody else reads it."""
    if user.role not in READERS:
        raise forbidden("只有采购方、公益经理人和管理员可以查看专家库",
                        "Only buyers, managers and admins may read the expert pool", code="role_not_allowed")


async def _check(session: AsyncSession, data: dict[str, Any]) -> None:
    if data.get("specialties") is not None:
        data["specialties"] = list(dict.fromkeys(data["specialties"]))
        await ensure_codes(session, "category", data["specialties"], ["body", "specialties"])
    org_id = data.get("affiliation_organization_id")
    if org_id is not None and await OrganizationRepository(session).get(org_id) is None:
        raise invalid(["body", "affiliation_organization_id"], "所属机构不存在", "Unknown organization",
                      code="unknown_organization")


async def create(session: AsyncSession, *, actor: User, data: dict[str, Any]) -> Expert:
    user = await UserRepository(session).get(data["user_id"])
    if user is None or user.role != Role.expert:
        raise invalid(["body", "user_id"], "该用户不存在或不是评审专家账号", "No such user, or the user is not an expert",
                      code="not_an_expert")
    repo = ExpertRepository(session)
    if await repo.by_user(user.id) is not None:
        raise ExchangeError("expert_exists", 409, "该用户已在专家库中", "The user is already in the expert pool")
    await _check(session, data)
    expert = repo.add(Expert(id=uuid.uuid4(), **data))
    await repo.flush()
    audit.record(session, actor_id=actor.id, action="expert.added", entity_type="expert", entity_id=expert.id,
                 summary={"user_id": user.id, "specialties": expert.specialties,
                          "affiliation_organization_id": expert.affiliation_organization_id})
    return expert


async def get_or_404(session: AsyncSession, expert_id: uuid.UUID) -> Expert:
    expert = await ExpertRepository(session).get(expert_id)
    if expert is None:
        raise not_found("expert")
    return expert


async def update(session: AsyncSession, *, actor: User, expert: Expert, changes: dict[str, Any]) -> Expert:
    for field in ("specialties", "title", "active"):
        if field in changes and changes[field] is None:
            raise invalid(["body", field], "此字段不能为空", "This field may not be null", code="null_not_allowed")
    await _check(session, changes)
    for field, value in changes.items():
        setattr(expert, field, value)
    await session.flush()
    audit.record(session, actor_id=actor.id, action="expert.updated", entity_type="expert", entity_id=expert.id,
                 summary={k: v for k, v in changes.items()})
    return expert


async def page(session: AsyncSession, **filters: Any) -> Page[Expert]:
    return await ExpertRepository(session).page(**filters)


async def names(session: AsyncSession, experts: list[Expert]) -> dict[uuid.UUID, str]:
    return await ExpertRepository(session).names([e.user_id for e in experts])
