"""Every query of the tender."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import User
from exchange.opportunities.models import Opportunity
from exchange.organizations.models import Organization
from exchange.tenders.models import Award, Bid, Call, Objection, PanelMember, Roadshow, Score


class TenderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, obj: object) -> None:
        self.session.add(obj)

    async def flush(self) -> None:
        await self.session.flush()

    # -- opportunities ------------------------------------------------------------------------------
    async def opportunity(self, opportunity_id: uuid.UUID, *, lock: bool = False, share: bool = False) -> Opportunity | None:
        if not lock and not share:
            return await self.session.get(Opportunity, opportunity_id)
        stmt = select(Opportunity).where(Opportunity.id == opportunity_id).with_for_update(read=share and not lock)
        return (await self.session.execute(stmt.execution_options(populate_existing=True))).scalar_one_or_none()

    async def due_to_close(self, at: dt.datetime, opportunity_id: uuid.UUID | None = None, *,
                           skip_locked: bool = False) -> Sequence[Opportunity]:
        stmt = select(Opportunity).where(Opportunity.status == "published", Opportunity.bid_deadline <= at)
        if opportunity_id is not None:
            stmt = stmt.where(Opportunity.id == opportunity_id)
        stmt = stmt.order_by(Opportunity.bid_deadline).with_for_update(skip_locked=skip_locked)
        return (await self.session.execute(stmt.execution_options(populate_existing=True))).scalars().all()

    async def due_to_close_ids(self, at: dt.datetime) -> list[uuid.UUID]:
        stmt = (select(Opportunity.id).where(Opportunity.status == "published", Opportunity.bid_deadline <= at)
                .order_by(Opportunity.bid_deadline, Opportunity.id))
        return list((await self.session.execute(stmt)).scalars())

    async def opportunities_of_call(self, call_id: uuid.UUID) -> Sequence[Opportunity]:
        stmt = select(Opportunity).where(Opportunity.call_id == call_id).order_by(Opportunity.created_at, Opportunity.id)
        return (await self.session.execute(stmt)).scalars().all()

    async def published_opportunities(self, limit: int) -> Sequence[Opportunity]:
        stmt = select(Opportunity).where(Opportunity.status != "draft", Opportunity.published_at.is_not(None))
        stmt = stmt.order_by(Opportunity.published_at.desc(), Opportunity.id).limit(limit)
        return (await self.session.execute(stmt)).scalars().all()

    # -- bids -------------------------------------------------------------------------------------
    async def bid(self, bid_id: uuid.UUID, *, lock: bool = False) -> Bid | None:
        if not lock:
            return await self.session.get(Bid, bid_id)
        stmt = select(Bid).where(Bid.id == bid_id).with_for_update().execution_options(populate_existing=True)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def bid_of(self, opportunity_id: uuid.UUID, organization_id: uuid.UUID) -> Bid | None:
        stmt = select(Bid).where(Bid.opportunity_id == opportunity_id, Bid.organization_id == organization_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def bids(self, opportunity_id: uuid.UUID) -> Sequence[Bid]:
        stmt = select(Bid).where(Bid.opportunity_id == opportunity_id).order_by(Bid.submitted_at, Bid.id)
        return (await self.session.execute(stmt)).scalars().all()

    async def organizations(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Organization]:
        if not ids:
            return {}
        rows = (await self.session.execute(select(Organization).where(Organization.id.in_(set(ids))))).scalars()
        return {o.id: o for o in rows}

    async def organization(self, organization_id: uuid.UUID) -> Organization | None:
        return await self.session.get(Organization, organization_id)

    # -- panel and scores -----------------------------------------------------------------------------
    async def panel(self, opportunity_id: uuid.UUID) -> set[uuid.UUID]:
        stmt = select(PanelMember.user_id).where(PanelMember.opportunity_id == opportunity_id)
        return set((await self.session.execute(stmt)).scalars().all())

    async def users(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, User]:
        if not ids:
            return {}
        return {u.id: u for u in (await self.session.execute(select(User).where(User.id.in_(set(ids))))).scalars()}

    async def score(self, bid_id: uuid.UUID, expert_id: uuid.UUID) -> Score | None:
        stmt = select(Score).where(Score.bid_id == bid_id, Score.expert_id == expert_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def scores_for(self, bid_ids: Sequence[uuid.UUID]) -> Sequence[Score]:
        if not bid_ids:
            return []
        stmt = select(Score).where(Score.bid_id.in_(list(bid_ids))).order_by(Score.created_at, Score.id)
        return (await self.session.execute(stmt)).scalars().all()

    async def roadshows(self, opportunity_id: uuid.UUID) -> Sequence[Roadshow]:
        stmt = select(Roadshow).where(Roadshow.opportunity_id == opportunity_id).order_by(Roadshow.scheduled_at)
        return (await self.session.execute(stmt)).scalars().all()

    # -- awards and objections ----------------------------------------------------------------------
    async def award(self, award_id: uuid.UUID, *, lock: bool = False) -> Award | None:
        if not lock:
            return await self.session.get(Award, award_id)
        stmt = select(Award).where(Award.id == award_id).with_for_update().execution_options(populate_existing=True)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def awards_of(self, opportunity_id: uuid.UUID) -> Sequence[Award]:
        stmt = select(Award).where(Award.opportunity_id == opportunity_id).order_by(Award.created_at, Award.id)
        return (await self.session.execute(stmt)).scalars().all()

    async def due_to_finalize(self, at: dt.datetime, opportunity_id: uuid.UUID | None = None, *,
                              award_id: uuid.UUID | None = None, skip_locked: bool = False) -> Sequence[Award]:
        stmt = select(Award).where(*self._finalizable(at))
        if opportunity_id is not None:
            stmt = stmt.where(Award.opportunity_id == opportunity_id)
        if award_id is not None:
            stmt = stmt.where(Award.id == award_id)
        stmt = stmt.with_for_update(skip_locked=skip_locked).execution_options(populate_existing=True)
        return (await self.session.execute(stmt)).scalars().all()

    async def due_to_finalize_ids(self, at: dt.datetime) -> list[uuid.UUID]:
        stmt = select(Award.id).where(*self._finalizable(at)).order_by(Award.standstill_ends_at, Award.id)
        return list((await self.session.execute(stmt)).scalars())

    @staticmethod
    def _finalizable(at: dt.datetime) -> tuple[object, ...]:
        open_objection = select(Objection.id).where(Objection.award_id == Award.id, Objection.status == "open").exists()
        return (Award.status == "standstill", Award.standstill_ends_at <= at, ~open_objection)

    async def notice_awards(self, limit: int) -> Sequence[Award]:
        stmt = select(Award).where(Award.status.in_(["standstill", "cancelled"]))
        stmt = stmt.order_by(Award.created_at.desc(), Award.id).limit(limit)
        return (await self.session.execute(stmt)).scalars().all()

    async def awards_visible_after_close(self, opportunity_ids: Sequence[uuid.UUID]) -> Sequence[Award]:
        if not opportunity_ids:
            return []
        stmt = select(Award).where(Award.opportunity_id.in_(list(opportunity_ids))).order_by(Award.created_at)
        return (await self.session.execute(stmt)).scalars().all()

    async def objection(self, objection_id: uuid.UUID, *, lock: bool = False) -> Objection | None:
        if not lock:
            return await self.session.get(Objection, objection_id)
        stmt = select(Objection).where(Objection.id == objection_id).with_for_update()
        return (await self.session.execute(stmt.execution_options(populate_existing=True))).scalar_one_or_none()

    async def objections_of(self, award_id: uuid.UUID) -> Sequence[Objection]:
        stmt = select(Objection).where(Objection.award_id == award_id).order_by(Objection.created_at, Objection.id)
        return (await self.session.execute(stmt)).scalars().all()

    async def open_objections(self, award_id: uuid.UUID) -> int:
        stmt = select(func.count()).where(Objection.award_id == award_id, Objection.status == "open")
        return int((await self.session.execute(stmt)).scalar_one())

    # -- calls ---------------------------------------------------------------------------------------
    async def call(self, call_id: uuid.UUID) -> Call | None:
        return await self.session.get(Call, call_id)
