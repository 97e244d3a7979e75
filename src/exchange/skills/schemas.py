"""Skills: request and response bodies."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from exchange.listings.schemas import Code, Description, RegionCode, Title

Availability = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


class SkillCreate(BaseModel):
    """A resident's skill; ``region_code`` (where it reaches) defaults to the resident's own."""

    model_config = ConfigDict(extra="forbid")
    title: Title
    description: Description = ""
    category: Code | None = None
    availability: Availability = ""
    region_code: RegionCode | None = None
    active: bool = True


class SkillUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Title | None = None
    description: Description | None = None
    category: Code | None = None
    availability: Availability | None = None
    region_code: RegionCode | None = None
    active: bool | None = None


class SkillOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    user_id: uuid.UUID
    title: str
    description: str
    category: str | None
    availability: str
    region_code: str
    active: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class SkillList(BaseModel):
    items: list[SkillOut]
    next_cursor: str | None
