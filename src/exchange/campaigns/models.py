"""Campaigns and their contributions.

Accounting: a contribution moves ``external:contributors`` → ``campaign:<id>:contributions``;
its matching moves the matching fund's ``available`` → ``paid`` (subaccount ``campaign:<id>``).
A campaign that ends below target with ``on_shortfall = refund`` reverses both (contributions back
to ``external:contributors``, matching back to the fund's ``available``); with ``carry`` the money
stays with the campaign for its project.

A campaign that names its organization (``organization_id``) pays out when it ends succeeded or carried
(:mod:`exchange.deals.crowdfunding`): the contributions (``campaign:<id>:contributions``) and the matching
(recorded as ``campaign:<id>:matched``, the matching fund's ``paid`` subaccount ``campaign:<id>`` staying as
it was) are deposited into a fund of its own (``payout_fund_id``, source crowdfunding), and that fund pays a
deal for the organization (``deal_id``) by milestones like any deal.

The ratio is kept exactly as a fraction of integers (``match_ratio_num / match_ratio_den``):
matching is ``amount * num // den`` — never floating point.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exchange.db import Base, IdMixin, JSONType, TimestampMixin, _utcnow
from exchange.funds.models import LedgerTransaction


class Campaign(Base, IdMixin, TimestampMixin):
    """Statuses: open → funded (raised + matched reach the target) → ended; open → ended."""

    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint("raised_fen >= 0", name="raised_non_negative"),
        CheckConstraint("matched_fen >= 0", name="matched_non_negative"),
        CheckConstraint("matched_fen <= match_cap_fen", name="matched_within_cap"),
        CheckConstraint("match_ratio_num >= 0 AND match_ratio_den > 0", name="ratio_valid"),
    )

    title: Mapped[str] = mapped_column(String(200))
    target_fen: Mapped[int] = mapped_column(BigInteger)
    ends_at: Mapped[dt.datetime] = mapped_column(index=True)
    need_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("needs.id"), index=True)
    match_fund_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("funds.id"), index=True)
    match_ratio_num: Mapped[int] = mapped_column(BigInteger)
    match_ratio_den: Mapped[int] = mapped_column(BigInteger)
    match_cap_fen: Mapped[int] = mapped_column(BigInteger)
    on_shortfall: Mapped[str] = mapped_column(String(10))  # refund | carry
    raised_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    matched_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    outcome: Mapped[str | None] = mapped_column(String(10))  # succeeded | refunded | carried
    ended_at: Mapped[dt.datetime | None]
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # the organization that runs the project (组织办), the milestones its deal will have, and after the payout
    # the campaign's own fund and the deal
    organization_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    payout_plan: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType)
    payout_fund_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("funds.id"))
    deal_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("deals.id"))
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}


class Contribution(Base, IdMixin):
    __tablename__ = "contributions"
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint("matched_fen >= 0", name="matched_non_negative"),
    )

    campaign_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("campaigns.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    matched_fen: Mapped[int] = mapped_column(BigInteger)
    transaction_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ledger_transactions.id"))
    refunded: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=_utcnow)

    transaction: Mapped[LedgerTransaction] = relationship(lazy="raise")  # flush order only
