"""Which reminders have been sent (one row each, so that each is sent once)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db import Base


class ReminderSent(Base):
    __tablename__ = "reminders_sent"

    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    entity_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    sent_at: Mapped[dt.datetime]
