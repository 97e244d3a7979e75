"""The managers' work records."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db import Base, IdMixin, TimestampMixin


class ConsultationKind(enum.StrEnum):
    consultation = "consultation"                # 咨询
    pre_study = "pre_study"                      # 项目预研
    needs_justification = "needs_justification"  # 需求论证
    review = "review"                            # 评审
    supervision = "supervision"                  # 督导


class Consultation(Base, IdMixin, TimestampMixin):
    """One piece of a manager's work with its outcome and what it concerns."""

    __tablename__ = "consultations"
    __table_args__ = (
        CheckConstraint("kind IN ('consultation', 'pre_study', 'needs_justification', 'review', 'supervision')",
                        name="kind_known"),
    )

    manager_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    held_on: Mapped[dt.date] = mapped_column(Date, index=True)
    party_organization_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    need_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("needs.id"), index=True)
    opportunity_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("opportunities.id"), index=True)
    notes: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(Text, default="")
