"""Deals (项目协议) and their milestones and supervision visits."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db import Base, IdMixin, JSONType, TimestampMixin


class Deal(Base, IdMixin, TimestampMixin):
    """Statuses: pending_signatures → active → delivered → evaluated → closed, and terminated."""

    __tablename__ = "deals"

    kind: Mapped[str] = mapped_column(String(20))  # award | brokered
    award_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("awards.id"), index=True)
    opportunity_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("opportunities.id"), index=True)
    need_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("needs.id"))
    offer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("offers.id"))
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    buyer_organization_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    fund_id: Mapped[uuid.UUID | None]
    title: Mapped[str] = mapped_column(String(200))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(30), default="pending_signatures", index=True)
    org_signed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    org_signed_at: Mapped[dt.datetime | None]
    buyer_signed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    buyer_signed_at: Mapped[dt.datetime | None]
    activated_at: Mapped[dt.datetime | None]
    closing_report: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    evaluation: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    evaluated_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]
    termination_reason: Mapped[str | None] = mapped_column(Text)
    terminated_at: Mapped[dt.datetime | None]
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}


class Milestone(Base, IdMixin, TimestampMixin):
    """Statuses: pending → reported → accepted, reported → rejected → reported."""

    __tablename__ = "deal_milestones"
    __table_args__ = (UniqueConstraint("deal_id", "seq"),)

    deal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("deals.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[dt.date] = mapped_column(Date)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    report: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    reported_at: Mapped[dt.datetime | None]
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    accepted_at: Mapped[dt.datetime | None]
    payment_id: Mapped[uuid.UUID | None]
    tranche: Mapped[str] = mapped_column(String(20), default="unpaid")  # unpaid | paid | held | released
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}


class Supervision(Base, IdMixin, TimestampMixin):
    """A supervision visit (督导) by a manager."""

    __tablename__ = "deal_supervisions"

    deal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("deals.id"), index=True)
    visited_on: Mapped[dt.date] = mapped_column(Date)
    findings: Mapped[str] = mapped_column(Text)
    rating: Mapped[int] = mapped_column(Integer)
    supervisor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
