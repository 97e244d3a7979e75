"""A manager's KPIs as the sheet an office files (``GET /managers/{id}/kpis?format=xlsx``)."""

from __future__ import annotations

import datetime as dt

from exchange.managers.models import ConsultationKind
from exchange.managers.schemas import KpisOut
from exchange.sheets.writer import Table

CHINA = dt.timezone(dt.timedelta(hours=8))
KIND_LABELS = {ConsultationKind.consultation: "咨询", ConsultationKind.pre_study: "前期研究",
               ConsultationKind.needs_justification: "需求论证", ConsultationKind.review: "评审",
               ConsultationKind.supervision: "督导"}


def _day(at: dt.datetime) -> str:
    return at.astimezone(CHINA).strftime("%Y年%m月%d日")


def kpi_table(kpis: KpisOut, as_of: dt.datetime) -> Table:
    """One row per figure: counts in the second column, money (yuan, from fen) in the third, days in the second."""
    rows: list[list[object]] = [
        ["撮合成交项目", kpis.deals_brokered, None],
        ["撮合成交金额", None, kpis.deals_brokered_fen],
        ["已支付资金（撮合项目）", None, kpis.money_transacted_fen],
        ["以需定供转化的需求", kpis.needs_converted, None],
        ["解决的需求", kpis.needs_resolved, None],
        ["辖区内被认领的需求", kpis.needs_claimed_in_area, None],
        ["需求从发布到认领的中位天数（天）",
         kpis.median_days_need_to_claim if kpis.median_days_need_to_claim is not None else "—", None],
        ["咨询、前期研究与论证（次）", kpis.consultations, None],
    ]
    rows += [[f"　其中：{label}", kpis.consultations_by_kind.get(kind.value, 0), None] for kind, label in KIND_LABELS.items()]
    end = kpis.period_to - dt.timedelta(microseconds=1)
    return Table(name="经理人绩效", title=f"公益经理人工作绩效：{kpis.display_name}（{_day(kpis.period_from)}至{_day(end)}）",
                 headers=["指标", "数量", "金额（元）"], rows=rows, unit="单位：个、次、元", as_of=as_of,
                 money_columns={2}, note="统计区间含起点、不含终点；金额由分换算为元。")
