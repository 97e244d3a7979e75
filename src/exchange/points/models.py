"""幸福积分: an append-only ledger of points per user."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db import Base, IdMixin, TimestampMixin


class PointsEntry(Base, IdMixin, TimestampMixin):
    """One credit or debit. A need's confirmation credits once: (need_id, kind) is unique; any other
    credit that must happen once names what it is for in ``ref`` (``attendance:<id>``), unique too."""

    __tablename__ = "points_entries"
    __table_args__ = (UniqueConstraint("need_id", "kind"), UniqueConstraint("ref"))

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    amount: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # confirm | adjustment | volunteer
    reason: Mapped[str] = mapped_column(String(500))
    need_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    created_by: Mapped[uuid.UUID | None]
    ref: Mapped[str | None] = mapped_column(String(100))
