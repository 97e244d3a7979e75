"""Service offers (服务供给清单): what social organizations provide, as a menu."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db import Base, IdMixin, JSONType, TimestampMixin


class Offer(Base, IdMixin, TimestampMixin):
    """Statuses: draft → published → withdrawn (a withdrawn offer may be published again)."""

    __tablename__ = "offers"
    __table_args__ = (Index("ix_offers_status_created", "status", "created_at", "id"),
                      Index("ix_offers_status_category_created", "status", "category", "created_at", "id"))

    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(40), index=True)
    target_groups: Mapped[list[str]] = mapped_column(JSONType, default=list)
    region_codes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    pricing: Mapped[str] = mapped_column(String(20))  # free | low_cost | market
    price_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    capacity_per_month: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    published_at: Mapped[dt.datetime | None]
    search_text: Mapped[str] = mapped_column(Text, default="")
    match_analysis: Mapped[dict[str, Any] | None] = mapped_column(JSONType)  # see chinese/analysis.py
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}
