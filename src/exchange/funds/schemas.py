"""What the money endpoints read and answer (schemas are not tables)."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field

from exchange.funds.models import Source
from exchange.kit.money import PositiveFen


class FundCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    source: Source
    owner_organization_id: uuid.UUID | None = Field(None, description="A buyer's own organization by default")
    parent_fund_id: uuid.UUID | None = Field(None, description="For a micro-fund: the community fund it belongs to")


class FundOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    source: Source
    owner_organization_id: uuid.UUID
    parent_fund_id: uuid.UUID | None
    deposited_fen: int
    available_fen: int
    earmarked_fen: int
    committed_fen: int
    paid_fen: int
    version: int
    created_at: dt.datetime


class FundList(BaseModel):
    items: list[FundOut]
    next_cursor: str | None


class DepositCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount_fen: PositiveFen
    note: str = Field("", max_length=500)


class DepositOut(BaseModel):
    transaction_id: uuid.UUID
    fund_id: uuid.UUID
    amount_fen: int
    note: str
    actor_id: uuid.UUID | None
    created_at: dt.datetime
    fund: FundOut


class ReversalCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500)


class LedgerEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    transaction_id: uuid.UUID
    account: str
    fund_id: uuid.UUID | None
    bucket: str | None
    subaccount: str | None
    amount_fen: int = Field(description="Signed: each transaction's entries sum to zero")
    kind: str
    ref_type: str
    ref_id: uuid.UUID
    created_at: dt.datetime


class LedgerPage(BaseModel):
    items: list[LedgerEntryOut]
    next_cursor: str | None


class FundingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fund_id: uuid.UUID
    amount_fen: PositiveFen


class EarmarkOut(BaseModel):
    fund_id: uuid.UUID
    amount_fen: int


class FundingOut(BaseModel):
    """The opportunity's money: what is earmarked for it, per fund."""

    opportunity_id: uuid.UUID
    earmarked_fen: int
    earmarks: list[EarmarkOut]


class PaymentOut(BaseModel):
    """A paid tranche of a deal."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    deal_id: uuid.UUID
    milestone_id: uuid.UUID
    fund_id: uuid.UUID
    organization_id: uuid.UUID
    amount_fen: int
    transaction_id: uuid.UUID | None
    created_at: dt.datetime


class SourceMoney(BaseModel):
    source: Source
    deposited_fen: int = Field(description="Deposited in the period")
    earmarked_fen: int = Field(description="Earmarked for opportunities in the period (net of releases)")
    committed_fen: int = Field(description="Committed to deals in the period (net of releases and payments)")
    paid_fen: int = Field(description="Paid out in the period: tranches and crowdfunding matching, net of returns")
    released_fen: int = Field(description="Returned to available in the period (earmarks and deals)")


class MoneyStats(BaseModel):
    """Money by source over ``[from, to)``; every source is listed, zeros included."""

    from_: dt.datetime | None = Field(None, alias="from")
    to: dt.datetime | None
    items: list[SourceMoney]
    crowdfunding_raised_fen: int = Field(description="Contributions to campaigns in the period, net of refunds")

    model_config = ConfigDict(populate_by_name=True)
