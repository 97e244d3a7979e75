"""Needs: request and response bodies."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from exchange.listings.schemas import Code, Description, RegionCode, TargetGroups, Title
from exchange.privacy import redaction

MAX_POINTS = 1000


class Urgency(enum.StrEnum):
    low = "low"
    normal = "normal"
    high = "high"


class NeedCreate(BaseModel):
    """A resident's need; ``category`` is optional and ``region_code`` defaults to the resident's own."""

    model_config = ConfigDict(extra="forbid")
    title: Title
    description: Description = ""
    category: Code | None = None
    target_groups: TargetGroups = Field(default_factory=list)
    region_code: RegionCode | None = None
    urgency: Urgency = Urgency.normal
    points: int = Field(default=10, ge=0, le=MAX_POINTS, strict=True, description="幸福积分 for whoever fulfils it")


class NeedUpdate(BaseModel):
    """Every field optional; allowed while the need is open."""

    model_config = ConfigDict(extra="forbid")
    title: Title | None = None
    description: Description | None = None
    category: Code | None = None
    target_groups: TargetGroups | None = None
    region_code: RegionCode | None = None
    urgency: Urgency | None = None
    points: int | None = Field(default=None, ge=0, le=MAX_POINTS, strict=True)


class NeedOut(BaseModel):
    """A need. Anonymous and unrelated readers get no user ids and masked free text (see
    ``exchange.privacy.redaction``); the requester, claimant, community, managers and admins see all."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    requester_id: uuid.UUID | None
    on_behalf_organization_id: uuid.UUID | None
    title: str
    description: str
    category: str | None
    target_groups: list[str]
    region_code: str
    urgency: str
    points: int
    status: str
    supporters: int
    claimant_user_id: uuid.UUID | None
    claimant_organization_id: uuid.UUID | None
    claimed_at: dt.datetime | None
    claimed_skill_id: uuid.UUID | None = None
    fulfilled_at: dt.datetime | None
    confirmed_at: dt.datetime | None
    opportunity_id: uuid.UUID | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


def need_out(need: Any, viewer: Any) -> NeedOut:
    """``need`` as ``viewer`` (a user or None) may see it."""
    data = NeedOut.model_validate(need).model_dump()
    return NeedOut.model_validate(redaction.need_for(viewer, need, data))


class NeedList(BaseModel):
    items: list[NeedOut]
    next_cursor: str | None


class ClaimIn(BaseModel):
    """Optional body of a claim: the resident's own skill (能人库) the claim comes from."""

    model_config = ConfigDict(extra="forbid")
    skill_id: uuid.UUID | None = None
