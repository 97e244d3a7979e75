"""Every query of deals."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, func, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.audit.models import AuditEvent
from exchange.deals.models import Deal, Milestone, Supervision
from exchange.funds.models import DealFund
from exchange.kit.pagination import Page, SortKey, paginate
from exchange.tenders.models import Award


class DealRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, obj: object) -> None:
        self.session.add(obj)

    async def flush(self) -> None:
        await self.session.flush()

    async def beyond_amount(self) -> list[tuple[uuid.UUID, int, int, int]]:
        """(deal id, amount, committed, paid) of deals that committed or paid more than their amount."""
        committed, paid = func.sum(DealFund.committed_fen), func.sum(DealFund.paid_fen)
        stmt = (select(Deal.id, Deal.amount_fen, committed, paid).join(DealFund, DealFund.deal_id == Deal.id)
                .group_by(Deal.id, Deal.amount_fen).having((committed > Deal.amount_fen) | (paid > Deal.amount_fen)))
        return [(r[0], int(r[1]), int(r[2]), int(r[3])) for r in (await self.session.execute(stmt)).all()]

    async def deal(self, deal_id: uuid.UUID, *, lock: bool = False) -> Deal | None:
        if not lock:
            return await self.session.get(Deal, deal_id)
        stmt = select(Deal).where(Deal.id == deal_id).with_for_update().execution_options(populate_existing=True)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def live_deal_for_award(self, award_id: uuid.UUID) -> Deal | None:
        stmt = select(Deal).where(Deal.award_id == award_id, Deal.status != "terminated").limit(1)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def milestones(self, deal_id: uuid.UUID, *, lock: bool = False) -> list[Milestone]:
        stmt = select(Milestone).where(Milestone.deal_id == deal_id).order_by(Milestone.seq)
        if lock:
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return list((await self.session.execute(stmt)).scalars().all())

    async def milestones_of(self, deal_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Milestone]]:
        out: dict[uuid.UUID, list[Milestone]] = {i: [] for i in deal_ids}
        if deal_ids:
            stmt = select(Milestone).where(Milestone.deal_id.in_(list(deal_ids))).order_by(Milestone.seq)
            for m in (await self.session.execute(stmt)).scalars():
                out[m.deal_id].append(m)
        return out

    async def supervisions(self, deal_id: uuid.UUID) -> Sequence[Supervision]:
        stmt = select(Supervision).where(Supervision.deal_id == deal_id).order_by(Supervision.visited_on, Supervision.id)
        return (await self.session.execute(stmt)).scalars().all()

    async def history(self, entity_ids: Sequence[uuid.UUID]) -> Sequence[AuditEvent]:
        stmt = select(AuditEvent).where(AuditEvent.entity_id.in_([str(i) for i in entity_ids])).order_by(AuditEvent.seq)
        return (await self.session.execute(stmt)).scalars().all()

    async def page(self, *, organization_id: uuid.UUID | None, restrict: bool, status: str | None,
                   limit: int, cursor: str | None) -> Page[Deal]:
        stmt = select(Deal)
        if restrict:
            stmt = stmt.where(or_(Deal.organization_id == organization_id, Deal.buyer_organization_id == organization_id))
        if status is not None:
            stmt = stmt.where(Deal.status == status)
        keys = [SortKey(Deal.created_at, descending=True), SortKey(Deal.id, descending=True)]
        return await paginate(self.session, stmt, keys, limit=limit, cursor=cursor, tag="deals")

    async def in_status(self, statuses: Sequence[str], limit: int) -> Sequence[Deal]:
        stmt = select(Deal).where(Deal.status.in_(list(statuses))).order_by(Deal.updated_at.desc(), Deal.id).limit(limit)
        return (await self.session.execute(stmt)).scalars().all()

    async def of_organization(self, organization_id: uuid.UUID, statuses: Sequence[str], limit: int) -> Sequence[Deal]:
        stmt = (select(Deal).where(Deal.organization_id == organization_id, Deal.status.in_(list(statuses)))
                .order_by(Deal.updated_at.desc(), Deal.id).limit(limit))
        return (await self.session.execute(stmt)).scalars().all()

    async def for_opportunities(self, opportunity_ids: Sequence[uuid.UUID]) -> Sequence[Deal]:
        if not opportunity_ids:
            return []
        stmt = select(Deal).where(Deal.opportunity_id.in_(list(opportunity_ids))).order_by(Deal.created_at)
        return (await self.session.execute(stmt)).scalars().all()

    async def all_deals(self) -> Sequence[Deal]:
        return (await self.session.execute(select(Deal))).scalars().all()

    async def notice_keys(self, kinds: Sequence[str], after: Sequence[Any] | None, limit: int
                          ) -> list[tuple[str, uuid.UUID, dt.datetime]]:
        """(kind, id, at) of public notices, newest first: awards (any status), evaluations, closed deals.
        ``after`` is the (at, kind, id) of the previous page's last notice."""
        parts = {
            "award": select(literal("award").label("kind"), Award.id.label("id"), Award.created_at.label("at")),
            "evaluation": select(literal("evaluation").label("kind"), Deal.id.label("id"), Deal.evaluated_at.label("at"))
            .where(Deal.evaluated_at.is_not(None), Deal.status.in_(["evaluated", "closed"])),
            "deal_closed": select(literal("deal_closed").label("kind"), Deal.id.label("id"), Deal.closed_at.label("at"))
            .where(Deal.status == "closed", Deal.closed_at.is_not(None)),
        }
        # every part labels its columns: the union takes its names from whichever part comes first
        sub = union_all(*[parts[k] for k in kinds]).subquery()
        stmt = select(sub.c.kind, sub.c.id, sub.c.at)
        if after is not None:
            at, kind, id_ = after
            stmt = stmt.where(or_(sub.c.at < at, and_(sub.c.at == at, sub.c.kind < kind),
                                  and_(sub.c.at == at, sub.c.kind == kind, sub.c.id < id_)))
        stmt = stmt.order_by(sub.c.at.desc(), sub.c.kind.desc(), sub.c.id.desc()).limit(limit)
        return [(k, i, a) for k, i, a in (await self.session.execute(stmt)).all()]

    async def deals_by_id(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Deal]:
        if not ids:
            return {}
        return {d.id: d for d in (await self.session.execute(select(Deal).where(Deal.id.in_(list(ids))))).scalars()}
