"""A user's data export and the erasure's receipt."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from exchange.accounts.schemas import UserAdminOut
from exchange.audit.schemas import AuditEventOut
from exchange.needs.schemas import NeedOut
from exchange.points.schemas import PointsEntryOut
from exchange.tenders.schemas import ObjectionOut


class SupportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    need_id: uuid.UUID
    created_at: dt.datetime


class MyData(BaseModel):
    """Everything the exchange holds about the user (个人信息查阅复制)."""

    exported_at: dt.datetime
    account: UserAdminOut
    needs: list[NeedOut] = Field(description="Needs I posted or claimed")
    supports: list[SupportOut]
    points: list[PointsEntryOut]
    objections: list[ObjectionOut]
    activity: list[AuditEventOut] = Field(description="What I did, as the audit trail recorded it (newest first, "
                                                       "at most 10,000 events)")
    notes: dict[str, Any] = Field(default_factory=dict)


class ErasureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str = Field(min_length=1, max_length=256, description="The current password, to confirm")


class ErasureOut(BaseModel):
    erased_at: dt.datetime
    needs_anonymized: int
    objections_anonymized: int
    kept: list[str] = Field(description="What is kept, and why")
