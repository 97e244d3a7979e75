"""Every query of the reminders: what is due, locking one item, and the record of what was sent."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import User
from exchange.deals.models import Deal, Milestone
from exchange.needs.models import Need
from exchange.opportunities.models import Opportunity
from exchange.reminders.models import ReminderSent
from exchange.tenders.models import Award, Bid


class ReminderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _not_sent(self, kind: str, column: Any) -> Any:
        return ~exists().where(ReminderSent.kind == kind, ReminderSent.entity_id == column)

    async def due_bid_deadlines(self, at: dt.datetime, within: dt.timedelta) -> list[uuid.UUID]:
        stmt = select(Opportunity.id).where(
            Opportunity.status == "published", Opportunity.bid_deadline > at, Opportunity.bid_deadline <= at + within,
            self._not_sent("bid_deadline", Opportunity.id))
        return list((await self.session.execute(stmt)).scalars())

    async def due_milestones(self, today: dt.date, within: dt.timedelta) -> list[uuid.UUID]:
        stmt = select(Milestone.id).join(Deal, Deal.id == Milestone.deal_id).where(
            Milestone.status.in_(("pending", "rejected")), Milestone.due_on >= today, Milestone.due_on <= today + within,
            Deal.status == "active", self._not_sent("milestone_due", Milestone.id))
        return list((await self.session.execute(stmt)).scalars())

    async def due_standstills(self, at: dt.datetime, within: dt.timedelta) -> list[uuid.UUID]:
        stmt = select(Award.id).where(
            Award.status == "standstill", Award.standstill_ends_at > at, Award.standstill_ends_at <= at + within,
            self._not_sent("standstill_ending", Award.id))
        return list((await self.session.execute(stmt)).scalars())

    async def unanswered_needs(self, before: dt.datetime) -> list[uuid.UUID]:
        stmt = select(Need.id).where(Need.status == "open", Need.claimed_at.is_(None), Need.created_at <= before,
                                     self._not_sent("need_unanswered", Need.id))
        return list((await self.session.execute(stmt)).scalars())

    async def lock(self, model: Any, entity_id: uuid.UUID) -> Any:
        """Lock the item, skipping it when another runner holds it."""
        stmt = (select(model).where(model.id == entity_id).with_for_update(skip_locked=True)
                .execution_options(populate_existing=True))
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def sent(self, kind: str, entity_id: uuid.UUID) -> bool:
        return await self.session.get(ReminderSent, (kind, entity_id)) is not None

    def mark_sent(self, kind: str, entity_id: uuid.UUID, at: dt.datetime) -> None:
        self.session.add(ReminderSent(kind=kind, entity_id=entity_id, sent_at=at))

    async def deal(self, deal_id: uuid.UUID) -> Deal | None:
        return await self.session.get(Deal, deal_id)

    async def opportunity(self, opportunity_id: uuid.UUID) -> Opportunity | None:
        return await self.session.get(Opportunity, opportunity_id)

    async def bidder_organizations(self, opportunity_id: uuid.UUID) -> list[uuid.UUID]:
        stmt = select(Bid.organization_id).where(Bid.opportunity_id == opportunity_id, Bid.status != "withdrawn").distinct()
        return sorted((await self.session.execute(stmt)).scalars(), key=str)

    async def managers(self) -> list[tuple[uuid.UUID, str | None]]:
        stmt = select(User.id, User.region_code).where(User.role == "manager", User.is_active.is_(True))
        return [(uid, code) for uid, code in (await self.session.execute(stmt)).all()]
