"""Public reads: notices (公示), the OCDS release package and deal statistics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from exchange.deals import transparency
from exchange.errors import problems
from exchange.kit.clock import now
from exchange.kit.http import API_PREFIX, Session
from exchange.kit.routing import UnitOfWorkRoute
from exchange.sheets.writer import XLSX_RESPONSES, StatsFormat, Table, share, xlsx_response

router = APIRouter(route_class=UnitOfWorkRoute, tags=["transparency"])


@router.get("/public/ocds/releases", operation_id="getOcdsReleases", responses=problems(422))
async def ocds_releases(request: Request, session: Session, limit: int = Query(500, ge=1, le=2000)) -> dict[str, Any]:
    """An OCDS 1.1 release package: published opportunities (tender), awards and contracts.
    Sealed bids never appear; awards and tenderer counts only after bidding closes."""
    api_root = str(request.base_url).rstrip("/") + API_PREFIX
    return await transparency.ocds_package(session, str(request.url), limit, api_root)


@router.get("/stats/deals", operation_id="getDealStats", responses=XLSX_RESPONSES)
async def deal_stats(session: Session, format: StatsFormat = "json") -> Any:
    """Deals by status and kind, money contracted and paid, evaluation grades, people served.
    `format=xlsx`: the figures as a sheet with totals and shares."""
    result = await transparency.deal_stats(session)
    if format == "xlsx":
        return xlsx_response([_deal_table(result)], "项目协议统计.xlsx", "deal-stats.xlsx")
    return result


STATUS_ZH = {"pending_signatures": "待签署", "active": "执行中", "delivered": "已交付", "evaluated": "已评估",
             "closed": "已结项", "terminated": "已终止"}


def _deal_table(stats: dict[str, Any]) -> Table:
    total = int(stats["deals"])
    rows: list[list[Any]] = [[f"状态：{STATUS_ZH.get(s, s)}", n, share(n, total)] for s, n in sorted(stats["by_status"].items())]
    rows += [[f"类型：{k}", n, share(n, total)] for k, n in sorted(stats["by_kind"].items())]
    rows += [[f"评估等级：{g}", n, share(n, total)] for g, n in sorted(stats["evaluations"].items())]
    return Table(name="项目协议", title="项目协议统计表", headers=["项目", "数量（个）", "占比"], rows=rows,
                 totals=[["协议总数", total, 1.0 if total else 0.0]], as_of=now(), unit="单位：个、元",
                 percent_columns={2},
                 note=(f"签约金额（元）：{stats['contracted_fen'] / 100:,.2f}；已支付（元）：{stats['paid_fen'] / 100:,.2f}；"
                       f"服务人次：{stats['people_served']}"))
