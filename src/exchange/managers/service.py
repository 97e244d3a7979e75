"""The managers' work: recording consultations and counting each manager's KPIs."""

from __future__ import annotations

import datetime as dt
import statistics
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import Role, User
from exchange.accounts.repository import UserRepository
from exchange.audit import service as audit
from exchange.errors import forbidden, invalid, not_found
from exchange.kit.clock import now
from exchange.kit.pagination import Page
from exchange.managers.models import Consultation
from exchange.managers.repository import ConsultationRepository, KpiRepository
from exchange.managers.schemas import KpisOut
from exchange.needs.repository import NeedRepository
from exchange.opportunities.repository import OpportunityRepository
from exchange.organizations.repository import OrganizationRepository
from exchange.regions.repository import RegionRepository

DEFAULT_PERIOD = dt.timedelta(days=90)
CHINA = dt.timezone(dt.timedelta(hours=8))


def ensure_staff(user: User, *, write: bool = False) -> None:
    """Managers record their work; managers and admins read it."""
    allowed = {Role.manager} if write else {Role.manager, Role.admin}
    if user.role not in allowed:
        raise forbidden("只有公益经理人可以记录工作" if write else "只有公益经理人和管理员可以查看",
                        "Only managers may record their work" if write else "Only managers and admins may read this",
                        code="role_not_allowed")


async def _check_links(session: AsyncSession, data: dict[str, Any]) -> None:
    lookups = {"party_organization_id": (OrganizationRepository, "unknown_organization", "机构"),
               "need_id": (NeedRepository, "unknown_need", "居民需求"),
               "opportunity_id": (OpportunityRepository, "unknown_opportunity", "项目机会")}
    for field, (repo, code, zh) in lookups.items():
        if data.get(field) is not None and await repo(session).get(data[field]) is None:
            raise invalid(["body", field], f"所关联的{zh}不存在", f"Unknown {field.removesuffix('_id')}", code=code)


async def record(session: AsyncSession, manager: User, data: dict[str, Any]) -> Consultation:
    ensure_staff(manager, write=True)
    await _check_links(session, data)
    data["held_on"] = data.get("held_on") or now().astimezone(CHINA).date()
    if data["held_on"] > now().astimezone(CHINA).date():
        raise invalid(["body", "held_on"], "日期不能晚于今天", "The day may not be in the future", code="held_on_in_future")
    item = ConsultationRepository(session).add(Consultation(id=uuid.uuid4(), manager_id=manager.id, **data))
    await session.flush()
    audit.record(session, actor_id=manager.id, action="consultation.recorded", entity_type="consultation",
                 entity_id=item.id, summary={"kind": item.kind, "need_id": item.need_id,
                                             "opportunity_id": item.opportunity_id,
                                             "party_organization_id": item.party_organization_id})
    return item


async def get(session: AsyncSession, user: User, consultation_id: uuid.UUID) -> Consultation:
    ensure_staff(user)
    item = await ConsultationRepository(session).get(consultation_id)
    if item is None:
        raise not_found("consultation")
    return item


async def page(session: AsyncSession, user: User, *, filters: dict[str, Any], start: dt.datetime | None,
               end: dt.datetime | None, limit: int, cursor: str | None) -> Page[Consultation]:
    ensure_staff(user)
    start, end = _utc(start), _utc(end)
    held_from, held_to = _days(start, end)
    return await ConsultationRepository(session).page(filters=filters, held_from=held_from, held_to=held_to,
                                                      limit=limit, cursor=cursor)


def _days(start: dt.datetime | None, end: dt.datetime | None) -> tuple[dt.date | None, dt.date | None]:
    """The days (in China time) that ``[start, end)`` touches, as ``[first, after_last)``."""
    first = start.astimezone(CHINA).date() if start else None
    after_last = (end - dt.timedelta(microseconds=1)).astimezone(CHINA).date() + dt.timedelta(days=1) if end else None
    return first, after_last


def period(start: dt.datetime | None, end: dt.datetime | None) -> tuple[dt.datetime, dt.datetime]:
    """``[start, end)`` in UTC: by default the 90 days up to now; 422 when it runs backwards."""
    end = _utc(end) or now()
    start = _utc(start) or end - DEFAULT_PERIOD
    if start >= end:
        raise invalid(["query", "from"], "起始时间须早于结束时间", "`from` must be before `to`", code="invalid_period")
    return start, end


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


async def _manager(session: AsyncSession, manager_id: uuid.UUID) -> User:
    manager = await UserRepository(session).get(manager_id)
    if manager is None or manager.role != Role.manager:
        raise not_found("manager")
    return manager


async def _needs_resolved(repo: KpiRepository, manager_id: uuid.UUID, start: dt.datetime, end: dt.datetime) -> int:
    handled = await repo.handled_needs(manager_id)
    resolved = {n.id for n in handled if n.confirmed_at is not None and start <= n.confirmed_at < end}
    closed = await repo.deals_closed(start, end, [n.id for n in handled],
                                     [n.opportunity_id for n in handled if n.opportunity_id])
    closed_needs = {d.need_id for d in closed if d.need_id}
    closed_opps = {d.opportunity_id for d in closed if d.opportunity_id}
    resolved |= {n.id for n in handled if n.id in closed_needs or n.opportunity_id in closed_opps}
    return len(resolved)


async def kpis(session: AsyncSession, user: User, manager_id: uuid.UUID, start: dt.datetime | None,
               end: dt.datetime | None) -> KpisOut:
    """One manager's KPIs over ``[from, to)`` (managers and admins)."""
    ensure_staff(user)
    start, end = period(start, end)
    manager = await _manager(session, manager_id)
    repo = KpiRepository(session)
    deals, deals_fen = await repo.brokered_deals(manager.id, start, end)
    area = [r.code for r in await RegionRepository(session).subtree(manager.region_code)] if manager.region_code else None
    claims = await repo.claims(area, start, end)
    days = [(c.claimed_at - c.created_at).total_seconds() / 86400 for c in claims]
    held_from, held_to = _days(start, end)
    by_kind = await ConsultationRepository(session).counts_by_kind(manager.id, held_from, held_to)  # type: ignore[arg-type]
    return KpisOut(
        manager_id=manager.id, display_name=manager.display_name, period_from=start, period_to=end,
        deals_brokered=deals, deals_brokered_fen=deals_fen,
        money_transacted_fen=await repo.paid_on_brokered(manager.id, start, end),
        needs_converted=await repo.converted_needs(manager.id, start, end),
        needs_resolved=await _needs_resolved(repo, manager.id, start, end),
        median_days_need_to_claim=round(statistics.median(days), 1) if days else None,
        needs_claimed_in_area=len(claims), consultations=sum(by_kind.values()), consultations_by_kind=by_kind,
    )
