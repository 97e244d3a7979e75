"""Offers: request and response bodies."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from pydantic import BaseModel, ConfigDict, Field

from exchange.kit.money import Fen
from exchange.listings.schemas import Code, Description, RegionCodes, TargetGroups, Title


class Pricing(enum.StrEnum):
    free = "free"
    low_cost = "low_cost"
    market = "market"


class OfferCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    organization_id: uuid.UUID | None = Field(default=None, description="The org user's own organization by default")
    title: Title
    description: Description = ""
    category: Code
    target_groups: TargetGroups = Field(default_factory=list)
    region_codes: RegionCodes = Field(default_factory=list)
    pricing: Pricing = Pricing.free
    price_fen: Fen = 0
    capacity_per_month: int | None = Field(default=None, ge=0, le=1_000_000, strict=True)


class OfferUpdate(BaseModel):
    """Every field optional."""

    model_config = ConfigDict(extra="forbid")
    title: Title | None = None
    description: Description | None = None
    category: Code | None = None
    target_groups: TargetGroups | None = None
    region_codes: RegionCodes | None = None
    pricing: Pricing | None = None
    price_fen: Fen | None = None
    capacity_per_month: int | None = Field(default=None, ge=0, le=1_000_000, strict=True)


class OfferOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    organization_id: uuid.UUID
    title: str
    description: str
    category: str
    target_groups: list[str]
    region_codes: list[str]
    pricing: str
    price_fen: int
    capacity_per_month: int | None
    status: str
    published_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class OfferList(BaseModel):
    items: list[OfferOut]
    next_cursor: str | None
