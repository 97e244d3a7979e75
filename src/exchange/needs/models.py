"""Resident needs (居民需求清单): posted, supported (附议), claimed (揭榜), fulfilled, confirmed."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db import Base, IdMixin, JSONType, TimestampMixin


class Need(Base, IdMixin, TimestampMixin):
    """Statuses: open → claimed → fulfilled → confirmed; open → withdrawn; open → converted."""

    __tablename__ = "needs"
    __table_args__ = (Index("ix_needs_status_created", "status", "created_at", "id"),)

    requester_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    on_behalf_organization_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organizations.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(40), index=True)
    target_groups: Mapped[list[str]] = mapped_column(JSONType, default=list)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    urgency: Mapped[str] = mapped_column(String(10), default="normal")
    points: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    supporters: Mapped[int] = mapped_column(Integer, default=0)
    claimant_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    claimant_organization_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organizations.id"))
    claimed_at: Mapped[dt.datetime | None]
    claimed_skill_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("skills.id"))  # a claim from the talent pool
    fulfilled_at: Mapped[dt.datetime | None]
    confirmed_at: Mapped[dt.datetime | None]
    opportunity_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("opportunities.id"), index=True)
    search_text: Mapped[str] = mapped_column(Text, default="")
    match_analysis: Mapped[dict[str, Any] | None] = mapped_column(JSONType)  # see matching/analysis.py
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}


class NeedSupport(Base, IdMixin, TimestampMixin):
    """One resident's 附议 of a need; once per user."""

    __tablename__ = "need_supports"
    __table_args__ = (UniqueConstraint("need_id", "user_id"),)

    need_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("needs.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
