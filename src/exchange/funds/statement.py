"""A fund's statement (资金对账单): opening balance, every entry of the period, closing balance — and the
money-by-source table — as the sheets an office files."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.funds.models import Bucket, Fund
from exchange.funds.repository import LedgerRepository
from exchange.funds.schemas import MoneyStats
from exchange.kit.clock import now
from exchange.sheets.writer import Table, share

BUCKET_ZH = {"available": "可用", "earmarked": "已预留", "committed": "已承诺", "paid": "已支付"}
SOURCE_ZH = {"fiscal": "财政资金", "community_fund": "社区基金", "micro_fund": "微基金", "crowdfunding": "众筹",
             "foundation_grant": "基金会资助", "donation": "捐赠"}
KIND_ZH = {"deposit": "存入", "deposit_reversal": "存入冲正", "earmark": "预留", "release": "释放", "commit": "承诺",
           "payment": "支付", "match": "配捐", "refund": "退款"}


class StatementEntry(BaseModel):
    id: uuid.UUID
    transaction_id: uuid.UUID
    at: dt.datetime
    kind: str
    bucket: str
    amount_fen: int = Field(description="Signed")
    ref_type: str
    ref_id: uuid.UUID
    balances_fen: dict[str, int] = Field(description="Every bucket after this entry")


class Statement(BaseModel):
    fund_id: uuid.UUID
    fund_name: str
    from_: dt.datetime | None = Field(None, alias="from")
    to: dt.datetime | None
    opening_fen: dict[str, int] = Field(description="Each bucket at the start of the period")
    entries: list[StatementEntry]
    closing_fen: dict[str, int] = Field(description="Each bucket at the end of the period")

    model_config = {"populate_by_name": True}


async def statement(session: AsyncSession, fund: Fund, start: dt.datetime | None, end: dt.datetime | None) -> Statement:
    repo = LedgerRepository(session)
    opening = {b.value: 0 for b in Bucket} | await repo.fund_bucket_sums_before(fund.id, start)
    running = dict(opening)
    entries = []
    for e in await repo.fund_entries_between(fund.id, start, end):
        bucket = e.bucket or "available"
        running[bucket] = running.get(bucket, 0) + e.amount_fen
        entries.append(StatementEntry(id=e.id, transaction_id=e.transaction_id, at=e.created_at, kind=e.kind,
                                      bucket=bucket, amount_fen=e.amount_fen, ref_type=e.ref_type, ref_id=e.ref_id,
                                      balances_fen=dict(running)))
    return Statement(fund_id=fund.id, fund_name=fund.name, from_=start, to=end, opening_fen=opening, entries=entries,
                     closing_fen=running)


def statement_table(s: Statement) -> Table:
    buckets = [b.value for b in Bucket]
    period = f"{_day(s.from_) or '开户'} 至 {_day(s.to) or '今'}"
    rows: list[list[Any]] = [["期初余额", "", "", None, "", "", *[s.opening_fen.get(b, 0) for b in buckets]]]
    for e in s.entries:
        rows.append([e.at, KIND_ZH.get(e.kind, e.kind), BUCKET_ZH.get(e.bucket, e.bucket), e.amount_fen, e.ref_type,
                     str(e.ref_id), *[e.balances_fen.get(b, 0) for b in buckets]])
    money = {3} | set(range(6, 6 + len(buckets)))
    return Table(name="对账单", title=f"{s.fund_name} 资金对账单（{period}）",
                 headers=["时间", "业务", "科目", "发生额（元）", "关联类型", "关联编号",
                          *[f"{BUCKET_ZH[b]}余额（元）" for b in buckets]],
                 rows=rows, totals=[["期末余额", "", "", sum(e.amount_fen for e in s.entries), "", "",
                                     *[s.closing_fen.get(b, 0) for b in buckets]]],
                 as_of=now(), unit="单位：元", money_columns=money,
                 note="发生额为正表示转入该科目，为负表示转出；每笔交易的各科目分录合计为零。")


def money_table(stats: MoneyStats) -> Table:
    fields = ["deposited_fen", "earmarked_fen", "committed_fen", "paid_fen", "released_fen"]
    total_deposited = sum(i.deposited_fen for i in stats.items)
    rows = [[SOURCE_ZH.get(i.source, i.source), *[getattr(i, f) for f in fields], share(i.deposited_fen, total_deposited)]
            for i in stats.items]
    totals = ["合计", *[sum(getattr(i, f) for i in stats.items) for f in fields], 1.0 if total_deposited else 0.0]
    period = f"{_day(stats.from_) or '开始'} 至 {_day(stats.to) or '今'}"
    return Table(name="资金来源", title=f"资金来源统计表（{period}）",
                 headers=["资金来源", "存入（元）", "预留（元）", "承诺（元）", "支付（元）", "释放（元）", "存入占比"],
                 rows=rows, totals=[totals], as_of=now(), unit="单位：元", money_columns={1, 2, 3, 4, 5},
                 percent_columns={6}, note=f"众筹筹得（元）：{stats.crowdfunding_raised_fen / 100:,.2f}")


def _day(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d")
