"""Webhook subscriptions and deliveries over HTTP."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field

EventTypes = list[str]


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=2000, description="https URL (http only to loopback, in dev)")
    event_types: EventTypes = Field(min_length=1, max_length=64, description="event types to receive, or `*` for all")
    active: bool = True
    description: str | None = Field(None, max_length=200)
    timeout_seconds: float = Field(10.0, ge=1, le=30, description="how long one attempt may take")
    organization_id: uuid.UUID | None = Field(
        None, description="admins only: the organization whose events it receives (none: public events only)")


class WebhookUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(None, max_length=2000)
    event_types: EventTypes | None = Field(None, min_length=1, max_length=64)
    active: bool | None = Field(None, description="`true` re-enables a subscription that was disabled after failures")
    description: str | None = Field(None, max_length=200)
    timeout_seconds: float | None = Field(None, ge=1, le=30)


class WebhookOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    organization_id: uuid.UUID | None
    url: str
    event_types: EventTypes
    active: bool
    description: str | None
    timeout_seconds: float
    failing_since: dt.datetime | None
    disabled_at: dt.datetime | None
    disabled_reason: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class WebhookCreated(WebhookOut):
    secret: str = Field(description="`whsec_…`: shown once, now; verify each delivery's `webhook-signature` with it")


class WebhookPage(BaseModel):
    items: list[WebhookOut]
    next_cursor: str | None


class AttemptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    status_code: int | None
    error: str | None
    attempted_at: dt.datetime
    next_attempt_at: dt.datetime | None
    duration_ms: int


class DeliveryOut(BaseModel):
    """One event sent to one subscription; ``status_code``, ``error``, ``attempted_at`` are the last attempt's."""

    id: uuid.UUID
    webhook_id: str = Field(description="the `webhook-id` header, the same on every attempt")
    event_id: str
    event_type: str
    status: str = Field(description="`pending`, `delivered` or `failed`")
    status_code: int | None
    error: str | None
    attempted_at: dt.datetime | None
    next_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None
    created_at: dt.datetime
    attempts: list[AttemptOut]


class DeliveryPage(BaseModel):
    items: list[DeliveryOut]
    next_cursor: str | None
