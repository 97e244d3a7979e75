"""Every query on funds, balances, the ledger, earmarks, deal money and payments."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.funds.models import DealFund, Earmark, Fund, FundBalance, LedgerEntry, LedgerTransaction, Payment
from exchange.kit.pagination import Page, SortKey, paginate
from exchange.kit.repository import RepositoryBase

DEPOSIT_KINDS = ("deposit", "deposit_reversal")


class FundRepository(RepositoryBase[Fund]):
    model = Fund

    async def balance(self, fund_id: uuid.UUID) -> FundBalance | None:
        return await self.session.get(FundBalance, fund_id)

    async def balance_for_update(self, fund_id: uuid.UUID) -> FundBalance | None:
        """Lock the fund's balance row: every move of the fund's money takes this lock first."""
        stmt = (select(FundBalance).where(FundBalance.fund_id == fund_id).with_for_update()
                .execution_options(populate_existing=True))
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def balances(self, fund_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, FundBalance]:
        if not fund_ids:
            return {}
        rows = (await self.session.execute(select(FundBalance).where(FundBalance.fund_id.in_(fund_ids)))).scalars()
        return {b.fund_id: b for b in rows}

    async def page(self, *, organization_id: uuid.UUID | None, everyone: bool, source: str | None,
                   limit: int, cursor: str | None) -> Page[Fund]:
        stmt = select(Fund)
        if not everyone:
            stmt = stmt.where(Fund.owner_organization_id == organization_id)
        if source is not None:
            stmt = stmt.where(Fund.source == source)
        return await self.list_page(stmt, [SortKey(Fund.created_at), SortKey(Fund.id)], limit=limit, cursor=cursor,
                                    tag="funds")

    async def all_funds(self) -> list[Fund]:
        return list((await self.session.execute(select(Fund))).scalars())

    async def all_balances(self) -> list[FundBalance]:
        return list((await self.session.execute(select(FundBalance))).scalars())


class LedgerRepository:
    """The append-only ledger: inserts and sums, nothing else."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, txn: LedgerTransaction, entries: Sequence[LedgerEntry]) -> None:
        self.session.add(txn)
        self.session.add_all(entries)

    async def transaction_by_key(self, dedupe_key: str) -> LedgerTransaction | None:
        stmt = select(LedgerTransaction).where(LedgerTransaction.dedupe_key == dedupe_key)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def get_transaction(self, transaction_id: uuid.UUID) -> LedgerTransaction | None:
        return await self.session.get(LedgerTransaction, transaction_id)

    async def transaction_amount(self, transaction_id: uuid.UUID, fund_id: uuid.UUID) -> int:
        """What a transaction put into the fund's buckets."""
        stmt = select(func.coalesce(func.sum(LedgerEntry.amount_fen), 0)).where(
            LedgerEntry.transaction_id == transaction_id, LedgerEntry.fund_id == fund_id)
        return int((await self.session.execute(stmt)).scalar_one())

    async def fund_entries_page(self, fund_id: uuid.UUID, *, limit: int, cursor: str | None) -> Page[LedgerEntry]:
        """Every entry of every transaction that touched the fund (so each transaction shows whole)."""
        touched = select(LedgerEntry.transaction_id).where(LedgerEntry.fund_id == fund_id)
        stmt = select(LedgerEntry).where(LedgerEntry.transaction_id.in_(touched))
        return await paginate(self.session, stmt, [SortKey(LedgerEntry.created_at), SortKey(LedgerEntry.id)],
                              limit=limit, cursor=cursor, tag="ledger")

    async def fund_entries_between(self, fund_id: uuid.UUID, start: dt.datetime | None,
                                   end: dt.datetime | None) -> list[LedgerEntry]:
        """The fund's own entries (its buckets) in ``[start, end)``, oldest first."""
        stmt = select(LedgerEntry).where(LedgerEntry.fund_id == fund_id)
        if start is not None:
            stmt = stmt.where(LedgerEntry.created_at >= start)
        if end is not None:
            stmt = stmt.where(LedgerEntry.created_at < end)
        return list((await self.session.execute(stmt.order_by(LedgerEntry.created_at, LedgerEntry.id))).scalars())

    async def fund_bucket_sums_before(self, fund_id: uuid.UUID, start: dt.datetime | None) -> dict[str, int]:
        """Each bucket of the fund as it stood at ``start`` (zero without a start)."""
        if start is None:
            return {}
        stmt = (select(LedgerEntry.bucket, func.sum(LedgerEntry.amount_fen))
                .where(LedgerEntry.fund_id == fund_id, LedgerEntry.created_at < start).group_by(LedgerEntry.bucket))
        return {str(r[0]): int(r[1]) for r in (await self.session.execute(stmt)).all()}

    async def unbalanced_transactions(self) -> list[tuple[uuid.UUID, int, int]]:
        """(transaction id, sum, entry count) of transactions whose entries do not sum to zero or are fewer than 2."""
        total = func.coalesce(func.sum(LedgerEntry.amount_fen), 0)
        count = func.count(LedgerEntry.id)
        stmt = (select(LedgerTransaction.id, total, count)
                .outerjoin(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
                .group_by(LedgerTransaction.id).having((total != 0) | (count < 2)))
        return [(r[0], int(r[1]), int(r[2])) for r in (await self.session.execute(stmt)).all()]

    async def fund_bucket_sums(self) -> dict[tuple[uuid.UUID, str], int]:
        stmt = (select(LedgerEntry.fund_id, LedgerEntry.bucket, func.sum(LedgerEntry.amount_fen))
                .where(LedgerEntry.fund_id.is_not(None)).group_by(LedgerEntry.fund_id, LedgerEntry.bucket))
        return {(r[0], r[1]): int(r[2]) for r in (await self.session.execute(stmt)).all()}

    async def transaction_ids(self, kind: str, ref_type: str,
                              ref_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
        """The transactions of one kind about each of ``ref_ids``, oldest first."""
        if not ref_ids:
            return {}
        stmt = (select(LedgerTransaction.ref_id, LedgerTransaction.id)
                .where(LedgerTransaction.kind == kind, LedgerTransaction.ref_type == ref_type,
                       LedgerTransaction.ref_id.in_(list(ref_ids)))
                .order_by(LedgerTransaction.created_at, LedgerTransaction.id))
        out: dict[uuid.UUID, list[uuid.UUID]] = {}
        for ref_id, txn_id in (await self.session.execute(stmt)).all():
            out.setdefault(ref_id, []).append(txn_id)
        return out

    async def deposit_sums(self) -> dict[uuid.UUID, int]:
        stmt = (select(LedgerEntry.fund_id, func.sum(LedgerEntry.amount_fen))
                .where(LedgerEntry.fund_id.is_not(None), LedgerEntry.kind.in_(DEPOSIT_KINDS)).group_by(LedgerEntry.fund_id))
        return {r[0]: int(r[1]) for r in (await self.session.execute(stmt)).all()}

    async def subaccount_sums(self, bucket: str, prefix: str) -> dict[tuple[uuid.UUID, str], int]:
        """Sums per (fund, subaccount) of one bucket, for subaccounts starting with ``prefix``."""
        stmt = (select(LedgerEntry.fund_id, LedgerEntry.subaccount, func.sum(LedgerEntry.amount_fen))
                .where(LedgerEntry.bucket == bucket, LedgerEntry.subaccount.like(f"{prefix}%"))
                .group_by(LedgerEntry.fund_id, LedgerEntry.subaccount))
        return {(r[0], r[1]): int(r[2]) for r in (await self.session.execute(stmt)).all()}

    async def account_sums(self, prefix: str) -> dict[str, int]:
        stmt = (select(LedgerEntry.account, func.sum(LedgerEntry.amount_fen))
                .where(LedgerEntry.account.like(f"{prefix}%")).group_by(LedgerEntry.account))
        return {r[0]: int(r[1]) for r in (await self.session.execute(stmt)).all()}

    async def flows_by_source(self, start: dt.datetime | None, end: dt.datetime | None) -> list[Any]:
        """(source, kind, bucket, sum of entries) of the funds' buckets over [start, end)."""
        stmt: Select[Any] = (select(Fund.source, LedgerEntry.kind, LedgerEntry.bucket, func.sum(LedgerEntry.amount_fen))
                             .join(Fund, Fund.id == LedgerEntry.fund_id)
                             .group_by(Fund.source, LedgerEntry.kind, LedgerEntry.bucket))
        if start is not None:
            stmt = stmt.where(LedgerEntry.created_at >= start)
        if end is not None:
            stmt = stmt.where(LedgerEntry.created_at < end)
        return list((await self.session.execute(stmt)).all())


    async def account_flows(self, prefix: str, start: dt.datetime | None, end: dt.datetime | None) -> int:
        stmt = select(func.coalesce(func.sum(LedgerEntry.amount_fen), 0)).where(LedgerEntry.account.like(f"{prefix}%"))
        if start is not None:
            stmt = stmt.where(LedgerEntry.created_at >= start)
        if end is not None:
            stmt = stmt.where(LedgerEntry.created_at < end)
        return int((await self.session.execute(stmt)).scalar_one())


class EarmarkRepository(RepositoryBase[Earmark]):
    model = Earmark

    async def for_update(self, fund_id: uuid.UUID, opportunity_id: uuid.UUID) -> Earmark | None:
        stmt = (select(Earmark).where(Earmark.fund_id == fund_id, Earmark.opportunity_id == opportunity_id)
                .with_for_update().execution_options(populate_existing=True))
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def of_opportunity(self, opportunity_id: uuid.UUID) -> list[Earmark]:
        stmt = (select(Earmark).where(Earmark.opportunity_id == opportunity_id, Earmark.amount_fen > 0)
                .order_by(Earmark.fund_id).execution_options(populate_existing=True))
        return list((await self.session.execute(stmt)).scalars())

    async def all(self) -> list[Earmark]:
        return list((await self.session.execute(select(Earmark))).scalars())


class DealFundRepository(RepositoryBase[DealFund]):
    model = DealFund

    async def for_update(self, deal_id: uuid.UUID, fund_id: uuid.UUID) -> DealFund | None:
        stmt = (select(DealFund).where(DealFund.deal_id == deal_id, DealFund.fund_id == fund_id)
                .with_for_update().execution_options(populate_existing=True))
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def of_deal(self, deal_id: uuid.UUID) -> list[DealFund]:
        stmt = select(DealFund).where(DealFund.deal_id == deal_id).order_by(DealFund.fund_id)
        return list((await self.session.execute(stmt.execution_options(populate_existing=True))).scalars())

    async def all(self) -> list[DealFund]:
        return list((await self.session.execute(select(DealFund))).scalars())


class PaymentRepository(RepositoryBase[Payment]):
    model = Payment

    async def for_milestone(self, deal_id: uuid.UUID, milestone_id: uuid.UUID) -> Payment | None:
        stmt = select(Payment).where(Payment.deal_id == deal_id, Payment.milestone_id == milestone_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def of_deal(self, deal_id: uuid.UUID) -> list[Payment]:
        stmt = select(Payment).where(Payment.deal_id == deal_id).order_by(Payment.created_at, Payment.id)
        return list((await self.session.execute(stmt)).scalars())

    async def sums_by_deal_fund(self) -> dict[tuple[uuid.UUID, uuid.UUID], int]:
        stmt = select(Payment.deal_id, Payment.fund_id, func.sum(Payment.amount_fen)).group_by(Payment.deal_id, Payment.fund_id)
        return {(r[0], r[1]): int(r[2]) for r in (await self.session.execute(stmt)).all()}
