"""Notifications, each user's settings (language, addresses), and the messages sent on other channels."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db import Base, IdMixin, JSONType
from exchange.kit.clock import now


class Channel(enum.StrEnum):
    email = "email"
    sms = "sms"
    wechat = "wechat"


class MessageStatus(enum.StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"


def _one_of(column: str, values: type[enum.StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class Notification(Base, IdMixin):
    """One event told to one user. Title and body are rendered when read, in the reader's language;
    newest first means the latest event first (events are numbered in commit order)."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "event_id"),  # also the index of a user's list, newest first
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    event_id: Mapped[int] = mapped_column(BigInteger)  # the event told; events are numbered in commit order
    type: Mapped[str] = mapped_column(String(50))
    entity_type: Mapped[str | None] = mapped_column(String(30))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    params: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    read_at: Mapped[dt.datetime | None]


class NotificationSetting(Base):
    """A user's language and the channels they chose beyond the in-app list."""

    __tablename__ = "notification_settings"
    __table_args__ = (CheckConstraint("language IN ('zh-CN', 'en')", name="language"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True)
    language: Mapped[str] = mapped_column(String(5), default="zh-CN")
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))
    wechat_openid: Mapped[str | None] = mapped_column(String(64))
    channels: Mapped[list[str]] = mapped_column(JSONType, default=list)
    updated_at: Mapped[dt.datetime] = mapped_column(default=now, onupdate=now)


class NotificationMessage(Base, IdMixin):
    """A notification sent (or to send) on an outside channel; sent by the job runner."""

    __tablename__ = "notification_messages"
    __table_args__ = (
        UniqueConstraint("notification_id", "channel"),
        CheckConstraint(_one_of("channel", Channel), name="channel"),
        CheckConstraint(_one_of("status", MessageStatus), name="status"),
        Index("ix_notification_messages_due", "status", "next_attempt_at"),
    )

    notification_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(10))
    address: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(10), default=MessageStatus.pending)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
