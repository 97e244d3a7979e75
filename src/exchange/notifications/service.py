"""Notification rules: what a user reads, marks read, and receives on the channels they chose."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import User
from exchange.errors import invalid
from exchange.kit.clock import now
from exchange.kit.pagination import Page
from exchange.notifications.models import Channel, MessageStatus, Notification, NotificationMessage, NotificationSetting
from exchange.notifications.repository import MessageRepository, NotificationRepository, SettingRepository
from exchange.notifications.rules import render
from exchange.notifications.schemas import NotificationOut

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9]{6,20}$")
RETRY_DELAYS = (60, 300, 1800, 7200, 21600)  # seconds after each failed send; then the message fails


# -- settings --------------------------------------------------------------------------------------

async def settings_of(session: AsyncSession, user_id: uuid.UUID) -> NotificationSetting:
    found = await SettingRepository(session).get_for(user_id)
    return found or NotificationSetting(user_id=user_id, language="zh-CN", channels=[], updated_at=now())


async def update_settings(session: AsyncSession, user: User, changes: dict[str, Any]) -> NotificationSetting:
    repo = SettingRepository(session)
    setting = await repo.get_for(user.id)
    if setting is None:
        setting = repo.add(NotificationSetting(user_id=user.id, language="zh-CN", channels=[]))
    for field in ("language", "email", "phone", "wechat_openid", "channels"):
        if field in changes:
            setattr(setting, field, changes[field])
    if setting.email is not None and not EMAIL.match(setting.email):
        raise invalid(["body", "email"], "邮箱地址无效", "The email address is not valid", code="invalid_email")
    if setting.phone is not None and not PHONE.match(setting.phone):
        raise invalid(["body", "phone"], "手机号无效", "The phone number is not valid", code="invalid_phone")
    setting.channels = sorted(set(setting.channels or []))
    for channel in setting.channels:
        if _address(setting, channel) is None:
            raise invalid(["body", "channels"], f"开启「{channel}」渠道需先填写对应地址",
                          f"Give the address of the '{channel}' channel before turning it on", code="channel_address_missing")
    setting.updated_at = now()
    await session.flush()
    return setting


def _address(setting: NotificationSetting, channel: str) -> str | None:
    return {Channel.email: setting.email, Channel.sms: setting.phone, Channel.wechat: setting.wechat_openid}.get(
        Channel(channel))


# -- the user's list -------------------------------------------------------------------------------

async def page(session: AsyncSession, user: User, *, unread: bool | None, limit: int,
               cursor: str | None) -> tuple[Page[Notification], int]:
    repo = NotificationRepository(session)
    return await repo.page(user.id, unread=unread, limit=limit, cursor=cursor), await repo.unread_count(user.id)


async def unread_count(session: AsyncSession, user: User) -> int:
    return await NotificationRepository(session).unread_count(user.id)


async def language_of(session: AsyncSession, user: User, english_asked: bool) -> str:
    """The language the user chose in their settings, else the request's (``en`` or the default ``zh-CN``)."""
    chosen = await SettingRepository(session).get_for(user.id)
    if chosen is not None:
        return chosen.language
    return "en" if english_asked else "zh-CN"


def present(notification: Notification, language: str) -> NotificationOut:
    """A notification as its reader sees it: title and text in ``language``."""
    title, body = render(notification.type, notification.params, language)
    return NotificationOut(id=notification.id, type=notification.type, title=title, body=body,
                           entity_type=notification.entity_type, entity_id=notification.entity_id,
                           created_at=notification.created_at, read_at=notification.read_at)


async def mark_read(session: AsyncSession, user: User, ids: list[uuid.UUID] | None) -> int:
    """Mark the user's own notifications read (others' ids are ignored); returns how many changed."""
    return await NotificationRepository(session).mark_read(user.id, ids, now())


# -- telling people (called by the fan-out in the job runner) -------------------------------------

async def notify(session: AsyncSession, *, event_id: int, event_type: str, entity_type: str | None,
                 entity_id: str | None, params: dict[str, Any], user_ids: Iterable[uuid.UUID]) -> int:
    """One notification per user for this event (idempotent), plus a message per chosen channel."""
    repo = NotificationRepository(session)
    wanted = set(user_ids) - await repo.existing_recipients(event_id)
    if not wanted:
        return 0
    settings = await SettingRepository(session).of_users(sorted(wanted))
    messages = MessageRepository(session)
    at = now()
    for user_id in sorted(wanted):
        notification = repo.add(Notification(
            id=uuid.uuid4(), user_id=user_id, event_id=event_id, type=event_type, entity_type=entity_type,
            entity_id=entity_id, params=params, created_at=at))
        setting = settings.get(user_id)
        for channel in (setting.channels if setting else []):
            address = _address(setting, channel) if setting else None
            if address:
                messages.add(NotificationMessage(
                    id=uuid.uuid4(), notification_id=notification.id, channel=channel, address=address,
                    language=setting.language if setting else "zh-CN", status=MessageStatus.pending, attempts=0,
                    next_attempt_at=at, created_at=at))
    await session.flush()
    return len(wanted)


async def claim_message(session: AsyncSession, message_id: uuid.UUID) -> tuple[NotificationMessage, str, str] | None:
    """Lock a due message for one send (its next attempt moves 5 minutes on, a lease); with its subject and body."""
    at = now()
    message = await MessageRepository(session).claim(message_id, at)
    if message is None:
        return None
    notification = await NotificationRepository(session).get(message.notification_id)
    assert notification is not None
    message.next_attempt_at = at + dt.timedelta(minutes=5)
    await session.flush()
    title, body = render(notification.type, notification.params, message.language)
    return message, title, body


async def record_send(session: AsyncSession, message_id: uuid.UUID, error: str | None) -> None:
    message = await MessageRepository(session).get_for_update(message_id)
    if message is None:
        return
    message.attempts += 1
    if error is None:
        message.status, message.sent_at, message.next_attempt_at, message.last_error = MessageStatus.sent, now(), None, None
    elif message.attempts > len(RETRY_DELAYS):
        message.status, message.next_attempt_at, message.last_error = MessageStatus.failed, None, error[:500]
    else:
        message.next_attempt_at = now() + dt.timedelta(seconds=RETRY_DELAYS[message.attempts - 1])
        message.last_error = error[:500]
    await session.flush()
