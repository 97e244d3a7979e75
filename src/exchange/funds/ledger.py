"""The ledger's one writer: balanced transactions of entries, applied to the locked cached balances."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.errors import not_found
from exchange.funds.errors import insufficient_funds
from exchange.funds.models import Bucket, FundBalance, Kind, LedgerEntry, LedgerTransaction
from exchange.funds.repository import FundRepository, LedgerRepository
from exchange.kit.clock import now


@dataclass(frozen=True)
class Leg:
    """One side of a move: a fund's bucket (optionally a subaccount of it) or an outside account."""

    amount: int
    fund_id: uuid.UUID | None = None
    bucket: Bucket | None = None
    subaccount: str | None = None
    account: str | None = None

    @property
    def account_name(self) -> str:
        return self.account or f"fund:{self.fund_id}:{self.bucket}"


def bucket(fund_id: uuid.UUID, name: Bucket, amount: int, subaccount: str | None = None) -> Leg:
    return Leg(amount, fund_id=fund_id, bucket=name, subaccount=subaccount)


def outside(account: str, amount: int) -> Leg:
    return Leg(amount, account=account)


def post(
    session: AsyncSession, *, kind: Kind, ref_type: str, ref_id: uuid.UUID, actor_id: uuid.UUID | None,
    legs: Sequence[Leg], balances: dict[uuid.UUID, FundBalance], note: str = "", dedupe_key: str | None = None,
) -> LedgerTransaction:
    """Write one balanced transaction and apply it to the (locked) cached balances."""
    legs = [leg for leg in legs if leg.amount != 0]
    if sum(leg.amount for leg in legs) != 0 or len(legs) < 2:
        raise AssertionError(f"unbalanced ledger transaction: {legs}")
    at = now()
    txn = LedgerTransaction(id=uuid.uuid4(), kind=kind.value, ref_type=ref_type, ref_id=ref_id, actor_id=actor_id,
                            note=note, dedupe_key=dedupe_key, created_at=at)
    entries = [
        LedgerEntry(id=uuid.uuid4(), transaction_id=txn.id, account=leg.account_name, fund_id=leg.fund_id,
                    bucket=leg.bucket.value if leg.bucket else None, subaccount=leg.subaccount, amount_fen=leg.amount,
                    kind=kind.value, ref_type=ref_type, ref_id=ref_id, created_at=at)
        for leg in legs
    ]
    for leg in legs:
        if leg.fund_id is None or leg.bucket is None:
            continue
        balance = balances[leg.fund_id]
        field = f"{leg.bucket.value}_fen"
        setattr(balance, field, getattr(balance, field) + leg.amount)
        if kind in (Kind.deposit, Kind.deposit_reversal):
            balance.deposited_fen += leg.amount
        if getattr(balance, field) < 0:  # callers check first; this is the last line before the CHECK
            raise insufficient_funds(-leg.amount, getattr(balance, field) - leg.amount)
    LedgerRepository(session).add(txn, entries)
    return txn


async def lock_balance(session: AsyncSession, fund_id: uuid.UUID) -> FundBalance:
    balance = await FundRepository(session).balance_for_update(fund_id)
    if balance is None:
        raise not_found("fund")
    return balance
