"""Funds and the money flow: deposit → earmark → commit → pay / release.

Every move is one balanced ledger transaction (see ``models``) and updates the cached figures it
touches, after locking the fund's balance row (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite
transactions are serialized). The functions run inside the caller's unit of work, never commit,
record an audit event and raise :class:`ExchangeError` on a violation.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import Role, User
from exchange.audit import service as audit
from exchange.errors import ExchangeError, forbidden, invalid, not_found
from exchange.funds.errors import already_paid, deal_overpaid, insufficient_funds, not_positive, opportunity_not_fundable
from exchange.funds.ledger import Leg, bucket, lock_balance, outside, post  # noqa: F401  (re-exported)
from exchange.funds.models import (
    Bucket,
    DealFund,
    Earmark,
    Fund,
    FundBalance,
    Kind,
    LedgerTransaction,
    Payment,
    Source,
)
from exchange.funds.repository import (
    DealFundRepository,
    EarmarkRepository,
    FundRepository,
    LedgerRepository,
    PaymentRepository,
)
from exchange.funds.schemas import EarmarkOut, FundingOut, FundList, FundOut, MoneyStats, PaymentOut, SourceMoney
from exchange.kit.clock import now
from exchange.organizations import service as organizations

FUNDABLE_STATES = ("draft", "published")


def _positive(amount_fen: int) -> None:
    if not isinstance(amount_fen, int) or amount_fen <= 0:
        raise not_positive()


# -- funds --------------------------------------------------------------------------------------

def can_read(user: User, fund: Fund) -> bool:
    return user.is_staff or (user.organization_id is not None and user.organization_id == fund.owner_organization_id)


def can_spend(user: User, fund: Fund) -> bool:
    """Earmark from the fund: staff, or a buyer of the owner organization."""
    return user.is_staff or (user.role == Role.buyer.value and user.organization_id == fund.owner_organization_id)


def can_deposit(user: User, fund: Fund) -> bool:
    return user.role == Role.admin.value or (
        user.role == Role.buyer.value and user.organization_id == fund.owner_organization_id)


async def get_or_404(session: AsyncSession, fund_id: uuid.UUID) -> Fund:
    fund = await FundRepository(session).get(fund_id)
    if fund is None:
        raise not_found("fund")
    return fund


async def get_visible(session: AsyncSession, user: User, fund_id: uuid.UUID) -> Fund:
    """The fund if ``user`` may read it; 404 otherwise (what may not be seen does not exist)."""
    fund = await get_or_404(session, fund_id)
    if not can_read(user, fund):
        raise not_found("fund")
    return fund


async def create_fund(session: AsyncSession, *, user: User | None, data: dict[str, Any]) -> Fund:
    """A new fund of ``owner_organization_id`` (a buyer's own organization by default), with zero balances."""
    owner_id = data.get("owner_organization_id")
    if user is not None and user.role == Role.buyer.value:
        if owner_id is not None and owner_id != user.organization_id:
            raise forbidden("采购方只能为本组织创建资金池", "A buyer creates funds of its own organization only",
                            code="not_fund_owner")
        owner_id = user.organization_id
    if owner_id is None:
        raise invalid(["body", "owner_organization_id"], "请指定资金池所属组织", "owner_organization_id is required")
    await organizations.get_or_404(session, owner_id)
    source = Source(data["source"])
    parent_id = data.get("parent_fund_id")
    if parent_id is not None:
        parent = await FundRepository(session).get(parent_id)
        if parent is None or source is not Source.micro_fund or parent.source != Source.community_fund.value:
            raise invalid(["body", "parent_fund_id"], "只有微基金可以隶属于一个社区基金",
                          "Only a micro-fund may have a parent, and the parent must be a community fund",
                          code="invalid_parent_fund")
    fund = Fund(id=uuid.uuid4(), name=data["name"], source=source.value, owner_organization_id=owner_id,
                parent_fund_id=parent_id, created_by=user.id if user else None)
    session.add(fund)
    await session.flush()
    session.add(FundBalance(fund_id=fund.id, deposited_fen=0, available_fen=0, earmarked_fen=0, committed_fen=0,
                            paid_fen=0))
    await session.flush()
    audit.record(session, actor_id=user.id if user else None, action="fund.created", entity_type="fund",
                 entity_id=fund.id, summary={"name": fund.name, "source": fund.source,
                                             "owner_organization_id": str(owner_id)})
    return fund


async def deposit(session: AsyncSession, *, actor_id: uuid.UUID | None, fund_id: uuid.UUID, amount_fen: int,
                  note: str = "") -> LedgerTransaction:
    """Money comes into the fund: ``external:deposits`` → available."""
    _positive(amount_fen)
    balance = await lock_balance(session, fund_id)
    txn = post(session, kind=Kind.deposit, ref_type="fund", ref_id=fund_id, actor_id=actor_id, note=note,
               legs=[outside("external:deposits", -amount_fen), bucket(fund_id, Bucket.available, amount_fen)],
               balances={fund_id: balance})
    await session.flush()
    audit.record(session, actor_id=actor_id, action="fund.deposited", entity_type="fund", entity_id=fund_id,
                 summary={"amount_fen": amount_fen, "note": note, "transaction_id": str(txn.id)})
    return txn


async def reverse_deposit(session: AsyncSession, *, actor_id: uuid.UUID | None, fund_id: uuid.UUID,
                          transaction_id: uuid.UUID, reason: str) -> LedgerTransaction:
    """Correct a deposit made in error with a reversing transaction (entries are never changed).

    Once per deposit (UNIQUE ``dedupe_key``); only while the fund still has the money available."""
    balance = await lock_balance(session, fund_id)
    ledger = LedgerRepository(session)
    original = await ledger.get_transaction(transaction_id)
    if original is None or original.kind != Kind.deposit.value or original.ref_id != fund_id:
        raise ExchangeError("deposit_not_found", 404, "该资金池没有这笔存入", "The fund has no such deposit")
    key = f"reversal:{transaction_id}"
    if await ledger.transaction_by_key(key) is not None:
        raise ExchangeError("already_reversed", 409, "该笔存入已冲正", "This deposit has already been reversed")
    amount = await ledger.transaction_amount(transaction_id, fund_id)
    if amount > balance.available_fen:
        raise insufficient_funds(amount, balance.available_fen)
    txn = post(session, kind=Kind.deposit_reversal, ref_type="transaction", ref_id=transaction_id, actor_id=actor_id,
               note=reason, dedupe_key=key, balances={fund_id: balance},
               legs=[bucket(fund_id, Bucket.available, -amount), outside("external:deposits", amount)])
    await session.flush()
    audit.record(session, actor_id=actor_id, action="fund.deposit_reversed", entity_type="fund", entity_id=fund_id,
                 summary={"amount_fen": amount, "reason": reason, "reversed_transaction_id": str(transaction_id),
                          "transaction_id": str(txn.id)})
    return txn


# -- earmarks -----------------------------------------------------------------------------------

def _opportunity_sub(opportunity_id: uuid.UUID) -> str:
    return f"opportunity:{opportunity_id}"


def _deal_sub(deal_id: uuid.UUID) -> str:
    return f"deal:{deal_id}"


async def _earmark_row(session: AsyncSession, fund_id: uuid.UUID, opportunity_id: uuid.UUID) -> Earmark:
    repo = EarmarkRepository(session)
    row = await repo.for_update(fund_id, opportunity_id)
    if row is None:  # the fund's balance lock is held, so no one else creates this row meanwhile
        row = repo.add(Earmark(id=uuid.uuid4(), fund_id=fund_id, opportunity_id=opportunity_id, amount_fen=0))
        await session.flush()
    return row


async def earmark(session: AsyncSession, *, actor_id: uuid.UUID | None, fund_id: uuid.UUID,
                  opportunity_id: uuid.UUID, amount_fen: int) -> Earmark:
    """available → earmarked for the opportunity; earmarks add up; never more than is available."""
    _positive(amount_fen)
    balance = await lock_balance(session, fund_id)
    if balance.available_fen < amount_fen:
        raise insufficient_funds(amount_fen, balance.available_fen)
    row = await _earmark_row(session, fund_id, opportunity_id)
    txn = post(session, kind=Kind.earmark, ref_type="opportunity", ref_id=opportunity_id, actor_id=actor_id,
               legs=[bucket(fund_id, Bucket.available, -amount_fen),
                     bucket(fund_id, Bucket.earmarked, amount_fen, _opportunity_sub(opportunity_id))],
               balances={fund_id: balance})
    row.amount_fen += amount_fen
    await session.flush()
    audit.record(session, actor_id=actor_id, action="fund.earmarked", entity_type="opportunity",
                 entity_id=opportunity_id, summary={"fund_id": str(fund_id), "amount_fen": amount_fen,
                                                    "earmarked_fen": row.amount_fen, "transaction_id": str(txn.id)})
    return row


async def fund_opportunity(session: AsyncSession, *, user: User, opportunity_id: uuid.UUID, opportunity_status: str,
                           buyer_organization_id: uuid.UUID | None, fund_id: uuid.UUID, amount_fen: int) -> Earmark:
    """``POST /opportunities/{id}/funding``: who may (staff, or the opportunity's buyer), in which state;
    then :func:`earmark`."""
    if not user.is_staff and (user.organization_id is None or user.organization_id != buyer_organization_id):
        raise forbidden("只有项目机会的购买方和公益经理人可以为其配置资金",
                        "Only the opportunity's buyer and managers may fund it", code="not_opportunity_owner")
    fund = await FundRepository(session).get(fund_id)
    if fund is None or not can_read(user, fund):
        raise invalid(["body", "fund_id"], "资金池不存在或无权使用", "The fund does not exist or may not be used",
                      code="unknown_fund")
    if not can_spend(user, fund):
        raise forbidden("只能从本组织的资金池配置资金", "Only the fund owner's buyers and managers may earmark it",
                        code="not_fund_owner")
    if opportunity_status not in FUNDABLE_STATES:
        raise opportunity_not_fundable(opportunity_status)
    return await earmark(session, actor_id=user.id, fund_id=fund_id, opportunity_id=opportunity_id,
                         amount_fen=amount_fen)


async def earmarks_for(session: AsyncSession, opportunity_id: uuid.UUID) -> list[tuple[uuid.UUID, int]]:
    """(fund_id, fen still earmarked) for every fund with money earmarked for the opportunity."""
    return [(e.fund_id, e.amount_fen) for e in await EarmarkRepository(session).of_opportunity(opportunity_id)]


async def release_earmarks(session: AsyncSession, *, actor_id: uuid.UUID | None, opportunity_id: uuid.UUID,
                           reason: str) -> int:
    """Every leftover earmark of the opportunity goes back to its fund's available; returns the fen released."""
    total = 0
    for fund_id, _ in await earmarks_for(session, opportunity_id):  # ordered by fund: locks in one order
        balance = await lock_balance(session, fund_id)
        row = await _earmark_row(session, fund_id, opportunity_id)
        amount = row.amount_fen
        if amount == 0:
            continue
        post(session, kind=Kind.earmark_release, ref_type="opportunity", ref_id=opportunity_id, actor_id=actor_id,
             note=reason, balances={fund_id: balance},
             legs=[bucket(fund_id, Bucket.earmarked, -amount, _opportunity_sub(opportunity_id)),
                   bucket(fund_id, Bucket.available, amount)])
        row.amount_fen = 0
        total += amount
        await session.flush()
        audit.record(session, actor_id=actor_id, action="fund.earmark_released", entity_type="opportunity",
                     entity_id=opportunity_id, summary={"fund_id": str(fund_id), "amount_fen": amount, "reason": reason})
    return total


# -- deals --------------------------------------------------------------------------------------

async def _deal_fund(session: AsyncSession, deal_id: uuid.UUID, fund_id: uuid.UUID, *, create: bool) -> DealFund | None:
    repo = DealFundRepository(session)
    row = await repo.for_update(deal_id, fund_id)
    if row is None and create:
        row = repo.add(DealFund(id=uuid.uuid4(), deal_id=deal_id, fund_id=fund_id, committed_fen=0, paid_fen=0,
                                released_fen=0))
        await session.flush()
    return row


async def commit_to_deal(session: AsyncSession, *, actor_id: uuid.UUID | None, deal_id: uuid.UUID, fund_id: uuid.UUID,
                         amount_fen: int, opportunity_id: uuid.UUID | None) -> None:
    """A signed deal: ``amount_fen`` → committed, from the opportunity's earmark in the fund first
    (when ``opportunity_id`` is given), any shortfall from available; 409 ``insufficient_funds``."""
    _positive(amount_fen)
    balance = await lock_balance(session, fund_id)
    row = await EarmarkRepository(session).for_update(fund_id, opportunity_id) if opportunity_id else None
    from_earmark = min(row.amount_fen, amount_fen) if row is not None else 0
    from_available = amount_fen - from_earmark
    if from_available > balance.available_fen:
        raise insufficient_funds(from_available, balance.available_fen)
    deal_fund = await _deal_fund(session, deal_id, fund_id, create=True)
    assert deal_fund is not None
    legs = [bucket(fund_id, Bucket.available, -from_available),
            bucket(fund_id, Bucket.committed, amount_fen, _deal_sub(deal_id))]
    if opportunity_id is not None:
        legs.append(bucket(fund_id, Bucket.earmarked, -from_earmark, _opportunity_sub(opportunity_id)))
    txn = post(session, kind=Kind.commit, ref_type="deal", ref_id=deal_id, actor_id=actor_id, legs=legs,
               balances={fund_id: balance})
    if row is not None:
        row.amount_fen -= from_earmark
    deal_fund.committed_fen += amount_fen
    await session.flush()
    audit.record(session, actor_id=actor_id, action="fund.committed", entity_type="deal", entity_id=deal_id,
                 summary={"fund_id": str(fund_id), "amount_fen": amount_fen, "from_earmark_fen": from_earmark,
                          "from_available_fen": from_available, "transaction_id": str(txn.id)})


async def pay_tranche(session: AsyncSession, *, actor_id: uuid.UUID | None, deal_id: uuid.UUID, fund_id: uuid.UUID,
                      milestone_id: uuid.UUID, amount_fen: int, organization_id: uuid.UUID) -> uuid.UUID:
    """committed → paid (to the organization) for one milestone; returns the payment's id.

    409 ``already_paid`` for a milestone paid before (the fund lock serializes concurrent calls,
    and UNIQUE (deal_id, milestone_id) backs it); 409 ``deal_overpaid`` beyond what is still committed."""
    if not isinstance(amount_fen, int) or amount_fen < 0:
        raise not_positive()
    balance = await lock_balance(session, fund_id)
    if await PaymentRepository(session).for_milestone(deal_id, milestone_id) is not None:
        raise already_paid()
    deal_fund = await _deal_fund(session, deal_id, fund_id, create=False)
    remaining = deal_fund.remaining_fen if deal_fund is not None else 0
    if deal_fund is None or amount_fen > remaining:
        raise deal_overpaid(amount_fen, remaining)
    txn = None
    if amount_fen > 0:
        txn = post(session, kind=Kind.payment, ref_type="deal", ref_id=deal_id, actor_id=actor_id,
                   balances={fund_id: balance}, dedupe_key=f"payment:{deal_id}:{milestone_id}",
                   legs=[bucket(fund_id, Bucket.committed, -amount_fen, _deal_sub(deal_id)),
                         bucket(fund_id, Bucket.paid, amount_fen, _deal_sub(deal_id))])
    payment = PaymentRepository(session).add(Payment(
        id=uuid.uuid4(), deal_id=deal_id, milestone_id=milestone_id, fund_id=fund_id, organization_id=organization_id,
        amount_fen=amount_fen, transaction_id=txn.id if txn else None, actor_id=actor_id, created_at=now()))
    deal_fund.paid_fen += amount_fen
    await session.flush()
    audit.record(session, actor_id=actor_id, action="fund.paid", entity_type="deal", entity_id=deal_id,
                 summary={"fund_id": str(fund_id), "milestone_id": str(milestone_id), "amount_fen": amount_fen,
                          "organization_id": str(organization_id), "payment_id": str(payment.id)})
    return payment.id


async def release_deal(session: AsyncSession, *, actor_id: uuid.UUID | None, deal_id: uuid.UUID, fund_id: uuid.UUID,
                       reason: str) -> int:
    """What the deal still has committed in the fund goes back to available; returns the fen released."""
    balance = await lock_balance(session, fund_id)
    deal_fund = await _deal_fund(session, deal_id, fund_id, create=False)
    if deal_fund is None or deal_fund.remaining_fen == 0:
        return 0
    amount = deal_fund.remaining_fen
    post(session, kind=Kind.deal_release, ref_type="deal", ref_id=deal_id, actor_id=actor_id, note=reason,
         balances={fund_id: balance},
         legs=[bucket(fund_id, Bucket.committed, -amount, _deal_sub(deal_id)), bucket(fund_id, Bucket.available, amount)])
    deal_fund.released_fen += amount
    await session.flush()
    audit.record(session, actor_id=actor_id, action="fund.released", entity_type="deal", entity_id=deal_id,
                 summary={"fund_id": str(fund_id), "amount_fen": amount, "reason": reason})
    return amount


async def deal_payments(session: AsyncSession, deal_id: uuid.UUID) -> list[PaymentOut]:
    return [PaymentOut.model_validate(p) for p in await PaymentRepository(session).of_deal(deal_id)]


async def deal_money(session: AsyncSession, deal_id: uuid.UUID) -> dict[str, int]:
    rows = await DealFundRepository(session).of_deal(deal_id)
    return {"committed_fen": sum(r.committed_fen for r in rows), "paid_fen": sum(r.paid_fen for r in rows),
            "released_fen": sum(r.released_fen for r in rows)}


def reject_if_not_owner(user: User, fund: Fund) -> None:
    if not can_deposit(user, fund):
        raise forbidden("只有资金池所属组织的采购方用户或管理员可以存入资金",
                        "Only the fund owner's buyer users and admins may deposit", code="not_fund_owner")


# -- reading ------------------------------------------------------------------------------------

async def list_page(session: AsyncSession, user: User, *, source: str | None, limit: int,
                    cursor: str | None) -> FundList:
    """The funds ``user`` may see: all for staff, its own organization's for others."""
    page = await FundRepository(session).page(organization_id=user.organization_id, everyone=user.is_staff,
                                              source=source, limit=limit, cursor=cursor)
    return FundList(items=await present(session, page.items), next_cursor=page.next_cursor)


async def present(session: AsyncSession, funds: Sequence[Fund]) -> list[FundOut]:
    balances = await FundRepository(session).balances([f.id for f in funds])
    out = []
    for fund in funds:
        b = balances[fund.id]
        out.append(FundOut(id=fund.id, name=fund.name, source=Source(fund.source),
                           owner_organization_id=fund.owner_organization_id, parent_fund_id=fund.parent_fund_id,
                           deposited_fen=b.deposited_fen, available_fen=b.available_fen, earmarked_fen=b.earmarked_fen,
                           committed_fen=b.committed_fen, paid_fen=b.paid_fen, version=fund.version,
                           created_at=fund.created_at))
    return out


async def funding_of(session: AsyncSession, opportunity_id: uuid.UUID) -> FundingOut:
    earmarks = await earmarks_for(session, opportunity_id)
    return FundingOut(opportunity_id=opportunity_id, earmarked_fen=sum(a for _, a in earmarks),
                      earmarks=[EarmarkOut(fund_id=f, amount_fen=a) for f, a in earmarks])


async def money_by_source(session: AsyncSession, start: dt.datetime | None, end: dt.datetime | None) -> MoneyStats:
    """Flows of every source's funds over ``[start, end)``, from the ledger's entries."""
    figures = {s: dict.fromkeys(("deposited", "earmarked", "committed", "paid", "released"), 0) for s in Source}
    released_kinds = {Kind.earmark_release.value, Kind.deal_release.value, Kind.match_return.value}
    ledger = LedgerRepository(session)
    for source, kind, bucket_name, total in await ledger.flows_by_source(start, end):
        f = figures[Source(source)]
        total = int(total)
        if kind in (Kind.deposit.value, Kind.deposit_reversal.value):
            f["deposited"] += total
        elif bucket_name in ("earmarked", "committed", "paid"):
            f[bucket_name] += total
        if bucket_name == "available" and kind in released_kinds:
            f["released"] += total
    raised = await ledger.account_flows("campaign:", start, end)
    return MoneyStats(from_=start, to=end, crowdfunding_raised_fen=raised, items=[
        SourceMoney(source=s, **{f"{k}_fen": v for k, v in f.items()}) for s, f in figures.items()])
