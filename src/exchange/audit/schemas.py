"""Audit trail: response bodies."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class AuditEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    seq: int
    at: dt.datetime
    actor_id: uuid.UUID | None
    action: str
    entity_type: str
    entity_id: str
    summary: dict[str, Any]
    prev_hash: str
    hash: str


class AuditEventList(BaseModel):
    items: list[AuditEventOut]
    next_cursor: str | None


class AuditVerification(BaseModel):
    intact: bool
    events: int = Field(description="Events in the chain up to its recorded head")
    first_broken_id: uuid.UUID | None
    reason: str | None = Field(default=None, description="`sequence`, `link`, `content` (at `first_broken_id`) or "
                                                         "`missing_tail` (the newest events are gone); null when intact")
    verified_from: int = Field(default=0, description="The walk started after this event (its last verified "
                                                      "checkpoint); 0 for a walk from the start")
