"""Matching: managers' feedback on matches, and the indexes change detection relies on."""

from __future__ import annotations

import uuid

from sqlalchemy import Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db import Base, IdMixin, TimestampMixin
from exchange.needs.models import Need
from exchange.offers.models import Offer
from exchange.opportunities.models import Opportunity
from exchange.organizations.models import Organization


class MatchFeedback(Base, IdMixin, TimestampMixin):
    """A manager's verdict on one suggested match, stored for tuning the weights."""

    __tablename__ = "match_feedback"

    source_type: Mapped[str] = mapped_column(String(20))  # need | opportunity | offer | search
    source_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    candidate_type: Mapped[str] = mapped_column(String(20))
    candidate_id: Mapped[uuid.UUID] = mapped_column(index=True)
    verdict: Mapped[str] = mapped_column(String(10))  # good | bad
    score: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(String(1000))
    # What was searched (source_type "search"), so the verdict can teach the engine about that text.
    query_text: Mapped[str | None] = mapped_column(String(2000))
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))


# Each server process catches its in-memory index up with rows changed since its last look.
Index("ix_offers_updated_at", Offer.updated_at)
Index("ix_opportunities_updated_at", Opportunity.updated_at)
Index("ix_needs_updated_at", Need.updated_at)
Index("ix_organizations_updated_at", Organization.updated_at)
# … and with verdicts recorded since, which adjust its weights.
Index("ix_match_feedback_created_at", MatchFeedback.created_at)
