"""Every query of the notifications domain."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import func, or_, select, update

from exchange.kit.pagination import Page, SortKey
from exchange.kit.repository import RepositoryBase
from exchange.notifications.models import MessageStatus, Notification, NotificationMessage, NotificationSetting


class NotificationRepository(RepositoryBase[Notification]):
    model = Notification

    async def page(self, user_id: uuid.UUID, *, unread: bool | None, limit: int, cursor: str | None) -> Page[Notification]:
        stmt = select(Notification).where(Notification.user_id == user_id)
        if unread is True:
            stmt = stmt.where(Notification.read_at.is_(None))
        elif unread is False:
            stmt = stmt.where(Notification.read_at.is_not(None))
        keys = [SortKey(Notification.created_at, descending=True), SortKey(Notification.id, descending=True)]
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

    async def existing_recipients(self, event_key: str) -> set[uuid.UUID]:
        stmt = select(Notification.user_id).where(Notification.event_key == event_key)
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
