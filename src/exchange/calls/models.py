"""Applications to a venture-philanthropy call."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db import Base, IdMixin, JSONType, TimestampMixin


class ApplicationStatus(enum.StrEnum):
    submitted = "submitted"        # 已申报
    shortlisted = "shortlisted"    # 通过初审, to the roadshow
    screened_out = "screened_out"  # 初审未通过
    funded = "funded"              # 立项资助: a deal was made
    declined = "declined"          # 未获资助


class Application(Base, IdMixin, TimestampMixin):
    """One organization's project proposal to one call (one per organization)."""

    __tablename__ = "call_applications"
    __table_args__ = (
        UniqueConstraint("call_id", "organization_id"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint(f"status IN ({', '.join(repr(s.value) for s in ApplicationStatus)})", name="status_known"),
    )

    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tender_calls.id"), index=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    submitted_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    plan: Mapped[str] = mapped_column(Text)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20), default=ApplicationStatus.submitted)
    screening_note: Mapped[str | None] = mapped_column(Text)
    roadshow_scores: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # scorer id → {score, comment}
    roadshow_score: Mapped[float | None] = mapped_column(Float)
    granted_fen: Mapped[int | None] = mapped_column(BigInteger)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None]
    deal_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("deals.id"))
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}
