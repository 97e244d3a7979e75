"""Every query of the tender."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import User
from exchange.kit.pagination import Page, SortKey, paginate
from exchange.opportunities.models import Opportunity
from exchange.organizations.models import Organization
from exchange.tenders.models import Award, Bid, Call, Objection, PanelDraw, PanelMember, Question, Roadshow, Score


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

    async def bids_page(self, organization_id: uuid.UUID, *, limit: int, cursor: str | None) -> Page[Bid]:
        """An organization's bids, newest first."""
        stmt = select(Bid).where(Bid.organization_id == organization_id)
        keys = [SortKey(Bid.submitted_at, descending=True), SortKey(Bid.id, descending=True)]
        return await paginate(self.session, stmt, keys, limit=limit, cursor=cursor, tag="my-bids")

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

    async def panels_of(self, user_id: uuid.UUID, *, limit: int, cursor: str | None) -> Page[Opportunity]:
        """The opportunities whose panel ``user_id`` sits on, latest deadline first."""
        member = select(PanelMember.opportunity_id).where(PanelMember.user_id == user_id)
        stmt = select(Opportunity).where(Opportunity.id.in_(member))
        keys = [SortKey(Opportunity.bid_deadline, descending=True), SortKey(Opportunity.id, descending=True)]
        return await paginate(self.session, stmt, keys, limit=limit, cursor=cursor, tag="panels")

    async def scores_by(self, expert_id: uuid.UUID, bid_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Score]:
        if not bid_ids:
            return {}
        stmt = select(Score).where(Score.expert_id == expert_id, Score.bid_id.in_(list(bid_ids)))
        return {s.bid_id: s for s in (await self.session.execute(stmt)).scalars()}

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


class PanelDrawRepository:
    """The queries of a panel's random draw."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of(self, opportunity_id: uuid.UUID, *, lock: bool = False) -> PanelDraw | None:
        stmt = select(PanelDraw).where(PanelDraw.opportunity_id == opportunity_id)
        if lock:
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def bidder_organizations(self, opportunity_id: uuid.UUID) -> set[uuid.UUID]:
        """Every organization that bid (withdrawn bids too: a conflict does not end with a withdrawal)."""
        rows = await self.session.execute(select(Bid.organization_id).where(Bid.opportunity_id == opportunity_id))
        return set(rows.scalars())

    async def recent_panelists(self, buyer_organization_id: uuid.UUID, exclude: uuid.UUID, panels: int) -> set[uuid.UUID]:
        """The experts on the buyer's last ``panels`` panels (other than ``exclude``'s)."""
        latest = (select(PanelMember.opportunity_id, func.max(PanelMember.created_at).label("at"))
                  .join(Opportunity, Opportunity.id == PanelMember.opportunity_id)
                  .where(Opportunity.buyer_organization_id == buyer_organization_id, Opportunity.id != exclude)
                  .group_by(PanelMember.opportunity_id)
                  .order_by(func.max(PanelMember.created_at).desc(), PanelMember.opportunity_id)
                  .limit(panels).subquery())
        rows = await self.session.execute(select(PanelMember.user_id).where(PanelMember.opportunity_id.in_(
            select(latest.c.opportunity_id))))
        return set(rows.scalars())

    async def has_scored(self, opportunity_id: uuid.UUID, expert_id: uuid.UUID) -> bool:
        stmt = (select(func.count()).select_from(Score).join(Bid, Bid.id == Score.bid_id)
                .where(Bid.opportunity_id == opportunity_id, Score.expert_id == expert_id))
        return bool((await self.session.execute(stmt)).scalar_one())

    async def remove_member(self, opportunity_id: uuid.UUID, user_id: uuid.UUID) -> None:
        await self.session.execute(delete(PanelMember).where(PanelMember.opportunity_id == opportunity_id,
                                                             PanelMember.user_id == user_id))


class QuestionRepository:
    """The queries of clarification questions."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, question_id: uuid.UUID, *, lock: bool = False) -> Question | None:
        stmt = select(Question).where(Question.id == question_id)
        if lock:
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def of(self, opportunity_id: uuid.UUID, *, answered_only: bool,
                 organization_id: uuid.UUID | None = None) -> Sequence[Question]:
        """The opportunity's questions in the order asked: the answered ones, plus all (or the
        organization's own) unanswered ones."""
        stmt = select(Question).where(Question.opportunity_id == opportunity_id)
        if answered_only:
            mine = Question.organization_id == organization_id if organization_id else None
            stmt = stmt.where(Question.status == "answered" if mine is None else (Question.status == "answered") | mine)
        return (await self.session.execute(stmt.order_by(Question.created_at, Question.id))).scalars().all()
