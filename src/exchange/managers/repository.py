"""Every query of the managers' work and KPIs."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_, select

from exchange.deals.models import Deal
from exchange.funds.models import Payment
from exchange.kit.pagination import Page, SortKey
from exchange.kit.repository import RepositoryBase
from exchange.managers.models import Consultation
from exchange.needs.models import Need
from exchange.opportunities.models import Opportunity

BROKERED = "brokered"


class ConsultationRepository(RepositoryBase[Consultation]):
    model = Consultation

    async def page(self, *, filters: dict[str, Any], held_from: dt.date | None, held_to: dt.date | None,
                   limit: int, cursor: str | None) -> Page[Consultation]:
        stmt = select(Consultation)
        for column, value in filters.items():
            if value is not None:
                stmt = stmt.where(getattr(Consultation, column) == value)
        if held_from is not None:
            stmt = stmt.where(Consultation.held_on >= held_from)
        if held_to is not None:
            stmt = stmt.where(Consultation.held_on < held_to)
        keys = [SortKey(Consultation.created_at, descending=True), SortKey(Consultation.id, descending=True)]
        return await self.list_page(stmt, keys, limit=limit, cursor=cursor, tag="consultations")

    async def counts_by_kind(self, manager_id: uuid.UUID, held_from: dt.date, held_to: dt.date) -> dict[str, int]:
        stmt = (select(Consultation.kind, func.count()).where(
            Consultation.manager_id == manager_id, Consultation.held_on >= held_from, Consultation.held_on < held_to)
            .group_by(Consultation.kind))
        return {kind: n for kind, n in (await self.session.execute(stmt)).all()}


class KpiRepository:
    """The facts a manager's KPIs are counted from; periods are ``[start, end)``."""

    def __init__(self, session: Any) -> None:
        self.session = session

    async def brokered_deals(self, manager_id: uuid.UUID, start: dt.datetime, end: dt.datetime) -> tuple[int, int]:
        stmt = select(func.count(), func.coalesce(func.sum(Deal.amount_fen), 0)).where(
            Deal.kind == BROKERED, Deal.created_by == manager_id, Deal.created_at >= start, Deal.created_at < end)
        count, total = (await self.session.execute(stmt)).one()
        return int(count), int(total)

    async def paid_on_brokered(self, manager_id: uuid.UUID, start: dt.datetime, end: dt.datetime) -> int:
        stmt = (select(func.coalesce(func.sum(Payment.amount_fen), 0)).join(Deal, Deal.id == Payment.deal_id)
                .where(Deal.kind == BROKERED, Deal.created_by == manager_id,
                       Payment.created_at >= start, Payment.created_at < end))
        return int((await self.session.execute(stmt)).scalar_one())

    async def converted_needs(self, manager_id: uuid.UUID, start: dt.datetime, end: dt.datetime) -> int:
        stmt = (select(func.count(Need.id)).join(Opportunity, Opportunity.id == Need.opportunity_id)
                .where(Opportunity.created_by == manager_id, Opportunity.created_at >= start, Opportunity.created_at < end))
        return int((await self.session.execute(stmt)).scalar_one())

    async def handled_needs(self, manager_id: uuid.UUID) -> Sequence[Any]:
        """(id, confirmed_at, opportunity_id) of every need the manager brokered a deal for or converted."""
        brokered = select(Deal.need_id).where(Deal.kind == BROKERED, Deal.created_by == manager_id,
                                              Deal.need_id.is_not(None))
        converted = select(Opportunity.id).where(Opportunity.created_by == manager_id)
        stmt = select(Need.id, Need.confirmed_at, Need.opportunity_id).where(
            or_(Need.id.in_(brokered), Need.opportunity_id.in_(converted)))
        return (await self.session.execute(stmt)).all()

    async def deals_closed(self, start: dt.datetime, end: dt.datetime, need_ids: Sequence[uuid.UUID],
                           opportunity_ids: Sequence[uuid.UUID]) -> Sequence[Any]:
        """(need_id, opportunity_id) of the deals for these needs or opportunities that closed in the period."""
        if not need_ids and not opportunity_ids:
            return []
        stmt = select(Deal.need_id, Deal.opportunity_id).where(
            Deal.closed_at >= start, Deal.closed_at < end,
            or_(Deal.need_id.in_(list(need_ids)), Deal.opportunity_id.in_(list(opportunity_ids))))
        return (await self.session.execute(stmt)).all()

    async def claims(self, region_codes: Sequence[str] | None, start: dt.datetime, end: dt.datetime) -> Sequence[Any]:
        """(created_at, claimed_at) of the needs claimed in the period (in these regions)."""
        stmt = select(Need.created_at, Need.claimed_at).where(Need.claimed_at >= start, Need.claimed_at < end)
        if region_codes is not None:
            stmt = stmt.where(Need.region_code.in_(list(region_codes)))
        return (await self.session.execute(stmt)).all()
