"""Crediting and reading points. Balances are always the sum of entries."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.repository import UserRepository
from exchange.audit import service as audit
from exchange.errors import ExchangeError, invalid, not_found
from exchange.points.models import PointsEntry
from exchange.points.repository import PointsRepository


async def balance(session: AsyncSession, user_id: uuid.UUID) -> int:
    return await PointsRepository(session).balance(user_id)


async def credit_for_need(
    session: AsyncSession, *, user_id: uuid.UUID, need_id: uuid.UUID, amount: int, reason: str,
    actor_id: uuid.UUID | None,
) -> PointsEntry | None:
    """Credit a confirmed need's points to its claimant, once; a second call credits nothing."""
    repo = PointsRepository(session)
    if amount <= 0 or await repo.for_need(need_id, "confirm") is not None:
        return None
    entry = repo.add(PointsEntry(
        id=uuid.uuid4(), user_id=user_id, amount=amount, kind="confirm", reason=reason,
        need_id=need_id, created_by=actor_id,
    ))
    await repo.flush()
    audit.record(session, actor_id=actor_id, action="points.credited", entity_type="user", entity_id=user_id,
                 summary={"amount": amount, "need_id": str(need_id)})
    return entry


async def credit_once(
    session: AsyncSession, *, user_id: uuid.UUID, amount: int, kind: str, ref: str, reason: str,
    actor_id: uuid.UUID | None,
) -> PointsEntry | None:
    """Credit points for what ``ref`` names, once: a second call credits nothing, and of two concurrent
    calls the unique ``ref`` lets one commit (callers also hold the row lock of what they credit for)."""
    repo = PointsRepository(session)
    if amount <= 0 or await repo.by_ref(ref) is not None:
        return None
    entry = repo.add(PointsEntry(id=uuid.uuid4(), user_id=user_id, amount=amount, kind=kind, reason=reason,
                                 ref=ref, created_by=actor_id))
    await repo.flush()
    audit.record(session, actor_id=actor_id, action="points.credited", entity_type="user", entity_id=user_id,
                 summary={"amount": amount, "kind": kind, "ref": ref})
    return entry


async def adjust(
    session: AsyncSession, *, user_id: uuid.UUID, amount: int, reason: str, actor_id: uuid.UUID
) -> PointsEntry:
    """An admin's correction, with its reason; it is an entry like any other."""
    repo = PointsRepository(session)
    entry = repo.add(PointsEntry(
        id=uuid.uuid4(), user_id=user_id, amount=amount, kind="adjustment", reason=reason, created_by=actor_id
    ))
    await repo.flush()
    audit.record(session, actor_id=actor_id, action="points.adjusted", entity_type="user", entity_id=user_id,
                 summary={"amount": amount, "reason": reason})
    return entry


def points_insufficient(balance: int) -> ExchangeError:
    return ExchangeError("points_insufficient", 409, f"积分余额不足（当前 {balance}）",
                         f"The balance ({balance}) may not go below zero", extra={"balance": balance})


async def ledger(session: AsyncSession, user_id: uuid.UUID) -> tuple[int, list[PointsEntry]]:
    """The balance and every entry, newest first."""
    repo = PointsRepository(session)
    return await repo.balance(user_id), await repo.entries(user_id, limit=100_000)


async def adjust_checked(
    session: AsyncSession, *, user_id: uuid.UUID, amount: int, reason: str, actor_id: uuid.UUID
) -> PointsEntry:
    """``adjust`` with its rules: the user exists, the amount is not zero, the balance stays ≥ 0.
    The user's row is locked so two concurrent debits cannot both pass the check."""
    if amount == 0:
        raise invalid(["body", "amount"], "调整数量不能为 0", "The amount may not be zero", code="zero_amount")
    if await UserRepository(session).get_for_update(user_id) is None:
        raise not_found("user")
    current = await balance(session, user_id)
    if current + amount < 0:
        raise points_insufficient(current)
    return await adjust(session, user_id=user_id, amount=amount, reason=reason, actor_id=actor_id)
