"""Community proposals (社区提案): 收集 → 审议 → 形成 → 联动执行 → 评估 → 公示 (seed 000)."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db import Base, IdMixin, JSONType, TimestampMixin


class ProposalStatus(enum.StrEnum):
    collected = "collected"          # 收集
    deliberating = "deliberating"    # 审议
    formed = "formed"                # 形成
    executing = "executing"          # 联动执行
    evaluating = "evaluating"        # 评估
    publicized = "publicized"        # 公示
    rejected = "rejected"
    withdrawn = "withdrawn"


class VoteChoice(enum.StrEnum):
    for_ = "for"
    against = "against"
    abstain = "abstain"


class MeetingDecision(enum.StrEnum):
    approved = "approved"
    rejected = "rejected"
    deferred = "deferred"


def _in(values: type[enum.StrEnum], column: str) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class Proposal(Base, IdMixin, TimestampMixin):
    __tablename__ = "proposals"
    __table_args__ = (Index("ix_proposals_status_created", "status", "created_at", "id"),
                      CheckConstraint(_in(ProposalStatus, "status"), name="status"))

    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    on_behalf_organization_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organizations.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=ProposalStatus.collected)
    plan: Mapped[str | None] = mapped_column(Text)
    links: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    outcome: Mapped[str | None] = mapped_column(Text)
    status_reason: Mapped[str | None] = mapped_column(Text)
    votes_for: Mapped[int] = mapped_column(Integer, default=0)
    votes_against: Mapped[int] = mapped_column(Integer, default=0)
    votes_abstain: Mapped[int] = mapped_column(Integer, default=0)
    comment_count: Mapped[int] = mapped_column(Integer, default=0)
    rating_count: Mapped[int] = mapped_column(Integer, default=0)
    rating_sum: Mapped[int] = mapped_column(Integer, default=0)
    formed_at: Mapped[dt.datetime | None]
    publicized_at: Mapped[dt.datetime | None]
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}


class ProposalComment(Base, IdMixin, TimestampMixin):
    __tablename__ = "proposal_comments"

    proposal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("proposals.id"), index=True)
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)


class ProposalVote(Base, IdMixin, TimestampMixin):
    """One vote per user and proposal."""

    __tablename__ = "proposal_votes"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"), CheckConstraint(_in(VoteChoice, "choice"), name="choice"))

    proposal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("proposals.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    choice: Mapped[str] = mapped_column(String(10))


class ProposalMeeting(Base, IdMixin, TimestampMixin):
    """A deliberation meeting (议事会) with its minutes and decision."""

    __tablename__ = "proposal_meetings"
    __table_args__ = (CheckConstraint(_in(MeetingDecision, "decision"), name="decision"),)

    proposal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("proposals.id"), index=True)
    held_on: Mapped[dt.date] = mapped_column(Date)
    attendees: Mapped[int] = mapped_column(Integer)
    minutes: Mapped[str] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(String(20))
    recorded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))


class ProposalRating(Base, IdMixin, TimestampMixin):
    """A resident's 1–5 rating while the proposal is being evaluated; once per user."""

    __tablename__ = "proposal_ratings"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"), CheckConstraint("score BETWEEN 1 AND 5", name="score"))

    proposal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("proposals.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
