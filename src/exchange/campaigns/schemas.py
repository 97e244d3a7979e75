"""What the campaign endpoints read and answer."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from exchange.kit.money import Fen, PositiveFen


class PayoutMilestone(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    due_on: dt.date = Field(description="After the campaign's end")
    share_percent: int = Field(ge=1, le=100, description="Its part of the money raised and matched; all add up to 100")


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
    organization_id: uuid.UUID | None = Field(
        None, description="The social organization that runs the project (组织办): when the campaign ends succeeded or "
                          "carried, what was raised and matched becomes a deal for it, paid by milestones")
    milestones: list[PayoutMilestone] | None = Field(
        None, min_length=1, max_length=20,
        description="The deal's milestones (with organization_id); default one milestone 项目完成 90 days after the end")


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
    organization_id: uuid.UUID | None
    milestones: list[PayoutMilestone] | None = Field(description="The plan of the deal's milestones")
    payout_fund_id: uuid.UUID | None = Field(description="After the payout: the campaign's own fund, which pays the deal")
    deal_id: uuid.UUID | None = Field(description="After the payout: the organization's deal")
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


class MoneyContribution(BaseModel):
    id: uuid.UUID
    amount_fen: int
    matched_fen: int
    transaction_id: uuid.UUID = Field(description="external:contributors → campaign:<id>:contributions")
    match_transaction_id: uuid.UUID | None = Field(description="the matching fund's available → paid (campaign:<id>)")
    refunded: bool
    created_at: dt.datetime


class MoneyPayment(BaseModel):
    id: uuid.UUID
    milestone_id: uuid.UUID
    amount_fen: int
    transaction_id: uuid.UUID | None
    created_at: dt.datetime


class CampaignMoney(BaseModel):
    """Where a campaign's money went: each contribution and its matching, the payout into the campaign's fund,
    the deal's commitment from that fund and each milestone's payment (contributors are not named)."""

    campaign_id: uuid.UUID
    raised_fen: int
    matched_fen: int
    contributions: list[MoneyContribution]
    payout_transaction_id: uuid.UUID | None = Field(
        description="campaign:<id>:contributions and campaign:<id>:matched → the payout fund's available")
    payout_fund_id: uuid.UUID | None
    deal_id: uuid.UUID | None
    commit_transaction_ids: list[uuid.UUID] = Field(description="the payout fund's available → committed (deal)")
    payments: list[MoneyPayment] = Field(description="committed → paid, one per accepted milestone")
    paid_fen: int
