"""How far a consumer of the event feed has got."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db import Base


class EventCursor(Base):
    """One row per consumer; ``last_id`` is the last event it has handled (events are numbered gap-free
    in commit order, so the next one to handle is always ``last_id + 1``)."""

    __tablename__ = "event_cursors"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_id: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[dt.datetime]
