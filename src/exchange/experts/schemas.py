"""The expert pool over HTTP."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field

Specialties = list[str]


class ExpertCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: uuid.UUID
    specialties: Specialties = Field(default_factory=list, max_length=15, description="Category codes the expert reviews")
    affiliation_organization_id: uuid.UUID | None = None
    title: str = Field("", max_length=100, description="e.g. 高级社会工作师")
    active: bool = True


class ExpertUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    specialties: Specialties | None = Field(None, max_length=15)
    affiliation_organization_id: uuid.UUID | None = None
    title: str | None = Field(None, max_length=100)
    active: bool | None = None


class ExpertOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    user_id: uuid.UUID
    display_name: str = ""
    specialties: list[str]
    affiliation_organization_id: uuid.UUID | None
    title: str
    active: bool
    created_at: dt.datetime
    version: int


class ExpertList(BaseModel):
    items: list[ExpertOut]
    next_cursor: str | None
