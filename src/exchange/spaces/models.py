"""Spaces for services (空间换服务): communities list spaces; organizations book them against service hours."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db import Base, IdMixin, TimestampMixin


class BookingStatus(enum.StrEnum):
    requested = "requested"
    confirmed = "confirmed"
    reported = "reported"
    cancelled = "cancelled"


# Bookings that hold their slot: a confirmed one, and one whose service has been reported.
HOLDING = (BookingStatus.confirmed.value, BookingStatus.reported.value)


class Space(Base, IdMixin, TimestampMixin):
    __tablename__ = "spaces"

    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    capacity: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}


class Booking(Base, IdMixin, TimestampMixin):
    __tablename__ = "space_bookings"
    __table_args__ = (
        Index("ix_space_bookings_space_period", "space_id", "starts_at", "ends_at"),
        CheckConstraint("ends_at > starts_at", name="period"),
        CheckConstraint("status IN ('requested', 'confirmed', 'reported', 'cancelled')", name="status"),
    )

    space_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("spaces.id"))
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    requested_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    purpose: Mapped[str] = mapped_column(Text)
    pledged_minutes: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=BookingStatus.requested)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    given_minutes: Mapped[int | None] = mapped_column(Integer)
    people_served: Mapped[int | None] = mapped_column(Integer)
    report_summary: Mapped[str | None] = mapped_column(Text)
    reported_at: Mapped[dt.datetime | None]
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}
