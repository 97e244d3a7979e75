"""Regions: request and response bodies."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from exchange.regions.models import Level

RegionCode = Field(pattern=r"^[0-9]{6,30}$", description="GB/T 2260 district code or a longer statistical code")


class RegionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = RegionCode
    name: str = Field(min_length=1, max_length=100)
    level: Level
    parent_code: str | None = Field(default=None, pattern=r"^[0-9]{6,30}$")


class RegionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    name: str
    level: Level
    parent_code: str | None


class RegionDetail(RegionOut):
    ancestors: list[RegionOut] = Field(description="From the root down to the parent")
    children: list[RegionOut]


class RegionList(BaseModel):
    items: list[RegionOut]
    next_cursor: str | None = None
