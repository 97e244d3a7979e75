"""Volunteer activities: request and response bodies."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from exchange.listings.schemas import Code, Description, RegionCode, Title


class ActivityCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Title
    description: Description = ""
    category: Code | None = None
    region_code: RegionCode
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    capacity: int = Field(ge=1, le=10_000, strict=True)


class ActivityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    organizer_user_id: uuid.UUID
    organization_id: uuid.UUID | None
    title: str
    description: str
    category: str | None
    region_code: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    signup_count: int
    places_left: int
    status: str
    created_at: dt.datetime
    version: int


class ActivityList(BaseModel):
    items: list[ActivityOut]
    next_cursor: str | None


class SignupOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    activity_id: uuid.UUID
    user_id: uuid.UUID
    created_at: dt.datetime


class AttendanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: uuid.UUID
    hours: Decimal = Field(gt=0, le=24, max_digits=4, decimal_places=2, description="Hours given, e.g. 2.5")


class AttendanceOut(BaseModel):
    activity_id: uuid.UUID
    user_id: uuid.UUID
    hours: float
    points: int = Field(description="幸福积分 credited for these hours (EXCHANGE_POINTS_PER_HOUR per hour)")
    recorded_by: uuid.UUID
    created_at: dt.datetime


class HoursEntry(BaseModel):
    activity_id: uuid.UUID
    title: str
    hours: float
    points: int
    recorded_at: dt.datetime


class VolunteerHours(BaseModel):
    total_hours: float
    activities: int
    entries: list[HoursEntry]
