"""Statistics of the three lists over HTTP."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from exchange.kit.clock import now
from exchange.kit.http import Session
from exchange.kit.routing import UnitOfWorkRoute
from exchange.listings import flows, stats
from exchange.listings.stats import ListStats
from exchange.sheets.writer import XLSX_RESPONSES, StatsFormat, Table, share, xlsx_response
from exchange.vocabularies.repository import VocabularyRepository

router = APIRouter(route_class=UnitOfWorkRoute, tags=["stats"])


@router.get("/stats/lists", response_model=ListStats, operation_id="listStats", responses=XLSX_RESPONSES)
async def list_stats(session: Session, format: StatsFormat = "json") -> Any:
    """Counts of the three lists by status and category (published items only), with budget totals in fen.
    `format=xlsx`: categories × lists as a sheet with totals and shares."""
    rows = await flows.list_rows(session)
    if format == "xlsx":
        labels = {t.code: t.zh for t in await VocabularyRepository(session).all() if t.kind == "category"}
        return xlsx_response([_category_table(rows, labels)], "三张清单统计.xlsx", "list-stats.xlsx")
    return stats.list_stats(rows["opportunities"], rows["offers"], rows["needs"])


def _category_table(rows: dict[str, list[dict[str, Any]]], labels: dict[str, str]) -> Table:
    """Categories × the three lists (published opportunities and offers, every need), totals and shares."""
    cells: dict[str | None, dict[str, int]] = {}
    for name in ("opportunities", "offers", "needs"):
        for r in rows[name]:
            cell = cells.setdefault(r["category"], {"opportunities": 0, "budget": 0, "offers": 0, "needs": 0})
            cell[name] += int(r["count"])
            if name == "opportunities":
                cell["budget"] += int(r["sum"])
    order = list(labels) + sorted(c for c in cells if c not in labels and c is not None) + ([None] if None in cells else [])
    total = sum(c["opportunities"] + c["offers"] + c["needs"] for c in cells.values())
    body = []
    for code in order:
        c = cells.get(code, {"opportunities": 0, "budget": 0, "offers": 0, "needs": 0})
        n = c["opportunities"] + c["offers"] + c["needs"]
        body.append([labels.get(code or "", code or "未分类"), c["opportunities"], c["budget"], c["offers"], c["needs"], n,
                     share(n, total)])
    sums = [sum(int(r[i]) for r in body) for i in range(1, 6)]
    return Table(name="三张清单", title="三张清单统计表（按服务类别）",
                 headers=["服务类别", "项目机会（个）", "预算（元）", "服务供给（个）", "居民需求（个）", "合计（个）", "占比"],
                 rows=body, totals=[["合计", *sums, 1.0 if total else 0.0]], as_of=now(), unit="单位：个、元",
                 percent_columns={6}, money_columns={2},
                 note="项目机会与服务供给只计已发布的；居民需求计全部。占比：本类合计占三张清单总数的比例。")
