"""Calls and applications over HTTP."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from exchange.calls.models import ApplicationStatus
from exchange.deals.schemas import MilestoneIn
from exchange.kit.money import PositiveFen


class CallSummary(BaseModel):
    id: uuid.UUID
    title: str
    description: str
    bid_deadline: dt.datetime
    budget_fen: int | None
    fund_id: uuid.UUID | None
    funded_fen: int = Field(description="What decisions have granted so far, in fen")
    applications: int
    created_at: dt.datetime


class CallList(BaseModel):
    items: list[CallSummary]
    next_cursor: str | None


class ApplicationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=200)
    plan: str = Field(min_length=1, max_length=50_000, description="The project plan (项目方案)")
    amount_fen: PositiveFen = Field(description="The money asked for")


class ScreenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    passed: bool
    note: str = Field("", max_length=5000)


class RoadshowScoreIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    score: int = Field(ge=0, le=100)
    comment: str = Field("", max_length=5000)


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["fund", "decline"]
    amount_fen: PositiveFen | None = Field(None, description="Granted amount (default: what was asked; never more)")
    reason: str = Field("", max_length=5000)
    milestones: list[MilestoneIn] = Field(default_factory=list, max_length=50,
                                          description="The deal's milestones when funding; they add up to the amount")


class ApplicationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    call_id: uuid.UUID
    organization_id: uuid.UUID
    title: str
    plan: str
    amount_fen: int
    status: ApplicationStatus
    screening_note: str | None
    roadshow_score: float | None
    roadshow_scores_counted: int = 0
    granted_fen: int | None
    decision_reason: str | None
    decided_at: dt.datetime | None
    deal_id: uuid.UUID | None
    created_at: dt.datetime
    version: int


class ApplicationList(BaseModel):
    items: list[ApplicationOut]
