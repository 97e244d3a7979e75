"""Points (幸福积分): request and response bodies."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class PointsEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    amount: int
    kind: str
    reason: str
    need_id: uuid.UUID | None
    created_at: dt.datetime


class PointsOut(BaseModel):
    balance: int = Field(description="Always the sum of the entries")
    entries: list[PointsEntryOut]


class AdjustmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: int = Field(ge=-1_000_000, le=1_000_000, strict=True, description="Non-zero; a balance never goes below zero")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=500)]
