"""What the campaign endpoints read and answer."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from exchange.kit.money import Fen, PositiveFen


class CampaignCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    target_fen: PositiveFen
    ends_at: dt.datetime
    need_id: uuid.UUID | None = None
    match_fund_id: uuid.UUID
    match_ratio: Decimal = Field(ge=0, le=100, max_digits=12, decimal_places=6,
                                 description='Fund fen per contributed fen, exact (e.g. "1.0" one for one, "0.5" half)')
    match_cap_fen: Fen
    on_shortfall: Literal["refund", "carry"] = Field(
        "refund", description="Below target at the end: refund contributions and matching, or carry them to the project")


class CampaignOut(BaseModel):
    id: uuid.UUID
    title: str
    target_fen: int
    raised_fen: int = Field(description="Contributed by residents (kept as raised after a refund)")
    matched_fen: int = Field(description="Matched by the fund (kept as matched after it was returned)")
    ends_at: dt.datetime
    need_id: uuid.UUID | None
    match_fund_id: uuid.UUID
    match_ratio: str
    match_cap_fen: int
    on_shortfall: str
    status: Literal["open", "funded", "ended"]
    outcome: Literal["succeeded", "refunded", "carried"] | None
    version: int
    created_at: dt.datetime


class CampaignList(BaseModel):
    items: list[CampaignOut]
    next_cursor: str | None


class ContributionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount_fen: PositiveFen


class ContributionOut(BaseModel):
    id: uuid.UUID
    campaign_id: uuid.UUID
    amount_fen: int
    matched_fen: int = Field(description="floor(amount × ratio), limited by what is left of the cap and of the fund")
    transaction_id: uuid.UUID
    created_at: dt.datetime
    campaign: CampaignOut
