"""Filings: request and response bodies."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from exchange.filings.models import FilingLevel, FilingStatus, FunctionType
from exchange.listings.schemas import RegionCode

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
Person = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class FilingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name
    function_type: FunctionType
    level: FilingLevel
    region_code: RegionCode | None = Field(default=None, description="Where the group is based; defaults to the applicant's")
    leader: Person
    members: list[Person] = Field(min_length=1, max_length=1000, description="Members' names")
    charter: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=20_000)]


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=2000)] | None = None


class FilingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    applicant_id: uuid.UUID
    name: str
    function_type: FunctionType
    level: FilingLevel
    region_code: str
    leader: str
    members: list[str]
    charter: str
    status: FilingStatus
    organization_id: uuid.UUID | None
    decided_by: uuid.UUID | None
    decided_at: dt.datetime | None
    decision_reason: str | None
    created_at: dt.datetime
    version: int


class FilingList(BaseModel):
    items: list[FilingOut]
    next_cursor: str | None
