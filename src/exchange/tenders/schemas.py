"""Request and response bodies of the tender."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from exchange.documents.schemas import DocumentOut
from exchange.kit.money import Fen, PositiveFen
from exchange.opportunities.schemas import OpportunityOut


class BidCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    proposal: str = Field(min_length=1, max_length=20000)
    price_fen: Fen
    offer_id: uuid.UUID | None = None


class BidUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    proposal: str | None = Field(None, min_length=1, max_length=20000)
    price_fen: Fen | None = None
    offer_id: uuid.UUID | None = None


class BidOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    opportunity_id: uuid.UUID
    organization_id: uuid.UUID
    offer_id: uuid.UUID | None
    proposal: str
    price_fen: int
    status: str
    needs_reconfirmation: bool = False
    submitted_at: dt.datetime
    confirmed_at: dt.datetime
    version: int
    documents: list[DocumentOut] | None = Field(default=None, description="The bid's documents (sealed like the bid)")


class BidList(BaseModel):
    items: list[BidOut]
    next_cursor: str | None = None


class PanelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    expert_user_ids: list[uuid.UUID] = Field(min_length=1, max_length=50)


class PanelOut(BaseModel):
    opportunity_id: uuid.UUID
    status: str
    expert_user_ids: list[uuid.UUID]


class ScoreIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scores: dict[str, int] = Field(default_factory=dict)
    conflict_of_interest: bool = False
    comment: str = Field("", max_length=5000)


class ScoreOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    bid_id: uuid.UUID
    expert_id: uuid.UUID
    scores: dict[str, Any]
    conflict_of_interest: bool
    weighted_score: float | None
    comment: str


class RankingItem(BaseModel):
    bid_id: uuid.UUID
    opportunity_id: uuid.UUID
    organization_id: uuid.UUID
    weighted_score: float | None
    experts_counted: int
    price_fen: int
    rank: int


class Ranking(BaseModel):
    items: list[RankingItem]


class RoadshowIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scheduled_at: AwareDatetime
    location: str = Field(min_length=1, max_length=200)
    notes: str = Field("", max_length=5000)


class RoadshowOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    opportunity_id: uuid.UUID
    scheduled_at: dt.datetime
    location: str
    notes: str
    created_by: uuid.UUID


class AwardIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    bid_id: uuid.UUID


class ObjectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=5000)


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["upheld", "rejected"]
    reason: str = Field(min_length=1, max_length=5000)


class ObjectionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    award_id: uuid.UUID
    filed_by: uuid.UUID | None = Field(description="The objector: shown only to the objector, managers and admins")
    reason: str
    status: str
    resolution_reason: str | None
    resolved_at: dt.datetime | None
    created_at: dt.datetime
    version: int
    documents: list[DocumentOut] = Field(default_factory=list, description="Evidence filed with the objection")


class AwardOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    opportunity_id: uuid.UUID
    bid_id: uuid.UUID
    organization_id: uuid.UUID
    price_fen: int
    status: str
    standstill_ends_at: dt.datetime
    final_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    created_at: dt.datetime
    version: int
    objections: list[ObjectionOut] = []


class CloseBiddingOut(OpportunityOut):
    """The opportunity after bidding closed, with how many eligible bids it received."""

    eligible_bids: int


class CallCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=20000)
    bid_deadline: AwareDatetime = Field(description="The deadline for bids and applications")
    opportunity_ids: list[uuid.UUID] = Field(default_factory=list, max_length=500)
    expert_user_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    budget_fen: PositiveFen | None = Field(None, description="Money for direct applications, in all (with `fund_id`)")
    fund_id: uuid.UUID | None = Field(None, description="The fund the funded applications are paid from")


class CallOut(BaseModel):
    id: uuid.UUID
    title: str
    description: str
    bid_deadline: dt.datetime
    expert_user_ids: list[uuid.UUID]
    opportunity_ids: list[uuid.UUID]
    budget_fen: int | None = None
    fund_id: uuid.UUID | None = None
    version: int


class PanelDrawIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    size: int = Field(ge=1, le=25, description="How many experts to draw")
    specialties: list[str] = Field(default_factory=list, max_length=15,
                                   description="Category codes; when given, only experts with one of them are drawn")


class PanelDeclineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: uuid.UUID | None = Field(None, description="The expert who declines (default: the caller)")
    reason: str = Field("", max_length=500)


class PanelDrawOut(BaseModel):
    opportunity_id: uuid.UUID
    status: str
    expert_user_ids: list[uuid.UUID]
    draw_id: uuid.UUID
    seed: str
    size: int
    specialties: list[str]
    candidates: list[uuid.UUID]
    excluded: dict[str, str]
    declined: list[uuid.UUID]
    algorithm: str


class QuestionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(min_length=1, max_length=5000)


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answer: str = Field(min_length=1, max_length=20000)
    amends_terms: bool = Field(False, description="The answer changes the terms: bids placed before it must be reconfirmed")


class QuestionOut(BaseModel):
    """A clarification; who asked is never shown (``mine`` tells the asking organization its own)."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    opportunity_id: uuid.UUID
    question: str
    status: str
    answer: str | None
    amends_terms: bool
    answered_at: dt.datetime | None
    created_at: dt.datetime
    mine: bool = False


class QuestionList(BaseModel):
    items: list[QuestionOut]
