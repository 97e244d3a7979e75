"""Opportunities: request and response bodies."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from exchange.documents.schemas import BidDocumentHash, DocumentOut
from exchange.kit.money import Fen
from exchange.listings.schemas import Code, Description, RegionCodes, TargetGroups, Title


class Eligibility(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_a_level: int = Field(default=0, ge=0, le=5)
    registration_required: bool = False


class RubricItem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    criterion: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    weight: int = Field(ge=1, le=100, strict=True)


def _sums_to_100(items: list[RubricItem]) -> list[RubricItem]:
    if sum(i.weight for i in items) != 100:
        raise ValueError("rubric weights must sum to 100")
    if len({i.criterion for i in items}) != len(items):
        raise ValueError("rubric criteria must be distinct")
    return items


Rubric = Annotated[list[RubricItem], Field(min_length=1, max_length=20), AfterValidator(_sums_to_100)]
StandstillDays = Annotated[float, Field(ge=0, le=60, allow_inf_nan=False)]
MinBids = Annotated[int, Field(ge=1, le=1000, strict=True)]

DEFAULT_RUBRIC = [{"criterion": "服务方案", "weight": 40}, {"criterion": "团队能力", "weight": 30},
                  {"criterion": "报价", "weight": 30}]


class OpportunityFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    buyer_organization_id: uuid.UUID | None = Field(default=None, description="A buyer's own organization by default")
    title: Title
    description: Description = ""
    target_groups: TargetGroups = Field(default_factory=list)
    region_codes: RegionCodes = Field(default_factory=list)
    budget_fen: Fen
    bid_deadline: AwareDatetime | None = None
    min_bids: MinBids = 1
    eligibility: Eligibility = Field(default_factory=Eligibility)
    rubric: Rubric = Field(default_factory=lambda: [RubricItem(**r) for r in DEFAULT_RUBRIC])
    standstill_days: StandstillDays = 5.0


class OpportunityCreate(OpportunityFields):
    category: Code


class OpportunityFromNeeds(OpportunityFields):
    """``need_ids`` plus the fields of a new opportunity; regions, target groups and the category
    default to the needs'."""

    need_ids: list[uuid.UUID] = Field(min_length=1, max_length=200)
    category: Code | None = None
    target_groups: TargetGroups | None = None  # type: ignore[assignment]
    region_codes: RegionCodes | None = None  # type: ignore[assignment]


class OpportunityUpdate(BaseModel):
    """Every field optional; allowed while the opportunity is a draft or published."""

    model_config = ConfigDict(extra="forbid")
    title: Title | None = None
    description: Description | None = None
    category: Code | None = None
    target_groups: TargetGroups | None = None
    region_codes: RegionCodes | None = None
    budget_fen: Fen | None = None
    bid_deadline: AwareDatetime | None = None
    min_bids: MinBids | None = None
    eligibility: Eligibility | None = None
    rubric: Rubric | None = None
    standstill_days: StandstillDays | None = None


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=1000)]


class OpportunityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    buyer_organization_id: uuid.UUID
    title: str
    description: str
    category: str
    target_groups: list[str]
    region_codes: list[str]
    budget_fen: int
    bid_deadline: dt.datetime | None
    min_bids: int
    eligibility: dict[str, Any]
    rubric: list[dict[str, Any]]
    standstill_days: float
    status: str
    published_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int
    need_ids: list[uuid.UUID] = Field(default_factory=list, description="Residents' needs this answers (以需定供)")
    supporters_total: int = Field(default=0, description="How many residents supported those needs")
    documents: list[DocumentOut] | None = Field(
        default=None, description="Tender documents and clarifications (on a single opportunity; not in lists)")
    bid_documents: list[BidDocumentHash] | None = Field(
        default=None, description="Once bidding has closed: every submitted bid document's SHA-256 with its bidder "
                                  "(null before the close; not in lists)")


class OpportunityList(BaseModel):
    items: list[OpportunityOut]
    next_cursor: str | None
