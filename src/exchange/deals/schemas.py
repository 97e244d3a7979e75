"""Request and response bodies of deals."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from exchange.documents.schemas import DocumentOut
from exchange.kit.money import Fen, PositiveFen

Grade = Literal["excellent", "good", "pass", "fail"]


class MilestoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=200)
    due_on: dt.date
    amount_fen: Fen


class DealCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    award_id: uuid.UUID | None = None
    need_id: uuid.UUID | None = None
    opportunity_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    offer_id: uuid.UUID | None = None
    fund_id: uuid.UUID | None = None
    title: str | None = Field(None, min_length=1, max_length=200)
    amount_fen: PositiveFen | None = None
    milestones: list[MilestoneIn] = Field(min_length=1, max_length=50)


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    summary: str = Field(min_length=1, max_length=20000)
    evidence: list[str] = Field(default_factory=list, max_length=100)


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=5000)


class SupervisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    date: dt.date
    findings: str = Field(min_length=1, max_length=20000)
    rating: int = Field(ge=1, le=5)


class SupervisionOut(BaseModel):
    id: uuid.UUID
    deal_id: uuid.UUID
    date: dt.date
    findings: str
    rating: int
    supervisor_id: uuid.UUID


class ClosingReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    summary: str = Field(min_length=1, max_length=20000)
    people_served: int = Field(ge=0, le=10_000_000)
    activities: int = Field(ge=0, le=1_000_000)


class EvaluationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scores: dict[str, float] = Field(default_factory=dict)
    total: float = Field(ge=0, le=100)
    grade: Grade | None = None
    comment: str = Field("", max_length=20000)


class MilestoneOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    seq: int
    title: str
    due_on: dt.date
    amount_fen: int
    status: str
    tranche: str
    report: dict[str, Any] | None
    reported_at: dt.datetime | None
    rejection_reason: str | None
    accepted_at: dt.datetime | None
    payment_id: uuid.UUID | None
    version: int
    documents: list[DocumentOut] | None = Field(default=None, description="Evidence of this milestone (on a single deal)")


class HistoryItem(BaseModel):
    id: uuid.UUID
    at: dt.datetime
    actor_id: uuid.UUID | None
    action: str
    entity_type: str
    entity_id: str
    summary: dict[str, Any]


class DealOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    kind: str
    award_id: uuid.UUID | None
    opportunity_id: uuid.UUID | None
    need_id: uuid.UUID | None
    offer_id: uuid.UUID | None
    organization_id: uuid.UUID
    buyer_organization_id: uuid.UUID | None
    fund_id: uuid.UUID | None
    title: str
    amount_fen: int
    status: str
    org_signed_at: dt.datetime | None
    buyer_signed_at: dt.datetime | None
    activated_at: dt.datetime | None
    closing_report: dict[str, Any] | None
    evaluation: dict[str, Any] | None
    closed_at: dt.datetime | None
    termination_reason: str | None
    terminated_at: dt.datetime | None
    created_at: dt.datetime
    version: int
    milestones: list[MilestoneOut] = []


class DealDetail(DealOut):
    documents: list[DocumentOut] = Field(default_factory=list, description="Every document of the deal and its milestones")
    supervisions: list[SupervisionOut] = []
    payments: list[dict[str, Any]] = []
    money: dict[str, int] = {}
    history: list[HistoryItem] = []


class DealList(BaseModel):
    items: list[DealOut]
    next_cursor: str | None
