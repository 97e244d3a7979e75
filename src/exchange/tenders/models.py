"""Tables of the tender: bids (sealed until bidding closes), panels, scores, roadshows, awards,
objections and venture-philanthropy calls."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db import Base, IdMixin, JSONType, TimestampMixin


class Call(Base, IdMixin, TimestampMixin):
    """A venture-philanthropy call (公益创投): one deadline and one panel for many opportunities, and/or
    a budget from a fund that organizations apply to directly (see :mod:`exchange.calls`)."""

    __tablename__ = "tender_calls"

    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    bid_deadline: Mapped[dt.datetime]
    expert_user_ids: Mapped[list[str]] = mapped_column(JSONType, default=list)
    budget_fen: Mapped[int | None] = mapped_column(BigInteger)  # what applications may be funded with, in all
    fund_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("funds.id"))
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}


class Bid(Base, IdMixin, TimestampMixin):
    """One organization's bid on one opportunity. Statuses: submitted, withdrawn."""

    __tablename__ = "bids"
    __table_args__ = (UniqueConstraint("opportunity_id", "organization_id"),)

    opportunity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("opportunities.id"), index=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    submitted_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    offer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("offers.id"))
    proposal: Mapped[str] = mapped_column(Text)
    price_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    submitted_at: Mapped[dt.datetime]
    confirmed_at: Mapped[dt.datetime]  # last submission, update or reconfirmation of the terms
    withdrawn_at: Mapped[dt.datetime | None]
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}


class PanelMember(Base, IdMixin, TimestampMixin):
    __tablename__ = "panel_members"
    __table_args__ = (UniqueConstraint("opportunity_id", "user_id"),)

    opportunity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("opportunities.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)


class Score(Base, IdMixin, TimestampMixin):
    """One expert's scores of one bid; a conflicted expert is recused (no scores, not counted)."""

    __tablename__ = "bid_scores"
    __table_args__ = (UniqueConstraint("bid_id", "expert_id"),)

    bid_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bids.id"), index=True)
    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    scores: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    conflict_of_interest: Mapped[bool] = mapped_column(Boolean, default=False)
    weighted_score: Mapped[float | None] = mapped_column(Float)
    comment: Mapped[str] = mapped_column(Text, default="")


class Roadshow(Base, IdMixin, TimestampMixin):
    """A roadshow session (路演) recorded against an opportunity."""

    __tablename__ = "roadshows"

    opportunity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("opportunities.id"), index=True)
    scheduled_at: Mapped[dt.datetime]
    location: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))


class Award(Base, IdMixin, TimestampMixin):
    """Statuses: standstill → final, standstill → cancelled (an upheld objection)."""

    __tablename__ = "awards"

    opportunity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("opportunities.id"), index=True)
    bid_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bids.id"), index=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"))
    price_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20), default="standstill", index=True)
    standstill_ends_at: Mapped[dt.datetime] = mapped_column(index=True)
    final_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}


class Objection(Base, IdMixin, TimestampMixin):
    """A 质疑 of an award. Statuses: open → upheld | rejected."""

    __tablename__ = "objections"

    award_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("awards.id"), index=True)
    filed_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")
    resolution_reason: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[dt.datetime | None]
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}


class PanelDraw(Base, IdMixin, TimestampMixin):
    """A random draw of an opportunity's panel from the expert pool (专家随机抽取).

    Every eligible candidate is ranked by ``sha256("<seed>:<user id>")``; the panel is the first
    ``size`` of that order, less those who declined, so anyone holding the seed and the candidate
    list (both in the audit chain) can re-run the draw and its replacements."""

    __tablename__ = "panel_draws"

    opportunity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("opportunities.id"), unique=True)
    seed: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    specialties: Mapped[list[str]] = mapped_column(JSONType, default=list)
    candidates: Mapped[list[str]] = mapped_column(JSONType, default=list)
    excluded: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # user id → reason
    declined: Mapped[list[str]] = mapped_column(JSONType, default=list)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}


class Question(Base, IdMixin, TimestampMixin):
    """A clarification question (答疑) on a published opportunity. Statuses: open → answered.

    The answer is public on the opportunity; who asked is never shown to anyone but the asking
    organization (not even the buyer), so asking does not mark an organization as a bidder."""

    __tablename__ = "tender_questions"
    __table_args__ = (CheckConstraint("status IN ('open', 'answered')", name="status_known"),)

    opportunity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("opportunities.id"), index=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"))
    asked_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    question: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")
    answer: Mapped[str | None] = mapped_column(Text)
    amends_terms: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[dt.datetime | None]
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}
