"""Community proposals: request and response bodies."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from exchange.listings.schemas import Description, RegionCode, Title
from exchange.proposals.models import MeetingDecision, ProposalStatus, VoteChoice

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


class ProposalCreate(BaseModel):
    """A proposal for a region: a resident's defaults to where they live; a committee's to its community."""

    model_config = ConfigDict(extra="forbid")
    title: Title
    description: Description = ""
    region_code: RegionCode | None = None


class Links(BaseModel):
    """What carries a proposal out (联动执行)."""

    model_config = ConfigDict(extra="forbid")
    opportunity_id: uuid.UUID | None = None
    need_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    deal_id: uuid.UUID | None = None
    activity_id: uuid.UUID | None = None


class AdvanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: ProposalStatus = Field(description="The next step: deliberating, formed (needs `plan`), executing (needs "
                                           "`links`), evaluating, publicized (needs `outcome` or `reason`), rejected "
                                           "(needs `reason`), withdrawn")
    reason: Text | None = None
    plan: Text | None = None
    links: Links | None = None
    outcome: Text | None = Field(default=None, description="What came of it, for the public notices (publicized)")


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: Text


class VoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    choice: VoteChoice


class MeetingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    held_on: dt.date
    attendees: int = Field(ge=1, le=100_000, strict=True, description="How many took part")
    minutes: Text
    decision: MeetingDecision


class RatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    score: int = Field(ge=1, le=5, strict=True)
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None


class VotesOut(BaseModel):
    for_: int = Field(alias="for", serialization_alias="for")
    against: int
    abstain: int

    model_config = ConfigDict(populate_by_name=True)


class RatingsOut(BaseModel):
    count: int
    average: float | None


class MeetingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    held_on: dt.date
    attendees: int
    minutes: str
    decision: str
    created_at: dt.datetime


class ProposalOut(BaseModel):
    id: uuid.UUID
    author_id: uuid.UUID | None = Field(description="Only for signed-in readers")
    on_behalf_organization_id: uuid.UUID | None
    title: str
    description: str
    region_code: str
    status: ProposalStatus
    plan: str | None
    links: dict[str, Any]
    outcome: str | None
    status_reason: str | None
    votes: VotesOut
    comment_count: int
    ratings: RatingsOut
    meetings: list[MeetingOut]
    next_steps: list[str] = Field(description="The moves the table allows from this status")
    formed_at: dt.datetime | None
    publicized_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class ProposalList(BaseModel):
    items: list[ProposalOut]
    next_cursor: str | None


class CommentOut(BaseModel):
    id: uuid.UUID
    author_id: uuid.UUID | None = Field(description="Only for signed-in readers")
    body: str
    created_at: dt.datetime


class CommentList(BaseModel):
    items: list[CommentOut]
    next_cursor: str | None


class VoteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    proposal_id: uuid.UUID
    choice: str
    created_at: dt.datetime


class RatingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    proposal_id: uuid.UUID
    score: int
    comment: str | None
    created_at: dt.datetime
