"""Audit trail: response bodies."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict


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
    events: int
    first_broken_id: uuid.UUID | None
