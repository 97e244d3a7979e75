"""Project opportunities (项目机会清单): what buyers will pay for, and the tender around them."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db import Base, IdMixin, JSONType, TimestampMixin


class Opportunity(Base, IdMixin, TimestampMixin):
    """Statuses: draft → published → bidding_closed → under_review → awarded → contracted → closed,
    and cancelled, unsuccessful."""

    __tablename__ = "opportunities"
    __table_args__ = (Index("ix_opportunities_status_created", "status", "created_at", "id"),
                      Index("ix_opportunities_status_category_created", "status", "category", "created_at", "id"))

    buyer_organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(40), index=True)
    target_groups: Mapped[list[str]] = mapped_column(JSONType, default=list)
    region_codes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    budget_fen: Mapped[int] = mapped_column(BigInteger)
    bid_deadline: Mapped[dt.datetime | None]
    min_bids: Mapped[int] = mapped_column(Integer, default=1)
    eligibility: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # min_a_level, registration_required
    rubric: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)  # [{criterion, weight}]
    standstill_days: Mapped[float] = mapped_column(Float, default=5.0)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    call_id: Mapped[uuid.UUID | None] = mapped_column(index=True)  # a venture-philanthropy call (公益创投)
    published_at: Mapped[dt.datetime | None]
    terms_changed_at: Mapped[dt.datetime | None]  # bids before this need reconfirmation
    search_text: Mapped[str] = mapped_column(Text, default="")  # segmented words for `q`
    match_analysis: Mapped[dict[str, Any] | None] = mapped_column(JSONType)  # see chinese/analysis.py
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}
