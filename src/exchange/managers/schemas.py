"""The managers' work over HTTP."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field

from exchange.managers.models import ConsultationKind


class ConsultationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ConsultationKind
    held_on: dt.date | None = Field(None, description="The day of the work (default: today)")
    party_organization_id: uuid.UUID | None = None
    need_id: uuid.UUID | None = None
    opportunity_id: uuid.UUID | None = None
    notes: str = Field(min_length=1, max_length=10_000)
    outcome: str = Field("", max_length=10_000)


class ConsultationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    manager_id: uuid.UUID
    kind: ConsultationKind
    held_on: dt.date
    party_organization_id: uuid.UUID | None
    need_id: uuid.UUID | None
    opportunity_id: uuid.UUID | None
    notes: str
    outcome: str
    created_at: dt.datetime


class ConsultationList(BaseModel):
    items: list[ConsultationOut]
    next_cursor: str | None


class KpisOut(BaseModel):
    """What one manager achieved in ``[from, to)``."""

    manager_id: uuid.UUID
    display_name: str
    period_from: dt.datetime = Field(serialization_alias="from")
    period_to: dt.datetime = Field(serialization_alias="to")
    deals_brokered: int = Field(description="Brokered deals the manager created in the period")
    deals_brokered_fen: int = Field(description="Their contract value, in fen")
    money_transacted_fen: int = Field(description="Tranches paid in the period on deals the manager brokered, in fen")
    needs_converted: int = Field(description="Needs the manager turned into opportunities in the period (以需定供)")
    needs_resolved: int = Field(description="Needs the manager brokered or converted that were confirmed, or whose "
                                            "deal closed, in the period")
    median_days_need_to_claim: float | None = Field(
        description="Median days from posting to claim of the needs claimed in the period in the manager's area")
    needs_claimed_in_area: int
    consultations: int
    consultations_by_kind: dict[str, int]
