"""Matching: request and response bodies (api.md, "Matching")."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from exchange.kit.money import Fen
from exchange.needs.schemas import NeedOut
from exchange.offers.schemas import OfferOut
from exchange.opportunities.schemas import OpportunityOut
from exchange.skills.schemas import SkillOut


class ReasonOut(BaseModel):
    rule: str = Field(description="The rule: text, concepts, category, target_groups, proximity, reach, eligibility …")
    score: float = Field(description="The rule's own score, 0–1")
    weight: float = Field(description="Its weight in the total (0 for a hard rule)")
    detail: str


class MatchOut(BaseModel):
    offer: OfferOut | None = None
    opportunity: OpportunityOut | None = None
    need: NeedOut | None = None
    skill: SkillOut | None = Field(default=None, description="A neighbour's skill (能人库), with `include=skills`")
    score: float = Field(ge=0, le=100)
    eligible: bool
    reasons: list[ReasonOut]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kind(self) -> str:
        """Which of `offer`, `opportunity`, `need` or `skill` this result is."""
        return next(k for k in ("offer", "opportunity", "need", "skill") if getattr(self, k) is not None)


class MatchList(BaseModel):
    items: list[MatchOut]


class SearchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=2000)
    category: str | None = Field(default=None, max_length=40)
    target_groups: list[str] | None = Field(default=None, max_length=12)
    region_code: str | None = Field(default=None, max_length=32)
    budget_fen: Fen | None = None
    limit: int = Field(default=10, ge=1, le=100)
    include_ineligible: bool = False


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source_type: Literal["need", "opportunity", "offer", "search"]
    source_id: uuid.UUID | None = None
    candidate_type: Literal["offer", "opportunity", "need"]
    candidate_id: uuid.UUID
    verdict: Literal["good", "bad"]
    score: float | None = Field(default=None, ge=0, le=100)
    note: str | None = Field(default=None, max_length=1000)
    query_text: str | None = Field(
        default=None, max_length=2000,
        description="The text searched, for `source_type` search (needs, opportunities and offers are read from their source)",
    )


class FeedbackOut(FeedbackIn):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    created_by: uuid.UUID


class FeedbackList(BaseModel):
    items: list[FeedbackOut]
