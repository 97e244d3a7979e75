"""The talent pool (能人库 / 能力清单): what residents can do for their neighbours."""

from __future__ import annotations

import uuid

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db import Base, IdMixin, TimestampMixin


class Skill(Base, IdMixin, TimestampMixin):
    """One resident's skill, offered where it reaches (``region_code``: at it and under it)."""

    __tablename__ = "skills"
    __table_args__ = (Index("ix_skills_region_active", "region_code", "active"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str | None] = mapped_column(String(40))
    availability: Mapped[str] = mapped_column(String(200), default="")
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}
