"""Spaces and bookings: request and response bodies."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from exchange.listings.schemas import Description, RegionCode, Title

Hours = Annotated[Decimal, Field(ge=0, le=10_000, max_digits=7, decimal_places=2)]


class SpaceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Title
    description: Description = ""
    region_code: RegionCode | None = Field(default=None, description="Defaults to the community's own")
    capacity: int | None = Field(default=None, ge=1, le=100_000, description="People it holds")
    organization_id: uuid.UUID | None = Field(default=None, description="The community that lists it (admins only; "
                                                                        "a committee lists its own)")


class SpaceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    organization_id: uuid.UUID
    name: str
    description: str
    region_code: str
    capacity: int | None
    active: bool
    created_at: dt.datetime
    version: int


class SpaceList(BaseModel):
    items: list[SpaceOut]
    next_cursor: str | None


class BookingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    purpose: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=2000)]
    service_hours_pledged: Hours = Field(gt=0, description="Hours of service the organization gives back")


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    service_hours: Hours = Field(description="Hours of service given back")
    people_served: int = Field(default=0, ge=0, le=1_000_000, strict=True)
    summary: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=5000)]


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None


class BookingOut(BaseModel):
    id: uuid.UUID
    space_id: uuid.UUID
    organization_id: uuid.UUID
    starts_at: dt.datetime
    ends_at: dt.datetime
    purpose: str
    service_hours_pledged: float
    status: str
    service_hours_given: float | None
    people_served: int | None
    report_summary: str | None
    reported_at: dt.datetime | None
    created_at: dt.datetime
    version: int


class BookingList(BaseModel):
    items: list[BookingOut]
