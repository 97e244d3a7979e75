"""Every query of the notifications domain."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import User
from exchange.campaigns.models import Campaign
from exchange.deals.models import Deal
from exchange.kit.pagination import Page, SortKey
from exchange.kit.repository import RepositoryBase
from exchange.needs.models import Need
from exchange.notifications.models import MessageStatus, Notification, NotificationMessage, NotificationSetting
from exchange.offers.models import Offer
from exchange.opportunities.models import Opportunity
from exchange.regions.service import significant_prefix
from exchange.tenders.models import Award, Bid, Objection, PanelMember


class NotificationRepository(RepositoryBase[Notification]):
    model = Notification

    async def page(self, user_id: uuid.UUID, *, unread: bool | None, limit: int, cursor: str | None) -> Page[Notification]:
        stmt = select(Notification).where(Notification.user_id == user_id)
        if unread is True:
            stmt = stmt.where(Notification.read_at.is_(None))
        elif unread is False:
            stmt = stmt.where(Notification.read_at.is_not(None))
        keys = [SortKey(Notification.event_id, descending=True), SortKey(Notification.id, descending=True)]
        return await self.list_page(stmt, keys, limit=limit, cursor=cursor, tag="notifications")

    async def unread_count(self, user_id: uuid.UUID) -> int:
        stmt = select(func.count()).where(Notification.user_id == user_id, Notification.read_at.is_(None))
        return int((await self.session.execute(stmt)).scalar_one())

    async def mark_read(self, user_id: uuid.UUID, ids: Sequence[uuid.UUID] | None, at: dt.datetime) -> int:
        stmt = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
        if ids is not None:
            stmt = stmt.where(Notification.id.in_(list(ids)))
        result = await self.session.execute(stmt.values(read_at=at))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def existing_recipients(self, event_id: int) -> set[uuid.UUID]:
        stmt = select(Notification.user_id).where(Notification.event_id == event_id)
        return set((await self.session.execute(stmt)).scalars())


class SettingRepository(RepositoryBase[NotificationSetting]):
    model = NotificationSetting

    async def get_for(self, user_id: uuid.UUID) -> NotificationSetting | None:
        return await self.session.get(NotificationSetting, user_id)

    async def of_users(self, user_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, NotificationSetting]:
        if not user_ids:
            return {}
        stmt = select(NotificationSetting).where(NotificationSetting.user_id.in_(list(user_ids)))
        return {s.user_id: s for s in (await self.session.execute(stmt)).scalars()}


class MessageRepository(RepositoryBase[NotificationMessage]):
    model = NotificationMessage

    async def due_ids(self, at: dt.datetime, limit: int) -> list[uuid.UUID]:
        stmt = (select(NotificationMessage.id)
                .where(NotificationMessage.status == MessageStatus.pending,
                       or_(NotificationMessage.next_attempt_at.is_(None), NotificationMessage.next_attempt_at <= at))
                .order_by(NotificationMessage.created_at, NotificationMessage.id).limit(limit))
        return list((await self.session.execute(stmt)).scalars())

    async def claim(self, message_id: uuid.UUID, at: dt.datetime) -> NotificationMessage | None:
        stmt = (select(NotificationMessage).where(
            NotificationMessage.id == message_id, NotificationMessage.status == MessageStatus.pending,
            or_(NotificationMessage.next_attempt_at.is_(None), NotificationMessage.next_attempt_at <= at))
            .with_for_update(skip_locked=True).execution_options(populate_existing=True))
        return (await self.session.execute(stmt)).scalar_one_or_none()


class PartyRepository:
    """Who the parties of an event are: read from the domains below (never written)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def users_of(self, organization_ids: set[uuid.UUID]) -> set[uuid.UUID]:
        if not organization_ids:
            return set()
        stmt = select(User.id).where(User.organization_id.in_(list(organization_ids)), User.is_active.is_(True))
        return set((await self.session.execute(stmt)).scalars())

    async def active(self, user_ids: set[uuid.UUID]) -> set[uuid.UUID]:
        if not user_ids:
            return set()
        stmt = select(User.id).where(User.id.in_(list(user_ids)), User.is_active.is_(True))
        return set((await self.session.execute(stmt)).scalars())

    async def with_role(self, role: str) -> set[uuid.UUID]:
        stmt = select(User.id).where(User.role == role, User.is_active.is_(True))
        return set((await self.session.execute(stmt)).scalars())

    async def managers_covering(self, region_code: str) -> set[uuid.UUID]:
        """Managers whose region contains ``region_code`` (or who have none: the whole exchange)."""
        stmt = select(User.id, User.region_code).where(User.role == "manager", User.is_active.is_(True))
        rows = (await self.session.execute(stmt)).all()
        return {uid for uid, code in rows if not code or region_code.startswith(significant_prefix(code))}

    async def buyer(self, entity_type: str, entity_id: uuid.UUID | None,
                    opportunity_id: uuid.UUID | None) -> set[uuid.UUID]:
        if entity_type == "deal" and entity_id is not None:
            stmt = select(Deal.buyer_organization_id).where(Deal.id == entity_id)
        elif opportunity_id is not None:
            stmt = select(Opportunity.buyer_organization_id).where(Opportunity.id == opportunity_id)
        else:
            return set()
        return {v for v in (await self.session.execute(stmt)).scalars() if v is not None}

    async def deal_provider(self, deal_id: uuid.UUID | None) -> set[uuid.UUID]:
        if deal_id is None:
            return set()
        return set((await self.session.execute(select(Deal.organization_id).where(Deal.id == deal_id))).scalars())

    async def winner(self, award_id: uuid.UUID | None) -> set[uuid.UUID]:
        if award_id is None:
            return set()
        return set((await self.session.execute(select(Award.organization_id).where(Award.id == award_id))).scalars())

    async def objector(self, objection_id: uuid.UUID | None) -> set[uuid.UUID]:
        if objection_id is None:
            return set()
        return set((await self.session.execute(select(Objection.filed_by).where(Objection.id == objection_id))).scalars())

    async def bidder_organizations(self, opportunity_id: uuid.UUID) -> set[uuid.UUID]:
        stmt = select(Bid.organization_id).where(Bid.opportunity_id == opportunity_id, Bid.status != "withdrawn")
        return set((await self.session.execute(stmt)).scalars())

    async def panel(self, opportunity_id: uuid.UUID) -> set[uuid.UUID]:
        stmt = select(PanelMember.user_id).where(PanelMember.opportunity_id == opportunity_id)
        return set((await self.session.execute(stmt)).scalars())

    async def title(self, kind: str, entity_id: uuid.UUID) -> str | None:
        model = {"opportunity": Opportunity, "need": Need, "offer": Offer, "deal": Deal, "campaign": Campaign}.get(kind)
        if model is None:
            return None
        stmt = select(model.title).where(model.id == entity_id)  # type: ignore[attr-defined]
        return (await self.session.execute(stmt)).scalar_one_or_none()
