"""The funds' part of ``exchange ledger check`` (:mod:`exchange.checks`), proven from the entries.

- every transaction has at least two entries and they sum to zero;
- each fund's cached bucket equals the sum of that bucket's entries, and none is negative;
- deposited equals the sum of the fund's deposits and the sum of its buckets;
- each earmark equals its entries (``opportunity:<id>`` subaccount of the earmarked bucket);
- each deal's money in a fund equals its entries and its payments, and a deal never pays more
  than it committed (its amount is checked by :mod:`exchange.deals.check`);
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.funds.repository import DealFundRepository, EarmarkRepository, FundRepository, LedgerRepository, PaymentRepository

BUCKETS = ("available", "earmarked", "committed", "paid")


async def check_funds(session: AsyncSession) -> list[str]:
    """Every violation found in the funds' own books, as a line of text (empty when they are sound)."""
    problems: list[str] = []
    ledger = LedgerRepository(session)
    for txn_id, total, count in await ledger.unbalanced_transactions():
        problems.append(f"transaction {txn_id}: {count} entries summing to {total} (must be ≥ 2 entries summing to 0)")
    problems += await _funds(session, ledger)
    problems += await _earmarks(session, ledger)
    problems += await _deals(session, ledger)
    return problems


async def _funds(session: AsyncSession, ledger: LedgerRepository) -> list[str]:
    problems = []
    repo = FundRepository(session)
    sums = await ledger.fund_bucket_sums()
    deposits = await ledger.deposit_sums()
    balances = {b.fund_id: b for b in await repo.all_balances()}
    for fund in await repo.all_funds():
        balance = balances.get(fund.id)
        if balance is None:
            problems.append(f"fund {fund.id}: no balance row")
            continue
        for name in BUCKETS:
            cached, derived = getattr(balance, f"{name}_fen"), sums.get((fund.id, name), 0)
            if cached != derived:
                problems.append(f"fund {fund.id}: {name} cached {cached} != entries {derived}")
            if cached < 0 or derived < 0:
                problems.append(f"fund {fund.id}: {name} is negative ({cached} cached, {derived} from entries)")
        in_buckets = sum(getattr(balance, f"{name}_fen") for name in BUCKETS)
        if balance.deposited_fen != in_buckets:
            problems.append(f"fund {fund.id}: deposited {balance.deposited_fen} != sum of buckets {in_buckets}")
        if balance.deposited_fen != deposits.get(fund.id, 0):
            problems.append(f"fund {fund.id}: deposited {balance.deposited_fen} != deposits {deposits.get(fund.id, 0)}")
    unknown = {fund_id for fund_id, _ in sums} - set(balances)
    problems += [f"entries on fund {fund_id} without a balance row" for fund_id in unknown]
    return problems


async def _earmarks(session: AsyncSession, ledger: LedgerRepository) -> list[str]:
    problems = []
    derived = await ledger.subaccount_sums("earmarked", "opportunity:")
    seen = set()
    for row in await EarmarkRepository(session).all():
        key = (row.fund_id, f"opportunity:{row.opportunity_id}")
        seen.add(key)
        if row.amount_fen != derived.get(key, 0):
            problems.append(f"earmark of opportunity {row.opportunity_id} in fund {row.fund_id}: "
                            f"cached {row.amount_fen} != entries {derived.get(key, 0)}")
    problems += [f"earmark entries without an earmark row: fund {f} {sub} = {v}"
                 for (f, sub), v in derived.items() if (f, sub) not in seen and v != 0]
    return problems


async def _deals(session: AsyncSession, ledger: LedgerRepository) -> list[str]:
    problems = []
    committed = await ledger.subaccount_sums("committed", "deal:")
    paid = await ledger.subaccount_sums("paid", "deal:")
    payments = await PaymentRepository(session).sums_by_deal_fund()
    seen = set()
    for row in await DealFundRepository(session).all():
        key = (row.fund_id, f"deal:{row.deal_id}")
        seen.add(key)
        label = f"deal {row.deal_id} in fund {row.fund_id}"
        if row.paid_fen + row.released_fen > row.committed_fen:
            problems.append(f"{label}: paid {row.paid_fen} + released {row.released_fen} > committed {row.committed_fen}")
        if row.remaining_fen != committed.get(key, 0):
            problems.append(f"{label}: still committed {row.remaining_fen} != entries {committed.get(key, 0)}")
        if row.paid_fen != paid.get(key, 0):
            problems.append(f"{label}: paid {row.paid_fen} != entries {paid.get(key, 0)}")
        if row.paid_fen != payments.get((row.deal_id, row.fund_id), 0):
            problems.append(f"{label}: paid {row.paid_fen} != payments {payments.get((row.deal_id, row.fund_id), 0)}")
    for source in (committed, paid):
        problems += [f"deal entries without a deal row: fund {f} {sub} = {v}"
                     for (f, sub), v in source.items() if (f, sub) not in seen and v != 0]
    return problems
