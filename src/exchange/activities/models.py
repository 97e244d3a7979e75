"""Volunteer activities (志愿活动): published with a capacity, signed up for, attendance recorded in hours."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db import Base, IdMixin, TimestampMixin


class ActivityStatus(enum.StrEnum):
    published = "published"
    cancelled = "cancelled"


class Activity(Base, IdMixin, TimestampMixin):
    __tablename__ = "activities"
    __table_args__ = (
        Index("ix_activities_starts", "starts_at", "id"),
        CheckConstraint("signup_count >= 0 AND signup_count <= capacity", name="within_capacity"),
        CheckConstraint("status IN ('published', 'cancelled')", name="status"),
    )

    organizer_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    organization_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str | None] = mapped_column(String(40))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    capacity: Mapped[int] = mapped_column(Integer)
    signup_count: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default=ActivityStatus.published)
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}


class ActivitySignup(Base, IdMixin, TimestampMixin):
    """A resident's place on an activity; once per resident."""

    __tablename__ = "activity_signups"
    __table_args__ = (UniqueConstraint("activity_id", "user_id"),)

    activity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("activities.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)


class Attendance(Base, IdMixin, TimestampMixin):
    """Hours a volunteer gave, recorded once per person and activity by the organizer."""

    __tablename__ = "activity_attendance"
    __table_args__ = (UniqueConstraint("activity_id", "user_id"), CheckConstraint("minutes > 0", name="positive"))

    activity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("activities.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    minutes: Mapped[int] = mapped_column(Integer)
    points: Mapped[int] = mapped_column(Integer, default=0)
    recorded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
