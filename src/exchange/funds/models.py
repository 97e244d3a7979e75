"""Funds, their cached balances, and the append-only double-entry ledger (integer fen).

Accounts are strings: a fund's buckets ``fund:<id>:available|earmarked|committed|paid`` and
contra accounts outside the funds (``external:deposits``, ``external:contributors``,
``campaign:<id>:contributions``). Entries of a fund's buckets may name a ``subaccount``
(``opportunity:<id>`` for an earmark, ``deal:<id>`` for committed and paid money,
``campaign:<id>`` for matching), so that earmarks and deals are derived from entries too.

Cached figures (``fund_balances``, ``earmarks``, ``deal_funds``) exist for locking and speed;
``exchange ledger check`` proves each one equals the sum of its entries.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exchange.db import Base, IdMixin, TimestampMixin, _utcnow


class Source(enum.StrEnum):
    fiscal = "fiscal"                      # 财政资金
    community_fund = "community_fund"      # 社区基金
    micro_fund = "micro_fund"              # 微基金
    crowdfunding = "crowdfunding"          # 众筹
    foundation_grant = "foundation_grant"  # 基金会资助
    donation = "donation"                  # 捐赠


class Bucket(enum.StrEnum):
    available = "available"
    earmarked = "earmarked"
    committed = "committed"
    paid = "paid"


class Kind(enum.StrEnum):
    """What a ledger transaction did."""

    deposit = "deposit"
    deposit_reversal = "deposit_reversal"  # a correction: a deposit made in error, reversed
    earmark = "earmark"
    earmark_release = "earmark_release"
    commit = "commit"
    payment = "payment"
    deal_release = "deal_release"
    contribution = "contribution"
    match = "match"
    refund = "refund"
    match_return = "match_return"


class Fund(Base, IdMixin, TimestampMixin):
    __tablename__ = "funds"

    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(20), index=True)
    owner_organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    parent_fund_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("funds.id"), index=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}


class FundBalance(Base):
    """The fund's cached buckets: the row every move of the fund's money locks first."""

    __tablename__ = "fund_balances"
    __table_args__ = (
        CheckConstraint("deposited_fen >= 0", name="deposited_non_negative"),
        CheckConstraint("available_fen >= 0", name="available_non_negative"),
        CheckConstraint("earmarked_fen >= 0", name="earmarked_non_negative"),
        CheckConstraint("committed_fen >= 0", name="committed_non_negative"),
        CheckConstraint("paid_fen >= 0", name="paid_non_negative"),
        CheckConstraint("deposited_fen = available_fen + earmarked_fen + committed_fen + paid_fen", name="buckets_add_up"),
    )

    fund_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("funds.id"), primary_key=True)
    deposited_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    available_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    earmarked_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    committed_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(default=_utcnow, onupdate=_utcnow)


class LedgerTransaction(Base, IdMixin):
    """One movement of money; its entries sum to zero. ``dedupe_key`` makes a move happen once."""

    __tablename__ = "ledger_transactions"

    kind: Mapped[str] = mapped_column(String(20), index=True)
    ref_type: Mapped[str] = mapped_column(String(20))
    ref_id: Mapped[uuid.UUID] = mapped_column(index=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(String(500), default="")
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=_utcnow, index=True)


class LedgerEntry(Base, IdMixin):
    """One signed amount on one account. Never updated or deleted (triggers refuse it)."""

    __tablename__ = "ledger_entries"
    __table_args__ = (CheckConstraint("amount_fen <> 0", name="amount_not_zero"),)

    transaction_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ledger_transactions.id"), index=True)
    account: Mapped[str] = mapped_column(String(120), index=True)
    fund_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("funds.id"), index=True)
    bucket: Mapped[str | None] = mapped_column(String(20))
    subaccount: Mapped[str | None] = mapped_column(String(120), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(20))
    ref_type: Mapped[str] = mapped_column(String(20))
    ref_id: Mapped[uuid.UUID]
    created_at: Mapped[dt.datetime] = mapped_column(default=_utcnow)

    # Only so that a flush inserts the transaction before its entries; never loaded.
    transaction: Mapped[LedgerTransaction] = relationship(lazy="raise")


class Earmark(Base, IdMixin, TimestampMixin):
    """What is still earmarked in one fund for one opportunity (cached; checked against entries)."""

    __tablename__ = "earmarks"
    __table_args__ = (
        UniqueConstraint("fund_id", "opportunity_id"),
        CheckConstraint("amount_fen >= 0", name="amount_non_negative"),
    )

    fund_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("funds.id"))
    opportunity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("opportunities.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger, default=0)


class DealFund(Base, IdMixin, TimestampMixin):
    """A deal's money in one fund: committed, paid out of it, released back (cached; checked)."""

    __tablename__ = "deal_funds"
    __table_args__ = (
        UniqueConstraint("deal_id", "fund_id"),
        CheckConstraint("committed_fen >= 0", name="committed_non_negative"),
        CheckConstraint("paid_fen >= 0", name="paid_non_negative"),
        CheckConstraint("released_fen >= 0", name="released_non_negative"),
        CheckConstraint("paid_fen + released_fen <= committed_fen", name="never_overpaid"),
    )

    deal_id: Mapped[uuid.UUID] = mapped_column(index=True)
    fund_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("funds.id"))
    committed_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    released_fen: Mapped[int] = mapped_column(BigInteger, default=0)

    @property
    def remaining_fen(self) -> int:
        return self.committed_fen - self.paid_fen - self.released_fen


class Payment(Base, IdMixin):
    """A paid tranche (拨付批次): one per milestone of a deal, enforced by the database."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("deal_id", "milestone_id"),
        CheckConstraint("amount_fen >= 0", name="amount_non_negative"),
    )

    deal_id: Mapped[uuid.UUID] = mapped_column(index=True)
    milestone_id: Mapped[uuid.UUID]
    fund_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("funds.id"), index=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    transaction_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("ledger_transactions.id"))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=_utcnow)

    transaction: Mapped[LedgerTransaction | None] = relationship(lazy="raise")  # flush order only
