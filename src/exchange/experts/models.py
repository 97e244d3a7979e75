"""The expert pool's table."""

from __future__ import annotations

import uuid

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db import Base, IdMixin, JSONType, TimestampMixin


class Expert(Base, IdMixin, TimestampMixin):
    """One reviewer in the pool: a user of role ``expert`` with the categories it may review and the
    organization it works for (an affiliation with a bidder or the buyer keeps it off that panel)."""

    __tablename__ = "experts"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), unique=True)
    specialties: Mapped[list[str]] = mapped_column(JSONType, default=list)
    affiliation_organization_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    title: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}
