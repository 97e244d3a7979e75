"""The outbox: events written in the transaction of the change they describe.

``events.id`` is a gap-free sequence in commit order: a transaction takes the ``event_head`` row's
lock, numbers its events after the head and holds the lock until it commits, so a reader that has
seen event *n* will never later find a smaller id appear (what the feed's cursor relies on)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db import Base


class EventRow(Base):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(60), index=True)
    occurred_at: Mapped[dt.datetime]
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]]
    public: Mapped[bool] = mapped_column(Boolean)


class EventRecipient(Base):
    """One party an event is addressed to: a user or an organization (exactly one of the two)."""

    __tablename__ = "event_recipients"
    __table_args__ = (
        CheckConstraint("(user_id IS NULL) <> (organization_id IS NULL)", name="one_party"),
        Index("ix_event_recipients_user", "user_id", "event_id"),
        Index("ix_event_recipients_organization", "organization_id", "event_id"),
    )

    id: Mapped[int] = mapped_column(Integer().with_variant(BigInteger, "postgresql"), primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID | None]
    organization_id: Mapped[uuid.UUID | None]


class EventHead(Base):
    """One row: the id of the last event written; locked by each transaction that writes events."""

    __tablename__ = "event_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_id: Mapped[int] = mapped_column(BigInteger)
